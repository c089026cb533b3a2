// The revocations of licenses, held in memory so that a request asks no
// database. The server brings them up to date inside every audit commit
// (LicenseStore::AuditScreen: Refresh, then Screen), where a row whose license
// has been revoked meanwhile, by this process or another, is turned into a
// denial before it is written: a download is refused from the moment its
// license's revocation is committed.
//
// Refresh reloads the whole list only when the store's revocations version
// moved (LicenseStore::RevocationsVersion); Find reads a snapshot, so readers
// never wait for a reload. Thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_REVOCATION_LIST_H_
#define IMPRINT_PIPELINE_SERVER_REVOCATION_LIST_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/license/license_store.h"

namespace imprint {

class RevocationList {
 public:
  // Reloads the list when the store's revocations moved since the last call.
  // Throws what the store throws (imprint::Error); the list is then unchanged.
  void Refresh(LicenseStore& store);

  // The revocation of `license_id` when it was in force at `at` (seconds
  // since the epoch).
  std::optional<Revocation> Find(const std::string& license_id, int64_t at) const;

  // Turns the rows of licenses revoked by `now` (the commit's time; a request
  // begun before the revocation may commit after it) into denials: decision
  // "deny", reason "revoked", no sha256. Rows without a license, or already
  // denied as revoked, are left as they are.
  void Screen(std::vector<AuditRow>* rows, int64_t now) const;

 private:
  using Map = std::unordered_map<std::string, Revocation>;
  mutable std::mutex mu_;
  std::shared_ptr<const Map> list_ = std::make_shared<Map>();  // GUARDED_BY(mu_)
  int64_t version_ = -1;  // GUARDED_BY(mu_); none loaded yet
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_REVOCATION_LIST_H_
