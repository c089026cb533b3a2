#include "pipeline/edition/template_check.h"

#include "pipeline/edition/catalog.h"
#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/edition/markdown_writer.h"
#include "pipeline/edition/rights_stage.h"

namespace imprint {

std::vector<TemplateUse> EditionTemplateUses() {
  std::vector<TemplateUse> uses = {MarkdownTemplateUse(), HtmlTemplateUse()};
  for (TemplateUse& use : EpubTemplateUses()) uses.push_back(std::move(use));
  uses.push_back(CatalogTemplateUse());
  return uses;
}

void CheckTemplates(const RightsPolicy& policy, const TemplateSet& templates) {
  for (const auto& entry : policy.publications) CheckFooter(policy, templates, entry.second);
  for (const TemplateUse& use : EditionTemplateUses()) templates.CheckNames(use);
  for (const auto& entry : policy.publications) {
    CheckRightsPage(SampleIssue(policy, templates, entry.second), templates);
  }
}

}  // namespace imprint
