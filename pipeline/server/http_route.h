// The download server's request paths: the few shapes docs/http.md names,
// matched exactly. A malformed target is kBad (400): not origin-form,
// percent-escapes (no path of ours needs one), dot segments or any "..", empty
// segments, NUL and other bytes outside RFC 3986's path characters. A
// well-formed path that is none of ours (a file that is not an edition's own
// artifact, /index.html) is kUnknown (404). A query is ignored, once checked
// to be well formed, but for the search routes' (/search, /opds/search),
// whose `q` is decoded by query_string.h (percent-escapes allowed there only). The server builds file paths from a Route's parsed parts,
// never from the request. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_HTTP_ROUTE_H_
#define IMPRINT_PIPELINE_SERVER_HTTP_ROUTE_H_

#include <string>

#include "pipeline/license/decision.h"

namespace imprint {

struct Route {
  enum Kind {
    kPage, kHealth, kPublicKey, kCatalog, kAuditCheckpoint, kStatus, kEdition,
    kOpds, kOpdsAuth, kAtom,  // opds_feeds.h
    kSearch, kOpdsSearch, kOpenSearch,  // search_pages.h
    kUnknown, kBad,
    kLicense, kRights,  // /licenses/<id>/license and /licenses/<id>/rights (license_routes.h)
    kAdmin,  // /admin/, the dashboard (admin_gate.h; its query is read by the handler)
  } kind = kBad;
  std::string license_id;  // kStatus, kLicense, kRights
  EditionRef edition;      // kEdition
  std::string file;        // kEdition: the artifact's name
  std::string format;      // kEdition: md, html, epub
  bool signature = false;  // kEdition: its .minisig
  // kOpds: /opds (page 0, the navigation feed), /opds/recent, or
  // /opds/publications/<pub>[/v<VV>], each with an optional /page/<N>
  // (page from 1). kAtom: /feed.atom (publication "") or /feed/<pub>.atom.
  std::string publication{};
  int volume = 0;  // 0: the whole publication
  int page = 0;
  std::string query;       // kSearch, kOpdsSearch: `q`, decoded (UTF-8); "" when none
};

Route ParseRoute(const std::string& uri);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_HTTP_ROUTE_H_
