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
//   - failed verifications draw from the client network's budget
//     (kFailureBurst, refilled one every kRefillSeconds) and from a budget
//     all networks share (kSharedFailureBurst, one a kSharedRefillSeconds);
//     while either is empty, a request that would need a verification is
//     answered 429 (Retry-After) without one. So a guesser on one network
//     cannot keep an admin on another out, and guessers on many networks
//     still cost at most one Argon2id a second on average. An admin whose
//     password is cached still gets in. At most kNetworks networks are
//     remembered (past that, the per-network budgets start afresh; the
//     shared one does not).
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
  static constexpr int kSharedFailureBurst = 60;
  static constexpr int kSharedRefillSeconds = 1;
  static constexpr size_t kNetworks = 4096;

  enum class Verdict {
    kLetIn,
    kShutOut,  // 401 with kAdminChallenge
    kTooMany,  // 429: the failure budget is spent; try after RetryAfter()
  };

  // `authorization` is the request's header ("" when none); `stored` the
  // store's encoded hash for kAdminUser (nullopt: none set, so nobody gets
  // in); `network` the client's (client_network.h), whose budget it draws on.
  Verdict Check(const std::string& authorization, const std::optional<std::string>& stored,
                const std::string& network, Clock::time_point now = Clock::now());
  // Whole seconds until `network` may have one verification again.
  int RetryAfter(const std::string& network, Clock::time_point now = Clock::now());

 private:
  // Failures allowed, refilled with time.
  struct Budget {
    double left;
    std::optional<Clock::time_point> refilled;
    void Refill(Clock::time_point now, int burst, int refill_seconds);
    int SecondsToOne(int refill_seconds) const;
  };
  Budget& NetworkBudget(const std::string& network, Clock::time_point now);  // REQUIRES: mu_ held
  std::mutex mu_;
  std::map<std::string, Clock::time_point> verified_;  // GUARDED_BY(mu_); fingerprint -> until
  std::map<std::string, Budget> networks_;             // GUARDED_BY(mu_)
  Budget shared_{kSharedFailureBurst, std::nullopt};   // GUARDED_BY(mu_)
  std::mutex argon_;  // one Argon2id at a time
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_ADMIN_GATE_H_
