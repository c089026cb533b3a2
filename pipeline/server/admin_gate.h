// HTTP Basic for the admin routes (/admin/, docs/http.md "The dashboard"):
// user name kAdminUser, the password `imprint admin passwd` set, checked
// against its Argon2id hash in the store (pipeline/license/admin_credential.h).
// Nothing a subscriber presents is an admin credential: a License header, or
// Basic with a license id and access key, is shut out before any hashing.
//
// Argon2id is slow by design, so the gate bounds what /admin/ can make the
// server spend:
//   - a verification that succeeded is remembered for kCacheSeconds, keyed by
//     SHA-256 of the stored hash and the presented header (never the
//     password itself), so a dashboard's reloads cost a hash, not an Argon2id;
//     a new password (another stored hash) misses the cache at once;
//   - one Argon2id runs at a time (the others wait), so at most one core;
//   - failed verifications draw from a budget of kFailureBurst that refills
//     one every kRefillSeconds; while it is empty, a request that would need a
//     verification is answered 429 (Retry-After) without one. An admin whose
//     password is cached still gets in.
// Thread-safe. The clock is a parameter, for the tests.
#ifndef IMPRINT_PIPELINE_SERVER_ADMIN_GATE_H_
#define IMPRINT_PIPELINE_SERVER_ADMIN_GATE_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace imprint {

// The challenge of a 401 from an admin route.
extern const char* const kAdminChallenge;

class AdminGate {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kCacheSeconds = 60;
  static constexpr size_t kCacheCapacity = 32;
  static constexpr int kFailureBurst = 10;
  static constexpr int kRefillSeconds = 6;

  enum class Verdict {
    kLetIn,
    kShutOut,  // 401 with kAdminChallenge
    kTooMany,  // 429: the failure budget is spent; try after RetryAfter()
  };

  // `authorization` is the request's header ("" when none); `stored` the
  // store's encoded hash for kAdminUser (nullopt: none set, so nobody gets in).
  Verdict Check(const std::string& authorization, const std::optional<std::string>& stored,
                Clock::time_point now = Clock::now());
  // Whole seconds until the failure budget has one verification again.
  int RetryAfter(Clock::time_point now = Clock::now());

 private:
  void Refill(Clock::time_point now);  // REQUIRES: mu_ held
  std::mutex mu_;
  std::map<std::string, Clock::time_point> verified_;  // GUARDED_BY(mu_); fingerprint -> until
  double budget_ = kFailureBurst;                       // GUARDED_BY(mu_)
  std::optional<Clock::time_point> refilled_;           // GUARDED_BY(mu_)
  std::mutex argon_;  // one Argon2id at a time
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_ADMIN_GATE_H_
