// Embargoes end to end (docs/editions.md "Embargo"): the real program over
// real files and the real clock. An edition under embargo is built and signed
// but absent from index.html and catalog.json; once its time passes, the next
// `imprint catalog`, or a build with nothing to build, lists it. The server's
// side is in server_test.cc. The tests wait a few seconds for a release.
#define BOOST_TEST_MODULE embargo
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "pipeline/base/rfc3339.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

// Far enough ahead for the runs before the release on a busy machine.
constexpr int64_t kAhead = 12;

int64_t WallClock() { return static_cast<int64_t>(std::time(nullptr)); }

// monitor-v05-i077's text as issue 90, under embargo until `release`.
void WriteEmbargoed(const std::string& path, int64_t release) {
  std::string text = ReadAll(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  const std::string head = "Publication: Monitor Volume: 5 Issue: 77";
  BOOST_REQUIRE_EQUAL(text.rfind(head, 0), 0u);
  text.replace(0, head.size(), "Publication: Monitor Volume: 5 Issue: 90\nEmbargo: " + FormatTime(release));
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  WriteAll(path, text);
}

bool Lists(const std::string& out, const std::string& edition) {
  return ReadAll(out + "/catalog.json").find("\"" + edition + "\"") != std::string::npos;
}

bool PageNames(const std::string& out, const std::string& base) {
  return ReadAll(out + "/index.html").find(base) != std::string::npos;
}

// Whether `imprint search` finds `edition` by a word of its text.
bool Searchable(const std::string& out, const std::string& edition) {
  const ProcessResult r = RunImprint({"search", "--out", out, "Tajikistan"});
  BOOST_TEST(r.exit_code == 0, r.err);
  return r.out.find(edition + "  ") != std::string::npos;
}

void SleepUntil(int64_t seconds) {
  std::this_thread::sleep_until(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(seconds)));
}

BOOST_AUTO_TEST_CASE(an_embargoed_edition_joins_the_catalog_at_its_time_without_a_rebuild) {
  TempDir dir;
  const int64_t release = WallClock() + kAhead;
  const std::string when = FormatTime(release);
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", release);
  std::filesystem::copy_file(SourceDir() + "/samples/archive/monitor-v03-i145.txt", dir / "in/monitor-v03-i145.txt");

  // Built and signed, but not listed; the build says why.
  const ProcessResult build = RunImprint({"build", "--out", dir / "out1", dir / "in"});
  BOOST_REQUIRE_MESSAGE(build.exit_code == 0, build.err);
  BOOST_TEST(build.out.find("monitor/v05/i090 is embargoed until " + when) != std::string::npos, build.out);
  BOOST_TEST(std::filesystem::exists(dir / "out1/monitor/v05/i090/manifest.json.minisig"));
  BOOST_TEST(Lists(dir / "out1", "monitor/v03/i145"));
  BOOST_TEST(!Lists(dir / "out1", "monitor/v05/i090"));
  BOOST_TEST(!PageNames(dir / "out1", "monitor-v05-i090"));
  BOOST_TEST(!PageNames(dir / "out1", "v05/i090"));
  // publish says it too; `imprint catalog` does not list it either.
  const ProcessResult publish = RunImprint({"publish", "--out", dir / "out2", dir / "in/monitor-v05-i090.txt"});
  BOOST_REQUIRE_MESSAGE(publish.exit_code == 0, publish.err);
  BOOST_TEST(publish.out.find("embargoed until " + when) != std::string::npos, publish.out);
  BOOST_TEST(!Lists(dir / "out2", "monitor/v05/i090"));
  const ProcessResult early = RunImprint({"catalog", "--out", dir / "out2"});
  BOOST_REQUIRE_MESSAGE(early.exit_code == 0, early.err);
  BOOST_TEST(early.out.find("monitor/v05/i090 is embargoed until " + when) != std::string::npos, early.out);
  BOOST_TEST(!Lists(dir / "out2", "monitor/v05/i090"));
  BOOST_TEST(!PageNames(dir / "out2", "monitor-v05-i090"));
  const ProcessResult noop = RunImprint({"build", "--out", dir / "out1", dir / "in"});
  BOOST_TEST(noop.out.find("0 built, 2 unchanged") != std::string::npos, noop.out);
  BOOST_TEST(!Lists(dir / "out1", "monitor/v05/i090"));
  // Nor is it searchable (issue 16): the index follows the catalog.
  for (const std::string out : {"out1", "out2"}) {
    BOOST_TEST(!Searchable(dir / out, "monitor/v05/i090"), out);
  }
  BOOST_REQUIRE_MESSAGE(WallClock() < release, "the runs before the release took over " << kAhead << " s");

  SleepUntil(release + 1);
  // A build with nothing to build notices the release and lists it.
  const ProcessResult after = RunImprint({"build", "--out", dir / "out1", dir / "in"});
  BOOST_TEST(after.out.find("0 built, 2 unchanged") != std::string::npos, after.out);
  BOOST_TEST(after.out.find("embargoed") == std::string::npos, after.out);
  BOOST_TEST(Lists(dir / "out1", "monitor/v05/i090"));
  BOOST_TEST(PageNames(dir / "out1", "monitor-v05-i090"));
  BOOST_TEST(Lists(dir / "out1", "monitor/v03/i145"));
  // So does the next `imprint catalog`.
  const ProcessResult catalog = RunImprint({"catalog", "--out", dir / "out2"});
  BOOST_REQUIRE_MESSAGE(catalog.exit_code == 0, catalog.err);
  BOOST_TEST(catalog.out.find("embargoed") == std::string::npos, catalog.out);
  BOOST_TEST(Lists(dir / "out2", "monitor/v05/i090"));
  BOOST_TEST(PageNames(dir / "out2", "monitor-v05-i090"));
  // Both signed as ever, and now searchable.
  for (const std::string out : {"out1", "out2"}) {
    BOOST_TEST(Searchable(dir / out, "monitor/v05/i090"), out);
    const ProcessResult verify = RunImprint({"verify", dir / (out + "/catalog.json"), dir / (out + "/index.html")});
    BOOST_TEST(verify.exit_code == 0, verify.out + verify.err);
  }
}

BOOST_AUTO_TEST_CASE(an_embargo_already_past_is_listed_at_once_and_not_mentioned) {
  TempDir dir;
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", WallClock() - 3600);
  const ProcessResult build = RunImprint({"build", "--out", dir / "out", dir / "in"});
  BOOST_REQUIRE_MESSAGE(build.exit_code == 0, build.err);
  BOOST_TEST(build.out.find("embargoed") == std::string::npos, build.out);
  BOOST_TEST(Lists(dir / "out", "monitor/v05/i090"));
  BOOST_TEST(PageNames(dir / "out", "monitor-v05-i090"));
  const ProcessResult catalog = RunImprint({"catalog", "--out", dir / "out"});
  BOOST_TEST(catalog.out == "imprint search: 0 indexed, 1 unchanged, 0 removed in " + dir / "out/.imprint/search.db\n" +
                                 "imprint catalog: 1 editions in " + dir / "out/index.html and " + dir / "out/catalog.json\n");
  BOOST_TEST(Lists(dir / "out", "monitor/v05/i090"));
}

// Regression: `imprint withdraw` of one edition wrote a catalog that listed
// every edition under embargo (it signed the scanned list as it was, without
// ReleasedEditions()).
BOOST_AUTO_TEST_CASE(withdrawing_another_edition_does_not_list_an_embargoed_one) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", WallClock() + 86400);
  std::filesystem::copy_file(SourceDir() + "/samples/archive/monitor-v03-i145.txt", dir / "in/monitor-v03-i145.txt");
  const std::string rights = dir / "rights";
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", "--rights", rights, dir / "in"}).exit_code, 0);
  BOOST_REQUIRE(!Lists(dir / "out", "monitor/v05/i090"));
  const ProcessResult r = RunImprint({"withdraw", "monitor/v03/i145", "--notice", "Withdrawn.", "--reason", "why",
                                      "--out", dir / "out", "--rights", rights});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(Lists(dir / "out", "monitor/v03/i145"));  // as withdrawn
  BOOST_TEST(!Lists(dir / "out", "monitor/v05/i090"));
  BOOST_TEST(!PageNames(dir / "out", "monitor-v05-i090"));
  BOOST_TEST(!PageNames(dir / "out", "v05/i090"));
  BOOST_TEST(r.out.find("i090") == std::string::npos, r.out);
}

// Regression: `imprint publish` of another file with the same text and no
// Embargo line (a draft copy, say) replaced an embargoed edition without
// --replace and released it at once: the guard compared only the text.
BOOST_AUTO_TEST_CASE(publishing_another_file_that_lifts_the_embargo_needs_replace) {
  TempDir dir;
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", WallClock() + 86400);
  BOOST_REQUIRE_EQUAL(RunImprint({"publish", "--out", dir / "out", dir / "in/monitor-v05-i090.txt"}).exit_code, 0);
  std::string text = ReadAll(dir / "in/monitor-v05-i090.txt");
  text.erase(text.find("\nEmbargo:"), text.find('\n', text.find("\nEmbargo:") + 1) - text.find("\nEmbargo:"));
  WriteAll(dir / "draft.txt", text);
  const ProcessResult r = RunImprint({"publish", "--out", dir / "out", dir / "draft.txt"});
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(r.err.find("--replace") != std::string::npos, r.err);
  BOOST_TEST(!Lists(dir / "out", "monitor/v05/i090"));
  // Deliberately, with --replace, and said.
  const ProcessResult replaced = RunImprint({"publish", "--replace", "--out", dir / "out", dir / "draft.txt"});
  BOOST_TEST(replaced.exit_code == 0, replaced.err);
  BOOST_TEST(replaced.out.find("replaced monitor/v05/i090") != std::string::npos, replaced.out);
  BOOST_TEST(Lists(dir / "out", "monitor/v05/i090"));
}

// Regression: withdrawing an edition still under embargo listed it at once
// in catalog.json and index.html (edition, title, notice) and the server
// answered 410 for it: the withdrawal revealed what the embargo withheld. The
// record keeps the embargo; the withdrawal is listed from the release on.
BOOST_AUTO_TEST_CASE(withdrawing_an_embargoed_edition_reveals_it_only_at_its_time) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  const int64_t release = WallClock() + kAhead;
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", release);
  const std::string rights = dir / "rights";
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", "--rights", rights, dir / "in"}).exit_code, 0);
  const ProcessResult r = RunImprint({"withdraw", "monitor/v05/i090", "--notice", "Pulled before release.",
                                      "--reason", "why", "--out", dir / "out", "--rights", rights});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("list it as withdrawn from the end of its embargo, " + FormatTime(release)) != std::string::npos,
             r.out);
  BOOST_TEST(ReadAll(dir / "rights/withdrawals.xml").find("embargo=\"" + FormatTime(release) + "\"") !=
             std::string::npos);
  for (const std::string command : {"build", "catalog"}) {
    std::vector<std::string> args = {command, "--out", dir / "out", "--rights", rights};
    if (command == "build") args.push_back(dir / "in");
    BOOST_TEST(RunImprint(args).exit_code == 0, command);
    BOOST_TEST(!Lists(dir / "out", "monitor/v05/i090"), command);
    BOOST_TEST(!PageNames(dir / "out", "v05/i090"), command);
    BOOST_TEST(ReadAll(dir / "out/index.html").find("Pulled before release.") == std::string::npos, command);
  }
  BOOST_REQUIRE_MESSAGE(WallClock() < release, "the runs before the release took over " << kAhead << " s");
  SleepUntil(release + 1);
  BOOST_TEST(RunImprint({"catalog", "--out", dir / "out", "--rights", rights}).exit_code == 0);
  BOOST_TEST(Lists(dir / "out", "monitor/v05/i090"));
  BOOST_TEST(ReadAll(dir / "out/catalog.json").find("Pulled before release.") != std::string::npos);
}

// Regression: an Embargo line added to an edition already released (a
// careless copy of a header) re-rendered it under embargo: it left the
// catalog and the server answered 404, an unrecorded withdrawal.
BOOST_AUTO_TEST_CASE(an_embargo_never_takes_back_a_released_edition) {
  TempDir dir;
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", WallClock() - 60);
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", dir / "in"}).exit_code, 0);
  BOOST_REQUIRE(Lists(dir / "out", "monitor/v05/i090"));
  const std::string manifest = ReadAll(dir / "out/monitor/v05/i090/manifest.json");
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", WallClock() + 86400);
  for (const std::string force : {"", "--force"}) {
    std::vector<std::string> args = {"build", "--out", dir / "out", dir / "in"};
    if (!force.empty()) args.insert(args.begin() + 1, force);
    const ProcessResult r = RunImprint(args);
    BOOST_TEST(r.exit_code == 1, r.out);
    BOOST_TEST(r.err.find("an embargo cannot take it back") != std::string::npos, r.err);
    BOOST_TEST(Lists(dir / "out", "monitor/v05/i090"));
    BOOST_TEST(ReadAll(dir / "out/monitor/v05/i090/manifest.json") == manifest);
  }
  // An embargo moved while it lasts is the editors' to move.
  WriteEmbargoed(dir / "in/monitor-v05-i091.txt", WallClock() + 3600);
  std::string text = ReadAll(dir / "in/monitor-v05-i091.txt");
  text.replace(text.find("Issue: 90"), 9, "Issue: 91");
  WriteAll(dir / "in/monitor-v05-i091.txt", text);
  WriteEmbargoed(dir / "in/monitor-v05-i090.txt", WallClock() - 60);
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", dir / "in"}).exit_code, 0);
  text.replace(text.find("Embargo: "), 29, "Embargo: " + FormatTime(WallClock() + 7200));
  WriteAll(dir / "in/monitor-v05-i091.txt", text);
  const ProcessResult moved = RunImprint({"build", "--out", dir / "out", dir / "in"});
  BOOST_TEST(moved.exit_code == 0, moved.err);
}

// The Jenkinsfile's brackets, outside its strings and comments, balanced and
// nested: "" when they are, else where they are not (Groovy's strings: '...',
// "...", and the triple-quoted ones; comments // and /* */).
std::string Unbalanced(const std::string& text) {
  std::string open;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) break;
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2) + 1;
    } else if (c == '\'' || c == '"') {
      const std::string quote = text.compare(i, 3, std::string(3, c)) == 0 ? std::string(3, c) : std::string(1, c);
      size_t end = i + quote.size();
      while (end < text.size() && text.compare(end, quote.size(), quote) != 0) end += text[end] == '\\' ? 2 : 1;
      if (end >= text.size()) return "a string opened at byte " + std::to_string(i) + " is not closed";
      i = end + quote.size() - 1;
    } else if (c == '{' || c == '(' || c == '[') {
      open += c;
    } else if (c == '}' || c == ')' || c == ']') {
      const char want = c == '}' ? '{' : c == ')' ? '(' : '[';
      if (open.empty() || open.back() != want) return std::string("an unmatched ") + c + " at byte " + std::to_string(i);
      open.pop_back();
    }
  }
  return open.empty() ? "" : "unclosed " + open;
}

BOOST_AUTO_TEST_CASE(the_jenkinsfile_recatalogs_the_published_folder_every_15_minutes) {
  const std::string jenkinsfile = ReadAll(SourceDir() + "/Jenkinsfile");
  BOOST_TEST(Unbalanced(jenkinsfile) == "");
  BOOST_TEST(jenkinsfile.find("cron('TZ=UTC\\nH/15 * * * *')") != std::string::npos);
  const size_t stage = jenkinsfile.find("stage('Release embargoes')");
  BOOST_REQUIRE(stage != std::string::npos);
  const std::string body = jenkinsfile.substr(stage, jenkinsfile.find("stage(", stage + 1) - stage);
  BOOST_TEST(body.find("timerRun && params.PUBLISHED") != std::string::npos, body);
  BOOST_TEST(body.find("withKeystore('build/imprint catalog --out \"$PUBLISHED\"')") != std::string::npos, body);
  // The Nightly's archive build still runs once a day, not every 15 minutes.
  BOOST_TEST(jenkinsfile.find("nightly = timerRun && started >= '0200' && started < '0215'") != std::string::npos);
  BOOST_TEST(jenkinsfile.find("when { expression { return nightly } }") != std::string::npos);
}

}  // namespace
}  // namespace imprint
