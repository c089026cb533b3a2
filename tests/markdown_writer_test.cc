// The Markdown edition of every good test input, rendered back by the stock
// cmark-gfm program (the referee, with the table, strikethrough and autolink
// extensions): each paragraph to the letter, headlines as headings, the
// canonical footer last, the legacy footer nowhere; front matter complete.
#define BOOST_TEST_MODULE markdown_writer
#include "pipeline/edition/markdown_writer.h"

#include <boost/test/unit_test.hpp>
#include <map>
#include <sstream>

#include "pipeline/edition/document.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

std::string RenderWithCmarkGfm(const std::string& markdown) {
  const ProcessResult r = Run("/usr/bin/cmark-gfm",
                              {"--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink"},
                              markdown);
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  return r.out;
}

std::map<std::string, std::string> FrontMatter(const std::string& markdown) {
  std::map<std::string, std::string> fields;
  BOOST_REQUIRE(markdown.rfind("---\n", 0) == 0);
  std::istringstream in(markdown.substr(4));
  for (std::string line; std::getline(in, line) && line != "---";) {
    const size_t colon = line.find(": ");
    BOOST_REQUIRE(colon != std::string::npos);
    fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

BOOST_AUTO_TEST_CASE(every_paragraph_renders_back_to_the_letter) {
  for (const std::string& input : GoodInputs()) {
    BOOST_TEST_CONTEXT(input) {
      const Document doc = ReadEdition(input);
      const ExpectedIssue want = LoadExpected(Stem(input));
      const std::string markdown = WriteMarkdown(doc, TemplateSet::Load(SourceDir() + "/templates"));
      const std::string html = RenderWithCmarkGfm(StripFrontMatter(markdown));

      std::vector<std::string> paragraphs = want.paragraphs;
      paragraphs.insert(paragraphs.end(), doc.rights.footer.begin(), doc.rights.footer.end());
      BOOST_TEST(HtmlTexts(html, "//body/p") == paragraphs, boost::test_tools::per_element());
      BOOST_TEST(HtmlTexts(html, "//body/h2") == want.headlines, boost::test_tools::per_element());
      BOOST_TEST(HtmlTexts(html, "//body/h1") == std::vector<std::string>{doc.title},
                 boost::test_tools::per_element());
      // Nothing in the prose became markup: no element inside a paragraph.
      BOOST_TEST(HtmlTexts(html, "//body/p/*").empty());
      BOOST_TEST(HtmlTexts(html, "//body/hr").size() == 1u);  // before the footer
      ExpectNoLegacyFooter(input, doc.rights.footer, HtmlTexts(html, "//body").at(0));
    }
  }
}

BOOST_AUTO_TEST_CASE(front_matter_carries_identity_and_rights) {
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt");
  const auto fields = FrontMatter(WriteMarkdown(doc, TemplateSet::Load(SourceDir() + "/templates")));
  BOOST_TEST(fields.at("title") == "\"Prism, Volume 4, Issue 12\"");
  BOOST_TEST(fields.at("publication") == "\"prism\"");
  BOOST_TEST(fields.at("volume") == "4");
  BOOST_TEST(fields.at("issue") == "12");
  BOOST_TEST(fields.at("date") == "1998-06-19");
  BOOST_TEST(fields.at("language") == "\"en\"");
  BOOST_TEST(fields.at("copyright_holder") == "\"The Jamestown Foundation\"");
  BOOST_TEST(fields.at("copyright_year") == "1998");
  BOOST_TEST(fields.at("rights").find("Copyright (c) 1995-1998 The Jamestown Foundation") !=
             std::string::npos);
  BOOST_TEST(fields.at("license") == "\"https://jamestown.org/imprint/license/\"");
}

BOOST_AUTO_TEST_CASE(front_matter_has_no_date_when_the_header_has_none) {
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  const auto fields = FrontMatter(WriteMarkdown(doc, TemplateSet::Load(SourceDir() + "/templates")));
  BOOST_TEST(fields.count("date") == 0u);
  BOOST_TEST(fields.at("copyright_year") == "1999");  // volume 5 of a 1995 title
}

BOOST_AUTO_TEST_CASE(yaml_quoting) {
  BOOST_TEST(YamlQuote("plain") == "\"plain\"");
  BOOST_TEST(YamlQuote("a \"b\" \\ c") == "\"a \\\"b\\\" \\\\ c\"");
  BOOST_TEST(YamlQuote("tab\there") == "\"tab\\there\"");
}

}  // namespace
}  // namespace imprint
