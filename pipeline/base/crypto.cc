#include "pipeline/base/crypto.h"

#include <crypto++/blake2.h>
#include <crypto++/hmac.h>
#include <crypto++/osrng.h>
#include <crypto++/sha.h>
#include <crypto++/siphash.h>
#include <crypto++/xed25519.h>

#include <array>
#include <cstdint>

namespace imprint {
namespace {

const CryptoPP::byte* Bytes(std::string_view s) {
  return reinterpret_cast<const CryptoPP::byte*>(s.data());
}

template <typename Hash>
std::string Digest(Hash& hash, std::string_view bytes) {
  std::string out(hash.DigestSize(), '\0');
  hash.CalculateDigest(reinterpret_cast<CryptoPP::byte*>(out.data()), Bytes(bytes), bytes.size());
  return out;
}

}  // namespace

std::string Sha256(std::string_view bytes) {
  CryptoPP::SHA256 hash;
  return Digest(hash, bytes);
}

std::string Sha256Hex(std::string_view bytes) { return Hex(Sha256(bytes)); }

std::string Blake2b512(std::string_view bytes) {
  CryptoPP::BLAKE2b hash(false, 64);
  return Digest(hash, bytes);
}

std::string HmacSha256(std::string_view key, std::string_view message) {
  CryptoPP::HMAC<CryptoPP::SHA256> mac(Bytes(key), key.size());
  return Digest(mac, message);
}

struct SipHasher::State {
  CryptoPP::SipHash<2, 4, false> mac;
  explicit State(std::string_view key) : mac(Bytes(key), static_cast<unsigned>(key.size())) {}
};

SipHasher::SipHasher(std::string_view key) : state_(std::make_unique<State>(key)) {}
SipHasher::~SipHasher() = default;

uint64_t SipHasher::Hash(std::string_view message) {
  state_->mac.Update(Bytes(message), message.size());
  CryptoPP::byte out[8];
  state_->mac.TruncatedFinal(out, sizeof out);  // and ready for the next message
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | out[i];
  return v;
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Encoding is a table lookup: Crypto++'s filter pipeline costs more than the
// signatures it encodes, four times per file of a build.
std::string Base64Encode(std::string_view bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (two ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += two ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

namespace {

using Base64Values = std::array<int8_t, 256>;  // -1: not of the alphabet

Base64Values ValuesOf(const char* alphabet) {
  Base64Values v;
  v.fill(-1);
  for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return v;
}

// Decodes `data`, characters of one alphabet without padding, four at a time
// (a license is decoded on every download); a last group of 2 or 3 gives 1
// or 2 bytes (its unused bits zero), one of 1 is no encoding.
bool DecodeGroups(const Base64Values& values, std::string_view data, std::string* bytes) {
  const size_t rest = data.size() % 4;
  if (rest == 1) return false;
  bytes->resize(data.size() / 4 * 3 + (rest == 0 ? 0 : rest - 1));
  char* out = bytes->data();
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  const auto at = [&values, in](size_t i) { return static_cast<int32_t>(values[in[i]]); };
  size_t i = 0;
  for (; i + 4 <= data.size(); i += 4) {
    const int32_t a = at(i), b = at(i + 1), c = at(i + 2), d = at(i + 3);
    if ((a | b | c | d) < 0) return false;
    const uint32_t n = static_cast<uint32_t>(a << 18 | b << 12 | c << 6 | d);
    *out++ = static_cast<char>(n >> 16);
    *out++ = static_cast<char>(n >> 8);
    *out++ = static_cast<char>(n);
  }
  if (rest >= 2) {
    const int32_t a = at(i), b = at(i + 1), c = rest == 3 ? at(i + 2) : 0;
    if ((a | b | c) < 0) return false;
    // The bits past the last byte are zero (RFC 4648, 3.5): one spelling a
    // byte string, so a signature or a note has no second form.
    if (rest == 2 ? (b & 15) != 0 : (c & 3) != 0) return false;
    const uint32_t n = static_cast<uint32_t>(a << 18 | b << 12 | c << 6);
    *out++ = static_cast<char>(n >> 16);
    if (rest == 3) *out++ = static_cast<char>(n >> 8);
  }
  return true;
}

// How many '=' end `text`, at most two.
size_t Padding(std::string_view text) {
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return pad;
}

}  // namespace

bool Base64Decode(std::string_view text, std::string* bytes) {
  // Strict: only the alphabet, '=' padding at the end, whole quanta. (Crypto++'s
  // decoder skips what it does not know, silently.)
  static const Base64Values kValues = ValuesOf("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  if (text.size() % 4 != 0) return false;
  return DecodeGroups(kValues, text.substr(0, text.size() - Padding(text)), bytes);
}

bool Base64UrlDecode(std::string_view text, std::string* bytes) {
  // Padding is optional; when there is some, it makes whole quanta.
  static const Base64Values kValues = ValuesOf("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  const size_t pad = Padding(text);
  if (pad > 0 && text.size() % 4 != 0) return false;
  return DecodeGroups(kValues, text.substr(0, text.size() - pad), bytes);
}

std::string RandomBytes(size_t n) {
  CryptoPP::AutoSeededRandomPool rng;
  std::string out(n, '\0');
  rng.GenerateBlock(reinterpret_cast<CryptoPP::byte*>(out.data()), n);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

struct Ed25519Signer::Impl {
  explicit Impl(std::string_view seed) : signer(Bytes(seed)) {}
  CryptoPP::ed25519Signer signer;
};

Ed25519Signer::Ed25519Signer(std::string_view seed) : impl_(std::make_unique<Impl>(seed)) {
  const auto& key = dynamic_cast<const CryptoPP::ed25519PrivateKey&>(impl_->signer.GetPrivateKey());
  public_key_.assign(reinterpret_cast<const char*>(key.GetPublicKeyBytePtr()), kEd25519PublicKeySize);
}

Ed25519Signer::~Ed25519Signer() = default;
Ed25519Signer::Ed25519Signer(Ed25519Signer&&) noexcept = default;
Ed25519Signer& Ed25519Signer::operator=(Ed25519Signer&&) noexcept = default;

std::string Ed25519Signer::Sign(std::string_view message) const {
  std::string signature(kEd25519SignatureSize, '\0');
  impl_->signer.SignMessage(CryptoPP::NullRNG(), Bytes(message), message.size(),
                            reinterpret_cast<CryptoPP::byte*>(signature.data()));
  return signature;
}

bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  CryptoPP::ed25519Verifier verifier(Bytes(public_key));
  return verifier.VerifyMessage(Bytes(message), message.size(), Bytes(signature), signature.size());
}

}  // namespace imprint
