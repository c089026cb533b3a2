// The keystore on a real folder: permissions, refusal to overwrite, rotation
// and revocation.
#define BOOST_TEST_MODULE keystore
#include "pipeline/keystore.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "pipeline/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

mode_t Mode(const std::string& path) {
  struct stat st;
  BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

BOOST_AUTO_TEST_CASE(init_makes_owner_only_files_and_refuses_to_overwrite) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  const KeyEntry key = keystore.Init(false);
  BOOST_TEST(Mode(dir / "keys") == 0700u);
  BOOST_TEST(Mode(dir / ("keys/" + key.key.IdText() + ".key")) == 0600u);
  BOOST_TEST(Mode(dir / "keys/keyring.json") == 0600u);
  BOOST_CHECK_THROW(keystore.Init(false), Error);
  const SigningKey signing = keystore.LoadSigningKey();
  BOOST_TEST(signing.key.id == key.key.id);
  BOOST_TEST(signing.signer.public_key() == key.key.key);
}

BOOST_AUTO_TEST_CASE(secret_readable_by_others_is_refused) {
  TempDir dir;
  Keystore keystore(dir.path());
  const KeyEntry key = keystore.Init(false);
  chmod((dir / (key.key.IdText() + ".key")).c_str(), 0644);
  BOOST_CHECK_THROW(keystore.LoadSigningKey(), Error);
}

BOOST_AUTO_TEST_CASE(rotation_keeps_old_public_keys_and_drops_old_secrets) {
  TempDir dir;
  Keystore keystore(dir.path());
  const KeyEntry first = keystore.Init(true);
  const KeyEntry second = keystore.Rotate();
  const auto keys = keystore.Keys();
  BOOST_REQUIRE_EQUAL(keys.size(), 2u);
  BOOST_TEST(keys[0].key.id == first.key.id);
  BOOST_TEST(keys[0].status == "retired");
  BOOST_TEST(keys[1].status == "current");
  BOOST_TEST(keystore.LoadSigningKey().key.id == second.key.id);
  BOOST_TEST(FilesBelow(dir.path()) ==
                 (std::vector<std::string>{second.key.IdText() + ".key", "keyring.json"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(revocation_records_the_reason) {
  TempDir dir;
  Keystore keystore(dir.path());
  const KeyEntry first = keystore.Init(false);
  keystore.Rotate();
  const KeyEntry revoked = keystore.Revoke(first.key.IdText(), "laptop stolen");
  BOOST_TEST(revoked.status == "revoked");
  BOOST_TEST(keystore.Keys()[0].reason == "laptop stolen");
  BOOST_CHECK_THROW(keystore.Revoke("0123ABCD", ""), Error);
  BOOST_CHECK_THROW(keystore.Revoke("not-hex", ""), Error);
  // Revoking the current key leaves nothing to sign with.
  keystore.Revoke(keystore.Keys()[1].key.IdText(), "");
  BOOST_CHECK_THROW(keystore.LoadSigningKey(), Error);
}

BOOST_AUTO_TEST_CASE(exported_keys_and_trusted_keys) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  const KeyEntry first = keystore.Init(false);
  const KeyEntry second = keystore.Rotate();
  keystore.Revoke(first.key.IdText(), "compromised");
  keystore.ExportPublicKeys(dir / "out");
  BOOST_TEST(ReadAll(dir / "out/keys/imprint.pub") == FormatPublicKey(second.key));
  const TrustedKeys trusted = LoadTrustedKeys({dir / "out/keys/keyring.json"});
  BOOST_TEST(trusted.Usable().size() == 1u);
  BOOST_TEST(trusted.Find(first.key.id)->reason == "compromised");
  // A revocation in a keyring wins over the same key given as a .pub file.
  WriteAll(dir / "first.pub", FormatPublicKey(first.key));
  const TrustedKeys both = LoadTrustedKeys({dir / "first.pub", dir / "out/keys/keyring.json"});
  BOOST_TEST(both.Find(first.key.id)->status == "revoked");
  BOOST_CHECK_THROW(LoadTrustedKeys({dir / "out/keys/imprint.pub.missing"}), Error);
}

}  // namespace
}  // namespace imprint
