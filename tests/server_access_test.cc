// HTTP Basic access keys at the download server (issue 16), over real
// sockets against the real `imprint serve`: the license id as user name and
// its access key as password let a reading app in beside `Authorization:
// License ...`, with the same decisions, audit rows and signed copies; an
// unauthenticated request is challenged; `imprint license key` shuts the old
// key out of a running server at once; and the key never comes back out of
// the store, the audit log, the server's log or an answer.
#define BOOST_TEST_MODULE server_access
#include <fcntl.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/base/crypto.h"
#include "tests/served.h"

namespace imprint {
namespace {

using namespace testing;

// The test process's standard error, and so the server's (its child, which
// inherits it), into a file for the fixture's life: the server's log.
struct StderrToFile {
  TempDir log_dir;
  int saved = ::dup(2);
  StderrToFile() {
    const int fd = ::open((log_dir / "serve.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrToFile() {
    ::dup2(saved, 2);
    ::close(saved);
  }
  std::string ServerLog() { return ReadAll(log_dir / "serve.log"); }
};

const std::string kChallenge = "Basic realm=\"Jamestown Foundation editions\", charset=\"UTF-8\"";

struct KeyServed : StderrToFile, Served {
  // A new key for the license `document` (its id from the document), as
  // `imprint license key` prints it.
  std::string NewKey(const std::string& document, std::string* id_out = nullptr) {
    const std::string id = document.substr(7, 36);
    if (id_out) *id_out = id;
    const ProcessResult r = Imprint({"license", "key", id});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const std::string label = "access key for license " + id + " (shown only now): ";
    const size_t at = r.err.find(label);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, r.err);
    return r.err.substr(at + label.size(), 43);
  }
  static std::string Basic(const std::string& user, const std::string& password) {
    return "Basic " + Base64Encode(user + ":" + password);
  }
};

BOOST_FIXTURE_TEST_CASE(basic_downloads_verify_with_stock_minisign, KeyServed) {
  std::string id;
  const std::string key = NewKey(ada, &id);
  const Reply copy = Get(kEpub, "", Basic(id, key));
  BOOST_REQUIRE_EQUAL(copy.status, 200);
  BOOST_TEST(copy.body == Get(kEpub, ada).body);  // the same personalised copy as the License header's
  const Reply signature = Get(kEpub + ".minisig", "", Basic(id, key));
  BOOST_REQUIRE_EQUAL(signature.status, 200);
  WriteAll(dir / "got/monitor-v05-i077.epub", copy.body);
  WriteAll(dir / "got/monitor-v05-i077.epub.minisig", signature.body);
  const ProcessResult m = Run("/usr/bin/minisign", {"-V", "-p", dir / "output/keys/imprint.pub", "-m",
                                                    dir / "got/monitor-v05-i077.epub"});
  BOOST_TEST(m.exit_code == 0, m.err);
  // The scheme's name is case-insensitive (RFC 7617).
  BOOST_TEST(Get(kMd, "", "basic " + Base64Encode(id + ":" + key)).status == 200);
  // The same audit rows as the License header's: permits under the license.
  const std::vector<AuditRow> rows = LicenseStore::Open("sqlite:" + dir / "imprint.db")->Audit(id);
  BOOST_TEST(rows.size() == 4u);
  for (const AuditRow& r : rows) BOOST_TEST(r.reason == "permit");
}

BOOST_FIXTURE_TEST_CASE(unauthenticated_and_wrong_keys_get_401_with_the_basic_challenge, KeyServed) {
  std::string id;
  const std::string key = NewKey(ada, &id);
  const std::string other = NewKey(bob);
  for (const std::string& auth : std::vector<std::string>{
        std::string(""), Basic(id, "wrong"), Basic(id, other), Basic(id, key + "x"), Basic(id, key.substr(1)),
        Basic(id, ""), Basic("", key), Basic(id + ":" + key, key), Basic(id, key + ":" + key),
        Basic("not-a-uuid", key), Basic("' OR 1=1 --", key), Basic(std::string("\xff\xfe\x00", 3) + id, key),
        Basic(id, std::string("\xc3\x28", 2)), "Basic", "Basic ", "Basic !!!!", "Basic " + Base64Encode(id + key),
        "Basic " + Base64Encode(id + ":" + key) + "=", "Basic " + std::string(12000, 'A'),
        "Basic " + std::string(40000, 'A'), "Bearer " + key, "Digest username=\"" + id + "\""}) {
    Reply r = Get(kEpub, "", auth);
    BOOST_TEST(r.status == 401, auth.substr(0, 80));
    BOOST_TEST(r.headers["WWW-Authenticate"] == kChallenge, auth.substr(0, 80));
    BOOST_TEST(r.body.find("\"decision\":\"deny\"") != std::string::npos, r.body);  // today's JSON body
    BOOST_TEST(r.body.find(key) == std::string::npos);
  }
  // Also the signature, and a HEAD.
  BOOST_TEST(Get(kEpub + ".minisig").headers["WWW-Authenticate"] == kChallenge);
  // The key of another license lets nobody into this one, and its own still works.
  BOOST_TEST(Get(kEpub, "", Basic(id, key)).status == 200);
}

// Regression (the subscribers' page test hung): a license sent in the header
// whose signature failed was challenged for Basic too, and Chromium held the
// page's fetch() for a login dialog instead of handing it the 401. A license
// header is challenged as before, `License`; the Basic challenge is for
// requests that present no credentials or Basic ones.
BOOST_FIXTURE_TEST_CASE(a_refused_license_header_is_challenged_for_license_not_basic, KeyServed) {
  std::string changed = ada;
  changed.replace(changed.find("\"name\":\"ada\""), 12, "\"name\":\"eve\"");
  Reply r = Get(kEpub, changed);
  BOOST_TEST(r.status == 401);
  BOOST_TEST(Reason(r) == "bad_signature");
  BOOST_TEST(r.headers["WWW-Authenticate"] == "License");
  r = Get(kEpub, "", "License !!!not-base64");  // no license that decodes: unauthenticated
  BOOST_TEST(r.headers["WWW-Authenticate"] == kChallenge);
}

BOOST_FIXTURE_TEST_CASE(a_revoked_license_with_its_right_key_is_403_revoked, KeyServed) {
  std::string id;
  const std::string key = NewKey(ada, &id);
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", id, "--reason", "private note"}).exit_code, 0);
  const Reply r = Get(kEpub, "", Basic(id, key));
  BOOST_TEST(r.status == 403);
  BOOST_TEST(Reason(r) == "revoked");
  BOOST_TEST(r.body.find("private note") == std::string::npos);
  // And the other decisions as today: an expired license, a tier without the format.
  std::string old_id;
  const std::string old_key = NewKey(expired, &old_id);
  BOOST_TEST(Reason(Get(kEpub, "", Basic(old_id, old_key))) == "expired");
  std::string printer_id;
  const std::string printer_key = NewKey(printer, &printer_id);
  BOOST_TEST(Get(kEpub, "", Basic(printer_id, printer_key)).status == 403);
}

BOOST_FIXTURE_TEST_CASE(license_key_shuts_the_old_key_out_of_a_running_server_at_once, KeyServed) {
  std::string id;
  const std::string old_key = NewKey(ada, &id);
  BOOST_REQUIRE_EQUAL(Get(kMd, "", Basic(id, old_key)).status, 200);  // now cached by the server
  BOOST_REQUIRE_EQUAL(Get(kMd, "", Basic(id, old_key)).status, 200);
  const std::string new_key = NewKey(ada);
  Reply refused = Get(kMd, "", Basic(id, old_key));
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(refused.headers["WWW-Authenticate"] == kChallenge);
  BOOST_TEST(Get(kMd, "", Basic(id, new_key)).status == 200);
  BOOST_TEST(Get(kMd, "", Basic(id, old_key)).status == 401);
  BOOST_TEST(Get(kMd, ada).status == 200);  // the signed license itself still works
}

// Regression: the routes without an audit row (the license routes, the
// feeds) let a key in from the gate's cache, which only an audit commit
// refreshes: after `imprint license key`, the old key still fetched the
// signed license document, the rights and the acquisition feed while no
// download was made.
BOOST_FIXTURE_TEST_CASE(a_replaced_key_gets_no_license_rights_or_feed_from_the_cache, KeyServed) {
  std::string id;
  const std::string old_key = NewKey(ada, &id);
  const std::vector<std::string> paths = {"/licenses/" + id + "/license", "/licenses/" + id + "/rights",
                                          "/opds/publications/monitor"};
  for (const std::string& path : paths) BOOST_REQUIRE_EQUAL(Get(path, "", Basic(id, old_key)).status, 200);
  const std::string new_key = NewKey(ada);
  for (const std::string& path : paths) {
    const Reply r = Get(path, "", Basic(id, old_key));
    BOOST_TEST(r.status == 401, path << " " << r.status << " " << r.body.substr(0, 200));
    BOOST_TEST(r.body.find("BEGIN") == std::string::npos, path);
    BOOST_TEST(r.body.find("acquisition") == std::string::npos, path);
    BOOST_TEST(Get(path, "", Basic(id, new_key)).status == 200, path);
  }
}

// Regression: a feed learnt revocations only from the server's list, which
// an audit commit refreshes: a license revoked while no download was made
// still had its acquisition links listed.
BOOST_FIXTURE_TEST_CASE(a_revoked_license_gets_no_acquisition_links_in_a_feed, KeyServed) {
  std::string id;
  const std::string key = NewKey(ada, &id);
  const std::string link = "rel=\"http://opds-spec.org/acquisition\"";
  BOOST_REQUIRE(Get("/opds/publications/monitor", "", Basic(id, key)).body.find(link) != std::string::npos);
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", id, "--reason", "private note"}).exit_code, 0);
  for (const std::string& auth : {Basic(id, key), "License " + Base64Url(ada)}) {
    const Reply r = Get("/opds/publications/monitor", "", auth);
    BOOST_TEST(r.body.find(link) == std::string::npos, r.body.substr(0, 2000));
    BOOST_TEST(r.body.find("private note") == std::string::npos);
  }
}

// Every malformed, wrong or other license's credentials on the routes that
// answer the license document, the rights and the feeds: 401 or 403, never
// the document, an acquisition link or a 500.
BOOST_FIXTURE_TEST_CASE(bad_credentials_get_no_license_document_rights_or_feed, KeyServed) {
  std::string id, bob_id;
  const std::string key = NewKey(ada, &id);
  const std::string bob_key = NewKey(bob, &bob_id);
  for (const std::string& path : {"/licenses/" + id + "/license", "/licenses/" + id + "/rights",
                                  std::string("/opds"), std::string("/opds/publications/monitor")}) {
    for (const std::string& auth : std::vector<std::string>{
             std::string(""), Basic(id, "wrong"), Basic(id, bob_key), Basic(bob_id, key), Basic(id, key + "x"),
             Basic(id, ""), Basic("", key), Basic(id, key + ":" + key), "Basic", "Basic ", "Basic !!!!",
             "Basic " + Base64Encode(id + key), "Basic " + std::string(40000, 'A'), "License", "License ",
             "License !!!", "License " + std::string(40000, 'A'), "Bearer " + key, std::string("Basic \x00\x01"),
             "Basic " + Base64Encode(std::string(300, ':'))}) {
      const Reply r = Get(path, "", auth);
      const bool other = auth == Basic(bob_id, key) || path.rfind("/opds", 0) == 0;
      BOOST_TEST((r.status == 401 || (r.status == 403 && !other)), path << " " << auth.substr(0, 60) << " " << r.status);
      BOOST_TEST(r.body.find("\"rights\"") == std::string::npos, path);
      BOOST_TEST(r.body.find("acquisition") == std::string::npos, path);
      BOOST_TEST(r.body.find(key) == std::string::npos, path);
    }
  }
  // Bob's own key for Bob's license, on Ada's routes: the other license, 403.
  BOOST_TEST(Get("/licenses/" + id + "/license", "", Basic(bob_id, bob_key)).status == 403);
  BOOST_TEST(Get("/licenses/" + id + "/rights", "", Basic(bob_id, bob_key)).status == 403);
  BOOST_TEST(Get("/licenses/" + id + "/license", bob).status == 403);
}

// Authorization headers no client would send, as raw bytes, on the new
// routes: each is answered (401, 400 or 200 for the route's public part), and
// the server still answers afterwards.
BOOST_FIXTURE_TEST_CASE(raw_malformed_authorization_headers_are_answered_and_crash_nothing, KeyServed) {
  std::string id;
  const std::string key = NewKey(ada, &id);
  const std::string good = Base64Encode(id + ":" + key);
  for (const std::string& path : {"/licenses/" + id + "/license", std::string("/opds/publications/monitor")}) {
    for (const std::string& header : std::vector<std::string>{
             "Authorization: Basic\t" + good, "Authorization: Basic " + good.substr(0, 20) + std::string(1, '\0') +
             good.substr(20), "Authorization: \x80\xff", "Authorization: License " + std::string(20000, '-'),
             "Authorization:", "Authorization: " + std::string(16383, 'B')}) {
      const int status = RawStatus("GET " + path + " HTTP/1.1\r\n" + header);
      BOOST_TEST((status == 401 || status == 400 || status == 431), path << " " << header.substr(0, 40) << " " << status);
    }
  }
  // What HTTP itself allows is the good key: spaces around the value. A
  // folded line (obsolete, RFC 9112 5.2) is refused, as nginx does: a proxy
  // in front may read it as a field of its own (issue 12, point 6).
  const std::string path = "GET /licenses/" + id + "/license HTTP/1.1\r\n";
  BOOST_TEST(RawStatus(path + "Authorization:Basic " + good + " ") == 200);
  BOOST_TEST(RawStatus(path + "Authorization: Basic\r\n " + good) == 400);
  BOOST_TEST(Get("/licenses/" + id + "/license", "", Basic(id, key)).status == 200);
}

// An attacker with the database puts another license's document under this
// license's id: the key of the one does not open the other.
BOOST_FIXTURE_TEST_CASE(a_document_swapped_in_the_store_is_not_taken_for_the_id, KeyServed) {
  std::string id, bob_id;
  const std::string key = NewKey(ada, &id);
  NewKey(bob, &bob_id);
  Sql("UPDATE licenses SET document = (SELECT document FROM licenses WHERE id = '" + bob_id + "') WHERE id = '" +
      id + "'");
  const Reply r = Get(kMd, "", Basic(id, key));
  BOOST_TEST(r.status == 401);
  BOOST_TEST(Reason(r) == "bad_access_key");
}

BOOST_FIXTURE_TEST_CASE(the_key_is_never_in_the_store_the_audit_log_the_log_or_an_answer, KeyServed) {
  std::string id;
  const std::string key = NewKey(ada, &id);
  std::string seen;
  for (const std::string& path : {kEpub, kEpub + ".minisig", kMd, std::string("/editions/monitor/v05/i999/x.md"),
                                  std::string("/licenses/") + id + "/status", std::string("/")}) {
    for (const std::string& auth : {Basic(id, key), Basic(id, key + "x")}) {
      const Reply r = Get(path, "", auth);
      seen += r.body;
      for (const auto& [name, value] : r.headers) seen += name + ": " + value + "\n";
    }
  }
  Stop();
  BOOST_TEST(seen.find(key) == std::string::npos);
  BOOST_TEST(ReadAll(dir / "imprint.db").find(key) == std::string::npos);
  const std::string wal = (dir / "imprint.db-wal");
  if (std::filesystem::exists(wal)) BOOST_TEST(ReadAll(wal).find(key) == std::string::npos);
  BOOST_TEST(Verify().out.find(key) == std::string::npos);
  BOOST_TEST(Imprint({"audit", "--license", id}).out.find(key) == std::string::npos);
  BOOST_TEST(ServerLog().find(key) == std::string::npos);
  BOOST_TEST(ServerLog().find(Base64Encode(id + ":" + key)) == std::string::npos);
}

// The first `href="..."` after `marker` in `feed`, or "".
std::string HrefAfter(const std::string& feed, const std::string& marker) {
  const size_t at = feed.find(marker);
  const size_t href = at == std::string::npos ? at : feed.find("href=\"", at);
  if (href == std::string::npos) return "";
  const size_t end = feed.find('"', href + 6);
  return feed.substr(href + 6, end - href - 6);
}

// What KOReader does (issue 16, the referee): /opds without credentials,
// the Basic challenge, the same request with Basic, a publication's
// acquisition feed, an EPUB acquisition link, the copy and its signature,
// which stock minisign accepts.
BOOST_FIXTURE_TEST_CASE(a_reading_app_logs_in_with_basic_and_downloads_through_the_feed, KeyServed) {
  std::string id;
  const std::string key = NewKey(ada, &id);
  const Reply challenge = Get("/opds");
  BOOST_TEST(challenge.status == 401);
  BOOST_TEST(Reply(challenge).headers["WWW-Authenticate"] == kChallenge);
  const Reply root = Get("/opds", "", Basic(id, key));
  BOOST_REQUIRE_EQUAL(root.status, 200);
  const std::string feed_path = HrefAfter(root.body, "<title>The Monitor</title>");
  BOOST_REQUIRE_MESSAGE(feed_path.rfind("/opds/publications/monitor", 0) == 0, root.body);
  const Reply feed = Get(feed_path, "", Basic(id, key));
  BOOST_REQUIRE_EQUAL(feed.status, 200);
  const std::string epub = HrefAfter(feed.body, "rel=\"http://opds-spec.org/acquisition\" type=\"application/epub+zip\"");
  BOOST_REQUIRE_MESSAGE(!epub.empty(), feed.body);
  const Reply copy = Get(epub, "", Basic(id, key));
  const Reply signature = Get(epub + ".minisig", "", Basic(id, key));
  BOOST_REQUIRE_EQUAL(copy.status, 200);
  BOOST_REQUIRE_EQUAL(signature.status, 200);
  const std::string name = epub.substr(epub.rfind('/') + 1);
  WriteAll(dir / ("app/" + name), copy.body);
  WriteAll(dir / ("app/" + name + ".minisig"), signature.body);
  const ProcessResult m =
      Run("/usr/bin/minisign", {"-V", "-p", dir / "output/keys/imprint.pub", "-m", dir / ("app/" + name)});
  BOOST_TEST(m.exit_code == 0, m.err);
  BOOST_TEST(m.out.find("license:") != std::string::npos, m.out);  // a personalised copy, signed for the license
}

}  // namespace
}  // namespace imprint
