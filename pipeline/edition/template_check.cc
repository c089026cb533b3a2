#include "pipeline/edition/template_check.h"

#include "pipeline/base/error.h"
#include "pipeline/base/markdown_escape.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/epub_accessibility.h"
#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/edition/markdown_writer.h"
#include "pipeline/edition/rights_stage.h"

namespace imprint {
namespace {

std::string MarkdownParagraph(const std::string& text) { return EscapeMarkdownLinkedParagraph(text); }

// Every paragraph of doc's footer is in `edition`, as the format writes it
// (in markup, as its text, the links' tags left out): a page template that
// never shows the footer would publish without it.
void CheckFooterShown(const Document& doc, const std::string& edition, const std::string& format,
                      std::string (*escape)(const std::string&), const std::string& template_path) {
  for (const std::string& p : doc.rights.footer) {
    if (edition.find(escape(p)) == std::string::npos) {
      throw Error(template_path, 0,
                  "the " + format + " edition of '" + doc.publication.slug +
                      "' (this template and its partials) does not render the footer paragraph '" + p + "'");
    }
  }
}

// The footer and rights of a sample issue of each publication, in every format.
void CheckRightsShown(const Document& doc, const TemplateSet& templates) {
  CheckFooterShown(doc, WriteMarkdown(doc, templates), "Markdown", &MarkdownParagraph,
                   templates.Path("edition.md"));
  CheckFooterShown(doc, MarkupText(WriteHtml(doc, templates)), "HTML", &TemplateSet::EscapeMarkup,
                   templates.Path("page.html"));
  CheckBookRights(doc, templates);
}

// A sample issue with what a real one has: articles with and without a
// headline, a correction (its heading and aside), and a Date or none, so that
// the accessibility check sees every heading, contents entry and dc:date the
// templates can make.
Document WithText(Document doc, const std::string& date) {
  doc.date = date;
  doc.articles = {{"", 1, {{"A first paragraph.", 1}}}, {"A headline", 2, {{"A second paragraph.", 3}}}};
  doc.corrections = {{"2999-12-31", std::string(64, '0'), "A correction.", 1}};
  return doc;
}

}  // namespace

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
    CheckRightsShown(SampleIssue(policy, templates, entry.second), templates);
    for (const char* date : {"", "1999-06-15"}) {
      const Document sample = WithText(SampleIssue(policy, templates, entry.second), date);
      CheckBookAccessibility(sample, RenderBook(sample, templates), templates);
    }
  }
}

}  // namespace imprint
