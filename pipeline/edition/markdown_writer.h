// The Markdown writer: a document as GitHub-flavoured Markdown with YAML
// front matter (identity, language, rights), headlines as headings and the
// canonical footer as the last section. Layout lives in
// templates/edition.md.mustache; this unit supplies the values, escaped by
// markdown_escape and, for front matter, quoted for YAML. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_MARKDOWN_WRITER_H_
#define IMPRINT_PIPELINE_EDITION_MARKDOWN_WRITER_H_

#include <string>
#include <string_view>

#include "pipeline/edition/document.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

std::string WriteMarkdown(const Document& doc, const TemplateSet& templates);

// edition.md with the names WriteMarkdown() gives it.
TemplateUse MarkdownTemplateUse();

// A YAML double-quoted scalar holding `text`.
std::string YamlQuote(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_MARKDOWN_WRITER_H_
