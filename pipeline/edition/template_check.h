// Template checks: a template set against everything that renders from it,
// run by `imprint rights check` and before every build signs anything.
//
// Every template a writer or the catalog renders uses only the names its
// renderer gives (each renderer owns its list, a TemplateUse); each
// publication's footer and the EPUB rights page render the publication's
// copyright notice, holder and license link; and a sample issue of each
// publication, written in every format, shows every paragraph of its footer
// (a page template that drops the footer is refused too); and the same
// sample, with text and a correction, as an EPUB declares its accessibility
// as the policy gives it, with roles, languages and headings in order
// (epub_accessibility.h). Syntax (unclosed or malformed
// tags, unbalanced sections) is already refused when the set is loaded. The
// first problem is an imprint::Error naming the template file (and the line,
// where a tag is at fault). Stateless; thread-safe given const inputs.
#ifndef IMPRINT_PIPELINE_EDITION_TEMPLATE_CHECK_H_
#define IMPRINT_PIPELINE_EDITION_TEMPLATE_CHECK_H_

#include <vector>

#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

// Every template the edition writers and the catalog render, with its names.
std::vector<TemplateUse> EditionTemplateUses();

// Throws imprint::Error at the first problem; returns when there is none.
void CheckTemplates(const RightsPolicy& policy, const TemplateSet& templates);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_TEMPLATE_CHECK_H_
