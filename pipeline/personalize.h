// Personalised copies: an edition's artifacts with the licensee named in the
// footer and the metadata of every format, made from the built files without
// rebuilding the edition.
//
// The templates leave markers where a licensee goes (<!--imprint:licensee-->
// in the footers, <!--imprint:licensee-meta--> in the HTML head and the EPUB
// package document); Markdown gets front-matter keys and a last paragraph.
// An EPUB keeps every compressed entry but the three it changes (the issue's
// page, the rights page, the package document), which it recompresses. The
// same edition and licensee always give the same bytes. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_PERSONALIZE_H_
#define IMPRINT_PIPELINE_PERSONALIZE_H_

#include <string>

#include "pipeline/rights_policy.h"

namespace imprint {

struct Licensee {
  std::string license_id;
  std::string name;
  std::string wording;  // "Licensed to NAME, license ID, for personal use."
};

// The tier's wording from rights/ (its watermark template) for a licensee.
Licensee MakeLicensee(const Tier& tier, const std::string& license_id, const std::string& name);

// `format` is md, html or epub. Throws imprint::Error when the artifact has
// no place for the licensee (not built by these templates).
std::string Personalize(const std::string& format, const std::string& artifact, const Licensee& who);

// The license id a personalised copy names, or "" when it names none.
std::string FindLicenseId(const std::string& format, const std::string& artifact);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_PERSONALIZE_H_
