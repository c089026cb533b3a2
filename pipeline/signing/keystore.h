// The keystore: the foundation's Ed25519 signing keys, in the folder named by
// IMPRINT_KEYS (default ~/.local/share/imprint/keys), outside any output.
//
//   keyring.json     every key's id, public key and status (current, retired,
//                    revoked with a reason); which one signs
//   <KEYID>.key      the current key's secret seed, mode 0600, folder 0700
//   mark.key         the copies' mark key (mark_key.h), which rotation and
//                    revocation leave alone
//
// Rotation makes a new current key and retires the old one (its public key
// stays, so older editions still verify; its secret is deleted). Revocation
// marks a key so that its signatures fail with the reason. Secrets are read
// only by LoadSigningKey() and never written anywhere but <KEYID>.key.
//
// Crash-safe: every change writes before it deletes (a new secret is on the
// disk before the keyring names it; the keyring is replaced atomically and
// durably before an old secret is deleted), so a key command killed at any
// moment leaves a keyring whose current key has its secret. What it may leave
// besides (a secret the keyring does not call current, a temporary file;
// owner-only) the next rotation or revocation deletes: after one, the folder
// holds the keyring and the current key's <KEYID>.key, nothing else of ours. Key commands of several processes take turns (an
// flock on the folder); not thread-safe for writes within one process (the
// umask is process-wide). A loaded SigningKey is immutable and shareable.
#ifndef IMPRINT_PIPELINE_SIGNING_KEYSTORE_H_
#define IMPRINT_PIPELINE_SIGNING_KEYSTORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/base/crypto.h"
#include "pipeline/signing/minisign.h"

namespace imprint {

// A key's standing in the keyring. A status is a string only in keyring.json
// and in what the command line prints: ToString and ParseKeyStatus are the one
// spelling.
enum class KeyStatus {
  kCurrent,  // "current": signs
  kRetired,  // "retired": rotated out; its signatures still verify
  kRevoked,  // "revoked": its signatures fail, with the reason
};

const char* ToString(KeyStatus status);
// nullopt for any other text.
std::optional<KeyStatus> ParseKeyStatus(std::string_view text);

struct KeyEntry {
  PublicKey key;
  KeyStatus status = KeyStatus::kRetired;
  std::string reason;  // why revoked
  bool development = false;
};

struct SigningKey {
  PublicKey key;
  Ed25519Signer signer;
  bool development = false;
};

// The keys a verification trusts, and the revoked ones it must refuse.
struct TrustedKeys {
  std::vector<KeyEntry> entries;
  std::vector<PublicKey> Usable() const;  // all but revoked
  const KeyEntry* Find(const std::string& id) const;
};

class Keystore {
 public:
  explicit Keystore(std::string dir) : dir_(std::move(dir)) {}
  // $IMPRINT_KEYS, else ~/.local/share/imprint/keys.
  static std::string DefaultDir();

  const std::string& dir() const { return dir_; }
  bool Exists() const;

  // Makes the first key pair. Throws imprint::Error when a keyring exists.
  KeyEntry Init(bool development);
  // A new current key; the old one retired. REQUIRES: Exists().
  KeyEntry Rotate();
  // Marks a key revoked. Throws imprint::Error for an unknown id.
  KeyEntry Revoke(const std::string& id_text, const std::string& reason);

  std::vector<KeyEntry> Keys() const;
  // The keyring as trusted keys (revocations included), for verifying.
  TrustedKeys Trusted() const;
  // The current key, ready to sign. Throws imprint::Error when there is none,
  // it is revoked, or its secret file is readable by others.
  SigningKey LoadSigningKey() const;
  // The same from a keyring already read (Keys() or ParseKeyringJson of the
  // keyring file), so that a reader watching the files signs and verifies from
  // one version of the keyring.
  SigningKey LoadSigningKey(const std::vector<KeyEntry>& keys) const;

  // The files a reader watches for changes: the keyring, and a key's secret
  // (which exists only for the current key). Rotation and revocation replace
  // the keyring by rename, so its inode changes.
  std::string KeyringPath() const;
  std::string SecretPath(const PublicKey& key) const;

  // Writes DIR/keys/imprint.pub (the current key) and DIR/keys/keyring.json
  // (every public key and its status) for subscribers. REQUIRES: Exists().
  void ExportPublicKeys(const std::string& out_dir) const;

 private:
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  void WriteKeyring(const std::vector<KeyEntry>& keys) const;
  // Deletes what killed key commands left: secrets of keys that are not
  // current in `keys`, temporary files. REQUIRES: the keystore lock is held.
  void RemoveLeftovers(const std::vector<KeyEntry>& keys) const;
  KeyEntry MakeKey(bool development) const;

  std::string dir_;
};

// Keys from files: minisign .pub files and keyring.json files (which carry
// revocations). Throws imprint::Error naming a file that is neither.
TrustedKeys LoadTrustedKeys(const std::vector<std::string>& files);

// Keyring JSON (public parts only) and back.
std::string KeyringJson(const std::vector<KeyEntry>& keys);
std::vector<KeyEntry> ParseKeyringJson(const std::string& text, const std::string& file);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SIGNING_KEYSTORE_H_
