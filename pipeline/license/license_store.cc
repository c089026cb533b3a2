#include "pipeline/license/license_store.h"

#include <filesystem>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/license/postgres_store.h"
#include "pipeline/license/sqlite_store.h"

namespace imprint {

const char* AuditDecisionName(AuditDecision decision) {
  switch (decision) {
    case AuditDecision::kPermit:
      return "permit";
    case AuditDecision::kDeny:
      return "deny";
  }
  return "deny";  // not reached: every decision is named above
}

std::optional<AuditDecision> ParseAuditDecision(const std::string& name) {
  if (name == "permit") return AuditDecision::kPermit;
  if (name == "deny") return AuditDecision::kDeny;
  return std::nullopt;
}

bool IsEditionRow(const AuditRow& row) { return row.item == "copy" || row.item == "signature"; }

std::string AuditRowHash(const AuditRow& r) {
  // Each field with its length, so no two different rows hash alike.
  std::string all;
  for (const std::string& f : {r.prev_hash, std::to_string(r.at), r.license_id, r.subscriber_id, r.edition,
                               r.format, std::string(AuditDecisionName(r.decision)), r.reason, r.sha256}) {
    all += std::to_string(f.size()) + ":" + f + ";";
  }
  if (r.method != "GET" || r.item != "copy") {
    for (const std::string& f : {r.method, r.item}) all += std::to_string(f.size()) + ":" + f + ";";
  }
  // Fields are length-prefixed, so the three shapes (9, 10 and 11 or 12
  // fields) never hash the same text.
  if (!r.client_net.empty()) all += std::to_string(r.client_net.size()) + ":" + r.client_net + ";";
  return Sha256Hex(all);
}

int64_t FirstBrokenAuditRow(const std::vector<AuditRow>& rows) {
  // Order is the chain's: each row names the one before. Ids only sort the
  // rows; a gap in them is no break (sequences skip after a crash).
  std::string prev(64, '0');
  for (const AuditRow& r : rows) {
    if (r.prev_hash != prev || AuditRowHash(r) != r.row_hash) return r.id;
    prev = r.row_hash;
  }
  return 0;
}

std::string RedactedStoreUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  // A password is what follows the first ':' of the user info, which then
  // comes before any '@'; it runs to the last '@' of all, since it may hold
  // '@' and '/' unencoded (a later '@' in the path only hides more than it
  // must). Without such a ':', there is no password.
  const size_t colon = url.find(':', scheme + 3);
  const size_t first_at = url.find('@', scheme + 3);
  if (colon == std::string::npos || first_at == std::string::npos || first_at < colon) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(url.rfind('@'));
}

std::string LicenseStore::DefaultUrl(const std::string& out_dir) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::absolute(out_dir).lexically_normal().parent_path();
  return "sqlite:" + (parent / "imprint.db").string();
}

std::unique_ptr<LicenseStore> LicenseStore::Open(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    const std::string path = url.substr(7);
    if (path.empty()) throw Error(url, 0, "sqlite: needs a file path");
    return OpenSqliteStore(path);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return OpenPostgresStore(url);
  throw Error(RedactedStoreUrl(url), 0, "not a store URL: use sqlite:PATH or postgresql://USER@HOST:PORT/DB");
}

}  // namespace imprint
