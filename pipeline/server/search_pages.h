// What the server answers for a search (docs/http.md "Search"): the HTML
// page (templates/search.html), an OPDS 1.2 acquisition feed of the results,
// and the OpenSearch 1.1 description document that tells reading apps where
// /opds/search is. The results come from search_index.h as a plain list; the
// feed here is a minimal Atom rendering of its own, which the OPDS feeds'
// renderer may take over. Text is escaped for the markup it goes in.
// AnswerSearch() runs the search and answers a route; the rest are pure.
// Thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_SEARCH_PAGES_H_
#define IMPRINT_PIPELINE_SERVER_SEARCH_PAGES_H_

#include <functional>
#include <string>
#include <vector>

#include "pipeline/edition/template_set.h"
#include "pipeline/search/search_index.h"
#include "pipeline/server/http_route.h"
#include "pipeline/server/http_server.h"

namespace imprint {

constexpr char kOpenSearchType[] = "application/opensearchdescription+xml";
constexpr char kOpdsAcquisitionType[] = "application/atom+xml;profile=opds-catalog;kind=acquisition";

// "/editions/monitor/v05/i077/monitor-v05-i077.<extension>"
std::string EditionHref(const std::string& edition, const std::string& extension);

std::string SearchPageHtml(const std::string& query, const std::vector<SearchHit>& hits,
                           const TemplateSet& templates);
// search.html with the names SearchPageHtml() gives it.
TemplateUse SearchPageTemplateUse();

std::string SearchFeedXml(const std::string& query, const std::vector<SearchHit>& hits);

std::string OpenSearchDescription();

// The answer to a kSearch, kOpdsSearch or kOpenSearch route over the index of
// `out_dir`: at most kSearchPageHits editions, none that `withdrawn` says the
// server knows withdrawn (an index older than the withdrawal, put back or
// left by a failed update, lists it still); an empty query is the form
// alone (or an empty feed); 503 search_unavailable when there is no index.
// `scope` (asked once, only when there is a query to search) says whose text
// the request's license reads: without one, titles and headlines only. The
// answer varies with Authorization, and says so.
constexpr size_t kSearchPageHits = 20;
HttpResponse AnswerSearch(const Route& route, const std::string& out_dir, const TemplateSet& templates,
                          const std::function<bool(const std::string& edition)>& withdrawn,
                          const std::function<SearchScope()>& scope);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_SEARCH_PAGES_H_
