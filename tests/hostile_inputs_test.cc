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

}  // namespace
}  // namespace imprint
