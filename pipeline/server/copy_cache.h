// The download server's caches, least recently used dropped first: its
// personalised copies and their signatures, per license, edition file,
// verified base and signing key (the caller's key string), at most
// `max_entries` of them (4,096 by default, ServerOptions::copy_cache_entries)
// and `max_bytes` of copies and signatures (64 MB), so a busy archive's
// copies never take more; and the prepared artifacts the copies are made
// from (personalize.h), per verified base and format. An entry larger than
// `max_bytes` alone is not kept; a cache of 0 entries keeps none. Each counts
// its hits and misses (the metrics). An entry is shared: an answer being
// written keeps its copy alive after it is dropped. Thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_COPY_CACHE_H_
#define IMPRINT_PIPELINE_SERVER_COPY_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace imprint {

// Shared entries under string keys, bounded in number and bytes (Entry::Size()),
// the least recently used dropped first; Get() and Put() count as use.
template <typename Entry>
class BoundedCache {
 public:
  static constexpr size_t kDefaultMaxBytes = size_t{64} << 20;

  explicit BoundedCache(size_t max_entries, size_t max_bytes = kDefaultMaxBytes)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // The entry kept under `key`, now the most recently used; null when none.
  std::shared_ptr<const Entry> Get(const std::string& key) {
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

  // Keeps `entry` under `key` unless one is kept there already, then drops
  // the least recently used until both bounds hold.
  void Put(const std::string& key, std::shared_ptr<const Entry> entry) {
    std::lock_guard<std::mutex> lock(mu_);
    if (index_.count(key) || entry->Size() > max_bytes_ || max_entries_ == 0) return;
    bytes_ += entry->Size();
    order_.push_front(key);
    index_[key] = {std::move(entry), order_.begin()};
    while (index_.size() > max_entries_ || bytes_ > max_bytes_) {
      const auto last = index_.find(order_.back());
      bytes_ -= last->second.first->Size();
      index_.erase(last);
      order_.pop_back();
    }
  }

  // Get()s that found an entry, and that found none, so far.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  using Order = std::list<std::string>;
  const size_t max_entries_;
  const size_t max_bytes_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
  std::mutex mu_;
  size_t bytes_ = 0;  // GUARDED_BY(mu_)
  Order order_;       // GUARDED_BY(mu_); most recently used first
  std::unordered_map<std::string, std::pair<std::shared_ptr<const Entry>, Order::iterator>> index_;  // GUARDED_BY(mu_)
};

// A personalised copy and its signature.
struct SignedCopy {
  std::string bytes;
  std::string signature;
  std::string sha256;            // of bytes
  std::string signature_sha256;  // of signature
  // What the entry counts against the bound (its strings and some upkeep).
  size_t Size() const { return bytes.size() + signature.size() + 128; }
};

using CopyCache = BoundedCache<SignedCopy>;

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_COPY_CACHE_H_
