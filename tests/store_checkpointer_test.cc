// The store checkpointer in process against a real SQLite store: rows a
// commit left in the write-ahead log reach the database file itself once the
// checkpointer is nudged (seen by reading a copy of the file alone, without
// its log), and a store it cannot open costs it nothing but the pass.
#define BOOST_TEST_MODULE store_checkpointer
#include "pipeline/server/store_checkpointer.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

struct Store {
  void Append(int n) {
    std::vector<AuditRow> rows(n);
    for (AuditRow& r : rows) {
      r.at = 1000;
      r.decision = AuditDecision::kDeny;
      r.reason = "no_license";
    }
    store->AppendAudit(&rows);
  }
  // The rows the database file holds by itself: a copy of it alone, opened.
  size_t RowsInTheFile() {
    TempDir copy;
    fs::copy_file(dir / "imprint.db", copy / "imprint.db");
    return LicenseStore::Open("sqlite:" + copy / "imprint.db")->Audit().size();
  }
  TempDir dir;
  std::string url = "sqlite:" + dir / "imprint.db";
  std::unique_ptr<LicenseStore> store = LicenseStore::Open(url);  // open throughout: no checkpoint at close
};

BOOST_FIXTURE_TEST_CASE(a_nudge_copies_the_log_into_the_database_file, Store) {
  Append(20);
  BOOST_REQUIRE_EQUAL(RowsInTheFile(), 0u);  // in the log only
  Checkpointer checkpointer(url);
  checkpointer.Nudge();
  size_t rows = 0;
  for (int i = 0; i < 500 && rows < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    rows = RowsInTheFile();
  }
  BOOST_TEST(rows == 20u);
  Append(5);
  checkpointer.Nudge();  // again, after its pace
  for (int i = 0; i < 500 && rows < 25; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    rows = RowsInTheFile();
  }
  BOOST_TEST(rows == 25u);
}

BOOST_FIXTURE_TEST_CASE(without_a_nudge_nothing_is_copied, Store) {
  Checkpointer checkpointer(url);
  Append(20);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  BOOST_TEST(RowsInTheFile() == 0u);
}

BOOST_AUTO_TEST_CASE(a_store_it_cannot_open_is_tried_again) {
  TempDir dir;
  // A file that is no database: every pass fails. (Not a path SQLite cannot
  // open: Poco's SQLite session retries that for a minute.)
  WriteAll(dir / "imprint.db", std::string(4096, 'x'));
  Checkpointer checkpointer("sqlite:" + dir / "imprint.db");
  for (int i = 0; i < 3; ++i) {
    checkpointer.Nudge();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The store is mended: the next pass opens it anew and checkpoints.
  fs::remove(dir / "imprint.db");
  const auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
  std::vector<AuditRow> rows(7);
  for (AuditRow& r : rows) r.decision = AuditDecision::kDeny;
  store->AppendAudit(&rows);
  checkpointer.Nudge();
  size_t in_file = 0;
  for (int i = 0; i < 500 && in_file < 7; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    TempDir copy;
    fs::copy_file(dir / "imprint.db", copy / "imprint.db");
    in_file = LicenseStore::Open("sqlite:" + copy / "imprint.db")->Audit().size();
  }
  BOOST_TEST(in_file == 7u);
}

}  // namespace
}  // namespace imprint
