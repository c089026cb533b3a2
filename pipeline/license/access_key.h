// Access keys: the secret a subscriber's reading app sends as the password of
// HTTP Basic, the license id being the user name (docs/licenses.md). A key is
// 32 bytes of the operating system's random source, written in base64url
// without padding (43 characters); it is shown once, when made, and the store
// keeps only AccessKeyHash() of it. One SHA-256 suffices where a password
// would need a slow, salted hash: a key has 256 bits of entropy, so there is
// no dictionary to try and nothing to gain from a salt (docs/security.md).
// Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_LICENSE_ACCESS_KEY_H_
#define IMPRINT_PIPELINE_LICENSE_ACCESS_KEY_H_

#include <string>
#include <string_view>

namespace imprint {

// A fresh random key.
std::string NewAccessKey();

// The hash the store keeps of `key`: 64 lower-case hex digits of SHA-256.
std::string AccessKeyHash(std::string_view key);

// Whether `key` hashes to `key_hash`, compared in constant time; false when
// `key_hash` is empty (a license without a key lets no key in).
bool AccessKeyMatches(std::string_view key, std::string_view key_hash);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_ACCESS_KEY_H_
