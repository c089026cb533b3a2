#include "pipeline/edition/epub_writer.h"

#include <Poco/DateTime.h>
#include <Poco/SHA1Engine.h>
#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>
#include <libxml/parser.h>

#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/edition/rights_stage.h"
#include "pipeline/base/zip_writer.h"

namespace imprint {
namespace {

struct Entry {
  std::string name;      // path inside the book
  std::string template_name;
  bool xml;              // checked for well-formedness before zipping
  bool same_in_every_book;  // compressed once and reused
};

// The book's entries after `mimetype`, in their fixed order.
const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {"META-INF/container.xml", "container.xml", true, true},
      {"OEBPS/package.opf", "package.opf", true, false},
      {"OEBPS/nav.xhtml", "nav.xhtml", true, false},
      {"OEBPS/cover.xhtml", "cover.xhtml", true, false},
      {"OEBPS/issue.xhtml", "issue.xhtml", true, false},
      {"OEBPS/rights.xhtml", "rights.xhtml", true, false},
      {"OEBPS/style.css", "style.css", false, true},
  };
  return entries;
}

// Midnight UTC of a calendar date "YYYY-MM-DD" (the reader checked it).
Poco::DateTime DayOf(const std::string& date) {
  return Poco::DateTime(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)), std::stoi(date.substr(8, 2)));
}

// The issue's date, or the first of January of its year: a time derived from
// the inputs, so that the same issue always gives the same book.
Poco::DateTime IssueTime(const Document& doc) {
  if (doc.date.empty()) return Poco::DateTime(doc.rights.year, 1, 1);
  return DayOf(doc.date);
}

// dcterms:modified: the last correction's date, or the issue's time for an
// uncorrected issue; never the clock, so a rebuild gives the same book. With
// the identifier (the same for every revision) it is EPUB's release identifier.
Poco::DateTime ModifiedTime(const Document& doc) {
  if (doc.corrections.empty()) return IssueTime(doc);
  return DayOf(doc.corrections.back().date);
}

std::string Iso8601(const Poco::DateTime& t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00Z", t.year(), t.month(), t.day());
  return buf;
}

// The names BookData() adds to HtmlBodyData()'s: kept beside it.
std::vector<std::string> BookNames() {
  std::vector<std::string> names = HtmlBodyNames();
  for (const char* name : {"toc", "id", "toc_title", "identifier", "holder", "holder_url", "rights",
                           "modified", "page_title", "book_date", "conforms_to", "certified_by",
                           "access_modes", "sufficient_modes", "features", "hazards",
                           "accessibility_summary"}) {
    names.push_back(name);
  }
  return names;
}

TemplateData Strings(const std::vector<std::string>& values) {
  TemplateData list = TemplateData::List();
  for (const std::string& v : values) list.Append(v);
  return list;
}

// The accessibility declaration, as package.opf renders it.
void SetAccessibility(const Accessibility& a, TemplateData* data) {
  data->Set("conforms_to", a.conforms_to)
      .Set("certified_by", a.certified_by)
      .Set("access_modes", Strings(a.access_modes))
      .Set("sufficient_modes", Strings(a.sufficient_modes))
      .Set("features", Strings(a.features))
      .Set("hazards", Strings(a.hazards))
      .Set("accessibility_summary", a.summary);
}

TemplateData BookData(const Document& doc) {
  TemplateData data = HtmlBodyData(doc);
  TemplateData articles = TemplateData::List();
  size_t number = 0;
  for (const Article& article : doc.articles) {
    TemplateData a;
    a.Set("id", ArticleId(++number))
        .Set("toc_title", article.headline.empty() ? doc.title : article.headline);
    articles.Append(std::move(a));
  }
  data.Set("toc", std::move(articles))
      .Set("identifier", EpubIdentifier(doc))
      .Set("holder", doc.rights.holder)
      .Set("holder_url", doc.rights.holder_url)
      .Set("rights", doc.rights.copyright + ". " + doc.rights.statement)
      .Set("modified", Iso8601(ModifiedTime(doc)))
      .Set("page_title", doc.title)
      .Set("book_date", BookDate(doc));
  SetAccessibility(doc.accessibility, &data);
  return data;
}

void IgnoreXmlMessage(void*, const char*, ...) {}

void CheckWellFormed(const Document& doc, const std::string& name, const std::string& xml) {
  if (!IsWellFormedXml(xml)) {
    throw Error(doc.source, 0,
                "EPUB entry " + name + " is not well-formed XML (check the templates)");
  }
}

}  // namespace

// Parses `xml` with no handlers (SAX, no tree): well-formedness is all the
// check needs, and building a tree would cost more than the parse.
bool IsWellFormedXml(const std::string& xml) {
  if (xml.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return false;
  xmlSAXHandler handler{};
  handler.warning = &IgnoreXmlMessage;
  handler.error = &IgnoreXmlMessage;
  handler.fatalError = &IgnoreXmlMessage;
  return xmlSAXUserParseMemory(&handler, nullptr, xml.data(), static_cast<int>(xml.size())) == 0;
}

std::string EpubIdentifier(const Document& doc) {
  Poco::SHA1Engine sha1;
  const Poco::UUID uuid = Poco::UUIDGenerator::defaultGenerator().createFromName(
      Poco::UUID::uri(),
      "https://jamestown.org/imprint/" + EditionPath(doc.publication.slug, doc.volume, doc.issue),
      sha1, Poco::UUID::UUID_NAME_BASED_SHA1);
  return "urn:uuid:" + uuid.toString();
}

void CheckBookRights(const Document& doc, const TemplateSet& templates) {
  const TemplateSet::Context context = TemplateSet::Prepare(BookData(doc));
  const std::string page = templates.Render("rights.xhtml", context);
  const std::string missing = MissingRights(doc.rights, page, &TemplateSet::EscapeMarkup);
  if (!missing.empty()) {
    throw Error(templates.Path("rights.xhtml"), 0,
                "the EPUB rights page of '" + doc.publication.slug + "' does not render " + missing);
  }
  const std::string issue = MarkupText(templates.Render("issue.xhtml", context));
  for (const std::string& p : doc.rights.footer) {
    if (issue.find(TemplateSet::EscapeMarkup(p)) == std::string::npos) {
      throw Error(templates.Path("issue.xhtml"), 0,
                  "the EPUB edition of '" + doc.publication.slug + "' (issue.xhtml and its partials) "
                  "does not render the footer paragraph '" + p + "'");
    }
  }
}

std::vector<TemplateUse> EpubTemplateUses() {
  std::vector<TemplateUse> uses;
  for (const Entry& entry : Entries()) uses.push_back({entry.template_name, BookNames()});
  return uses;
}

std::string BookDate(const Document& doc) {
  return doc.date.empty() ? std::to_string(doc.rights.year) : doc.date;
}

std::vector<BookEntry> RenderBook(const Document& doc, const TemplateSet& templates) {
  const TemplateSet::Context context = TemplateSet::Prepare(BookData(doc));
  std::vector<BookEntry> files;
  for (const Entry& entry : Entries()) {
    std::string text = templates.Render(entry.template_name, context);
    if (entry.xml) CheckWellFormed(doc, entry.name, text);
    files.push_back({entry.name, entry.template_name, std::move(text)});
  }
  return files;
}

std::string WriteEpub(const Document& doc, const TemplateSet& templates) {
  const std::vector<BookEntry> files = RenderBook(doc, templates);
  const Poco::DateTime time = IssueTime(doc);
  ZipWriter zip(time.year(), time.month(), time.day());
  zip.AddStored("mimetype", "application/epub+zip");  // first and stored: OCF
  for (size_t i = 0; i < files.size(); ++i) {
    zip.AddDeflated(files[i].name, files[i].text, Entries()[i].same_in_every_book);
  }
  return zip.Finish();
}

}  // namespace imprint
