// The download server's request paths: the few shapes the HTTP part of
// ../shared/spec/licenses.md names, matched exactly. Anything else, including
// percent-escapes, dot segments, empty segments, NUL bytes and files that are
// not an edition's own artifacts, is kBad (400). The server builds file paths
// from a Route's parsed parts, never from the request. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_HTTP_ROUTE_H_
#define IMPRINT_PIPELINE_HTTP_ROUTE_H_

#include <string>

#include "pipeline/decision.h"

namespace imprint {

struct Route {
  enum Kind { kPage, kHealth, kPublicKey, kCatalog, kAuditCheckpoint, kStatus, kEdition, kBad } kind = kBad;
  std::string license_id;  // kStatus
  EditionRef edition;      // kEdition
  std::string file;        // kEdition: the artifact's name
  std::string format;      // kEdition: md, html, epub
  bool signature = false;  // kEdition: its .minisig
};

Route ParseRoute(const std::string& uri);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_HTTP_ROUTE_H_
