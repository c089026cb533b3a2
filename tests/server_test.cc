// The download server over a real socket on 127.0.0.1 (the fixture is
// tests/served.h): the real program (`imprint serve`), real license files;
// its routes, its decisions and their reasons, revocations, paths.
#define BOOST_TEST_MODULE server
#include "pipeline/server/server.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <sstream>

#include "pipeline/signing/checkpoint.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/license/license.h"
#include "pipeline/license/license_store.h"
#include "tests/support.h"
#include "pipeline/server/text_marks.h"
#include "tests/served.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

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
  const ProcessResult audit = Imprint({"audit", "--license", id, "--format", "csv"});
  const size_t first_revoked = audit.out.find(",deny,revoked,");
  BOOST_TEST((first_revoked != std::string::npos && audit.out.rfind(",permit,,") < first_revoked &&
              audit.out.find(",deny,revoked,", first_revoked + 1) != std::string::npos),
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

// Issue 12, point 11, over the wire: /opds, /feed.xml and /index.html were
// 400 malformed_path. /opds is a route now (OPDS feeds: 401 without
// credentials); the others, and any well-formed path of no route, are 404.
BOOST_FIXTURE_TEST_CASE(unknown_but_well_formed_paths_answer_404, Served) {
  for (const std::string path : {"/feed.xml", "/index.html", "/opds/", "/opds/feed.xml", "/favicon.ico",
                                 "/robots.txt", "/index.html?x=1", "/keys/", "/editions/", "/admin"}) {
    const Reply r = Get(path);
    BOOST_TEST(r.status == 404, path);
    BOOST_TEST(r.body == "{\"error\":\"not_found\"}\n", path);
  }
  BOOST_TEST(Get("/opds").status == 401);
  BOOST_TEST(Get("/feed.atom").status == 200);
  // 400 stays for what is malformed: traversal, NUL, bad encoding.
  for (const std::string path : {"/opds/../feed.xml", "/index.html%00", "/%zz", "/caf\xc3\xa9", "/feed.xml%2e"}) {
    BOOST_TEST(RawStatus("GET " + path + " HTTP/1.1") == 400, path);
  }
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
  raw.insert(raw.find('\n'), "\nCorrection: 2026-11-29 " +
                                 Sha256Hex(ReadAll(dir / "output/monitor/v05/i077/manifest.json")) +
                                 " A paragraph was missing.");  // a text change is a correction
  WriteAll(dir / "archive/monitor-v05-i077.txt", raw);
  BOOST_REQUIRE_EQUAL(Imprint({"build", "--out", dir / "output", dir / "archive"}).exit_code, 0);
  const Reply after = Get(kMd, ada);
  BOOST_REQUIRE_EQUAL(after.status, 200);
  // (The copy's prose carries invisible marks between its words: docs/marks.md.)
  BOOST_TEST(StripMarks(after.body).find("A correction published after the first edition.") != std::string::npos);
  BOOST_TEST(after.body.find("Licensed to") != std::string::npos);
}

// ---- issue 15: an edition under embargo (docs/editions.md "Embargo") --------

// Everything of an answer but its Date.
std::string Seen(Reply r) {
  std::string seen = std::to_string(r.status) + "\n" + r.body;
  r.headers.erase("Date");
  for (const auto& [name, value] : r.headers) seen += "\n" + name + ": " + value;
  return seen;
}

BOOST_FIXTURE_TEST_CASE(an_embargoed_edition_is_answered_as_missing_until_its_time, Served) {
  const int64_t release = static_cast<int64_t>(std::time(nullptr)) + 15;
  std::string raw = ReadAll(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  raw.replace(0, raw.find('\n'), "Publication: Monitor Volume: 5 Issue: 90\nEmbargo: " + FormatTime(release));
  WriteAll(dir / "embargoed/monitor-v05-i090.txt", raw);
  BOOST_REQUIRE_EQUAL(Imprint({"build", "--out", dir / "output", dir / "embargoed"}).exit_code, 0);
  // Its HTML changed on disk too: still "not there", never a 500 that says it is.
  WriteAll(dir / "output/monitor/v05/i090/monitor-v05-i090.html", "<p>changed</p>");
  // Every file of issue `n`'s folder, by the name `tail` gives with NN its number.
  const auto file = [](const std::string& n, std::string tail) {
    if (const size_t at = tail.find("NN"); at != std::string::npos) tail.replace(at, 2, n);
    return "/editions/monitor/v05/i0" + n + "/" + tail;
  };
  const auto ask = [this](const std::string& method, const std::string& path, const std::string& license) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!license.empty()) request.set("Authorization", "License " + Base64Url(license));
    return Exchange(session, request);
  };
  for (const std::string tail : {"monitor-v05-i0NN.md", "monitor-v05-i0NN.html", "monitor-v05-i0NN.epub",
                                  "monitor-v05-i0NN.md.minisig", "monitor-v05-i0NN.epub.minisig",
                                  "monitor-v05-i0NN.mobi", "manifest.json", "manifest.json.minisig"}) {
    for (const std::string* license : {&ada, &printer, &expired}) {
      for (const std::string method : {"GET", "HEAD"}) {
        const Reply there = ask(method, file("90", tail), *license), not_there = ask(method, file("91", tail), *license);
        BOOST_TEST(there.status == 404, method << " " << tail);
        BOOST_TEST(Seen(there) == Seen(not_there), method << " " << tail);
      }
    }
    BOOST_TEST(Seen(Get(file("90", tail))) == Seen(Get(file("91", tail))), tail);  // no license: 401 or 404 alike
  }
  // The audit log records each as it records the missing edition's.
  const std::vector<std::string> rows = AuditRows();
  BOOST_REQUIRE(rows.size() >= 2 && rows.size() % 2 == 0);
  for (size_t i = 0; i < rows.size(); i += 2) BOOST_TEST(rows[i] == rows[i + 1], i);
  BOOST_REQUIRE_MESSAGE(std::time(nullptr) < release, "the requests before the release took over 15 s");

  // After its time, served with no restart, and checked as any edition.
  std::this_thread::sleep_until(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(release + 1)));
  const Reply md = Get(file("90", "monitor-v05-i0NN.md"), ada);
  BOOST_TEST(md.status == 200);
  BOOST_TEST(md.body.find("Licensed to ada") != std::string::npos);
  BOOST_TEST(Get(file("90", "monitor-v05-i0NN.epub.minisig"), ada).status == 200);
  BOOST_TEST(Reason(Get(file("90", "monitor-v05-i0NN.md"), printer)) == "action_not_permitted");
  BOOST_TEST(Get(file("90", "monitor-v05-i0NN.html"), ada).status == 500);  // the changed file, now that it is there
  BOOST_TEST(Get(file("91", "monitor-v05-i0NN.md"), ada).status == 404);
}

}  // namespace
}  // namespace imprint
