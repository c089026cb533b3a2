#include "pipeline/server/search_pages.h"

#include <algorithm>
#include <optional>

#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/xml_escape.h"
#include "pipeline/server/http_answer.h"
#include "pipeline/server/serve_log.h"

namespace imprint {
namespace {

std::string Xml(const std::string& text) { return XmlEscaped(text); }

// `text` percent-encoded for a query value: unreserved characters kept.
std::string QueryEscape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

std::string SnippetText(const SearchHit& hit) {
  std::string text;
  for (const SnippetPart& part : hit.snippet) text += part.text;
  return text;
}

// An Atom date: the edition's day at midnight UTC; the epoch when it has none.
std::string AtomDate(const std::string& date) {
  return (date.empty() ? "1970-01-01" : date) + "T00:00:00Z";
}

std::string FeedEntry(const SearchHit& hit) {
  return "<entry>\n<id>urn:imprint:edition:" + Xml(hit.edition) + "</id>\n<title>" + Xml(hit.title) +
         "</title>\n<updated>" + AtomDate(hit.date) + "</updated>\n<summary type=\"text\">" +
         Xml(SnippetText(hit)) + "</summary>\n<link rel=\"http://opds-spec.org/acquisition\" href=\"" +
         Xml(EditionHref(hit.edition, "epub")) + "\" type=\"application/epub+zip\"/>\n" +
         "<link rel=\"http://opds-spec.org/acquisition\" href=\"" + Xml(EditionHref(hit.edition, "html")) +
         "\" type=\"text/html\"/>\n</entry>\n";
}

}  // namespace

std::string EditionHref(const std::string& edition, const std::string& extension) {
  const std::optional<EditionRef> ref = ParseEditionRef(edition);
  if (!ref) return "/";
  return "/editions/" + ref->Path() + "/" + ref->BaseName() + "." + extension;
}

TemplateUse SearchPageTemplateUse() {
  return {"search.html",
          {"query", "has_query", "count", "hits", "href", "title", "edition", "has_date", "date", "snippet", "match",
           "text"}};
}

std::string SearchPageHtml(const std::string& query, const std::vector<SearchHit>& hits,
                           const TemplateSet& templates) {
  TemplateData list = TemplateData::List();
  for (const SearchHit& hit : hits) {
    TemplateData snippet = TemplateData::List();
    for (const SnippetPart& part : hit.snippet) {
      snippet.Append(TemplateData().Set("text", part.text).Set("match", part.match));
    }
    list.Append(TemplateData()
                    .Set("href", EditionHref(hit.edition, "html"))
                    .Set("title", hit.title)
                    .Set("edition", hit.edition)
                    .Set("has_date", !hit.date.empty())
                    .Set("date", hit.date)
                    .Set("snippet", std::move(snippet)));
  }
  const std::string count = hits.empty()        ? "No published edition has every one of these words."
                            : hits.size() == 1 ? "1 edition, best first."
                                               : std::to_string(hits.size()) + " editions, best first.";
  TemplateData data;
  data.Set("query", query).Set("has_query", !query.empty()).Set("count", count).Set("hits", std::move(list));
  return templates.Render("search.html", data);
}

std::string SearchFeedXml(const std::string& query, const std::vector<SearchHit>& hits) {
  std::string updated = "1970-01-01";
  for (const SearchHit& hit : hits) {
    if (hit.date > updated) updated = hit.date;
  }
  std::string feed =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
      "<id>urn:imprint:search:" + Sha256Hex(query) + "</id>\n<title>Search: " + Xml(query) +
      "</title>\n<updated>" + AtomDate(updated) +
      "</updated>\n<author><name>The Jamestown Foundation</name></author>\n"
      "<link rel=\"self\" href=\"/opds/search?q=" + QueryEscape(query) + "\" type=\"" + kOpdsAcquisitionType +
      "\"/>\n<link rel=\"search\" href=\"/opds/opensearch.xml\" type=\"" + kOpenSearchType + "\"/>\n" +
      "<opensearch:totalResults>" + std::to_string(hits.size()) + "</opensearch:totalResults>\n";
  for (const SearchHit& hit : hits) feed += FeedEntry(hit);
  return feed + "</feed>\n";
}

std::string OpenSearchDescription() {
  return std::string(
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
             "<ShortName>Jamestown archive</ShortName>\n"
             "<Description>The Jamestown Foundation's published editions: headlines, and the text your license "
             "reads</Description>\n"
             "<InputEncoding>UTF-8</InputEncoding>\n<OutputEncoding>UTF-8</OutputEncoding>\n"
             "<Url type=\"") +
         kOpdsAcquisitionType + "\" template=\"/opds/search?q={searchTerms}\"/>\n" +
         "<Url type=\"text/html\" template=\"/search?q={searchTerms}\"/>\n</OpenSearchDescription>\n";
}

HttpResponse AnswerSearch(const Route& route, const std::string& out_dir, const TemplateSet& templates,
                          const std::function<bool(const std::string& edition)>& withdrawn,
                          const std::function<SearchScope()>& scope) {
  if (route.kind == Route::kOpenSearch) return Answer(200, kOpenSearchType, OpenSearchDescription());
  std::vector<SearchHit> hits;
  if (!route.query.empty()) {
    const SearchScope reach = scope();  // a store that fails says so itself: not search_unavailable
    try {
      hits = SearchEditions(out_dir, route.query, kSearchPageHits, reach);
      hits.erase(std::remove_if(hits.begin(), hits.end(), [&](const SearchHit& h) { return withdrawn(h.edition); }),
                 hits.end());
    } catch (const Error& e) {
      Log("search_unavailable: " + e.diagnostic().ToString());
      return Json(503, "{\"error\":\"search_unavailable\"}\n").Set("Retry-After", "60");
    }
  }
  if (route.kind == Route::kOpdsSearch) {
    return Answer(200, kOpdsAcquisitionType, SearchFeedXml(route.query, hits)).Set("Vary", "Authorization");
  }
  return Answer(200, "text/html; charset=utf-8", SearchPageHtml(route.query, hits, templates))
      .Set("Vary", "Authorization");
}

}  // namespace imprint
