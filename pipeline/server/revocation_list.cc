#include "pipeline/server/revocation_list.h"

#include "pipeline/license/decision.h"

#include <algorithm>
#include <utility>

namespace imprint {

void RevocationList::Refresh(LicenseStore& store) {
  const int64_t version = store.RevocationsVersion();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (version == version_) return;
  }
  auto fresh = std::make_shared<Map>();
  for (Revocation& r : store.Revocations()) fresh->emplace(r.license_id, std::move(r));
  std::lock_guard<std::mutex> lock(mu_);
  list_ = std::move(fresh);
  version_ = version;
}

std::optional<Revocation> RevocationList::Find(const std::string& license_id, int64_t at) const {
  std::shared_ptr<const Map> list;
  {
    std::lock_guard<std::mutex> lock(mu_);
    list = list_;
  }
  const auto it = list->find(license_id);
  if (it == list->end() || it->second.at > at) return std::nullopt;
  return it->second;
}

void RevocationList::Screen(std::vector<AuditRow>* rows, int64_t now) const {
  const char* const revoked = ToString(DecisionReason::kRevoked);
  for (AuditRow& row : *rows) {
    if (row.license_id.empty() || row.reason == revoked || !Find(row.license_id, std::max(row.at, now))) continue;
    row.decision = AuditDecision::kDeny;
    row.reason = revoked;
    row.sha256.clear();
  }
}

}  // namespace imprint
