// The revocation list in process against a real SQLite store, revoked
// through other connections as `imprint license revoke` would: what Refresh
// loads, when it reloads, what Find says at a time, and how Screen turns rows
// into denials.
#define BOOST_TEST_MODULE revocation_list
#include "pipeline/server/revocation_list.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"
#include "pipeline/license/license.h"
#include "pipeline/signing/keystore.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

struct Store {
  Store() { keystore.Init(true); }
  // A license in the store, as `imprint license issue` keeps it; its id.
  std::string Add() {
    StoredLicense l;
    l.license.id = NewLicenseId();
    l.license.issued = l.license.start = "2026-01-01T00:00:00Z";
    l.license.end = "2099-12-31T23:59:59Z";
    l.license.provider = "https://example.org";
    l.license.subscriber_id = l.license.subscriber_name = "ada";
    l.license.tier = "individual";
    l.license.publications = {"monitor"};
    l.document = SignLicense(l.license, keystore.LoadSigningKey());
    Open()->AddLicense(l, 1000);
    return l.license.id;
  }
  std::unique_ptr<LicenseStore> Open() { return LicenseStore::Open(url); }
  TempDir dir;
  std::string url = "sqlite:" + dir / "imprint.db";
  Keystore keystore{dir / "keys"};
};

AuditRow Row(const std::string& license_id, int64_t at, AuditDecision decision = AuditDecision::kPermit) {
  AuditRow row;
  row.at = at;
  row.license_id = license_id;
  row.decision = decision;
  row.reason = decision == AuditDecision::kPermit ? "permit" : "expired";
  row.sha256 = "abc";
  return row;
}

BOOST_FIXTURE_TEST_CASE(refresh_loads_revocations_made_through_another_connection, Store) {
  const std::string ada = Add(), bob = Add();
  const auto reader = Open();
  RevocationList list;
  list.Refresh(*reader);
  BOOST_TEST(!list.Find(ada, 5000));
  BOOST_REQUIRE(Open()->Revoke(ada, "chargeback", 2000));
  BOOST_TEST(!list.Find(ada, 5000));  // not until refreshed
  list.Refresh(*reader);
  const auto found = list.Find(ada, 5000);
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->reason == "chargeback");
  BOOST_TEST(found->at == 2000);
  BOOST_TEST(!list.Find(ada, 1999));  // in force from its time on
  BOOST_TEST(list.Find(ada, 2000).has_value());
  BOOST_TEST(!list.Find(bob, 5000));
}

BOOST_FIXTURE_TEST_CASE(refresh_reloads_only_when_the_version_moved, Store) {
  const std::string ada = Add(), bob = Add();
  BOOST_REQUIRE(Open()->Revoke(ada, "one", 2000));
  const auto reader = Open();
  RevocationList list;
  list.Refresh(*reader);
  BOOST_REQUIRE(list.Find(ada, 5000).has_value());
  // A row deleted behind the store's back (no version bump) is not seen:
  // the list was not read again.
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session db("SQLite", dir / "imprint.db");
  db << "DELETE FROM revocations", Poco::Data::Keywords::now;
  list.Refresh(*reader);
  BOOST_TEST(list.Find(ada, 5000).has_value());
  // A revocation moves the version: the whole list is read again.
  BOOST_REQUIRE(Open()->Revoke(bob, "two", 3000));
  list.Refresh(*reader);
  BOOST_TEST(list.Find(bob, 5000).has_value());
  BOOST_TEST(!list.Find(ada, 5000));
}

BOOST_FIXTURE_TEST_CASE(a_failed_refresh_keeps_the_list, Store) {
  const std::string ada = Add();
  BOOST_REQUIRE(Open()->Revoke(ada, "one", 2000));
  RevocationList list;
  list.Refresh(*Open());
  const auto dead = LicenseStore::Open("sqlite:" + dir / "other.db");
  Poco::Data::SQLite::Connector::registerConnector();
  {
    Poco::Data::Session db("SQLite", dir / "other.db");
    db << "DROP TABLE store_versions", Poco::Data::Keywords::now;
  }
  BOOST_CHECK_THROW(list.Refresh(*dead), Error);
  BOOST_TEST(list.Find(ada, 5000).has_value());
}

BOOST_FIXTURE_TEST_CASE(screen_denies_the_rows_of_licenses_revoked_by_the_commit, Store) {
  const std::string ada = Add(), bob = Add(), cy = Add();
  BOOST_REQUIRE(Open()->Revoke(ada, "private note", 2000));
  BOOST_REQUIRE(Open()->Revoke(cy, "later", 9000));
  RevocationList list;
  list.Refresh(*Open());
  std::vector<AuditRow> rows = {Row(ada, 1500),  // begun before the revocation, committed after it
                                Row(ada, 2500), Row(bob, 2500), Row("", 2500), Row(cy, 2500),
                                Row(ada, 2500, AuditDecision::kDeny)};
  list.Screen(&rows, 3000);
  for (const size_t i : {0, 1, 5}) {
    BOOST_TEST((rows[i].decision == AuditDecision::kDeny), i);
    BOOST_TEST(rows[i].reason == "revoked", i);  // never the private note
    BOOST_TEST(rows[i].sha256.empty(), i);
  }
  for (const size_t i : {2, 3, 4}) {  // another license, none, one revoked only later
    BOOST_TEST((rows[i].decision == AuditDecision::kPermit), i);
    BOOST_TEST(rows[i].sha256 == "abc", i);
  }
}

}  // namespace
}  // namespace imprint
