// The primitives against published test vectors.
#define BOOST_TEST_MODULE crypto
#include "pipeline/base/crypto.h"

#include <boost/test/unit_test.hpp>
#include <optional>
#include <cmath>

namespace imprint {
namespace {

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

BOOST_AUTO_TEST_CASE(sha256_vectors) {
  BOOST_TEST(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(blake2b_512_vector) {
  // RFC 7693, appendix A.
  BOOST_TEST(Hex(Blake2b512("abc")) ==
             "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
             "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

BOOST_AUTO_TEST_CASE(ed25519_rfc8032_test_1) {
  const Ed25519Signer signer(FromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  BOOST_TEST(Hex(signer.public_key()) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string sig = signer.Sign("");
  BOOST_TEST(Hex(sig) ==
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
             "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  BOOST_TEST(Ed25519Verify(signer.public_key(), "", sig));
  BOOST_TEST(!Ed25519Verify(signer.public_key(), "x", sig));
  BOOST_TEST(!Ed25519Verify(signer.public_key(), "", sig.substr(1)));
}

BOOST_AUTO_TEST_CASE(base64_round_trip_and_strictness) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    std::string back;
    BOOST_TEST(Base64Decode(Base64Encode(s), &back));
    BOOST_TEST(back == s);
  }
  BOOST_TEST(Base64Encode(std::string(100, 'x')).find('\n') == std::string::npos);
  std::string out;
  BOOST_TEST(!Base64Decode("Zm9v!mFy", &out));
  BOOST_TEST(!Base64Decode("Zm9", &out));
  BOOST_TEST(!Base64Decode("Zm=v", &out));
}

BOOST_AUTO_TEST_CASE(random_bytes_differ_and_compare_in_constant_time) {
  BOOST_TEST(RandomBytes(32).size() == 32u);
  BOOST_TEST(RandomBytes(32) != RandomBytes(32));
  BOOST_TEST(ConstantTimeEquals("abc", "abc"));
  BOOST_TEST(!ConstantTimeEquals("abc", "abd"));
  BOOST_TEST(!ConstantTimeEquals("abc", "ab"));
}

// Moved from server_test with Base64UrlDecode (the license's transport in
// "Authorization: License ...").
BOOST_AUTO_TEST_CASE(base64url) {
  std::string out;
  BOOST_TEST(Base64UrlDecode("aGk_Pz4-", &out));
  BOOST_TEST(out == "hi?" "?>>");  // split: "??>" would be a trigraph
  BOOST_TEST(Base64UrlDecode("aGk", &out));
  BOOST_TEST(out == "hi");
  BOOST_TEST(!Base64UrlDecode("aGk/Pz4+", &out));
  BOOST_TEST(!Base64UrlDecode("a*b", &out));
}

// The decoders read four characters at a time (a license is decoded on every
// download); against a plain reading, one character at a time, of what
// Base64 (RFC 4648) allows, on every short string of a small alphabet that
// holds both alphabets' last characters, padding and a stranger. Found in
// review: "QR==" was read as "A" beside "QQ==" (a second spelling of a
// signature); the bits past the last byte must be zero.
std::optional<std::string> PlainDecode(std::string text, bool url) {
  if (url) {
    if (text.find_first_of("+/") != std::string::npos) return std::nullopt;
    for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
    if (text.find('=') == std::string::npos) {
      if (text.size() % 4 == 1) return std::nullopt;
      while (text.size() % 4 != 0) text += '=';
    }
  }
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string bits;
  for (size_t i = 0; i < text.size() - pad; ++i) {
    const size_t v = alphabet.find(text[i]);
    if (v == std::string::npos) return std::nullopt;
    for (int b = 5; b >= 0; --b) bits += ((v >> b) & 1) ? '1' : '0';
  }
  std::string out;
  for (size_t i = 0; i + 8 <= bits.size(); i += 8) out += static_cast<char>(std::stoi(bits.substr(i, 8), nullptr, 2));
  // The bits past the last byte must be zero (RFC 4648, 3.5).
  if (bits.find('1', out.size() * 8) != std::string::npos) return std::nullopt;
  return out;
}

BOOST_AUTO_TEST_CASE(base64_decoders_agree_with_a_plain_reading) {
  const std::string letters = "Aa09+/-_=*";
  int accepted = 0;
  for (size_t length = 0; length <= 6; ++length) {
    std::string text(length, 'A');
    for (size_t n = 0, total = static_cast<size_t>(std::pow(letters.size(), length)); n < total; ++n) {
      for (size_t i = 0, k = n; i < length; ++i, k /= letters.size()) text[i] = letters[k % letters.size()];
      for (const bool url : {false, true}) {
        std::string got;
        const bool ok = url ? Base64UrlDecode(text, &got) : Base64Decode(text, &got);
        const std::optional<std::string> want = PlainDecode(text, url);
        BOOST_TEST(ok == want.has_value(), (url ? "url " : "") << "'" << text << "'");
        if (ok && want) BOOST_TEST(got == *want, (url ? "url " : "") << "'" << text << "'");
        accepted += ok;
      }
    }
  }
  BOOST_TEST(accepted > 1000);
  std::string out;
  BOOST_TEST(Base64Decode("QQ==", &out));
  BOOST_TEST(!Base64Decode("QR==", &out));
  BOOST_TEST(!Base64UrlDecode("QR", &out));
}

// The marks' keyed hashes (text_marks) against their published vectors:
// RFC 4231's test case 2, and SipHash-2-4's paper (key 00..0f).
BOOST_AUTO_TEST_CASE(hmac_sha256_and_siphash_match_their_reference_vectors) {
  BOOST_TEST(Hex(HmacSha256("Jefe", "what do ya want for nothing?")) ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string key, message;
  for (int i = 0; i < 16; ++i) key.push_back(static_cast<char>(i));
  for (int i = 0; i < 15; ++i) message.push_back(static_cast<char>(i));
  SipHasher sip(key);  // one hasher, many messages: each hashed afresh
  BOOST_TEST(sip.Hash("") == 0x726fdb47dd0e0e31ULL);
  BOOST_TEST(sip.Hash(message) == 0xa129ca6149be45e5ULL);
  BOOST_TEST(sip.Hash(message.substr(0, 8)) == 0x93f5f5799a932462ULL);
  BOOST_TEST(sip.Hash("") == 0x726fdb47dd0e0e31ULL);
}

}  // namespace
}  // namespace imprint
