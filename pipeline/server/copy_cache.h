// The download server's personalised copies and their signatures, per
// license, edition file, verified base and signing key (the caller's key
// string), least recently used dropped first: at most `max_entries` of them
// (4,096 by default, ServerOptions::copy_cache_entries) and `max_bytes` of
// copies and signatures (64 MB), so a busy archive's copies never take more.
// A copy larger than `max_bytes` alone is not kept; a cache of 0 entries
// keeps none. It counts its hits and misses (the metrics). An entry is shared: an answer being written keeps its copy
// alive after it is dropped. Thread-safe.
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

class CopyCache {
 public:
  static constexpr size_t kDefaultMaxBytes = size_t{64} << 20;

  struct Copy {
    std::string bytes;
    std::string signature;
    std::string sha256;            // of bytes
    std::string signature_sha256;  // of signature
    // What the entry counts against the bound (its strings and some upkeep).
    size_t Size() const { return bytes.size() + signature.size() + 128; }
  };

  explicit CopyCache(size_t max_entries, size_t max_bytes = kDefaultMaxBytes)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // The copy kept under `key`, now the most recently used; null when none.
  std::shared_ptr<const Copy> Get(const std::string& key);
  // Keeps `copy` under `key` unless one is kept there already, then drops
  // the least recently used until both bounds hold.
  void Put(const std::string& key, std::shared_ptr<const Copy> copy);
  // Get()s that found a copy, and that found none, so far.
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
  std::unordered_map<std::string, std::pair<std::shared_ptr<const Copy>, Order::iterator>> index_;  // GUARDED_BY(mu_)
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_COPY_CACHE_H_
