// The audit writer in process against a real SQLite store: many threads
// handing in rows are committed in groups, each row's `done` called once with
// the row as committed, in the order handed in; the log's hash chain holds
// and, with a checkpoint signer beside it, `imprint audit verify`'s check
// (CheckAuditLog) passes; a store that fails under the writer gives `done`
// false and the pool's health, and the writer recovers once the store does;
// destroying the writer commits every row handed in.
#define BOOST_TEST_MODULE audit_writer
#include "pipeline/server/audit_writer.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/license/audit_check.h"
#include "pipeline/server/checkpoint_signer.h"
#include "tests/exposition.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using std::chrono::milliseconds;

AuditRow Row(const std::string& license_id, int n) {
  AuditRow row;
  row.at = 1000 + n;
  row.license_id = license_id;
  row.edition = "monitor/v05/i077";
  row.format = "md";
  row.decision = AuditDecision::kPermit;
  row.reason = "permit";
  row.sha256 = std::string(64, 'a');
  return row;
}

// What the `done` callbacks saw, and how the screen saw the groups.
struct Seen {
  std::mutex mu;
  std::map<std::string, std::vector<AuditRow>> by_license;  // in the order `done` was called
  int failed = 0;
  std::vector<size_t> groups;  // the size of each group the screen saw
  AuditWriter::Done Done() {
    return [this](const AuditRow& row, bool ok) {
      std::lock_guard<std::mutex> lock(mu);
      if (!ok) ++failed;
      by_license[row.license_id].push_back(row);
    };
  }
  LicenseStore::AuditScreen Screen(milliseconds first_takes = milliseconds(0)) {
    return [this, first_takes](LicenseStore&, std::vector<AuditRow>* rows) {
      bool first;
      {
        std::lock_guard<std::mutex> lock(mu);
        first = groups.empty();
        groups.push_back(rows->size());
      }
      if (first) std::this_thread::sleep_for(first_takes);  // the others queue up meanwhile
    };
  }
};

struct Store {
  TempDir dir;
  std::string url = "sqlite:" + dir / "imprint.db";
  void Sql(const std::string& statement) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", dir / "imprint.db");
    db << statement, Poco::Data::Keywords::now;
  }
};

BOOST_FIXTURE_TEST_CASE(concurrent_submits_are_committed_in_groups_in_order_on_one_chain, Store) {
  constexpr int kThreads = 8, kRows = 100;
  Seen seen;
  Keystore keystore(dir / "keys");
  keystore.Init(true);
  auto key = std::make_shared<const SigningKey>(keystore.LoadSigningKey());
  {
    CheckpointSigner signer(url, "example.org/audit", [key] { return key; }, milliseconds(50));
    AuditWriter writer(url, seen.Screen(milliseconds(100)), &signer, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&writer, &seen, t] {
        for (int i = 0; i < kRows; ++i) writer.Submit(Row("license-" + std::to_string(t), i), seen.Done());
      });
    }
    for (std::thread& t : threads) t.join();
  }  // the writer commits what is left, then the signer signs the last rows
  BOOST_TEST(seen.failed == 0);
  size_t total = 0, largest = 0;
  for (size_t g : seen.groups) {
    total += g;
    largest = std::max(largest, g);
  }
  BOOST_TEST(total == size_t{kThreads * kRows});
  BOOST_TEST(seen.groups.size() < size_t{kThreads * kRows});  // grouped
  BOOST_TEST(largest > 1u);
  // Each thread's rows were reported in the order handed in, each as
  // committed (chained), and are in the log in that order.
  for (int t = 0; t < kThreads; ++t) {
    const std::vector<AuditRow>& rows = seen.by_license["license-" + std::to_string(t)];
    BOOST_REQUIRE_EQUAL(rows.size(), size_t{kRows});
    for (int i = 0; i < kRows; ++i) {
      BOOST_TEST(rows[i].at == 1000 + i);
      BOOST_TEST(rows[i].row_hash == AuditRowHash(rows[i]));
    }
  }
  const auto store = LicenseStore::Open(url);
  const std::vector<AuditRow> log = store->Audit();
  BOOST_TEST(log.size() == size_t{kThreads * kRows});
  BOOST_TEST(FirstBrokenAuditRow(log) == 0);
  std::map<std::string, int64_t> last_at;
  std::map<std::string, std::string> hashes;
  for (const AuditRow& row : log) {
    if (last_at.count(row.license_id)) BOOST_TEST(row.at == last_at[row.license_id] + 1);
    last_at[row.license_id] = row.at;
  }
  for (int t = 0; t < kThreads; ++t) {  // what `done` saw is what the log holds
    for (const AuditRow& row : seen.by_license["license-" + std::to_string(t)]) hashes[row.row_hash] = row.license_id;
  }
  for (const AuditRow& row : log) BOOST_TEST(hashes[row.row_hash] == row.license_id);
  const AuditCheckResult check = CheckAuditLog(*store, keystore.Trusted(), {});
  BOOST_TEST(check.ok, check.problem);
  BOOST_TEST(check.rows == kThreads * kRows);
  BOOST_TEST(check.anchored == kThreads * kRows);
}

// Like a server's connections: 16 clients each hand in a row, wait for it,
// and hand in the next a little later (the answer's way to the client and
// the next request's back). A writer that took only what had queued while it
// committed made groups of one to three such rows: a transaction (its lock
// and write system calls) per few answers. A busy writer lets a few more rows
// join a small group, a fraction of a millisecond, before committing it.
BOOST_FIXTURE_TEST_CASE(a_busy_writer_gathers_waiting_clients_rows_into_larger_groups, Store) {
  constexpr int kClients = 16, kRows = 60;
  Seen seen;
  {
    AuditWriter writer(url, seen.Screen(), nullptr, nullptr);
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t) {
      clients.emplace_back([&writer, t] {
        for (int i = 0; i < kRows; ++i) {
          std::promise<void> committed;
          writer.Submit(Row("license-" + std::to_string(t), i), [&committed](const AuditRow&, bool) {
            committed.set_value();
          });
          committed.get_future().wait();
          std::this_thread::sleep_for(std::chrono::microseconds(200));  // the answer's way, the next request's
        }
      });
    }
    for (std::thread& t : clients) t.join();
  }
  const double mean = double(kClients * kRows) / seen.groups.size();
  BOOST_TEST_MESSAGE(seen.groups.size() << " groups for " << kClients * kRows << " rows, " << mean << " a group");
  BOOST_TEST(mean >= 8.0, "rows per group: " << mean);
}

BOOST_FIXTURE_TEST_CASE(destroying_the_writer_commits_every_row_handed_in, Store) {
  Seen seen;
  {
    AuditWriter writer(url, nullptr, nullptr, nullptr);
    for (int i = 0; i < 500; ++i) writer.Submit(Row("ada", i), seen.Done());
  }
  BOOST_TEST(seen.by_license["ada"].size() == 500u);
  BOOST_TEST(seen.failed == 0);
  BOOST_TEST(LicenseStore::Open(url)->Audit().size() == 500u);
}

// The store fails under the writer's open connection: the audit table is
// gone (renamed away by another connection), so a commit fails in SQLite.
BOOST_FIXTURE_TEST_CASE(a_failing_store_gives_done_false_and_the_writer_recovers, Store) {
  StorePool pool([this] { return LicenseStore::Open(url); }, 1, milliseconds(1000), "test");
  std::atomic<int> ok{0}, failed{0};
  const auto submit = [&](AuditWriter& writer, int n) {
    std::atomic<int> left{n};
    for (int i = 0; i < n; ++i) {
      writer.Submit(Row("ada", i), [&](const AuditRow&, bool committed) {
        ++(committed ? ok : failed);
        --left;
      });
    }
    while (left > 0) std::this_thread::sleep_for(milliseconds(1));
  };
  AuditWriter writer(url, nullptr, nullptr, &pool);
  submit(writer, 3);
  BOOST_TEST(ok == 3);
  BOOST_TEST(pool.Healthy());
  Sql("ALTER TABLE audit_log RENAME TO audit_log_away");
  submit(writer, 5);
  BOOST_TEST(failed == 5);
  BOOST_TEST(ok == 3);
  BOOST_TEST(!pool.Healthy());
  Sql("ALTER TABLE audit_log_away RENAME TO audit_log");
  submit(writer, 2);  // on a new connection
  BOOST_TEST(ok == 5);
  BOOST_TEST(pool.Healthy());
  const std::vector<AuditRow> log = LicenseStore::Open(url)->Audit();
  BOOST_TEST(log.size() == 5u);
  BOOST_TEST(FirstBrokenAuditRow(log) == 0);
}

// A screen that throws fails its whole group: nothing of it is appended.
BOOST_FIXTURE_TEST_CASE(a_screen_that_throws_fails_its_group, Store) {
  std::atomic<int> ok{0}, failed{0}, left{4};
  std::atomic<bool> refuse{true};
  {
    AuditWriter writer(url, [&](LicenseStore&, std::vector<AuditRow>*) {
      if (refuse) throw Error("screen", 0, "refused");
    }, nullptr, nullptr);
    const auto done = [&](const AuditRow&, bool committed) {
      ++(committed ? ok : failed);
      --left;
    };
    writer.Submit(Row("ada", 1), done);
    writer.Submit(Row("ada", 2), done);
    while (left > 2) std::this_thread::sleep_for(milliseconds(1));
    refuse = false;
    writer.Submit(Row("ada", 3), done);
    writer.Submit(Row("ada", 4), done);
  }
  BOOST_TEST(failed == 2);
  BOOST_TEST(ok == 2);
  const std::vector<AuditRow> log = LicenseStore::Open(url)->Audit();
  BOOST_REQUIRE_EQUAL(log.size(), 2u);
  BOOST_TEST(log[0].at == 1003);
}

BOOST_AUTO_TEST_CASE(a_store_that_cannot_be_opened_is_an_error_at_construction) {
  TempDir dir;
  // A file that is no database. (Not a path SQLite cannot open: Poco's
  // SQLite session retries that for a minute.)
  WriteAll(dir / "imprint.db", std::string(4096, 'x'));
  BOOST_CHECK_THROW(AuditWriter("sqlite:" + dir / "imprint.db", nullptr, nullptr, nullptr), Error);
}

}  // namespace
}  // namespace imprint

namespace imprint {
namespace {

// The metrics count each group the writer commits and each row as committed:
// a row the screen turned into a denial is counted as that denial.
BOOST_FIXTURE_TEST_CASE(metrics_count_each_commit_and_its_rows_as_committed, Store) {
  ServerMetrics metrics;
  std::atomic<int> groups{0};
  {
    AuditWriter writer(url, [&](LicenseStore&, std::vector<AuditRow>* rows) {
      ++groups;
      for (AuditRow& row : *rows) {
        if (row.license_id == "revoked") row.decision = AuditDecision::kDeny, row.reason = "revoked";
      }
    }, nullptr, nullptr, &metrics);
    for (int i = 0; i < 30; ++i) writer.Submit(Row(i % 3 == 0 ? "revoked" : "ada", i), [](const AuditRow&, bool) {});
  }
  const testing::Exposition e = testing::ParseExposition(metrics.Render(0));
  BOOST_TEST(e.Get("imprint_decisions_total{decision=\"permit\",reason=\"permit\"}") == 20);
  BOOST_TEST(e.Get("imprint_decisions_total{decision=\"deny\",reason=\"revoked\"}") == 10);
  BOOST_TEST(e.Get("imprint_audit_commit_rows_sum{}") == 30);
  BOOST_TEST(e.Get("imprint_audit_commit_rows_count{}") == groups.load());
  BOOST_TEST(e.Get("imprint_audit_commit_duration_seconds_count{}") == groups.load());
}

}  // namespace
}  // namespace imprint
