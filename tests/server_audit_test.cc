// The download server's audit log (the fixture is tests/served.h): signed
// checkpoints served and signed at shutdown, and `imprint audit verify`
// failing every way the log can be cut, edited, forged or re-chained.
#define BOOST_TEST_MODULE server_audit
#include "pipeline/server/server.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <tuple>
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
#include "tests/served.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

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

// Issue 12, point 3: a checkpoint "at least every 10 seconds while rows
// arrive". The default is 10 s, a row waits no longer for its anchor, and no
// operator can stretch it.
BOOST_FIXTURE_TEST_CASE(checkpoints_are_signed_at_least_every_10_seconds, Served) {
  BOOST_TEST(ServerOptions().checkpoint_interval.count() == 10000);
  for (const char* every : {"10.5", "11", "60", "1e9", "inf", "nan", "0", "-1", ""}) {
    // No output folder: were the value taken, serve would stop there (exit 1), not run.
    const ProcessResult r = Imprint({"serve", "--port", "0", "--out", dir / "none", "--checkpoint-every", every});
    BOOST_TEST(r.exit_code == 2, every << ": " << r.err);
    BOOST_TEST(r.err.find("--checkpoint-every takes seconds from 0.01 to 10") != std::string::npos, r.err);
  }
  Stop();
  Start("10");
  CheckpointOf(0);  // signed at start; the next round is 10 s on
  const auto arrived = std::chrono::steady_clock::now();
  Downloads(3, ada);
  CheckpointOf(3);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - arrived).count();
  BOOST_TEST(waited <= 10.5, "the rows waited " << waited << " s for their checkpoint");
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

// Issue 12, point 7: every request that presents a license leaves exactly one
// row with its final outcome. The routes added after the edition files (the
// license document and rights, the OPDS feeds, search) answered licenses,
// good or bad, with no row at all.
struct Asked {
  int status = 0;
  std::string body;
  AuditRow row;   // the one row the request left
  int64_t new_rows = 0;
};

class LicensedRoutes : public Served {
 public:
  Asked Ask(const std::string& method, const std::string& path, const std::string& auth) {
    const auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
    const int64_t before = store->Head().size;
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!auth.empty()) request.set("Authorization", auth);
    const Reply reply = Exchange(session, request);
    Asked a{reply.status, reply.body, {}, store->Head().size - before};
    if (a.new_rows > 0) a.row = store->Audit().back();
    return a;
  }
  std::string KeyOf(const std::string& id) {
    const ProcessResult r = Imprint({"license", "key", id});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const std::string label = "access key for license " + id + " (shown only now): ";
    return r.err.substr(r.err.find(label) + label.size(), 43);
  }
};

BOOST_FIXTURE_TEST_CASE(issue12_point7_every_license_presenting_request_leaves_one_row_with_its_outcome,
                        LicensedRoutes) {
  const std::string ada_id = ParseLicense(ada, "ada").id;
  const std::string revoked = Issue("rev", "individual", "monitor");
  const std::string rev_id = ParseLicense(revoked, "rev").id;
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", rev_id, "--reason", "private note"}).exit_code, 0);
  std::string forged = ada;
  forged.replace(forged.find("\"ada\""), 5, "\"eve\"");
  const std::string key = KeyOf(ada_id);
  const auto basic = [](const std::string& id, const std::string& k) { return "Basic " + Base64Encode(id + ":" + k); };
  struct Case { std::string auth, id, decision, reason, license; };
  const std::vector<Case> cases = {
      {"License " + Base64Url(ada), ada_id, "permit", "permit", ada_id},
      {basic(ada_id, key), ada_id, "permit", "permit", ada_id},
      {"License " + Base64Url(forged), ada_id, "deny", "bad_signature", ""},
      {"License " + Base64Url(revoked), rev_id, "deny", "revoked", rev_id},
      {basic(ada_id, "wrong"), ada_id, "deny", "bad_access_key", ""}};
  for (const std::string route : {"license", "rights", "feed", "navigation", "search", "opds_search"}) {
    for (const Case& c : cases) {
      const std::string path = route == "license"      ? "/licenses/" + c.id + "/license"
                               : route == "rights"     ? "/licenses/" + c.id + "/rights"
                               : route == "feed"       ? "/opds/publications/monitor"
                               : route == "navigation" ? "/opds"
                               : route == "search"     ? "/search?q=monitor"
                                                       : "/opds/search?q=monitor";
      const std::string item = route == "navigation" ? "feed" : route == "opds_search" ? "search" : route;
      for (const std::string method : {"GET", "HEAD"}) {
        BOOST_TEST_CONTEXT(method << " " << path << " " << c.reason) {
          const Asked a = Ask(method, path, c.auth);
          BOOST_TEST(a.new_rows == 1);
          BOOST_TEST(a.row.item == item);
          BOOST_TEST(AuditDecisionName(a.row.decision) == c.decision);
          BOOST_TEST(a.row.reason == c.reason);
          BOOST_TEST(a.row.method == method);
          BOOST_TEST(a.row.license_id == c.license);
          BOOST_TEST(a.row.edition.empty());
          BOOST_TEST(a.row.client_net == "127.0.0.0/24");
          const bool sent = method == "GET" && a.status == 200;
          BOOST_TEST(a.row.sha256 == (sent ? Sha256Hex(a.body) : ""));
        }
      }
    }
  }
  // Without credentials, and on the public routes, no license is presented: no row.
  const std::vector<std::string> public_or_bare = {"/opds", "/search?q=monitor", "/licenses/" + ada_id + "/status",
                                                   "/feed.atom"};
  for (const std::string& path : public_or_bare) {
    BOOST_TEST(Ask("GET", path, "").new_rows == 0, path);
  }
  Stop();  // signs the last rows: the new items keep the chain
  const ProcessResult verified = Verify();
  BOOST_TEST(verified.exit_code == 0, verified.out);
}

// Attacks on point 7: odd methods, a request that is both Basic and License,
// and a flood of bad credentials at a feed: one row each, never two, none lost.
BOOST_FIXTURE_TEST_CASE(issue12_point7_odd_methods_both_schemes_and_a_bad_flood_leave_one_row_each, LicensedRoutes) {
  const std::string id = ParseLicense(ada, "ada").id;
  const std::string license = "Authorization: License " + Base64Url(ada) + "\r\n";
  const std::string basic = "Authorization: Basic " + Base64Encode(id + ":wrong") + "\r\n";
  const auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
  const auto send = [&](const std::string& line, const std::string& headers) {
    const int64_t before = store->Head().size;
    const Raw raw = RawExchange(line + "\r\nHost: x\r\n" + headers + "Connection: close\r\n\r\n");
    BOOST_TEST(store->Head().size - before == 1, line);
    return std::make_pair(raw.Status(), store->Audit().back());
  };
  for (const std::string method : {"POST", "DELETE", "OPTIONS", "FROB"}) {
    const auto [status, row] = send(method + " /opds HTTP/1.1", license);
    BOOST_TEST(status == 405);
    BOOST_TEST((row.item == "feed" && row.reason == "method_not_allowed"), row.item << " " << row.reason);
    BOOST_TEST(row.method == (method == "FROB" ? "other" : method));
  }
  // Two Authorization headers: the first is the one decided and recorded.
  auto [status, row] = send("GET /licenses/" + id + "/license HTTP/1.1", license + basic);
  BOOST_TEST((status == 200 && row.decision == AuditDecision::kPermit && row.item == "license"));
  std::tie(status, row) = send("GET /licenses/" + id + "/license HTTP/1.1", basic + license);
  BOOST_TEST((status == 401 && row.reason == "bad_access_key"));
  // One header that names both schemes is a License header that does not decode.
  std::tie(status, row) = send("GET /opds HTTP/1.1", "Authorization: License " + Base64Url(ada) + ", Basic x\r\n");
  BOOST_TEST((status == 401 && row.reason == "no_license" && row.item == "feed"));
  // A flood of wrong keys at a feed: each a row (as at an edition file), each answered 401.
  const int64_t before = store->Head().size;
  for (int i = 0; i < 100; ++i) {
    BOOST_REQUIRE_EQUAL(Ask("GET", "/opds", "Basic " + Base64Encode(id + ":k" + std::to_string(i))).status, 401);
  }
  BOOST_TEST(store->Head().size - before == 100);
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
      const ProcessResult listed = Imprint({"audit", "--format", "json"});
      BOOST_TEST(listed.out.rfind("[\n{\"id\":" + std::string(id) + ",", 0) == 0u, listed.out);  // first, as its id sorts
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

}  // namespace
}  // namespace imprint
