// The command line as a user meets it: help, exit statuses, usage errors,
// `imprint rights check` on good and broken policies, every command that
// writes a file the user names (--out FILE, --report FILE) against each kind
// of destination, and the license commands' refusals a new user meets. The
// audit log's commands are in cli_audit_test.cc.
#define BOOST_TEST_MODULE cli
#include "pipeline/cli/cli.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

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

// Regression: every `imprint COMMAND --help` printed a stray "usage: " line
// (Poco's HelpFormatter's own) between "Options:" and the options.
BOOST_AUTO_TEST_CASE(every_command_help_has_one_usage_line_and_no_stray_one) {
  const std::string list = RunImprint({"--help"}).out;
  const size_t begin = list.find("Commands:\n") + 10, end = list.find("\n\n", begin);
  std::istringstream lines(list.substr(begin, end - begin));
  int commands = 0;
  for (std::string line; std::getline(lines, line); ++commands) {
    const std::string name = line.substr(2, line.find("  ", 2) - 2);
    std::vector<std::string> args;
    std::istringstream words(name);
    for (std::string word; words >> word;) args.push_back(word);
    args.push_back("--help");
    const ProcessResult r = RunImprint(args);
    BOOST_TEST(r.exit_code == 0, name);
    BOOST_TEST(r.out.rfind("Usage: imprint " + name, 0) == 0, name);
    BOOST_TEST(!Contains(r.out, "usage:"), name + ":\n" + r.out);
    BOOST_TEST(Contains(r.out, "Options:\n-h, --help"), name + ":\n" + r.out);
  }
  BOOST_TEST(commands >= 20);
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
  // `command` is "issue", "renew", "build" (its --report) or "report".
  ProcessResult Write(const std::string& command, const std::string& destination,
                      const std::string& option = "--out") {
    return Imprint(Arguments(command, destination, option));
  }
  std::vector<std::string> Arguments(const std::string& command, const std::string& destination,
                                     const std::string& option) {
    if (command == "issue") {
      return {"license", "issue", "--db", db, "--subscriber", "s-1", "--name", "Ada", "--tier",
                      "individual", "--publications", "monitor", "--from", "2026-01-01", "--until",
                      "2099-12-31", option, destination};
    }
    if (command == "renew") {
      const std::string until = std::to_string(2100 + renewals++) + "-12-31";
      return {"license", "renew", id, "--db", db, "--until", until, option, destination};
    }
    if (command == "report") {
      return {"report", "--db", db, "--rights", SourceDir() + "/rights", "--format", "json", option, destination};
    }
    return {"build", "--out", dir / "output", option == "--out" ? "--report" : option, destination,
            SourceDir() + "/samples/archive/monitor-v05-i077.txt"};
  }
  // Whether `bytes` are what `command` writes: a license, a build's report,
  // or the audit log's report.
  static bool LooksRight(const std::string& command, const std::string& bytes) {
    if (command == "build") return bytes.rfind("{", 0) == 0 && Contains(bytes, "\"inputs\"");
    if (command == "report") return bytes.rfind("{", 0) == 0 && Contains(bytes, "\"made_at\"");
    return bytes.rfind("{\"id\":\"", 0) == 0 && Contains(bytes, "\"signature\"");
  }
  // The store's licenses, their windows and status: a refused write changes none.
  std::string Licenses() { return Imprint({"license", "list", "--db", db}).out; }

  TempDir dir;
  const std::string db = "sqlite:" + dir / "store.db";
  std::string id;
  int renewals = 0;
  const std::vector<std::string> commands = {"issue", "renew", "build", "report"};
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
      // Through a link: the device is written, the link stays.
      fs::create_symlink(dir / "null", dir / "to-null");
      BOOST_TEST(Write(command, dir / "to-null").exit_code == 0, command);
      BOOST_TEST(FileKind(dir / "to-null") == 'l', command);
      BOOST_REQUIRE_MESSAGE(FileKind(dir / "null") == 'c', command << " replaced a device node through a link");
      fs::remove(dir / "to-null");
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

BOOST_FIXTURE_TEST_CASE(out_to_a_socket_sends_to_its_listener_and_keeps_it, Destinations) {
  for (const std::string& command : commands) {
    const std::string path = dir / (command + ".sock");
    SocketListener listener(path);
    const ProcessResult r = Write(command, path);
    const std::string got = listener.Finish();
    BOOST_TEST(r.exit_code == 0, command << ": " << r.err);
    BOOST_TEST(LooksRight(command, got), command << " sent: " << got);
    BOOST_TEST(FileKind(path) == 's', command);
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
  BOOST_TEST(FilesBelow(dir / "real") == (std::vector<std::string>{"build", "issue", "renew", "report"}),
             boost::test_tools::per_element());  // no temporary left
}

BOOST_FIXTURE_TEST_CASE(out_dash_writes_to_standard_output, Destinations) {
  for (const std::string& command : commands) {
    for (const std::string option : {"--out", "-o"}) {
      if (command == "build" && option == "-o") continue;  // build's -o is its folder
      const ProcessResult r = Write(command, "-", option);
      BOOST_TEST(r.exit_code == 0, command << " " << option << ": " << r.err);
      BOOST_TEST(LooksRight(command, r.out), command << " printed: " << r.out);
      BOOST_TEST(FileKind("-") == '-', "made a file named '-'");
    }
  }
  // Standard output holds the report alone; the build's summary goes to stderr.
  const ProcessResult r = Write("build", "-");
  BOOST_TEST(r.out.back() == '\n');
  BOOST_TEST(r.out.rfind("}") == r.out.size() - 2, r.out);
  BOOST_TEST(Contains(r.err, "imprint build: "), r.err);
}

// Found attacking issue 20: /dev/stdout is a link to the file standard output
// is open on. With that a regular file (`>> log`), a temporary file was
// renamed over it: what the log held before was lost, and whatever the shell
// wrote after went to the replaced, unlinked file. /dev/stdout, /dev/fd/N and
// /proc/self/fd/N name a descriptor of the program's own: written to it, at
// its offset, as `--out -` writes.
BOOST_FIXTURE_TEST_CASE(out_dev_stdout_appends_to_the_file_standard_output_is, Destinations) {
  for (const std::string& command : commands) {
    for (const std::string& name : {std::string("/dev/stdout"), std::string("/proc/self/fd/1")}) {
      const std::string log = dir / (command + ".log");
      WriteAll(log, "before\n");
      std::vector<std::string> args = {"-c", "F=$1; shift; { \"$@\"; echo after; } >> \"$F\"", "sh", log,
                                        "/usr/bin/env", "IMPRINT_KEYS=" + dir / "keys", ImprintBin()};
      for (const std::string& a : Arguments(command, name, "--out")) args.push_back(a);
      const ProcessResult r = Run("/bin/sh", args);
      BOOST_TEST(r.exit_code == 0, command << " " << name << ": " << r.err);
      const std::string got = ReadAll(log);
      BOOST_TEST(got.rfind("before\n", 0) == 0, command << " " << name << " lost what was there: " << got);
      BOOST_TEST(LooksRight(command, got.substr(std::min(got.size(), sizeof "before\n" - 1))),
                 command << " " << name << " wrote: " << got);
      BOOST_TEST((got.size() > 6 && got.substr(got.size() - 6) == "after\n"), command << " " << name << ": " << got);
      BOOST_TEST(FileKind(log) == 'f');
    }
  }
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

// Regression: the license commands checked their keystore against a folder
// called "output" whatever the editions' folder was, and kept the store beside
// it: a keystore inside the published folder signed licenses. They take the
// folder as --editions DIR, as build and serve take --out DIR.
BOOST_AUTO_TEST_CASE(license_commands_use_the_editions_folder_given_not_output) {
  TempDir dir;
  std::vector<std::string> issue = {"license", "issue", "--subscriber", "s-1", "--name", "Ada", "--tier",
                                    "individual", "--publications", "monitor", "--from", "2026-01-01",
                                    "--until", "2099-12-31", "--editions", dir / "site", "--out", dir / "ada.license"};
  // The keystore inside the editions' folder: refused before anything is signed.
  ProcessResult r = ImprintWithKeys(dir / "site/keys", issue);
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(Contains(r.err, "inside the output folder " + dir / "site"), r.err);
  BOOST_TEST(!std::filesystem::exists(dir / "ada.license"));
  // Elsewhere: signed, and stored beside the folder (DIR/imprint.db), where
  // `serve --out DIR/site` looks by default.
  r = ImprintWithKeys(dir / "keys", issue);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(std::filesystem::exists(dir / "imprint.db"));
  const std::string id = ReadAll(dir / "ada.license").substr(7, 36);
  r = ImprintWithKeys(dir / "keys", {"license", "renew", id, "--until", "2100-12-31", "--editions", dir / "site"});
  BOOST_TEST(r.exit_code == 0, r.err);
  r = ImprintWithKeys(dir / "site/keys", {"license", "renew", id, "--until", "2101-12-31", "--editions", dir / "site"});
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(Contains(r.err, "inside the output folder"), r.err);
  r = ImprintWithKeys(dir / "keys", {"audit", "--license", id, "--editions", dir / "site"});
  BOOST_TEST(Contains(r.out, "renewed"), r.out + r.err);
  BOOST_TEST(ImprintWithKeys(dir / "keys", {"license", "list", "--editions", "-"}).exit_code == 2);
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
