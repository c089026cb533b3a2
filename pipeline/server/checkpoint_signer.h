// Signs checkpoints of the audit log (pipeline/signing/checkpoint.h) from a
// thread of its own: when nudged (at start, and after each commit), at once
// if idle, else at the end of the `interval` that follows the last signature,
// so no committed row waits longer than that for its anchor; and once more
// when it is destroyed (the server's shutdown), after the last commit. A
// round signs only when the log moved since the last one this signer made,
// and keeps the signed note in the store (LicenseStore::AddCheckpoint).
//
// Never over a changed log: a log changed below the latest checkpoint kept
// (at start) or below this signer's last checkpoint is never signed again;
// the signer says so on the operator log (serve_log.h) and stops signing.
// Rows after the latest checkpoint that no signer saw arrive (a crash, or
// forged) are reported, then signed. The key comes through `key` each round,
// so a reloaded key signs from then on; a round without a key (nullptr)
// leaves the next to try again. A round whose store fails on a connection
// opened before (dead since a database restart, say) is tried at once on a
// new one, so that the last round at shutdown anchors the last rows; a
// second failure leaves the next round to try again, and is logged once per
// run of failures. Never throws from its thread. Nudge() is thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_CHECKPOINT_SIGNER_H_
#define IMPRINT_PIPELINE_SERVER_CHECKPOINT_SIGNER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <functional>
#include <memory>
#include <string>

#include "pipeline/license/license_store.h"
#include "pipeline/server/paced_thread.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

class CheckpointSigner {
 public:
  using KeySource = std::function<std::shared_ptr<const SigningKey>()>;
  // `origin` names the log in each note.
  CheckpointSigner(const std::string& url, std::string origin, KeySource key, std::chrono::milliseconds interval);

  // Says rows were committed.
  void Nudge() { thread_.Nudge(); }
  // When the latest checkpoint in the store was signed (seconds since the
  // epoch), as this signer last learnt it: read at its first round, then
  // each one it signs; nullopt while it knows of none. Thread-safe.
  std::optional<int64_t> LatestAt() const {
    const int64_t at = latest_at_.load(std::memory_order_relaxed);
    return at == kNone ? std::nullopt : std::optional<int64_t>(at);
  }

 private:
  void SignIfMoved();
  // One round on store_, open: signs when the log moved and still extends
  // what was signed. Throws what the store throws.
  void SignRound();
  // False when the log changed below the checkpoint it should extend (and
  // says so); runs with store_ open.
  bool LogStillExtends(const AuditHead& head);

  const std::string url_;
  std::unique_ptr<LicenseStore> store_;  // the signer's own connection, opened when needed
  const std::string origin_;
  const KeySource key_;
  AuditHead last_;  // what this signer signed last
  bool signed_ = false;
  bool refused_ = false;  // the log changed under a checkpoint: sign no more
  bool failing_ = false;  // the last round failed (and said so)
  static constexpr int64_t kNone = INT64_MIN;
  std::atomic<int64_t> latest_at_{kNone};
  PacedThread thread_;    // last: it starts once the rest is ready
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_CHECKPOINT_SIGNER_H_
