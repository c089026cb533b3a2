// The report's aggregation (pipeline/license/audit_report.h) over real
// stores (SQLite and the throwaway PostgreSQL): what counts as a download,
// the period's bounds, every day listed, tiers from the stored licenses,
// near expiry without revoked licenses, nothing private, JSON escaped, and a
// log read a page at a time.
#define BOOST_TEST_MODULE audit_report
#include "pipeline/license/audit_report.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/rights_policy.h"
#include "tests/store_test_support.h"
#include "tests/support.h"

namespace imprint {
namespace {

using testing::ForEachStore;
using testing::Sample;
using testing::TempDir;

constexpr int64_t kDay = 86400;

// The bundled rights policy: its tiers' sharing thresholds.
const RightsPolicy& Policy() {
  static const RightsPolicy policy = LoadRightsPolicy(testing::SourceDir() + "/rights");
  return policy;
}
const int64_t kMonday = *ParseTime("2026-11-02");

AuditRow At(int64_t at, const std::string& license, bool permit, const std::string& item = "copy",
            const std::string& method = "GET", const std::string& edition = "monitor/v05/i077",
            const std::string& reason = "") {
  AuditRow r;
  r.at = at;
  r.license_id = license;
  r.subscriber_id = license.empty() ? "" : "s-" + license;
  r.edition = edition;
  r.format = "epub";
  r.method = method;
  r.item = item;
  r.decision = permit ? AuditDecision::kPermit : AuditDecision::kDeny;
  r.reason = permit ? "permit" : reason;
  r.sha256 = permit ? std::string(64, 'a') : "";
  return r;
}

const ReportCount* Named(const std::vector<ReportCount>& counts, const std::string& name) {
  for (const ReportCount& c : counts) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// Issue 12, point 7: the rows a license presented to the license routes, a
// feed or search leaves are rows of the log, never downloads or denials of one.
BOOST_AUTO_TEST_CASE(issue12_point7_rows_of_other_routes_are_no_downloads_or_denials) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("lic-a", "Ada"), 0);
    std::vector<AuditRow> rows = {At(kMonday + 10, "lic-a", true)};
    for (const char* item : {"license", "rights", "feed", "search"}) {
      rows.push_back(At(kMonday + 20, "lic-a", true, item, "GET", ""));
      rows.push_back(At(kMonday + 30, "", false, item, "HEAD", "", "bad_signature"));
    }
    store->AppendAudit(&rows);
    const ReportData r = BuildReport(*store, Policy(), kMonday, kMonday + kDay, kMonday + kDay);
    BOOST_TEST(r.rows == 9);
    BOOST_TEST(r.downloads == 1);
    BOOST_TEST(r.denials == 0);
    BOOST_TEST((r.signature_requests == 0 && r.head_requests == 0));
    BOOST_TEST(r.reasons.empty());
    BOOST_TEST(!Named(r.editions, ""));
  });
}

BOOST_AUTO_TEST_CASE(downloads_are_permitted_gets_of_copies_and_denials_any_denied_row) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("lic-a", "Ada"), 0);
    std::vector<AuditRow> rows = {
        At(kMonday + 10, "lic-a", true),                            // a download
        At(kMonday + 20, "lic-a", true),                            // another
        At(kMonday + 30, "lic-a", true, "signature"),               // a signature: no download
        At(kMonday + 40, "lic-a", true, "copy", "HEAD"),            // a HEAD: no download
        At(kMonday + kDay, "lic-a", false, "copy", "GET", "prism/v01/i002", "expired"),
        At(kMonday + kDay, "", false, "copy", "GET", "monitor/v05/i077", "no_license"),
        At(kMonday + kDay, "lic-b", false, "signature", "HEAD", "monitor/v05/i077", "bad_signature"),
        At(kMonday - 1, "lic-a", true),                             // before the period
        At(kMonday + 3 * kDay, "lic-a", true),                      // at its end: excluded
    };
    store->AppendAudit(&rows);
    const ReportData r = BuildReport(*store, Policy(), kMonday, kMonday + 3 * kDay, kMonday + 3 * kDay);
    BOOST_TEST(r.rows == 7);
    BOOST_TEST(r.downloads == 2);
    BOOST_TEST(r.signature_requests == 1);
    BOOST_TEST(r.head_requests == 1);
    BOOST_TEST(r.denials == 3);
    BOOST_REQUIRE(r.days.size() == 3u);
    BOOST_TEST(r.days[0].name == "2026-11-02");
    BOOST_TEST((r.days[0].downloads == 2 && r.days[0].denials == 0));
    BOOST_TEST((r.days[1].downloads == 0 && r.days[1].denials == 3));
    BOOST_TEST((r.days[2].downloads == 0 && r.days[2].denials == 0));
    BOOST_REQUIRE(Named(r.tiers, "individual"));
    BOOST_TEST(Named(r.tiers, "individual")->downloads == 2);
    BOOST_TEST(Named(r.tiers, "individual")->denials == 1);
    BOOST_TEST(Named(r.tiers, "(none)")->denials == 1);     // no license
    BOOST_TEST(Named(r.tiers, "(unknown)")->denials == 1);  // an id the store does not know
    BOOST_TEST(Named(r.publications, "monitor")->downloads == 2);
    BOOST_TEST(Named(r.publications, "prism")->denials == 1);
    BOOST_TEST(Named(r.editions, "prism/v01/i002")->denials == 1);
    BOOST_TEST(Named(r.reasons, "expired")->denials == 1);
    BOOST_TEST(r.reasons.size() == 3u);
    BOOST_REQUIRE(!r.top_licenses.empty());
    BOOST_TEST(r.top_licenses[0].license_id == "lic-a");
    BOOST_TEST(r.top_licenses[0].downloads == 2);
    BOOST_TEST(r.top_licenses[0].denials == 1);
    BOOST_TEST(r.top_licenses[0].subscriber_id == "s-lic-a");
    BOOST_TEST(r.flags.empty());
  });
}

BOOST_AUTO_TEST_CASE(near_expiry_lists_unrevoked_licenses_ending_within_30_days_and_no_reason) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("soon", "Soon"), 0);     // ends 2026-12-31T23:59:59Z
    store->AddLicense(Sample("revoked", "Rev"), 0);
    store->Revoke("revoked", "card declined: private", 0);
    const int64_t now = *ParseTime("2026-12-20");
    const ReportData r = BuildReport(*store, Policy(), now - kDay, now, now);
    BOOST_REQUIRE(r.expiring.size() == 1u);
    BOOST_TEST(r.expiring[0].license_id == "soon");
    BOOST_TEST(r.expiring[0].days_left == 11);
    BOOST_TEST(ReportJson(r).find("card declined") == std::string::npos);
    // Not yet near: 40 days before the end.
    BOOST_TEST(BuildReport(*store, Policy(), now - 41 * kDay, now - 40 * kDay, now - 40 * kDay).expiring.empty());
  });
}

BOOST_AUTO_TEST_CASE(json_escapes_what_the_store_holds_and_names_no_subscriber) {
  TempDir dir;
  auto store = LicenseStore::Open("sqlite:" + dir / "s.db");
  store->AddLicense(Sample("lic-a", "Ada \"Secret\" Name"), 0);
  std::vector<AuditRow> rows = {At(kMonday, "lic-a", false, "copy", "GET", "mon\"itor/<x>\n", "odd\\\"reason")};
  store->AppendAudit(&rows);
  const std::string json = ReportJson(BuildReport(*store, Policy(), kMonday, kMonday + kDay, kMonday));
  BOOST_TEST(json.find("\"name\":\"odd\\\\\\\"reason\"") != std::string::npos);
  BOOST_TEST(json.find("mon\\\"itor/<x>\\n") != std::string::npos);
  BOOST_TEST(json.find("Secret") == std::string::npos);
  BOOST_TEST(json.back() == '\n');
}

// Found attacking the JSON: bytes in the store that are not UTF-8 (a row
// edited by hand) went into `imprint report --format json` as they were,
// and no JSON parser read it; imprint audit's JSON already made them U+FFFD.
BOOST_AUTO_TEST_CASE(json_is_utf8_even_where_the_store_is_not) {
  TempDir dir;
  auto store = LicenseStore::Open("sqlite:" + dir / "s.db");
  std::vector<AuditRow> rows = {At(kMonday, "", false, "copy", "GET", "caf\xE9/v05/i077", "odd\xFF\xC0\xAF")};
  store->AppendAudit(&rows);
  const std::string json = ReportJson(BuildReport(*store, Policy(), kMonday, kMonday + kDay, kMonday));
  const testing::ProcessResult parsed = testing::Run(
      "/usr/bin/python3",
      {"-c", "import json,sys\nr=json.loads(sys.stdin.buffer.read().decode('utf-8'))\n"
             "print(r['editions'][0]['name'], r['reasons'][0]['name'])\n"},
      json);
  BOOST_TEST(parsed.exit_code == 0, parsed.err);
  BOOST_TEST(parsed.out == "caf\xEF\xBF\xBD/v05/i077 odd\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n", parsed.out);
}

BOOST_AUTO_TEST_CASE(a_log_longer_than_a_page_is_read_whole) {
  TempDir dir;
  auto store = LicenseStore::Open("sqlite:" + dir / "s.db");
  std::vector<AuditRow> rows;
  for (int i = 0; i < 4500; ++i) rows.push_back(At(kMonday + i, "lic-x", i % 3 != 0));
  store->AppendAudit(&rows);
  const ReportData r = BuildReport(*store, Policy(), kMonday, kMonday + kDay, kMonday);
  BOOST_TEST(r.rows == 4500);
  BOOST_TEST(r.downloads == 3000);
  BOOST_TEST(r.denials == 1500);
}

// Found attacking the dashboard: anyone, with no license, can ask for any
// well-formed edition path and be denied, and each made-up edition (and
// publication) was a line of the report: 100,000 such requests made /admin/
// an 18 MB page. The lists keep the kListedNames first and fold the rest.
BOOST_AUTO_TEST_CASE(made_up_editions_do_not_grow_the_report_without_bound) {
  TempDir dir;
  auto store = LicenseStore::Open("sqlite:" + dir / "s.db");
  std::vector<AuditRow> rows;
  for (int i = 0; i < 3; ++i) rows.push_back(At(kMonday + i, "lic-x", true));
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(100 + i);
    rows.push_back(At(kMonday + 10 + i, "", false, "copy", "GET", "x" + n + "/v05/i" + n, "no_license"));
  }
  store->AppendAudit(&rows);
  const ReportData r = BuildReport(*store, Policy(), kMonday, kMonday + kDay, kMonday);
  for (const auto* list : {&r.editions, &r.publications}) {
    BOOST_TEST(list->size() == kListedNames + 1);
    BOOST_TEST(list->front().name != "");
    BOOST_TEST(list->back().name == "(" + std::to_string(301 - kListedNames) + " others)");
    int64_t denials = 0, downloads = 0;
    for (const ReportCount& c : *list) denials += c.denials, downloads += c.downloads;
    BOOST_TEST(denials == 300);
    BOOST_TEST(downloads == 3);
  }
  BOOST_TEST(r.editions.front().name == "monitor/v05/i077");
  BOOST_TEST(r.publications.front().name == "monitor");
}

// Found timing the dashboard: every /admin/ load read the whole audit log,
// from its first row, and kept the period's rows: 1.4 s for a day's report
// of a 2,000,000-row log, and growing with the log's age, not the period.
// The store now picks the period's rows. A row outside the period that the
// store cannot read (a decision of "maybe", edited in by hand) shows which
// rows are read: the report of another day never meets it.
BOOST_AUTO_TEST_CASE(a_report_reads_only_its_periods_rows) {
  TempDir dir;
  auto store = LicenseStore::Open("sqlite:" + dir / "s.db");
  std::vector<AuditRow> rows = {At(kMonday - 40 * kDay, "lic-x", true), At(kMonday + 5, "lic-x", true)};
  store->AppendAudit(&rows);
  store.reset();
  const testing::ProcessResult edit = testing::Run(
      "/usr/bin/python3", {"-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\n"
                                 "c.execute(\"UPDATE audit_log SET decision='maybe' WHERE id=1\")\nc.commit()\n",
                           dir / "s.db"});
  BOOST_REQUIRE_MESSAGE(edit.exit_code == 0, edit.err);
  store = LicenseStore::Open("sqlite:" + dir / "s.db");
  const ReportData r = BuildReport(*store, Policy(), kMonday, kMonday + kDay, kMonday);
  BOOST_TEST(r.rows == 1);
  BOOST_TEST(r.downloads == 1);
  BOOST_CHECK_THROW(BuildReport(*store, Policy(), kMonday - 41 * kDay, kMonday - 39 * kDay, kMonday), Error);
}

BOOST_AUTO_TEST_CASE(an_empty_or_overlong_period_is_refused) {
  TempDir dir;
  auto store = LicenseStore::Open("sqlite:" + dir / "s.db");
  BOOST_CHECK_THROW(BuildReport(*store, Policy(), kMonday, kMonday, kMonday), Error);
  BOOST_CHECK_THROW(BuildReport(*store, Policy(), kMonday, kMonday + (kMaxReportDays + 1) * kDay, kMonday), Error);
  BOOST_TEST(BuildReport(*store, Policy(), kMonday, kMonday + kMaxReportDays * kDay, kMonday).days.size() == 366u);
}

// The report's sharing signals are imprint audit --flagged's for the same
// period: a license used from more networks than its tier allows (the
// bundled policy: 3 a day for individual) is in the report, and a row just
// outside the period does not count.
BOOST_AUTO_TEST_CASE(the_report_holds_the_periods_sharing_signals) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("lic-a", "Ada"), 0);
    store->AddLicense(Sample("lic-b", "Bea"), 0);
    std::vector<AuditRow> rows;
    for (int n = 0; n < 5; ++n) {
      rows.push_back(At(kMonday + 60 * n, "lic-a", true));
      rows.back().client_net = "203.0." + std::to_string(n) + ".0/24";
    }
    for (int n = 0; n < 4; ++n) {  // four networks, but the first is before the period
      rows.push_back(At(kMonday - 100 + 60 * n, "lic-b", true));
      rows.back().client_net = "198.51." + std::to_string(n) + ".0/24";
    }
    store->AppendAudit(&rows);
    const ReportData r = BuildReport(*store, Policy(), kMonday, kMonday + kDay, kMonday + kDay);
    BOOST_REQUIRE_EQUAL(r.flags.size(), 1u);
    BOOST_TEST(r.flags[0].license_id == "lic-a");
    BOOST_TEST(r.flags[0].kind == "networks");
    BOOST_TEST(r.flags[0].observed == 5);
    BOOST_TEST(r.flags[0].allowed == 3);
    AuditFilter period;
    period.since = kMonday;
    period.until = kMonday + kDay - 1;
    BOOST_TEST(FindSharingFlags(*store, Policy(), period).size() == r.flags.size());
    BOOST_TEST(ReportJson(r).find("\"license_id\":\"lic-a\"") != std::string::npos, ReportJson(r));
  });
}

}  // namespace
}  // namespace imprint
