// The build as a user runs it: the real program over real files. Every bad
// input of the spec (tests/data/bad/expectations.tsv) fails alone with its
// file, line and reason, exit status 1, nothing written for it, and the good
// inputs of the same run still built.
#define BOOST_TEST_MODULE build
#include "pipeline/edition/build.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>
#include <fstream>
#include <sstream>

#include "bench/corpus.h"
#include "pipeline/base/file_system.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

struct BadCase {
  std::string input;
  int line;
  std::string message;
};

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases;
  std::istringstream in(ReadAll(TestDataDir() + "/bad/expectations.tsv"));
  for (std::string row; std::getline(in, row);) {
    if (row.empty() || row[0] == '#') continue;
    std::istringstream fields(row);
    BadCase c;
    std::string line;
    std::getline(fields, c.input, '\t');
    std::getline(fields, line, '\t');
    std::getline(fields, c.message);
    c.input = TestDataDir() + "/bad/" + c.input;
    c.line = std::stoi(line);
    cases.push_back(c);
  }
  return cases;
}

// A file's text; an EPUB's entries' texts one after the other.
std::string EditionText(const std::string& path) {
  const std::string bytes = ReadAll(path);
  if (path.size() < 5 || path.substr(path.size() - 5) != ".epub") return bytes;
  std::string text;
  for (const auto& [name, content] : Unzip(bytes)) text += content + "\n";
  return text;
}

const std::string kGood = "/samples/archive/monitor-v05-i077.txt";
// An edition's files, relative to the output folder.
std::vector<std::string> EditionFiles(const std::string& edition) {
  const std::string base = edition + "/" + edition.substr(0, edition.find('/')) + "-" +
                           edition.substr(edition.find('/') + 1, 3) + "-" + edition.substr(edition.size() - 4);
  std::vector<std::string> files = {edition + "/manifest.json", edition + "/manifest.json.minisig"};
  for (const char* ext : {".epub", ".html", ".md"}) {
    files.push_back(base + ext);
    files.push_back(base + ext + ".minisig");
  }
  return files;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// What every build writes beside the editions.
const std::vector<std::string> kKeyFiles = {".imprint/search.db", ".imprint/state.tsv", "catalog.json", "catalog.json.minisig",
                                            "index.html", "index.html.minisig", "keys/imprint.pub",
                                            "keys/keyring.json"};

BOOST_AUTO_TEST_CASE(each_bad_input_fails_alone_with_file_line_and_reason) {
  const auto cases = BadCases();
  BOOST_REQUIRE_GE(cases.size(), 18u);
  for (const BadCase& c : cases) {
    BOOST_TEST_CONTEXT(c.input) {
      TempDir out;
      const ProcessResult r = RunImprint({"build", "--out", out.path(), c.input, SourceDir() + kGood});
      BOOST_TEST(r.exit_code == 1);
      const std::string want = c.input + ":" + std::to_string(c.line) + ": error: " + c.message;
      BOOST_TEST(r.err.find(want) != std::string::npos, "want " << want << "\ngot " << r.err);
      BOOST_TEST(r.out.find("1 built, 0 unchanged, 1 failed") != std::string::npos, r.out);
      // Only the good input's edition, complete; nothing of the bad one.
      std::vector<std::string> files = EditionFiles("monitor/v05/i077");
      files.insert(files.end(), kKeyFiles.begin(), kKeyFiles.end());
      BOOST_TEST(FilesBelow(out.path()) == Sorted(files), boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(all_bad_inputs_in_one_run_each_reported_good_ones_built) {
  TempDir out;
  std::vector<std::string> args = {"build", "--jobs", "2", "--out", out.path(),
                                   TestDataDir() + "/bad", SourceDir() + "/samples/archive"};
  const ProcessResult r = RunImprint(args);
  BOOST_TEST(r.exit_code == 1);
  for (const BadCase& c : BadCases()) {
    BOOST_TEST(r.err.find(c.input + ":" + std::to_string(c.line) + ": error: ") != std::string::npos,
               c.input);
  }
  BOOST_TEST(r.out.find("4 built") != std::string::npos, r.out);
  BOOST_TEST(FilesBelow(out.path()).size() == 4 * 8u + 8);
}

BOOST_AUTO_TEST_CASE(the_sample_archive_builds_into_the_contract_layout) {
  TempDir out;
  const ProcessResult r = RunImprint({"build", "--out", out.path(), SourceDir() + "/samples/archive"});
  BOOST_TEST(r.exit_code == 0, r.err);
  std::vector<std::string> want = kKeyFiles;
  for (const char* edition : {"monitor/v01/i003", "monitor/v03/i145", "monitor/v05/i077", "prism/v04/i012"}) {
    for (const std::string& f : EditionFiles(edition)) want.push_back(f);
  }
  want = Sorted(want);
  BOOST_TEST(FilesBelow(out.path()) == want, boost::test_tools::per_element());
  // The Windows-1252 sample is transcoded with a warning naming it.
  BOOST_TEST(r.err.find("monitor-v01-i003.txt:5: warning: not UTF-8; transcoded from Windows-1252") !=
             std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(each_publication_carries_its_own_footer_and_none_legacy) {
  TempDir out;
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", out.path(), SourceDir() + "/samples/archive"}).exit_code, 0);
  for (const std::string& file : FilesBelow(out.path())) {
    const std::string ext = file.substr(file.rfind('.'));
    if (file.find("/v") == std::string::npos || (ext != ".md" && ext != ".html" && ext != ".epub")) continue;
    BOOST_TEST_CONTEXT(file) {
      const std::string text = EditionText(out / file);
      const bool prism = file.rfind("prism/", 0) == 0;
      BOOST_TEST(text.find(prism ? "Prism, a monthly on the post-Soviet states, is a publication of "
                                   "The Jamestown Foundation"
                                 : "The Monitor is a publication of The Jamestown Foundation") !=
                 std::string::npos);
      if (prism) BOOST_TEST(text.find("Monitor") == std::string::npos);
      for (const char* legacy : {"Site Maintenance", "Johnny Flash", "researched and written",
                                 "pubs@jamestown.org", "301-562-8021", "1983-"}) {
        BOOST_TEST(text.find(legacy) == std::string::npos, legacy);
      }
    }
  }
}

constexpr char kRightsParagraph[] =
    "Copyright (c) 1995-1999 The Jamestown Foundation. All rights reserved. Unauthorized "
    "reproduction or redistribution is prohibited by law. See https://jamestown.org/imprint/license/ "
    "and https://jamestown.org/";

BOOST_AUTO_TEST_CASE(footer_wording_is_a_template_edit) {
  TempDir dir;
  CopyTree(SourceDir() + "/templates", dir / "templates");
  const std::string footer = dir / "templates/footer-monitor.txt.mustache";
  // The rights paragraph stays: a footer without it is refused (strict_templates_test).
  WriteAll(footer, "{{copyright}}. {{notice}} See {{license_url}} and {{holder_url}}\n\n"
                   "Reworded: {{publication}} belongs to {{holder}}, {{years}}.\n\n"
                   "Second paragraph, with *stars* & <angles>.\n");
  const ProcessResult r = RunImprint({"build", "--templates", dir / "templates", "--out",
                                      dir / "out", SourceDir() + kGood});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  const std::string base = dir / "out/monitor/v05/i077/monitor-v05-i077";
  const std::string html = ReadAll(base + ".html");
  BOOST_TEST(HtmlTexts(html, "//footer/p") ==
                 (std::vector<std::string>{
                     kRightsParagraph,
                     "Reworded: The Monitor belongs to The Jamestown Foundation, 1995-1999.",
                     "Second paragraph, with *stars* & <angles>."}),
             boost::test_tools::per_element());
  const std::string md = StripFrontMatter(ReadAll(base + ".md"));
  const auto md_paragraphs = HtmlTexts(RenderGfm(md), "//body/p");
  BOOST_REQUIRE_GE(md_paragraphs.size(), 2u);
  BOOST_TEST(md_paragraphs[md_paragraphs.size() - 2] ==
             "Reworded: The Monitor belongs to The Jamestown Foundation, 1995-1999.");
  BOOST_TEST(md_paragraphs.back() == "Second paragraph, with *stars* & <angles>.");
  const std::string xhtml = Unzip(ReadAll(base + ".epub")).at("OEBPS/issue.xhtml");
  BOOST_TEST(XmlTexts(xhtml, "//h:footer/h:p") ==
                 (std::vector<std::string>{
                     kRightsParagraph,
                     "Reworded: The Monitor belongs to The Jamestown Foundation, 1995-1999.",
                     "Second paragraph, with *stars* & <angles>."}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(two_inputs_for_one_edition_is_an_error) {
  TempDir dir;
  WriteAll(dir / "a.txt", "Publication: Monitor Volume: 5 Issue: 77\n\nOne text.\n");
  WriteAll(dir / "b.txt", "Publication: Monitor\nVolume: 5\nIssue: 77\n\nAnother.\n");
  const ProcessResult r = RunImprint({"build", "--jobs", "1", "--out", dir / "out", dir / "a.txt",
                                      dir / "b.txt"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(dir / "b.txt" + ":1: error: edition monitor/v05/i077 is also built from " +
                        dir / "a.txt") != std::string::npos, r.err);
}

// Regression (issue 15): a new file saved as monitor-v05-i079.txt with its
// header still saying Issue 78 was published as monitor/v05/i078 and silently
// replaced the live issue 78. A file named like an edition must be that
// edition; the others of the run are still built.
BOOST_AUTO_TEST_CASE(a_file_named_for_another_edition_than_its_header_is_refused) {
  TempDir dir;
  const std::string header = "Publication: Monitor\nVolume: 5\nIssue: 78\n\nThe text.\n";
  WriteAll(dir / "raw/monitor-v05-i078.txt", header);
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", dir / "out", dir / "raw/monitor-v05-i078.txt"}).exit_code, 0);
  const std::string live = ReadAll(dir / "out/monitor/v05/i078/monitor-v05-i078.md");
  WriteAll(dir / "raw/monitor-v05-i079.txt", "Publication: Monitor\nVolume: 5\nIssue: 78\n\nOther text.\n");
  WriteAll(dir / "raw/monitor-v5-i80.txt", "Publication: Prism\nVolume: 5\nIssue: 80\n\nText.\n");
  WriteAll(dir / "raw/any-name.txt", "Publication: Monitor\nVolume: 5\nIssue: 81\n\nText.\n");
  for (const char* command : {"build", "publish"}) {
    BOOST_TEST_CONTEXT(command) {
      const ProcessResult r = RunImprint({command, "--out", dir / "out", dir / "raw/monitor-v05-i079.txt"});
      BOOST_TEST(r.exit_code == 1);
      BOOST_TEST(r.err.find(dir / "raw/monitor-v05-i079.txt:1: error: the file name says monitor/v05/i079, "
                                  "the header monitor/v05/i078") != std::string::npos, r.err);
      BOOST_TEST(ReadAll(dir / "out/monitor/v05/i078/monitor-v05-i078.md") == live);
    }
  }
  const ProcessResult all = RunImprint({"build", "--out", dir / "out", dir / "raw"});
  BOOST_TEST(all.exit_code == 1);
  BOOST_TEST(all.err.find("the file name says monitor/v05/i080, the header prism/v05/i080") != std::string::npos,
             all.err);
  BOOST_TEST(std::filesystem::exists(dir / "out/monitor/v05/i081/manifest.json"));  // a name of no edition's shape
  BOOST_TEST(ReadAll(dir / "out/monitor/v05/i078/monitor-v05-i078.md") == live);
}

BOOST_AUTO_TEST_CASE(report_lists_every_input) {
  TempDir dir;
  const ProcessResult r = RunImprint({"build", "--report", dir / "report.json", "--out", dir / "out",
                                      SourceDir() + kGood, TestDataDir() + "/bad/no-body.txt"});
  BOOST_TEST(r.exit_code == 1);
  Poco::JSON::Parser parser;
  const auto report = parser.parse(ReadAll(dir / "report.json")).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(report->getValue<int>("built") == 1);
  BOOST_TEST(report->getValue<int>("failed") == 1);
  const auto inputs = report->getArray("inputs");
  BOOST_REQUIRE_EQUAL(inputs->size(), 2u);
  for (unsigned i = 0; i < 2; ++i) {
    const auto entry = inputs->getObject(i);
    if (entry->getValue<std::string>("status") == "built") {
      BOOST_TEST(entry->getValue<std::string>("edition") == "monitor/v05/i077");
      BOOST_TEST(entry->getArray("outputs")->size() == 8u);
    } else {
      const auto diag = entry->getArray("diagnostics")->getObject(0);
      BOOST_TEST(diag->getValue<std::string>("severity") == "error");
      BOOST_TEST(diag->getValue<int>("line") == 2);
      BOOST_TEST(diag->getValue<std::string>("file") == TestDataDir() + "/bad/no-body.txt");
    }
  }
}

BOOST_AUTO_TEST_CASE(rebuilding_replaces_files_atomically_and_leaves_no_temporaries) {
  TempDir out;
  for (int run = 0; run < 2; ++run) {
    BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", out.path(), SourceDir() + "/samples/archive"}).exit_code, 0);
  }
  for (const std::string& file : FilesBelow(out.path())) {
    BOOST_TEST(file.find(".imprint-tmp-") == std::string::npos, file);
  }
}

BOOST_AUTO_TEST_CASE(library_build_runs_inputs_on_a_pool_in_input_order) {
  TempDir out;
  Keystore keystore(out / "keys");
  keystore.Init(/*development=*/true);
  const BuildContext context =
      MakeBuildContext(SourceDir() + "/rights", SourceDir() + "/templates", keystore);
  BuildOptions options;
  options.out_dir = out / "editions";
  options.jobs = 3;
  for (const InputFile& f : FindInputs({SourceDir() + "/samples/archive", TestDataDir() + "/good"})) {
    options.inputs.push_back(f.path);
  }
  const BuildSummary summary = RunBuild(options, context);
  BOOST_TEST(summary.built == 7);
  BOOST_TEST(summary.failed == 0);
  BOOST_TEST(summary.warnings == 1);
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    BOOST_TEST(summary.results[i].input == options.inputs[i]);
    BOOST_TEST(summary.results[i].outputs.size() == 8u);  // 3 formats, manifest, signatures
  }
}

std::vector<std::string> EditionFolders(const std::string& out) {
  std::vector<std::string> folders;
  for (const std::string& f : FilesBelow(out)) {
    if (f.rfind(".imprint/", 0) == 0) continue;  // a killed build's staging
    if (f.size() > 14 && f.substr(f.size() - 14) == "/manifest.json") folders.push_back(out + "/" + f.substr(0, f.size() - 14));
  }
  return folders;
}

BOOST_AUTO_TEST_CASE(a_killed_build_leaves_only_complete_editions_and_the_rerun_finishes) {
  TempDir dir;
  bench::WriteCorpus(dir / "corpus", 1200, 7);
  std::mt19937 rng(20261128);
  for (int round = 0; round < 5; ++round) {
    const pid_t child = fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
      execl(ImprintBin().c_str(), "imprint", "build", "--force", "--out", (dir / "out").c_str(),
            (dir / "corpus/raw").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 500));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    BOOST_TEST_MESSAGE("round " << round << ": killed=" << (WIFSIGNALED(status) ? "yes" : "no (it finished)"));
    // Whatever is in place is complete and verifies.
    std::vector<std::string> args = {"verify", "--pubkey", dir / "out/keys/imprint.pub"};
    if (!std::filesystem::exists(dir / "out/keys/imprint.pub")) {
      args = {"verify"};  // killed before the keys were exported: the keystore's keyring
    }
    const auto folders = EditionFolders(dir / "out");
    if (folders.empty()) continue;
    args.insert(args.end(), folders.begin(), folders.end());
    const ProcessResult r = RunImprint(args);
    BOOST_TEST(r.exit_code == 0, r.out.substr(0, 2000));
    BOOST_TEST(r.out.find("FAILED") == std::string::npos);
  }
  const ProcessResult rerun = RunImprint({"build", "--out", dir / "out", dir / "corpus/raw"});
  BOOST_TEST(rerun.exit_code == 0, rerun.err);
  BOOST_TEST(rerun.out.find(" 0 failed") != std::string::npos, rerun.out);
  BOOST_TEST(EditionFolders(dir / "out").size() == 1200u);
  BOOST_TEST(!std::filesystem::exists(dir / "out/.imprint/staging"));  // stale staging removed
  // No partial or stray file anywhere: every file is an edition's (verify
  // checks each folder against its manifest) or one of the build's own.
  for (const std::string& f : FilesBelow(dir / "out")) {
    const bool own = f == ".imprint/state.tsv" || f == ".imprint/search.db" || f.rfind("keys/", 0) == 0 || f.rfind("catalog.json", 0) == 0 ||
                     f.rfind("index.html", 0) == 0;
    const bool in_edition = f.find("/v") != std::string::npos && f.find("/i") != std::string::npos;
    BOOST_TEST((own || in_edition), f);
  }
  std::vector<std::string> all = {"verify", "--pubkey", dir / "out/keys/imprint.pub"};
  for (const std::string& f : EditionFolders(dir / "out")) all.push_back(f);
  BOOST_TEST(RunImprint(all).exit_code == 0);
}

// "N editions in DIR/" once counted the state's rows, one per input path ever
// built: a moved input left its old row, and a no-op rebuild said 5 editions
// where there were 4.
BOOST_AUTO_TEST_CASE(a_moved_input_does_not_inflate_the_edition_count) {
  TempDir dir;
  CopyTree(SourceDir() + "/samples/archive", dir / "raw");
  auto build = [&] { return RunImprint({"build", "--out", dir / "out", dir / "raw"}); };
  const ProcessResult first = build();
  BOOST_REQUIRE_EQUAL(first.exit_code, 0);
  BOOST_TEST(first.out.find("; 4 editions in " + dir / "out/") != std::string::npos, first.out);
  std::filesystem::create_directories(dir / "raw/moved");
  std::filesystem::rename(dir / "raw/monitor-v05-i077.txt", dir / "raw/moved/renamed.txt");
  for (int run = 0; run < 2; ++run) {  // the move's rebuild, then a no-op one
    const ProcessResult r = build();
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.find("; 4 editions in " + dir / "out/") != std::string::npos, "run " << run << ": " << r.out);
  }
  BOOST_TEST(EditionFolders(dir / "out").size() == 4u);
  Poco::JSON::Parser parser;
  const auto catalog = parser.parse(ReadAll(dir / "out/catalog.json")).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(catalog->getArray("editions")->size() == 4u);
}

// A write that fails (a full disk; here a file-size limit, which fails the
// same write calls) is the input's error: it named the staging file
// (.../.imprint/staging/32038/0/manifest.json), which the user never made and
// which is gone by the time they look.
BOOST_AUTO_TEST_CASE(write_failures_name_the_input_not_the_staging_folder) {
  TempDir dir;
  std::string text = "Publication: Monitor Volume: 7 Issue: 1\n\n";
  while (text.size() < (2u << 20)) text += "A paragraph of prose that fills the issue to two megabytes.\n\n";
  WriteAll(dir / "big.txt", text);
  const BoundedResult r = RunWithin({ImprintBin(), "build", "--out", dir / "out", dir / "big.txt",
                                     SourceDir() + kGood},
                                    60, /*file_bytes=*/512 << 10);
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(r.err.find(dir / "big.txt: error: cannot write edition monitor/v07/i001") != std::string::npos,
             r.err);
  BOOST_TEST(r.err.find("File too large") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("staging") == std::string::npos, r.err);
  BOOST_TEST(r.out.find("1 built, 0 unchanged, 1 failed") != std::string::npos, r.out);
  BOOST_TEST(std::filesystem::exists(dir / "out/monitor/v05/i077/manifest.json"));
  BOOST_TEST(!std::filesystem::exists(dir / "out/monitor/v07"));
  BOOST_TEST(!std::filesystem::exists(dir / "out/.imprint/staging"));
}

BOOST_AUTO_TEST_CASE(publish_builds_checks_catalogs_and_prints_the_files) {
  TempDir dir;
  const ProcessResult first = RunImprint({"publish", "--out", dir / "out", SourceDir() + kGood});
  BOOST_TEST(first.exit_code == 0, first.err);
  BOOST_TEST(first.out.find("published monitor/v05/i077 revision 1 (checked: signatures and manifest)") == 0u, first.out);
  for (const std::string& f : EditionFiles("monitor/v05/i077")) {
    BOOST_TEST(first.out.find("  " + dir / ("out/" + f) + "\n") != std::string::npos, f);
  }
  BOOST_TEST(first.out.find(dir / "out/index.html") != std::string::npos);
  BOOST_TEST(ReadAll(dir / "out/catalog.json").find("\"monitor/v05/i077\"") != std::string::npos);
  // Another issue joins the catalog; publishing again changes nothing.
  BOOST_TEST(RunImprint({"publish", "--out", dir / "out", SourceDir() + "/samples/archive/prism-v04-i012.txt"}).exit_code == 0);
  const std::string catalog = ReadAll(dir / "out/catalog.json");
  BOOST_TEST(catalog.find("\"monitor/v05/i077\"") != std::string::npos);
  BOOST_TEST(catalog.find("\"prism/v04/i012\"") != std::string::npos);
  const ProcessResult again = RunImprint({"publish", "--out", dir / "out", SourceDir() + kGood});
  BOOST_TEST(again.out.find("unchanged, already published monitor/v05/i077") == 0u, again.out);
  // A bad issue is not published.
  const ProcessResult bad = RunImprint({"publish", "--out", dir / "out", TestDataDir() + "/bad/no-body.txt"});
  BOOST_TEST(bad.exit_code == 1);
  BOOST_TEST(bad.err.find("no-body.txt:2: error: issue has no body") != std::string::npos, bad.err);
}

}  // namespace
}  // namespace imprint
