// Editions over time, the build's side (docs/editions.md "Revisions",
// "Guarded publishing", "No silent rollback"): the real program over a real
// raw issue, corrected on disk as an editor would.
#define BOOST_TEST_MODULE revisions
#include "pipeline/edition/revisions.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/rfc3339.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

const std::string kEdition = "monitor/v05/i077";
const std::string kTypo = "An Russian advisory mission";
const std::string kFixed = "A Russian advisory mission";

std::string Original() { return ReadAll(SourceDir() + "/samples/archive/monitor-v05-i077.txt"); }

// The original with `line` added below its first (header) line.
std::string WithHeaderLine(std::string text, const std::string& line) {
  text.insert(text.find('\n') + 1, line + "\n");
  return text;
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Revision 2 of the sample: the typo fixed, recorded against `supersedes`.
std::string Corrected(const std::string& supersedes) {
  return WithHeaderLine(Replaced(Original(), kTypo, kFixed),
                        "Correction: 2026-11-29 " + supersedes + " \"An Russian\" now reads \"A Russian\".");
}

// Every file below `dir` with its bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const std::string& f : FilesBelow(dir)) files[f] = ReadAll(dir + "/" + f);
  return files;
}

struct Archive {
  TempDir tmp;
  std::string input = tmp / "monitor-v05-i077.txt";
  std::string out = tmp / "out";
  std::string folder = out + "/" + kEdition;

  ProcessResult Build(const std::string& text, std::vector<std::string> extra = {}) {
    WriteAll(input, text);
    std::vector<std::string> args = {"build", "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(input);
    return RunImprint(args);
  }
  std::string ManifestSha() { return Sha256Hex(ReadAll(folder + "/manifest.json")); }
  ProcessResult Verify(const std::string& path) {
    return RunImprint({"verify", "--pubkey", out + "/keys/keyring.json", path});
  }
};

// Revision 1 built, then revision 2; returns revision 1's manifest digest.
std::string BuildTwoRevisions(Archive* a, std::map<std::string, std::string>* r1 = nullptr) {
  const ProcessResult first = a->Build(Original());
  BOOST_REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  const std::string r1_sha = a->ManifestSha();
  if (r1 != nullptr) *r1 = Snapshot(a->folder);
  const ProcessResult second = a->Build(Corrected(r1_sha));
  BOOST_REQUIRE_MESSAGE(second.exit_code == 0, second.err);
  return r1_sha;
}

BOOST_AUTO_TEST_CASE(a_correction_builds_revision_2_and_keeps_revision_1_signed) {
  Archive a;
  std::map<std::string, std::string> r1;
  BuildTwoRevisions(&a, &r1);
  BOOST_TEST(ReadAll(a.folder + "/manifest.json").find("\"revision\":2") != std::string::npos);
  std::map<std::string, std::string> kept;
  for (const auto& [name, bytes] : Snapshot(a.folder + "/revisions/r1")) kept[name] = bytes;
  BOOST_TEST(kept == r1);  // revision 1's files, byte for byte
  const ProcessResult v = a.Verify(a.folder);
  BOOST_TEST(v.exit_code == 0, v.out);
  BOOST_TEST(v.out.find("revisions/r1/monitor-v05-i077.md (signed") != std::string::npos, v.out);
  const ProcessResult m = Run("/usr/bin/minisign", {"-V", "-p", a.out + "/keys/imprint.pub", "-m",
                                                    a.folder + "/revisions/r1/monitor-v05-i077.md"});
  BOOST_TEST(m.exit_code == 0, m.out << m.err);
  // Re-rendered (same text, same revision): the revision and the kept one stay.
  const ProcessResult again = a.Build(ReadAll(a.input), {"--force"});
  BOOST_TEST(again.exit_code == 0, again.err);
  BOOST_TEST(Snapshot(a.folder + "/revisions/r1") == r1);
  BOOST_TEST(a.Verify(a.folder).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(changed_text_without_a_correction_fails_with_the_line_to_add) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Build(Original()).exit_code, 0);
  const auto before = Snapshot(a.out);
  const std::string sha = a.ManifestSha();
  const ProcessResult r = a.Build(Replaced(Original(), kTypo, kFixed));
  BOOST_TEST(r.exit_code == 1);
  const std::string line = "Correction: " + FormatDate(Now()) + " " + sha + " WHAT WAS CORRECTED";
  BOOST_TEST(r.err.find(line) != std::string::npos, r.err);
  BOOST_TEST(r.err.find("the text differs from monitor/v05/i077 revision 1 as published") != std::string::npos,
             r.err);
  auto after = Snapshot(a.out);
  after.erase(".imprint/state.tsv");  // a failed input keeps its row; the file is not rewritten anyway
  auto want = before;
  want.erase(".imprint/state.tsv");
  BOOST_TEST((after == want));
  // --force obeys the same rule.
  BOOST_TEST(a.Build(Replaced(Original(), kTypo, kFixed), {"--force"}).exit_code == 1);
  BOOST_TEST(Snapshot(a.folder) == Snapshot(a.folder));
}

BOOST_AUTO_TEST_CASE(an_older_input_never_reverts_a_correction) {
  Archive a;
  BuildTwoRevisions(&a);
  const auto before = Snapshot(a.folder);
  for (const std::vector<std::string>& extra : {std::vector<std::string>{}, {"--force"}}) {
    const ProcessResult r = a.Build(Original(), extra);
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("a rebuild never reverts a correction") != std::string::npos, r.err);
    BOOST_TEST((Snapshot(a.folder) == before));
  }
}

BOOST_AUTO_TEST_CASE(a_correction_superseding_another_manifest_fails_naming_both) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Build(Original()).exit_code, 0);
  const auto before = Snapshot(a.folder);
  const std::string wrong(64, 'a');
  const ProcessResult r = a.Build(Corrected(wrong));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find(wrong) != std::string::npos, r.err);
  BOOST_TEST(r.err.find(a.ManifestSha()) != std::string::npos, r.err);
  BOOST_TEST((Snapshot(a.folder) == before));
}

// Regression: a published correction's note, date or digest edited in the
// input was rebuilt silently (same text, same revision: "re-rendered"), so
// the signed record of what was corrected changed without a trace.
BOOST_AUTO_TEST_CASE(a_published_correction_is_never_rewritten) {
  Archive a;
  const std::string r1_sha = BuildTwoRevisions(&a);
  const std::string r2_sha = a.ManifestSha();
  const std::string r2 = ReadAll(a.input);
  const std::string note = "\"An Russian\" now reads \"A Russian\".";
  const std::string second = "Correction: 2026-11-30 " + r2_sha + " Second fix.\n";
  const auto before = Snapshot(a.folder);
  for (const std::string& edited :
       {Replaced(r2, note, "Nothing was ever wrong here."), Replaced(r2, "2026-11-29", "2026-11-30"),
        Replaced(r2, r1_sha, std::string(64, 'b')),
        // revision 3, superseding revision 2 rightly, with correction 1's note changed
        Replaced(r2, note + "\n", "Nothing was ever wrong here.\n" + second)}) {
    for (const std::vector<std::string>& extra : {std::vector<std::string>{}, {"--force"}}) {
      const ProcessResult r = a.Build(edited, extra);
      BOOST_TEST(r.exit_code == 1, r.out);
      BOOST_TEST(r.err.find("a published correction is never rewritten") != std::string::npos, r.err);
      BOOST_TEST((Snapshot(a.folder) == before));
    }
  }
  // Revision 3 that keeps correction 1 as published is built.
  const ProcessResult r3 = a.Build(Replaced(r2, note + "\n", note + "\n" + second));
  BOOST_TEST(r3.exit_code == 0, r3.err);
  BOOST_TEST(ReadAll(a.folder + "/manifest.json").find("\"revision\":3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_fresh_rebuild_reproduces_the_current_revision_byte_for_byte) {
  Archive a;
  BuildTwoRevisions(&a);
  Archive fresh;  // an empty output folder, the corrected input, the same key
  BOOST_REQUIRE_EQUAL(fresh.Build(ReadAll(a.input)).exit_code, 0);
  auto current = Snapshot(a.folder);
  for (auto it = current.begin(); it != current.end();) {
    it = it->first.rfind("revisions/", 0) == 0 ? current.erase(it) : std::next(it);
  }
  BOOST_TEST(current.size() == 8u);
  BOOST_TEST((Snapshot(fresh.folder) == current));
  BOOST_TEST(fresh.Verify(fresh.folder).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(a_folder_rolled_back_to_revision_1_is_damaged_and_rebuilt) {
  Archive a;
  const ProcessResult first = a.Build(Original());
  BOOST_REQUIRE_EQUAL(first.exit_code, 0);
  CopyTree(a.folder, a.tmp / "r1-copy");
  BOOST_REQUIRE_EQUAL(a.Build(Corrected(a.ManifestSha())).exit_code, 0);
  const std::string r2_sha = a.ManifestSha();
  RemoveAll(a.folder);
  CopyTree(a.tmp / "r1-copy", a.folder);  // an older signed build put back
  BOOST_REQUIRE(a.Verify(a.folder).exit_code == 0);  // it verifies alone, as it was signed
  const ProcessResult r = RunImprint({"build", "--out", a.out, a.input});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("1 built, 0 unchanged") != std::string::npos, r.out);
  BOOST_TEST(a.ManifestSha() == r2_sha);
  BOOST_TEST(a.Verify(a.folder).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(another_editions_files_in_the_folder_are_damage_and_rebuilt) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Build(Original()).exit_code, 0);
  const std::string sha = a.ManifestSha();
  // An unsigned manifest put in place: the state's digest no longer matches.
  WriteAll(a.folder + "/manifest.json", ReadAll(a.folder + "/manifest.json") + " ");
  const ProcessResult r = RunImprint({"build", "--out", a.out, a.input});
  BOOST_TEST(r.out.find("1 built, 0 unchanged") != std::string::npos, r.out);
  BOOST_TEST(a.ManifestSha() == sha);
}

BOOST_AUTO_TEST_CASE(without_a_state_the_signed_catalog_names_what_is_current) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Build(Original()).exit_code, 0);
  CopyTree(a.folder, a.tmp / "r1-copy");
  BOOST_REQUIRE_EQUAL(a.Build(Corrected(a.ManifestSha())).exit_code, 0);
  const std::string r2_sha = a.ManifestSha();
  RemoveAll(a.out + "/.imprint");  // the state lost: catalog.json still names revision 2
  RemoveAll(a.folder);
  CopyTree(a.tmp / "r1-copy", a.folder);
  const ProcessResult r = RunImprint({"build", "--out", a.out, a.input});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.err.find("the folder of monitor/v05/i077 was damaged") != std::string::npos, r.err);
  BOOST_TEST(a.ManifestSha() == r2_sha);
  BOOST_TEST(FileKind(a.folder + "/revisions") == '-');  // nothing of the damaged folder kept
}

BOOST_AUTO_TEST_CASE(a_kept_revision_never_takes_a_link_planted_in_the_folder) {
  Archive a;
  BuildTwoRevisions(&a);
  WriteAll(a.tmp / "secret", "not for publishing");
  RemoveAll(a.folder + "/revisions/r1/monitor-v05-i077.md");
  BOOST_REQUIRE(std::filesystem::is_regular_file(a.tmp / "secret"));
  std::filesystem::create_symlink(a.tmp / "secret", a.folder + "/revisions/r1/monitor-v05-i077.md");
  const ProcessResult r = a.Build(ReadAll(a.input), {"--force"});
  BOOST_TEST(r.exit_code == 0, r.err);
  for (const auto& [name, bytes] : Snapshot(a.folder)) BOOST_TEST(bytes != "not for publishing", name);
  BOOST_TEST(a.Verify(a.folder).exit_code == 1);  // the kept revision lacks its Markdown: verify says so
}

BOOST_AUTO_TEST_CASE(another_editions_signed_folder_is_damage_even_with_no_record) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Build(Original()).exit_code, 0);
  const std::string sha = a.ManifestSha();
  BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", a.tmp / "other", SourceDir() + "/samples/archive"}).exit_code, 0);
  RemoveAll(a.out + "/.imprint");  // neither state nor catalog names what is current
  RemoveAll(a.out + "/catalog.json");
  RemoveAll(a.folder);
  CopyTree(a.tmp / "other/monitor/v03/i145", a.folder);  // signed, but another edition's
  const ProcessResult r = RunImprint({"build", "--out", a.out, a.input});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.err.find("it holds monitor/v03/i145's manifest") != std::string::npos, r.err);
  BOOST_TEST(a.ManifestSha() == sha);
}

// ---- imprint verify of revisions/ ---------------------------------------------

BOOST_AUTO_TEST_CASE(verify_fails_a_kept_revision_that_breaks_the_chain) {
  Archive a;
  BuildTwoRevisions(&a);
  Archive other;  // a revision 1 of other text, signed by the same key
  BOOST_REQUIRE_EQUAL(other.Build(Replaced(Original(), kTypo, "The Russian advisory mission")).exit_code, 0);
  RemoveAll(a.folder + "/revisions/r1");
  CopyTree(other.folder, a.folder + "/revisions/r1");
  const ProcessResult v = a.Verify(a.folder);
  BOOST_TEST(v.exit_code == 1);
  BOOST_TEST(v.out.find("FAILED  " + a.folder + "/manifest.json: supersedes") != std::string::npos, v.out);
}

BOOST_AUTO_TEST_CASE(verify_fails_anything_else_in_revisions) {
  Archive a;
  BuildTwoRevisions(&a);
  BOOST_REQUIRE_EQUAL(a.Verify(a.folder).exit_code, 0);
  CopyTree(a.folder + "/revisions/r1", a.folder + "/revisions/r2");  // not below revision 2
  WriteAll(a.folder + "/revisions/notes.txt", "x");
  WriteAll(a.folder + "/revisions/r1/extra.md", "x");
  const ProcessResult v = a.Verify(a.folder);
  BOOST_TEST(v.exit_code == 1);
  for (const char* bad : {"/revisions/r2: not a revision folder", "/revisions/notes.txt: not a revision",
                                 "/revisions/r1/extra.md: not listed in the manifest"}) {
    BOOST_TEST(v.out.find(a.folder + bad) != std::string::npos, bad << "\n" << v.out);
  }
}

BOOST_AUTO_TEST_CASE(revision_folder_names_are_r_and_a_number) {
  BOOST_TEST(RevisionOfFolderName("r1") == 1);
  BOOST_TEST(RevisionOfFolderName("r12") == 12);
  for (const char* bad : {"r0", "r01", "r", "R1", "r1a", "1", "r-1", "r1234567"}) {
    BOOST_TEST(RevisionOfFolderName(bad) == 0, bad);
  }
  BOOST_TEST(RevisionFolder(3) == "revisions/r3");
}

// ---- guarded publishing (the issue's scenario) ------------------------------

// --replace lifts the guard of another file, never the revision rules: other
// text is a correction, on the record, from whichever file it comes.
BOOST_AUTO_TEST_CASE(publish_over_an_edition_from_another_file_with_other_text_needs_replace) {
  Archive a;
  const std::string first = a.tmp / "a.txt", second = a.tmp / "b.txt";
  WriteAll(first, Original());
  WriteAll(second, Replaced(Original(), kTypo, kFixed));  // other text, naming the same edition
  BOOST_REQUIRE_EQUAL(RunImprint({"publish", "--out", a.out, first}).exit_code, 0);
  const auto published = Snapshot(a.folder);
  const ProcessResult refused = RunImprint({"publish", "--out", a.out, second});
  BOOST_TEST(refused.exit_code == 1);
  BOOST_TEST(refused.err.find("was built from " + first) != std::string::npos, refused.err);
  BOOST_TEST(refused.err.find("--replace") != std::string::npos, refused.err);
  BOOST_TEST((Snapshot(a.folder) == published));
  // Other text of the same revision, even with --replace: a correction is needed.
  const ProcessResult unrecorded = RunImprint({"publish", "--replace", "--out", a.out, second});
  BOOST_TEST(unrecorded.exit_code == 1, unrecorded.out);
  BOOST_TEST(unrecorded.err.find("a change to published text is a correction") != std::string::npos, unrecorded.err);
  BOOST_TEST((Snapshot(a.folder) == published));
  WriteAll(second, Corrected(a.ManifestSha()));
  const ProcessResult replaced = RunImprint({"publish", "--replace", "--out", a.out, second});
  BOOST_TEST(replaced.exit_code == 0, replaced.err);
  BOOST_TEST(replaced.out.find("replaced monitor/v05/i077 revision 1, built from " + first) != std::string::npos,
             replaced.out);
  BOOST_TEST(replaced.out.find("published monitor/v05/i077 revision 2") != std::string::npos, replaced.out);
  BOOST_TEST(ReadAll(a.folder + "/monitor-v05-i077.md").find(kFixed) != std::string::npos);
  // Republishing the first file never says "unchanged" over other text, and
  // never reverts the correction, --replace or not.
  for (const bool replace : {false, true}) {
    std::vector<std::string> args = {"publish", "--out", a.out, first};
    if (replace) args.insert(args.begin() + 1, "--replace");
    const ProcessResult again = RunImprint(args);
    BOOST_TEST(again.exit_code == 1);
    BOOST_TEST(again.out.find("unchanged") == std::string::npos, again.out);
    BOOST_TEST((again.err.find("was built from " + second) != std::string::npos ||
                again.err.find("never reverts a correction") != std::string::npos),
               again.err);
  }
  BOOST_TEST(ReadAll(a.folder + "/monitor-v05-i077.md").find(kFixed) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(publish_of_the_same_text_from_another_file_needs_no_replace) {
  Archive a;
  WriteAll(a.tmp / "a.txt", Original());
  WriteAll(a.tmp / "moved.txt", Original());
  BOOST_REQUIRE_EQUAL(RunImprint({"publish", "--out", a.out, a.tmp / "a.txt"}).exit_code, 0);
  const ProcessResult r = RunImprint({"publish", "--out", a.out, a.tmp / "moved.txt"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("replaced") == std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(a_file_named_for_another_issue_is_refused_by_publish) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Build(Original()).exit_code, 0);
  const auto before = Snapshot(a.folder);
  WriteAll(a.tmp / "monitor-v05-i079.txt", Replaced(Original(), kTypo, kFixed));  // header still says 77
  const ProcessResult r = RunImprint({"publish", "--replace", "--out", a.out, a.tmp / "monitor-v05-i079.txt"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("the file name says monitor/v05/i079, the header monitor/v05/i077") != std::string::npos,
             r.err);
  BOOST_TEST((Snapshot(a.folder) == before));
}

}  // namespace
}  // namespace imprint
