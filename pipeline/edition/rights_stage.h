// The rights stage: between the reader and the writers, it gives a document
// its publication's display data, its copyright and rights metadata, and the
// canonical footer rendered from templates/ (which replaces the legacy footer
// the reader dropped).
//
// The issue's year comes from its Date, else from its volume through the
// policy (an Error when the policy maps the volume to no year); the copyright
// runs from the publication's first year to it. The document also takes the
// policy's accessibility declaration, for the EPUB writer. A
// publication missing from the policy is an imprint::Error: no edition without
// rights. A footer that would drop the copyright, holder or license link is
// refused before any build (CheckFooter()). Stateless; thread-safe given
// const inputs.
#ifndef IMPRINT_PIPELINE_EDITION_RIGHTS_STAGE_H_
#define IMPRINT_PIPELINE_EDITION_RIGHTS_STAGE_H_

#include <string>

#include "pipeline/edition/document.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

// REQUIRES: doc came from ReadRawIssue().
void ApplyRights(const RightsPolicy& policy, const TemplateSet& templates,
                 Document* doc);

// What a rendered footer or rights page `text` lacks of `rights`: "" when it
// carries the copyright notice (copyright line and statement), the holder
// (name and address) and the license link, else the first one missing, for a
// message. A value counts only whole, not as the start of a longer word or
// address (the holder's https://example.org/ inside the license link's
// https://example.org/license/ does not count). `escape` gives a value as
// the text renders it (markup escaping), or is null.
std::string MissingRights(const Rights& rights, const std::string& text,
                          std::string (*escape)(const std::string&) = nullptr);

// The footer template `name` with the names ApplyRights() gives it.
TemplateUse FooterTemplateUse(const std::string& name);

// An issue of `pub` with no text, through ApplyRights(): what the template
// checks render. Throws as ApplyRights() does.
Document SampleIssue(const RightsPolicy& policy, const TemplateSet& templates,
                     const PolicyPublication& pub);

// Checks `pub`'s footer before any edition uses it: the template is in the
// set (else an imprint::Error on the policy's line), uses only the names
// FooterTemplateUse() lists (else an Error on the tag's file and line), and
// renders the publication's copyright notice (its copyright line and the
// policy's notice), its holder (name and address) and its license link
// (else an Error naming the template's file).
void CheckFooter(const RightsPolicy& policy, const TemplateSet& templates,
                 const PolicyPublication& pub);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_RIGHTS_STAGE_H_
