// The download server over a real socket on 127.0.0.1: the real program
// (`imprint serve`), real license files, the stock minisign on what it hands
// out, the audit log and `imprint trace` afterwards.
#define BOOST_TEST_MODULE server
#include "pipeline/server/server.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <thread>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <sstream>

#include "pipeline/signing/checkpoint.h"
#include "pipeline/base/crypto.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/license/license.h"
#include "pipeline/license/license_store.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

// A built archive, licenses, and `imprint serve` on a free port.
class Served {
 public:
  Served() {
    CopyTree(SourceDir() + "/rights", dir / "rights");
    // A tier that may print but not read, to see action_not_permitted.
    std::string policy = ReadAll(dir / "rights/policy.xml");
    policy.replace(policy.find("  <tier id=\"syndication\""), 0,
                   "  <tier id=\"print-only\" title=\"Print only\">\n    <permission action=\"print\"/>\n"
                   "    <watermark>Printed for {{name}}, license {{license}}.</watermark>\n  </tier>\n");
    policy.replace(policy.find("tiers=\"individual institutional syndication\""), 44,
                   "tiers=\"individual institutional syndication print-only\"");
    WriteAll(dir / "rights/policy.xml", policy);
    BOOST_REQUIRE_EQUAL(Imprint({"build", "--out", dir / "output", SourceDir() + "/samples/archive"}).exit_code, 0);
    ada = Issue("ada", "individual", "monitor");
    bob = Issue("bob", "syndication", "monitor,prism");
    printer = Issue("printer", "print-only", "monitor");
    expired = Issue("old", "individual", "monitor", "2020-01-01", "2020-12-31");
    future = Issue("future", "individual", "monitor", "2099-01-01", "2099-12-31");
    Start();
  }
  ~Served() { Stop(); }

  // SIGTERM, as an operator stops it; it signs a last checkpoint on the way out.
  void Stop() {
    if (!server_) return;
    Poco::Process::requestTermination(server_->id());
    server_->wait();
    server_.reset();
  }

  ProcessResult Imprint(std::vector<std::string> args) {
    const std::string command = args[0];
    if (command == "license" || command == "audit" || command == "trace") {
      args.insert(args.end(), {"--db", "sqlite:" + dir / "imprint.db"});
    }
    if ((command == "license" && args[1] == "issue") || command == "build") {
      args.insert(args.end(), {"--rights", dir / "rights"});
    }
    return ImprintWithKeys(dir / "keys", args);
  }

  std::string Issue(const std::string& name, const std::string& tier, const std::string& pubs,
                    const std::string& from = "2026-01-01", const std::string& until = "2099-12-31") {
    const ProcessResult r = Imprint({"license", "issue", "--subscriber", "id-" + name, "--name", name, "--email",
                                     name + "@example.org", "--tier", tier, "--publications", pubs, "--from", from,
                                     "--until", until, "--allow-expired", "--out", dir / (name + ".license")});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return ReadAll(dir / (name + ".license"));
  }

  // Checkpoints every 0.1 s, so that tests need not wait for the 10 s default.
  void Start(const std::string& checkpoint_every = "0.1") {
    Poco::Process::Env env = {{"IMPRINT_KEYS", dir / "keys"}};
    out_ = Poco::Pipe();
    server_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
        ImprintBin(), {"serve", "--port", "0", "--out", dir / "output", "--db", "sqlite:" + dir / "imprint.db",
                       "--rights", dir / "rights", "--checkpoint-every", checkpoint_every},
        dir.path(), nullptr, &out_, nullptr, env));
    port = ServedPort(out_);
  }

  // One request and its whole answer on `session`.
  static Reply Exchange(Poco::Net::HTTPClientSession& session, Poco::Net::HTTPRequest& request) {
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Reply reply;
    reply.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, reply.body);
    for (const auto& [name, value] : response) reply.headers[name] = value;
    return reply;
  }

  Reply Get(const std::string& path, const std::string& license = "", const std::string& auth = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!license.empty()) request.set("Authorization", "License " + Base64Url(license));
    if (!auth.empty()) request.set("Authorization", auth);
    return Exchange(session, request);
  }

  // The status of a request sent as raw bytes (paths no client would send).
  int RawStatus(const std::string& request_line) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    const std::string request = request_line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    std::string head;
    char buf[256];
    for (int n; head.size() < 12 && (n = socket.receiveBytes(buf, sizeof buf)) > 0;) head.append(buf, n);
    return head.size() >= 12 && head.rfind("HTTP/1.", 0) == 0 ? std::stoi(head.substr(9, 3)) : 0;
  }

  // Sends `bytes` on a fresh connection and reads until the server closes it
  // (or 5 s pass: then `closed` is false).
  struct Raw {
    std::string bytes;
    bool closed = false;
    int Answers() const {  // the status lines in what came back
      int n = 0;
      for (size_t at = 0; (at = bytes.find("HTTP/1.1 ", at)) != std::string::npos; ++at) {
        if (at == 0 || bytes.compare(at - 2, 2, "\r\n") == 0 || bytes[at - 1] == '}' || bytes[at - 1] == '\n') ++n;
      }
      return n;
    }
    int Status() const { return bytes.size() >= 12 ? std::stoi(bytes.substr(9, 3)) : 0; }
  };
  Raw RawExchange(const std::string& bytes) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    Raw raw;
    char buf[4096];
    try {
      for (int n; (n = socket.receiveBytes(buf, sizeof buf)) > 0;) raw.bytes.append(buf, n);
      raw.closed = true;
    } catch (const Poco::TimeoutException&) {
    } catch (const Poco::Net::NetException&) {
      raw.closed = true;  // reset
    }
    return raw;
  }

  // The audit log's rows as "decision reason method item sha256?" lines.
  std::vector<std::string> AuditRows() {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", dir / "imprint.db");
    std::vector<std::string> decisions, reasons, methods, items, shas;
    db << "SELECT decision, reason, method, item, sha256 FROM audit_log ORDER BY id", Poco::Data::Keywords::into(decisions),
        Poco::Data::Keywords::into(reasons), Poco::Data::Keywords::into(methods), Poco::Data::Keywords::into(items),
        Poco::Data::Keywords::into(shas), Poco::Data::Keywords::now;
    std::vector<std::string> rows;
    for (size_t i = 0; i < decisions.size(); ++i) {
      rows.push_back(decisions[i] + " " + reasons[i] + " " + methods[i] + " " + items[i] + (shas[i].empty() ? "" : " sha"));
    }
    return rows;
  }

  // `n` licensed downloads on one connection (each an audit row).
  void Downloads(int n, const std::string& license) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setKeepAlive(true);
    for (int i = 0; i < n; ++i) {
      Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, kMdPath, Poco::Net::HTTPMessage::HTTP_1_1);
      request.setKeepAlive(true);
      request.set("Authorization", "License " + Base64Url(license));
      BOOST_REQUIRE_EQUAL(Exchange(session, request).status, 200);
    }
  }

  // The served checkpoint once it states `size` rows (the server signs within 0.1 s).
  std::string CheckpointOf(int64_t size) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      const Reply r = Get("/audit/checkpoint");
      if (r.status == 200 && VerifyCheckpoint(r.body, Keystore(dir / "keys").Trusted()).checkpoint.size == size) {
        return r.body;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    BOOST_FAIL("no checkpoint of size " << size << " was served");
    return "";
  }

  // SQL straight into the store, as an attacker with the database would.
  void Sql(const std::string& statement) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", dir / "imprint.db");
    db << statement, Poco::Data::Keywords::now;
  }

  // Recomputes every row's prev_hash and row_hash in id order, as an attacker
  // who knows the hash (it is no secret) would after changing rows.
  void Rechain() {
    const std::vector<AuditRow> rows = LicenseStore::Open("sqlite:" + dir / "imprint.db")->Audit();
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", dir / "imprint.db");
    db.begin();
    std::string prev(64, '0');
    for (AuditRow r : rows) {
      r.prev_hash = prev;
      r.row_hash = AuditRowHash(r);
      prev = r.row_hash;
      Poco::Int64 id = r.id;
      db << "UPDATE audit_log SET prev_hash = $1, row_hash = $2 WHERE id = $3", Poco::Data::Keywords::use(r.prev_hash),
          Poco::Data::Keywords::use(r.row_hash), Poco::Data::Keywords::use(id), Poco::Data::Keywords::now;
    }
    db.commit();
  }

  ProcessResult Verify(const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"audit", "verify"};
    args.insert(args.end(), more.begin(), more.end());
    return Imprint(args);
  }

  static constexpr const char* kMdPath = "/editions/monitor/v05/i077/monitor-v05-i077.md";

  std::string Reason(const Reply& r) {
    const size_t at = r.body.find("\"reason\":\"");
    return at == std::string::npos ? "" : r.body.substr(at + 10, r.body.find('"', at + 10) - at - 10);
  }

  TempDir dir;
  std::string ada, bob, printer, expired, future;
  int port = 0;

 private:
  Poco::Pipe out_;
  std::unique_ptr<Poco::ProcessHandle> server_;
};

const std::string kEpub = "/editions/monitor/v05/i077/monitor-v05-i077.epub";
const std::string kMd = "/editions/monitor/v05/i077/monitor-v05-i077.md";

BOOST_FIXTURE_TEST_CASE(public_endpoints, Served) {
  BOOST_TEST(Get("/healthz").status == 200);
  BOOST_TEST(Get("/keys/imprint.pub").body == ReadAll(dir / "output/keys/imprint.pub"));
  BOOST_TEST(Get("/catalog.json").body == ReadAll(dir / "output/catalog.json"));
  const Reply page = Get("/");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(page.body.find("Your editions") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(unauthorized_without_a_trusted_license, Served) {
  BOOST_TEST(Get(kEpub).status == 401);
  BOOST_TEST(Get(kEpub, "", "License !!!not-base64").status == 401);
  BOOST_TEST(Get(kEpub, "", "Bearer abc").status == 401);
  BOOST_TEST(Get(kEpub, "{\"id\":\"x\"}").status == 401);
  std::string changed = ada;
  changed.replace(changed.find("\"name\":\"ada\""), 12, "\"name\":\"eve\"");
  const Reply bad = Get(kEpub, changed);
  BOOST_TEST(bad.status == 401);
  BOOST_TEST(Reason(bad) == "bad_signature");
  TempDir other;
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(other / "keys", {"license", "issue", "--db", "sqlite:" + other / "s.db",
      "--subscriber", "x", "--name", "x", "--tier", "individual", "--publications", "monitor", "--from",
      "2026-01-01", "--until", "2099-12-31", "--out", other / "x.license"}).exit_code, 0);
  const Reply stranger = Get(kEpub, ReadAll(other / "x.license"));
  BOOST_TEST(stranger.status == 401);
  BOOST_TEST(Reason(stranger) == "unknown_key");
}

BOOST_FIXTURE_TEST_CASE(forbidden_with_the_reason_for_each_deny_code, Served) {
  const auto forbidden = [this](const Reply& r) { return r.status == 403 ? Reason(r) : "status " + std::to_string(r.status); };
  BOOST_TEST(forbidden(Get("/editions/prism/v04/i012/prism-v04-i012.md", ada)) == "publication_not_covered");
  BOOST_TEST(forbidden(Get("/editions/prism/v04/i012/prism-v04-i012.epub", bob)) == "format_not_permitted");
  BOOST_TEST(forbidden(Get(kMd, printer)) == "action_not_permitted");
  BOOST_TEST(forbidden(Get(kMd, expired)) == "expired");
  BOOST_TEST(forbidden(Get(kMd, future)) == "not_yet_valid");
  License l = ParseLicense(ada, "ada");
  l.tier = "corporate";
  BOOST_TEST(forbidden(Get(kMd, SignLicense(l, Keystore(dir / "keys").LoadSigningKey()))) == "unknown_tier");
  // Revoked: refused from the moment of revocation.
  BOOST_TEST(Get(kMd, ada).status == 200);
  const std::string id = ParseLicense(ada, "ada").id;
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", id, "--reason", "card declined"}).exit_code, 0);
  // Revoked by another process: the server learns of it in the commit of the
  // very next request's audit row; the next one is refused before any commit.
  const Reply first = Get(kMd, ada);
  BOOST_TEST(forbidden(first) == "revoked");
  BOOST_TEST(first.body.find("card declined") == std::string::npos, first.body);  // private
  BOOST_TEST(forbidden(Get(kEpub, ada)) == "revoked");
  const ProcessResult audit = Imprint({"audit", "--license", id});
  const size_t first_revoked = audit.out.find("deny  revoked");
  BOOST_TEST((first_revoked != std::string::npos && audit.out.rfind("permit  permit") < first_revoked &&
              audit.out.find("deny  revoked", first_revoked + 1) != std::string::npos),
             audit.out);
  const Reply status = Get("/licenses/" + id + "/status");
  BOOST_TEST(status.status == 200);
  BOOST_TEST(status.body.find("\"status\": \"revoked\"") != std::string::npos, status.body);
  BOOST_TEST(Get("/licenses/00000000-0000-4000-8000-000000000000/status").status == 404);
}

// Regression: the commit's screen asked whether the license was revoked as
// of the request's start (its row's second), not as of the commit. A request
// begun in the second before a revocation and committed after it got its copy
// though the revocation was in the store first. Here the database is held
// (as a long transaction elsewhere would) while the second turns and the
// revocation is written; the request's commit waits for it.
BOOST_FIXTURE_TEST_CASE(a_request_committed_after_a_revocation_is_refused_whenever_it_began, Served) {
  BOOST_REQUIRE_EQUAL(Get(kMd, ada).status, 200);
  const std::string id = ParseLicense(ada, "ada").id;
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session db("SQLite", dir / "imprint.db");
  db << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
  const int64_t started = static_cast<int64_t>(::time(nullptr));
  Reply reply;
  std::thread request([&] { reply = Get(kMd, ada); });
  while (::time(nullptr) == started) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Poco::Int64 at = ::time(nullptr);
  std::string license_id = id;
  db << "INSERT INTO revocations (license_id, reason, revoked_at) VALUES ($1, 'card declined', $2)",
      Poco::Data::Keywords::use(license_id), Poco::Data::Keywords::use(at), Poco::Data::Keywords::now;
  db << "UPDATE store_versions SET version = version + 1 WHERE name = 'revocations'", Poco::Data::Keywords::now;
  db << "COMMIT", Poco::Data::Keywords::now;
  request.join();
  BOOST_TEST(reply.status == 403, reply.status << " " << reply.body);
  BOOST_TEST(Reason(reply) == "revoked");
  BOOST_TEST(AuditRows().back() == "deny revoked GET copy");
}

// Regression: the operator's words on a revocation reached the subscriber, in
// the 403 body and in the unauthenticated status document.
BOOST_FIXTURE_TEST_CASE(private_revocation_reasons_never_leave_the_store, Served) {
  const std::string id = ParseLicense(ada, "ada").id;
  const std::string secret = "leaked copy found on a forum";
  BOOST_REQUIRE_EQUAL(Get(kMd, ada).status, 200);
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", id, "--reason", secret}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {  // the commit that learns of it, then the in-memory list
    const Reply denied = Get(i == 0 ? kMd : kEpub, ada);
    BOOST_TEST(denied.status == 403);
    BOOST_TEST(Reason(denied) == "revoked");
    BOOST_TEST(denied.body.find("leaked") == std::string::npos, denied.body);
    BOOST_TEST(denied.body.find("forum") == std::string::npos, denied.body);
  }
  const Reply status = Get("/licenses/" + id + "/status");
  BOOST_TEST(status.status == 200);
  BOOST_TEST(status.body.find("\"status\": \"revoked\"") != std::string::npos, status.body);
  BOOST_TEST(status.body.find("\"type\": \"revoked\"") != std::string::npos, status.body);
  BOOST_TEST(status.body.find("leaked") == std::string::npos, status.body);
  BOOST_TEST(status.body.find("forum") == std::string::npos, status.body);
  // The redistribution gate, which a partner may run, says the code only.
  const ProcessResult check = Imprint({"license", "check", dir / "ada.license", "monitor/v05/i077", "--action", "read"});
  BOOST_TEST(check.exit_code == 1);
  BOOST_TEST(check.out.find("deny: revoked") != std::string::npos, check.out);
  BOOST_TEST(check.out.find("forum") == std::string::npos, check.out);
  // The foundation's own tools still have the words.
  const ProcessResult show = Imprint({"license", "show", dir / "ada.license"});
  BOOST_TEST(show.exit_code == 0, show.err);
  BOOST_TEST(show.out.find(secret) != std::string::npos, show.out);
  const ProcessResult audit = Imprint({"audit", "--license", id});
  BOOST_TEST(audit.exit_code == 0, audit.err);
  BOOST_TEST(audit.out.find(secret) != std::string::npos, audit.out);
}

BOOST_FIXTURE_TEST_CASE(unknown_editions_and_malformed_paths, Served) {
  BOOST_TEST(Get("/editions/monitor/v09/i001/monitor-v09-i001.md", ada).status == 404);
  for (const std::string path :
       {"/editions/../keys/imprint.pub", "/editions/monitor/v05/i077/../../../../etc/passwd",
        "/editions/monitor/v05/i077/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/editions/monitor%2fv05%2fi077%2fmonitor-v05-i077.md",
        "/editions/%2e%2e/%2e%2e/etc/passwd", "/editions//monitor/v05/i077/monitor-v05-i077.md", "/../imprint.db",
        "/editions/./monitor/v05/i077/monitor-v05-i077.md"}) {
    BOOST_TEST(RawStatus("GET " + path + " HTTP/1.1") == 400, path);
  }
  // Well formed, but nothing of ours: 404, and nothing read.
  for (const std::string path :
       {"/etc/passwd", "/editions/monitor/v05/i077/manifest.json", "/editions/monitor/v05/i077/prism-v04-i012.md",
        "/editions/monitor/v05/i077/monitor-v05-i077.md/", "/editions/Monitor/v05/i077/monitor-v05-i077.md",
        "/.imprint/state.tsv"}) {
    BOOST_TEST(RawStatus("GET " + path + " HTTP/1.1") == 404, path);
  }
  static const char kNul[] = "GET /editions/monitor/v05/i077/monitor-v05-i077.md\0.txt HTTP/1.1";
  BOOST_TEST(RawStatus(std::string(kNul, sizeof kNul - 1)) == 400);
  BOOST_TEST(RawStatus("GET http://127.0.0.1/../../etc/passwd HTTP/1.1") == 400);
  BOOST_TEST(RawStatus("POST /healthz HTTP/1.1") == 405);
}

BOOST_FIXTURE_TEST_CASE(symbolic_links_inside_the_output_never_lead_out, Served) {
  WriteAll(dir / "secret.txt", "not for the web");
  const std::string md = dir / "output/monitor/v05/i077/monitor-v05-i077.md";
  fs::remove(md);
  fs::create_symlink(dir / "secret.txt", md);
  const Reply r = Get(kMd, bob);
  BOOST_TEST(r.status == 500);  // the output folder was tampered with: edition_unverified
  BOOST_TEST(r.body.find("not for the web") == std::string::npos);
  // A whole edition folder linked out of the output.
  fs::create_directories(dir / "elsewhere");
  fs::rename(dir / "output/prism/v04/i012", dir / "elsewhere/i012");
  fs::create_directory_symlink(dir / "elsewhere/i012", dir / "output/prism/v04/i012");
  const Reply linked = Get("/editions/prism/v04/i012/prism-v04-i012.md", bob);
  BOOST_TEST(linked.status == 500);
  BOOST_TEST(linked.body.find("Licensed to") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(head_conditional_and_kept_alive_downloads, Served) {
  // Several requests on one connection: each answer leaves whole, and the
  // connection stays usable after it.
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setKeepAlive(true);
  const auto ask = [&](const std::string& method, const std::string& path, const std::string& etag) {
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    request.set("Authorization", "License " + Base64Url(ada));
    if (!etag.empty()) request.set("If-None-Match", etag);
    return Exchange(session, request);
  };
  const Reply get = ask("GET", kEpub, "");
  BOOST_REQUIRE_EQUAL(get.status, 200);
  BOOST_TEST(get.headers.at("Content-Length") == std::to_string(get.body.size()));
  BOOST_TEST(get.headers.at("Content-Type") == "application/epub+zip");
  BOOST_TEST(get.headers.count("Connection") == 0);  // HTTP/1.1: kept alive unless "close"
  const Reply head = ask("HEAD", kEpub, "");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
  BOOST_TEST(head.headers.at("Content-Length") == std::to_string(get.body.size()));
  BOOST_TEST(head.headers.at("ETag") == get.headers.at("ETag"));
  const Reply unchanged = ask("GET", kEpub, get.headers.at("ETag"));
  BOOST_TEST(unchanged.status == 304);
  BOOST_TEST(unchanged.body.empty());
  const Reply md = ask("GET", kMd, "");
  BOOST_TEST(md.status == 200);
  BOOST_TEST(md.body.find("Licensed to") != std::string::npos);
  BOOST_TEST(ask("GET", kEpub, "").body == get.body);
}

BOOST_FIXTURE_TEST_CASE(a_rebuilt_edition_is_never_served_from_a_cached_copy_of_the_old_one, Served) {
  const Reply before = Get(kMd, ada);
  BOOST_REQUIRE_EQUAL(before.status, 200);
  BOOST_REQUIRE_EQUAL(Get(kMd, ada).body, before.body);  // now cached
  // A rebuild (signed afresh) renames a new edition into place.
  CopyTree(SourceDir() + "/samples/archive", dir / "archive");
  std::string raw = ReadAll(dir / "archive/monitor-v05-i077.txt");
  const size_t at = raw.find("\n\nRussian border troops");
  BOOST_REQUIRE(at != std::string::npos);
  raw.insert(at, "\n\nA correction published after the first edition.");
  WriteAll(dir / "archive/monitor-v05-i077.txt", raw);
  BOOST_REQUIRE_EQUAL(Imprint({"build", "--out", dir / "output", dir / "archive"}).exit_code, 0);
  const Reply after = Get(kMd, ada);
  BOOST_REQUIRE_EQUAL(after.status, 200);
  BOOST_TEST(after.body.find("A correction published after the first edition.") != std::string::npos);
  BOOST_TEST(after.body.find("Licensed to") != std::string::npos);
}

// Issue 12, point 1: a script inserted into a built page was personalised,
// signed and served, and stock minisign accepted it.
BOOST_FIXTURE_TEST_CASE(the_server_signs_only_verified_bytes, Served) {
  const std::string html = dir / "output/monitor/v05/i077/monitor-v05-i077.html";
  const std::string kHtml = "/editions/monitor/v05/i077/monitor-v05-i077.html";
  BOOST_REQUIRE_EQUAL(Get(kHtml, bob).status, 200);  // verified, and its copy cached
  struct stat before;
  BOOST_REQUIRE(::stat(html.c_str(), &before) == 0);
  std::string page = ReadAll(html);
  page.replace(page.find("</body>"), 0, "<script>alert(1)</script>");
  // In place (same inode), its modification time put back.
  {
    std::ofstream out(html, std::ios::binary | std::ios::in | std::ios::out);
    out.write(page.data(), static_cast<std::streamsize>(page.size()));
  }
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  BOOST_REQUIRE(::utimensat(AT_FDCWD, html.c_str(), times, 0) == 0);
  const Reply r = Get(kHtml, bob);
  BOOST_TEST(r.status == 500);
  BOOST_TEST(r.body == "{\"error\":\"edition_unverified\"}\n");
  BOOST_TEST(r.body.find("alert") == std::string::npos);
  BOOST_TEST(Get(kHtml + ".minisig", bob).status == 500);  // nor its signature
  // The Markdown, untouched, is still served; the refusals are on the record.
  BOOST_TEST(Get(kMd, bob).status == 200);
  const std::vector<std::string> rows = AuditRows();
  BOOST_REQUIRE_EQUAL(rows.size(), 4u);
  BOOST_TEST(rows[1] == "deny edition_unverified GET copy");
  BOOST_TEST(rows[2] == "deny edition_unverified GET signature");
}

// Issue 12, point 2: after `keys rotate` a new key's licenses got 401
// unknown_key; after `keys revoke` the old key's licenses still got 200 and
// copies were still signed with it. Now within a second, without a restart.
BOOST_FIXTURE_TEST_CASE(key_rotation_and_revocation_take_effect_without_a_restart, Served) {
  BOOST_REQUIRE_EQUAL(Get(kMd, ada).status, 200);  // ada's license: signed by the first key
  const std::string listed = Imprint({"keys", "list"}).out;
  const std::string old_id = listed.substr(0, listed.find(' '));
  const ProcessResult rotated = Imprint({"keys", "rotate"});
  BOOST_REQUIRE_MESSAGE(rotated.exit_code == 0, rotated.err);
  const std::string carol = Issue("carol", "individual", "monitor");  // signed by the new key
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const Reply fresh = Get(kMd, carol);
  BOOST_TEST(fresh.status == 200, fresh.body);
  // Every copy is now signed with the new key: the old public key fails it.
  Keystore(dir / "keys").ExportPublicKeys(dir / "now");
  WriteAll(dir / "copy.md", fresh.body);
  WriteAll(dir / "copy.md.minisig", Get(kMd + ".minisig", carol).body);
  const ProcessResult ok = Run("/usr/bin/minisign", {"-V", "-p", dir / "now/keys/imprint.pub", "-m", dir / "copy.md"});
  BOOST_TEST(ok.exit_code == 0, ok.err);
  WriteAll(dir / "ada.md", Get(kMd, ada).body);  // still honoured: the old key is retired, not revoked
  WriteAll(dir / "ada.md.minisig", Get(kMd + ".minisig", ada).body);
  BOOST_TEST(Run("/usr/bin/minisign", {"-V", "-p", dir / "now/keys/imprint.pub", "-m", dir / "ada.md"}).exit_code == 0);
  BOOST_TEST(Run("/usr/bin/minisign", {"-V", "-p", dir / "output/keys/imprint.pub", "-m", dir / "ada.md"}).exit_code != 0);

  const ProcessResult revoked = Imprint({"keys", "revoke", old_id, "--reason", "laptop stolen"});
  BOOST_REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.err);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const Reply refused = Get(kMd, ada);
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(Reason(refused) == "key_revoked");
  BOOST_TEST(refused.body.find("laptop") == std::string::npos);
  // The editions the revoked key signed are no longer proven: refused until
  // they are rebuilt and signed with the current key.
  BOOST_TEST(Get(kMd, carol).body == "{\"error\":\"edition_unverified\"}\n");
  BOOST_REQUIRE_EQUAL(Imprint({"build", "--out", dir / "output", SourceDir() + "/samples/archive"}).exit_code, 0);
  BOOST_TEST(Get(kMd, carol).status == 200);
  // Found attacking issue 12: once the key that had signed checkpoints was
  // revoked, `audit verify` failed for good. Its checkpoints now count for
  // nothing, and those of the current key vouch for the log.
  Stop();
  const ProcessResult verified = Imprint({"audit", "verify"});
  BOOST_TEST(verified.exit_code == 0, verified.out << verified.err);
  BOOST_TEST(verified.out.find("signed by a key since revoked not counted") != std::string::npos, verified.out);
}

BOOST_FIXTURE_TEST_CASE(personalised_copies_verify_with_minisign_and_name_the_licensee, Served) {
  const Reply copy = Get(kEpub, ada);
  BOOST_REQUIRE_EQUAL(copy.status, 200);
  BOOST_TEST(copy.headers.at("Cache-Control") == "private");
  BOOST_TEST(copy.headers.at("Content-Length") == std::to_string(copy.body.size()));
  BOOST_TEST(copy.headers.at("ETag") == "\"" + Sha256Hex(copy.body) + "\"");
  BOOST_TEST(Get(kEpub, ada).body == copy.body);  // the same license and edition, the same bytes
  WriteAll(dir / "got/monitor-v05-i077.epub", copy.body);
  WriteAll(dir / "got/monitor-v05-i077.epub.minisig", Get(kEpub + ".minisig", ada).body);
  const ProcessResult m = Run("/usr/bin/minisign", {"-V", "-p", dir / "output/keys/imprint.pub", "-m",
                                                    dir / "got/monitor-v05-i077.epub"});
  BOOST_TEST(m.exit_code == 0, m.err);
  BOOST_TEST(Unzip(copy.body).at("OEBPS/rights.xhtml").find("Licensed to ada, license ") != std::string::npos);
  const Reply md = Get(kMd, bob);
  BOOST_TEST(md.body.find("licensee: \"bob\"") != std::string::npos);
  BOOST_TEST(md.body.find("for syndication with this footer intact") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(audit_log_and_trace, Served) {
  const Reply a = Get(kEpub, ada), b = Get(kEpub, bob), denied = Get(kMd, printer);
  BOOST_REQUIRE_EQUAL(a.status, 200);
  BOOST_REQUIRE_EQUAL(b.status, 403);  // syndication: no EPUB
  const Reply b_html = Get("/editions/monitor/v05/i077/monitor-v05-i077.html", bob);
  BOOST_REQUIRE_EQUAL(b_html.status, 200);
  const ProcessResult audit = Imprint({"audit"});
  BOOST_TEST(audit.exit_code == 0);
  BOOST_TEST(std::count(audit.out.begin(), audit.out.end(), '\n') == 4);
  BOOST_TEST(audit.out.find("permit  permit") != std::string::npos);
  BOOST_TEST(audit.out.find(Sha256Hex(a.body)) != std::string::npos);
  BOOST_TEST(audit.out.find("deny  format_not_permitted") != std::string::npos);
  CheckpointOf(4);
  const ProcessResult verified = Imprint({"audit", "verify"});
  BOOST_TEST(verified.exit_code == 0, verified.out);

  WriteAll(dir / "found/a.epub", a.body);
  WriteAll(dir / "found/b.html", b_html.body);
  const ProcessResult ta = Imprint({"trace", dir / "found/a.epub"}), tb = Imprint({"trace", dir / "found/b.html"});
  BOOST_TEST(ta.out.find(ParseLicense(ada, "a").id) != std::string::npos, ta.out);
  BOOST_TEST(ta.out.find("subscriber: ada <ada@example.org>") != std::string::npos, ta.out);
  BOOST_TEST(ta.out.find("download:   audit row 1,") != std::string::npos, ta.out);
  BOOST_TEST(tb.out.find(ParseLicense(bob, "b").id) != std::string::npos, tb.out);
  BOOST_TEST(tb.out.find("audit row 4,") != std::string::npos, tb.out);

  // Editing one row breaks the chain there.
  Poco::Data::SQLite::Connector::registerConnector();
  {
    Poco::Data::Session db("SQLite", dir / "imprint.db");
    db << "UPDATE audit_log SET reason = 'permit' WHERE id = 2", Poco::Data::Keywords::now;
  }
  const ProcessResult broken = Imprint({"audit", "verify"});
  BOOST_TEST(broken.exit_code == 1);
  BOOST_TEST(broken.out.find("broken at row 2") != std::string::npos, broken.out);
}

// Issue 12, point 6: a body on GET was read as the next request; two
// Content-Lengths ran both; a chunked body was a request; -1 was a length.
BOOST_FIXTURE_TEST_CASE(request_smuggling_is_refused, Served) {
  const std::string smuggled = "GET " + kEpub + " HTTP/1.1\r\nHost: x\r\nAuthorization: License " + Base64Url(ada) +
                               "\r\n\r\n";
  const std::string n = std::to_string(smuggled.size());
  const std::string chunked = [&] {
    std::ostringstream hex;
    hex << std::hex << smuggled.size();
    return hex.str() + "\r\n" + smuggled + "\r\n0\r\n\r\n";
  }();
  const std::vector<std::pair<std::string, int>> attacks = {
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + n + "\r\n\r\n" + smuggled, 413},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: " + n + "\r\n\r\n" + smuggled, 400},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + n + "\r\nContent-Length: " + n + "\r\n\r\n" + smuggled, 400},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked, 400},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled, 400},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" + smuggled, 400},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n" + smuggled, 400},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: +" + n + "\r\n\r\n" + smuggled, 400},
      {"HEAD /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + n + "\r\n\r\n" + smuggled, 413},
      {"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " + n + "\r\n\r\n" + smuggled, 413},
  };
  for (const auto& [request, status] : attacks) {
    const Raw raw = RawExchange(request);
    BOOST_TEST(raw.Status() == status, request.substr(0, 90));
    BOOST_TEST(raw.Answers() == 1, raw.bytes);  // the smuggled request is never answered
    BOOST_TEST(raw.closed, request.substr(0, 90));
    BOOST_TEST(raw.bytes.find("application/epub+zip") == std::string::npos);
  }
  BOOST_TEST(AuditRows().empty());  // and never decided
  // A length of zero is no body: both pipelined requests are answered.
  const Raw zero = RawExchange("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" + smuggled.substr(0, smuggled.size() - 2) +
                               "Connection: close\r\n\r\n");
  BOOST_TEST(zero.Answers() == 2, zero.bytes);
  BOOST_TEST(zero.bytes.find("application/epub+zip") != std::string::npos);
}

// Issue 12, point 7: a refused file, an oversized Authorization and HEAD left
// no row or a wrong one; signatures were logged as the book.
BOOST_FIXTURE_TEST_CASE(every_edition_request_leaves_exactly_one_row, Served) {
  // Permitted, then the file is refused: it leads out of the output folder.
  WriteAll(dir / "secret.txt", "not for the web");
  const std::string md = dir / "output/monitor/v05/i077/monitor-v05-i077.md";
  fs::remove(md);
  fs::create_symlink(dir / "secret.txt", md);
  BOOST_TEST(Get(kMd, bob).status == 500);
  // An Authorization header over the limit: refused, on the record.
  BOOST_TEST(Get(kEpub, "", "License " + std::string(20000, 'A')).status == 401);
  // HEAD: on the record as a HEAD, with no hash of a body never sent.
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest head(Poco::Net::HTTPRequest::HTTP_HEAD, kEpub, Poco::Net::HTTPMessage::HTTP_1_1);
  head.set("Authorization", "License " + Base64Url(ada));
  BOOST_TEST(Exchange(session, head).status == 200);
  // The book and its signature, each as itself.
  BOOST_TEST(Get(kEpub, ada).status == 200);
  BOOST_TEST(Get(kEpub + ".minisig", ada).status == 200);
  BOOST_TEST(Get(kEpub + ".minisig").status == 401);
  const std::vector<std::string> rows = AuditRows();
  const std::vector<std::string> want = {
      "deny edition_unverified GET copy", "deny no_license GET copy", "permit permit HEAD copy",
      "permit permit GET copy sha",      "permit permit GET signature sha", "deny no_license GET signature"};
  BOOST_TEST(rows == want, boost::test_tools::per_element());
  Stop();  // signs a checkpoint of the last rows
  const ProcessResult verified = Imprint({"audit", "verify"});
  BOOST_TEST(verified.exit_code == 0, verified.out << verified.err);
  const ProcessResult audit = Imprint({"audit"});
  BOOST_TEST(audit.out.find("epub (HEAD)") != std::string::npos, audit.out);
  BOOST_TEST(audit.out.find("epub.minisig") != std::string::npos, audit.out);
}

BOOST_FIXTURE_TEST_CASE(idle_connections_do_not_starve_a_download, Served) {
  // Slow or silent clients: each holds a connection and sends nothing.
  std::vector<Poco::Net::StreamSocket> idle;
  for (int i = 0; i < 150; ++i) {
    idle.emplace_back(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  }
  const auto start = std::chrono::steady_clock::now();
  const Reply r = Get(kEpub, ada);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(r.status == 200);
  BOOST_TEST(seconds < 15.0, "the download took " << seconds << " s");
  BOOST_TEST_MESSAGE("a download beside 150 idle connections: " << seconds << " s");
  // A request far over the limits is refused, and the server goes on.
  BOOST_TEST(RawStatus("GET /" + std::string(20000, 'a') + " HTTP/1.1") != 200);
  BOOST_TEST(Get("/healthz").status == 200);
}

// Regression: the catalog and the public key were read whole, whatever they
// had become: whoever can write the output folder made each request hold a
// sparse file's size in memory (1 GB: 2 GB resident), a few at once enough
// to run the server out of memory; and a FIFO put in the place of one after
// the check that it was a file would have held a worker for good.
BOOST_FIXTURE_TEST_CASE(a_huge_catalog_or_a_fifo_key_is_refused_not_read, Served) {
  const std::string catalog = dir / "output/catalog.json";
  WriteAll(catalog, "");
  BOOST_REQUIRE_EQUAL(::truncate(catalog.c_str(), 256L << 20), 0);  // sparse: no disk used
  BOOST_TEST(RawStatus("GET /catalog.json HTTP/1.1") == 404);
  const std::string key = dir / "output/keys/imprint.pub";
  const std::string genuine = ReadAll(key);
  BOOST_REQUIRE_EQUAL(::unlink(key.c_str()), 0);
  BOOST_REQUIRE_EQUAL(::mkfifo(key.c_str(), 0644), 0);
  // The key comes from the keystore, never from the output folder.
  const Reply served = Get("/keys/imprint.pub");
  BOOST_TEST(served.status == 200);
  BOOST_TEST(served.body == genuine);
  BOOST_TEST(Get("/healthz").status == 200);
}

// Found attacking issue 12: a POST to an edition file (405) left no row.
BOOST_FIXTURE_TEST_CASE(a_request_of_another_method_for_an_edition_file_is_on_the_record, Served) {
  const Raw post = RawExchange("POST " + kEpub + " HTTP/1.1\r\nHost: x\r\nAuthorization: License " + Base64Url(ada) +
                               "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  BOOST_TEST(post.Status() == 405);
  BOOST_TEST(post.bytes.find("Allow: GET, HEAD") != std::string::npos, post.bytes);
  BOOST_TEST(RawStatus("DELETE /healthz HTTP/1.1") == 405);  // not an edition file: no row
  const std::vector<std::string> rows = AuditRows();
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_TEST(rows[0] == "deny method_not_allowed POST copy");
}

// Found attacking issue 12: /keys/imprint.pub, the key the subscribers' page
// tells subscribers to check with, and /catalog.json were served as the
// output folder held them, so whoever could write there could swap the key
// for their own or list editions the foundation never signed.
BOOST_FIXTURE_TEST_CASE(the_public_key_and_catalog_cannot_be_swapped_in_the_output_folder, Served) {
  const std::string genuine = ReadAll(dir / "output/keys/imprint.pub");
  Keystore(dir / "attacker").Init(true);
  Keystore(dir / "attacker").ExportPublicKeys(dir / "attacker-out");
  WriteAll(dir / "output/keys/imprint.pub", ReadAll(dir / "attacker-out/keys/imprint.pub"));
  BOOST_TEST(Get("/keys/imprint.pub").body == genuine);
  BOOST_TEST(Get("/catalog.json").status == 200);
  std::string catalog = ReadAll(dir / "output/catalog.json");
  catalog.replace(catalog.find("\"editions\""), 0, "\"forged\": true, ");
  WriteAll(dir / "output/catalog.json", catalog);
  const Reply forged = Get("/catalog.json");
  BOOST_TEST(forged.status == 500);
  BOOST_TEST(forged.body.find("forged") == std::string::npos);
}

// ---- the audit log's signed checkpoints (issue 12, point 3) ----
// Each attack below left `imprint audit verify` saying "intact" before the
// log had checkpoints. The attacker has the database, not the signing key.

bool Says(const ProcessResult& r, const std::string& text) { return r.out.find(text) != std::string::npos; }

BOOST_FIXTURE_TEST_CASE(the_latest_checkpoint_is_served_signed_and_one_is_signed_at_shutdown, Served) {
  CheckpointOf(0);  // signed at start: the empty log
  Downloads(3, ada);
  const std::string note = CheckpointOf(3);
  const CheckpointVerdict v = VerifyCheckpoint(note, Keystore(dir / "keys").Trusted());
  BOOST_TEST(v.ok, v.problem);
  const std::vector<KeyEntry> keys = Keystore(dir / "keys").Keys();
  BOOST_TEST(v.checkpoint.origin == "jamestown.org/imprint/audit/" + keys.front().key.IdText());
  BOOST_TEST(Hex(v.checkpoint.hash) == LicenseStore::Open("sqlite:" + dir / "imprint.db")->Head().hash);
  const Reply served = Get("/audit/checkpoint");
  BOOST_TEST(served.headers.at("Content-Type") == "text/plain; charset=utf-8");
  // With the 10 s default, rows that come after a checkpoint wait for the
  // next one; stopping the server signs them at once.
  Stop();
  Start("10");
  CheckpointOf(3);    // signed at start
  Downloads(4, ada);  // these wait for the next round, 10 s on
  BOOST_TEST(LicenseStore::Open("sqlite:" + dir / "imprint.db")->LatestCheckpoint()->size == 3);
  const auto started = std::chrono::steady_clock::now();
  Stop();
  const double stop_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(stop_seconds < 5.0);  // the signer does not sit out its 10 s
  const auto latest = LicenseStore::Open("sqlite:" + dir / "imprint.db")->LatestCheckpoint();
  BOOST_REQUIRE(latest.has_value());
  BOOST_TEST(latest->size == 7);
  const ProcessResult ok = Verify();
  BOOST_TEST(ok.exit_code == 0, ok.out);
  BOOST_TEST(Says(ok, "audit log intact: 7 rows, anchored by"), ok.out);
}

BOOST_FIXTURE_TEST_CASE(the_server_never_signs_over_rows_changed_while_it_runs, Served) {
  Downloads(20, ada);
  CheckpointOf(20);
  // Rows cut and every checkpoint deleted under the running server: a fresh
  // checkpoint now would vouch for the cut log.
  Sql("DELETE FROM audit_log WHERE id > 10");
  Sql("DELETE FROM audit_checkpoints");
  Downloads(5, ada);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // six rounds of 0.1 s
  BOOST_TEST(Get("/audit/checkpoint").status == 404);
  Stop();  // nor at shutdown
  const ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, "15 rows from position 1 (row 1) on are not anchored by a signed checkpoint (there is none)"),
             r.out);
}

// Regression: a server starting on a log changed below its latest stored
// checkpoint (a row edited and the chain recomputed while no server ran)
// signed a second checkpoint of the same size with another head: the
// foundation's key vouching for two logs at once, and, the older checkpoint
// deleted, for the changed one alone. It now refuses, as a running one does.
BOOST_FIXTURE_TEST_CASE(a_server_starting_on_a_log_changed_below_its_checkpoint_signs_nothing, Served) {
  Downloads(10, ada);
  CheckpointOf(10);
  Stop();
  // A row a crashed server left unsigned after an intact checkpoint is
  // signed at start, as before.
  {
    auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
    std::vector<AuditRow> rows = {store->Audit().back()};
    store->AppendAudit(&rows);
  }
  Start();
  CheckpointOf(11);
  Stop();
  const auto count = [this] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", dir / "imprint.db");
    int n = 0;
    db << "SELECT COUNT(*) FROM audit_checkpoints", Poco::Data::Keywords::into(n), Poco::Data::Keywords::now;
    return n;
  };
  const int before = count();
  Sql("UPDATE audit_log SET decision = 'deny', reason = 'expired', sha256 = '' WHERE id = 5");
  Rechain();
  Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // five rounds of 0.1 s
  const std::string latest = LicenseStore::Open("sqlite:" + dir / "imprint.db")->LatestCheckpoint()->note;
  BOOST_TEST(Get("/audit/checkpoint").body == latest);
  Stop();
  BOOST_TEST(count() == before);
}

BOOST_FIXTURE_TEST_CASE(truncating_the_last_100_rows_fails_at_the_checkpoint, Served) {
  Downloads(250, ada);
  Stop();
  BOOST_REQUIRE_EQUAL(Verify().exit_code, 0);
  Sql("DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 100 FROM audit_log)");
  const ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, " rows; it has 150: the rows after position 150 (row 150) were deleted"), r.out);
  BOOST_TEST(Says(r, "stored checkpoint "), r.out);
}

BOOST_FIXTURE_TEST_CASE(deleting_every_row_fails_at_the_checkpoint, Served) {
  Downloads(20, ada);
  Stop();
  Sql("DELETE FROM audit_log");
  const ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, "it has 0: the rows after position 0 were deleted"), r.out);
}

BOOST_FIXTURE_TEST_CASE(editing_a_row_and_rechaining_fails_at_the_checkpoint, Served) {
  Downloads(60, ada);
  CheckpointOf(60);
  Downloads(60, ada);
  Stop();
  // A permit turned into a denial, and every hash after it recomputed: the
  // chain alone is intact again.
  Sql("UPDATE audit_log SET decision = 'deny', reason = 'expired', sha256 = '' WHERE id = 90");
  BOOST_TEST(Says(Verify(), "audit log broken at row 90 (position 90)"));
  Rechain();
  const ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 1);
  // The checkpoint at 60 agrees; the first one past row 90 does not.
  BOOST_TEST(Says(r, "disagrees with the log"), r.out);
  BOOST_TEST(Says(r, "were changed, deleted, added or re-chained since"), r.out);
  BOOST_TEST(!Says(r, "after position 0 "), r.out);  // the anchors below row 90 agreed
}

BOOST_FIXTURE_TEST_CASE(appending_a_forged_row_with_a_correct_hash_fails, Served) {
  Downloads(30, ada);
  Stop();
  auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
  AuditRow forged = store->Audit().back();
  forged.license_id = ParseLicense(bob, "bob").id;  // a download bob never made
  forged.subscriber_id = "id-bob";
  std::vector<AuditRow> rows = {forged};
  store->AppendAudit(&rows);  // the store's own append: the hash is right
  const ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, "1 row from position 31 (row 31) on is not anchored by a signed checkpoint"), r.out);
}

// Regression: verify and `imprint audit` paged from id 0 up, so a row the
// attacker inserted with an id of 0 or below was never read: verify said
// "intact" while `imprint audit --license` (and trace) showed the forged
// download.
BOOST_FIXTURE_TEST_CASE(a_forged_row_with_an_id_of_zero_or_below_fails, Served) {
  Downloads(10, ada);
  Stop();
  BOOST_REQUIRE_EQUAL(Verify().exit_code, 0);
  auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
  AuditRow forged = store->Audit().front();
  forged.license_id = ParseLicense(bob, "bob").id;  // a download bob never made
  forged.subscriber_id = "id-bob";
  forged.prev_hash = std::string(64, '0');
  forged.row_hash = AuditRowHash(forged);
  for (const char* id : {"0", "-5"}) {
    BOOST_TEST_CONTEXT("id " << id) {
      Sql(std::string("INSERT INTO audit_log (id, at, license_id, subscriber_id, edition, format, decision, reason,"
                      " sha256, prev_hash, row_hash) VALUES (") + id + ", " + std::to_string(forged.at) + ", '" +
          forged.license_id + "', 'id-bob', '" + forged.edition + "', '" + forged.format + "', 'permit', 'permit', '" +
          forged.sha256 + "', '" + forged.prev_hash + "', '" + forged.row_hash + "')");
      const ProcessResult r = Verify();
      BOOST_TEST(r.exit_code == 1, r.out);
      BOOST_TEST(Says(r, "audit log broken at row"), r.out);
      const ProcessResult listed = Imprint({"audit"});
      BOOST_TEST(listed.out.rfind(std::string(id) + "  ", 0) == 0u, listed.out);  // listed first, as its id sorts
      Sql(std::string("DELETE FROM audit_log WHERE id = ") + id);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(deleting_one_licenses_rows_and_rechaining_fails, Served) {
  const std::string html = "/editions/monitor/v05/i077/monitor-v05-i077.html";
  for (int i = 0; i < 20; ++i) BOOST_REQUIRE_EQUAL(Get(html, i % 2 ? ada : bob).status, 200);
  Stop();
  Sql("DELETE FROM audit_log WHERE subscriber_id = 'id-bob'");
  Rechain();
  const ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, "stored checkpoint "), r.out);
}

BOOST_FIXTURE_TEST_CASE(non_contiguous_ids_are_no_break, Served) {
  // After a PostgreSQL crash its sequence jumps; here, the same gap by hand.
  Downloads(20, ada);
  Stop();
  Sql("UPDATE audit_log SET id = id + 1000 WHERE id > 10");
  const ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 0, r.out);
  BOOST_TEST(Says(r, "audit log intact: 20 rows"), r.out);
  // A real break past the gap is still named by its row.
  Sql("UPDATE audit_log SET edition = 'monitor/v05/i078' WHERE id = 1015");
  BOOST_TEST(Says(Verify(), "audit log broken at row 1015 (position 15)"));
}

BOOST_FIXTURE_TEST_CASE(a_checkpoint_kept_outside_fails_a_log_whose_stored_checkpoints_were_deleted_too, Served) {
  Downloads(150, ada);
  WriteAll(dir / "kept/checkpoint.txt", CheckpointOf(150));  // a subscriber's or a notary's copy
  Stop();
  // Everything gone, checkpoints included: the store alone cannot tell.
  Sql("DELETE FROM audit_log");
  Sql("DELETE FROM audit_checkpoints");
  BOOST_TEST(Verify().exit_code == 0);
  const ProcessResult r = Verify({"--checkpoint", dir / "kept/checkpoint.txt"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, "checkpoint " + dir / "kept/checkpoint.txt" + " (size 150) says the log had 150 rows; it has 0"),
             r.out);
}

BOOST_FIXTURE_TEST_CASE(a_checkpoint_with_a_bad_signature_fails, Served) {
  Downloads(10, ada);
  Stop();
  const StoredCheckpoint latest = *LicenseStore::Open("sqlite:" + dir / "imprint.db")->LatestCheckpoint();
  const std::string note = latest.note, where = " WHERE id = " + std::to_string(latest.id);
  // The size changed under the signature.
  const std::string changed = note.substr(0, note.find('\n') + 1) + "9" + note.substr(note.find("\n10\n") + 3);
  Sql("UPDATE audit_checkpoints SET note = '" + changed + "', size = 9" + where);
  ProcessResult r = Verify();
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, "bad signature by key"), r.out);
  // A checkpoint signed by a key the foundation does not have.
  TempDir other;
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(other / "keys", {"keys", "init", "--dev"}).exit_code, 0);
  const SigningKey stranger = Keystore(other / "keys").LoadSigningKey();
  WriteAll(other / "forged.txt", SignCheckpoint(VerifyCheckpoint(note, Keystore(dir / "keys").Trusted()).checkpoint,
                                                stranger.signer));
  Sql("UPDATE audit_checkpoints SET note = '" + note + "', size = 10" + where);
  BOOST_REQUIRE_EQUAL(Verify().exit_code, 0);
  r = Verify({"--checkpoint", other / "forged.txt"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Says(r, "signed by no trusted key"), r.out);
  // Not a note at all.
  WriteAll(other / "junk.txt", "hello\n");
  BOOST_TEST(Says(Verify({"--checkpoint", other / "junk.txt"}), "not a signed note"));
}

BOOST_AUTO_TEST_CASE(base64url) {
  std::string out;
  BOOST_TEST(Base64UrlDecode("aGk_Pz4-", &out));
  BOOST_TEST(out == "hi?" "?>>");  // split: "??>" would be a trigraph
  BOOST_TEST(Base64UrlDecode("aGk", &out));
  BOOST_TEST(out == "hi");
  BOOST_TEST(!Base64UrlDecode("aGk/Pz4+", &out));
  BOOST_TEST(!Base64UrlDecode("a*b", &out));
}

}  // namespace
}  // namespace imprint
