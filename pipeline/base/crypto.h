// Cryptographic primitives, adapted from Crypto++: SHA-256, BLAKE2b-512,
// HMAC-SHA-256, SipHash-2-4,
// Base64, Ed25519 signing and verification, and the operating system's
// random bytes. Byte strings are std::string. The one unit that includes
// Crypto++. An Ed25519Signer is immutable after construction and thread-safe
// (Ed25519 signing is deterministic and needs no random source).
#ifndef IMPRINT_PIPELINE_BASE_CRYPTO_H_
#define IMPRINT_PIPELINE_BASE_CRYPTO_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace imprint {

constexpr size_t kEd25519SeedSize = 32;
constexpr size_t kEd25519PublicKeySize = 32;
constexpr size_t kEd25519SignatureSize = 64;

std::string Sha256(std::string_view bytes);     // 32 raw bytes
std::string Sha256Hex(std::string_view bytes);  // 64 lower-case hex digits
std::string Blake2b512(std::string_view bytes); // 64 raw bytes, unkeyed
std::string Hex(std::string_view bytes);        // lower-case

// Base64 without line breaks.
std::string Base64Encode(std::string_view bytes);
// False when `text` holds anything but Base64 (Crypto++'s decoder skips bad
// characters silently; this does not).
bool Base64Decode(std::string_view text, std::string* bytes);
// Decodes base64url (RFC 4648, section 5), with or without padding; false for
// anything else (the standard alphabet's '+' and '/' included).
bool Base64UrlDecode(std::string_view text, std::string* bytes);

// `n` bytes from the operating system's random source.
std::string RandomBytes(size_t n);

// HMAC-SHA-256 of `message` under `key`: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view message);
// SipHash-2-4 (Crypto++'s) under a 16-byte key: a keyed 64-bit hash for
// many short inputs (the word gaps of a copy's text). Keyed once and used for
// many messages, it costs little more than the rounds themselves; one object
// per thread (not thread-safe).
class SipHasher {
 public:
  // REQUIRES: key.size() == 16.
  explicit SipHasher(std::string_view key);
  ~SipHasher();
  SipHasher(const SipHasher&) = delete;
  SipHasher& operator=(const SipHasher&) = delete;
  // The hash of `message`, its 8 bytes read little-endian (as the reference
  // implementation prints it).
  uint64_t Hash(std::string_view message);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Constant-time equality, for secrets and digests.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

class Ed25519Signer {
 public:
  // REQUIRES: seed.size() == kEd25519SeedSize.
  explicit Ed25519Signer(std::string_view seed);
  ~Ed25519Signer();
  Ed25519Signer(Ed25519Signer&&) noexcept;
  Ed25519Signer& operator=(Ed25519Signer&&) noexcept;

  const std::string& public_key() const { return public_key_; }
  std::string Sign(std::string_view message) const;  // 64 bytes

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string public_key_;
};

// REQUIRES: public_key is 32 bytes. False for a wrong-sized signature.
bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_CRYPTO_H_
