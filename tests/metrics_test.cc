// The metrics unit (pipeline/server/metrics.h): its exposition read by a
// strict parser (tests/exposition.h) and by promtool, its histograms' buckets,
// a store check that hangs never holding up a scrape, the listener's routes,
// and --metrics' HOST:PORT. The server's figures against its audit rows are
// server_metrics_test's.
#define BOOST_TEST_MODULE metrics
#include "pipeline/server/metrics.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "pipeline/base/error.h"
#include "tests/exposition.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using Clock = std::chrono::steady_clock;

AuditRow Row(AuditDecision decision, const std::string& reason) {
  AuditRow row;
  row.decision = decision;
  row.reason = reason;
  return row;
}

// promtool's verdict on `text`: its exit status and everything it said.
ProcessResult Promtool(const std::string& text) { return Run("/usr/bin/promtool", {"check", "metrics"}, text); }

BOOST_AUTO_TEST_CASE(a_histogram_counts_each_value_in_the_first_bucket_at_or_above_it) {
  Histogram h({10, 20, 40}, 10);
  for (uint64_t v : {0, 10, 11, 20, 39, 40, 41, 1000}) h.Observe(v);
  std::string out = "# TYPE x histogram\n";
  h.Render("x", "route=\"a\"", &out);
  const Exposition e = ParseExposition(out);
  BOOST_TEST(e.Get("x_bucket{route=\"a\",le=\"1\"}") == 2);  // 0 and 10: le is inclusive
  BOOST_TEST(e.Get("x_bucket{route=\"a\",le=\"2\"}") == 4);
  BOOST_TEST(e.Get("x_bucket{route=\"a\",le=\"4\"}") == 6);
  BOOST_TEST(e.Get("x_bucket{route=\"a\",le=\"+Inf\"}") == 8);
  BOOST_TEST(e.Get("x_count{route=\"a\"}") == 8);
  BOOST_TEST(e.Get("x_sum{route=\"a\"}") == 116.1, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(every_route_kind_has_a_fixed_name) {
  std::set<std::string> names;
  for (int i = 0; i < ServerMetrics::kRoutes; ++i) names.insert(ServerMetrics::RouteName(i));
  BOOST_TEST(names.size() == static_cast<size_t>(ServerMetrics::kRoutes));
  Route edition;
  edition.kind = Route::kEdition;
  BOOST_TEST(ServerMetrics::RouteName(ServerMetrics::RouteIndex(edition)) == std::string("edition_file"));
  edition.signature = true;
  BOOST_TEST(ServerMetrics::RouteName(ServerMetrics::RouteIndex(edition)) == std::string("edition_signature"));
  BOOST_TEST(ServerMetrics::RouteName(ServerMetrics::RouteIndex(ParseRoute("/no/such/thing"))) ==
             std::string("unknown"));
  BOOST_TEST(ServerMetrics::RouteName(ServerMetrics::RouteIndex(ParseRoute("/../x"))) == std::string("malformed"));
  BOOST_TEST(ServerMetrics::RouteName(ServerMetrics::RouteIndex(ParseRoute("/metrics"))) == std::string("unknown"));
  BOOST_TEST(ServerMetrics::RouteName(ServerMetrics::RouteIndex(ParseRoute("/admin/"))) == std::string("admin"));
}

ServerMetrics& Filled(ServerMetrics& m) {
  m.CountRequest(6, 200, std::chrono::microseconds(700));
  m.CountRequest(6, 403, std::chrono::milliseconds(3));
  m.CountRequest(16, 404, std::chrono::microseconds(50));
  m.CountCommit({Row(AuditDecision::kPermit, "permit"), Row(AuditDecision::kDeny, "revoked"),
                 Row(AuditDecision::kPermit, "permit")},
                true, std::chrono::milliseconds(2));
  m.CountCommit({Row(AuditDecision::kDeny, "expired")}, false, std::chrono::milliseconds(2000));
  // A reason with the characters a label value must escape.
  m.CountCommit({Row(AuditDecision::kDeny, "odd \"one\"\\\n")}, true, std::chrono::microseconds(1));
  return m;
}

BOOST_AUTO_TEST_CASE(the_exposition_holds_the_counts_and_parses_strictly) {
  ServerMetrics m;
  m.SetSources({[] { return uint64_t{5}; }, [] { return uint64_t{2}; },
                [] { return std::make_pair(true, 0.25); }, [] { return std::optional<int64_t>(1000); }});
  const Exposition e = ParseExposition(Filled(m).Render(1042));
  BOOST_TEST(e.Get("imprint_http_requests_total{route=\"edition_file\",code=\"200\"}") == 1);
  BOOST_TEST(e.Get("imprint_http_requests_total{route=\"edition_file\",code=\"403\"}") == 1);
  BOOST_TEST(e.Get("imprint_http_requests_total{route=\"unknown\",code=\"404\"}") == 1);
  BOOST_TEST(e.Get("imprint_http_request_duration_seconds_count{route=\"edition_file\"}") == 2);
  BOOST_TEST(e.Get("imprint_http_request_duration_seconds_bucket{route=\"edition_file\",le=\"0.001\"}") == 1);
  BOOST_TEST(e.Get("imprint_http_request_duration_seconds_sum{route=\"edition_file\"}") == 0.0037,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e.Get("imprint_decisions_total{decision=\"permit\",reason=\"permit\"}") == 2);
  BOOST_TEST(e.Get("imprint_decisions_total{decision=\"deny\",reason=\"revoked\"}") == 1);
  BOOST_TEST(e.Get("imprint_decisions_total{decision=\"deny\",reason=\"expired\"}") == -1);  // never committed
  BOOST_TEST(e.Get("imprint_decisions_total{decision=\"deny\",reason=\"odd \"one\"\\\n\"}") == 1);
  BOOST_TEST(e.Get("imprint_audit_commit_rows_sum{}") == 5);  // the failed commit's group too
  BOOST_TEST(e.Get("imprint_audit_commit_rows_count{}") == 3);
  BOOST_TEST(e.Get("imprint_audit_commit_duration_seconds_count{}") == 3);
  BOOST_TEST(e.Get("imprint_copy_cache_hits_total{}") == 5);
  BOOST_TEST(e.Get("imprint_copy_cache_misses_total{}") == 2);
  BOOST_TEST(e.Get("imprint_store_up{}") == 1);
  BOOST_TEST(e.Get("imprint_store_check_age_seconds{}") == 0.25);
  BOOST_TEST(e.Get("imprint_audit_checkpoint_age_seconds{}") == 42);
}

BOOST_AUTO_TEST_CASE(promtool_accepts_the_exposition_without_a_lint_warning) {
  ServerMetrics empty;
  ProcessResult r = Promtool(empty.Render(0));
  BOOST_TEST(r.exit_code == 0, r.out + r.err);
  BOOST_TEST(r.out + r.err == "");
  ServerMetrics m;
  m.SetSources({[] { return uint64_t{5}; }, [] { return uint64_t{2}; },
                [] { return std::make_pair(false, 3.5); }, [] { return std::optional<int64_t>(1000); }});
  r = Promtool(Filled(m).Render(1042));
  BOOST_TEST(r.exit_code == 0, r.out + r.err);
  BOOST_TEST(r.out + r.err == "");
}

BOOST_AUTO_TEST_CASE(no_checkpoint_leaves_its_age_out) {
  ServerMetrics m;
  m.SetSources({[] { return uint64_t{0}; }, [] { return uint64_t{0}; },
                [] { return std::make_pair(true, 0.0); }, [] { return std::optional<int64_t>(); }});
  const std::string text = m.Render(5);
  BOOST_TEST(text.find("imprint_audit_checkpoint_age_seconds") == std::string::npos);
  BOOST_TEST(text.find("imprint_store_up 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_store_check_that_hangs_never_holds_up_a_read) {
  std::atomic<bool> hang{false};
  StoreWatch watch([&] {
    if (hang) std::this_thread::sleep_for(std::chrono::seconds(1));
    return !hang;
  });
  BOOST_TEST(watch.Read(std::chrono::seconds(5)).first == true);
  hang = true;
  const auto start = Clock::now();
  const auto [up, age] = watch.Read(std::chrono::milliseconds(200));
  BOOST_TEST(std::chrono::duration<double>(Clock::now() - start).count() < 1.0);
  BOOST_TEST(up == true);  // the last answer, said to be as old as it is
  BOOST_TEST(age >= 0.2);
  // Once the check returns, the next read has its answer.
  BOOST_TEST(watch.Read(std::chrono::seconds(5)).first == false);
}

std::pair<int, std::string> Ask(int port, const std::string& method, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::string body;
  Poco::StreamCopier::copyToString(in, body);
  return {response.getStatus(), response.getContentType() + "\n" + body};
}

BOOST_AUTO_TEST_CASE(the_listener_serves_only_get_metrics) {
  MetricsEndpoint endpoint("127.0.0.1", 0, [] { return std::string("# TYPE x gauge\nx 1\n"); });
  endpoint.Start();
  const int port = endpoint.port();
  BOOST_TEST(Ask(port, "GET", "/metrics").first == 200);
  BOOST_TEST(Ask(port, "GET", "/metrics").second == std::string(kMetricsContentType) + "\n# TYPE x gauge\nx 1\n");
  BOOST_TEST(Ask(port, "GET", "/metrics?name[]=x").first == 200);
  BOOST_TEST(Ask(port, "GET", "/").first == 404);
  BOOST_TEST(Ask(port, "GET", "/metrics/").first == 404);
  BOOST_TEST(Ask(port, "GET", "/healthz").first == 404);
  BOOST_TEST(Ask(port, "DELETE", "/metrics").first == 405);
}

BOOST_AUTO_TEST_CASE(host_port_is_read_strictly) {
  BOOST_TEST((ParseHostPort("127.0.0.1:9464") == std::make_pair(std::string("127.0.0.1"), 9464)));
  BOOST_TEST((ParseHostPort("[::1]:0") == std::make_pair(std::string("::1"), 0)));
  for (const char* bad : {"9464", ":9464", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:94a4", "::1:9464", "[]:1",
                          "[::1:9464", "127.0.0.1:-1", "127.0.0.1:0000009464"}) {
    BOOST_CHECK_THROW(ParseHostPort(bad), Error);
  }
}

}  // namespace
}  // namespace imprint
