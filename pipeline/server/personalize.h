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
#include "pipeline/base/zip_writer.h"
#include "pipeline/edition/template_set.h"
#include "pipeline/edition/writers.h"
#include "pipeline/server/text_marks.h"
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

// An artifact read once for the copies of many licensees (the server keeps
// one per verified base): a book's three licensee entries inflated, the gaps
// of the article text planned (text_marks.h's MarkPlan). A copy then costs a
// merge, the licensee's lines and, for a book, parsing and deflating those
// three entries. Personalize(format, artifact, who, marks) is
// PreparedArtifact(format, artifact, marks).Personalize(who), byte for byte.
// Immutable once made; thread-safe to share.
class PreparedArtifact {
 public:
  // Throws imprint::Error for an unknown format and an artifact with no
  // article text to mark (not built by these templates).
  PreparedArtifact(const std::string& format, const std::string& artifact, const MarkKey& marks);
  // Throws imprint::Error as Personalize does.
  std::string Personalize(const Licensee& who) const;
  // The bytes it holds, about: what a cache counts against its bound.
  size_t Size() const;

 private:
  PreparedArtifact(const Writer& writer, const std::string& artifact, const MarkKey& marks);
  void PrepareBook(const std::string& epub);
  std::string PersonalizeBook(const Licensee& who, const std::string& tag) const;

  std::string format_;
  Personalization kind_;
  MarkKey marks_;
  MarkPlan plan_;                  // of text_
  std::string text_;               // the page or Markdown; a book's issue page
  size_t front_matter_end_ = 0;    // Markdown: where its front matter's closing line starts
  std::vector<ZipEntry> entries_;  // a book's, the licensee entries without their bytes
  std::string opf_, rights_;       // a book's package document and rights page
  ZipWriter book_writer_{1980, 1, 1};  // with the book's entry time: same inputs, same bytes
};

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
