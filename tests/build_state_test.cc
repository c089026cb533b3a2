// The state file, and incremental builds through it: an unchanged input is
// not rebuilt; exactly the inputs whose raw text changed are; every input
// when the templates or the rights change.
#define BOOST_TEST_MODULE build_state
#include "pipeline/edition/build_state.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <map>

#include "pipeline/base/crypto.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(state_round_trips_and_damage_means_empty) {
  TempDir dir;
  BuildState state;
  state.Put({"in/a.txt", 12, 345, "aa", "bb", {{"monitor", "The Monitor", 1, 2, "", "T"}, "monitor/v01/i002", 1, "", "", ""}});
  state.Put({"in/b.txt", 1, 2, "cc", "dd", {{"prism", "Prism", 2, 3, "1996-01-02", "P"}, "prism/v02/i003", 2, "ab12", "1996-02-01", "2030-01-01T06:00:00Z"}});
  state.Save(dir.path());
  const BuildState back = BuildState::Load(dir.path());
  BOOST_REQUIRE(back.Find("in/a.txt") != nullptr);
  BOOST_TEST(back.Find("in/a.txt")->mtime_ns == 345);
  BOOST_TEST(back.Find("in/b.txt")->edition.date == "1996-01-02");
  BOOST_TEST(back.Find("in/b.txt")->edition.revision == 2);
  BOOST_TEST(back.Find("in/b.txt")->edition.manifest_sha256 == "ab12");
  BOOST_TEST(back.Find("in/b.txt")->edition.corrected == "1996-02-01");
  BOOST_TEST(back.Find("in/b.txt")->edition.embargo == "2030-01-01T06:00:00Z");
  BOOST_TEST(back.Editions().size() == 2u);
  WriteAll(BuildState::PathIn(dir.path()), "# imprint-state/1\nbroken\tline\n");
  BOOST_TEST(BuildState::Load(dir.path()).size() == 0u);
}

// A moved input left its old path's row behind: the edition had two rows,
// was counted twice, and the catalog could take its data from the stale one.
BOOST_AUTO_TEST_CASE(a_moved_input_leaves_one_row_per_edition) {
  BuildState state;
  state.Put({"in/a.txt", 1, 1, "aa", "bb", {{"monitor", "The Monitor", 1, 2, "", "Old"}, "monitor/v01/i002", 1, "", "", ""}});
  state.Put({"in/b.txt", 1, 2, "cc", "dd", {{"prism", "Prism", 2, 3, "", "P"}, "prism/v02/i003", 1, "", "", ""}});
  state.Put({"in/moved/a.txt", 1, 3, "aa", "bb", {{"monitor", "The Monitor", 1, 2, "", "New"}, "monitor/v01/i002", 1, "", "", ""}});
  BOOST_TEST(state.size() == 2u);
  BOOST_TEST(state.Find("in/a.txt") == nullptr);
  const auto editions = state.Editions();
  BOOST_REQUIRE_EQUAL(editions.size(), 2u);
  BOOST_TEST(editions[0].title == "P");  // by input path: in/b.txt, in/moved/a.txt
  BOOST_TEST(editions[1].title == "New");
  // An input rebuilt into another edition gives up its old one.
  state.Put({"in/b.txt", 1, 4, "ee", "ff", {{"prism", "Prism", 2, 4, "", "P4"}, "prism/v02/i004", 1, "", "", ""}});
  state.Put({"in/c.txt", 1, 5, "gg", "hh", {{"prism", "Prism", 2, 3, "", "P3"}, "prism/v02/i003", 1, "", "", ""}});
  BOOST_TEST(state.size() == 3u);
  BOOST_TEST(state.Find("in/b.txt")->edition.edition == "prism/v02/i004");
  // The edition knows the input that built it last (publish's guard asks).
  BOOST_REQUIRE(state.FindEdition("prism/v02/i003") != nullptr);
  BOOST_TEST(state.FindEdition("prism/v02/i003")->input == "in/c.txt");
  BOOST_TEST(state.FindEdition("monitor/v01/i002")->input == "in/moved/a.txt");
  BOOST_TEST(state.FindEdition("prism/v02/i009") == nullptr);
}

using Statuses_t = std::map<std::string, std::string>;

// "name=status " for each input, sorted: readable when a check fails.
std::string Show(const Statuses_t& statuses) {
  std::string out;
  for (const auto& [name, status] : statuses) out += name + "=" + status + " ";
  return out;
}

// Statuses by input file name, from a build's --report.
std::string Statuses(const std::string& report) {
  Poco::JSON::Parser parser;
  const auto root = parser.parse(ReadAll(report)).extract<Poco::JSON::Object::Ptr>();
  Statuses_t statuses;
  const auto inputs = root->getArray("inputs");
  for (unsigned i = 0; i < inputs->size(); ++i) {
    const auto o = inputs->getObject(i);
    const std::string input = o->getValue<std::string>("input");
    statuses[input.substr(input.rfind('/') + 1)] = o->getValue<std::string>("status");
  }
  return Show(statuses);
}

struct Archive {
  Archive() {
    CopyTree(SourceDir() + "/samples/archive", dir / "archive");
    CopyTree(SourceDir() + "/templates", dir / "templates");
    CopyTree(SourceDir() + "/rights", dir / "rights");
  }
  std::string Build() {
    const ProcessResult r = RunImprint({"build", "--out", dir / "out", "--report", dir / "report.json",
                                        "--templates", dir / "templates", "--rights", dir / "rights",
                                        dir / "archive"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return Statuses(dir / "report.json");
  }
  TempDir dir;
};

Statuses_t AllMap(const std::string& status) {
  return {{"monitor-v01-i003.txt", status}, {"monitor-v03-i145.txt", status},
          {"monitor-v05-i077.txt", status}, {"prism-v04-i012.txt", status}};
}
std::string All(const std::string& status) { return Show(AllMap(status)); }

BOOST_FIXTURE_TEST_CASE(only_what_changed_is_rebuilt, Archive) {
  BOOST_TEST(Build() == All("built"));
  BOOST_TEST(Build() == All("unchanged"));

  // A raw edit (a correction: new text, on the record) rebuilds that issue alone.
  const std::string prism = dir / "archive/prism-v04-i012.txt";
  std::string text = ReadAll(prism);
  text.insert(text.find("Prism is a publication"), "One more paragraph.\r\n\r\n");
  text.insert(text.find("\r\n\r\n"), "\r\nCorrection: 2026-11-29 " +
                                           Sha256Hex(ReadAll(dir / "out/prism/v04/i012/manifest.json")) +
                                           " A paragraph was missing.");
  WriteAll(prism, text);
  auto want = AllMap("unchanged");
  want["prism-v04-i012.txt"] = "built";
  BOOST_TEST(Build() == Show(want));
  BOOST_TEST(ReadAll(dir / "out/prism/v04/i012/prism-v04-i012.md").find("One more paragraph.") !=
             std::string::npos);

  // Touched but not changed: not rebuilt.
  WriteAll(prism, ReadAll(prism));
  BOOST_TEST(Build() == All("unchanged"));

  // A template edit rebuilds everything, and so does a rights edit.
  WriteAll(dir / "templates/style.css.mustache", ReadAll(dir / "templates/style.css.mustache") + "\n");
  BOOST_TEST(Build() == All("built"));
  std::string policy = ReadAll(dir / "rights/policy.xml");
  policy.replace(policy.find("All rights reserved."), 20, "All rights are reserved.");
  WriteAll(dir / "rights/policy.xml", policy);
  BOOST_TEST(Build() == All("built"));
  BOOST_TEST(ReadAll(dir / "out/monitor/v05/i077/monitor-v05-i077.html").find("All rights are reserved.") !=
             std::string::npos);
  BOOST_TEST(Build() == All("unchanged"));
}

BOOST_FIXTURE_TEST_CASE(a_deleted_edition_is_rebuilt_and_force_rebuilds_all, Archive) {
  Build();
  RemoveAll(dir / "out/monitor/v03");
  auto want = AllMap("unchanged");
  want["monitor-v03-i145.txt"] = "built";
  BOOST_TEST(Build() == Show(want));
  const ProcessResult r = RunImprint({"build", "--force", "--out", dir / "out", "--report", dir / "report.json",
                                      "--templates", dir / "templates", "--rights", dir / "rights",
                                      dir / "archive"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(Statuses(dir / "report.json") == All("built"));
}

// Headlines are free text: a tab, a line break or a quote in one must not
// break the row (the state is tab-separated, one row a line).
BOOST_AUTO_TEST_CASE(headlines_with_tabs_and_line_breaks_round_trip) {
  TempDir dir;
  BuildState state;
  StateRow row{"in/a.txt", 12, 345, "aa", "bb", {{"monitor", "The Monitor", 1, 2, "", "T"}, "monitor/v01/i002", 1, "", "", ""}};
  const std::vector<std::string> headlines = {"ONE\tTWO", "LINE\nBREAK \"Q\" \\", "", "ВЫБОРЫ"};
  row.edition.headlines = headlines;
  state.Put(row);
  state.Put({"in/b.txt", 1, 2, "cc", "dd", {{"prism", "Prism", 2, 3, "", "P"}, "prism/v02/i003", 1, "", "", ""}});
  state.Save(dir.path());
  const BuildState back = BuildState::Load(dir.path());
  BOOST_REQUIRE_EQUAL(back.size(), 2u);
  BOOST_TEST(back.Find("in/a.txt")->edition.headlines == headlines, boost::test_tools::per_element());
  BOOST_TEST(back.Find("in/b.txt")->edition.headlines.empty());
}

}  // namespace
}  // namespace imprint
