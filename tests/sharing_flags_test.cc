// Signals of a shared license, from audit rows: too many client networks,
// or too many downloads of one edition, within a tier's window; thresholds
// from rights/policy.xml, never from code.
#define BOOST_TEST_MODULE sharing_flags
#include "pipeline/license/sharing_flags.h"

#include <boost/test/unit_test.hpp>
#include <chrono>

#include "pipeline/base/error.h"
#include "tests/store_test_support.h"

namespace imprint {
namespace {

using namespace testing;

constexpr int64_t kT0 = 1764300000;
constexpr int64_t kHour = 3600;

const RightsPolicy& Policy() {
  static const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  return policy;
}

AuditRow Download(const std::string& license, int64_t at, const std::string& net,
                  const std::string& edition = "monitor/v05/i077") {
  AuditRow r = Row(license, "permit");
  r.at = at;
  r.client_net = net;
  r.edition = edition;
  return r;
}

std::vector<SharingFlag> Flags(const std::vector<AuditRow>& rows) {
  SharingDetector d(Policy(), [](const std::string& id) -> std::optional<std::string> {
    if (id.rfind("ind", 0) == 0) return "individual";
    if (id.rfind("syn", 0) == 0) return "syndication";
    return std::nullopt;
  });
  for (const AuditRow& r : rows) d.Add(r);
  return d.Finish();
}

BOOST_AUTO_TEST_CASE(the_bundled_policy_sets_the_thresholds_per_tier) {
  const auto& tiers = Policy().tiers;
  BOOST_REQUIRE(tiers.at("individual").sharing.has_value());
  BOOST_TEST(tiers.at("individual").sharing->networks == 3);
  BOOST_TEST(tiers.at("individual").sharing->downloads_per_edition == 5);
  BOOST_TEST(tiers.at("individual").sharing->window_seconds == 24 * kHour);
  BOOST_TEST(tiers.at("institutional").sharing->downloads_per_edition == 0);  // not checked
  BOOST_TEST(!tiers.at("syndication").sharing.has_value());
}

BOOST_AUTO_TEST_CASE(a_threshold_the_schema_refuses_names_the_line) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  std::string xml = ReadAll(dir / "rights/policy.xml");
  xml.replace(xml.find("networks=\"3\""), 12, "networks=\"0\"");
  WriteAll(dir / "rights/policy.xml", xml);
  BOOST_CHECK_EXCEPTION(LoadRightsPolicy(dir / "rights"), Error, [&](const Error& e) {
    return e.diagnostic().file == dir / "rights/policy.xml" && e.diagnostic().line > 0;
  });
}

BOOST_AUTO_TEST_CASE(more_networks_than_the_tier_allows_in_a_window_is_flagged) {
  // Three networks in a day: allowed. A fourth within 24 hours: flagged.
  std::vector<AuditRow> rows = {Download("ind-1", kT0, "203.0.113.0/24"), Download("ind-1", kT0 + kHour, "198.51.100.0/24"),
                                Download("ind-1", kT0 + 2 * kHour, "192.0.2.0/24")};
  BOOST_TEST(Flags(rows).empty());
  rows.push_back(Download("ind-1", kT0 + 3 * kHour, "2001:db8:1::/48"));
  rows.push_back(Download("ind-1", kT0 + 4 * kHour, "10.0.0.0/24"));
  const std::vector<SharingFlag> flags = Flags(rows);
  BOOST_REQUIRE_EQUAL(flags.size(), 1u);
  const SharingFlag& f = flags[0];
  BOOST_TEST(f.kind == "networks");
  BOOST_TEST(f.license_id == "ind-1");
  BOOST_TEST(f.subscriber_id == "s-ind-1");
  BOOST_TEST(f.tier == "individual");
  BOOST_TEST(f.observed == 5);
  BOOST_TEST(f.allowed == 3);
  BOOST_TEST(f.first_at == kT0);
  BOOST_TEST(f.last_at == kT0 + 4 * kHour);
  BOOST_TEST(f.edition.empty());
  BOOST_TEST(f.detail.find("5 client networks within 24 hours") != std::string::npos, f.detail);
  BOOST_TEST(f.detail.find("the individual tier allows 3 in 24 hours") != std::string::npos, f.detail);
}

// Issue 12, point 7: a license presented to a feed, search or the license
// routes leaves a row now; an app polling its feeds from five networks is
// no sharing, nor are many feed rows downloads.
BOOST_AUTO_TEST_CASE(issue12_point7_rows_of_feeds_search_and_license_routes_raise_no_flag) {
  std::vector<AuditRow> rows;
  for (int i = 0; i < 10; ++i) {
    AuditRow r = Download("ind-1", kT0 + i * kHour, "203.0." + std::to_string(i) + ".0/24", "");
    r.format = "";
    r.item = i % 2 ? "feed" : "search";
    rows.push_back(r);
  }
  BOOST_TEST(Flags(rows).empty());
}

BOOST_AUTO_TEST_CASE(networks_spread_beyond_the_window_are_not_flagged) {
  // Ten networks, one a day: one reader travelling, never four at once.
  std::vector<AuditRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(Download("ind-1", kT0 + i * 25 * kHour, "203.0." + std::to_string(i) + ".0/24"));
  BOOST_TEST(Flags(rows).empty());
}

BOOST_AUTO_TEST_CASE(more_downloads_of_one_edition_than_a_reader_needs_is_flagged) {
  std::vector<AuditRow> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(Download("ind-1", kT0 + i * kHour, "203.0.113.0/24"));
  // Signatures, HEADs, denials and other editions do not count.
  AuditRow sig = Download("ind-1", kT0 + 5 * kHour, "203.0.113.0/24");
  sig.item = "signature";
  AuditRow head = Download("ind-1", kT0 + 5 * kHour, "203.0.113.0/24");
  head.method = "HEAD";
  AuditRow denied = Download("ind-1", kT0 + 5 * kHour, "203.0.113.0/24");
  denied.decision = AuditDecision::kDeny;
  rows.insert(rows.end(), {sig, head, denied, Download("ind-1", kT0 + 5 * kHour, "203.0.113.0/24", "monitor/v05/i078")});
  BOOST_TEST(Flags(rows).empty());
  rows.push_back(Download("ind-1", kT0 + 6 * kHour, "203.0.113.0/24"));
  rows.push_back(Download("ind-1", kT0 + 7 * kHour, "203.0.113.0/24"));
  const std::vector<SharingFlag> flags = Flags(rows);
  BOOST_REQUIRE_EQUAL(flags.size(), 1u);
  BOOST_TEST(flags[0].kind == "downloads");
  BOOST_TEST(flags[0].edition == "monitor/v05/i077");
  BOOST_TEST(flags[0].observed == 7);
  BOOST_TEST(flags[0].allowed == 5);
  BOOST_TEST(flags[0].first_at == kT0);
  BOOST_TEST(flags[0].last_at == kT0 + 7 * kHour);
  BOOST_TEST(flags[0].detail.find("7 downloads of monitor/v05/i077") != std::string::npos, flags[0].detail);
}

BOOST_AUTO_TEST_CASE(a_tier_without_thresholds_and_an_unknown_license_are_never_flagged) {
  std::vector<AuditRow> rows;
  for (int i = 0; i < 50; ++i) {
    for (const char* license : {"syn-1", "who-1"}) {
      rows.push_back(Download(license, kT0 + i, "203.0." + std::to_string(i) + ".0/24"));
    }
  }
  BOOST_TEST(Flags(rows).empty());
}

BOOST_AUTO_TEST_CASE(two_episodes_are_two_flags_and_a_clock_stepping_back_is_no_crash) {
  std::vector<AuditRow> rows;
  for (int day : {0, 10}) {
    for (int i = 0; i < 6; ++i) rows.push_back(Download("ind-1", kT0 + day * 24 * kHour + i, "203.0.113.0/24"));
  }
  rows.push_back(Download("ind-1", kT0 - 1000 * kHour, "203.0.113.0/24"));  // an earlier time after later rows
  const std::vector<SharingFlag> flags = Flags(rows);
  BOOST_REQUIRE_EQUAL(flags.size(), 2u);
  BOOST_TEST(flags[0].first_at == kT0);
  BOOST_TEST(flags[1].first_at == kT0 + 10 * 24 * kHour);
  BOOST_TEST(flags[1].observed == 7);  // the late row counts at the last row's time
}

// Found attacking the detector: each row scanned every network and edition
// its license had in the window, so a license seen from 100,000 networks (a
// botnet, or forged rows) took quadratic time. Leaving the window is now
// O(log n) a network or edition.
BOOST_AUTO_TEST_CASE(a_license_seen_from_many_networks_and_editions_is_flagged_in_near_linear_time) {
  std::vector<AuditRow> rows;
  for (int i = 0; i < 100000; ++i) {
    rows.push_back(Download("ind-1", kT0 + i, std::to_string(i) + ".0.0.0/24",
                            "monitor/v" + std::to_string(i % 97) + "/i" + std::to_string(i)));
  }
  const auto started = std::chrono::steady_clock::now();
  const std::vector<SharingFlag> flags = Flags(rows);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(seconds < 5.0);
  BOOST_REQUIRE_EQUAL(flags.size(), 1u);
  BOOST_TEST(flags[0].observed == 86400);  // a window of 24 hours holds 86,400 seconds' rows
  BOOST_TEST(flags[0].detail.find(", ...)") != std::string::npos, flags[0].detail);
}

BOOST_AUTO_TEST_CASE(flags_are_read_from_the_store_a_page_at_a_time) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    store->AddLicense(Sample("ind-9", "Ada"), kT0);
    std::vector<AuditRow> rows;
    for (int i = 0; i < 4500; ++i) {
      rows.push_back(Download("ind-9", kT0 + i * 60, "203.0." + std::to_string(i % 5) + ".0/24",
                              "monitor/v05/i" + std::to_string(100 + i % 900)));
    }
    store->AppendAudit(&rows);
    AuditFilter period;
    std::vector<SharingFlag> flags = FindSharingFlags(*store, Policy(), period);
    BOOST_REQUIRE_EQUAL(flags.size(), 1u);
    BOOST_TEST(flags[0].kind == "networks");
    BOOST_TEST(flags[0].observed == 5);
    BOOST_TEST(flags[0].subscriber_id == "s-ind-9");
    // A period before the second network: nothing.
    period.until = kT0 + 30;
    BOOST_TEST(FindSharingFlags(*store, Policy(), period).empty());
  });
}

}  // namespace
}  // namespace imprint
