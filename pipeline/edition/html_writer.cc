#include "pipeline/edition/html_writer.h"

#include <string_view>

#include "pipeline/base/json_string.h"
#include "pipeline/base/text_links.h"

namespace imprint {
namespace {

// The CSS selector of the subscribers-only part of the page, for Google's
// paywalled-content markup; body.html.mustache puts the class on <main>.
constexpr char kPaidSelector[] = ".paywalled";

// A small JSON writer for the JSON-LD block: written directly, in a fixed
// member order, because it runs once per page of a nightly build of
// thousands, where building a Poco::JSON tree and stringifying it cost more
// than the rest of the page. Strings escape "<", ">" and "&" too, so the
// block cannot end its <script> element.
class Json {
 public:
  Json& Open() { return Punct('{'); }
  Json& Close() { return End('}'); }
  Json& OpenArray() { return Punct('['); }
  Json& CloseArray() { return End(']'); }
  Json& Key(std::string_view key) {
    Comma();
    String(key);
    out_ += ':';
    fresh_ = true;
    return *this;
  }
  Json& Value(std::string_view s) {
    Comma();
    String(s);
    return *this;
  }
  // A literal would otherwise convert to bool rather than to string_view.
  Json& Value(const char* s) { return Value(std::string_view(s)); }
  Json& Value(int n) {
    Comma();
    out_ += std::to_string(n);
    return *this;
  }
  Json& Value(bool b) {
    Comma();
    out_ += b ? "true" : "false";
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  Json& Punct(char c) {
    Comma();
    out_ += c;
    fresh_ = true;
    return *this;
  }
  Json& End(char c) {
    out_ += c;
    fresh_ = false;
    return *this;
  }
  void Comma() {
    if (!fresh_) out_ += ',';
    fresh_ = false;
  }
  void String(std::string_view s) { AppendJsonString(s, &out_, JsonEscaping::kInHtml); }

  std::string out_;
  bool fresh_ = true;  // no comma before the next value
};

void Organization(const Rights& rights, Json* j) {
  j->Open().Key("@type").Value("Organization").Key("name").Value(rights.holder);
  j->Key("url").Value(rights.holder_url).Close();
}

void PaidPart(Json* j) {
  j->Open().Key("@type").Value("WebPageElement").Key("isAccessibleForFree").Value(false);
  j->Key("cssSelector").Value(kPaidSelector).Close();
}

// Rights fields shared by the issue and each of its articles.
void RightsFields(const Document& doc, Json* j) {
  j->Key("inLanguage").Value(doc.publication.language);
  if (!doc.date.empty()) j->Key("datePublished").Value(doc.date);
  j->Key("publisher");
  Organization(doc.rights, j);
  j->Key("copyrightHolder");
  Organization(doc.rights, j);
  j->Key("copyrightYear").Value(doc.rights.year);
  j->Key("copyrightNotice").Value(doc.rights.copyright + ". " + doc.rights.statement);
  j->Key("license").Value(doc.rights.license_url);
  j->Key("isAccessibleForFree").Value(false);
}

// schema.org's record of corrections: each a CorrectionComment dated the
// day it was made, and the issue's dateModified the last of them (the issue's
// datePublished stays its own date).
void CorrectionFields(const Document& doc, Json* j) {
  if (doc.corrections.empty()) return;
  j->Key("dateModified").Value(doc.corrections.back().date);
  j->Key("correction").OpenArray();
  for (const Correction& c : doc.corrections) {
    j->Open().Key("@type").Value("CorrectionComment").Key("datePublished").Value(c.date);
    j->Key("text").Value(c.note).Close();
  }
  j->CloseArray();
}

TemplateData CorrectionsData(const Document& doc) {
  TemplateData list = TemplateData::List();
  for (const Correction& c : doc.corrections) {
    TemplateData item;
    item.Set("date", c.date).Set("note", c.note);
    list.Append(std::move(item));
  }
  return list;
}

}  // namespace

std::string JsonLd(const Document& doc) {
  Json j;
  j.Open().Key("@context").Value("https://schema.org").Key("@type").Value("PublicationIssue");
  j.Key("issueNumber").Value(std::to_string(doc.issue)).Key("name").Value(doc.title);
  j.Key("isPartOf").Open().Key("@type").Value("PublicationVolume");
  j.Key("volumeNumber").Value(std::to_string(doc.volume));
  j.Key("isPartOf").Open().Key("@type").Value("Periodical").Key("name").Value(doc.publication.display_name);
  j.Close().Close();
  RightsFields(doc, &j);
  CorrectionFields(doc, &j);
  // The paid body first, then a NewsArticle per article, each marking its own
  // paid part as Google's paywalled-content convention asks.
  j.Key("hasPart").OpenArray();
  PaidPart(&j);
  for (const Article& article : doc.articles) {
    j.Open().Key("@type").Value("NewsArticle");
    j.Key("headline").Value(article.headline.empty() ? doc.title : article.headline);
    RightsFields(doc, &j);
    j.Key("hasPart");
    PaidPart(&j);
    j.Close();
  }
  j.CloseArray().Close();
  return j.Take();
}

// Kept beside the data they name: a name added below is added here too.
std::vector<std::string> HtmlBodyNames() {
  return {"title",   "publication", "language", "volume",       "issue",   "has_date",
          "date",    "copyright",   "license_url", "articles",  "footer",  "element",
          "id",      "has_headline", "headline", "paragraphs", "spans", "text",    "link",
          "href",    "corrected",   "corrections", "note"};
}

TemplateUse HtmlTemplateUse() {
  TemplateUse use{"page.html", HtmlBodyNames()};
  use.names.push_back("json_ld");
  return use;
}

TemplateData HtmlBodyData(const Document& doc) {
  TemplateData articles = TemplateData::List();
  size_t number = 0;
  for (const Article& article : doc.articles) {
    TemplateData paragraphs = TemplateData::List();
    for (const Paragraph& p : article.paragraphs) paragraphs.Append(p.text);
    TemplateData a;
    // An article without a headline is a plain division: <article> wants one.
    a.Set("element", article.headline.empty() ? "div" : "article")
        .Set("id", ArticleId(++number))
        .Set("has_headline", !article.headline.empty())
        .Set("headline", article.headline)
        .Set("paragraphs", std::move(paragraphs));
    articles.Append(std::move(a));
  }
  // The footer's web and e-mail addresses are links (text_links.h).
  TemplateData footer = TemplateData::List();
  for (const std::string& p : doc.rights.footer) {
    TemplateData spans = TemplateData::List();
    for (const TextSpan& s : SplitLinks(p)) {
      TemplateData span;
      span.Set("text", s.text).Set("link", !s.href.empty()).Set("href", s.href);
      spans.Append(std::move(span));
    }
    TemplateData paragraph;
    paragraph.Set("spans", std::move(spans));
    footer.Append(std::move(paragraph));
  }

  TemplateData data;
  data.Set("title", doc.title)
      .Set("publication", doc.publication.display_name)
      .Set("language", doc.publication.language)
      .Set("volume", std::to_string(doc.volume))
      .Set("issue", std::to_string(doc.issue))
      .Set("has_date", !doc.date.empty())
      .Set("date", doc.date)
      .Set("corrected", !doc.corrections.empty())
      .Set("corrections", CorrectionsData(doc))
      .Set("copyright", doc.rights.copyright)
      .Set("license_url", doc.rights.license_url)
      .Set("articles", std::move(articles))
      .Set("footer", std::move(footer));
  return data;
}

std::string WriteHtml(const Document& doc, const TemplateSet& templates) {
  TemplateData data = HtmlBodyData(doc);
  data.Set("json_ld", JsonLd(doc));
  return templates.Render("page.html", data);
}

std::string MarkupText(const std::string& markup) {
  std::string text;
  text.reserve(markup.size());
  bool in_tag = false;
  for (const char c : markup) {
    if (c == '<') in_tag = true;
    if (!in_tag) text.push_back(c);
    if (c == '>') in_tag = false;
  }
  return text;
}

}  // namespace imprint
