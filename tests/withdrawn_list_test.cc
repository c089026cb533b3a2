// The server and withdrawn editions (pipeline/server/withdrawn_list.h) over a
// real socket (tests/served.h): after `imprint withdraw`, without a restart,
// every request for the edition's files is 410 Gone with the public notice
// and date; the server believes only a catalog signed by a trusted key; and
// the reason is in no response and no log line.
#define BOOST_TEST_MODULE withdrawn_list
#include "pipeline/server/withdrawn_list.h"

#include <Poco/StreamCopier.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <filesystem>
#include <thread>

#include "pipeline/base/clock.h"
#include "pipeline/base/rfc3339.h"
#include "tests/served.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

constexpr char kReason[] = "Secret-Reason-91c2 (counsel's letter)";
constexpr char kNotice[] = "Withdrawn: a court order <2026/441> & \"more\".";

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The fixture's archive served by an `imprint serve` whose standard error
// this test reads once it stops.
struct Logged : Served {
  Logged() {
    Stop();
    Poco::Process::Env env = {{"IMPRINT_KEYS", dir / "keys"}};
    server = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
        ImprintBin(), {"serve", "--port", "0", "--out", dir / "output", "--db", "sqlite:" + dir / "imprint.db",
                       "--rights", dir / "rights"},
        dir.path(), nullptr, &out, &err, env));
    port = ServedPort(out);
  }
  // Stops the server; everything it wrote to standard error.
  std::string StopAndLog() {
    Poco::Process::requestTermination(server->id());
    server->wait();
    server.reset();
    Poco::PipeInputStream in(err);
    std::string log;
    Poco::StreamCopier::copyToString(in, log);
    return log;
  }
  ~Logged() {
    if (server) StopAndLog();
  }
  ProcessResult Withdraw(const std::string& edition) {
    return Imprint({"withdraw", edition, "--notice", kNotice, "--reason", kReason, "--out", dir / "output",
                    "--rights", dir / "rights"});
  }
  Poco::Pipe out, err;
  std::unique_ptr<Poco::ProcessHandle> server;
};

BOOST_FIXTURE_TEST_CASE(a_withdrawn_edition_is_gone_at_once_with_its_notice, Logged) {
  BOOST_TEST(Get(kEpub, ada).status == 200);
  const ProcessResult w = Withdraw("monitor/v05/i077");
  BOOST_REQUIRE_MESSAGE(w.exit_code == 0, w.err);
  std::vector<Reply> replies = {Get(kEpub, ada), Get(kMd), Get(kEpub + ".minisig", ada), Get(kMd, bob),
                                Get("/editions/monitor/v05/i077/monitor-v05-i077.html", printer)};
  for (const Reply& r : replies) {
    BOOST_TEST(r.status == 410, r.body);
    BOOST_TEST(Reason(r) == "withdrawn");
    BOOST_TEST(Contains(r.body, "\"date\":\"" + FormatDate(Now()) + "\""), r.body);
    BOOST_TEST(Contains(r.body, "\"notice\":\"Withdrawn: a court order <2026/441> & \\\"more\\\".\""), r.body);
    BOOST_TEST(r.headers.at("Content-Type") == "application/json");
  }
  BOOST_TEST(RawStatus("HEAD /editions/monitor/v05/i077/monitor-v05-i077.md HTTP/1.1") == 410);
  BOOST_TEST(RawStatus("POST /editions/monitor/v05/i077/monitor-v05-i077.md HTTP/1.1") == 410);
  // Other editions are served as before; the catalog says it is withdrawn.
  BOOST_TEST(Get("/editions/monitor/v01/i003/monitor-v01-i003.md", ada).status == 200);
  const Reply catalog = Get("/catalog.json");
  BOOST_TEST(Contains(catalog.body, "\"withdrawn\""));
  // Each request left its row, a denial for `withdrawn`.
  int rows = 0;
  for (const std::string& row : AuditRows()) rows += row.rfind("deny withdrawn", 0) == 0;
  BOOST_TEST(rows >= 4);
  replies.push_back(catalog);
  replies.push_back(Get("/"));
  const std::string log = StopAndLog();
  for (const Reply& r : replies) BOOST_TEST(!Contains(r.body, "Secret-Reason-91c2"));
  BOOST_TEST(!Contains(log, "Secret-Reason-91c2"), log);
  BOOST_TEST(!Contains(w.out + w.err, "Secret-Reason-91c2"));
}

// An attacker who can write to the output folder but has no key cannot make
// the server withdraw (or un-withdraw) an edition: an unsigned catalog is not
// believed, and an older signed one put back brings nothing back.
BOOST_FIXTURE_TEST_CASE(only_a_signed_catalog_is_believed, Logged) {
  const std::string before = ReadAll(dir / "output/catalog.json");
  const std::string before_signature = ReadAll(dir / "output/catalog.json.minisig");
  BOOST_REQUIRE_EQUAL(Withdraw("monitor/v05/i077").exit_code, 0);
  BOOST_TEST(Get(kMd, ada).status == 410);
  // A rollback: the catalog from before the withdrawal, signed, put back.
  WriteAll(dir / "output/old.json", before);
  WriteAll(dir / "output/old.json.minisig", before_signature);
  const std::string withdrawn = ReadAll(dir / "output/catalog.json");
  const std::string withdrawn_signature = ReadAll(dir / "output/catalog.json.minisig");
  std::filesystem::rename(dir / "output/old.json", dir / "output/catalog.json");
  std::filesystem::rename(dir / "output/old.json.minisig", dir / "output/catalog.json.minisig");
  BOOST_TEST(Get("/catalog.json").body == before);  // served: it is signed
  BOOST_TEST(Get(kMd, ada).status == 410);          // but the withdrawal stands
  WriteAll(dir / "output/catalog.json", withdrawn);
  WriteAll(dir / "output/catalog.json.minisig", withdrawn_signature);
  BOOST_TEST(Get(kMd, ada).status == 410);
  const std::string catalog = ReadAll(dir / "output/catalog.json");
  std::string forged = catalog;
  const std::string live = "\"edition\": \"prism/v04/i012\"";
  BOOST_REQUIRE(Contains(forged, live));
  forged.replace(forged.find("\"edition\": \"monitor/v05/i077\""), 29, "\"edition\": \"monitor/v01/i003\"");
  WriteAll(dir / "output/catalog.json.tmp", forged);
  std::filesystem::rename(dir / "output/catalog.json.tmp", dir / "output/catalog.json");
  BOOST_TEST(Get("/editions/monitor/v01/i003/monitor-v01-i003.md", ada).status == 200);
  BOOST_TEST(Get(kMd, ada).status == 410);
  std::filesystem::remove(dir / "output/catalog.json");
  BOOST_TEST(Get(kMd, ada).status == 410);
}

}  // namespace
}  // namespace imprint
