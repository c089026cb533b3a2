// `imprint report` and the server's /admin/ end to end: real downloads and
// denials against a real `imprint serve`, then every figure of the report's
// JSON, its HTML and the dashboard compared with counts the test makes from
// the store's audit rows; the admin credential's cases (none, wrong, right,
// a subscriber's license or Basic id:key, a strict period), and the
// commands' refusals (a password on the command line, a bad period, a
// report that cannot be made leaves no file).
#define BOOST_TEST_MODULE report
#include <Poco/JSON/Parser.h>

#include <map>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/rfc3339.h"
#include "tests/served.h"

namespace imprint::testing {
namespace {

const char kPassword[] = "correct horse battery";

std::string Db(Served& s) { return "sqlite:" + s.dir / "imprint.db"; }

ProcessResult Passwd(Served& s, const std::string& stdin_text, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"admin", "passwd", "--db", Db(s)};
  args.insert(args.end(), more.begin(), more.end());
  return Run(ImprintBin(), args, stdin_text);
}

std::string BasicAuth(const std::string& user_password) { return "Basic " + Base64Encode(user_password); }

// What the audit rows say, counted here the way docs/http.md words it.
struct Expected {
  int64_t rows = 0, downloads = 0, denials = 0, signatures = 0, heads = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> days, tiers, editions, publications;
  std::map<std::string, int64_t> reasons;
};

Expected Count(Served& s) {
  auto store = LicenseStore::Open(Db(s));
  Expected e;
  for (const AuditRow& r : store->Audit()) {
    const bool permit = r.decision == AuditDecision::kPermit;
    const bool download = permit && r.item == "copy" && r.method == "GET";
    ++e.rows;
    e.downloads += download;
    e.denials += !permit;
    e.signatures += permit && r.item == "signature";
    e.heads += permit && r.item == "copy" && r.method == "HEAD";
    if (!download && permit) continue;
    const auto license = r.license_id.empty() ? std::nullopt : store->FindLicense(r.license_id);
    const std::string tier = r.license_id.empty() ? "(none)" : license ? license->license.tier : "(unknown)";
    for (auto* by : {&e.days, &e.tiers, &e.editions, &e.publications}) {
      const std::string key = by == &e.days ? FormatDate(r.at) : by == &e.tiers ? tier : by == &e.editions
                                  ? r.edition : r.edition.substr(0, r.edition.find('/'));
      (*by)[key].first += download;
      (*by)[key].second += !permit;
    }
    if (!permit) ++e.reasons[r.reason];
  }
  return e;
}

// A varied set of requests: downloads, a signature, a HEAD, and denials of several reasons.
void Traffic(Served& s) {
  s.Downloads(3, s.ada);
  BOOST_REQUIRE_EQUAL(s.Get(kMd + ".minisig", s.ada).status, 200);
  BOOST_REQUIRE_EQUAL(s.Get(kEpub, s.bob).status, 403);  // format_not_permitted
  BOOST_REQUIRE_EQUAL(s.Get(kMd, s.bob).status, 200);
  BOOST_REQUIRE_EQUAL(s.Get("/editions/prism/v04/i012/prism-v04-i012.html", s.bob).status, 200);
  BOOST_REQUIRE_EQUAL(s.Get(kMd, s.printer).status, 403);  // action_not_permitted
  BOOST_REQUIRE_EQUAL(s.Get(kMd, s.expired).status, 403);
  BOOST_REQUIRE_EQUAL(s.Get(kEpub, s.expired).status, 403);
  BOOST_REQUIRE_EQUAL(s.Get(kMd).status, 401);  // no license
  BOOST_REQUIRE_EQUAL(s.Get(kMd, "", BasicAuth("6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61:nope")).status, 401);
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(s.port));
  Poco::Net::HTTPRequest head(Poco::Net::HTTPRequest::HTTP_HEAD, kMd, Poco::Net::HTTPMessage::HTTP_1_1);
  head.set("Authorization", "License " + Base64Url(s.ada));
  BOOST_REQUIRE_EQUAL(Served::Exchange(session, head).status, 200);
}

Poco::JSON::Object::Ptr ReportJsonOf(Served& s) {
  const ProcessResult r = Run(ImprintBin(), {"report", "--format", "json", "--db", Db(s)});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
}

void ExpectCounts(const Poco::JSON::Array::Ptr& array, const std::map<std::string, std::pair<int64_t, int64_t>>& want,
                  const std::string& what) {
  std::map<std::string, std::pair<int64_t, int64_t>> got;
  for (size_t i = 0; i < array->size(); ++i) {
    const auto o = array->getObject(static_cast<unsigned>(i));
    const int64_t d = o->getValue<int64_t>("downloads"), n = o->getValue<int64_t>("denials");
    if (d != 0 || n != 0) got[o->getValue<std::string>("name")] = {d, n};
  }
  BOOST_TEST_CONTEXT(what) { BOOST_TEST((got == want)); }
}

// Every figure of the JSON report equals what the rows say (`e`), and its
// sharing signals are those `imprint audit --flagged` lists.
void ExpectJsonFigures(Served& s, const Expected& e) {
  const auto json = ReportJsonOf(s);
  BOOST_TEST(json->getValue<int64_t>("rows") == e.rows);
  BOOST_TEST(json->getValue<int64_t>("downloads") == e.downloads);
  BOOST_TEST(json->getValue<int64_t>("denials") == e.denials);
  BOOST_TEST(json->getValue<int64_t>("signature_requests") == e.signatures);
  BOOST_TEST(json->getValue<int64_t>("head_requests") == e.heads);
  ExpectCounts(json->getArray("days"), e.days, "days");
  BOOST_TEST(json->getArray("days")->size() == 31u);  // 30 days back from now touch 31 dates
  ExpectCounts(json->getArray("tiers"), e.tiers, "tiers");
  ExpectCounts(json->getArray("editions"), e.editions, "editions");
  ExpectCounts(json->getArray("publications"), e.publications, "publications");
  std::map<std::string, int64_t> reasons;
  const auto r = json->getArray("reasons");
  for (size_t i = 0; i < r->size(); ++i) {
    reasons[r->getObject(static_cast<unsigned>(i))->getValue<std::string>("name")] =
        r->getObject(static_cast<unsigned>(i))->getValue<int64_t>("denials");
  }
  BOOST_TEST((reasons == e.reasons));
  BOOST_TEST(json->getArray("top_licenses")->getObject(0)->getValue<int64_t>("downloads") == 3);  // ada
  const ProcessResult flagged = s.Imprint({"audit", "--flagged", "--format", "json"});
  BOOST_REQUIRE_MESSAGE(flagged.exit_code == 0, flagged.err);
  BOOST_TEST(json->getArray("flags")->size() == Poco::JSON::Parser().parse(flagged.out).extract<Poco::JSON::Array::Ptr>()->size());

}

BOOST_AUTO_TEST_CASE(report_figures_equal_the_audit_rows) {
  Served s;
  const std::string future =
      Poco::JSON::Parser().parse(s.future).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("id");
  BOOST_REQUIRE_EQUAL(s.Imprint({"license", "revoke", future, "--reason", "private note 4711"}).exit_code, 0);
  BOOST_REQUIRE_EQUAL(s.Get(kMd, s.future).status, 403);  // revoked: a denial of its own
  Traffic(s);
  const Expected e = Count(s);
  BOOST_TEST(e.downloads == 5);  // 3 + epub + html
  BOOST_TEST(e.signatures == 1);
  BOOST_TEST(e.heads == 1);
  BOOST_TEST(e.denials == 7);
  ExpectJsonFigures(s, e);
  // The HTML says the same figures, in its tables.
  const ProcessResult html = Run(ImprintBin(), {"report", "--out", s.dir / "report.html", "--db", Db(s)});
  BOOST_REQUIRE_MESSAGE(html.exit_code == 0, html.err);
  const std::string page = ReadAll(s.dir / "report.html");
  // Valid HTML (the Nu checker, as the other pages are checked), the report and the dashboard in one run.
  BOOST_REQUIRE_EQUAL(Passwd(s, std::string(kPassword) + "\n").exit_code, 0);
  WriteAll(s.dir / "dashboard.html", s.Get("/admin/", "", BasicAuth(std::string("admin:") + kPassword)).body);
  const ProcessResult vnu = Run("/usr/bin/java", {"-jar", std::getenv("VNU_JAR"), "--errors-only",
                                                  s.dir / "report.html", s.dir / "dashboard.html"});
  BOOST_TEST(vnu.exit_code == 0, vnu.err);
  BOOST_TEST(HtmlTexts(page, "//dl//dd") ==
             (std::vector<std::string>{std::to_string(e.downloads), std::to_string(e.denials),
                                       std::to_string(e.signatures), std::to_string(e.heads),
                                       std::to_string(e.rows)}));
  const std::string today = FormatDate(Now());
  BOOST_TEST(HtmlTexts(page, "//section[@aria-labelledby='per-day']//tr[th='" + today + "']/td") ==
             (std::vector<std::string>{std::to_string(e.days.at(today).first),
                                       std::to_string(e.days.at(today).second)}));
  for (const auto& [reason, n] : e.reasons) {
    BOOST_TEST(HtmlTexts(page, "//section[@aria-labelledby='by-reason']//tr[th='" + reason + "']/td") ==
               std::vector<std::string>{std::to_string(n)});
  }
  BOOST_TEST(page.find("No license looks shared in this period.") != std::string::npos);
  BOOST_TEST(page.find("ada@example.org") == std::string::npos);  // no e-mail address
  BOOST_TEST(page.find("private note 4711") == std::string::npos);  // no revocation reason
  BOOST_TEST(page.find(">revoked<") != std::string::npos);          // but the denial's code

  // The dashboard too.
  const Reply live = s.Get("/admin/?days=2", "", BasicAuth(std::string("admin:") + kPassword));
  BOOST_REQUIRE_EQUAL(live.status, 200);
  BOOST_TEST(HtmlTexts(live.body, "//dl//dd") == HtmlTexts(page, "//dl//dd"));
  BOOST_TEST(live.body.find("private note 4711") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(admin_needs_the_admin_credential_never_a_subscribers) {
  Served s;
  const std::string right = BasicAuth(std::string("admin:") + kPassword);
  BOOST_TEST(s.Get("/admin/", "", right).status == 401);  // no password set yet: nobody gets in
  BOOST_REQUIRE_EQUAL(Passwd(s, std::string(kPassword) + "\n").exit_code, 0);
  const ProcessResult issued = s.Imprint({"license", "issue", "--subscriber", "id-k", "--name", "Key", "--tier",
                                          "individual", "--publications", "monitor", "--from", "2026-01-01",
                                          "--until", "2099-12-31", "--out", s.dir / "k.license"});
  const std::string key = issued.err.substr(issued.err.rfind(' ') + 1, 43);
  const std::string id = Poco::JSON::Parser().parse(ReadAll(s.dir / "k.license"))
                             .extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("id");
  BOOST_REQUIRE_EQUAL(s.Get(kMd, "", BasicAuth(id + ":" + key)).status, 200);  // the key works for downloads
  const std::vector<std::pair<std::string, std::string>> shut_out = {
      {"none", ""},
      {"wrong", BasicAuth("admin:correct horse batterY")},
      {"other user", BasicAuth(std::string("root:") + kPassword)},
      {"subscriber license", "License " + Base64Url(s.ada)},
      {"subscriber basic", BasicAuth(id + ":" + key)},
      {"subscriber basic with the admin password", BasicAuth(id + ":" + kPassword)},
  };
  for (const auto& [what, auth] : shut_out) {
    BOOST_TEST_CONTEXT(what) {
      Reply r = s.Get("/admin/", "", auth);
      BOOST_TEST(r.status == 401);
      BOOST_TEST(r.headers["WWW-Authenticate"] == "Basic realm=\"Imprint admin\", charset=\"UTF-8\"");
      BOOST_TEST(r.headers["Cache-Control"] == "no-store");
      BOOST_TEST(r.body.find("rights report") == std::string::npos);
    }
  }
  Reply ok = s.Get("/admin/", "", right);
  BOOST_TEST(ok.status == 200);
  BOOST_TEST(ok.headers["Cache-Control"] == "no-store");
  BOOST_TEST(ok.headers["Content-Type"] == "text/html; charset=utf-8");
  BOOST_TEST(ok.headers["Content-Security-Policy"].find("default-src 'none'") == 0u);
  BOOST_TEST(ok.body.find("Imprint rights report") != std::string::npos);
  BOOST_TEST(s.Get("/admin/?days=1", "", right).status == 200);
  BOOST_TEST(s.Get("/admin/?days=366", "", right).status == 200);
  for (const std::string bad : {"days=0", "days=367", "days=07", "days=x", "days=", "days=7&days=7", "days=7&x=1",
                                "x=1", "days=1e3"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(s.Get("/admin/?" + bad, "", right).status == 400);
      BOOST_TEST(s.Get("/admin/?" + bad).status == 401);  // the credential first
    }
  }
  BOOST_TEST(s.Get("/admin/?days=%37", "", right).status == 400);  // no escapes: the route is malformed
  BOOST_TEST(s.RawStatus("POST /admin/ HTTP/1.1") == 405);
  BOOST_TEST(s.RawStatus("HEAD /admin/ HTTP/1.1") == 401);
  BOOST_TEST(s.Get("/admin", "", right).status == 404);
  BOOST_TEST(s.Get("/admin/x", "", right).status == 404);
  // A new password: the old one stops at once, cached or not.
  BOOST_REQUIRE_EQUAL(Passwd(s, "another long password\n").exit_code, 0);
  BOOST_TEST(s.Get("/admin/", "", right).status == 401);
  BOOST_TEST(s.Get("/admin/", "", BasicAuth("admin:another long password")).status == 200);
  // The store keeps only the hash.
  BOOST_TEST(ReadAll(s.dir / "imprint.db").find("another long password") == std::string::npos);
  BOOST_TEST(LicenseStore::Open(Db(s))->AdminCredential("admin").value_or("").rfind("$argon2id$", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(failed_admin_logins_are_rate_limited) {
  Served s;
  BOOST_REQUIRE_EQUAL(Passwd(s, std::string(kPassword) + "\n").exit_code, 0);
  int shut = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    Reply r = s.Get("/admin/", "", BasicAuth("admin:guess number " + std::to_string(i)));
    shut += r.status == 401;
    if (r.status == 429) {
      ++limited;
      BOOST_TEST(std::stoi(r.headers["Retry-After"]) >= 1);
      BOOST_TEST(r.headers["Cache-Control"] == "no-store");
    }
  }
  BOOST_TEST(shut == 10);
  BOOST_TEST(limited == 10);
}

BOOST_AUTO_TEST_CASE(admin_passwd_reads_stdin_only_and_keeps_a_good_password) {
  Served s;
  const ProcessResult argv = Passwd(s, "", {"correct horse battery"});
  BOOST_TEST(argv.exit_code == 2);
  BOOST_TEST(argv.err.find("never from the command line") != std::string::npos);
  BOOST_TEST(Passwd(s, "").exit_code == 1);               // nothing on stdin
  BOOST_TEST(Passwd(s, "short\n").exit_code == 1);        // too short
  BOOST_TEST(!LicenseStore::Open(Db(s))->AdminCredential("admin").has_value());
  const ProcessResult ok = Passwd(s, std::string(kPassword) + "\r\n");
  BOOST_TEST(ok.exit_code == 0);
  BOOST_TEST((ok.out + ok.err).find(kPassword) == std::string::npos);
  BOOST_TEST(s.Get("/admin/", "", BasicAuth(std::string("admin:") + kPassword)).status == 200);
}

// Found attacking `admin passwd`: a password given as an option
// (--password=...) was refused, but the refusal quoted it whole to standard
// error ("Unknown option specified: password=..."), and so to a deploy log.
BOOST_AUTO_TEST_CASE(admin_passwd_never_echoes_a_password_given_as_an_option) {
  Served s;
  for (const std::string& arg : {std::string("--password=") + kPassword, std::string("--help=") + kPassword}) {
    const ProcessResult r = Passwd(s, "", {arg});
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST((r.out + r.err).find(kPassword) == std::string::npos, r.err);
  }
  const ProcessResult r = Passwd(s, "", {"--password=" + std::string(kPassword)});
  BOOST_TEST(r.err.find("password") != std::string::npos, r.err);  // the option is still named
  BOOST_TEST(!LicenseStore::Open(Db(s))->AdminCredential("admin").has_value());
}

BOOST_AUTO_TEST_CASE(report_refuses_bad_periods_and_leaves_no_half_written_file) {
  Served s;
  const auto report = [&](std::vector<std::string> more) {
    std::vector<std::string> args = {"report", "--db", Db(s)};
    args.insert(args.end(), more.begin(), more.end());
    return Run(ImprintBin(), args);
  };
  BOOST_TEST(report({"--since", "2026-11-10", "--until", "2026-11-01"}).exit_code == 2);
  BOOST_TEST(report({"--since", "2024-01-01", "--until", "2026-01-01"}).exit_code == 2);  // over 366 days
  BOOST_TEST(report({"--since", "yesterday"}).exit_code == 2);
  BOOST_TEST(report({"--format", "xml"}).exit_code == 2);
  BOOST_TEST(report({"--out", s.dir.path()}).exit_code != 0);  // a folder
  // A store that cannot be opened: the old report stays whole.
  WriteAll(s.dir / "old.html", "old report");
  const ProcessResult broken = Run(ImprintBin(), {"report", "--out", s.dir / "old.html", "--db",
                                                  "sqlite:" + s.dir / "no/such/folder/x.db"});
  BOOST_TEST(broken.exit_code == 1);
  BOOST_TEST(ReadAll(s.dir / "old.html") == "old report");
  // A whole day's --until is included: a day's report has one day.
  const ProcessResult day = report({"--format", "json", "--since", "2026-11-02", "--until", "2026-11-02"});
  BOOST_REQUIRE_EQUAL(day.exit_code, 0);
  const auto json = Poco::JSON::Parser().parse(day.out).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(json->getArray("days")->size() == 1u);
  BOOST_TEST(json->getValue<std::string>("until") == "2026-11-03T00:00:00Z");
}

}  // namespace
}  // namespace imprint::testing
