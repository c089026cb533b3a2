// The command line as a user meets it: help, exit statuses, usage errors,
// `imprint rights check` on good and broken policies, and `imprint audit
// verify` on a large log (its memory).
#define BOOST_TEST_MODULE cli
#include "pipeline/cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <chrono>

#include "pipeline/checkpoint.h"
#include "pipeline/crypto.h"
#include "pipeline/keystore.h"
#include "pipeline/license_store.h"
#include "tests/support.h"

extern char** environ;

namespace imprint {
namespace {

using namespace testing;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

BOOST_AUTO_TEST_CASE(help_lists_commands_with_an_example) {
  const ProcessResult r = RunImprint({"--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "build"));
  BOOST_TEST(Contains(r.out, "rights check"));
  BOOST_TEST(Contains(r.out, "Example:\n  imprint build"));
  BOOST_TEST(RunImprint({}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(build_help_says_what_it_does_with_options_and_example) {
  const ProcessResult r = RunImprint({"build", "--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Contains(r.out, "Usage: imprint build [--out DIR] [--jobs N] [--report FILE] [--shard K/N] [--force] INPUT..."));
  for (const char* option : {"--out", "--jobs", "--report", "--shard", "--force", "--templates", "--rights"}) {
    BOOST_TEST(Contains(r.out, option), option);
  }
  BOOST_TEST(Contains(r.out, "Example:\n  imprint build --out output samples/archive"));
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_with_the_usage_line) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"frobnicate"},
                                             {"build"},
                                             {"build", "--no-such-option", "x.txt"},
                                             {"build", "--jobs", "zero", "x.txt"},
                                             {"build", "--jobs", "0", "x.txt"},
                                             {"build", "--shard", "3/2", "x.txt"},
                                             {"build", "--shard", "x", "x.txt"},
                                             {"publish"},
                                             {"catalog", "extra"},
                                             {"build", "--out"}}) {
    const ProcessResult r = RunImprint(args);
    BOOST_TEST(r.exit_code == 2, args[0]);
    BOOST_TEST(!r.err.empty());
  }
  BOOST_TEST(Contains(RunImprint({"build"}).err, "Usage: imprint build"));
}

BOOST_AUTO_TEST_CASE(missing_input_is_a_failure_naming_it) {
  const ProcessResult r = RunImprint({"build", "/no/such/issue.txt"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "/no/such/issue.txt: error: no such file or folder"));
}

BOOST_AUTO_TEST_CASE(rights_check_summarises_the_policy) {
  const ProcessResult r = RunImprint({"rights", "check"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Contains(r.out, ": valid"));
  BOOST_TEST(Contains(r.out, "monitor: The Monitor (en), since 1995"));
  BOOST_TEST(Contains(r.out, "prism: Prism (en)"));
  BOOST_TEST(Contains(r.out, "syndication (Syndication): permit read [md html]; permit distribute "
                             "[md html] (duty: attribute);"));
  BOOST_TEST(Contains(r.out, "individual (Individual subscription):"));
  BOOST_TEST(Contains(r.out, "prohibit distribute;"));
}

BOOST_AUTO_TEST_CASE(rights_check_fails_on_a_missing_footer_template) {
  TempDir dir;
  CopyTree(SourceDir() + "/templates", dir / "templates");
  std::remove((dir / "templates/footer-prism.txt.mustache").c_str());
  const ProcessResult r = RunImprint({"rights", "check", "--templates", dir / "templates"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "policy.xml:"));
  BOOST_TEST(Contains(r.err, "names footer template 'footer-prism.txt'"));
}

BOOST_AUTO_TEST_CASE(rights_check_fails_on_a_broken_policy_with_file_and_line) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  std::string xml = ReadAll(dir / "rights/policy.xml");
  xml.replace(xml.find("language=\"en\""), 13, "language=\"\"");
  WriteAll(dir / "rights/policy.xml", xml);
  const ProcessResult r = RunImprint({"rights", "check", "--rights", dir / "rights"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, dir / "rights/policy.xml:"), r.err);
}

// Runs the program with IMPRINT_KEYS=`keys`, output discarded; its exit
// status and peak resident memory in bytes (wait4's, for this child alone).
std::pair<int, long> ExitAndPeakMemory(const std::string& keys, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"/usr/bin/env", "IMPRINT_KEYS=" + keys, ImprintBin()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  BOOST_REQUIRE_EQUAL(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  struct rusage usage {};
  BOOST_REQUIRE_EQUAL(wait4(pid, &status, 0, &usage), pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, usage.ru_maxrss * 1024L};
}

// Regression: verify loaded the whole log (531 MB for 354,000 rows). It now
// pages through rows and checkpoints: memory stays flat whatever the size.
BOOST_AUTO_TEST_CASE(audit_verify_streams_300000_rows_in_bounded_memory) {
  TempDir dir;
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"keys", "init", "--dev"}).exit_code, 0);
  const SigningKey key = Keystore(dir / "keys").LoadSigningKey();
  const std::string url = "sqlite:" + dir / "imprint.db";
  const auto started = std::chrono::steady_clock::now();
  {
    auto store = LicenseStore::Open(url);
    AuditRow row;
    row.at = 1764300000;
    row.license_id = "6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61";
    row.subscriber_id = "s-104";
    row.edition = "monitor/v05/i077";
    row.format = "epub";
    row.decision = row.reason = "permit";
    row.sha256 = std::string(64, 'a');
    for (int batch = 0; batch < 30; ++batch) {
      std::vector<AuditRow> rows(10000, row);
      store->AppendAudit(&rows);
    }
    const AuditHead head = store->Head();
    BOOST_REQUIRE_EQUAL(head.size, 300000);
    std::string raw;
    for (size_t i = 0; i < 64; i += 2) raw += static_cast<char>(std::stoi(head.hash.substr(i, 2), nullptr, 16));
    StoredCheckpoint c{0, 1764300000, head.size, SignCheckpoint({"test.example/audit", head.size, raw}, key.signer)};
    store->AddCheckpoint(&c);
  }
  const auto [exit_code, peak] = ExitAndPeakMemory(dir / "keys", {"audit", "verify", "--db", url});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST_MESSAGE("audit verify of 300,000 rows: peak " << peak / (1024 * 1024) << " MB; test " << seconds << " s");
  BOOST_TEST(exit_code == 0);
  BOOST_TEST(peak < 64L * 1024 * 1024, "peak resident memory " << peak / (1024 * 1024) << " MB");
}

}  // namespace
}  // namespace imprint
