// The access gate on its own, against a real SQLite store: what it reads of
// an Authorization header (hostile ones too), its cache of key hashes, and
// its screen inside the audit commit, which shuts out a key replaced after a
// request was let in from the cache.
#define BOOST_TEST_MODULE access_gate
#include "pipeline/server/access_gate.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "pipeline/base/crypto.h"
#include "pipeline/license/access_key.h"
#include "tests/store_test_support.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using Kind = Presented::Kind;

const std::string kId = "6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61";

std::string Basic(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}

struct Store {
  TempDir dir;
  std::unique_ptr<LicenseStore> store = LicenseStore::Open("sqlite:" + dir / "store.db");
  std::string key = NewAccessKey();
  Store() {
    store->AddLicense(Sample(kId, "Ada"), 100);
    store->SetAccessKeyHash(kId, AccessKeyHash(key));
  }
};

BOOST_AUTO_TEST_CASE(reads_license_basic_and_everything_else) {
  AccessGate gate;
  BOOST_TEST((gate.Read("", 16384).kind == Kind::kNone));
  BOOST_TEST((gate.Read("Bearer x", 16384).kind == Kind::kNone));
  BOOST_TEST((gate.Read("Basically", 16384).kind == Kind::kNone));
  const Presented license = gate.Read("License " + Base64Url("{\"id\":1}"), 16384);
  BOOST_TEST((license.kind == Kind::kLicense));
  BOOST_TEST(license.document == "{\"id\":1}");
  BOOST_TEST((gate.Read("License !!", 16384).kind == Kind::kNone));  // as before: no license
  const Presented basic = gate.Read(Basic(kId, "k:e:y"), 16384);   // the password may hold colons
  BOOST_TEST((basic.kind == Kind::kBasic));
  BOOST_TEST(basic.license_id == kId);
  BOOST_TEST(basic.key == "k:e:y");
  BOOST_TEST(!basic.let_in);  // nothing cached: to be looked up
  BOOST_TEST(AccessGate::NeedsLookup(basic));
  BOOST_TEST((gate.Read("bAsIc   " + Base64Encode(kId + ":k"), 16384).kind == Kind::kBasic));
}

BOOST_AUTO_TEST_CASE(malformed_basic_is_refused_before_any_lookup) {
  AccessGate gate;
  for (const std::string& header : std::vector<std::string>{
           "Basic", "Basic ", "Basic !!!!", "Basic " + Base64Encode(kId + "key"), Basic(kId, ""),
           "Basic " + Base64Encode(kId + ":k") + "=", "Basic " + Base64Encode(kId + ":k").substr(1),
           Basic("not-a-uuid", "k"), Basic(kId + " ", "k"), Basic("6F1C9A52-0D1E-4C1B-9A7E-2B8D3F4E5A61", "k"),
           Basic(std::string("\xff\xfe", 2), "k"), Basic(kId, std::string(257, 'k')),
           Basic(kId, "k") + std::string(20000, 'A')}) {
    BOOST_TEST((gate.Read(header, 16384).kind == Kind::kBadBasic), header.substr(0, 60));
  }
  BOOST_TEST((gate.Read(Basic(kId, std::string(256, 'k')), 16384).kind == Kind::kBasic));
}

BOOST_AUTO_TEST_CASE(a_lookup_lets_the_right_key_in_and_caches_the_hash_not_the_key) {
  Store s;
  AccessGate gate;
  Presented p = gate.Read(Basic(kId, s.key), 16384);
  gate.Lookup(*s.store, &p);
  BOOST_TEST(p.let_in);
  BOOST_TEST(p.key.empty());  // dropped once checked
  BOOST_TEST(p.key_hash == AccessKeyHash(s.key));
  BOOST_TEST(p.document == Sample(kId, "Ada").document);
  // Now from the cache, without the store.
  const Presented cached = gate.Read(Basic(kId, s.key), 16384);
  BOOST_TEST(cached.let_in);
  BOOST_TEST(!AccessGate::NeedsLookup(cached));
  // A wrong key is not let in, from the cache or the store.
  Presented wrong = gate.Read(Basic(kId, s.key + "x"), 16384);
  BOOST_TEST(AccessGate::NeedsLookup(wrong));
  gate.Lookup(*s.store, &wrong);
  BOOST_TEST(!wrong.let_in);
  BOOST_TEST(wrong.document.empty());
  // An unknown license neither.
  Presented unknown = gate.Read(Basic("00000000-0000-4000-8000-000000000000", s.key), 16384);
  gate.Lookup(*s.store, &unknown);
  BOOST_TEST(!unknown.let_in);
}

BOOST_AUTO_TEST_CASE(a_new_key_is_looked_up_and_the_screen_denies_rows_of_the_old_one) {
  Store s;
  AccessGate gate;
  Presented p = gate.Read(Basic(kId, s.key), 16384);
  gate.Lookup(*s.store, &p);
  const Presented before = gate.Read(Basic(kId, s.key), 16384);  // let in from the cache
  BOOST_REQUIRE(before.let_in);
  const std::string next = NewAccessKey();
  s.store->SetAccessKeyHash(kId, AccessKeyHash(next));
  // The old key's row, committed after the change: a denial.
  std::vector<AuditRow> rows(2);
  for (AuditRow& r : rows) {
    r.license_id = kId;
    r.decision = AuditDecision::kPermit;
    r.reason = "permit";
    r.sha256 = "abc";
  }
  rows[0].access_key_hash = before.key_hash;
  rows[0].access_keys_version = before.keys_version;
  gate.Screen(*s.store, &rows);
  BOOST_TEST((rows[0].decision == AuditDecision::kDeny));
  BOOST_TEST(rows[0].reason == kBadAccessKey);
  BOOST_TEST(rows[0].sha256.empty());
  BOOST_TEST((rows[1].decision == AuditDecision::kPermit));  // a License header's row: untouched
  // The cache forgot it: the old key is looked up, and refused; the new one let in.
  Presented old_again = gate.Read(Basic(kId, s.key), 16384);
  BOOST_TEST(AccessGate::NeedsLookup(old_again));
  gate.Lookup(*s.store, &old_again);
  BOOST_TEST(!old_again.let_in);
  Presented fresh = gate.Read(Basic(kId, next), 16384);
  gate.Lookup(*s.store, &fresh);
  BOOST_TEST(fresh.let_in);
  BOOST_TEST(fresh.keys_version == s.store->AccessKeysVersion());
  std::vector<AuditRow> later(1, rows[1]);
  later[0].access_key_hash = fresh.key_hash;
  later[0].access_keys_version = fresh.keys_version;
  gate.Screen(*s.store, &later);
  BOOST_TEST((later[0].decision == AuditDecision::kPermit));
  // A key let in at an older version, still the license's: permitted after its check.
  later[0].access_keys_version = 0;
  gate.Screen(*s.store, &later);
  BOOST_TEST((later[0].decision == AuditDecision::kPermit));
}

// For the routes that write no audit row: a key let in from the cache is
// confirmed against the store, and one replaced meanwhile is shut out.
BOOST_AUTO_TEST_CASE(confirm_shuts_out_a_cached_key_replaced_meanwhile) {
  Store s;
  AccessGate gate;
  Presented p = gate.Read(Basic(kId, s.key), 16384);
  gate.Lookup(*s.store, &p);
  p = gate.Read(Basic(kId, s.key), 16384);
  BOOST_REQUIRE(p.let_in);  // from the cache
  gate.Confirm(*s.store, &p);
  BOOST_TEST(p.let_in);  // still the license's key
  p = gate.Read(Basic(kId, s.key), 16384);
  s.store->SetAccessKeyHash(kId, AccessKeyHash(NewAccessKey()));
  BOOST_REQUIRE(p.let_in);  // the cache does not know yet
  gate.Confirm(*s.store, &p);
  BOOST_TEST(!p.let_in);
  BOOST_TEST(p.document.empty());
  BOOST_TEST(AccessGate::NeedsLookup(gate.Read(Basic(kId, s.key), 16384)));  // forgotten
}

BOOST_AUTO_TEST_CASE(the_challenge_is_the_one_koreader_and_kybook_answer) {
  BOOST_TEST(std::string(kBasicChallenge) == "Basic realm=\"Jamestown Foundation editions\", charset=\"UTF-8\"");
  AuditRow row;
  row.reason = "no_license";
  BOOST_TEST(ChallengeFor(row) == kBasicChallenge);
  row.reason = kBadAccessKey;
  BOOST_TEST(ChallengeFor(row) == kBasicChallenge);
  row.reason = "bad_signature";  // a license header's
  BOOST_TEST(ChallengeFor(row) == std::string("License"));
  row.access_key_hash = AccessKeyHash("k");  // the store's document, let in by Basic
  BOOST_TEST(ChallengeFor(row) == kBasicChallenge);
}

}  // namespace
}  // namespace imprint
