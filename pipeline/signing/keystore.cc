#include "pipeline/signing/keystore.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

constexpr char kKeyring[] = "keyring.json";

std::string SecretFileName(const PublicKey& key) { return key.IdText() + ".key"; }

std::string FormatSecret(const PublicKey& key, const std::string& seed) {
  return "untrusted comment: imprint secret key " + key.IdText() +
         " - keep private, never publish\n" + Base64Encode("Ed" + key.id + seed) + "\n";
}

// Writes a file only its owner can read, atomically and durably: the
// temporary file is created under a umask that leaves it 0600 from the start,
// and is on the disk before it is renamed into place.
void WritePrivate(const std::string& path, const std::string& bytes) {
  const mode_t old = umask(077);
  try {
    WriteFileDurably(path, bytes);
  } catch (...) {
    umask(old);
    throw;
  }
  umask(old);
}

std::string SystemError() { return std::strerror(errno); }

// Deletes a secret; one that is not there is fine.
void RemoveSecret(const std::string& path, const std::string& what) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw Error(path, 0, "cannot delete " + what + ": " + SystemError() + "; delete it by hand");
  }
}

// Holds an exclusive lock on the keystore folder while it lives, so that two
// key commands never interleave their writes (one's cleanup would delete the
// other's new secret). The kernel drops it when the process dies.
class FolderLock {
 public:
  explicit FolderLock(const std::string& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0) throw Error(dir, 0, "cannot open the keystore: " + SystemError());
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      const std::string why = SystemError();
      ::close(fd_);
      throw Error(dir, 0, "cannot lock the keystore: " + why);
    }
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_;
};

constexpr std::pair<KeyStatus, const char*> kStatuses[] = {
    {KeyStatus::kCurrent, "current"},
    {KeyStatus::kRetired, "retired"},
    {KeyStatus::kRevoked, "revoked"},
};

}  // namespace

const char* ToString(KeyStatus status) {
  for (const auto& [code, text] : kStatuses) {
    if (code == status) return text;
  }
  return "unknown";  // not reached: every status is in the table
}

std::optional<KeyStatus> ParseKeyStatus(std::string_view text) {
  for (const auto& [code, spelling] : kStatuses) {
    if (text == spelling) return code;
  }
  return std::nullopt;
}

std::vector<PublicKey> TrustedKeys::Usable() const {
  std::vector<PublicKey> keys;
  for (const KeyEntry& e : entries) {
    if (e.status != KeyStatus::kRevoked) keys.push_back(e.key);
  }
  return keys;
}

const KeyEntry* TrustedKeys::Find(const std::string& id) const {
  const KeyEntry* found = nullptr;
  for (const KeyEntry& e : entries) {
    if (e.key.id != id) continue;
    if (e.status == KeyStatus::kRevoked) return &e;  // a revocation from any source wins
    if (found == nullptr) found = &e;
  }
  return found;
}

std::string KeyringJson(const std::vector<KeyEntry>& keys) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const KeyEntry& e : keys) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", e.key.IdText());
    o->set("public_key", Base64Encode("Ed" + e.key.id + e.key.key));
    o->set("status", std::string(ToString(e.status)));
    if (!e.reason.empty()) o->set("reason", e.reason);
    if (e.development) o->set("development", true);
    list->add(o);
  }
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("format", std::string("imprint-keyring/1"));
  root.set("keys", list);
  std::ostringstream out;
  root.stringify(out, 2);
  out << "\n";
  return out.str();
}

std::vector<KeyEntry> ParseKeyringJson(const std::string& text, const std::string& file) {
  std::vector<KeyEntry> keys;
  try {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    if (root->optValue<std::string>("format", "") != "imprint-keyring/1") {
      throw Error(file, 0, "not an imprint keyring");
    }
    const auto list = root->getArray("keys");
    for (unsigned i = 0; list && i < list->size(); ++i) {
      const auto o = list->getObject(i);
      KeyEntry e;
      e.key = ParsePublicKey("untrusted comment:\n" + o->getValue<std::string>("public_key"), file);
      const std::string status = o->getValue<std::string>("status");
      const std::optional<KeyStatus> parsed = ParseKeyStatus(status);
      if (!parsed) {
        // The file's text is not echoed: a keyring may come from anyone.
        throw Error(file, 0, "not a valid keyring: key " + e.key.IdText() +
                                 " has a status other than current, retired or revoked");
      }
      e.status = *parsed;
      e.reason = o->optValue<std::string>("reason", "");
      e.development = o->optValue<bool>("development", false);
      keys.push_back(e);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(file, 0, std::string("not a valid keyring: ") + e.what());
  }
  return keys;
}

std::string Keystore::DefaultDir() {
  if (const char* dir = std::getenv("IMPRINT_KEYS"); dir != nullptr && *dir != '\0') return dir;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.local/share/imprint/keys";
}

bool Keystore::Exists() const { return fs::exists(Path(kKeyring)); }

KeyEntry Keystore::MakeKey(bool development) const {
  const std::string seed = RandomBytes(kEd25519SeedSize);
  const Ed25519Signer signer(seed);
  KeyEntry entry;
  entry.key = PublicKey{RandomBytes(kKeyIdSize), signer.public_key()};
  entry.status = KeyStatus::kCurrent;
  entry.development = development;
  WritePrivate(Path(SecretFileName(entry.key)), FormatSecret(entry.key, seed));
  return entry;
}

void Keystore::WriteKeyring(const std::vector<KeyEntry>& keys) const {
  WritePrivate(Path(kKeyring), KeyringJson(keys));
}

KeyEntry Keystore::Init(bool development) {
  if (Exists()) {
    throw Error(Path(kKeyring), 0, "a keyring exists already; refusing to overwrite it "
                                   "(use 'imprint keys rotate' for a new key)");
  }
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw Error(dir_, 0, "cannot create the keystore: " + ec.message());
  if (::chmod(dir_.c_str(), 0700) != 0) {
    throw Error(dir_, 0, "cannot make the keystore private (chmod 700): " + SystemError());
  }
  const FolderLock lock(dir_);
  if (Exists()) throw Error(Path(kKeyring), 0, "a keyring was made meanwhile; refusing to overwrite it");
  KeyEntry entry = MakeKey(development);
  try {
    WriteKeyring({entry});
  } catch (...) {
    ::unlink(SecretPath(entry.key).c_str());  // a secret no keyring names
    throw;
  }
  return entry;
}

// Write, then delete: the new secret is on the disk before the keyring names
// it, and the old secret is deleted only once the keyring no longer calls its
// key current. Killed at any moment, the keystore's current key has its
// secret; what a killed run leaves (a secret no keyring names as current, a
// temporary file, all owner-only) the next rotation or revocation removes.
KeyEntry Keystore::Rotate() {
  const FolderLock lock(dir_);
  std::vector<KeyEntry> keys = Keys();
  const KeyEntry fresh = MakeKey(false);
  std::vector<PublicKey> retired;
  for (KeyEntry& e : keys) {
    if (e.status != KeyStatus::kCurrent) continue;
    e.status = KeyStatus::kRetired;
    retired.push_back(e.key);
  }
  keys.push_back(fresh);
  try {
    WriteKeyring(keys);
  } catch (...) {
    ::unlink(SecretPath(fresh.key).c_str());  // the old keyring stands; this secret is nobody's
    throw;
  }
  for (const PublicKey& old : retired) RemoveSecret(SecretPath(old), "the retired key's secret");
  RemoveLeftovers(keys);
  return fresh;
}

KeyEntry Keystore::Revoke(const std::string& id_text, const std::string& reason) {
  std::string id;
  if (!ParseKeyIdText(id_text, &id)) throw Error(id_text, 0, "not a key id");
  const FolderLock lock(dir_);
  std::vector<KeyEntry> keys = Keys();
  for (KeyEntry& e : keys) {
    if (e.key.id != id) continue;
    const bool was_current = e.status == KeyStatus::kCurrent;
    e.status = KeyStatus::kRevoked;
    e.reason = reason.empty() ? "revoked" : reason;
    WriteKeyring(keys);  // first: until it is written, the key is current and signs
    if (was_current) RemoveSecret(SecretPath(e.key), "the revoked key's secret");
    RemoveLeftovers(keys);
    return e;
  }
  throw Error(Path(kKeyring), 0, "no key " + id_text + " in the keyring");
}

void Keystore::RemoveLeftovers(const std::vector<KeyEntry>& keys) const {
  RemoveTemporaries(dir_);
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& file = it->path();
    std::string id;
    if (file.extension() != ".key" || !ParseKeyIdText(file.stem().string(), &id)) continue;
    bool current = false;
    for (const KeyEntry& e : keys) current = current || (e.key.id == id && e.status == KeyStatus::kCurrent);
    if (!current) RemoveSecret(file.string(), "a secret whose key is not current (left by a killed key command)");
  }
  if (ec) throw Error(dir_, 0, "cannot list the keystore: " + ec.message());
}

std::vector<KeyEntry> Keystore::Keys() const {
  if (!Exists()) throw Error(dir_, 0, "no keystore here; run 'imprint keys init'");
  return ParseKeyringJson(ReadFile(Path(kKeyring)), Path(kKeyring));
}

TrustedKeys Keystore::Trusted() const { return LoadTrustedKeys({Path(kKeyring)}); }

std::string Keystore::KeyringPath() const { return Path(kKeyring); }

std::string Keystore::SecretPath(const PublicKey& key) const { return Path(SecretFileName(key)); }

SigningKey Keystore::LoadSigningKey() const { return LoadSigningKey(Keys()); }

SigningKey Keystore::LoadSigningKey(const std::vector<KeyEntry>& keys) const {
  for (const KeyEntry& e : keys) {
    if (e.status != KeyStatus::kCurrent) continue;
    const std::string path = Path(SecretFileName(e.key));
    struct stat st;
    if (stat(path.c_str(), &st) != 0) throw Error(path, 0, "the current key's secret is missing");
    if ((st.st_mode & 077) != 0) {
      throw Error(path, 0, "secret key file is readable by others; run chmod 600 on it");
    }
    std::istringstream in(ReadFile(path));
    std::string comment, line, raw;
    std::getline(in, comment);
    std::getline(in, line);
    if (!Base64Decode(line, &raw) || raw.size() != 2 + kKeyIdSize + kEd25519SeedSize ||
        raw.substr(2, kKeyIdSize) != e.key.id) {
      throw Error(path, 2, "not an imprint secret key for " + e.key.IdText());
    }
    SigningKey key{e.key, Ed25519Signer(raw.substr(2 + kKeyIdSize)), e.development};
    if (key.signer.public_key() != e.key.key) {
      throw Error(path, 2, "secret key does not match the keyring's public key");
    }
    return key;
  }
  throw Error(Path(kKeyring), 0,
              "no current signing key (revoked?); run 'imprint keys rotate' for a new one");
}

void Keystore::ExportPublicKeys(const std::string& out_dir) const {
  const std::vector<KeyEntry> keys = Keys();
  // The output folder's own files: a FIFO planted in their place would block the write.
  const std::string public_key = out_dir + "/" + kPublicKeyPath, keyring = out_dir + "/" + kKeyringPath;
  for (const KeyEntry& e : keys) {
    if (e.status != KeyStatus::kCurrent) continue;
    RemoveUnlessRegular(public_key);
    WriteFileAtomic(public_key, FormatPublicKey(e.key));
  }
  RemoveUnlessRegular(keyring);
  WriteFileAtomic(keyring, KeyringJson(keys));
}

TrustedKeys LoadTrustedKeys(const std::vector<std::string>& files) {
  TrustedKeys trusted;
  for (const std::string& file : files) {
    const std::string text = ReadFile(file);
    if (text.rfind("untrusted comment:", 0) == 0) {
      KeyEntry e;
      e.key = ParsePublicKey(text, file);
      e.status = KeyStatus::kCurrent;
      trusted.entries.push_back(e);
    } else {
      for (const KeyEntry& e : ParseKeyringJson(text, file)) trusted.entries.push_back(e);
    }
  }
  return trusted;
}

}  // namespace imprint
