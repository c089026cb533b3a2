// Checkpoints as C2SP signed notes, against the rules of c2sp.org/signed-note
// and c2sp.org/tlog-checkpoint, and the signed-note spec's own example key.
#define BOOST_TEST_MODULE checkpoint
#include "pipeline/signing/checkpoint.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/base/crypto.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

struct Fixture {
  Fixture() : signer(RandomBytes(32)) {
    KeyEntry e;
    e.key = PublicKey{RandomBytes(8), signer.public_key()};
    e.status = KeyStatus::kCurrent;
    trusted.entries.push_back(e);
    checkpoint = {"jamestown.org/imprint/audit/TEST", 354000, Sha256("head")};
    note = SignCheckpoint(checkpoint, signer);
  }
  Ed25519Signer signer;
  TrustedKeys trusted;
  Checkpoint checkpoint;
  std::string note;
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

BOOST_FIXTURE_TEST_CASE(a_signed_checkpoint_has_the_specs_form_and_verifies, Fixture) {
  // Origin, size, base64 hash, a blank line, "— NAME base64(key hash || signature)".
  const std::string text = "jamestown.org/imprint/audit/TEST\n354000\n" + Base64Encode(Sha256("head")) + "\n";
  BOOST_TEST(CheckpointText(checkpoint) == text);
  const std::string prefix = text + "\n\xE2\x80\x94 jamestown.org/imprint/audit/TEST ";
  BOOST_REQUIRE(note.rfind(prefix, 0) == 0);
  BOOST_TEST(note.back() == '\n');
  std::string sig;
  BOOST_REQUIRE(Base64Decode(note.substr(prefix.size(), note.size() - prefix.size() - 1), &sig));
  BOOST_REQUIRE_EQUAL(sig.size(), 4u + 64u);
  // The key hash: SHA-256(name || 0x0A || 0x01 || public key)[:4].
  BOOST_TEST(sig.substr(0, 4) ==
             Sha256("jamestown.org/imprint/audit/TEST\n\x01" + signer.public_key()).substr(0, 4));
  BOOST_TEST(Ed25519Verify(signer.public_key(), text, sig.substr(4)));  // over the text, its newline included

  const CheckpointVerdict v = VerifyCheckpoint(note, trusted);
  BOOST_TEST(v.ok, v.problem);
  BOOST_TEST(v.checkpoint.origin == checkpoint.origin);
  BOOST_TEST(v.checkpoint.size == 354000);
  BOOST_TEST(v.checkpoint.hash == checkpoint.hash);
  BOOST_TEST(v.key_id == trusted.entries[0].key.IdText());
  // An empty log: size 0.
  BOOST_TEST(VerifyCheckpoint(SignCheckpoint({"x.example/log", 0, std::string(32, '\0')}, signer), trusted).ok);
}

// An independent referee (tests/tools/checkpoint-referee.mjs: Node's SHA-256
// and Ed25519, from the specs) accepts what Imprint signs, and not a change.
BOOST_FIXTURE_TEST_CASE(an_independent_implementation_accepts_imprint_checkpoints, Fixture) {
  TempDir dir;
  const std::string referee = SourceDir() + "/tests/tools/checkpoint-referee.mjs";
  WriteAll(dir / "good", note);
  const ProcessResult ok = Run("/usr/bin/node", {referee, dir / "good", Base64Encode(signer.public_key())});
  BOOST_TEST(ok.exit_code == 0, ok.out << ok.err);
  BOOST_TEST(ok.out == "ok jamestown.org/imprint/audit/TEST 354000\n");
  WriteAll(dir / "changed", Replace(note, "354000", "354001"));
  const ProcessResult changed = Run("/usr/bin/node", {referee, dir / "changed", Base64Encode(signer.public_key())});
  BOOST_TEST(changed.exit_code == 1);
  BOOST_TEST(changed.out == "bad signature\n");
}

BOOST_AUTO_TEST_CASE(the_key_hash_and_signature_of_the_signed_note_specs_example) {
  // c2sp.org/signed-note, "Verifier keys": example.com/foo+530d903a+<base64(0x01 || key)>.
  std::string vkey;
  BOOST_REQUIRE(Base64Decode("AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", &vkey));
  BOOST_REQUIRE_EQUAL(vkey.size(), 33u);
  BOOST_REQUIRE_EQUAL(vkey[0], '\x01');
  const std::string key = vkey.substr(1);
  BOOST_TEST(Hex(NoteKeyHash("example.com/foo", key)) == "530d903a");
  std::string sig;
  BOOST_REQUIRE(Base64Decode(
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=", &sig));
  BOOST_TEST(Hex(sig.substr(0, 4)) == "530d903a");
  BOOST_TEST(Ed25519Verify(key, "This is an example message.\n", sig.substr(4)));
}

BOOST_FIXTURE_TEST_CASE(the_tlog_checkpoint_specs_example_parses_but_no_key_of_ours_signed_it, Fixture) {
  const std::string example =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
      "\xE2\x80\x94 example.com/behind-the-sofa "
      "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
  const CheckpointVerdict v = VerifyCheckpoint(example, trusted);
  BOOST_TEST(!v.ok);
  BOOST_TEST(v.checkpoint.size == 20852163);
  BOOST_TEST(v.problem.find("signed by no trusted key") != std::string::npos, v.problem);
}

BOOST_FIXTURE_TEST_CASE(changed_or_foreign_checkpoints_are_refused_with_why, Fixture) {
  const auto problem = [this](const std::string& n) {
    const CheckpointVerdict v = VerifyCheckpoint(n, trusted);
    return v.ok ? std::string("ok") : v.problem;
  };
  BOOST_TEST(problem(Replace(note, "354000", "354001")).find("bad signature") == 0);
  BOOST_TEST(problem(Replace(note, "354000", "353999")).find("bad signature") == 0);
  // Another key, same name: ignored, so no trusted signature is left.
  const Ed25519Signer other(RandomBytes(32));
  BOOST_TEST(problem(SignCheckpoint(checkpoint, other)).find("signed by no trusted key") == 0);
  // A signature line under another name (a witness) is ignored, ours still counts.
  const std::string witness = SignCheckpoint({"witness.example", 354000, checkpoint.hash}, other);
  BOOST_TEST(problem(note + witness.substr(witness.rfind("\xE2\x80\x94"))) == "ok");
  // A second signature by our key that does not verify rejects the whole note.
  const std::string forged = SignCheckpoint({checkpoint.origin, 1, checkpoint.hash}, signer);
  BOOST_TEST(problem(note + forged.substr(forged.rfind("\xE2\x80\x94"))).find("bad signature") == 0);
  // Our key, revoked.
  TrustedKeys revoked = trusted;
  revoked.entries[0].status = KeyStatus::kRevoked;
  revoked.entries[0].reason = "laptop stolen";
  BOOST_TEST(VerifyCheckpoint(note, revoked).problem.find("revoked key") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(malformed_notes_are_refused, Fixture) {
  const auto refused = [this](const std::string& n) { return !VerifyCheckpoint(n, trusted).ok; };
  const std::string text = CheckpointText(checkpoint);
  const std::string sig_line = note.substr(text.size() + 1);
  BOOST_TEST(refused(""));
  BOOST_TEST(refused(text));                                       // no signature
  BOOST_TEST(refused(text + sig_line));                            // no blank line
  BOOST_TEST(refused(note.substr(0, note.size() - 1)));            // no final newline
  BOOST_TEST(refused(Replace(note, "\xE2\x80\x94 ", "- ")));       // a hyphen, not an em dash
  BOOST_TEST(refused(Replace(note, "\xE2\x80\x94 ", "\xE2\x80\x94")));
  BOOST_TEST(refused(Replace(note, "354000\n", "354000\r\n")));    // a control character
  BOOST_TEST(refused(Replace(note, "TEST\n", "TEST\xC0\xAF\n")));  // not UTF-8 (overlong)
  BOOST_TEST(refused(Replace(note, "\n354000", "\n0354000")));     // a leading zero
  BOOST_TEST(refused(Replace(note, "\n354000", "\n-1")));
  BOOST_TEST(refused(Replace(note, "\n354000", "\n99999999999999999999")));
  BOOST_TEST(refused(Replace(note, Base64Encode(checkpoint.hash), Base64Encode(checkpoint.hash.substr(1)))));
  BOOST_TEST(refused(Replace(note, Base64Encode(checkpoint.hash), "not base64!")));
  BOOST_TEST(refused("\n" + note));                                // an empty origin
  BOOST_TEST(refused("a\n" + note));                               // four lines, the second not a size
  BOOST_TEST(refused(note + "\xE2\x80\x94 x\n"));                  // a signature line without a signature
  std::string many = note;
  for (int i = 0; i < 101; ++i) many += sig_line;
  BOOST_TEST(refused(many));
  BOOST_TEST(!refused(many.substr(0, note.size() + 15 * sig_line.size())));  // 16 are accepted
}

BOOST_AUTO_TEST_CASE(key_names_and_the_default_origin) {
  BOOST_TEST(IsValidNoteKeyName("jamestown.org/imprint/audit/8A3F21C07D5E9B14"));
  for (const std::string& bad : std::vector<std::string>{"", "a b", "a+b", "a\tb", "caf\xC3\xA9", std::string(256, 'a')}) {
    BOOST_TEST(!IsValidNoteKeyName(bad), bad);
  }
  // Named by the keyring's first key, which rotation keeps.
  KeyEntry first, second;
  first.key = PublicKey{std::string("\x14\x9b\x5e\x7d\xc0\x21\x3f\x8a", 8), std::string(32, 'k')};
  second.key = PublicKey{std::string(8, '\x01'), std::string(32, 'l')};
  BOOST_TEST(DefaultLogOrigin({first}) == "jamestown.org/imprint/audit/8A3F21C07D5E9B14");
  BOOST_TEST(DefaultLogOrigin({first, second}) == DefaultLogOrigin({first}));
}

}  // namespace
}  // namespace imprint
