// HTTP Basic at the download server (docs/http.md, "Authentication"): the
// license id as user name and its access key (pipeline/license/access_key.h)
// as password, beside `Authorization: License <base64url>`. The gate reads a
// request's Authorization header into what it presents; for Basic it finds
// the license's signed document and key hash in the store (or in its cache),
// checks the key against the hash in constant time, and hands the server the
// document, which is then decided exactly as a License header's.
//
// Freshness: the cache holds, per license id, the key hash and document read
// with one round trip (FindKeyedLicense), never a key, with the store's
// access-keys version of that read. A key that does not match the cached
// hash is looked up again (it may be a new key), so a wrong key costs at most
// one round trip. A request let in carries the hash and its version on its
// audit row (AuditRow::access_key_hash, access_keys_version). Screen(), which
// runs inside the audit commit's transaction, reads the store's access-keys
// version (one small SELECT per commit, as RevocationList reads the
// revocations'): when it moved, the cache is dropped, and each row let in at
// an older version has its license's current hash read and compared; a row
// whose key has been replaced meanwhile (`imprint license key`, by any
// process) becomes a denial, bad_access_key, before it is written. The old
// key stops working from the moment the new one is committed. A route that
// makes its answer before its row's commit (the license routes, the feeds,
// search) also calls Confirm(), which reads the license's current hash. Thread-safe;
// the cache holds at most `capacity` licenses (a full one is cleared).
#ifndef IMPRINT_PIPELINE_SERVER_ACCESS_GATE_H_
#define IMPRINT_PIPELINE_SERVER_ACCESS_GATE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipeline/license/license_store.h"

namespace imprint {

// The challenge a 401 carries: the scheme KOReader and KyBook answer.
extern const char* const kBasicChallenge;
// The audit reason of a Basic request whose id, key or header is not good.
extern const char* const kBadAccessKey;
// The challenge of a 401 answering `row`: `License` when the request sent a
// license in the header and its signature failed (a browser's fetch() then
// gets the 401 rather than a login dialog), kBasicChallenge for every other
// (no credentials, Basic ones).
const char* ChallengeFor(const AuditRow& row);

// Whether `authorization` is of the License or the Basic scheme (as Read
// takes them: the name in any case, then a space or the end), whatever
// follows: the request presents credentials, good or bad.
bool NamesCredentials(const std::string& authorization);

// What a request's Authorization header presents.
struct Presented {
  enum class Kind {
    kNone,      // no header, or a scheme of neither kind
    kLicense,   // License <base64url>: `document` is the license as sent
    kBasic,     // Basic with a well-formed id and key: `document` once let in
    kBadBasic,  // Basic that does not decode, or too long
  };
  Kind kind = Kind::kNone;
  std::string document;    // the license text to decide on
  std::string license_id;  // kBasic: the user name
  std::string key;         // kBasic: the password, until checked (then cleared)
  std::string key_hash;    // kBasic, once let in: the hash it matched
  int64_t keys_version = 0;  // ... and the store's access-keys version it was read at
  bool let_in = false;     // kBasic: the key matched the license's hash
};

class AccessGate {
 public:
  static constexpr size_t kDefaultCapacity = 65536;
  explicit AccessGate(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Reads `authorization` (at most `max_size` bytes, else kBadBasic or
  // kNone) and, for Basic, lets it in from the cache when the key matches
  // the cached hash. Never blocks.
  Presented Read(const std::string& authorization, size_t max_size) const;
  // Whether `p` is Basic still to be looked up in the store.
  static bool NeedsLookup(const Presented& p) { return p.kind == Presented::Kind::kBasic && !p.let_in; }
  // Looks the license up in `store` (one round trip), caches what it found,
  // and lets `p` in when its key matches. Throws what the store throws.
  void Lookup(LicenseStore& store, Presented* p);
  // For a route whose answer is made before its row is screened: a `p` let
  // in from the cache is checked against the license's current key hash in
  // `store` (one round trip), and shut out, the license forgotten, when its
  // key has been replaced. Throws what the store throws.
  void Confirm(LicenseStore& store, Presented* p);
  // Inside the audit commit: rows let in by a key hash that is no longer the
  // license's become denials (kBadAccessKey, no license, no sha256), and the
  // cache forgets those licenses.
  void Screen(LicenseStore& store, std::vector<AuditRow>* rows);

 private:
  struct Entry {
    std::string key_hash;
    std::string document;
    int64_t version = 0;
  };
  using Map = std::unordered_map<std::string, std::shared_ptr<const Entry>>;
  void Forget(const std::string& id);
  const size_t capacity_;
  mutable std::mutex mu_;
  Map cache_;  // GUARDED_BY(mu_)
  int64_t version_ = -1;  // GUARDED_BY(mu_); the access-keys version the last commit saw
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_ACCESS_GATE_H_
