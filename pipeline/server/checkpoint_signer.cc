#include "pipeline/server/checkpoint_signer.h"

#include <optional>
#include <utility>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/server/serve_log.h"
#include "pipeline/signing/checkpoint.h"

namespace imprint {
namespace {

// The 32 bytes of a row hash as the rows keep it (64 lower-case hex digits);
// anything else (a row edited in the database) is an Error, never signed.
std::string FromHex(const std::string& hex) {
  const auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  std::string bytes;
  for (size_t i = 0; hex.size() == 64 && i < hex.size(); i += 2) {
    const int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) break;
    bytes += static_cast<char>(high * 16 + low);
  }
  if (bytes.size() != 32) throw Error("audit log", 0, "the head row's hash is not 64 lower-case hex digits");
  return bytes;
}

// Whether a checkpoint's signed note states `size` rows with head `hex_hash`
// (its second and third lines), its signature unchecked: the signer only
// compares what it kept with the log.
bool NoteStates(const std::string& note, int64_t size, const std::string& hex_hash) {
  const size_t first = note.find('\n');
  const std::string stated = std::to_string(size) + "\n" + Base64Encode(FromHex(hex_hash)) + "\n";
  return first != std::string::npos && note.compare(first + 1, stated.size(), stated) == 0;
}

}  // namespace

// At shutdown the handlers are done and every row is in: one more round.
CheckpointSigner::CheckpointSigner(const std::string& url, std::string origin, KeySource key,
                                   std::chrono::milliseconds interval)
    : url_(url), origin_(std::move(origin)), key_(std::move(key)), thread_(interval, [this] { SignIfMoved(); }, true) {}

// A round on a connection opened before (perhaps dead since the database
// restarted) that fails is tried once more on a new one: the last round, at
// shutdown, has no next round to leave it to. A failure is logged when the
// rounds start failing, and their return when they stop.
void CheckpointSigner::SignIfMoved() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !store_;
    try {
      if (fresh) store_ = LicenseStore::Open(url_);  // at first, and after a failure
      SignRound();
      if (failing_) Log("audit checkpoints are signed again");
      failing_ = false;
      return;
    } catch (const std::exception& e) {
      store_.reset();
      if (fresh || attempt > 0) {
        // The next round tries again; verify reports rows left unanchored.
        if (!failing_) Log(std::string("an audit checkpoint could not be signed: ") + e.what());
        failing_ = true;
        return;
      }
    }
  }
}

void CheckpointSigner::SignRound() {
  if (refused_) return;
  const AuditHead head = store_->Head();
  if (signed_ && head.size == last_.size && head.hash == last_.hash) return;
  if (!LogStillExtends(head)) {
    refused_ = true;
    return;
  }
  const std::shared_ptr<const SigningKey> key = key_();
  if (!key) return;  // no usable key now (revoked): the next round tries again
  StoredCheckpoint c;
  c.at = Now();
  c.size = head.size;
  c.note = SignCheckpoint({origin_, head.size, FromHex(head.hash)}, key->signer);
  store_->AddCheckpoint(&c);
  latest_at_.store(c.at, std::memory_order_relaxed);
  last_ = head;
  signed_ = true;
}

bool CheckpointSigner::LogStillExtends(const AuditHead& head) {
  // Never sign over a log changed below the last checkpoint: rows deleted,
  // edited or re-chained while the server ran (and the stored checkpoints
  // that would show it deleted too). Left unsigned, the rows from here on
  // fail `imprint audit verify` as not anchored. Rows no signer saw arrive
  // (a crashed server's last ones, or rows forged while none ran) cannot be
  // told apart here: say so, then sign.
  const auto latest = signed_ ? std::nullopt : store_->LatestCheckpoint();
  if (latest) latest_at_.store(latest->at, std::memory_order_relaxed);
  // At start, the same for the latest checkpoint kept: a log changed below
  // it while no server ran is not signed over (that would vouch for two logs
  // of one size, or for the changed one once the other checkpoint is
  // deleted).
  if (latest && latest->size > 0) {
    const std::optional<std::string> then = store_->HashAtPosition(latest->size);
    if (!then || !NoteStates(latest->note, latest->size, *then)) {
      Log("the audit log changed below its latest checkpoint of " + std::to_string(latest->size) +
          " rows; no checkpoints are signed (run imprint audit verify)");
      return false;
    }
  }
  if (latest && head.size > latest->size) {
    Log(std::to_string(head.size - latest->size) +
        " audit rows after the last checkpoint were written while no server signed (a crash, or forged); "
        "signing them now");
  }
  if (signed_) {
    const AuditHead then = store_->HeadAt(last_.last_id);
    if (then.size != last_.size || then.hash != last_.hash) {
      Log("the audit log changed below its checkpoint of " + std::to_string(last_.size) +
          " rows; no more checkpoints are signed (run imprint audit verify)");
      return false;
    }
  }
  return true;
}

}  // namespace imprint
