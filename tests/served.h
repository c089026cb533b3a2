// The download server's test fixture, shared by the server test programs
// (server_test, server_copies_test, server_audit_test): a built archive,
// licenses, and the real program (`imprint serve`) on a free port of
// 127.0.0.1, with helpers to ask it over HTTP and raw sockets, and to read or
// tamper with its SQLite store as an attacker with the database would.
#ifndef IMPRINT_TESTS_SERVED_H_
#define IMPRINT_TESTS_SERVED_H_

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/license/license_store.h"
#include "pipeline/signing/checkpoint.h"
#include "pipeline/signing/keystore.h"
#include "tests/support.h"

namespace imprint::testing {

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
  // `more`: further options of `imprint serve`.
  void Start(const std::string& checkpoint_every = "0.1", const std::vector<std::string>& more = {}) {
    Poco::Process::Env env = {{"IMPRINT_KEYS", dir / "keys"}};
    out_ = Poco::Pipe();
    std::vector<std::string> args = {"serve", "--port", "0", "--out", dir / "output", "--db", "sqlite:" + dir / "imprint.db",
                                     "--rights", dir / "rights", "--checkpoint-every", checkpoint_every};
    args.insert(args.end(), more.begin(), more.end());
    server_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch(ImprintBin(), args, dir.path(), nullptr, &out_, nullptr, env));
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

inline const std::string kEpub = "/editions/monitor/v05/i077/monitor-v05-i077.epub";
inline const std::string kMd = "/editions/monitor/v05/i077/monitor-v05-i077.md";

}  // namespace imprint::testing

#endif  // IMPRINT_TESTS_SERVED_H_
