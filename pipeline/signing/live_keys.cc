#include "pipeline/signing/live_keys.h"

#include <cerrno>
#include <cstring>

#include "pipeline/base/error.h"
#include "pipeline/base/file_stamp.h"
#include "pipeline/base/file_system.h"

namespace imprint {
namespace {

constexpr int64_t kRacySeconds = 2;  // changed this recently: read again next time

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A file's identity as text; "" when it changed too recently to be trusted
// to show the next change.
std::string Identity(const std::string& path) {
  const std::optional<FileStamp> stamp = StampPath(path);
  if (!stamp) return "missing " + std::to_string(errno) + ";";
  return stamp->Settled(kRacySeconds) ? stamp->ToString() + ";" : "";
}

bool SameKey(const std::shared_ptr<const SigningKey>& a, const std::shared_ptr<const SigningKey>& b) {
  if (!a || !b) return a == b;
  return a->key.id == b->key.id && a->key.key == b->key.key;
}

const KeyEntry* CurrentEntry(const std::vector<KeyEntry>& keys) {
  for (const KeyEntry& e : keys) {
    if (e.status == KeyStatus::kCurrent) return &e;
  }
  return nullptr;
}

}  // namespace

LiveKeys::LiveKeys(Keystore keystore, std::chrono::milliseconds interval)
    : keystore_(std::move(keystore)), interval_(interval) {
  std::lock_guard<std::mutex> lock(check_mu_);
  Reload(/*strict=*/true);
  next_check_ns_ = SteadyNanos() + interval_.count();
}

std::shared_ptr<const KeySnapshot> LiveKeys::Current() {
  const int64_t now = SteadyNanos();
  int64_t due = next_check_ns_.load();
  if (now >= due && next_check_ns_.compare_exchange_strong(due, now + interval_.count())) {
    std::lock_guard<std::mutex> lock(check_mu_);
    // "" (racy, or not yet settled) never matches: read the files again.
    const std::string watched = Watched();
    if (watched.empty() || watched != watched_) Reload(/*strict=*/false);
  }
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

std::string LiveKeys::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

// The identities of the keyring and of the current key's secret; "" when
// either is racy, so that the next check reads them again.
std::string LiveKeys::Watched() const {
  const std::string keyring = Identity(keystore_.KeyringPath());
  const std::string secret = secret_path_.empty() ? "none;" : Identity(secret_path_);
  return keyring.empty() || secret.empty() ? "" : keyring + secret;
}

void LiveKeys::Reload(bool strict) {
  ++reloads_;
  // Identities first: a change after this is seen by the next check.
  const std::string watched = Watched();
  const std::string secret_before = secret_path_;
  std::string text;
  std::vector<KeyEntry> keys;
  try {
    text = ReadFile(keystore_.KeyringPath());
    keys = ParseKeyringJson(text, keystore_.KeyringPath());
  } catch (const Error& e) {
    if (strict) throw;
    watched_ = watched;  // read again when it changes, not at every check
    Publish(nullptr, "the keyring could not be read, so the last good keys stay: " + e.diagnostic().ToString());
    return;
  }
  const KeyEntry* current = CurrentEntry(keys);
  secret_path_ = current != nullptr ? keystore_.SecretPath(current->key) : "";
  std::shared_ptr<const SigningKey> signing;
  std::string problem;
  try {
    signing = std::make_shared<const SigningKey>(keystore_.LoadSigningKey(keys));
  } catch (const Error& e) {
    if (strict) throw;
    problem = e.diagnostic().ToString();
    // The last good key, while the new keyring still names it current.
    if (loaded_ && current != nullptr && current->key.id == loaded_->key.id && current->key.key == loaded_->key.key) {
      signing = loaded_;
      problem = "kept the loaded signing key: " + problem;
    }
  }
  if (SameKey(signing, loaded_)) signing = loaded_;
  loaded_ = signing;
  // When the current key changed, `watched` holds the old key's secret: the
  // next check reads the files once more.
  watched_ = secret_path_ == secret_before ? watched : "";

  auto next = std::make_shared<KeySnapshot>();
  next->signing = signing;
  next->signing_problem = signing ? "" : problem;
  next->trusted = TrustedKeys{keys};
  std::shared_ptr<const KeySnapshot> last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last = snapshot_;
  }
  const bool same = last && text == keyring_text_ && last->signing == signing;
  keyring_text_ = text;
  Publish(same ? nullptr : next, problem);
}

// Makes `next` (unless null) the snapshot, with the next generation; records
// the error ("" for none).
void LiveKeys::Publish(std::shared_ptr<KeySnapshot> next, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  error_ = error;
  if (!next) return;
  next->generation = snapshot_ ? snapshot_->generation + 1 : 1;
  snapshot_ = std::move(next);
}

}  // namespace imprint
