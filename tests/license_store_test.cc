// The license store's suite, run against SQLite (a file) and PostgreSQL (the
// server the test command starts): both back ends pass the same tests.
#define BOOST_TEST_MODULE license_store
#include "pipeline/license_store.h"

#include <boost/test/unit_test.hpp>
#include <functional>

#include "pipeline/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

// A fresh database of each kind; PostgreSQL gets a new schema-free database
// per test by dropping the tables.
void ForEachStore(const std::function<void(const std::string& url)>& test) {
  TempDir dir;
  BOOST_TEST_CONTEXT("sqlite") { test("sqlite:" + dir / "store.db"); }
  const char* url_file = std::getenv("IMPRINT_TEST_PG_URL_FILE");
  BOOST_REQUIRE_MESSAGE(url_file != nullptr, "IMPRINT_TEST_PG_URL_FILE is not set");
  std::string url;
  try {
    url = ReadAll(url_file);
  } catch (const std::exception&) {
    BOOST_FAIL("the test PostgreSQL server did not start (tests/tools/pg-start): no " << url_file);
  }
  while (!url.empty() && url.back() == '\n') url.pop_back();
  // Start from an empty database: drop what an earlier test made.
  const ProcessResult drop = Run("/usr/bin/psql", {url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
      "DROP TABLE IF EXISTS audit_log, license_events, revocations, licenses, schema_migrations CASCADE"});
  BOOST_REQUIRE_MESSAGE(drop.exit_code == 0, "cannot reach the test PostgreSQL: " << drop.err);
  BOOST_TEST_CONTEXT("postgresql") { test(url); }
}

StoredLicense Sample(const std::string& id, const std::string& name) {
  License l;
  l.id = id;
  l.issued = "2026-11-28T05:00:00Z";
  l.provider = "https://jamestown.org/";
  l.subscriber_id = "s-" + id;
  l.subscriber_name = name;
  l.tier = "individual";
  l.publications = {"monitor"};
  l.start = "2026-01-01T00:00:00Z";
  l.end = "2026-12-31T23:59:59Z";
  // The store keeps the document as given; fields are read back from it.
  std::string json_name;
  for (char c : name) json_name += c == '"' ? std::string("\\\"") : std::string(1, c);
  const std::string doc = "{\"id\":\"" + id + "\",\"issued\":\"2026-11-28T05:00:00Z\",\"provider\":\"p\","
                          "\"publications\":[\"monitor\"],\"rights\":{\"end\":\"2026-12-31T23:59:59Z\","
                          "\"start\":\"2026-01-01T00:00:00Z\"},\"subscriber\":{\"id\":\"s-" + id +
                          "\",\"name\":\"" + json_name + "\"},\"tier\":\"individual\"}";
  return {l, doc};
}

BOOST_AUTO_TEST_CASE(migrations_run_once_and_reopening_keeps_data) {
  ForEachStore([](const std::string& url) {
    {
      auto store = LicenseStore::Open(url);
      BOOST_TEST(store->SchemaVersion() == 1);
      store->AddLicense(Sample("a", "Ada"), 100);
    }
    auto again = LicenseStore::Open(url);
    BOOST_TEST(again->SchemaVersion() == 1);
    BOOST_TEST(again->FindLicense("a").has_value());
  });
}

BOOST_AUTO_TEST_CASE(licenses_are_added_found_listed_and_unique) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("b", "Bob"), 100);
    store->AddLicense(Sample("a", "Ada \"the first\" O'Neil"), 101);
    const auto found = store->FindLicense("a");
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->license.subscriber_name == "Ada \"the first\" O'Neil");
    BOOST_TEST(!store->FindLicense("zzz").has_value());
    BOOST_TEST(store->ListLicenses().size() == 2u);
    BOOST_CHECK_THROW(store->AddLicense(Sample("a", "Again"), 102), Error);
    BOOST_TEST(store->ListLicenses().size() == 2u);  // the failed insert left nothing
  });
}

BOOST_AUTO_TEST_CASE(revocations_and_events) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("a", "Ada"), 100);
    BOOST_TEST(!store->FindRevocation("a").has_value());
    BOOST_TEST(store->Revoke("a", "subscription ended", 200));
    BOOST_TEST(store->Revoke("a", "again", 300));  // the first one stands
    BOOST_TEST(!store->Revoke("nobody", "x", 200));
    const auto r = store->FindRevocation("a");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->reason == "subscription ended");
    BOOST_TEST(r->at == 200);
    const auto events = store->Events("a");
    BOOST_REQUIRE_EQUAL(events.size(), 2u);
    BOOST_TEST(events[0].type == "issued");
    BOOST_TEST(events[0].at == 100);
    BOOST_TEST(events[1].type == "revoked");
    BOOST_TEST(events[1].detail == "subscription ended");
  });
}

BOOST_AUTO_TEST_CASE(renewals_replace_the_document_and_leave_an_event) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("a", "Ada"), 100);
    StoredLicense renewed = Sample("a", "Ada");
    const std::string old_end = "2026-12-31T23:59:59Z", new_end = "2027-12-31T23:59:59Z";
    renewed.license.end = new_end;
    renewed.document.replace(renewed.document.find(old_end), old_end.size(), new_end);
    BOOST_TEST(store->RenewLicense(renewed, 150));
    BOOST_TEST(store->FindLicense("a")->license.end == new_end);
    BOOST_TEST(store->Events("a").back().type == "renewed");
    BOOST_TEST(!store->RenewLicense(Sample("zzz", "Nobody"), 150));
  });
}

BOOST_AUTO_TEST_CASE(status_documents) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("a", "Ada"), 100);
    const int64_t in_2026 = *ParseTime("2026-06-01");
    BOOST_TEST(LicenseStatus(*store, store->FindLicense("a")->license, in_2026) == "active");
    BOOST_TEST(LicenseStatus(*store, store->FindLicense("a")->license, *ParseTime("2027-06-01")) == "expired");
    BOOST_TEST(LicenseStatus(*store, store->FindLicense("a")->license, *ParseTime("2025-06-01")) == "not_yet_valid");
    store->Revoke("a", "ended", in_2026);
    const std::string doc = LicenseStatusDocument(*store, "a", in_2026 + 1);
    BOOST_TEST(doc.find("\"status\": \"revoked\"") != std::string::npos, doc);
    BOOST_TEST(doc.find("\"type\": \"issued\"") < doc.find("\"type\": \"revoked\""));
    // Before the revocation the license was active.
    BOOST_TEST(LicenseStatus(*store, store->FindLicense("a")->license, in_2026 - 1) == "active");
    BOOST_CHECK_THROW(LicenseStatusDocument(*store, "nobody", in_2026), Error);
  });
}

BOOST_AUTO_TEST_CASE(bad_urls_are_errors_without_secrets) {
  BOOST_CHECK_THROW(LicenseStore::Open("mysql://x"), Error);
  BOOST_CHECK_THROW(LicenseStore::Open("sqlite:"), Error);
  try {
    LicenseStore::Open("postgresql://user:s3cret@127.0.0.1:1/none");
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().ToString().find("s3cret") == std::string::npos, e.diagnostic().ToString());
  }
  BOOST_TEST(LicenseStore::DefaultUrl("/srv/site/output") == "sqlite:/srv/site/imprint.db");
}

}  // namespace
}  // namespace imprint
