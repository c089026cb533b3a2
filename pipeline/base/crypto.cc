#include "pipeline/base/crypto.h"

#include <crypto++/blake2.h>
#include <crypto++/osrng.h>
#include <crypto++/sha.h>
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

bool Base64Decode(std::string_view text, std::string* bytes) {
  // Strict: only the alphabet, '=' padding at the end, whole quanta. (Crypto++'s
  // decoder skips what it does not know, silently.)
  if (text.size() % 4 != 0) return false;
  static const auto kValues = [] {
    std::array<int8_t, 256> v{};
    v.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    return v;
  }();
  bytes->clear();
  bytes->reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=' && text[i + 3] == '=') : 0;
    uint32_t n = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (k >= 4 - pad) {
        n <<= 6;
        continue;
      }
      const int8_t v = kValues[static_cast<unsigned char>(c)];
      if (v < 0) return false;
      n = (n << 6) | static_cast<uint32_t>(v);
    }
    bytes->push_back(static_cast<char>(n >> 16));
    if (pad < 2) bytes->push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) bytes->push_back(static_cast<char>(n & 0xFF));
  }
  return true;
}

bool Base64UrlDecode(std::string_view text, std::string* bytes) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/') return false;
  }
  while (standard.size() % 4 != 0) standard += '=';
  return Base64Decode(standard, bytes);
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
