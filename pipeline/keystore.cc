#include "pipeline/keystore.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "pipeline/error.h"
#include "pipeline/file_system.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

constexpr char kKeyring[] = "keyring.json";

std::string SecretFileName(const PublicKey& key) { return key.IdText() + ".key"; }

std::string FormatSecret(const PublicKey& key, const std::string& seed) {
  return "untrusted comment: imprint secret key " + key.IdText() +
         " - keep private, never publish\n" + Base64Encode("Ed" + key.id + seed) + "\n";
}

// Writes a file only its owner can read, atomically: the temporary file is
// created under a umask that leaves it 0600 from the start.
void WritePrivate(const std::string& path, const std::string& bytes) {
  const mode_t old = umask(077);
  try {
    WriteFileAtomic(path, bytes);
  } catch (...) {
    umask(old);
    throw;
  }
  umask(old);
}

}  // namespace

std::vector<PublicKey> TrustedKeys::Usable() const {
  std::vector<PublicKey> keys;
  for (const KeyEntry& e : entries) {
    if (e.status != "revoked") keys.push_back(e.key);
  }
  return keys;
}

const KeyEntry* TrustedKeys::Find(const std::string& id) const {
  const KeyEntry* found = nullptr;
  for (const KeyEntry& e : entries) {
    if (e.key.id != id) continue;
    if (e.status == "revoked") return &e;  // a revocation from any source wins
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
    o->set("status", e.status);
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
      e.status = o->getValue<std::string>("status");
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
  entry.status = "current";
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
  chmod(dir_.c_str(), 0700);
  KeyEntry entry = MakeKey(development);
  WriteKeyring({entry});
  return entry;
}

KeyEntry Keystore::Rotate() {
  std::vector<KeyEntry> keys = Keys();
  KeyEntry fresh = MakeKey(false);
  for (KeyEntry& e : keys) {
    if (e.status != "current") continue;
    e.status = "retired";
    unlink(Path(SecretFileName(e.key)).c_str());
  }
  keys.push_back(fresh);
  WriteKeyring(keys);
  return fresh;
}

KeyEntry Keystore::Revoke(const std::string& id_text, const std::string& reason) {
  std::string id;
  if (!ParseKeyIdText(id_text, &id)) throw Error(id_text, 0, "not a key id");
  std::vector<KeyEntry> keys = Keys();
  for (KeyEntry& e : keys) {
    if (e.key.id != id) continue;
    if (e.status == "current") unlink(Path(SecretFileName(e.key)).c_str());
    e.status = "revoked";
    e.reason = reason.empty() ? "revoked" : reason;
    WriteKeyring(keys);
    return e;
  }
  throw Error(Path(kKeyring), 0, "no key " + id_text + " in the keyring");
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
    if (e.status != "current") continue;
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
  for (const KeyEntry& e : keys) {
    if (e.status == "current") WriteFileAtomic(out_dir + "/keys/imprint.pub", FormatPublicKey(e.key));
  }
  WriteFileAtomic(out_dir + "/keys/keyring.json", KeyringJson(keys));
}

TrustedKeys LoadTrustedKeys(const std::vector<std::string>& files) {
  TrustedKeys trusted;
  for (const std::string& file : files) {
    const std::string text = ReadFile(file);
    if (text.rfind("untrusted comment:", 0) == 0) {
      KeyEntry e;
      e.key = ParsePublicKey(text, file);
      e.status = "current";
      trusted.entries.push_back(e);
    } else {
      for (const KeyEntry& e : ParseKeyringJson(text, file)) trusted.entries.push_back(e);
    }
  }
  return trusted;
}

}  // namespace imprint
