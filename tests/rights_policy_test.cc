// The rights policy: the bundled one loads; broken copies fail with the file
// and the line of the mistake (schema violations, unknown tier references,
// duplicates, malformed XML).
#define BOOST_TEST_MODULE rights_policy
#include "pipeline/edition/rights_policy.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(bundled_policy_loads) {
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  BOOST_TEST(policy.holder == "The Jamestown Foundation");
  BOOST_TEST(policy.publications.size() == 2u);
  const PolicyPublication* monitor = policy.FindPublication("monitor");
  BOOST_REQUIRE(monitor != nullptr);
  BOOST_TEST(monitor->name == "The Monitor");
  BOOST_TEST(monitor->YearOfVolume(5) == 1999);
  BOOST_TEST(policy.FindPublication("gazette") == nullptr);
  for (const char* tier : {"individual", "institutional", "syndication"}) {
    BOOST_TEST(policy.tiers.count(tier) == 1u, tier);
  }
  const Tier& syndication = policy.tiers.at("syndication");
  bool distribute_with_attribution = false;
  for (const Rule& r : syndication.permissions) {
    if (r.action == "distribute") {
      BOOST_TEST(r.formats == (std::vector<std::string>{"md", "html"}), boost::test_tools::per_element());
      distribute_with_attribution = r.duties == std::vector<std::string>{"attribute"};
    }
  }
  BOOST_TEST(distribute_with_attribution);
}

// Loads a copy of the bundled policy with `from` replaced by `to`, and
// returns the error's line, checking the message names the problem.
int BrokenLine(const std::string& from, const std::string& to, const std::string& message_part) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  std::string xml = ReadAll(dir / "rights/policy.xml");
  const size_t at = xml.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  xml.replace(at, from.size(), to);
  WriteAll(dir / "rights/policy.xml", xml);
  try {
    LoadRightsPolicy(dir / "rights");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == dir / "rights/policy.xml");
    BOOST_TEST(e.diagnostic().message.find(message_part) != std::string::npos, e.diagnostic().message);
    return e.diagnostic().line;
  }
  BOOST_FAIL("no error after replacing " + from);
  return 0;
}

int LineOf(const std::string& needle) {
  const std::string xml = ReadAll(SourceDir() + "/rights/policy.xml");
  const size_t at = xml.find(needle);
  BOOST_REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(xml.begin(), xml.begin() + static_cast<long>(at), '\n'));
}

// Issue 19: what every EPUB declares of its accessibility, in <accessibility>;
// white space as the schema collapses it, sufficient modes comma-separated.
BOOST_AUTO_TEST_CASE(accessibility_declaration_loads_from_its_own_element) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  std::string xml = ReadAll(dir / "rights/policy.xml");
  const std::string from = "<access-mode-sufficient>textual</access-mode-sufficient>";
  xml.replace(xml.find(from), from.size(),
              "<access-mode-sufficient>textual</access-mode-sufficient>\n"
              "    <access-mode-sufficient> textual\n visual </access-mode-sufficient>");
  WriteAll(dir / "rights/policy.xml", xml);
  const Accessibility a = LoadRightsPolicy(dir / "rights").accessibility;
  BOOST_TEST(a.conforms_to == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA");
  BOOST_TEST(a.certified_by == "The Jamestown Foundation");
  BOOST_TEST(a.access_modes == std::vector<std::string>{"textual"}, boost::test_tools::per_element());
  BOOST_TEST(a.sufficient_modes == (std::vector<std::string>{"textual", "textual,visual"}),
             boost::test_tools::per_element());
  BOOST_TEST(a.features == (std::vector<std::string>{"structuralNavigation", "tableOfContents", "readingOrder"}),
             boost::test_tools::per_element());
  BOOST_TEST(a.hazards == std::vector<std::string>{"none"}, boost::test_tools::per_element());
  BOOST_TEST(a.summary.find("WCAG 2.2 Level AA") != std::string::npos);
  BOOST_TEST(a.summary.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(accessibility_term_outside_the_vocabulary_is_refused_on_its_line) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  std::string xml = ReadAll(dir / "rights/policy.xml");
  const size_t at = xml.find("<hazard>none</hazard>");
  xml.replace(at, 21, "<hazard>nothing</hazard>");
  WriteAll(dir / "rights/policy.xml", xml);
  const int line = static_cast<int>(std::count(xml.begin(), xml.begin() + at, '\n')) + 1;
  try {
    LoadRightsPolicy(dir / "rights");
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == dir / "rights/policy.xml");
    BOOST_TEST(e.diagnostic().line == line, e.diagnostic().message);
  }
}

BOOST_AUTO_TEST_CASE(schema_violation_names_the_line) {
  // A first year the schema's range excludes.
  BOOST_TEST(BrokenLine("first-year=\"1995\" first-volume=\"1\"\n               footer=\"footer-prism",
                        "first-year=\"95\" first-volume=\"1\"\n               footer=\"footer-prism",
                        "publication") == LineOf("<publication slug=\"prism\""));
  // An element the schema does not know.
  BOOST_TEST(BrokenLine("<notice>", "<colour/>\n  <notice>", "colour") == LineOf("<notice>"));
  // A format that does not exist.
  BOOST_TEST(BrokenLine("rightOperand=\"md html\"/>", "rightOperand=\"md pdf\"/>", "pdf") ==
             LineOf("rightOperand=\"md html\"/>"));
}

BOOST_AUTO_TEST_CASE(unknown_tier_in_a_reference_names_the_publication_line) {
  BOOST_TEST(BrokenLine("tiers=\"individual institutional syndication\"/>\n  <publication slug=\"prism\"",
                        "tiers=\"individual corporate\"/>\n  <publication slug=\"prism\"",
                        "publication 'monitor' offers unknown tier 'corporate'") ==
             LineOf("<publication slug=\"monitor\""));
}

BOOST_AUTO_TEST_CASE(duplicate_publication_names_the_second) {
  BOOST_TEST(BrokenLine("<publication slug=\"prism\"", "<publication slug=\"monitor\"",
                        "publication 'monitor' is defined twice (first on line " +
                            std::to_string(LineOf("<publication slug=\"monitor\"")) + ")") ==
             LineOf("<publication slug=\"prism\""));
}

BOOST_AUTO_TEST_CASE(duplicate_tier_names_the_second) {
  BOOST_TEST(BrokenLine("<tier id=\"syndication\"", "<tier id=\"individual\"",
                        "tier 'individual' is defined twice") == LineOf("<tier id=\"syndication\""));
}

BOOST_AUTO_TEST_CASE(malformed_xml_names_the_line) {
  BOOST_TEST(BrokenLine("</notice>", "</notcie>", "") == LineOf("</notice>"));
}

BOOST_AUTO_TEST_CASE(missing_policy_is_an_error_naming_it) {
  TempDir dir;
  BOOST_CHECK_THROW(LoadRightsPolicy(dir.path()), Error);
}

}  // namespace
}  // namespace imprint
