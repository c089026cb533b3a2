#include "pipeline/server/verdict_cache.h"

namespace imprint {

VerifiedLicense VerdictCache::Verify(const std::string& text, const KeySnapshot& keys) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation_ != keys.generation) {
      verdicts_.clear();
      generation_ = keys.generation;
    }
    auto it = verdicts_.find(text);
    if (it != verdicts_.end()) return it->second;
  }
  VerifiedLicense v = VerifyAndParse(text, keys.trusted);
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_ != keys.generation) return v;  // the keys moved meanwhile: keep nothing
  if (verdicts_.size() >= capacity_) verdicts_.clear();
  verdicts_.emplace(text, v);
  return v;
}

}  // namespace imprint
