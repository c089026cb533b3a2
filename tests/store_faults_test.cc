// The download server against a PostgreSQL that fails under it: the real
// program (`imprint serve`), a throwaway PostgreSQL cluster of this test's own
// (tests/tools/pg-start, started by ctest with few connections allowed), real
// sockets. The database is restarted (`pg_ctl restart -m immediate`) under
// load, and crowded by many status requests at once.
#define BOOST_TEST_MODULE store_faults
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "pipeline/base/crypto.h"
#include "pipeline/license/license.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using Clock = std::chrono::steady_clock;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The cluster tests/tools/pg-start made for this test (its URL and folder).
struct Cluster {
  std::string url, folder;
  Cluster() {
    const char* state = std::getenv("IMPRINT_TEST_PG_FAULTS_STATE");
    BOOST_REQUIRE_MESSAGE(state != nullptr, "IMPRINT_TEST_PG_FAULTS_STATE is not set");
    try {
      url = Trimmed(ReadAll(std::string(state) + "/url"));
      folder = Trimmed(ReadAll(std::string(state) + "/cluster"));
    } catch (const std::exception&) {
      BOOST_FAIL("the test PostgreSQL server did not start (tests/tools/pg-start " << state << ")");
    }
  }
  // "127.0.0.1:PORT" of the URL.
  std::string HostPort() const { return url.substr(url.find('@') + 1, url.rfind('/') - url.find('@') - 1); }
  // The URL with a password, which trust authentication ignores and no
  // answer may show.
  std::string UrlWithPassword() const { return "postgresql://postgres:s3cret@" + HostPort() + "/postgres"; }

  ProcessResult Sql(const std::string& statement) const {
    return Run("/usr/bin/psql", {url, "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", statement});
  }
  int64_t Count(const std::string& statement) const {
    const ProcessResult r = Sql(statement);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return std::stoll(r.out);
  }
  // pg_ctl as the cluster's owner; returns when the server accepts connections.
  ProcessResult PgCtl(const std::vector<std::string>& args) const {
    std::string bin = Trimmed(Run("/bin/sh", {"-c", "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1"}).out);
    std::vector<std::string> all = {bin + "/pg_ctl", "-D", folder + "/data", "-l", folder + "/server.log", "-w",
                                    "-t", "60"};
    all.insert(all.end(), args.begin(), args.end());
    if (::getuid() == 0) {
      all.insert(all.begin(), {"-u", "postgres", "--"});
      return Run("/usr/sbin/runuser", all);
    }
    return Run(all[0], std::vector<std::string>(all.begin() + 1, all.end()));
  }
};

struct Reply {
  int status = 0;  // 0: no answer (the connection failed)
  std::string body;
  std::string retry_after;
  Clock::time_point sent;
};

Reply Get(int port, const std::string& path, const std::string& license = "") {
  Reply reply;
  reply.sent = Clock::now();
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(20, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!license.empty()) request.set("Authorization", "License " + Base64Url(license));
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    reply.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, reply.body);
    reply.retry_after = response.get("Retry-After", "");
  } catch (const Poco::Exception& e) {
    reply.body = e.displayText();
  }
  return reply;
}

constexpr const char* kMd = "/editions/monitor/v05/i077/monitor-v05-i077.md";

// A built archive, licenses in the cluster's store, and `imprint serve` on it.
class Served {
 public:
  Served() {
    // Each test starts from an empty database.
    const ProcessResult drop = pg.Sql(
        "DROP TABLE IF EXISTS audit_log, audit_checkpoints, license_events, revocations, licenses, store_versions,"
        " admin_credentials, schema_migrations CASCADE");
    BOOST_REQUIRE_MESSAGE(drop.exit_code == 0, "cannot reach the test PostgreSQL: " << drop.err);
    BOOST_REQUIRE_EQUAL(Imprint({"build", "--out", dir / "output", SourceDir() + "/samples/archive"}).exit_code, 0);
    ada = Issue("ada");
    bob = Issue("bob");
  }
  ~Served() { Stop(); }

  ProcessResult Imprint(std::vector<std::string> args) {
    if (args[0] == "license" || args[0] == "audit") args.insert(args.end(), {"--db", pg.url});
    return ImprintWithKeys(dir / "keys", args);
  }

  std::string Issue(const std::string& name) {
    const ProcessResult r = Imprint({"license", "issue", "--subscriber", "id-" + name, "--name", name, "--email",
                                     name + "@example.org", "--tier", "individual", "--publications", "monitor",
                                     "--from", "2026-01-01", "--until", "2099-12-31", "--out",
                                     dir / (name + ".license")});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return ReadAll(dir / (name + ".license"));
  }

  // The server's connections are named (libpq's PGAPPNAME), to be counted.
  void Start(std::vector<std::string> more = {}) {
    Poco::Process::Env env = {{"IMPRINT_KEYS", dir / "keys"}, {"PGAPPNAME", kAppName}};
    std::vector<std::string> args = {"serve", "--port", "0", "--out", dir / "output", "--db", pg.UrlWithPassword()};
    if (std::find(more.begin(), more.end(), "--checkpoint-every") == more.end()) {
      args.insert(args.end(), {"--checkpoint-every", "0.1"});
    }
    args.insert(args.end(), more.begin(), more.end());
    out_ = Poco::Pipe();
    server_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch(ImprintBin(), args, dir.path(), nullptr, &out_, nullptr, env));
    port = ServedPort(out_);
  }

  void Stop() {
    if (!server_) return;
    Poco::Process::requestTermination(server_->id());
    server_->wait();
    server_.reset();
  }

  // The server's connections to the database now; -1 when even this query
  // could not connect (the server took them all).
  int64_t Backends() {
    const ProcessResult r =
        pg.Sql(std::string("SELECT count(*) FROM pg_stat_activity WHERE application_name = '") + kAppName + "'");
    return r.exit_code == 0 ? std::stoll(r.out) : -1;
  }

  static constexpr const char* kAppName = "imprint-store-faults-test";
  Cluster pg;
  TempDir dir;
  std::string ada, bob;
  int port = 0;

 private:
  Poco::Pipe out_;
  std::unique_ptr<Poco::ProcessHandle> server_;
};

// What clients saw while the database restarted: downloads, /healthz, and
// lookups (a license status and the checkpoint), each with when it was sent.
struct Outage {
  std::vector<Reply> downloads, health, lookups;
  Clock::time_point up;  // pg_ctl -w returned: accepting connections again
};

// Four download loops and one of /healthz and lookups, through a restart.
Outage RestartUnderLoad(const Cluster& pg, int port, const std::string& ada, const std::string& bob) {
  const std::string status_path = "/licenses/" + ParseLicense(ada, "ada").id + "/status";
  Outage seen;
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&, t] {
      while (!stop) {
        Reply r = Get(port, kMd, t % 2 ? ada : bob);
        std::lock_guard<std::mutex> lock(mu);
        seen.downloads.push_back(std::move(r));
      }
    });
  }
  load.emplace_back([&] {
    while (!stop) {
      Reply r = Get(port, "/healthz");
      Reply status = Get(port, status_path), checkpoint = Get(port, "/audit/checkpoint");
      {
        std::lock_guard<std::mutex> lock(mu);
        seen.health.push_back(std::move(r));
        seen.lookups.push_back(std::move(status));
        seen.lookups.push_back(std::move(checkpoint));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const Clock::time_point restart = Clock::now();
  const ProcessResult restarted = pg.PgCtl({"restart", "-m", "immediate"});
  seen.up = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  stop = true;
  for (std::thread& t : load) t.join();
  BOOST_REQUIRE_MESSAGE(restarted.exit_code == 0, restarted.out << restarted.err);
  BOOST_TEST_MESSAGE("restart took " << std::chrono::duration_cast<std::chrono::milliseconds>(seen.up - restart).count()
                                     << " ms; " << seen.downloads.size() << " downloads");
  return seen;
}

// Downloads: 200, or 503 store_unavailable with Retry-After: 1; all 200 from
// 2 s after the database returned. Returns {200s, 503s}.
std::pair<int, int> CheckDownloads(const Outage& seen) {
  int ok = 0, unavailable = 0, other = 0, bad_503 = 0, after = 0, after_ok = 0;
  std::string first_other, first_bad_503;
  Clock::time_point first_ok = Clock::time_point::max();
  for (const Reply& r : seen.downloads) {
    if (r.status == 200) {
      ++ok;
      if (r.sent > seen.up && r.sent < first_ok) first_ok = r.sent;
    } else if (r.status == 503) {
      ++unavailable;
      if (r.retry_after != "1" || r.body.find("\"error\":\"store_unavailable\"") == std::string::npos) {
        if (bad_503++ == 0) first_bad_503 = "Retry-After: " + r.retry_after + ", " + r.body;
      }
    } else if (other++ == 0) {
      first_other = std::to_string(r.status) + " " + r.body;
    }
    if (r.sent > seen.up + std::chrono::seconds(2)) {
      ++after;
      after_ok += r.status == 200;
    }
  }
  BOOST_TEST_MESSAGE("the first download sent after the database was back that succeeded was sent "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(first_ok - seen.up).count()
                     << " ms after");
  BOOST_TEST_MESSAGE(ok << " downloads 200, " << unavailable << " 503, " << other << " other; " << after
                        << " sent 2 s after the database returned, " << after_ok << " of them 200");
  BOOST_TEST(other == 0, other << " downloads answered neither 200 nor 503, the first: " << first_other);
  BOOST_TEST(bad_503 == 0, bad_503 << " answers of 503 lacked Retry-After: 1 or store_unavailable: " << first_bad_503);
  BOOST_TEST(unavailable > 0, "no download saw the outage");
  BOOST_TEST(after > 0);
  BOOST_TEST(after_ok == after, after - after_ok << " of " << after << " downloads failed 2 s after the database returned");
  return {ok, unavailable};
}

// /healthz: 503 naming the store (never its password) while away, 200 after.
void CheckHealth(const Outage& seen, const std::string& host_port) {
  int sick = 0, wrong = 0, late = 0;
  std::string first_wrong;
  for (const Reply& r : seen.health) {
    const bool named = r.body.rfind("store unavailable: postgresql://postgres", 0) == 0 &&
                       r.body.find("@" + host_port + "/postgres") != std::string::npos;
    sick += r.status == 503;
    if ((r.status != 200 && !(r.status == 503 && named)) || r.body.find("s3cret") != std::string::npos) {
      if (wrong++ == 0) first_wrong = std::to_string(r.status) + " " + r.body;
    }
    if (r.sent > seen.up + std::chrono::seconds(2)) late += r.status != 200;
  }
  BOOST_TEST(wrong == 0, wrong << " wrong /healthz answers, the first: " << first_wrong);
  BOOST_TEST(late == 0, late << " /healthz answers were not 200 2 s after the database returned");
  BOOST_TEST(sick > 0, "/healthz never said the store was away");
}

// A license and a checkpoint that exist are never said not to: 503 instead.
void CheckLookups(const Outage& seen) {
  int lookups_away = 0, lookups_wrong = 0;
  std::string first_lookup_wrong;
  for (const Reply& r : seen.lookups) {
    if (r.status == 503 && r.retry_after == "1" && r.body.find("store_unavailable") != std::string::npos) {
      ++lookups_away;
    } else if (r.status != 200 && lookups_wrong++ == 0) {
      first_lookup_wrong = std::to_string(r.status) + " " + r.body;
    }
  }
  BOOST_TEST(lookups_wrong == 0, lookups_wrong << " wrong status or checkpoint answers, the first: " << first_lookup_wrong);
  BOOST_TEST_MESSAGE(seen.lookups.size() << " status and checkpoint lookups, " << lookups_away << " of them 503");
}

// Regression (issue 13): after `pg_ctl restart -m immediate` under load the
// server answered 500 to every download until it was restarted, and /healthz
// kept saying 200. Now: 503 with Retry-After while the store is away, never a
// copy without its audit row, and service back within 2 s of the database.
BOOST_FIXTURE_TEST_CASE(database_restart_under_load_gives_503_then_recovers, Served) {
  Start();
  BOOST_REQUIRE_EQUAL(Get(port, kMd, ada).status, 200);
  BOOST_REQUIRE_EQUAL(Get(port, "/healthz").status, 200);
  // The first checkpoint is signed within its interval of the first row: a
  // lookup before it is rightly 404 no_checkpoint.
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (Get(port, "/audit/checkpoint").status != 200 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const Outage seen = RestartUnderLoad(pg, port, ada, bob);
  const auto [ok, unavailable] = CheckDownloads(seen);
  CheckHealth(seen, pg.HostPort());
  CheckLookups(seen);
  BOOST_TEST(Get(port, "/healthz").status == 200);

  // Every copy sent has its row (a 503 may have one too: its commit may have
  // reached the database when the answer did not come back).
  const int64_t permits = pg.Count("SELECT count(*) FROM audit_log WHERE decision = 'permit'") - 1;  // - the first
  BOOST_TEST(permits >= ok);
  BOOST_TEST(permits <= ok + unavailable);

  // The final checkpoint anchors the last rows; the chain is whole.
  Stop();
  const ProcessResult verified = Imprint({"audit", "verify"});
  BOOST_TEST(verified.exit_code == 0, verified.out << verified.err);
  BOOST_TEST(verified.out.find("intact") != std::string::npos, verified.out);
}

// Regression (issue 13): each handler thread opened and kept a connection of
// its own, so 120 status requests at once took all of PostgreSQL's, `imprint
// license revoke` failed, and lookups that could not connect said 404
// unknown_license. Now a pool of --db-connections (default 8), plus the audit
// writer's, the checkpointer's and the checkpoint signer's own.
// Status answers of 120 clients asking for `path` at once, for as long as
// `watch` (called every 20 ms) says go on.
struct StatusLoad {
  int answered = 0, wrong = 0;  // wrong: not 200
  std::string first_wrong;
};

StatusLoad AskAtOnce(int port, const std::string& path, const std::function<bool()>& watch) {
  std::atomic<bool> stop{false};
  std::mutex mu;
  StatusLoad load;
  std::vector<std::thread> clients;
  for (int t = 0; t < 120; ++t) {
    clients.emplace_back([&] {
      while (!stop) {
        const Reply r = Get(port, path);
        std::lock_guard<std::mutex> lock(mu);
        ++load.answered;
        if (r.status != 200 && load.wrong++ == 0) load.first_wrong = std::to_string(r.status) + " " + r.body;
      }
    });
  }
  while (watch()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop = true;
  for (std::thread& t : clients) t.join();
  return load;
}

BOOST_FIXTURE_TEST_CASE(many_status_requests_use_a_bounded_pool, Served) {
  Start();
  const std::string ada_id = ParseLicense(ada, "ada").id, bob_id = ParseLicense(bob, "bob").id;
  int64_t most = 0;
  int refused = 0;  // the monitor's own connection refused
  const Clock::time_point end = Clock::now() + std::chrono::seconds(4);
  bool revoked = false;
  StatusLoad load = AskAtOnce(port, "/licenses/" + ada_id + "/status", [&] {
    const int64_t now = Backends();
    refused += now < 0;
    most = std::max(most, now);
    if (!revoked && Clock::now() > end - std::chrono::seconds(2)) {
      const ProcessResult r = Imprint({"license", "revoke", bob_id, "--reason", "test"});
      BOOST_TEST(r.exit_code == 0, "revoke under load: " << r.err);
      revoked = true;
    }
    return Clock::now() < end;
  });
  BOOST_TEST_MESSAGE(load.answered << " status answers; at most " << most << " connections");
  BOOST_TEST(refused == 0, "PostgreSQL refused " << refused << " other connections: the server took them all");
  BOOST_TEST(load.wrong == 0, load.wrong << " status answers were not 200, first: " << load.first_wrong);
  BOOST_TEST(most > 0, "no connection of the server was seen (PGAPPNAME)");
  BOOST_TEST(most <= 8 + 3, most << " connections for a pool of 8");
  BOOST_TEST(load.answered > 120);

  // A smaller pool when asked.
  Stop();
  Start({"--db-connections", "2"});
  most = 0;
  int rounds = 0;
  load = AskAtOnce(port, "/licenses/" + bob_id + "/status", [&] {
    most = std::max(most, Backends());
    return ++rounds < 50;
  });
  BOOST_TEST(load.wrong == 0, load.wrong << " status answers were not 200, first: " << load.first_wrong);
  BOOST_TEST(most <= 2 + 3, most << " connections for a pool of 2");
}

// Regression (CI, store_faults): rows committed after a database restart
// were left unanchored when the server stopped. The signer's own connection
// died in the restart; the last round at shutdown was the first to use it,
// failed, and was not tried again. Now a round that fails on a connection
// opened before tries once more on a new one.
BOOST_FIXTURE_TEST_CASE(rows_committed_after_a_database_restart_are_anchored_at_shutdown, Served) {
  Start({"--checkpoint-every", "10"});  // the signer waits 10 s between rounds
  BOOST_REQUIRE_EQUAL(Get(port, kMd, ada).status, 200);  // signed at once: the signer was idle
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (Get(port, "/audit/checkpoint").status != 200 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const ProcessResult restarted = pg.PgCtl({"restart", "-m", "immediate"});
  BOOST_REQUIRE_MESSAGE(restarted.exit_code == 0, restarted.out << restarted.err);
  // The writer's connection died too: downloads answer 503 until it reopens.
  int ok = 0;
  for (int i = 0; i < 50 && ok < 2; ++i) ok += Get(port, kMd, bob).status == 200;
  BOOST_REQUIRE_EQUAL(ok, 2);
  Stop();  // within the signer's 10 s: only its last round can anchor them
  const ProcessResult verified = Imprint({"audit", "verify"});
  BOOST_TEST(verified.exit_code == 0, verified.out << verified.err);
  BOOST_TEST(verified.out.find("intact") != std::string::npos, verified.out);
}

// The status of GET `path` with `Authorization: auth`.
int StatusWith(int port, const std::string& path, const std::string& auth) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", auth);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  return response.getStatus();
}

// Access keys on PostgreSQL (issue 16): HTTP Basic lets a license's key in,
// and `imprint license key` shuts the old key out of the running server at
// once, through the store's access-keys version read in each audit commit.
BOOST_FIXTURE_TEST_CASE(basic_over_postgresql_and_a_new_key_shuts_the_old_one_out_at_once, Served) {
  Start();
  const std::string id = ada.substr(7, 36);
  std::string key;
  const auto new_key = [&] {
    const ProcessResult r = Imprint({"license", "key", id});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const size_t at = r.err.find("(shown only now): ");
    BOOST_REQUIRE(at != std::string::npos);
    key = r.err.substr(at + 18, 43);
    return "Basic " + Base64Encode(id + ":" + key);
  };
  const std::string old_auth = new_key();
  BOOST_TEST(StatusWith(port, kMd, old_auth) == 200);
  BOOST_TEST(StatusWith(port, kMd, old_auth) == 200);  // from the server's cache
  const std::string new_auth = new_key();
  BOOST_TEST(StatusWith(port, kMd, old_auth) == 401);
  BOOST_TEST(StatusWith(port, kMd, new_auth) == 200);
  BOOST_TEST(StatusWith(port, kMd, old_auth) == 401);
  const std::string stored = pg.Sql("SELECT * FROM licenses").out;
  BOOST_TEST(stored.find(key) == std::string::npos);
  BOOST_TEST(stored.find(Sha256Hex(key)) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(db_connections_takes_a_number_from_1_to_256) {
  for (const std::string bad : {"0", "-1", "257", "8x", "", "99999999999999999999"}) {
    const ProcessResult r = RunImprint({"serve", "--port", "0", "--db-connections", bad});
    BOOST_TEST(r.exit_code != 0, bad);
    BOOST_TEST(r.err.find("--db-connections takes a number from 1 to 256, not '" + bad + "'") != std::string::npos,
               r.err);
  }
}

}  // namespace
}  // namespace imprint
