// The download server's view of the keystore, kept current while it runs: a
// snapshot of the signing key, the trusted keys and a generation number,
// reloaded when `imprint keys rotate` or `imprint keys revoke` change the
// keystore's files, so that licenses signed by a new key are accepted, those
// of a revoked key refused, and copies never signed with a revoked key.
//
// Current() checks the files at most once per interval (200 ms): the stat
// identity (device, inode, size, mtime and ctime to the nanosecond) of
// keyring.json and of the current key's secret. Rotation and revocation
// replace the keyring by rename (a new inode), and a file changed within the
// last two seconds is read again at the next check, since timestamps are
// coarser than writes. The check runs on the calling thread that finds it
// due (one at a time; the others take the snapshot they have): no thread of
// its own. A reload that reads the same keys keeps the same snapshot object
// and generation.
//
// When a reload fails, the choice is to fail towards refusal:
//   - the keyring cannot be read or parsed (half-written, hand-edited): the
//     last good snapshot stays, since the revocations in an unreadable file
//     cannot be known; error() says why until a reload succeeds. The tools
//     write the keyring atomically, so this takes a hand edit or damage.
//   - the keyring parses but its current key cannot be loaded (revoked, its
//     secret missing or readable by others): the new keyring's trusted keys
//     are taken, and the last good signing key is kept only while the new
//     keyring still names it current; otherwise there is no signing key (the
//     server answers 503 rather than sign with a retired or revoked key).
// A signing key the snapshot's own trusted keys revoke is never kept.
//
// Thread-safe: Current() from any thread; a snapshot is immutable and may be
// held (and verified against) without any lock.
#ifndef IMPRINT_PIPELINE_SIGNING_LIVE_KEYS_H_
#define IMPRINT_PIPELINE_SIGNING_LIVE_KEYS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "pipeline/signing/keystore.h"

namespace imprint {

struct KeySnapshot {
  std::shared_ptr<const SigningKey> signing;  // null: do not sign (see signing_problem)
  std::string signing_problem;                // why there is no signing key
  TrustedKeys trusted;
  uint64_t generation = 0;  // moves (up) whenever the keys change
};

class LiveKeys {
 public:
  // Loads the keystore. Throws imprint::Error when its keyring cannot be read
  // or it has no usable signing key, as Keystore::LoadSigningKey() does.
  explicit LiveKeys(Keystore keystore,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  LiveKeys(const LiveKeys&) = delete;
  LiveKeys& operator=(const LiveKeys&) = delete;

  // The keys now: the last snapshot, after reloading it when the interval
  // has passed and the files have changed. Never null.
  std::shared_ptr<const KeySnapshot> Current();

  // Why the last reload failed or left no signing key; "" when it went well.
  // For the server's log (names files, never a secret).
  std::string error() const;
  // How many times the files were read after a change was seen, for tests.
  uint64_t reloads() const { return reloads_.load(); }

 private:
  std::string Watched() const;
  void Reload(bool strict);
  void Publish(std::shared_ptr<KeySnapshot> next, const std::string& error);

  const Keystore keystore_;
  const std::chrono::nanoseconds interval_;
  std::atomic<int64_t> next_check_ns_{0};  // steady clock
  std::atomic<uint64_t> reloads_{0};

  std::mutex check_mu_;                      // one check at a time
  std::string watched_;                      // GUARDED_BY(check_mu_): identities last read
  std::string secret_path_;                  // GUARDED_BY(check_mu_): the current key's secret
  std::string keyring_text_;                 // GUARDED_BY(check_mu_): the last good keyring
  std::shared_ptr<const SigningKey> loaded_;  // GUARDED_BY(check_mu_)

  // The snapshot and the error; held briefly. Written only with check_mu_
  // held too.
  mutable std::mutex mu_;
  std::shared_ptr<const KeySnapshot> snapshot_;  // GUARDED_BY(mu_)
  std::string error_;                         // GUARDED_BY(mu_)
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SIGNING_LIVE_KEYS_H_
