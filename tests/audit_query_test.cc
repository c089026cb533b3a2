// The audit log queried: each filter run by the database (SQLite and the
// throwaway PostgreSQL) selects what AuditFilterSelects says in memory, a
// page at a time; the record says the decision once and the kind of
// download; the client's network is kept, hashed, and old rows keep their
// hashes.
#define BOOST_TEST_MODULE audit_query
#include "pipeline/license/audit_query.h"

#include <boost/test/unit_test.hpp>

#include "tests/store_test_support.h"

namespace imprint {
namespace {

using namespace testing;

// 60 rows: three licenses, two publications, permits and denials, books and
// signatures, GETs and HEADs, an hour apart.
std::vector<AuditRow> Log() {
  std::vector<AuditRow> rows;
  const char* licenses[] = {"aaaa-1", "bbbb-2", "cccc-3"};
  const char* editions[] = {"monitor/v05/i077", "prism/v01/i002", "monitor/v05/i078"};
  for (int i = 0; i < 60; ++i) {
    AuditRow r = Row(licenses[i % 3], i % 4 == 0 ? "deny" : "permit");
    if (i % 4 == 0) r.reason = i % 8 == 0 ? "expired" : "revoked";
    r.at = 1764300000 + 3600 * i;
    r.edition = editions[i % 5 % 3];
    r.item = i % 7 == 0 ? "signature" : "copy";
    r.method = i % 11 == 0 ? "HEAD" : "GET";
    r.client_net = "203.0." + std::to_string(i % 4) + ".0/24";
    rows.push_back(r);
  }
  return rows;
}

std::vector<AuditFilter> Filters() {
  std::vector<AuditFilter> filters(10);
  filters[1].since = 1764300000 + 3600 * 10;
  filters[1].until = 1764300000 + 3600 * 30;
  filters[2].license_id = "bbbb-2";
  filters[3].subscriber_id = "s-cccc-3";
  filters[4].edition = "prism/v01/i002";
  filters[5].publication = "monitor";
  filters[6].decision = AuditDecision::kDeny;
  filters[7].reason = "revoked";
  filters[8].publication = "monitor";
  filters[8].decision = AuditDecision::kPermit;
  filters[8].license_id = "aaaa-1";
  filters[8].since = 1764300000 + 3600 * 5;
  filters[9].publication = "moni";  // a publication is its whole slug, never a prefix of one
  return filters;
}

BOOST_AUTO_TEST_CASE(every_filter_selects_in_the_database_what_it_says_in_memory) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    std::vector<AuditRow> rows = Log();
    store->AppendAudit(&rows);
    rows = store->Audit();  // with their ids
    BOOST_REQUIRE_EQUAL(rows.size(), 60u);
    const std::vector<AuditFilter> filters = Filters();
    for (size_t i = 0; i < filters.size(); ++i) {
      BOOST_TEST_CONTEXT("filter " << i) {
        std::vector<int64_t> want, got;
        for (const AuditRow& r : rows) {
          if (AuditFilterSelects(filters[i], r)) want.push_back(r.id);
        }
        // Pages of 7: paging goes on past pages the filter thinned out.
        ForEachAuditRow(*store, filters[i], [&got](const AuditRow& r) { got.push_back(r.id); }, INT64_MAX, 7);
        BOOST_TEST(got == want, boost::test_tools::per_element());
        if (i > 0 && i < 8) BOOST_TEST(!want.empty());
        if (i == 9) BOOST_TEST(want.empty());
      }
    }
    // A bound on the ids: rows appended after a first pass are not shown.
    std::vector<int64_t> got;
    ForEachAuditRow(*store, {}, [&got](const AuditRow& r) { got.push_back(r.id); }, rows[9].id, 4);
    BOOST_TEST(got.size() == 10u);
  });
}

BOOST_AUTO_TEST_CASE(the_client_network_is_kept_and_hashed_and_old_rows_keep_their_hashes) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    AuditRow old = Row("aaaa-1", "permit");
    std::vector<AuditRow> rows = {old, old};
    rows[1].client_net = "198.51.100.0/24";
    store->AppendAudit(&rows);
    const std::vector<AuditRow> read = store->Audit();
    BOOST_REQUIRE_EQUAL(read.size(), 2u);
    BOOST_TEST(read[0].client_net == "");
    BOOST_TEST(read[1].client_net == "198.51.100.0/24");
    BOOST_TEST(FirstBrokenAuditRow(read) == 0);
    // A row without a network hashes as it did before the column existed.
    AuditRow before = read[0];
    BOOST_TEST(AuditRowHash(before) == read[0].row_hash);
    // The network is in the hash: changing it breaks the chain.
    Exec(url, "UPDATE audit_log SET client_net = '192.0.2.0/24' WHERE id = " + std::to_string(read[1].id));
    BOOST_TEST(FirstBrokenAuditRow(store->Audit()) == read[1].id);
    Exec(url, "UPDATE audit_log SET client_net = '' WHERE id = " + std::to_string(read[1].id));
    BOOST_TEST(FirstBrokenAuditRow(store->Audit()) == read[1].id);
  });
}

// The hash of a row without a network is the one written before migration 6:
// a fixed value, so that no later change moves it.
BOOST_AUTO_TEST_CASE(the_hash_of_a_row_without_a_network_did_not_change) {
  AuditRow r = Row("aaaa-1", "permit");
  r.prev_hash = std::string(64, '0');
  const std::string before = AuditRowHash(r);
  // The field encoding of pipeline/license/license_store.cc as it was (9 fields, each LENGTH:TEXT;).
  BOOST_TEST(before == "9f0192ff279c63d7b411f1a0aa25ad0cb9851f538f8ef56e6f92ce2c95bdd1ec");
  r.client_net = "203.0.113.0/24";
  BOOST_TEST(AuditRowHash(r) != before);
  r.client_net.clear();
  r.method = "HEAD";
  const std::string head = AuditRowHash(r);
  r.client_net = "203.0.113.0/24";
  BOOST_TEST(AuditRowHash(r) != head);
}

// Regression (issue 17): a permit read "permit permit", and a signature
// download was listed exactly like the book.
BOOST_AUTO_TEST_CASE(a_record_says_the_decision_once_and_the_kind_of_download) {
  AuditRow r = Row("aaaa-1", "permit");
  r.id = 7;
  r.client_net = "203.0.113.0/24";
  std::vector<std::string> rec = AuditRecord(r);
  BOOST_REQUIRE_EQUAL(rec.size(), AuditRecordColumns().size());
  BOOST_TEST(rec[2] == "permit");
  BOOST_TEST(rec[3] == "");  // no second "permit"
  BOOST_TEST(rec[7] == "epub");
  BOOST_TEST(rec[8] == "GET");
  BOOST_TEST(rec[9] == "203.0.113.0/24");
  r.item = "signature";
  r.method = "HEAD";
  rec = AuditRecord(r);
  BOOST_TEST(rec[7] == "epub signature");
  BOOST_TEST(rec[8] == "HEAD");
  BOOST_TEST(DownloadItem(r) == "signature");
  r = Row("aaaa-1", "deny");
  r.reason = "expired";
  rec = AuditRecord(r);
  BOOST_TEST(rec[2] == "deny");
  BOOST_TEST(rec[3] == "expired");
  BOOST_TEST(DownloadItem(r) == "book");
  // Issue 12, point 7: a license presented to a feed, as `imprint audit` shows it.
  r.item = "feed";
  r.format = "";
  BOOST_TEST(AuditRecord(r)[7] == "feed");
  BOOST_TEST(DownloadItem(r) == "feed");
}

}  // namespace
}  // namespace imprint
