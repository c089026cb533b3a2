// The download server's /metrics (docs/http.md, "Metrics"), against a real
// `imprint serve --metrics` (the fixture is tests/served.h): for a known set
// of downloads, denials, signatures and cache hits, every figure equals what
// the audit rows say; promtool accepts a real scrape; the public port knows
// no /metrics; and a store that is down reads 0 while scrapes still answer at
// once (a throwaway PostgreSQL stopped under the server).
#define BOOST_TEST_MODULE server_metrics
#include <Poco/Net/ServerSocket.h>

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <thread>

#include "pipeline/base/clock.h"
#include "pipeline/license/license.h"
#include "pipeline/server/metrics.h"
#include "tests/exposition.h"
#include "tests/served.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using Clock = std::chrono::steady_clock;

int FreePort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  return socket.address().port();
}

Reply Fetch(int port, const std::string& path, const std::string& method = "GET") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  return Served::Exchange(session, request);
}

// The server on the fixture's SQLite store, with metrics on a port of their own.
struct Metered : Served {
  Metered() {
    Stop();
    Start("0.1", {"--metrics", "127.0.0.1:" + std::to_string(metrics_port)});
  }
  std::string ScrapeText() {
    const Reply r = Fetch(metrics_port, "/metrics");
    BOOST_REQUIRE_EQUAL(r.status, 200);
    BOOST_TEST(r.headers.at("Content-Type") == kMetricsContentType);
    return r.body;
  }
  // A request on the public port, its status counted under `route`.
  int Ask(const std::string& route, const std::string& path, const std::string& license = "",
          const std::string& method = "GET") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!license.empty()) request.set("Authorization", "License " + Base64Url(license));
    const int status = Exchange(session, request).status;
    ++asked[route][status];
    return status;
  }
  // The audit rows' count by "decision reason", and by item.
  std::map<std::string, int> RowsBy(const std::string& column) {
    std::map<std::string, int> counts;
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", dir / "imprint.db");
    std::vector<std::string> keys;
    db << "SELECT " + column + " FROM audit_log ORDER BY id", Poco::Data::Keywords::into(keys),
        Poco::Data::Keywords::now;
    for (const std::string& k : keys) ++counts[k];
    return counts;
  }
  int metrics_port = FreePort();
  std::map<std::string, std::map<int, int>> asked;  // route -> status -> requests
};

double Sum(const Exposition& e, const std::string& prefix) {
  double n = 0;
  for (const auto& [key, value] : e.series) n += key.rfind(prefix, 0) == 0 ? value : 0;
  return n;
}

// Downloads, denials (unknown license, revoked, a tier that may not read,
// expired, none), signatures and cache hits, and other routes: each status
// noted under its route name.
void KnownRequests(Metered& m) {
  const std::string sig = Served::kMdPath + std::string(".minisig");
  BOOST_TEST(m.Ask("edition_file", kMd, m.ada) == 200);       // made: a miss
  BOOST_TEST(m.Ask("edition_file", kMd, m.ada) == 200);       // a hit
  BOOST_TEST(m.Ask("edition_signature", sig, m.ada) == 200);  // the same entry: a hit
  BOOST_TEST(m.Ask("edition_file", kEpub, m.ada) == 200);     // a miss
  BOOST_TEST(m.Ask("edition_file", kEpub, m.ada, "HEAD") == 200);
  BOOST_TEST(m.Ask("edition_file", kMd, m.printer) == 403);  // a tier that may not read
  BOOST_TEST(m.Ask("edition_file", kMd, m.expired) == 403);
  BOOST_TEST(m.Ask("edition_file", kMd) == 401);  // no license
  std::string forged = m.ada;  // a license its signature does not cover: unknown to the foundation
  forged.replace(forged.find("\"ada\""), 5, "\"eve\"");
  BOOST_TEST(m.Ask("edition_file", kMd, forged) == 401);
  BOOST_TEST(m.Ask("edition_signature", sig, forged) == 401);
  BOOST_REQUIRE_EQUAL(m.Imprint({"license", "revoke", ParseLicense(m.bob, "bob").id}).exit_code, 0);
  // The server learns of a revocation at its next commit: this one's. (A
  // request decided before would make a copy, a miss, that its commit then
  // turns into a denial.)
  BOOST_TEST(m.Ask("edition_file", kMd, m.ada) == 200);
  BOOST_TEST(m.Ask("edition_file", kMd, m.bob) == 403);
  BOOST_TEST(m.Ask("edition_signature", sig, m.bob) == 403);
  BOOST_TEST(m.Ask("healthz", "/healthz") == 200);
  BOOST_TEST(m.Ask("unknown", "/nothing/here") == 404);
  // Never on the public port: /metrics there is a path of no route.
  BOOST_TEST(m.Ask("unknown", "/metrics") == 404);
  BOOST_TEST(m.Get("/metrics").body.find("imprint_") == std::string::npos);
  ++m.asked["unknown"][404];
}

// Each route's requests by status as answered, and no other.
void CheckRequests(const Exposition& e, const std::map<std::string, std::map<int, int>>& asked) {
  double requests = 0;
  for (const auto& [route, statuses] : asked) {
    double of_route = 0;
    for (const auto& [status, n] : statuses) {
      BOOST_TEST(e.Get("imprint_http_requests_total{route=\"" + route + "\",code=\"" + std::to_string(status) + "\"}") ==
                     n, route << " " << status);
      of_route += n;
    }
    BOOST_TEST(e.Get("imprint_http_request_duration_seconds_count{route=\"" + route + "\"}") == of_route, route);
    requests += of_route;
  }
  BOOST_TEST(Sum(e, "imprint_http_requests_total{") == requests);
}

BOOST_FIXTURE_TEST_CASE(every_figure_equals_what_the_audit_rows_say, Metered) {
  KnownRequests(*this);
  const std::map<std::string, int> rows = RowsBy("decision || ' ' || reason");
  int total = 0, permits = 0;
  for (const auto& [row, n] : rows) total += n, permits += row.rfind("permit ", 0) == 0 ? n : 0;
  BOOST_REQUIRE_EQUAL(total, 13);
  // Signed within 0.1 s (read from the store: a request for it would count).
  const auto signed_by = Clock::now() + std::chrono::seconds(20);
  while (LicenseStore::Open("sqlite:" + dir / "imprint.db")->LatestCheckpoint()->size != total) {
    BOOST_REQUIRE(Clock::now() < signed_by);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string text = ScrapeText();
  const Exposition e = ParseExposition(text);
  BOOST_TEST_MESSAGE(text);

  // Decisions: the rows' own words, one for one.
  for (const auto& [row, n] : rows) {
    const std::string decision = row.substr(0, row.find(' ')), reason = row.substr(row.find(' ') + 1);
    BOOST_TEST(e.Get("imprint_decisions_total{decision=\"" + decision + "\",reason=\"" + reason + "\"}") == n, row);
  }
  BOOST_TEST(Sum(e, "imprint_decisions_total{") == total);
  CheckRequests(e, asked);
  // An edition file's request is one row; a signature's row says so.
  BOOST_TEST(Sum(e, "imprint_http_requests_total{route=\"edition_") == total);
  BOOST_TEST(Sum(e, "imprint_http_requests_total{route=\"edition_signature\"") == RowsBy("item")["signature"]);
  // Commits: every row in one, each group counted.
  BOOST_TEST(e.Get("imprint_audit_commit_rows_sum{}") == total);
  BOOST_TEST(e.Get("imprint_audit_commit_rows_count{}") >= 1);
  BOOST_TEST(e.Get("imprint_audit_commit_rows_count{}") <= total);
  BOOST_TEST(e.Get("imprint_audit_commit_duration_seconds_count{}") == e.Get("imprint_audit_commit_rows_count{}"));
  // The cache: a copy for each permit, made once per license and file.
  BOOST_TEST(e.Get("imprint_copy_cache_misses_total{}") == 2);
  BOOST_TEST(e.Get("imprint_copy_cache_hits_total{}") == permits - 2);
  BOOST_TEST(e.Get("imprint_store_up{}") == 1);
  BOOST_TEST(e.Get("imprint_store_check_age_seconds{}") < 2);
  const auto latest = LicenseStore::Open("sqlite:" + dir / "imprint.db")->LatestCheckpoint();
  BOOST_REQUIRE(latest.has_value());
  BOOST_TEST(latest->size == total);
  const double age = e.Get("imprint_audit_checkpoint_age_seconds{}");
  BOOST_TEST(age >= 0);
  BOOST_TEST(std::abs(age - static_cast<double>(Now() - latest->at)) <= 1);

  const ProcessResult lint = Run("/usr/bin/promtool", {"check", "metrics"}, text);
  BOOST_TEST(lint.exit_code == 0, lint.out + lint.err);
  BOOST_TEST(lint.out + lint.err == "");
}

BOOST_FIXTURE_TEST_CASE(the_metrics_listener_answers_nothing_but_metrics, Metered) {
  BOOST_TEST(Fetch(metrics_port, "/").status == 404);
  BOOST_TEST(Fetch(metrics_port, kMd).status == 404);
  BOOST_TEST(Fetch(metrics_port, "/healthz").status == 404);
  BOOST_TEST(Fetch(metrics_port, "/metrics", "POST").status == 405);
  // Its own requests are not the public port's.
  const Exposition e = ParseExposition(ScrapeText());
  BOOST_TEST(Sum(e, "imprint_http_requests_total{") == 0);
  // An empty audit log has no checkpoint age until the first is signed (at start).
  BOOST_TEST(e.Get("imprint_store_up{}") == 1);
}

BOOST_FIXTURE_TEST_CASE(serve_refuses_a_bad_metrics_address, Served) {
  const ProcessResult r = Imprint({"serve", "--port", "0", "--out", dir / "output", "--metrics", "9464"});
  BOOST_TEST(r.exit_code == 2);  // a usage error, as every other option's
  BOOST_TEST(r.err.find("--metrics takes HOST:PORT, not '9464'") != std::string::npos, r.err);
}

// A throwaway PostgreSQL for this test alone (tests/tools/pg-start).
struct Postgres {
  Postgres() {
    const ProcessResult r = Run(SourceDir() + "/tests/tools/pg-start", {state / "pg"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    url = ReadAll(state / "pg/url");
    url.erase(url.find_last_not_of("\n") + 1);
  }
  ~Postgres() { Stop(); }
  void Stop() {
    Signal(SIGCONT);
    Run(SourceDir() + "/tests/tools/pg-stop", {state / "pg"});
  }
  // Sends `signal` to the cluster's postmaster and every backend (its
  // children): SIGSTOP makes a database that takes connections and queries
  // and never answers.
  void Signal(int signal) {
    if (!std::filesystem::exists(state / "pg/cluster")) return;  // stopped
    const std::string cluster = ReadAll(state / "pg/cluster");
    const std::string pid_file = cluster.substr(0, cluster.find('\n')) + "/data/postmaster.pid";
    if (!std::filesystem::exists(pid_file)) return;
    const pid_t postmaster = std::stoi(ReadAll(pid_file));
    ::kill(postmaster, signal);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      // pid (comm) state ppid ...; a process that ended since the listing is passed over
      std::ifstream file(entry.path().string() + "/stat");
      std::string stat;
      if (!std::getline(file, stat)) continue;
      const size_t close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream fields(stat.substr(close + 2));
      std::string state;
      pid_t parent = 0;
      fields >> state >> parent;
      if (parent == postmaster) ::kill(std::stoi(name), signal);
    }
  }
  TempDir state;
  std::string url;
};

BOOST_FIXTURE_TEST_CASE(a_store_that_is_down_reads_0_and_scrapes_still_answer_at_once, Served) {
  Stop();
  Postgres pg;
  const int metrics_port = FreePort();
  Poco::Pipe out;
  Poco::ProcessHandle server = Poco::Process::launch(
      ImprintBin(),
      {"serve", "--port", "0", "--out", dir / "output", "--db", pg.url, "--rights", dir / "rights", "--metrics",
       "127.0.0.1:" + std::to_string(metrics_port)},
      dir.path(), nullptr, &out, nullptr, {{"IMPRINT_KEYS", dir / "keys"}});
  ServedPort(out);
  const auto scrape = [&] {
    const auto start = Clock::now();
    const Reply r = Fetch(metrics_port, "/metrics");
    BOOST_TEST(std::chrono::duration<double>(Clock::now() - start).count() < 1.5);
    BOOST_REQUIRE_EQUAL(r.status, 200);
    return ParseExposition(r.body);
  };
  BOOST_TEST(scrape().Get("imprint_store_up{}") == 1);
  // A database that never answers: each scrape still answers within its
  // bound, with the last answer, as old as it is.
  pg.Signal(SIGSTOP);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the pool's health is a second old
  scrape();
  const Exposition hung = scrape();
  BOOST_TEST(hung.Get("imprint_store_check_age_seconds{}") >= 1.0);
  pg.Stop();
  double up = 1;
  for (const auto deadline = Clock::now() + std::chrono::seconds(10); up != 0 && Clock::now() < deadline;) {
    up = scrape().Get("imprint_store_up{}");
    if (up != 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  BOOST_TEST(up == 0);
  const Exposition down = scrape();
  BOOST_TEST(down.Get("imprint_store_up{}") == 0);
  BOOST_TEST(down.Get("imprint_store_check_age_seconds{}") < 1.5);
  Poco::Process::requestTermination(server.id());
  server.wait();
}

}  // namespace
}  // namespace imprint
