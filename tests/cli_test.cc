// The command line as a user meets it: help, exit statuses, usage errors,
// and `imprint rights check` on good and broken policies.
#define BOOST_TEST_MODULE cli
#include "pipeline/cli.h"

#include <boost/test/unit_test.hpp>

#include "tests/support.h"

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
                                             {"build", "--out"}}) {
    const ProcessResult r = RunImprint(args);
    BOOST_TEST(r.exit_code == 2, args[0]);
    BOOST_TEST(!r.err.empty());
  }
  BOOST_TEST(Contains(RunImprint({"build"}).err, "Usage: imprint build"));
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

}  // namespace
}  // namespace imprint
