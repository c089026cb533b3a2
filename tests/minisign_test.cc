// minisign's formats, refereed by the stock minisign in both directions: it
// accepts what Imprint signs, and Imprint accepts what it signs.
#define BOOST_TEST_MODULE minisign
#include "pipeline/signing/minisign.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

struct Fixture {
  Fixture() : signer(RandomBytes(32)), key{RandomBytes(8), signer.public_key()} {}
  Ed25519Signer signer;
  PublicKey key;
};

BOOST_FIXTURE_TEST_CASE(stock_minisign_accepts_imprint_signatures, Fixture) {
  TempDir dir;
  WriteAll(dir / "key.pub", FormatPublicKey(key));
  for (const std::string& content : {std::string(), std::string("x"), std::string(100000, '\xff')}) {
    WriteAll(dir / "file", content);
    WriteAll(dir / "file.minisig", SignMinisign(signer, key.id, content, "file:file\tedition:x"));
    const ProcessResult r = Run("/usr/bin/minisign", {"-V", "-p", dir / "key.pub", "-m", dir / "file"});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(r.out.find("Trusted comment: file:file\tedition:x") != std::string::npos, r.out);
    // -H: minisign insists on the pre-hashed algorithm, which Imprint writes.
    BOOST_TEST(Run("/usr/bin/minisign", {"-H", "-V", "-p", dir / "key.pub", "-m", dir / "file"}).exit_code == 0);
  }
}

BOOST_FIXTURE_TEST_CASE(stock_minisign_rejects_changes, Fixture) {
  TempDir dir;
  WriteAll(dir / "key.pub", FormatPublicKey(key));
  WriteAll(dir / "file", "content");
  std::string sig = SignMinisign(signer, key.id, "content", "trusted");
  WriteAll(dir / "file.minisig", sig);
  WriteAll(dir / "file", "c0ntent");
  ProcessResult r = Run("/usr/bin/minisign", {"-V", "-p", dir / "key.pub", "-m", dir / "file"});
  BOOST_TEST(r.exit_code == 1);
  WriteAll(dir / "file", "content");
  sig.replace(sig.find("trusted comment: trusted"), 24, "trusted comment: trustee");
  WriteAll(dir / "file.minisig", sig);
  r = Run("/usr/bin/minisign", {"-V", "-p", dir / "key.pub", "-m", dir / "file"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("Comment signature verification failed") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(imprint_accepts_stock_minisign_signatures_and_key_ids_match) {
  TempDir dir;
  BOOST_REQUIRE_EQUAL(Run("/usr/bin/minisign", {"-G", "-W", "-p", dir / "m.pub", "-s", dir / "m.key"}).exit_code, 0);
  WriteAll(dir / "file", "signed by the stock tool");
  BOOST_REQUIRE_EQUAL(Run("/usr/bin/minisign", {"-S", "-s", dir / "m.key", "-m", dir / "file", "-t", "hello"}).exit_code, 0);
  const PublicKey key = ParsePublicKey(ReadAll(dir / "m.pub"), "m.pub");
  const SignatureCheck check = VerifyMinisign(ReadAll(dir / "file.minisig"), ReadAll(dir / "file"), {key});
  BOOST_TEST(check.ok, check.reason);
  BOOST_TEST(check.trusted_comment == "hello");
  // minisign names its key in the public key file's comment, as IdText() does.
  BOOST_TEST(ReadAll(dir / "m.pub").find("minisign public key " + key.IdText()) != std::string::npos);
  std::string id;
  BOOST_TEST(ParseKeyIdText(key.IdText(), &id));
  BOOST_TEST(id == key.id);
}

BOOST_AUTO_TEST_CASE(key_ids_with_leading_zeros_print_short_and_parse_back) {
  // minisign prints the id as a little-endian integer without leading zeros:
  // one key in sixteen has fewer than 16 digits.
  for (const std::string& raw : {std::string("\x08\x21\x4B\x98\x96\x09\xAC\x07", 8),
                                 std::string("\x01\0\0\0\0\0\0\0", 8), std::string(8, '\xFF')}) {
    const PublicKey key{raw, std::string(32, 'k')};
    std::string id;
    BOOST_TEST_REQUIRE(ParseKeyIdText(key.IdText(), &id), key.IdText());
    BOOST_TEST(id == raw);
    const PublicKey back = ParsePublicKey(FormatPublicKey(key), "k.pub");
    BOOST_TEST(back.IdText() == key.IdText());
  }
  const auto id_text = [](const std::string& raw) { return PublicKey{raw, ""}.IdText(); };
  BOOST_TEST(id_text(std::string("\x08\x21\x4B\x98\x96\x09\xAC\x07", 8)) == "7AC0996984B2108");
  BOOST_TEST(id_text(std::string("\x01\0\0\0\0\0\0\0", 8)) == "1");
  std::string id;
  BOOST_TEST(!ParseKeyIdText("", &id));
  BOOST_TEST(!ParseKeyIdText("12345678901234567", &id));
  BOOST_TEST(!ParseKeyIdText("12G4", &id));
}

BOOST_FIXTURE_TEST_CASE(verify_names_the_problem, Fixture) {
  const std::string sig = SignMinisign(signer, key.id, "data", "c");
  BOOST_TEST(VerifyMinisign(sig, "data", {key}).ok);
  BOOST_TEST(VerifyMinisign(sig, "dataX", {key}).reason.find("signature verification failed") == 0u);
  const Ed25519Signer other(RandomBytes(32));
  const PublicKey other_key{RandomBytes(8), other.public_key()};
  BOOST_TEST(VerifyMinisign(sig, "data", {other_key}).reason == "unknown key " + key.IdText());
  std::string comment_changed = sig;
  comment_changed.replace(comment_changed.find("trusted comment: c"), 18, "trusted comment: d");
  BOOST_TEST(VerifyMinisign(comment_changed, "data", {key}).reason ==
             "trusted comment signature verification failed");
  BOOST_TEST(VerifyMinisign("garbage", "data", {key}).reason == "malformed signature file");
  // The same key id with another key's bytes: the signature does not check out.
  const PublicKey impostor{key.id, other.public_key()};
  BOOST_TEST(!VerifyMinisign(sig, "data", {impostor}).ok);
}

BOOST_FIXTURE_TEST_CASE(signing_is_deterministic, Fixture) {
  BOOST_TEST(SignMinisign(signer, key.id, "x", "c") == SignMinisign(signer, key.id, "x", "c"));
}

BOOST_AUTO_TEST_CASE(bad_public_keys_are_errors_naming_the_file) {
  BOOST_CHECK_THROW(ParsePublicKey("nothing", "k.pub"), Error);
  BOOST_CHECK_THROW(ParsePublicKey("untrusted comment: x\nRWQ=\n", "k.pub"), Error);
}

}  // namespace
}  // namespace imprint
