// rights/withdrawals.xml: loaded and validated (RELAX NG, with jing as the
// referee), written deterministically and escaped, refused with file and
// line when broken, and kept out of the rights fingerprint.
#define BOOST_TEST_MODULE withdrawals
#include "pipeline/edition/withdrawals.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "pipeline/base/error.h"
#include "pipeline/edition/rights_policy.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

// A copy of the project's rights/ to change.
struct Rights {
  Rights() {
    std::filesystem::create_directories(dir / "rights");
    for (const char* f : {"policy.xml", "policy.rng", "withdrawals.rng", "withdrawals.xml"}) {
      WriteAll(dir / (std::string("rights/") + f), ReadAll(SourceDir() + "/rights/" + f));
    }
  }
  std::string path() const { return dir / "rights"; }
  TempDir dir;
};

Withdrawal Sample(const std::string& edition = "monitor/v05/i077") {
  return {edition, "2026-11-29", "The Monitor, Volume 5, Issue 77", "Withdrawn at the author's request.",
          "Legal hold <ticket 4411> & \"counsel\"", 0};
}

// The error LoadWithdrawals gives for `xml` as the file's content.
Diagnostic Refusal(const Rights& rights, const std::string& xml) {
  WriteAll(rights.path() + "/withdrawals.xml", xml);
  try {
    LoadWithdrawals(rights.path());
  } catch (const Error& e) {
    return e.diagnostic();
  }
  BOOST_FAIL("accepted: " << xml);
  return {};
}

const char* kHead = "<?xml version=\"1.0\"?>\n<withdrawals xmlns=\"urn:jamestown:imprint:withdrawals:1\">\n";

BOOST_AUTO_TEST_CASE(a_missing_file_is_none_withdrawn_and_the_shipped_one_is_empty) {
  Rights rights;
  try {
    BOOST_TEST(LoadWithdrawals(rights.path()).list.empty());
  } catch (const Error& e) {
    BOOST_FAIL(e.diagnostic().ToString());
  }
  std::filesystem::remove(rights.path() + "/withdrawals.xml");
  BOOST_TEST(LoadWithdrawals(rights.path()).list.empty());
}

BOOST_AUTO_TEST_CASE(written_files_load_back_escaped_sorted_and_byte_for_byte) {
  Rights rights;
  Withdrawals w;
  w.Add(Sample("prism/v04/i012"));
  w.Add(Sample());
  Withdrawal odd = Sample("monitor/v01/i003");
  odd.title = "Tom & Jerry's \"<b>\" issue";
  odd.notice = "</notice><reason>leak</reason>";
  w.Add(odd);
  SaveWithdrawals(rights.path(), w);
  const std::string bytes = ReadAll(rights.path() + "/withdrawals.xml");
  BOOST_TEST(bytes.find("<reason>leak") == std::string::npos);
  const Withdrawals back = LoadWithdrawals(rights.path());
  BOOST_REQUIRE_EQUAL(back.list.size(), 3u);
  BOOST_TEST(back.list[0].edition == "monitor/v01/i003");
  BOOST_TEST(back.list[0].title == odd.title);
  BOOST_TEST(back.list[0].notice == odd.notice);
  BOOST_TEST(back.list[1].reason == Sample().reason);
  BOOST_TEST(back.Find("prism/v04/i012") != nullptr);
  BOOST_TEST(back.Find("prism/v04/i013") == nullptr);
  BOOST_TEST(WithdrawalsXml(back) == bytes);  // deterministic: no clock, sorted
}

// The referee: jing (a RELAX NG validator independent of libxml2) accepts
// what imprint writes and what it ships, and refuses what imprint refuses.
BOOST_AUTO_TEST_CASE(jing_validates_the_written_and_the_shipped_file) {
  Rights rights;
  const std::string rng = rights.path() + "/withdrawals.rng";
  ProcessResult shipped = Run("/usr/bin/jing", {rng, SourceDir() + "/rights/withdrawals.xml"});
  BOOST_TEST(shipped.exit_code == 0, shipped.out + shipped.err);
  Withdrawals w;
  w.Add(Sample());
  Withdrawal odd = Sample("prism/v04/i012");
  odd.title = "";
  odd.notice = "Ünïcödé & <tags> \"quoted\"";
  w.Add(odd);
  SaveWithdrawals(rights.path(), w);
  ProcessResult written = Run("/usr/bin/jing", {rng, rights.path() + "/withdrawals.xml"});
  BOOST_TEST(written.exit_code == 0, written.out + written.err);
  WriteAll(rights.path() + "/broken.xml", std::string(kHead) + "<withdrawal edition=\"monitor/v05/i077\" date=\"2026-11-29\" title=\"\"><notice>n</notice></withdrawal>\n</withdrawals>\n");
  BOOST_TEST(Run("/usr/bin/jing", {rng, rights.path() + "/broken.xml"}).exit_code != 0);
}

// A withdrawal under embargo keeps its release time: written, validated by
// jing and loaded back; one that is no UTC time is refused with its line.
BOOST_AUTO_TEST_CASE(an_embargo_is_kept_with_the_withdrawal) {
  Rights rights;
  Withdrawals w;
  Withdrawal held = Sample("monitor/v05/i090");
  held.embargo = "2030-01-01T06:00:00Z";
  w.Add(held);
  w.Add(Sample());
  SaveWithdrawals(rights.path(), w);
  const ProcessResult jing = Run("/usr/bin/jing", {rights.path() + "/withdrawals.rng", rights.path() + "/withdrawals.xml"});
  BOOST_TEST(jing.exit_code == 0, jing.out + jing.err);
  const Withdrawals loaded = LoadWithdrawals(rights.path());
  BOOST_TEST(loaded.Find("monitor/v05/i090")->embargo == "2030-01-01T06:00:00Z");
  BOOST_TEST(loaded.Find("monitor/v05/i077")->embargo == "");
  for (const std::string bad : {"2030-02-30T06:00:00Z", "2030-01-01", "2030-01-01T06:00:00+01:00"}) {
    const Diagnostic d = Refusal(rights, std::string(kHead) + "<withdrawal edition=\"monitor/v05/i090\" date=\"2026-11-29\" "
                                 "title=\"\" embargo=\"" + bad + "\"><notice>n</notice><reason>r</reason></withdrawal>\n</withdrawals>\n");
    BOOST_TEST(d.line == 3, bad);
  }
}

BOOST_AUTO_TEST_CASE(a_hand_broken_file_is_refused_with_file_and_line) {
  Rights rights;
  const std::string file = rights.path() + "/withdrawals.xml";
  const std::string good = "  <withdrawal edition=\"monitor/v05/i077\" date=\"2026-11-29\" title=\"t\">\n"
                           "    <notice>n</notice>\n    <reason>r</reason>\n  </withdrawal>\n";
  // No reason: the schema's error, on the withdrawal's line.
  Diagnostic d = Refusal(rights, std::string(kHead) + good +
                                     "  <withdrawal edition=\"prism/v04/i012\" date=\"2026-11-29\" title=\"t\">\n"
                                     "    <notice>n</notice>\n  </withdrawal>\n</withdrawals>\n");
  BOOST_TEST(d.file == file);
  BOOST_TEST(d.line == 7);
  // Not well formed.
  d = Refusal(rights, std::string(kHead) + good + "  <withdrawal edition=\"x\"\n</withdrawals>\n");
  BOOST_TEST(d.file == file);
  BOOST_TEST(d.line >= 7);
  // What only the code can say: twice, a non-canonical edition, no such day.
  d = Refusal(rights, std::string(kHead) + good + good + "</withdrawals>\n");
  BOOST_TEST(d.line == 7);
  BOOST_TEST(d.message.find("twice (first on line 3)") != std::string::npos, d.message);
  std::string day = good;
  day.replace(day.find("2026-11-29"), 10, "2026-02-30");
  d = Refusal(rights, std::string(kHead) + day + "</withdrawals>\n");
  BOOST_TEST(d.line == 3);
  BOOST_TEST(d.message.find("2026-02-30") != std::string::npos, d.message);
  std::string ed = good;
  ed.replace(ed.find("v05"), 3, "v00");
  d = Refusal(rights, std::string(kHead) + ed + "</withdrawals>\n");
  BOOST_TEST(d.line == 3);
  std::string notice = good;
  notice.replace(notice.find("<notice>n"), 9, "<notice>\xE2\x80\xAE" "bidi");
  d = Refusal(rights, std::string(kHead) + notice + "</withdrawals>\n");
  BOOST_TEST(d.line == 4);
  BOOST_TEST(d.message.find("notice") != std::string::npos, d.message);
  // And the program says so, FILE:LINE: error:, with exit status 1.
  WriteAll(file, std::string(kHead) + good + good + "</withdrawals>\n");
  const ProcessResult r = RunImprint({"build", "--rights", rights.path(), "--out", rights.dir / "out",
                                      SourceDir() + "/samples/archive/monitor-v05-i077.txt"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(file + ":7: error:") != std::string::npos, r.err);
}

// Every withdrawal would otherwise rebuild and re-sign the whole archive.
BOOST_AUTO_TEST_CASE(withdrawals_leave_the_rights_fingerprint_alone) {
  Rights rights;
  const std::string before = LoadRightsPolicy(rights.path()).fingerprint;
  Withdrawals w;
  w.Add(Sample());
  SaveWithdrawals(rights.path(), w);
  BOOST_TEST(LoadRightsPolicy(rights.path()).fingerprint == before);
}

BOOST_AUTO_TEST_CASE(notices_and_reasons_are_one_bounded_line_of_text) {
  BOOST_TEST(WithdrawalTextProblem("Withdrawn at the author's request.").empty());
  BOOST_TEST(!WithdrawalTextProblem("").empty());
  BOOST_TEST(!WithdrawalTextProblem("   ").empty());
  BOOST_TEST(!WithdrawalTextProblem("two\nlines").empty());
  BOOST_TEST(!WithdrawalTextProblem("tab\there").empty());
  BOOST_TEST(!WithdrawalTextProblem("\xff").empty());
  BOOST_TEST(WithdrawalTextProblem(std::string(kMaxWithdrawalText, 'a')).empty());
  BOOST_TEST(!WithdrawalTextProblem(std::string(kMaxWithdrawalText + 1, 'a')).empty());
}

BOOST_AUTO_TEST_CASE(the_catalog_lists_withdrawn_editions_without_the_reason) {
  Rights rights;
  const RightsPolicy policy = LoadRightsPolicy(rights.path());
  Withdrawals w;
  w.Add(Sample());
  std::vector<CatalogEntry> entries = {
      {{"monitor", "The Monitor", 5, 77, "2005-03-01", "live title"}, "monitor/v05/i077", 1, "abc", "", ""},
      {{"prism", "Prism", 4, 12, "", "Prism"}, "prism/v04/i012", 1, "def", "", ""}};
  ApplyWithdrawals(w, policy, &entries);
  BOOST_REQUIRE_EQUAL(entries.size(), 2u);
  BOOST_TEST(entries[0].edition == "prism/v04/i012");
  BOOST_TEST(entries[1].edition == "monitor/v05/i077");
  BOOST_TEST(entries[1].withdrawn == "2026-11-29");
  BOOST_TEST(entries[1].notice == Sample().notice);
  BOOST_TEST(entries[1].publication_name == "The Monitor");
  BOOST_TEST(entries[1].title == Sample().title);
  BOOST_TEST(CatalogJson(entries).find("Legal hold") == std::string::npos);
}

}  // namespace
}  // namespace imprint
