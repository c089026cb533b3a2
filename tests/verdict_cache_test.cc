// The verdict cache in process, with real keys and licenses signed by them:
// a verdict is remembered for its generation of the keys (the same text is
// not verified again), forgotten when the generation moves, and the cache is
// cleared when full.
#define BOOST_TEST_MODULE verdict_cache
#include "pipeline/server/verdict_cache.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/license/license.h"
#include "pipeline/signing/keystore.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

struct Keys {
  Keys() {
    keystore.Init(true);
    trusting.trusted = keystore.Trusted();
    trusting.generation = 1;
    // The same generation, trusting nothing: a cached verdict still says good.
    stranger.generation = 1;
  }
  std::string License(const std::string& name) {
    imprint::License l;
    l.id = NewLicenseId();
    l.issued = "2026-01-01T00:00:00Z";
    l.provider = "https://example.org";
    l.subscriber_id = "id-" + name;
    l.subscriber_name = name;
    l.tier = "individual";
    l.publications = {"monitor"};
    l.start = "2026-01-01T00:00:00Z";
    l.end = "2099-12-31T23:59:59Z";
    return SignLicense(l, keystore.LoadSigningKey());
  }
  TempDir dir;
  Keystore keystore{dir / "keys"};
  KeySnapshot trusting, stranger;
};

BOOST_FIXTURE_TEST_CASE(a_verdict_is_remembered_for_its_generation, Keys) {
  const std::string ada = License("ada");
  BOOST_REQUIRE(VerifyAndParse(ada, stranger.trusted).verdict != SignatureVerdict::kGood);
  VerdictCache cache;
  const VerifiedLicense first = cache.Verify(ada, trusting);
  BOOST_TEST((first.verdict == SignatureVerdict::kGood));
  BOOST_REQUIRE(first.license.has_value());
  BOOST_TEST(first.license->subscriber_name == "ada");
  // Not verified again: the keys of generation 1 said good.
  BOOST_TEST((cache.Verify(ada, stranger).verdict == SignatureVerdict::kGood));
  // Another text is verified with the keys given.
  BOOST_TEST((cache.Verify(License("bob"), stranger).verdict != SignatureVerdict::kGood));
}

BOOST_FIXTURE_TEST_CASE(a_new_generation_of_keys_forgets_every_verdict, Keys) {
  const std::string ada = License("ada");
  VerdictCache cache;
  BOOST_REQUIRE((cache.Verify(ada, trusting).verdict == SignatureVerdict::kGood));
  stranger.generation = 2;  // e.g. the key was revoked
  BOOST_TEST((cache.Verify(ada, stranger).verdict != SignatureVerdict::kGood));
  trusting.generation = 3;
  BOOST_TEST((cache.Verify(ada, trusting).verdict == SignatureVerdict::kGood));
}

BOOST_FIXTURE_TEST_CASE(a_full_cache_is_cleared, Keys) {
  const std::string ada = License("ada"), bob = License("bob"), cy = License("cy");
  VerdictCache cache(2);
  BOOST_REQUIRE((cache.Verify(ada, trusting).verdict == SignatureVerdict::kGood));
  BOOST_REQUIRE((cache.Verify(bob, trusting).verdict == SignatureVerdict::kGood));
  BOOST_TEST((cache.Verify(ada, stranger).verdict == SignatureVerdict::kGood));  // still held
  BOOST_REQUIRE((cache.Verify(cy, trusting).verdict == SignatureVerdict::kGood));  // full: cleared, then cy
  BOOST_TEST((cache.Verify(ada, stranger).verdict != SignatureVerdict::kGood));  // verified anew
  BOOST_TEST((cache.Verify(cy, stranger).verdict == SignatureVerdict::kGood));   // kept after the clear
}

}  // namespace
}  // namespace imprint
