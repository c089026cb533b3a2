// The rights stage: between the reader and the writers, it gives a document
// its publication's display data, its copyright and rights metadata, and the
// canonical footer rendered from templates/ (which replaces the legacy footer
// the reader dropped).
//
// The year comes from its Date, else from its volume through the
// policy; the copyright runs from the publication's first year to it. A
// publication missing from the policy is an imprint::Error: no edition without
// rights. Stateless; thread-safe given const inputs.
#ifndef IMPRINT_PIPELINE_EDITION_RIGHTS_STAGE_H_
#define IMPRINT_PIPELINE_EDITION_RIGHTS_STAGE_H_

#include "pipeline/edition/document.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

// REQUIRES: doc came from ReadRawIssue().
void ApplyRights(const RightsPolicy& policy, const TemplateSet& templates,
                 Document* doc);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_RIGHTS_STAGE_H_
