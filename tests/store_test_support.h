// What the store tests share (license_store_test, sql_store_test): each case
// run against a fresh SQLite file and the throwaway PostgreSQL the test
// command starts (IMPRINT_TEST_PG_URL_FILE), sample licenses and audit rows,
// and statements run beside the store through the databases' own clients.
// Test programs that use it hold the ctest resource lock postgres_db: they
// share one database.
#ifndef IMPRINT_TESTS_STORE_TEST_SUPPORT_H_
#define IMPRINT_TESTS_STORE_TEST_SUPPORT_H_

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <functional>
#include <string>

#include "pipeline/base/json_string.h"
#include "pipeline/license/license_store.h"
#include "tests/support.h"

namespace imprint {
namespace testing {

// A fresh database of each kind; PostgreSQL gets a new schema-free database
// per test by dropping the tables.
inline void ForEachStore(const std::function<void(const std::string& url)>& test) {
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
      "DROP TABLE IF EXISTS audit_log, audit_checkpoints, license_events, revocations, licenses, store_versions,"
      " admin_credentials, schema_migrations CASCADE"});
  BOOST_REQUIRE_MESSAGE(drop.exit_code == 0, "cannot reach the test PostgreSQL: " << drop.err);
  BOOST_TEST_CONTEXT("postgresql") { test(url); }
}

inline StoredLicense Sample(const std::string& id, const std::string& name) {
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
  const std::string doc = "{\"id\":\"" + id + "\",\"issued\":\"2026-11-28T05:00:00Z\",\"provider\":\"p\","
                          "\"publications\":[\"monitor\"],\"rights\":{\"end\":\"2026-12-31T23:59:59Z\","
                          "\"start\":\"2026-01-01T00:00:00Z\"},\"subscriber\":{\"id\":\"s-" + id +
                          "\",\"name\":" + JsonString(name) + "},\"tier\":\"individual\"}";
  return {l, doc};
}

// A statement through a connection of the test's own, beside the store's.
inline void Exec(const std::string& url, const std::string& sql) {
  const ProcessResult r = url.rfind("sqlite:", 0) == 0
                              ? Run("/usr/bin/sqlite3", {url.substr(7), sql})
                              : Run("/usr/bin/psql", {url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

inline AuditRow Row(const std::string& license, const std::string& decision) {
  AuditRow r;
  r.at = 1000;
  r.license_id = license;
  r.subscriber_id = "s-" + license;
  r.edition = "monitor/v05/i077";
  r.format = "epub";
  r.decision = decision == "permit" ? AuditDecision::kPermit : AuditDecision::kDeny;
  r.reason = decision;
  r.sha256 = decision == "permit" ? std::string(64, 'a') : "";
  return r;
}

// `url` with a password, which the test server (trusting local connections)
// ignores: what a store says must never carry it.
inline std::string WithPassword(const std::string& url) {
  const size_t at = url.find('@');
  return at == std::string::npos ? url : url.substr(0, at) + ":s3cret" + url.substr(at);
}

}  // namespace testing
}  // namespace imprint

#endif  // IMPRINT_TESTS_STORE_TEST_SUPPORT_H_
