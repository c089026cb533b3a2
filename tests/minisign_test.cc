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

// Imprint's trusted comment: one builder and one reader (minisign owns the
// format; verify and the server's copies use them).
BOOST_AUTO_TEST_CASE(trusted_comments_are_built_in_one_form_and_read_back) {
  const std::string built = FormatTrustedComment({"monitor-v05-i077.md", "monitor/v05/i077", "ab12", ""});
  BOOST_TEST(built == "file:monitor-v05-i077.md\tedition:monitor/v05/i077\tinputs:sha256:ab12");
  const std::string copy = FormatTrustedComment({"monitor-v05-i077.epub", "monitor/v05/i077", "", "L-1"});
  BOOST_TEST(copy == "file:monitor-v05-i077.epub\tedition:monitor/v05/i077\tlicense:L-1");
  for (const TrustedCommentFields& f : {TrustedCommentFields{"a.md", "p/v01/i001", "ff", ""},
                                        TrustedCommentFields{"a.md", "catalog", "", "L"},
                                        TrustedCommentFields{"", "", "", ""}}) {
    const TrustedCommentFields back = ParseTrustedComment(FormatTrustedComment(f));
    BOOST_TEST(back.file == f.file);
    BOOST_TEST(back.edition == f.edition);
    BOOST_TEST(back.inputs_sha256 == f.inputs_sha256);
    BOOST_TEST(back.license == f.license);
  }
}

BOOST_AUTO_TEST_CASE(a_trusted_comment_is_read_by_whole_field_names_first_one_winning) {
  // Another signer's comment (minisign's own default) names no file.
  BOOST_TEST(ParseTrustedComment("timestamp:1700000000\tfile:x.md\thashed").file == "x.md");
  BOOST_TEST(ParseTrustedComment("timestamp:1700000000").file.empty());
  BOOST_TEST(ParseTrustedComment("").file.empty());
  // "filename:" is not "file:"; a second file field does not override the first.
  BOOST_TEST(ParseTrustedComment("filename:evil.md\tfile:good.md").file == "good.md");
  BOOST_TEST(ParseTrustedComment("file:good.md\tfile:evil.md").file == "good.md");
  // A field's value may hold colons; the tab ends it.
  const TrustedCommentFields f = ParseTrustedComment("edition:a:b\tlicense:L:1\tinputs:sha256:00");
  BOOST_TEST(f.edition == "a:b");
  BOOST_TEST(f.license == "L:1");
  BOOST_TEST(f.inputs_sha256 == "00");
}

BOOST_FIXTURE_TEST_CASE(the_comment_of_a_verified_signature_reads_back, Fixture) {
  const std::string comment = FormatTrustedComment({"f.html", "monitor/v05/i077", "", "L-9"});
  const SignatureCheck check = VerifyMinisign(SignMinisign(signer, key.id, "bytes", comment), "bytes", {key});
  BOOST_REQUIRE(check.ok);
  BOOST_TEST(ParseTrustedComment(check.trusted_comment).license == "L-9");
  BOOST_TEST(ParseTrustedComment(check.trusted_comment).file == "f.html");
}

}  // namespace
}  // namespace imprint
