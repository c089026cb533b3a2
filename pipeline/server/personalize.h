// Personalised copies: an edition's artifacts with the licensee named in the
// footer and the metadata of every format, made from the built files without
// rebuilding the edition.
//
// The templates leave markers where a licensee goes (<!--imprint:licensee-->
// in the footers, <!--imprint:licensee-meta--> in the HTML head and the EPUB
// package document); Markdown gets front-matter keys and a last paragraph.
// The license id also goes, alone, into a mark of its own (see
// FindLicenseIds), so a trace never reads it out of licensee-controlled text.
// Every copy's article text carries invisible marks keyed to the license
// (text_marks.h), for a trace from a pasted excerpt (`imprint trace --text`).
// An EPUB keeps every compressed entry but the three it changes (the issue's
// page, the rights page, the package document), which it recompresses. The
// same edition and licensee always give the same bytes. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_PERSONALIZE_H_
#define IMPRINT_PIPELINE_SERVER_PERSONALIZE_H_

#include <map>
#include <string>
#include <vector>

#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_set.h"
#include "pipeline/signing/mark_key.h"

namespace imprint {

struct Licensee {
  std::string license_id;
  std::string name;
  std::string wording;  // "Licensed to NAME, license ID, for personal use."
};

// The tier's wording from rights/ (its watermark template) for a licensee.
Licensee MakeLicensee(const Tier& tier, const std::string& license_id, const std::string& name);

// Checks every tier's watermark template: well formed, using only the names
// a licensee gives it (name, license), and rendering both. Throws
// imprint::Error on the policy's line of the first tier at fault. Run by
// `imprint rights check` and by Watermarks (so a server refuses to start).
void CheckWatermarks(const RightsPolicy& policy);

// The watermark templates of every tier of `policy`, parsed once: a server
// makes many copies, and parsing a template per copy costs time (and once
// cost memory). Immutable once made; thread-safe to share.
class Watermarks {
 public:
  explicit Watermarks(const RightsPolicy& policy);
  // REQUIRES: `tier` is one of the policy's tiers.
  Licensee Make(const std::string& tier, const std::string& license_id, const std::string& name) const;

 private:
  std::map<std::string, TemplateSet> templates_;
};

// `format` is md, html or epub. The article text (HTML and the book's issue
// page: the text of <main>; Markdown: the articles' lines) carries invisible
// marks of the license under `marks` (text_marks.h), nothing else does.
// Throws imprint::Error when the artifact has
// no place for the licensee (not built by these templates), and when the
// licensee cannot be carried safely: an id that is not a UUID, a name that
// SubscriberNameProblem() refuses (a license signed before names were
// checked), a wording that is not one line of text. Every changed EPUB entry
// is parsed as XML before the copy is returned.
std::string Personalize(const std::string& format, const std::string& artifact, const Licensee& who,
                        const MarkKey& marks);

// The license ids a copy's id marks carry, distinct, in the order found: in
// HTML and EPUB a comment <!--imprint:license-id ID--> (in the page's head,
// in the book's package document), in Markdown the front matter's
// `license_id: "ID"` line. Personalize writes the mark apart from and before
// the licensee's text, which cannot spell one; nothing else in a copy counts.
// Several ids mean the copy was tampered with. Linear time; never throws.
std::vector<std::string> FindLicenseIds(const std::string& format, const std::string& artifact);

// Whether the copy names `who` exactly as Personalize writes them, in every
// place it writes them: how a trace confirms a license id against the store.
bool NamesLicensee(const std::string& format, const std::string& artifact, const Licensee& who);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_PERSONALIZE_H_
