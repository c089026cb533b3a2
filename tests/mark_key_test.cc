// The mark key: made once on first use, owner-only, beside the signing keys;
// refused when others can read it or it is not a mark key (its text never
// echoed); the same tags for the same secret, different ones for another.
#define BOOST_TEST_MODULE mark_key
#include "pipeline/signing/mark_key.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"
#include "pipeline/signing/keystore.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(made_once_owner_only_and_kept) {
  TempDir dir;
  BOOST_TEST(!MarkKey::Load(dir.path()).has_value());
  const MarkKey made = MarkKey::LoadOrCreate(dir.path());
  const std::string file = dir / MarkKey::kFileName;
  struct stat st;
  BOOST_REQUIRE(::stat(file.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  BOOST_TEST(made.Tag("a") == MarkKey::LoadOrCreate(dir.path()).Tag("a"));
  BOOST_TEST(made.Tag("a") == MarkKey::Load(dir.path())->Tag("a"));
  BOOST_TEST(made.Tag("a") != made.Tag("b"));
  BOOST_TEST(made.Tag("a").size() == 32u);
  BOOST_TEST(FilesBelow(dir.path()).size() == 1u);  // no temporary file left
  TempDir other;
  BOOST_TEST(MarkKey::LoadOrCreate(other.path()).Tag("a") != made.Tag("a"));
}

BOOST_AUTO_TEST_CASE(refused_when_others_can_read_it_or_it_is_not_a_key) {
  TempDir dir;
  MarkKey::LoadOrCreate(dir.path());
  const std::string file = dir / MarkKey::kFileName;
  ::chmod(file.c_str(), 0644);
  BOOST_CHECK_THROW(MarkKey::Load(dir.path()), Error);
  ::chmod(file.c_str(), 0600);
  WriteAll(file, "untrusted comment: imprint mark key - keep private, never publish\nSECRETSECRET\n");
  ::chmod(file.c_str(), 0600);
  try {
    MarkKey::Load(dir.path());
    BOOST_ERROR("a bad key was loaded");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("SECRET") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(gaps_hash_both_words_in_order) {
  const MarkKey key = MarkKey::FromSecret(std::string(32, 'k'));
  MarkKey::Gaps gaps(key), again(key), other(MarkKey::FromSecret(std::string(32, 'j')));
  const uint64_t red_fox = gaps.Of("red", "fox");
  BOOST_TEST(red_fox == again.Of("red", "fox"));
  BOOST_TEST(red_fox == gaps.Of("red", "fox"));  // the hasher is ready again after each
  BOOST_TEST(red_fox != gaps.Of("fox", "red"));
  BOOST_TEST(gaps.Of("re", "dfox") != red_fox);
  BOOST_TEST(red_fox != other.Of("red", "fox"));
}

// The signing keys' rotation and revocation clean the keystore folder of
// what is not theirs to keep: the mark key is kept (a new one would orphan
// every marked copy).
BOOST_AUTO_TEST_CASE(rotating_and_revoking_signing_keys_keeps_the_mark_key) {
  TempDir dir;
  Keystore keystore(dir / "keys");
  const KeyEntry first = keystore.Init(/*development=*/true);
  const std::string tag = MarkKey::LoadOrCreate(keystore.dir()).Tag("a");
  keystore.Rotate();
  keystore.Revoke(first.key.IdText(), "test");
  keystore.Rotate();
  BOOST_REQUIRE(MarkKey::Load(keystore.dir()).has_value());
  BOOST_TEST(MarkKey::Load(keystore.dir())->Tag("a") == tag);
}

}  // namespace
}  // namespace imprint
