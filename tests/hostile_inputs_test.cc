// Hostile inputs, each through the real program: it builds them or gives a
// clear error, within a minute and a stated memory bound (README: peak memory
// under 1.5 GiB for a 100 MB input).
#define BOOST_TEST_MODULE hostile_inputs
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <filesystem>

#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

// The bounds of the README, for the normal build. AddressSanitizer keeps
// shadow memory and quarantined blocks, so its build gets three times the memory.
#ifdef IMPRINT_SANITIZED
constexpr long kMemoryFactor = 3;
#else
constexpr long kMemoryFactor = 1;
#endif
constexpr double kSeconds = 60;
constexpr long kPeakKb = 1536L * 1024 * kMemoryFactor;  // 1.5 GiB

struct Outcome {
  int exit_code = -1;
  double seconds = 0;
  long peak_kb = 0;
  std::string err;
};

// `imprint build` of one file, timed, its peak memory measured.
Outcome Build(const std::string& input, const std::string& out) {
  const std::string err_file = out + ".err";
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDERR_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    execl(ImprintBin().c_str(), "imprint", "build", "--out", out.c_str(), input.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  Outcome o;
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.peak_kb = usage.ru_maxrss;
  o.err = ReadAll(err_file);
  return o;
}

const std::string kHeader = "Publication: Monitor Volume: 7 Issue: 1\n\n";
const std::string kProse =
    "The governors met in Samara this week to compare notes on the federal budget\xE2\x80\x99s new transfer "
    "rules \xE2\x80\x94 and most of them left convinced that the rules reward the regions that collect the "
    "least tax.";

void ExpectBuilt(const Outcome& o, const std::string& what) {
  BOOST_TEST(o.exit_code == 0, what << ": " << o.err.substr(0, 500));
  BOOST_TEST(o.seconds < kSeconds, what << " took " << o.seconds << " s");
  BOOST_TEST(o.peak_kb < kPeakKb, what << " peaked at " << o.peak_kb / 1024 << " MB");
  BOOST_TEST_MESSAGE(what << ": " << o.seconds << " s, peak " << o.peak_kb / 1024 << " MB");
}

BOOST_AUTO_TEST_CASE(a_100_mb_issue) {
  TempDir dir;
  std::string text = kHeader;
  text.reserve(100u << 20);
  while (text.size() < (100u << 20)) {
    for (int i = 0; i < 20; ++i) text += kProse + (i % 5 == 4 ? "\n\n" : "\n");
  }
  WriteAll(dir / "big.txt", text + "\nThe Monitor is a publication of the Jamestown Foundation.\n");
  text.clear();
  text.shrink_to_fit();
  const Outcome o = Build(dir / "big.txt", dir / "out");
  ExpectBuilt(o, "100 MB");
  BOOST_TEST(ReadAll(dir / "out/monitor/v07/i001/monitor-v07-i001.md").size() > (100u << 20));
}

BOOST_AUTO_TEST_CASE(a_10_mb_single_line) {
  TempDir dir;
  std::string line;
  while (line.size() < (10u << 20)) line += kProse + " ";
  WriteAll(dir / "line.txt", kHeader + line + "\n");
  ExpectBuilt(Build(dir / "line.txt", dir / "out"), "10 MB line");
}

BOOST_AUTO_TEST_CASE(two_hundred_thousand_tiny_paragraphs) {
  TempDir dir;
  std::string text = kHeader;
  for (int i = 0; i < 200000; ++i) text += "P" + std::to_string(i) + ".\n\n";
  WriteAll(dir / "tiny.txt", text);
  const Outcome o = Build(dir / "tiny.txt", dir / "out");
  ExpectBuilt(o, "200,000 paragraphs");
  const std::string html = ReadAll(dir / "out/monitor/v07/i001/monitor-v07-i001.html");
  BOOST_TEST(HtmlTexts(html, "//main//p").size() == 200000u);
}

BOOST_AUTO_TEST_CASE(twenty_thousand_headlines) {
  TempDir dir;
  std::string text = kHeader;
  for (int i = 0; i < 20000; ++i) text += "HEADLINE NUMBER " + std::to_string(i) + "\n\nText " + std::to_string(i) + ".\n\n";
  WriteAll(dir / "heads.txt", text);
  ExpectBuilt(Build(dir / "heads.txt", dir / "out"), "20,000 headlines");
  const auto nav = Unzip(ReadAll(dir / "out/monitor/v07/i001/monitor-v07-i001.epub")).at("OEBPS/nav.xhtml");
  BOOST_TEST(XmlTexts(nav, "//h:nav[@epub:type='toc']//h:a").size() == 20001u);  // and the rights page
}

BOOST_AUTO_TEST_CASE(long_runs_of_markup_characters) {
  TempDir dir;
  std::string run;
  const std::string markup = "*_[]<>&#`~\\|!-+=:.@www.http://";
  while (run.size() < (1u << 20)) run += markup;
  WriteAll(dir / "markup.txt", kHeader + "x" + run + "\n\n> " + run + "\n");
  ExpectBuilt(Build(dir / "markup.txt", dir / "out"), "1 MB of markup");
  const std::string md = ReadAll(dir / "out/monitor/v07/i001/monitor-v07-i001.md");
  const auto paragraphs = HtmlTexts(RenderGfm(StripFrontMatter(md)), "//body/p");
  BOOST_REQUIRE_GE(paragraphs.size(), 2u);
  BOOST_TEST((paragraphs[0] == "x" + run));
  BOOST_TEST((paragraphs[1] == "> " + run));
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_nul_get_clear_errors) {
  TempDir dir;
  const std::string good = "Caf\xC3\xA9 society \xE2\x80\x94 a paragraph.\n\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\xC3\x28" + kHeader + good, ":1: error: invalid UTF-8 byte 0xC3"},
      {kHeader + good + "bad \xE2\x28\xA1 here\n\n" + good, ":5: error: invalid UTF-8 byte 0xE2"},
      {kHeader + good + good + "\xF0\x9F\x98", ":7: error: invalid UTF-8 byte 0xF0"},
      {kHeader + good + std::string("a\0b", 3) + "\n", ":5: error: NUL byte"},
  };
  int n = 0;
  for (const auto& [bytes, want] : cases) {
    const std::string input = dir / ("case" + std::to_string(++n) + ".txt");
    WriteAll(input, bytes);
    const Outcome o = Build(input, dir / ("out" + std::to_string(n)));
    BOOST_TEST(o.exit_code == 1);
    BOOST_TEST(o.err.find(input + want) != std::string::npos, want << " not in " << o.err);
    BOOST_TEST(FilesBelow(dir / ("out" + std::to_string(n)) + "/monitor").empty());
  }
}

// ---- inputs that are not regular files --------------------------------------
// Only regular files (or links to them) are read. Anything else named as an
// input, or named *.txt in an input folder, is an error for that input alone,
// naming it; never a hang (a FIFO), never a silent skip, never a stop for the
// other inputs.

const std::string kGoodInput = "/samples/archive/monitor-v05-i077.txt";

// `imprint build --out OUT INPUTS...`, killed after 30 seconds.
BoundedResult BuildWithin(const std::string& out, const std::vector<std::string>& inputs) {
  std::vector<std::string> argv = {ImprintBin(), "build", "--jobs", "2", "--out", out};
  argv.insert(argv.end(), inputs.begin(), inputs.end());
  return RunWithin(argv, 30);
}

void ExpectFailedAlone(const BoundedResult& r, const std::string& input) {
  BOOST_TEST(r.err.find(input + ": error: ") != std::string::npos, input << " not named in:\n" << r.err);
}

// A socket file at `path` (it stays when the socket is closed).
void MakeSocketFile(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  BOOST_REQUIRE(path.size() < sizeof address.sun_path);
  path.copy(address.sun_path, path.size());
  BOOST_REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  close(fd);
}

BOOST_AUTO_TEST_CASE(a_fifo_named_as_an_input_is_an_error_not_a_hang) {
  TempDir dir;
  BOOST_REQUIRE(mkfifo((dir / "fifo.txt").c_str(), 0600) == 0);
  const BoundedResult r = BuildWithin(dir / "out", {dir / "fifo.txt", SourceDir() + kGoodInput});
  BOOST_TEST(!r.timed_out, "imprint build hung reading a FIFO");
  BOOST_TEST(r.exit_code == 1, r.err);
  ExpectFailedAlone(r, dir / "fifo.txt");
  BOOST_TEST(r.err.find("not a regular file") != std::string::npos, r.err);
  BOOST_TEST(r.out.find("1 built, 0 unchanged, 1 failed") != std::string::npos, r.out);
  BOOST_TEST(std::filesystem::exists(dir / "out/monitor/v05/i077/manifest.json"));
}

BOOST_AUTO_TEST_CASE(odd_entries_in_an_input_folder_are_errors_not_skipped) {
  TempDir dir;
  const std::string raw = dir / "raw";
  std::filesystem::create_directories(raw + "/deeper");
  std::filesystem::copy_file(SourceDir() + kGoodInput, raw + "/good.txt");
  // A link to a regular file is read as the file (another issue, so no clash).
  std::filesystem::create_symlink(SourceDir() + "/samples/archive/prism-v04-i012.txt", raw + "/linked.txt");
  std::vector<std::string> odd = {raw + "/fifo.txt", raw + "/deeper/socket.txt", raw + "/dangling.txt",
                                  raw + "/loop.txt", raw + "/ping.txt", raw + "/pong.txt"};
  BOOST_REQUIRE(mkfifo(odd[0].c_str(), 0600) == 0);
  MakeSocketFile(odd[1]);
  std::filesystem::create_symlink(raw + "/nowhere.txt", odd[2]);
  std::filesystem::create_symlink("loop.txt", odd[3]);
  std::filesystem::create_symlink("pong.txt", odd[4]);
  std::filesystem::create_symlink("ping.txt", odd[5]);
  if (MakeCharDevice(raw + "/device.txt", 1, 3)) {  // a private /dev/null; needs root
    odd.push_back(raw + "/device.txt");
  } else {
    BOOST_TEST_MESSAGE("cannot make a device node here; that case is not tried");
  }
  BOOST_REQUIRE(mkfifo((raw + "/notes.md").c_str(), 0600) == 0);  // not *.txt: not an input

  const BoundedResult r = BuildWithin(dir / "out", {raw});
  BOOST_TEST(!r.timed_out, "imprint build hung");
  BOOST_TEST(r.exit_code == 1, r.err);
  for (const std::string& input : odd) ExpectFailedAlone(r, input);
  BOOST_TEST(r.err.find("notes.md") == std::string::npos, r.err);
  BOOST_TEST(r.out.find("2 built, 0 unchanged, " + std::to_string(odd.size()) + " failed") != std::string::npos,
             r.out);
  BOOST_TEST(std::filesystem::exists(dir / "out/monitor/v05/i077/manifest.json"));
  BOOST_TEST(std::filesystem::exists(dir / "out/prism/v04/i012/manifest.json"));
}

// An output folder built from the good input (rights copied beside it), and
// the command line of build, catalog or withdraw run on it again once the
// input has changed.
struct BuiltFolder {
  BuiltFolder() {
    CopyTree(SourceDir() + "/rights", dir / "rights");
    std::filesystem::create_directories(dir / "in");
    std::filesystem::copy_file(SourceDir() + kGoodInput, dir / "in/monitor-v05-i077.txt");
    BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", "--rights", dir / "rights", dir / "in"}).exit_code, 0);
  }
  std::vector<std::string> ArgvAfterAChange(const std::string& command) const {
    WriteAll(dir / "in/monitor-v05-i077.txt", ReadAll(dir / "in/monitor-v05-i077.txt") + "\nOne more paragraph.\n");
    std::vector<std::string> argv = {ImprintBin(), command, "--out", dir / "out", "--rights", dir / "rights"};
    if (command == "build") argv.push_back(dir / "in");
    if (command == "withdraw") argv.insert(argv.end(), {"prism/v09/i001", "--notice", "n", "--reason", "r"});
    return argv;
  }
  TempDir dir;
};

// Regression: a FIFO planted in the output folder (by whoever can write it)
// or in rights/ hung build, catalog and withdraw for ever: the manifest in
// place, its signature, the build state, catalog.json and withdrawals.xml
// were read (or written) as opened, blocking for a writer that never comes.
// (Found attacking issue 20: the published keys, keys/imprint.pub and
// keys/keyring.json, were still written into a FIFO planted in their place.)
BOOST_AUTO_TEST_CASE(a_fifo_in_the_output_or_rights_folder_hangs_no_command) {
  const std::vector<std::string> planted = {"out/monitor/v05/i077/manifest.json",
                                            "out/monitor/v05/i077/manifest.json.minisig", "out/.imprint/state.tsv",
                                            "out/catalog.json", "out/index.html.minisig", "out/keys/imprint.pub",
                                            "out/keys/keyring.json", "rights/withdrawals.xml"};
  for (const std::string& fifo : planted) {
    for (const std::string command : {"build", "catalog", "withdraw"}) {
      BuiltFolder built;
      const TempDir& dir = built.dir;
      std::filesystem::remove(dir / fifo);
      BOOST_REQUIRE_EQUAL(::mkfifo((dir / fifo).c_str(), 0644), 0);
      const BoundedResult r = RunWithin(built.ArgvAfterAChange(command), 10);
      BOOST_TEST(!r.timed_out, command << " with a FIFO at " << fifo);
      if (fifo.rfind("rights/", 0) == 0) {  // the editors' file: an error naming it
        BOOST_TEST(r.exit_code == 1, command << ": " << r.err);
        BOOST_TEST(r.err.find("withdrawals.xml") != std::string::npos, r.err);
      } else if (fifo.find("i077") == std::string::npos) {  // the program's own files: replaced
        BOOST_TEST(r.exit_code == 0, command << " with a FIFO at " << fifo << ": " << r.err);
      }
    }
  }
}

// Found attacking issue 20: the output folder's own files were written
// through a symbolic link planted in their place, so whoever could write the
// folder chose a file elsewhere for the build to overwrite (as root, any).
// The link is replaced by the file; what it led to is left alone.
BOOST_AUTO_TEST_CASE(a_link_in_the_output_folder_redirects_no_write) {
  const std::vector<std::string> planted = {"out/catalog.json", "out/catalog.json.minisig", "out/index.html",
                                            "out/keys/imprint.pub", "out/keys/keyring.json", "out/.imprint/state.tsv"};
  for (const std::string& link : planted) {
    for (const std::string command : {"build", "catalog", "withdraw"}) {
      BuiltFolder built;
      const TempDir& dir = built.dir;
      WriteAll(dir / "victim", "not yours");
      std::filesystem::remove(dir / link);
      std::filesystem::create_symlink(dir / "victim", dir / link);
      const BoundedResult r = RunWithin(built.ArgvAfterAChange(command), 10);
      BOOST_TEST(r.exit_code == 0, command << " with a link at " << link << ": " << r.err);
      BOOST_TEST(ReadAll(dir / "victim") == "not yours", command << " wrote through a link at " << link);
      if (command == std::string("build")) BOOST_TEST(FileKind(dir / link) == 'f', "build left the link at " << link);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_dangling_looping_or_missing_file_argument_fails_alone) {
  TempDir dir;
  std::filesystem::create_symlink(dir / "nowhere.txt", dir / "dangling.txt");
  std::filesystem::create_symlink(dir / "loop.txt", dir / "loop.txt");
  const std::vector<std::string> odd = {dir / "dangling.txt", dir / "loop.txt", dir / "missing.txt"};
  std::vector<std::string> inputs = odd;
  inputs.push_back(SourceDir() + kGoodInput);
  const BoundedResult r = BuildWithin(dir / "out", inputs);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.exit_code == 1, r.err);
  for (const std::string& input : odd) ExpectFailedAlone(r, input);
  BOOST_TEST(r.err.find(dir / "dangling.txt: error: is a link to " + dir / "nowhere.txt" +
                        ", which does not exist") != std::string::npos, r.err);
  BOOST_TEST(r.err.find(dir / "loop.txt: error: is a symbolic link loop") != std::string::npos, r.err);
  BOOST_TEST(r.err.find(dir / "missing.txt: error: no such file or folder") != std::string::npos, r.err);
  BOOST_TEST(r.out.find("1 built, 0 unchanged, 3 failed") != std::string::npos, r.out);
  BOOST_TEST(std::filesystem::exists(dir / "out/monitor/v05/i077/manifest.json"));
}

}  // namespace
}  // namespace imprint
