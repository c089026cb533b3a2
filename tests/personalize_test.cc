// Personalised copies: the licensee named in the footer and the metadata of
// every format, the same bytes every time, the EPUB still valid under
// EPUBCheck and the HTML under the Nu HTML Checker, prose untouched.
#define BOOST_TEST_MODULE personalize
#include "pipeline/personalize.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/document.h"
#include "pipeline/epub_writer.h"
#include "pipeline/error.h"
#include "pipeline/html_writer.h"
#include "pipeline/markdown_writer.h"
#include "pipeline/zip_writer.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

const std::string kId = "0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

Licensee Ada() {
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  return MakeLicensee(policy.tiers.at("individual"), kId, "Ada <Lovelace> & \"Co\"");
}

const std::string kWording = "Licensed to Ada <Lovelace> & \"Co\", license " + kId + ", for personal use.";

BOOST_AUTO_TEST_CASE(wording_comes_from_the_tier_in_rights) {
  BOOST_TEST(Ada().wording == kWording);
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  BOOST_TEST(MakeLicensee(policy.tiers.at("syndication"), kId, "Press").wording.find("footer intact") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(html_names_the_licensee_in_footer_and_head_and_keeps_the_prose) {
  const std::string input = SourceDir() + "/samples/archive/monitor-v03-i145.txt";
  const std::string base = WriteHtml(ReadEdition(input), BundledTemplates());
  const std::string copy = Personalize("html", base, Ada());
  BOOST_TEST(HtmlTexts(copy, "//footer/p[@class='licensee']") == std::vector<std::string>{kWording},
             boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(copy, "//meta[@name='dcterms.accessRights']/@content") == std::vector<std::string>{kWording},
             boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(copy, "//main//p") == LoadExpected("monitor-v03-i145").paragraphs,
             boost::test_tools::per_element());
  BOOST_TEST(copy == Personalize("html", base, Ada()));
  BOOST_TEST(FindLicenseId("html", copy) == kId);
  BOOST_TEST(FindLicenseId("html", base) == "");
}

BOOST_AUTO_TEST_CASE(markdown_names_the_licensee_in_front_matter_and_last_paragraph) {
  const std::string base = WriteMarkdown(ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt"), BundledTemplates());
  const std::string copy = Personalize("md", base, Ada());
  BOOST_TEST(copy.find("\nlicensee: \"Ada <Lovelace> & \\\"Co\\\"\"\n") != std::string::npos, copy.substr(0, 800));
  BOOST_TEST(copy.find("\nlicense_id: \"" + kId + "\"\n") != std::string::npos);
  const auto paragraphs = HtmlTexts(RenderGfm(StripFrontMatter(copy)), "//body/p");
  BOOST_TEST(paragraphs.back() == kWording);
  BOOST_TEST(FindLicenseId("md", copy) == kId);
}

BOOST_AUTO_TEST_CASE(epub_keeps_unchanged_entries_and_validates) {
  TempDir dir;
  const std::string base = WriteEpub(ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt"), BundledTemplates());
  const std::string copy = Personalize("epub", base, Ada());
  BOOST_TEST(copy == Personalize("epub", base, Ada()));
  const auto before = ReadZip(base), after = ReadZip(copy);
  BOOST_REQUIRE_EQUAL(before.size(), after.size());
  int recompressed = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    BOOST_TEST(before[i].name == after[i].name);
    recompressed += before[i].compressed != after[i].compressed;
  }
  BOOST_TEST(recompressed == 3);  // the page, the rights page, the package document
  const auto entries = Unzip(copy);
  BOOST_TEST(XmlTexts(entries.at("OEBPS/issue.xhtml"), "//h:footer/h:p[@class='licensee']") ==
                 std::vector<std::string>{kWording}, boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(entries.at("OEBPS/rights.xhtml"), "//h:p[@class='licensee']") ==
                 std::vector<std::string>{kWording}, boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(entries.at("OEBPS/package.opf"), "//*[@property='dcterms:accessRights']") ==
                 std::vector<std::string>{kWording}, boost::test_tools::per_element());
  BOOST_TEST(FindLicenseId("epub", copy) == kId);

  // The referees: EPUBCheck for the book, vnu for the page.
  WriteAll(dir / "copy.epub", copy);
  const ProcessResult check = EpubCheck({dir / "copy.epub"});
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  WriteAll(dir / "copy.html",
           Personalize("html", WriteHtml(ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt"), BundledTemplates()), Ada()));
  const ProcessResult vnu = Run("/usr/bin/java", {"-jar", std::getenv("VNU_JAR"), "--errors-only", dir / "copy.html"});
  BOOST_TEST(vnu.exit_code == 0, vnu.err);
}

BOOST_AUTO_TEST_CASE(artifacts_without_a_place_are_errors) {
  BOOST_CHECK_THROW(Personalize("html", "<p>no markers</p>", Ada()), Error);
  BOOST_CHECK_THROW(Personalize("md", "no front matter", Ada()), Error);
  BOOST_CHECK_THROW(Personalize("epub", "not a zip", Ada()), Error);
  BOOST_CHECK_THROW(Personalize("pdf", "", Ada()), Error);
}

}  // namespace
}  // namespace imprint
