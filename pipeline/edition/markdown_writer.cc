#include "pipeline/edition/markdown_writer.h"

#include <cstdio>

#include "pipeline/base/markdown_escape.h"

namespace imprint {
namespace {

std::string YamlCorrections(const std::vector<Correction>& corrections);

TemplateData FrontMatter(const Document& doc) {
  TemplateData fields = TemplateData::List();
  auto add = [&fields](const char* key, std::string value) {
    TemplateData field;
    field.Set("key", key).Set("value", std::move(value));
    fields.Append(std::move(field));
  };
  add("title", YamlQuote(doc.title));
  add("publication", YamlQuote(doc.publication.slug));
  add("publication_name", YamlQuote(doc.publication.display_name));
  add("volume", std::to_string(doc.volume));
  add("issue", std::to_string(doc.issue));
  if (!doc.date.empty()) add("date", doc.date);
  add("language", YamlQuote(doc.publication.language));
  add("rights", YamlQuote(doc.rights.copyright + ". " + doc.rights.statement));
  add("copyright_holder", YamlQuote(doc.rights.holder));
  add("copyright_year", std::to_string(doc.rights.year));
  add("license", YamlQuote(doc.rights.license_url));
  add("revision", std::to_string(Revision(doc)));
  if (!doc.corrections.empty()) add("corrections", YamlCorrections(doc.corrections));
  return fields;
}

// The corrections as a YAML flow sequence on the key's one line (the front
// matter is one `key: value` a line, which personalization relies on):
// `[{date: 1999-04-22, note: "..."}, ...]`, the date plain as `date:` is.
std::string YamlCorrections(const std::vector<Correction>& corrections) {
  std::string out = "[";
  for (const Correction& c : corrections) {
    if (out.size() > 1) out += ", ";
    out += "{date: " + c.date + ", note: " + YamlQuote(c.note) + "}";
  }
  return out + "]";
}

// "**Corrected 1999-04-22:** what was corrected", one paragraph a correction,
// the note escaped so that it reads as written.
TemplateData CorrectionParagraphs(const std::vector<Correction>& corrections) {
  TemplateData list = TemplateData::List();
  for (const Correction& c : corrections) {
    list.Append("**Corrected " + c.date + ":** " + EscapeMarkdownParagraph(c.note));
  }
  return list;
}

}  // namespace

std::string YamlQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

// Kept beside the data they name (FrontMatter() and WriteMarkdown()).
TemplateUse MarkdownTemplateUse() {
  return {"edition.md",
          {"front_matter", "key", "value", "title", "corrected", "corrections", "articles", "has_headline", "headline", "paragraphs",
           "footer"}};
}

std::string WriteMarkdown(const Document& doc, const TemplateSet& templates) {
  TemplateData articles = TemplateData::List();
  for (const Article& article : doc.articles) {
    TemplateData paragraphs = TemplateData::List();
    for (const Paragraph& p : article.paragraphs) {
      paragraphs.Append(EscapeMarkdownParagraph(p.text));
    }
    TemplateData a;
    a.Set("has_headline", !article.headline.empty())
        .Set("headline", EscapeMarkdownHeading(article.headline))
        .Set("paragraphs", std::move(paragraphs));
    articles.Append(std::move(a));
  }
  TemplateData footer = TemplateData::List();
  for (const std::string& p : doc.rights.footer) footer.Append(EscapeMarkdownLinkedParagraph(p));

  TemplateData data;
  data.Set("front_matter", FrontMatter(doc))
      .Set("title", EscapeMarkdownHeading(doc.title))
      .Set("corrected", !doc.corrections.empty())
      .Set("corrections", CorrectionParagraphs(doc.corrections))
      .Set("articles", std::move(articles))
      .Set("footer", std::move(footer));
  return templates.Render("edition.md", data);
}

}  // namespace imprint
