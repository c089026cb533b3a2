// `imprint audit` as a rights officer's query tool, end to end: downloads
// made through a real `imprint serve` (tests/served.h), each audit row with
// the client's network, then listed, filtered and exported by the real
// program; CSV read by python3's csv module, JSON by its json module.
// Regression tests for issue 17: no header, "permit permit", only
// --license, no CSV or JSON, signatures like books, prefixes refused.
#define BOOST_TEST_MODULE cli_audit_query
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/SocketImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "pipeline/license/license.h"
#include "tests/served.h"

extern char** environ;

namespace imprint {
namespace {

using namespace testing;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The rows python3 reads from `text`: a CSV's records (header included), or a JSON array's length.
int CsvRecords(const std::string& csv) {
  const ProcessResult r = Run("/usr/bin/python3", {"-c",
      "import csv,io,sys\nrows=list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8'), newline=''),"
      " strict=True))\nassert all(len(r)==len(rows[0]) for r in rows)\nprint(len(rows))"}, csv);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return std::stoi(r.out);
}
int JsonRecords(const std::string& json) {
  const ProcessResult r = Run("/usr/bin/python3", {"-c", "import json,sys\nprint(len(json.load(sys.stdin)))"}, json);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return std::stoi(r.out);
}

struct Queried : Served {
  std::string Id(const std::string& license) { return ParseLicense(license, "license").id; }

  // A GET from a source address of our choosing (all of 127/8 is this host).
  int GetFrom(const std::string& source, const std::string& path, const std::string& license) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress::IPv4);
    socket.impl()->bind(Poco::Net::SocketAddress(source, 0));
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    Poco::Net::HTTPClientSession session(socket);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "License " + Base64Url(license));
    request.setHost("127.0.0.1");
    request.set("X-Forwarded-For", "198.51.100.7");  // anyone can write it: never believed
    return Exchange(session, request).status;
  }

  // ada: an EPUB and its signature; bob denied an EPUB (syndication), then
  // permitted a Prism page; printer denied (its tier may not read).
  void MakeDownloads() {
    BOOST_REQUIRE_EQUAL(Get(kEpub, ada).status, 200);
    BOOST_REQUIRE_EQUAL(Get(kEpub + ".minisig", ada).status, 200);
    BOOST_REQUIRE_EQUAL(Get(kEpub, bob).status, 403);
    BOOST_REQUIRE_EQUAL(Get(kMd, printer).status, 403);
    BOOST_REQUIRE_EQUAL(Get("/editions/prism/v04/i012/prism-v04-i012.html", bob).status, 200);
  }
};

BOOST_FIXTURE_TEST_CASE(the_table_has_a_header_and_says_permit_once, Queried) {
  MakeDownloads();
  const ProcessResult r = Imprint({"audit"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.rfind("ID  ", 0) == 0u, r.out);
  const std::string header = r.out.substr(0, r.out.find('\n'));
  for (const char* column : {"TIME", "DECISION", "REASON", "LICENSE", "SUBSCRIBER", "EDITION", "DOWNLOAD", "METHOD",
                             "CLIENT_NET", "SHA256"}) {
    BOOST_TEST(Has(header, column), column);
  }
  BOOST_TEST(!Has(r.out, "permit  permit"), r.out);
  BOOST_TEST(!Has(r.out, "permit permit"), r.out);
  // Aligned: every row's license column starts where the header's does.
  const size_t at = header.find("LICENSE");
  std::istringstream lines(r.out);
  std::string skipped;
  std::getline(lines, skipped);  // the header
  for (std::string line; std::getline(lines, line);) {
    BOOST_TEST(line.size() > at);
    BOOST_TEST((line[at - 1] == ' ' && line[at] != ' '), line);
  }
}

BOOST_FIXTURE_TEST_CASE(a_signature_download_is_listed_as_a_signature, Queried) {
  MakeDownloads();
  const ProcessResult csv = Imprint({"audit", "--format", "csv", "--license", Id(ada)});
  BOOST_TEST(csv.exit_code == 0, csv.err);
  BOOST_TEST(Has(csv.out, ",permit,," + Id(ada) + ",id-ada,monitor/v05/i077,epub,GET,127.0.0.0/24,"), csv.out);
  BOOST_TEST(Has(csv.out, ",permit,," + Id(ada) + ",id-ada,monitor/v05/i077,epub signature,GET,127.0.0.0/24,"),
             csv.out);
}

BOOST_FIXTURE_TEST_CASE(csv_and_json_hold_the_same_rows_as_the_log, Queried) {
  MakeDownloads();
  const ProcessResult csv = Imprint({"audit", "--format", "csv"});
  const ProcessResult json = Imprint({"audit", "--format", "json"});
  BOOST_TEST(csv.exit_code == 0, csv.err);
  BOOST_TEST(json.exit_code == 0, json.err);
  const int rows = static_cast<int>(AuditRows().size());
  BOOST_TEST(rows == 5);
  BOOST_TEST(CsvRecords(csv.out) == rows + 1);  // and the header
  BOOST_TEST(JsonRecords(json.out) == rows);
  BOOST_TEST(csv.out.rfind("id,time,decision,reason,license,subscriber,edition,download,method,client_net,sha256\r\n",
                           0) == 0u, csv.out);
  BOOST_TEST(Has(json.out, "\"download\":\"epub signature\""), json.out);
  // Filtered the same way, the two still agree.
  const ProcessResult denials_csv = Imprint({"audit", "--format", "csv", "--decision", "deny"});
  const ProcessResult denials_json = Imprint({"audit", "--format", "json", "--decision", "deny"});
  BOOST_TEST(CsvRecords(denials_csv.out) == JsonRecords(denials_json.out) + 1);
  BOOST_TEST(JsonRecords(denials_json.out) >= 2);
}

BOOST_FIXTURE_TEST_CASE(every_filter_narrows_the_rows, Queried) {
  MakeDownloads();
  const auto count = [this](std::vector<std::string> args) {
    args.insert(args.begin(), {"audit", "--format", "json"});
    const ProcessResult r = Imprint(args);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return JsonRecords(r.out);
  };
  BOOST_TEST(count({}) == 5);
  BOOST_TEST(count({"--decision", "permit"}) == 3);
  BOOST_TEST(count({"--decision", "deny"}) == 2);
  BOOST_TEST(count({"--subscriber", "id-ada"}) == 2);
  BOOST_TEST(count({"--license", Id(bob).substr(0, 8)}) == 2);
  BOOST_TEST(count({"--license", Id(bob), "--decision", "permit", "--publication", "prism"}) == 1);
  BOOST_TEST(count({"--edition", "monitor/v05/i077"}) == 4);
  BOOST_TEST(count({"--publication", "monitor"}) == 4);
  BOOST_TEST(count({"--publication", "prism"}) == 1);
  BOOST_TEST(count({"--reason", "format_not_permitted"}) == 1);
  BOOST_TEST(count({"--reason", "action_not_permitted"}) == 1);
  BOOST_TEST(count({"--since", "2000-01-01", "--until", "2999-12-31"}) == 5);
  BOOST_TEST(count({"--until", "2000-01-01"}) == 0);
  BOOST_TEST(count({"--since", "2999-01-01T00:00:00Z"}) == 0);
  // Bad values are usage errors, named.
  for (const auto& [option, value] : std::vector<std::pair<std::string, std::string>>{
           {"--since", "yesterday"}, {"--decision", "maybe"}, {"--format", "xml"}, {"--edition", "monitor"},
           {"--publication", "monitor/v05"}, {"--publication", "%"}, {"--until", "2026-02-30"}}) {
    const ProcessResult r = Imprint({"audit", option, value});
    BOOST_TEST(r.exit_code == 2, option);
    BOOST_TEST(Has(r.err, option), r.err);
  }
}

BOOST_FIXTURE_TEST_CASE(the_client_network_is_recorded_and_forwarded_for_is_not_believed, Queried) {
  BOOST_REQUIRE_EQUAL(GetFrom("127.0.5.9", kMd, ada), 200);
  BOOST_REQUIRE_EQUAL(GetFrom("127.0.6.200", kMd, printer), 403);
  Stop();
  const ProcessResult r = Imprint({"audit", "--format", "csv"});
  BOOST_TEST(Has(r.out, ",127.0.5.0/24,"), r.out);
  BOOST_TEST(Has(r.out, ",127.0.6.0/24,"), r.out);
  BOOST_TEST(!Has(r.out, "127.0.5.9"), r.out);  // never the whole address
  BOOST_TEST(!Has(r.out, "198.51.100"), r.out);
  const ProcessResult verified = Imprint({"audit", "verify"});
  BOOST_TEST(verified.exit_code == 0, verified.out);
}

BOOST_FIXTURE_TEST_CASE(forwarded_for_is_believed_only_from_a_proxy_the_operator_names, Queried) {
  Stop();
  Start("0.1", {"--trust-proxy", "127.0.7.7"});
  BOOST_REQUIRE_EQUAL(GetFrom("127.0.7.7", kMd, ada), 200);   // the proxy: its header names 198.51.100.7
  BOOST_REQUIRE_EQUAL(GetFrom("127.0.8.8", kMd, ada), 200);   // anyone else: the header is not read
  Stop();
  const ProcessResult r = Imprint({"audit", "--format", "csv"});
  BOOST_TEST(Has(r.out, ",198.51.100.0/24,"), r.out);
  BOOST_TEST(Has(r.out, ",127.0.8.0/24,"), r.out);
  BOOST_TEST(!Has(r.out, ",127.0.7.0/24,"), r.out);
  const ProcessResult bad = Imprint({"serve", "--trust-proxy", "10.0.0.0/8", "--port", "0"});
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(Has(bad.err, "--trust-proxy takes"), bad.err);
}

BOOST_FIXTURE_TEST_CASE(license_commands_take_a_unique_prefix_and_refuse_an_ambiguous_one, Queried) {
  const std::string id = Id(ada), prefix = id.substr(0, 8);
  ProcessResult r = Imprint({"license", "status", prefix});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Has(r.out, "active"), r.out);
  r = Imprint({"license", "key", prefix});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Has(r.out, "license " + id + " has a new access key"), r.out);
  r = Imprint({"license", "renew", prefix, "--until", "2100-12-31", "--out", dir / "renewed.license"});
  BOOST_TEST(r.exit_code == 0, r.err);
  // A second license whose id begins like ada's: the prefix is ambiguous now.
  {
    auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
    StoredLicense twin = *store->FindLicense(id);
    twin.license.id = prefix + std::string("-ffff-4fff-8fff-ffffffffffff");
    const size_t at = twin.document.find(id);
    twin.document.replace(at, id.size(), twin.license.id);
    store->AddLicense(twin, 1);
  }
  r = Imprint({"license", "revoke", prefix});
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Has(r.err, "ambiguous"), r.err);
  BOOST_TEST(Has(r.err, id), r.err);
  BOOST_TEST(Has(r.err, prefix + "-ffff-4fff-8fff-ffffffffffff"), r.err);
  BOOST_TEST(Imprint({"audit", "--license", prefix}).exit_code == 1);
  r = Imprint({"license", "revoke", "0000ffff"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Has(r.err, "no such license"), r.err);
  r = Imprint({"license", "revoke", id.substr(0, 13), "--reason", "test"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Has(r.out, "revoked license " + id), r.out);
}

// Found attacking the table: its rows were made safe for a terminal, but
// the license's events above them were printed as stored, and a revocation
// reason is free text (perhaps pasted from a ticket an outsider wrote): an
// escape sequence in it reached the rights officer's terminal.
BOOST_FIXTURE_TEST_CASE(the_license_events_never_pass_a_control_character_to_the_terminal, Queried) {
  const std::string id = Id(ada);
  ProcessResult r = Imprint({"license", "revoke", id, "--reason", "chargeback \x1b]0;owned\x07 \xC2\x9B" "2J\nforged line"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  r = Imprint({"audit", "--license", id});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(!Has(r.out, "\x1b"), r.out);
  BOOST_TEST(!Has(r.out, "\xC2\x9B"), r.out);
  BOOST_TEST(!Has(r.out, "\nforged line"), r.out);
  BOOST_TEST(Has(r.out, "revoked  chargeback ?]0;owned? ?2J?forged line\n"), r.out);
}

BOOST_FIXTURE_TEST_CASE(audit_flagged_lists_a_license_used_from_too_many_networks, Queried) {
  // The individual tier allows 3 networks and 5 downloads of an edition a day.
  for (int net = 1; net <= 4; ++net) BOOST_REQUIRE_EQUAL(GetFrom("127.0." + std::to_string(net) + ".1", kMd, ada), 200);
  for (int i = 0; i < 2; ++i) BOOST_REQUIRE_EQUAL(GetFrom("127.0.1.1", kMd, ada), 200);
  BOOST_REQUIRE_EQUAL(GetFrom("127.0.1.1", kMd + std::string(".minisig"), ada), 200);  // no download
  for (int net = 1; net <= 5; ++net) BOOST_REQUIRE_EQUAL(GetFrom("127.0." + std::to_string(net) + ".1", kMd, bob), 200);
  const ProcessResult json = Imprint({"audit", "--flagged", "--format", "json"});
  BOOST_TEST(json.exit_code == 0, json.err);
  BOOST_TEST(JsonRecords(json.out) == 2, json.out);  // bob's syndication tier has no limits
  BOOST_TEST(Has(json.out, "\"kind\":\"networks\""), json.out);
  BOOST_TEST(Has(json.out, "\"kind\":\"downloads\""), json.out);
  BOOST_TEST(Has(json.out, "\"observed\":4,\"allowed\":3"), json.out);
  BOOST_TEST(Has(json.out, "\"observed\":6,\"allowed\":5"), json.out);
  BOOST_TEST(!Has(json.out, Id(bob)), json.out);
  const ProcessResult table = Imprint({"audit", "--flagged"});
  BOOST_TEST(table.out.rfind("LICENSE  ", 0) == 0u, table.out);
  BOOST_TEST(Has(table.out, "4 client networks within 24 hours"), table.out);
  const ProcessResult csv = Imprint({"audit", "--flagged", "--format", "csv"});
  BOOST_TEST(CsvRecords(csv.out) == 3);
  BOOST_TEST(Imprint({"audit", "--flagged", "--decision", "deny"}).exit_code == 2);
  BOOST_TEST(JsonRecords(Imprint({"audit", "--flagged", "--format", "json", "--until", "2000-01-01"}).out) == 0);
}

// Regression: `imprint audit --license` read all of the license's rows into
// memory at once (`LicenseStore::Audit(id)`). Every form now streams a page at
// a time; a log of 200,000 rows of one license stays in a few megabytes.
BOOST_FIXTURE_TEST_CASE(every_form_streams_a_large_log_in_bounded_memory, Queried) {
  {
    auto store = LicenseStore::Open("sqlite:" + dir / "imprint.db");
    AuditRow row;
    row.license_id = Id(ada);
    row.subscriber_id = "id-ada";
    row.edition = "monitor/v05/i077";
    row.format = "epub";
    row.decision = AuditDecision::kPermit;
    row.reason = "permit";
    row.sha256 = std::string(64, 'a');
    row.client_net = "203.0.113.0/24";
    for (int batch = 0; batch < 20; ++batch) {
      std::vector<AuditRow> rows(10000, row);
      for (int i = 0; i < 10000; ++i) rows[i].at = 1764300000 + batch * 10000 + i;
      store->AppendAudit(&rows);
    }
  }
  const std::string db = "sqlite:" + dir / "imprint.db";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"audit", "--license", Id(ada), "--db", db},
        {"audit", "--format", "csv", "--db", db},
        {"audit", "--format", "json", "--license", Id(ada).substr(0, 8), "--db", db},
        {"audit", "--flagged", "--rights", dir / "rights", "--db", db}}) {
    const auto [exit_code, peak] = ExitAndPeakMemory(dir / "keys", args);
    BOOST_TEST_MESSAGE(args[1] << " " << args[2] << ": peak " << peak / (1024 * 1024) << " MB");
    BOOST_TEST(exit_code == 0, args[1] << " " << args[2]);
#ifndef IMPRINT_SANITIZED
    BOOST_TEST(peak < (48L << 20), args[1] << " " << args[2] << ": peak " << peak / (1024 * 1024) << " MB");
#endif
  }
}

}  // namespace
}  // namespace imprint
