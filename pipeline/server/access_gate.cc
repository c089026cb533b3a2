#include "pipeline/server/access_gate.h"

#include <utility>

#include "pipeline/base/crypto.h"
#include "pipeline/license/access_key.h"
#include "pipeline/license/license.h"

namespace imprint {

const char* const kBasicChallenge = "Basic realm=\"Jamestown Foundation editions\", charset=\"UTF-8\"";
const char* const kBadAccessKey = "bad_access_key";

const char* ChallengeFor(const AuditRow& row) {
  // Only a license header's denials are neither of these: Basic leaves its key hash on the row.
  const bool basic_or_none = row.reason == "no_license" || row.reason == kBadAccessKey || !row.access_key_hash.empty();
  return basic_or_none ? kBasicChallenge : "License";
}

namespace {

// A password longer than this is no key (a key is 43 characters).
constexpr size_t kMaxPassword = 256;

// Whether `header` starts with the scheme `name` (case-insensitive, RFC
// 9110 section 11.1) and a space; `rest` is what follows the spaces.
bool HasScheme(const std::string& header, const char* name, std::string* rest) {
  size_t i = 0;
  for (; name[i] != '\0'; ++i) {
    if (i >= header.size() || (header[i] | 0x20) != name[i]) return false;
  }
  if (i >= header.size() || header[i] != ' ') return i == header.size() && (rest->clear(), true);
  while (i < header.size() && header[i] == ' ') ++i;
  *rest = header.substr(i);
  return true;
}

// Basic's credentials (RFC 7617): base64 of "user:password", the user a
// license id. Only the canonical encoding is taken (no stray padding or
// characters the decoder would skip).
bool ParseBasic(const std::string& token, Presented* p) {
  std::string decoded;
  if (token.empty() || token.size() % 4 != 0 || !Base64Decode(token, &decoded) || Base64Encode(decoded) != token) {
    return false;
  }
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  std::string id = decoded.substr(0, colon), key = decoded.substr(colon + 1);
  if (!IsLicenseId(id) || key.empty() || key.size() > kMaxPassword) return false;
  p->license_id = std::move(id);
  p->key = std::move(key);
  return true;
}

}  // namespace

bool NamesCredentials(const std::string& authorization) {
  std::string rest;
  return HasScheme(authorization, "license", &rest) || HasScheme(authorization, "basic", &rest);
}

Presented AccessGate::Read(const std::string& authorization, size_t max_size) const {
  Presented p;
  std::string rest;
  if (HasScheme(authorization, "license", &rest)) {
    if (authorization.size() <= max_size && Base64UrlDecode(rest, &p.document)) p.kind = Presented::Kind::kLicense;
    return p;
  }
  if (!HasScheme(authorization, "basic", &rest)) return p;
  if (authorization.size() > max_size || !ParseBasic(rest, &p)) {
    p.kind = Presented::Kind::kBadBasic;
    return p;
  }
  p.kind = Presented::Kind::kBasic;
  std::shared_ptr<const Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = cache_.find(p.license_id);
    if (it != cache_.end()) entry = it->second;
  }
  if (entry && AccessKeyMatches(p.key, entry->key_hash)) {
    p.let_in = true;
    p.document = entry->document;
    p.key_hash = entry->key_hash;
    p.keys_version = entry->version;
    p.key.clear();
  }
  return p;
}

void AccessGate::Lookup(LicenseStore& store, Presented* p) {
  const std::optional<KeyedLicense> keyed = store.FindKeyedLicense(p->license_id);
  if (!keyed) {
    Forget(p->license_id);
    AccessKeyMatches(p->key, std::string(64, '0'));  // the same work as a known license's
    p->key.clear();
    return;
  }
  auto entry = std::make_shared<const Entry>(Entry{keyed->key_hash, keyed->stored.document, keyed->keys_version});
  if (AccessKeyMatches(p->key, entry->key_hash)) {
    p->let_in = true;
    p->document = entry->document;
    p->key_hash = entry->key_hash;
    p->keys_version = entry->version;
  }
  p->key.clear();
  std::lock_guard<std::mutex> lock(mu_);
  if (entry->version < version_) return;  // read before a change a commit has seen: not kept
  if (cache_.size() >= capacity_) cache_.clear();
  cache_[p->license_id] = std::move(entry);
}

void AccessGate::Confirm(LicenseStore& store, Presented* p) {
  if (p->kind != Presented::Kind::kBasic || !p->let_in) return;
  const std::optional<std::string> now = store.FindAccessKeyHash(p->license_id);
  if (now && ConstantTimeEquals(*now, p->key_hash)) return;
  p->let_in = false;
  p->document.clear();
  Forget(p->license_id);
}

void AccessGate::Screen(LicenseStore& store, std::vector<AuditRow>* rows) {
  const int64_t version = store.AccessKeysVersion();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (version != version_) cache_.clear();  // some key changed: every hash is read afresh
    version_ = version;
  }
  for (AuditRow& row : *rows) {
    if (row.access_key_hash.empty() || row.decision != AuditDecision::kPermit) continue;
    if (row.access_keys_version == version) continue;  // no key has changed since its hash was read
    const std::optional<std::string> now = store.FindAccessKeyHash(row.license_id);
    if (now && ConstantTimeEquals(*now, row.access_key_hash)) continue;
    row.decision = AuditDecision::kDeny;
    row.reason = kBadAccessKey;
    row.sha256.clear();
    Forget(row.license_id);
  }
}

void AccessGate::Forget(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(id);
}

}  // namespace imprint
