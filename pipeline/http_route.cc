#include "pipeline/http_route.h"

#include <regex>

namespace imprint {

Route ParseRoute(const std::string& uri) {
  Route r;
  // Only the characters our paths use: no escapes, no dot segments, no NUL.
  static const std::regex allowed("/[a-z0-9./_-]*");
  if (!std::regex_match(uri, allowed) || uri.find("..") != std::string::npos ||
      uri.find("//") != std::string::npos) {
    return r;
  }
  static const std::regex status("/licenses/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/status");
  static const std::regex edition(
      "/editions/([a-z0-9]+(?:-[a-z0-9]+)*)/v([0-9]{2,5})/i([0-9]{3,5})/"
      "(([a-z0-9-]+)-v([0-9]{2,5})-i([0-9]{3,5})\\.(md|html|epub))(\\.minisig)?");
  std::smatch m;
  if (uri == "/") {
    r.kind = Route::kPage;
  } else if (uri == "/healthz") {
    r.kind = Route::kHealth;
  } else if (uri == "/keys/imprint.pub") {
    r.kind = Route::kPublicKey;
  } else if (uri == "/catalog.json") {
    r.kind = Route::kCatalog;
  } else if (std::regex_match(uri, m, status)) {
    r.kind = Route::kStatus;
    r.license_id = m[1];
  } else if (std::regex_match(uri, m, edition)) {
    // The file must be this edition's own artifact.
    if (m[5] != m[1] || m[6] != m[2] || m[7] != m[3]) return r;
    r.kind = Route::kEdition;
    r.edition = {m[1], std::stoi(m[2]), std::stoi(m[3])};
    if (r.edition.volume < 1 || r.edition.issue < 1 || r.edition.Path() != std::string(m[1]) + "/v" +
        std::string(m[2]) + "/i" + std::string(m[3])) {
      return Route();
    }
    r.file = m[4];
    r.format = m[8];
    r.signature = m[9].matched;
  }
  return r;
}

}  // namespace imprint
