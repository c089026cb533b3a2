// The command line as a user meets it: help, exit statuses, usage errors,
// `imprint rights check` on good and broken policies, every command that
// writes a file the user names (--out FILE, --report FILE) against each kind
// of destination, the license commands' refusals a new user meets, and
// `imprint audit verify` on a large log (its memory).
#define BOOST_TEST_MODULE cli
#include "pipeline/cli/cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>

#include "pipeline/signing/checkpoint.h"
#include "pipeline/base/crypto.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/license/license_store.h"
#include "pipeline/base/zip_writer.h"
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
                                             {"build", "--out"},
                                             {"build", "--out", "-", "x.txt"},  // a folder, not stdout
                                             {"catalog", "--out", "-"},
                                             {"license", "issue", "--out", ""},
                                             {"serve", "--port", "65536"},
                                             {"serve", "--workers", "0"},
                                             {"serve", "--io-threads", "x"},
                                             {"serve", "--copy-cache", "-1"}}) {
    const ProcessResult r = RunImprint(args);
    BOOST_TEST(r.exit_code == 2, args[0]);
    BOOST_TEST(!r.err.empty());
  }
  BOOST_TEST(Contains(RunImprint({"build"}).err, "Usage: imprint build"));
  BOOST_TEST(Contains(RunImprint({"serve", "--workers", "0"}).err, "--workers takes a number from 1 to 1024, not '0'"));
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

// ---- files the user names: --out FILE, --report FILE --------------------------

namespace fs = std::filesystem;

// Each command that writes a file the user names, run against a destination.
struct Destinations {
  Destinations() {
    BOOST_REQUIRE_EQUAL(Imprint({"keys", "init", "--dev"}).exit_code, 0);
    const ProcessResult r = Write("issue", dir / "ada.license");
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    id = ReadAll(dir / "ada.license").substr(7, 36);
  }
  ProcessResult Imprint(const std::vector<std::string>& args) { return ImprintWithKeys(dir / "keys", args); }
  // `command` is "issue", "renew" or "report" (build --report).
  ProcessResult Write(const std::string& command, const std::string& destination,
                      const std::string& option = "--out") {
    if (command == "issue") {
      return Imprint({"license", "issue", "--db", db, "--subscriber", "s-1", "--name", "Ada", "--tier",
                      "individual", "--publications", "monitor", "--from", "2026-01-01", "--until",
                      "2099-12-31", option, destination});
    }
    if (command == "renew") {
      const std::string until = std::to_string(2100 + renewals++) + "-12-31";
      return Imprint({"license", "renew", id, "--db", db, "--until", until, option, destination});
    }
    return Imprint({"build", "--out", dir / "output", option == "--out" ? "--report" : option, destination,
                    SourceDir() + "/samples/archive/monitor-v05-i077.txt"});
  }
  // Whether `bytes` are what `command` writes: a license, or a build report.
  static bool LooksRight(const std::string& command, const std::string& bytes) {
    if (command == "report") return bytes.rfind("{", 0) == 0 && Contains(bytes, "\"inputs\"");
    return bytes.rfind("{\"id\":\"", 0) == 0 && Contains(bytes, "\"signature\"");
  }
  // The store's licenses, their windows and status: a refused write changes none.
  std::string Licenses() { return Imprint({"license", "list", "--db", db}).out; }

  TempDir dir;
  const std::string db = "sqlite:" + dir / "store.db";
  std::string id;
  int renewals = 0;
  const std::vector<std::string> commands = {"issue", "renew", "report"};
};

// Regression (issue 20): `license issue --out /dev/null` run as root renamed
// a regular file over /dev/null.
BOOST_FIXTURE_TEST_CASE(out_dev_null_keeps_dev_null_a_device, Destinations) {
  for (const std::string& command : commands) {
    if (MakeCharDevice(dir / "null", 1, 3)) {
      // Our own copy of /dev/null first; the system's only if it survived.
      const ProcessResult r = Write(command, dir / "null");
      BOOST_TEST(r.exit_code == 0, command << ": " << r.err);
      BOOST_REQUIRE_MESSAGE(FileKind(dir / "null") == 'c', command << " replaced a device node");
      fs::remove(dir / "null");
    }
    const ProcessResult r = Write(command, "/dev/null");
    BOOST_TEST(r.exit_code == 0, command << ": " << r.err);
    BOOST_REQUIRE_MESSAGE(FileKind("/dev/null") == 'c', command << " replaced /dev/null");
  }
}

BOOST_FIXTURE_TEST_CASE(out_to_a_full_device_fails_naming_it, Destinations) {
  if (!MakeCharDevice(dir / "full", 1, 7)) {
    BOOST_TEST_MESSAGE("not root: skipped");
    return;
  }
  for (const std::string& command : commands) {
    const ProcessResult r = Write(command, dir / "full");
    BOOST_TEST(r.exit_code == 1, command);
    BOOST_TEST(Contains(r.err, dir / "full: error: "), command << ": " << r.err);
    BOOST_REQUIRE(FileKind(dir / "full") == 'c');
  }
}

BOOST_FIXTURE_TEST_CASE(out_to_a_fifo_writes_to_its_reader, Destinations) {
  for (const std::string& command : commands) {
    FifoReader reader(dir / command);
    const ProcessResult r = Write(command, dir / command);
    const std::string got = reader.Finish();
    BOOST_TEST(r.exit_code == 0, command << ": " << r.err);
    BOOST_TEST(LooksRight(command, got), command << " sent: " << got);
    BOOST_TEST(FileKind(dir / command) == 'p', command);
  }
}

BOOST_FIXTURE_TEST_CASE(out_to_a_folder_or_a_link_to_one_is_refused_before_any_change, Destinations) {
  WriteAll(dir / "folder/inside.txt", "kept");
  fs::create_directory_symlink(dir / "folder", dir / "to-folder");
  for (const std::string& command : commands) {
    for (const std::string& destination : {dir / "folder", dir / "to-folder"}) {
      const std::string before = Licenses();
      const ProcessResult r = Write(command, destination);
      BOOST_TEST(r.exit_code == 1, command << " " << destination);
      BOOST_TEST(Contains(r.err, destination + ": error: "), r.err);
      BOOST_TEST(Contains(r.err, "is a folder"), r.err);
      BOOST_TEST(Licenses() == before, command << ": issued or renewed though refused");
    }
  }
  BOOST_TEST(FileKind(dir / "to-folder") == 'l');
  BOOST_TEST(FilesBelow(dir / "folder") == std::vector<std::string>{"inside.txt"}, boost::test_tools::per_element());
}

// A dangling link is refused (see pipeline/base/file_system.h for why).
BOOST_FIXTURE_TEST_CASE(out_to_a_dangling_link_is_refused_and_creates_nothing, Destinations) {
  fs::create_symlink(dir / "missing/x.license", dir / "dangling");
  for (const std::string& command : commands) {
    const std::string before = Licenses();
    const ProcessResult r = Write(command, dir / "dangling");
    BOOST_TEST(r.exit_code == 1, command);
    BOOST_TEST(Contains(r.err, dir / "dangling: error: "), r.err);
    BOOST_TEST(Contains(r.err, "does not exist"), r.err);
    BOOST_TEST(Licenses() == before, command << ": issued or renewed though refused");
    BOOST_TEST(FileKind(dir / "dangling") == 'l');
    BOOST_TEST(FileKind(dir / "missing") == '-');
  }
}

BOOST_FIXTURE_TEST_CASE(out_through_a_link_to_a_file_replaces_the_file_and_keeps_the_link, Destinations) {
  for (const std::string& command : commands) {
    WriteAll(dir / ("real/" + command), "old");
    fs::create_symlink("real/" + command, dir / (command + ".link"));
    const ProcessResult r = Write(command, dir / (command + ".link"));
    BOOST_TEST(r.exit_code == 0, command << ": " << r.err);
    BOOST_TEST(FileKind(dir / (command + ".link")) == 'l', command);
    BOOST_TEST(LooksRight(command, ReadAll(dir / ("real/" + command))), command);
    // A regular file, named directly, is replaced whole (a rename, a new inode).
    struct stat before {}, after {};
    ::stat((dir / ("real/" + command)).c_str(), &before);
    BOOST_TEST(Write(command, dir / ("real/" + command)).exit_code == 0);
    ::stat((dir / ("real/" + command)).c_str(), &after);
    BOOST_TEST(before.st_ino != after.st_ino, command);
    BOOST_TEST(LooksRight(command, ReadAll(dir / ("real/" + command))), command);
  }
  BOOST_TEST(FilesBelow(dir / "real") == (std::vector<std::string>{"issue", "renew", "report"}),
             boost::test_tools::per_element());  // no temporary left
}

BOOST_FIXTURE_TEST_CASE(out_dash_writes_to_standard_output, Destinations) {
  for (const std::string& command : commands) {
    for (const std::string option : {"--out", "-o"}) {
      if (command == "report" && option == "-o") continue;  // build's -o is its folder
      const ProcessResult r = Write(command, "-", option);
      BOOST_TEST(r.exit_code == 0, command << " " << option << ": " << r.err);
      BOOST_TEST(LooksRight(command, r.out), command << " printed: " << r.out);
      BOOST_TEST(FileKind("-") == '-', "made a file named '-'");
    }
  }
  // Standard output holds the report alone; the build's summary goes to stderr.
  const ProcessResult r = Write("report", "-");
  BOOST_TEST(r.out.back() == '\n');
  BOOST_TEST(r.out.rfind("}") == r.out.size() - 2, r.out);
  BOOST_TEST(Contains(r.err, "imprint build: "), r.err);
}

// ---- the license commands as a new user meets them ---------------------------

BOOST_FIXTURE_TEST_CASE(issuing_an_already_expired_license_needs_allow_expired, Destinations) {
  const std::string before = Licenses();
  std::vector<std::string> args = {"license", "issue", "--db", db, "--subscriber", "s-2", "--name", "Old",
                                   "--tier", "individual", "--publications", "monitor", "--from", "2020-01-01",
                                   "--until", "2020-12-31", "--out", dir / "old.license"};
  ProcessResult r = Imprint(args);
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "--until 2020-12-31 is in the past"), r.err);
  BOOST_TEST(Contains(r.err, "add --allow-expired"), r.err);
  BOOST_TEST(Licenses() == before);
  BOOST_TEST(FileKind(dir / "old.license") == '-');
  args.push_back("--allow-expired");
  r = Imprint(args);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Contains(r.err, "warning: "), r.err);
  BOOST_TEST(Contains(Licenses(), "expired"));
  BOOST_TEST(FileKind(dir / "old.license") == 'f');
}

BOOST_FIXTURE_TEST_CASE(renewing_to_an_until_already_past_needs_allow_expired, Destinations) {
  BOOST_REQUIRE_EQUAL(Imprint({"license", "issue", "--db", db, "--subscriber", "s-3", "--name", "Past", "--tier",
                               "individual", "--publications", "monitor", "--from", "2020-01-01", "--until",
                               "2020-06-30", "--allow-expired", "--out", dir / "past.license"}).exit_code, 0);
  const std::string past = ReadAll(dir / "past.license").substr(7, 36);
  const std::string before = Licenses();
  std::vector<std::string> args = {"license", "renew", past, "--db", db, "--until", "2020-12-31"};
  ProcessResult r = Imprint(args);
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "add --allow-expired"), r.err);
  BOOST_TEST(Licenses() == before);
  args.push_back("--allow-expired");
  r = Imprint(args);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Contains(Licenses(), "2020-01-01..2020-12-31"));
}

BOOST_FIXTURE_TEST_CASE(renewing_a_revoked_license_says_to_issue_a_new_one, Destinations) {
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", id, "--db", db}).exit_code, 0);
  const ProcessResult r = Imprint({"license", "renew", id, "--db", db, "--until", "2030-12-31"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "the license is revoked"), r.err);
  BOOST_TEST(Contains(r.err, "imprint license issue --subscriber s-1 --name Ada --tier individual "
                             "--publications monitor --from "), r.err);
  BOOST_TEST(Contains(r.err, " --until 2030-12-31 --out FILE"), r.err);
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

// A bound on a child's peak memory. The sanitizer build's processes carry
// shadow memory and a quarantine of freed memory (256 MB) besides: there the
// bound only tells bounded from unbounded (the bugs below took gigabytes).
long MemoryBound(long normal) {
#ifdef IMPRINT_SANITIZED
  return 3 * normal + (768L << 20);
#else
  return normal;
#endif
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
    row.decision = AuditDecision::kPermit;
    row.reason = "permit";
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
  BOOST_TEST(peak < MemoryBound(64L << 20), "peak resident memory " << peak / (1024 * 1024) << " MB");
}

// Regression: a trace inflated every entry named like one of the book's
// three licensee entries, each up to 16 MB, and kept them all: a 0.4 MB
// "EPUB" of 24 package documents of zeros took 400 MB (a 64 MB one, 64 GB).
// (Its zip is deflated a chunk at a time: a child's peak as measured counts
// this process's own, posix_spawn sharing its memory until the exec.)
BOOST_AUTO_TEST_CASE(trace_of_an_epub_bomb_of_repeated_licensee_entries_stays_in_bounded_memory) {
  TempDir dir;
  constexpr uint32_t kSize = 16 << 20;
  const std::string chunk(1 << 16, '\0');
  std::string deflated;
  uLong crc = crc32(0L, Z_NULL, 0);
  z_stream z{};
  BOOST_REQUIRE_EQUAL(deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  for (uint32_t done = 0; done < kSize; done += chunk.size()) {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size()));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = static_cast<uInt>(chunk.size());
    char out[1 << 14];
    do {
      z.next_out = reinterpret_cast<Bytef*>(out);
      z.avail_out = sizeof out;
      deflate(&z, done + chunk.size() >= kSize ? Z_FINISH : Z_NO_FLUSH);
      deflated.append(out, sizeof out - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  ZipWriter zip(2026, 11, 29);
  for (int i = 0; i < 24; ++i) zip.AddRaw("OEBPS/package.opf", 8, static_cast<uint32_t>(crc), kSize, deflated);
  WriteAll(dir / "bomb.epub", zip.Finish());
  const auto [exit_code, peak] = ExitAndPeakMemory(dir / "keys", {"trace", dir / "bomb.epub"});
  BOOST_TEST(exit_code == 1);  // names no license
  BOOST_TEST(peak < MemoryBound(128L << 20), "peak resident memory " << peak / (1024 * 1024) << " MB");
}

// Regression: audit verify read a --checkpoint FILE whole, whatever its
// size (a checkpoint is a few hundred bytes, refused past 64 KB): a wrong
// 512 MB file took a gigabyte, and /dev/zero ran until memory ran out.
BOOST_AUTO_TEST_CASE(audit_verify_reads_no_more_of_a_checkpoint_file_than_a_checkpoint_can_be) {
  TempDir dir;
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"keys", "init", "--dev"}).exit_code, 0);
  const std::string big = dir / "big.txt";
  WriteAll(big, "");
  BOOST_REQUIRE_EQUAL(::truncate(big.c_str(), 512L << 20), 0);  // sparse: no disk used
  const auto [exit_code, peak] =
      ExitAndPeakMemory(dir / "keys", {"audit", "verify", "--db", "sqlite:" + dir / "imprint.db", "--checkpoint", big});
  BOOST_TEST(exit_code == 1);
  BOOST_TEST(peak < MemoryBound(64L << 20), "peak resident memory " << peak / (1024 * 1024) << " MB");
  const ProcessResult r = ImprintWithKeys(dir / "keys", {"audit", "verify", "--db", "sqlite:" + dir / "imprint.db",
                                                         "--checkpoint", big});
  BOOST_TEST(r.err.find(big + ": error: over 65536 bytes: not a checkpoint") != std::string::npos, r.err);
}

// Regression: trace read whatever it was given to its end: a copy.md that
// was a link to /dev/zero (or a FIFO no one writes) never finished, and took
// memory until there was none. A copy is a file; its format is its name's.
BOOST_AUTO_TEST_CASE(trace_refuses_a_device_or_fifo_instead_of_reading_it_forever) {
  TempDir dir;
  const std::string link = dir / "copy.md", fifo = dir / "copy.html";
  BOOST_REQUIRE_EQUAL(::symlink("/dev/zero", link.c_str()), 0);
  BOOST_REQUIRE_EQUAL(::mkfifo(fifo.c_str(), 0644), 0);
  for (const std::string& copy : {link, fifo}) {
    // Bounded, so that the old behaviour fails rather than hangs the suite
    // (in memory too, but for the sanitizer build, whose shadow memory needs
    // the address space).
#ifdef IMPRINT_SANITIZED
    const std::string bound = "exec timeout 10 \"$0\" trace \"$1\"";
#else
    const std::string bound = "ulimit -v 1000000; exec timeout 10 \"$0\" trace \"$1\"";
#endif
    const ProcessResult r = Run("/bin/sh", {"-c", bound, ImprintBin(), copy});
    BOOST_TEST(r.exit_code == 1, copy << ": " << r.exit_code << " " << r.err);
    BOOST_TEST(r.err.find(copy + ": error: not a regular file") != std::string::npos, r.err);
  }
}

// Found attacking issue 12: `license show` and `license check` read their
// file whole, whatever it was: /dev/zero until memory ran out, a FIFO forever.
BOOST_AUTO_TEST_CASE(license_files_are_read_only_as_small_regular_files) {
  TempDir dir;
  WriteAll(dir / "big.license", std::string(1 << 20, '{'));
  BOOST_REQUIRE_EQUAL(::mkfifo((dir / "fifo.license").c_str(), 0644), 0);
  for (const std::string& file : {std::string("/dev/zero"), dir / "fifo.license", dir / "big.license"}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"license", "show", file},
          std::vector<std::string>{"license", "check", file, "monitor/v05/i077", "--action", "read"}}) {
      const auto started = std::chrono::steady_clock::now();
      const ProcessResult r = ImprintWithKeys(dir / "keys", args);
      BOOST_TEST(r.exit_code == 1, file << ": " << r.err);
      BOOST_TEST(r.err.find(file) != std::string::npos, r.err);
      BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 10.0);
    }
  }
}

}  // namespace
}  // namespace imprint
