// Signature verdicts of licenses, by the license's exact text: a subscriber
// downloads many files with one license, and Ed25519 verification is the
// costliest step of a request (the same bytes always get the same verdict
// from the same keys). A verdict holds for one generation of the keys
// (LiveKeys): when they change, every verdict is dropped, and a verdict
// reached while they changed is not kept. At most `capacity` verdicts (8,192
// by default); a full cache is cleared. Thread-safe; verification runs
// outside the lock.
#ifndef IMPRINT_PIPELINE_SERVER_VERDICT_CACHE_H_
#define IMPRINT_PIPELINE_SERVER_VERDICT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "pipeline/license/decision.h"
#include "pipeline/signing/live_keys.h"

namespace imprint {

class VerdictCache {
 public:
  static constexpr size_t kDefaultCapacity = 8192;
  explicit VerdictCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // VerifyAndParse(text, keys.trusted), remembered for keys.generation.
  VerifiedLicense Verify(const std::string& text, const KeySnapshot& keys);

 private:
  const size_t capacity_;
  std::mutex mu_;
  uint64_t generation_ = 0;                                // GUARDED_BY(mu_)
  std::unordered_map<std::string, VerifiedLicense> verdicts_;  // GUARDED_BY(mu_)
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_VERDICT_CACHE_H_
