#include "pipeline/server/withdrawn_list.h"

#include <utility>

#include "pipeline/edition/snapshot_check.h"

namespace imprint {

WithdrawnList::WithdrawnList(std::string out_dir) : catalog_(std::move(out_dir), "withdrawals") {}

std::optional<WithdrawnList::Entry> WithdrawnList::Find(const std::string& edition, const TrustedKeys& trusted,
                                                        uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  Refresh(trusted, generation);
  auto it = editions_.find(edition);
  if (it == editions_.end()) return std::nullopt;
  return it->second;
}

void WithdrawnList::Refresh(const TrustedKeys& trusted, uint64_t generation) {
  // Added to, never taken from: an older signed catalog put back (or one a
  // build that started before the withdrawal wrote) does not bring an
  // edition back while the server runs.
  if (auto entries = catalog_.Changed(trusted, generation)) {
    for (SnapshotEntry& e : *entries) {
      if (e.withdrawn) editions_[e.edition] = Entry{std::move(e.withdrawn_date), std::move(e.notice)};
    }
  }
}

}  // namespace imprint
