// The license store's suite, run against SQLite (a file) and PostgreSQL (the
// server the test command starts): both back ends pass the same tests.
#define BOOST_TEST_MODULE license_store
#include "pipeline/license/license_store.h"

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "pipeline/license/access_key.h"
#include "pipeline/license/audit_check.h"
#include "pipeline/signing/checkpoint.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "tests/store_test_support.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(migrations_run_once_and_reopening_keeps_data) {
  ForEachStore([](const std::string& url) {
    {
      auto store = LicenseStore::Open(url);
      BOOST_TEST(store->SchemaVersion() == LicenseStore::LatestSchemaVersion());
      store->AddLicense(Sample("a", "Ada"), 100);
    }
    auto again = LicenseStore::Open(url);
    BOOST_TEST(again->SchemaVersion() == LicenseStore::LatestSchemaVersion());
    BOOST_TEST(again->FindLicense("a").has_value());
  });
}

BOOST_AUTO_TEST_CASE(a_version_1_store_is_migrated_with_its_revocations) {
  ForEachStore([](const std::string& url) {
    {
      auto store = LicenseStore::Open(url);
      store->AddLicense(Sample("a", "Ada"), 100);
      store->Revoke("a", "ended", 200);
      std::vector<AuditRow> rows(2);
      for (AuditRow& r : rows) {
        r.at = 300;
        r.license_id = "a";
        r.edition = "monitor/v05/i077";
        r.format = "epub";
        r.decision = AuditDecision::kPermit;
      }
      store->AppendAudit(&rows);
    }
    // Back to schema 1, as a store made before migration 2 shipped: its
    // audit rows have no method or item and were hashed without them.
    Exec(url, "DROP TABLE store_versions");
    Exec(url, "DROP TABLE audit_checkpoints");  // and each later migration's tables and columns
    Exec(url, "DROP TABLE admin_credentials");
    Exec(url, "ALTER TABLE audit_log DROP COLUMN method");
    Exec(url, "ALTER TABLE audit_log DROP COLUMN item");
    Exec(url, "ALTER TABLE licenses DROP COLUMN key_hash");
    Exec(url, "ALTER TABLE audit_log DROP COLUMN client_net");
    Exec(url, "DELETE FROM schema_migrations WHERE version >= 2");
    auto store = LicenseStore::Open(url);
    BOOST_TEST(store->SchemaVersion() == LicenseStore::LatestSchemaVersion());
    BOOST_TEST(store->RevocationsVersion() == 0);
    BOOST_REQUIRE_EQUAL(store->Revocations().size(), 1u);
    BOOST_TEST(store->Revocations()[0].license_id == "a");
    // The old rows read as GETs of copies and keep their hashes; new rows
    // with a method and an item chain on.
    std::vector<AuditRow> more(1);
    more[0].at = 400;
    more[0].license_id = "a";
    more[0].edition = "monitor/v05/i077";
    more[0].format = "epub";
    more[0].method = "HEAD";
    more[0].item = "signature";
    more[0].decision = AuditDecision::kPermit;
    store->AppendAudit(&more);
    const std::vector<AuditRow> all = store->Audit();
    BOOST_REQUIRE_EQUAL(all.size(), 3u);
    BOOST_TEST(all[0].method == "GET");
    BOOST_TEST(all[0].item == "copy");
    BOOST_TEST(all[2].method == "HEAD");
    BOOST_TEST(FirstBrokenAuditRow(all) == 0);
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

BOOST_AUTO_TEST_CASE(the_revocations_version_moves_with_each_revocation_from_any_connection) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    auto other = LicenseStore::Open(url);
    store->AddLicense(Sample("a", "Ada"), 100);
    store->AddLicense(Sample("b", "Bob"), 100);
    const int64_t start = store->RevocationsVersion();
    BOOST_TEST(store->Revocations().empty());
    other->Revoke("a", "ended", 200);
    BOOST_TEST(store->RevocationsVersion() == start + 1);
    other->Revoke("a", "again", 300);  // no new revocation, no new version
    BOOST_TEST(store->RevocationsVersion() == start + 1);
    other->Revoke("b", "moved", 400);
    BOOST_TEST(store->RevocationsVersion() == start + 2);
    const std::vector<Revocation> all = store->Revocations();
    BOOST_REQUIRE_EQUAL(all.size(), 2u);
    BOOST_TEST(all[0].license_id == "a");
    BOOST_TEST(all[0].reason == "ended");
    BOOST_TEST(all[0].at == 200);
    BOOST_TEST(all[1].license_id == "b");
  });
}

BOOST_AUTO_TEST_CASE(audit_rows_chain_across_connections) {
  ForEachStore([](const std::string& url) {
    auto one = LicenseStore::Open(url);
    auto two = LicenseStore::Open(url);
    std::vector<AuditRow> first = {Row("a", "permit"), Row("b", "deny")};
    one->AppendAudit(&first);
    std::vector<AuditRow> second = {Row("c", "permit")};
    two->AppendAudit(&second);
    const std::vector<AuditRow> log = one->Audit();
    BOOST_REQUIRE_EQUAL(log.size(), 3u);
    BOOST_TEST(log[0].prev_hash == std::string(64, '0'));
    BOOST_TEST(log[2].prev_hash == log[1].row_hash);
    BOOST_TEST(log[2].row_hash == second[0].row_hash);
    BOOST_TEST(FirstBrokenAuditRow(log) == 0);
    BOOST_TEST(one->Audit("b").size() == 1u);
  });
}

// Makes the store's next audit id jump, as PostgreSQL's sequence does after a
// crash (it hands out numbers that a rolled-back or lost transaction never used).
void SkipAuditIds(const std::string& url, int to) {
  Exec(url, url.rfind("sqlite:", 0) == 0
                ? "UPDATE sqlite_sequence SET seq = " + std::to_string(to) + " WHERE name = 'audit_log'"
                : "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), " + std::to_string(to) + ")");
}

// Regression: verify read ids as positions and reported a permanent false
// "broken at row N" once the sequence had jumped.
BOOST_AUTO_TEST_CASE(non_contiguous_ids_are_no_break_on_either_database) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    std::vector<AuditRow> first(5, Row("a", "permit")), second(3, Row("b", "deny"));
    store->AppendAudit(&first);
    SkipAuditIds(url, 1000);
    store->AppendAudit(&second);
    // Paged in id order, the gap included.
    std::vector<AuditRow> all;
    for (std::vector<AuditRow> page; !(page = store->AuditPage(all.empty() ? 0 : all.back().id, 3)).empty();) {
      BOOST_TEST(page.size() <= 3u);
      all.insert(all.end(), page.begin(), page.end());
    }
    BOOST_REQUIRE_EQUAL(all.size(), 8u);
    BOOST_TEST(all[4].id == 5);
    BOOST_TEST(all[5].id > 1000);
    BOOST_TEST(FirstBrokenAuditRow(all) == 0);
    const AuditHead head = store->Head();
    BOOST_TEST(head.size == 8);
    BOOST_TEST(head.hash == second.back().row_hash);
    BOOST_TEST(head.last_id == all.back().id);
    // The head as it was when row 5 was the last: what a signer checks
    // before it signs again.
    const AuditHead then = store->HeadAt(all[4].id);
    BOOST_TEST(then.size == 5);
    BOOST_TEST(then.hash == all[4].row_hash);
    // The hash at a position (what a checkpoint of that size states), across the gap.
    BOOST_TEST(store->HashAtPosition(5).value_or("") == all[4].row_hash);
    BOOST_TEST(store->HashAtPosition(6).value_or("") == all[5].row_hash);
    BOOST_TEST(!store->HashAtPosition(9).has_value());
    BOOST_TEST(!store->HashAtPosition(0).has_value());
    BOOST_TEST(store->HeadAt(0).size == 0);
    BOOST_TEST(store->HeadAt(0).hash == std::string(64, '0'));
    // Checkpoints are kept, and paged by size then id.
    const Ed25519Signer signer(RandomBytes(32));
    TrustedKeys trusted;
    trusted.entries.push_back({PublicKey{RandomBytes(8), signer.public_key()}, KeyStatus::kCurrent, "", false});
    const auto sign = [&](int64_t size, const std::string& hex) {
      std::string raw;
      for (size_t i = 0; i < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
      StoredCheckpoint c{0, 2000, size, SignCheckpoint({"test.example/log", size, raw}, signer)};
      store->AddCheckpoint(&c);
      return c;
    };
    const StoredCheckpoint at8 = sign(8, head.hash), at5 = sign(5, first.back().row_hash);
    BOOST_TEST(at5.id > at8.id);
    BOOST_TEST(store->LatestCheckpoint()->note == at5.note);
    const std::vector<StoredCheckpoint> by_size = store->CheckpointPage(-1, 0, 10);
    BOOST_REQUIRE_EQUAL(by_size.size(), 2u);
    BOOST_TEST(by_size[0].size == 5);
    BOOST_TEST(store->CheckpointPage(5, at5.id, 10).size() == 1u);
    const AuditCheckResult r = CheckAuditLog(*store, trusted, {});
    BOOST_TEST(r.ok, r.problem);
    BOOST_TEST(r.rows == 8);
    BOOST_TEST(r.checkpoints == 2);
    BOOST_TEST(r.anchored == 8);
  });
}

BOOST_AUTO_TEST_CASE(a_checkpoint_copies_the_log_into_the_database_file) {
  TempDir dir;
  const std::string path = dir / "store.db";
  auto store = LicenseStore::Open("sqlite:" + path);
  std::vector<AuditRow> rows(500, Row("a", "permit"));
  store->AppendAudit(&rows);
  // Below the automatic threshold the rows are still only in the log.
  const auto before = fs::file_size(path);
  store->Checkpoint();
  BOOST_TEST(fs::file_size(path) > before + 100 * 1024);
  BOOST_TEST(LicenseStore::Open("sqlite:" + path)->Audit().size() == 500u);
  // PostgreSQL has nothing to checkpoint; the call is harmless.
  ForEachStore([](const std::string& url) {
    auto s = LicenseStore::Open(url);
    s->Checkpoint();
    BOOST_TEST(s->Audit().empty());
  });
}

BOOST_AUTO_TEST_CASE(the_audit_screen_sees_the_store_as_of_the_commit_and_may_change_rows) {
  ForEachStore([](const std::string& url) {
    auto server = LicenseStore::Open(url);
    auto cli = LicenseStore::Open(url);
    cli->AddLicense(Sample("a", "Ada"), 100);
    cli->Revoke("a", "ended", 500);  // after the server last looked
    std::vector<AuditRow> rows = {Row("a", "permit"), Row("b", "permit")};
    std::vector<std::string> seen;
    server->AppendAudit(&rows, [&](LicenseStore& store, std::vector<AuditRow>* in) {
      for (const Revocation& r : store.Revocations()) seen.push_back(r.license_id);
      for (AuditRow& row : *in) {
        if (std::find(seen.begin(), seen.end(), row.license_id) != seen.end()) row.decision = AuditDecision::kDeny;
      }
    });
    BOOST_TEST(seen == std::vector<std::string>{"a"});
    BOOST_TEST((rows[0].decision == AuditDecision::kDeny));
    const std::vector<AuditRow> log = cli->Audit();
    BOOST_REQUIRE_EQUAL(log.size(), 2u);
    BOOST_TEST((log[0].decision == AuditDecision::kDeny));  // what was written is what the screen left
    BOOST_TEST((log[1].decision == AuditDecision::kPermit));
    BOOST_TEST(FirstBrokenAuditRow(log) == 0);
    // A screen that throws appends nothing, and the log stays usable.
    std::vector<AuditRow> more = {Row("c", "permit")};
    BOOST_CHECK_THROW(server->AppendAudit(&more, [](LicenseStore&, std::vector<AuditRow>*) {
                        throw std::runtime_error("screen failed");
                      }),
                      std::runtime_error);
    BOOST_TEST(cli->Audit().size() == 2u);
    server->AppendAudit(&more);
    BOOST_TEST(cli->Audit().size() == 3u);
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

// What the database holds of the licenses table, read by a connection of
// the test's own (psql, sqlite3): what an attacker with the database sees.
std::string LicensesTableDump(const std::string& url) {
  const ProcessResult r = url.rfind("sqlite:", 0) == 0
                              ? Run("/usr/bin/sqlite3", {url.substr(7), ".dump"})
                              : Run("/usr/bin/psql", {url, "-At", "-c", "SELECT * FROM licenses"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return r.out;
}

// Issue 16: the store keeps an access key's hash, never the key.
BOOST_AUTO_TEST_CASE(access_keys_are_stored_as_their_hash_only) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("a", "Ada"), 100);
    BOOST_TEST(store->FindKeyedLicense("a")->key_hash == "");  // none yet
    const std::string key = NewAccessKey();
    const int64_t version = store->AccessKeysVersion();
    BOOST_TEST(store->SetAccessKeyHash("a", AccessKeyHash(key)));
    BOOST_TEST(store->AccessKeysVersion() == version + 1);  // moves with each key, seen by every connection
    BOOST_TEST(LicenseStore::Open(url)->AccessKeysVersion() == version + 1);
    BOOST_TEST(store->FindKeyedLicense("a")->keys_version == version + 1);
    const auto keyed = store->FindKeyedLicense("a");
    BOOST_REQUIRE(keyed.has_value());
    BOOST_TEST(keyed->key_hash == AccessKeyHash(key));
    BOOST_TEST(keyed->stored.document == Sample("a", "Ada").document);
    BOOST_TEST(keyed->stored.license.id == "a");
    const std::string dump = LicensesTableDump(url);
    BOOST_TEST(dump.find(AccessKeyHash(key)) != std::string::npos);
    BOOST_TEST(dump.find(key) == std::string::npos);
    // A new key replaces the old one at once, for every connection.
    const std::string next = NewAccessKey();
    BOOST_TEST(store->SetAccessKeyHash("a", AccessKeyHash(next)));
    BOOST_TEST(LicenseStore::Open(url)->FindKeyedLicense("a")->key_hash == AccessKeyHash(next));
    BOOST_TEST(!store->SetAccessKeyHash("zzz", AccessKeyHash(next)));
    BOOST_TEST(store->AccessKeysVersion() == version + 2);  // an unknown license moves nothing
    BOOST_TEST(!store->FindKeyedLicense("zzz").has_value());
    BOOST_TEST(store->FindAccessKeyHash("a").value() == AccessKeyHash(next));
    BOOST_TEST(!store->FindAccessKeyHash("zzz").has_value());
    // A renewal keeps the key column (the CLI sets a new key beside it).
    BOOST_TEST(store->RenewLicense(Sample("a", "Ada"), 150));
    BOOST_TEST(store->FindKeyedLicense("a")->key_hash == AccessKeyHash(next));
  });
}

BOOST_AUTO_TEST_CASE(a_version_4_store_gains_keys_and_keeps_its_licenses) {
  ForEachStore([](const std::string& url) {
    LicenseStore::Open(url)->AddLicense(Sample("a", "Ada"), 100);
    Exec(url, "ALTER TABLE licenses DROP COLUMN key_hash");
    Exec(url, "ALTER TABLE audit_log DROP COLUMN client_net");
    Exec(url, "DELETE FROM store_versions WHERE name = 'access_keys'");
    Exec(url, "DROP TABLE admin_credentials");  // and each later migration's
    Exec(url, "DELETE FROM schema_migrations WHERE version >= 5");
    auto store = LicenseStore::Open(url);
    BOOST_TEST(store->SchemaVersion() == LicenseStore::LatestSchemaVersion());
    BOOST_TEST(store->FindKeyedLicense("a")->key_hash == "");
  });
}

BOOST_AUTO_TEST_CASE(admin_credential_is_kept_replaced_and_absent_until_set) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    BOOST_TEST(!store->AdminCredential("admin").has_value());
    store->SetAdminCredential("admin", "$argon2id$first", 1);
    store->SetAdminCredential("admin", "$argon2id$second", 2);
    BOOST_TEST(LicenseStore::Open(url)->AdminCredential("admin").value_or("") == "$argon2id$second");
    BOOST_TEST(!store->AdminCredential("someone").has_value());
  });
}

BOOST_AUTO_TEST_CASE(decisions_are_named_permit_and_deny) {
  BOOST_TEST(AuditDecisionName(AuditDecision::kPermit) == std::string("permit"));
  BOOST_TEST(AuditDecisionName(AuditDecision::kDeny) == std::string("deny"));
  BOOST_TEST((ParseAuditDecision("permit") == AuditDecision::kPermit));
  BOOST_TEST((ParseAuditDecision("deny") == AuditDecision::kDeny));
  BOOST_TEST(!ParseAuditDecision("Permit").has_value());
  BOOST_TEST(!ParseAuditDecision("").has_value());
}

BOOST_AUTO_TEST_CASE(bad_urls_are_errors_without_secrets) {
  BOOST_CHECK_THROW(LicenseStore::Open("mysql://x"), Error);
  BOOST_CHECK_THROW(LicenseStore::Open("sqlite:"), Error);
  // Unreachable, and URLs the parser refuses (a bad port, a bad escape):
  // the error never quotes the password.
  for (const std::string url : {"postgresql://user:s3cret@127.0.0.1:1/none", "postgresql://user:s3cret@db:port/x",
                                "postgresql://user:s3cret@db:99999999/x", "postgresql://user:s3cret%zz@db/x",
                                "postgres://user:s3cret@[::1/x"}) {
    try {
      LicenseStore::Open(url);
      BOOST_FAIL("no error for " << url);
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().ToString().find("s3cret") == std::string::npos, e.diagnostic().ToString());
    }
  }
  BOOST_TEST(LicenseStore::DefaultUrl("/srv/site/output") == "sqlite:/srv/site/imprint.db");
}

// The redacted URL is served by /healthz: a password with '@' in it was cut at
// its first '@', showing the rest.
BOOST_AUTO_TEST_CASE(redacted_url_hides_a_password_holding_at_signs) {
  BOOST_TEST(RedactedStoreUrl("postgresql://user:s3cret@db:5432/imprint") == "postgresql://user:***@db:5432/imprint");
  BOOST_TEST(RedactedStoreUrl("postgresql://user:p@ss@db:5432/imprint") == "postgresql://user:***@db:5432/imprint");
  BOOST_TEST(RedactedStoreUrl("postgresql://user@db:5432/a@b") == "postgresql://user@db:5432/a@b");
  BOOST_TEST(RedactedStoreUrl("postgresql://db/imprint") == "postgresql://db/imprint");
  BOOST_TEST(RedactedStoreUrl("sqlite:/srv/imprint.db") == "sqlite:/srv/imprint.db");
}

}  // namespace
}  // namespace imprint
