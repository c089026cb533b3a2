// The HTML writer: a document as a standalone HTML5 page.
//
// The page chrome lives in templates/page.html.mustache; the articles and the
// footer in templates/body.html.mustache, which the EPUB writer's XHTML
// reuses through HtmlBodyData(), so both formats render one body from the
// same model. All text is escaped by the template engine; the only script is a
// schema.org JSON-LD data block (rights, paywalled-content markup). Pure;
// thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_HTML_WRITER_H_
#define IMPRINT_PIPELINE_EDITION_HTML_WRITER_H_

#include <string>
#include <vector>

#include "pipeline/edition/document.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

std::string WriteHtml(const Document& doc, const TemplateSet& templates);

// The values body.html.mustache renders: title, issue line, corrections
// (each dated, below the title), articles, footer and rights. Page writers add their own chrome values to it.
TemplateData HtmlBodyData(const Document& doc);

// The names HtmlBodyData() gives (body.html's data), and what WriteHtml()
// gives page.html: those and json_ld.
std::vector<std::string> HtmlBodyNames();
TemplateUse HtmlTemplateUse();

// The schema.org JSON-LD of the issue (with its corrections, when it has
// any: `correction` and `dateModified`), safe to embed in a <script> element
// (no "<", ">" or "&" appears literally).
std::string JsonLd(const Document& doc);

// The text of markup as a reader sees it, entities still escaped: every tag
// (`<...>`) left out, so a footer paragraph whose addresses are links reads
// as the paragraph itself.
std::string MarkupText(const std::string& markup);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_HTML_WRITER_H_
