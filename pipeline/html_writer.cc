#include "pipeline/html_writer.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace imprint {
namespace {

// The CSS selector of the subscribers-only part of the page, for Google's
// paywalled-content markup; body.html.mustache puts the class on <main>.
constexpr char kPaidSelector[] = ".paywalled";

Poco::JSON::Object::Ptr NewObject(const char* type) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("@type", std::string(type));
  return o;
}

Poco::JSON::Object::Ptr Organization(const Rights& rights) {
  Poco::JSON::Object::Ptr o = NewObject("Organization");
  o->set("name", rights.holder);
  o->set("url", rights.holder_url);
  return o;
}

Poco::JSON::Object::Ptr PaidPart() {
  Poco::JSON::Object::Ptr part = NewObject("WebPageElement");
  part->set("isAccessibleForFree", false);
  part->set("cssSelector", std::string(kPaidSelector));
  return part;
}

// Rights fields shared by the issue and each of its articles.
void SetRights(const Document& doc, Poco::JSON::Object::Ptr o) {
  o->set("inLanguage", doc.publication.language);
  if (!doc.date.empty()) o->set("datePublished", doc.date);
  o->set("publisher", Organization(doc.rights));
  o->set("copyrightHolder", Organization(doc.rights));
  o->set("copyrightYear", doc.rights.year);
  o->set("copyrightNotice", doc.rights.copyright + ". " + doc.rights.statement);
  o->set("license", doc.rights.license_url);
  o->set("isAccessibleForFree", false);
}

}  // namespace

std::string JsonLd(const Document& doc) {
  Poco::JSON::Object::Ptr periodical = NewObject("Periodical");
  periodical->set("name", doc.publication.display_name);
  Poco::JSON::Object::Ptr volume = NewObject("PublicationVolume");
  volume->set("volumeNumber", std::to_string(doc.volume));
  volume->set("isPartOf", periodical);

  Poco::JSON::Object::Ptr issue = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  issue->set("@context", std::string("https://schema.org"));
  issue->set("@type", std::string("PublicationIssue"));
  issue->set("issueNumber", std::to_string(doc.issue));
  issue->set("name", doc.title);
  issue->set("isPartOf", volume);
  SetRights(doc, issue);

  // The paid body first, then a NewsArticle per article, each marking its own
  // paid part as Google's paywalled-content convention asks.
  Poco::JSON::Array::Ptr parts = new Poco::JSON::Array(Poco::JSON_PRESERVE_KEY_ORDER);
  parts->add(PaidPart());
  for (const Article& article : doc.articles) {
    Poco::JSON::Object::Ptr a = NewObject("NewsArticle");
    a->set("headline", article.headline.empty() ? doc.title : article.headline);
    SetRights(doc, a);
    a->set("hasPart", PaidPart());
    parts->add(a);
  }
  issue->set("hasPart", parts);

  std::ostringstream out;
  issue->stringify(out, 1);
  std::string json;
  for (char c : out.str()) {
    switch (c) {  // only inside strings, where \u escapes mean the same
      case '<': json += "\\u003c"; break;
      case '>': json += "\\u003e"; break;
      case '&': json += "\\u0026"; break;
      default: json.push_back(c);
    }
  }
  return json;
}

TemplateData HtmlBodyData(const Document& doc) {
  TemplateData articles = TemplateData::List();
  int number = 0;
  for (const Article& article : doc.articles) {
    TemplateData paragraphs = TemplateData::List();
    for (const Paragraph& p : article.paragraphs) paragraphs.Append(p.text);
    TemplateData a;
    // An article without a headline is a plain division: <article> wants one.
    a.Set("element", article.headline.empty() ? "div" : "article")
        .Set("id", "article-" + std::to_string(++number))
        .Set("has_headline", !article.headline.empty())
        .Set("headline", article.headline)
        .Set("paragraphs", std::move(paragraphs));
    articles.Append(std::move(a));
  }
  TemplateData footer = TemplateData::List();
  for (const std::string& p : doc.rights.footer) footer.Append(p);

  TemplateData data;
  data.Set("title", doc.title)
      .Set("publication", doc.publication.display_name)
      .Set("language", doc.publication.language)
      .Set("volume", std::to_string(doc.volume))
      .Set("issue", std::to_string(doc.issue))
      .Set("has_date", !doc.date.empty())
      .Set("date", doc.date)
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

}  // namespace imprint
