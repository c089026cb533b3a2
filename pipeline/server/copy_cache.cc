#include "pipeline/server/copy_cache.h"

namespace imprint {

std::shared_ptr<const CopyCache::Copy> CopyCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  order_.splice(order_.begin(), order_, it->second.second);
  return it->second.first;
}

void CopyCache::Put(const std::string& key, std::shared_ptr<const Copy> copy) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index_.count(key) || copy->Size() > max_bytes_ || max_entries_ == 0) return;
  bytes_ += copy->Size();
  order_.push_front(key);
  index_[key] = {std::move(copy), order_.begin()};
  while (index_.size() > max_entries_ || bytes_ > max_bytes_) {
    const auto last = index_.find(order_.back());
    bytes_ -= last->second.first->Size();
    index_.erase(last);
    order_.pop_back();
  }
}

}  // namespace imprint
