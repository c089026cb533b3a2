#include "pipeline/epub_writer.h"

#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/SHA1Engine.h>
#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>
#include <Poco/Zip/Compress.h>
#include <Poco/Zip/ZipCommon.h>
#include <libxml/parser.h>

#include <sstream>
#include <utility>
#include <vector>

#include "pipeline/edition_layout.h"
#include "pipeline/error.h"
#include "pipeline/html_writer.h"

namespace imprint {
namespace {

struct Entry {
  std::string name;      // path inside the book
  std::string template_name;
  bool xml;              // checked for well-formedness before zipping
};

// The book's entries after `mimetype`, in their fixed order.
const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {"META-INF/container.xml", "container.xml", true},
      {"OEBPS/package.opf", "package.opf", true},
      {"OEBPS/nav.xhtml", "nav.xhtml", true},
      {"OEBPS/cover.xhtml", "cover.xhtml", true},
      {"OEBPS/issue.xhtml", "issue.xhtml", true},
      {"OEBPS/rights.xhtml", "rights.xhtml", true},
      {"OEBPS/style.css", "style.css", false},
  };
  return entries;
}

// The issue's date, or the first of January of its year: a time derived from
// the inputs, so that the same issue always gives the same book.
Poco::DateTime IssueTime(const Document& doc) {
  if (doc.date.empty()) return Poco::DateTime(doc.rights.year, 1, 1);
  return Poco::DateTime(std::stoi(doc.date.substr(0, 4)), std::stoi(doc.date.substr(5, 2)),
                        std::stoi(doc.date.substr(8, 2)));
}

std::string Iso8601(const Poco::DateTime& t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00Z", t.year(), t.month(), t.day());
  return buf;
}

TemplateData BookData(const Document& doc) {
  TemplateData data = HtmlBodyData(doc);
  TemplateData articles = TemplateData::List();
  int number = 0;
  for (const Article& article : doc.articles) {
    TemplateData a;
    a.Set("id", "article-" + std::to_string(++number))
        .Set("toc_title", article.headline.empty() ? doc.title : article.headline);
    articles.Append(std::move(a));
  }
  data.Set("toc", std::move(articles))
      .Set("identifier", EpubIdentifier(doc))
      .Set("holder", doc.rights.holder)
      .Set("holder_url", doc.rights.holder_url)
      .Set("rights", doc.rights.copyright + ". " + doc.rights.statement)
      .Set("modified", Iso8601(IssueTime(doc)));
  return data;
}

void CheckWellFormed(const Document& doc, const std::string& name, const std::string& xml) {
  xmlDocPtr parsed = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), name.c_str(), "UTF-8",
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (parsed == nullptr) {
    const xmlError* e = xmlGetLastError();
    throw Error(doc.source, 0,
                "EPUB entry " + name + " is not well-formed XML" +
                    (e && e->message ? std::string(": ") + e->message : std::string()) +
                    " (check the templates)");
  }
  xmlFreeDoc(parsed);
}

}  // namespace

std::string EpubIdentifier(const Document& doc) {
  Poco::SHA1Engine sha1;
  const Poco::UUID uuid = Poco::UUIDGenerator::defaultGenerator().createFromName(
      Poco::UUID::uri(),
      "https://jamestown.org/imprint/" + EditionPath(doc.publication.slug, doc.volume, doc.issue),
      sha1, Poco::UUID::UUID_NAME_BASED_SHA1);
  return "urn:uuid:" + uuid.toString();
}

std::string WriteEpub(const Document& doc, const TemplateSet& templates) {
  const TemplateData data = BookData(doc);
  std::vector<std::pair<std::string, std::string>> files;
  for (const Entry& entry : Entries()) {
    TemplateData page = data;
    page.Set("page_title", doc.title);
    std::string text = templates.Render(entry.template_name, page);
    if (entry.xml) CheckWellFormed(doc, entry.name, text);
    files.emplace_back(entry.name, std::move(text));
  }

  const Poco::DateTime time = IssueTime(doc);
  std::ostringstream out(std::ios::binary);
  Poco::Zip::Compress zip(out, true);
  std::istringstream mimetype("application/epub+zip");
  zip.addFile(mimetype, time, Poco::Path("mimetype", Poco::Path::PATH_UNIX),
              Poco::Zip::ZipCommon::CM_STORE);
  for (const auto& [name, text] : files) {
    std::istringstream in(text);
    zip.addFile(in, time, Poco::Path(name, Poco::Path::PATH_UNIX), Poco::Zip::ZipCommon::CM_DEFLATE,
                Poco::Zip::ZipCommon::CL_MAXIMUM);
  }
  zip.close();
  return out.str();
}

}  // namespace imprint
