// `imprint withdraw` (docs/editions.md, "Withdrawal") with the real program:
// the record, the folder removed, the signed catalog listing the edition as
// withdrawn; later builds, publish and `imprint catalog` skipping it and
// removing a folder that came back; its refusals; and the reason reaching
// nothing public.
#define BOOST_TEST_MODULE cli_withdraw
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <thread>

#include "pipeline/base/clock.h"
#include "pipeline/base/rfc3339.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

constexpr char kEdition[] = "monitor/v05/i077";
constexpr char kReason[] = "Secret-Reason-7f3a: legal hold, counsel's ticket 4411";
constexpr char kNotice[] = "Withdrawn at the author's request.";

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The sample archive built into DIR/out with a copy of rights/.
struct Archive {
  Archive() {
    CopyTree(SourceDir() + "/rights", dir / "rights");
    BOOST_REQUIRE_EQUAL(Imprint({"build", "--out", out(), SourceDir() + "/samples/archive"}).exit_code, 0);
  }
  std::string out() const { return dir / "out"; }
  ProcessResult Imprint(std::vector<std::string> args) {
    args.insert(args.end(), {"--rights", dir / "rights"});
    ProcessResult r = RunImprint(args);
    said += r.out + r.err;
    return r;
  }
  ProcessResult Withdraw(const std::string& edition = kEdition) {
    return Imprint({"withdraw", edition, "--notice", kNotice, "--reason", kReason, "--out", out()});
  }
  // The catalog.json entry of `edition`.
  Poco::JSON::Object::Ptr Entry(const std::string& edition) const {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(ReadAll(out() + "/catalog.json")).extract<Poco::JSON::Object::Ptr>();
    const auto list = root->getArray("editions");
    for (unsigned i = 0; i < list->size(); ++i) {
      if (list->getObject(i)->getValue<std::string>("edition") == edition) return list->getObject(i);
    }
    return nullptr;
  }
  TempDir dir;
  std::string said;  // everything the program printed
};

BOOST_AUTO_TEST_CASE(withdraw_records_removes_and_lists_the_edition_as_withdrawn) {
  Archive a;
  BOOST_REQUIRE(fs::exists(a.out() + "/" + kEdition + "/manifest.json"));
  const ProcessResult r = a.Withdraw();
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(Contains(r.out, "withdrew monitor/v05/i077"), r.out);
  const std::string today = FormatDate(Now());
  const std::string record = ReadAll(a.dir / "rights/withdrawals.xml");
  BOOST_TEST(Contains(record, "edition=\"monitor/v05/i077\" date=\"" + today + "\""), record);
  BOOST_TEST(Contains(record, "title=\"The Monitor"), record);
  BOOST_TEST(Contains(record, "<notice>Withdrawn at the author&apos;s request.</notice>"), record);
  BOOST_TEST(!fs::exists(a.out() + "/" + kEdition));
  const auto entry = a.Entry(kEdition);
  BOOST_REQUIRE(entry);
  BOOST_TEST(entry->getObject("withdrawn")->getValue<std::string>("date") == today);
  BOOST_TEST(entry->getObject("withdrawn")->getValue<std::string>("notice") == kNotice);
  BOOST_TEST(!entry->has("files"));
  BOOST_TEST(a.Entry("prism/v04/i012")->has("files"));
  BOOST_TEST(Contains(ReadAll(a.out() + "/index.html"), "Withdrawn on"));
  // The catalog is signed like every catalog.
  BOOST_TEST(RunImprint({"verify", "--pubkey", a.out() + "/keys/imprint.pub", a.out() + "/catalog.json",
                         a.out() + "/index.html"}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(later_builds_skip_the_input_and_remove_a_folder_that_came_back) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Withdraw().exit_code, 0);
  const std::string catalog = ReadAll(a.out() + "/catalog.json");
  ProcessResult r = a.Imprint({"build", "--out", a.out(), "--report", a.dir / "report.json", SourceDir() + "/samples/archive"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Contains(ReadAll(a.dir / "report.json"), "\"status\": \"withdrawn\""), ReadAll(a.dir / "report.json"));
  BOOST_TEST(Contains(r.out, "1 withdrawn"), r.out);
  // Nothing rebuilt: withdrawals are not part of the rights fingerprint.
  BOOST_TEST(Contains(ReadAll(a.dir / "report.json"), "\"built\": 0,"));
  BOOST_TEST(!fs::exists(a.out() + "/" + kEdition));
  BOOST_TEST(ReadAll(a.out() + "/catalog.json") == catalog);
  // The folder comes back (a restored backup): every command removes it.
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"build", "--out", a.out(), SourceDir() + "/samples/archive"},
        std::vector<std::string>{"build", "--force", "--out", a.out(), SourceDir() + "/samples/archive"},
        std::vector<std::string>{"publish", "--out", a.out(), SourceDir() + "/samples/archive/monitor-v05-i077.txt"},
        std::vector<std::string>{"catalog", "--out", a.out()}}) {
    TempDir other;
    BOOST_REQUIRE_EQUAL(RunImprint({"build", "--out", other / "out", SourceDir() + "/samples/archive"}).exit_code, 0);
    CopyTree(other / (std::string("out/") + kEdition), a.out() + "/" + kEdition);
    r = a.Imprint(command);
    BOOST_TEST(r.exit_code == 0, command[0] + ": " + r.err);
    BOOST_TEST(!fs::exists(a.out() + "/" + kEdition), command[0]);
    BOOST_TEST(a.Entry(kEdition)->has("withdrawn"), command[0]);
    BOOST_TEST(!a.Entry(kEdition)->has("files"), command[0]);
  }
  BOOST_TEST(Contains(a.Imprint({"publish", "--out", a.out(), SourceDir() + "/samples/archive/monitor-v05-i077.txt"}).out,
                      "not published: monitor/v05/i077 was withdrawn"));
}

BOOST_AUTO_TEST_CASE(withdraw_refuses_bad_arguments_and_a_second_withdrawal) {
  Archive a;
  const auto with = [&](const std::string& edition, const std::string& notice, const std::string& reason) {
    return a.Imprint({"withdraw", edition, "--notice", notice, "--reason", reason, "--out", a.out()});
  };
  BOOST_TEST(with("monitor/v05", kNotice, kReason).exit_code == 2);
  BOOST_TEST(with("../etc/v05/i077", kNotice, kReason).exit_code == 2);
  BOOST_TEST(with(kEdition, "", kReason).exit_code == 2);
  BOOST_TEST(with(kEdition, kNotice, "two\nlines").exit_code == 2);
  BOOST_TEST(with(kEdition, std::string(1001, 'n'), kReason).exit_code == 2);
  BOOST_TEST(a.Imprint({"withdraw", kEdition, "--notice", kNotice, "--out", a.out()}).exit_code == 2);
  BOOST_TEST(fs::exists(a.out() + "/" + kEdition + "/manifest.json"));  // nothing changed
  // A rights folder inside the output folder would publish the reason.
  CopyTree(a.dir / "rights", a.out() + "/rights");
  ProcessResult r = RunImprint({"withdraw", kEdition, "--notice", kNotice, "--reason", kReason, "--out", a.out(),
                                "--rights", a.out() + "/rights"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "inside the output folder"), r.err);
  fs::remove_all(a.out() + "/rights");

  BOOST_REQUIRE_EQUAL(a.Withdraw().exit_code, 0);
  const std::string record = ReadAll(a.dir / "rights/withdrawals.xml");
  r = with(kEdition, "Another notice", "another reason");
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "withdrawals.xml:4: error: monitor/v05/i077 was already withdrawn on"), r.err);
  BOOST_TEST(ReadAll(a.dir / "rights/withdrawals.xml") == record);
  // An edition never built may be withdrawn (its input may arrive later).
  BOOST_TEST(a.Withdraw("prism/v09/i001").exit_code == 0);
  BOOST_TEST(a.Entry("prism/v09/i001")->has("withdrawn"));
}

// Two editors withdrawing at once: both withdrawals are recorded (each
// command reads, adds to and writes the one file).
BOOST_AUTO_TEST_CASE(simultaneous_withdrawals_are_both_recorded) {
  Archive a;
  const std::vector<std::string> editions = {"monitor/v01/i003", "monitor/v03/i145", "prism/v04/i012", kEdition};
  std::vector<std::thread> editors;
  std::vector<int> codes(editions.size(), -1);
  for (size_t i = 0; i < editions.size(); ++i) {
    editors.emplace_back([&, i] {
      codes[i] = RunImprint({"withdraw", editions[i], "--notice", kNotice, "--reason", kReason, "--out", a.out(),
                             "--rights", a.dir / "rights"}).exit_code;
    });
  }
  for (std::thread& t : editors) t.join();
  const std::string record = ReadAll(a.dir / "rights/withdrawals.xml");
  for (size_t i = 0; i < editions.size(); ++i) {
    BOOST_TEST(codes[i] == 0, editions[i]);
    BOOST_TEST(Contains(record, "edition=\"" + editions[i] + "\""), editions[i]);
    BOOST_TEST(a.Entry(editions[i])->has("withdrawn"), editions[i]);
  }
}

BOOST_AUTO_TEST_CASE(the_title_comes_from_the_state_when_the_folder_is_gone) {
  Archive a;
  fs::remove_all(a.out() + "/" + kEdition);
  BOOST_REQUIRE_EQUAL(a.Withdraw().exit_code, 0);
  BOOST_TEST(Contains(ReadAll(a.dir / "rights/withdrawals.xml"), "title=\"The Monitor"));
}

// With no output folder yet (the record is written first, so a catalog that
// could not be written would leave a withdrawal no catalog lists).
BOOST_AUTO_TEST_CASE(withdraw_before_the_first_build_makes_the_catalog) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  const ProcessResult r = RunImprint({"withdraw", kEdition, "--notice", kNotice, "--reason", kReason, "--out",
                                      dir / "new/out", "--rights", dir / "rights"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Contains(ReadAll(dir / "new/out/catalog.json"), "\"withdrawn\""));
  BOOST_TEST(RunImprint({"build", "--out", dir / "new/out", "--rights", dir / "rights",
                         SourceDir() + "/samples/archive"}).exit_code == 0);
  BOOST_TEST(!fs::exists(dir / (std::string("new/out/") + kEdition)));
}

// Seen while building search (issue 16): withdrawing another edition wrote a
// catalog that listed an edition still under embargo, before its time.
BOOST_AUTO_TEST_CASE(withdrawing_another_edition_does_not_list_one_under_embargo) {
  Archive a;
  std::string text = ReadAll(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  text.replace(0, text.find('\n'), "Publication: Monitor Volume: 9 Issue: 1\nEmbargo: 2099-01-01T00:00:00Z");
  WriteAll(a.dir / "in/monitor-v09-i001.txt", text);
  BOOST_REQUIRE_EQUAL(a.Imprint({"build", "--out", a.out(), a.dir / "in"}).exit_code, 0);
  BOOST_REQUIRE(a.Entry("monitor/v09/i001") == nullptr);
  BOOST_REQUIRE_EQUAL(a.Withdraw().exit_code, 0);
  BOOST_TEST(a.Entry("monitor/v09/i001") == nullptr);
  BOOST_TEST(!Contains(ReadAll(a.out() + "/index.html"), "v09/i001"));
  BOOST_TEST(a.Entry(kEdition)->has("withdrawn"));
}

BOOST_AUTO_TEST_CASE(the_reason_reaches_no_output_file_and_no_printed_line) {
  Archive a;
  BOOST_REQUIRE_EQUAL(a.Withdraw().exit_code, 0);
  a.Imprint({"build", "--out", a.out(), SourceDir() + "/samples/archive"});
  a.Imprint({"catalog", "--out", a.out()});
  a.Imprint({"publish", "--out", a.out(), SourceDir() + "/samples/archive/monitor-v05-i077.txt"});
  BOOST_TEST(Contains(ReadAll(a.dir / "rights/withdrawals.xml"), "Secret-Reason-7f3a"));
  for (const std::string& f : FilesBelow(a.out())) {
    BOOST_TEST(!Contains(ReadAll(a.out() + "/" + f), "Secret-Reason-7f3a"), f);
  }
  BOOST_TEST(!Contains(a.said, "Secret-Reason-7f3a"));
  BOOST_TEST(Contains(a.said, kNotice));
}

}  // namespace
}  // namespace imprint
