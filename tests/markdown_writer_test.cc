// The Markdown edition of every good test input, rendered back by the stock
// cmark-gfm program (the referee, with the table, strikethrough and autolink
// extensions): each paragraph to the letter, headlines as headings, the
// canonical footer last, the legacy footer nowhere; front matter complete
// (PyYAML reads it); a corrected issue's corrections below the title.
#define BOOST_TEST_MODULE markdown_writer
#include "pipeline/edition/markdown_writer.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
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
      // Nothing in the prose became markup: no element inside a paragraph
      // but the footer's links.
      BOOST_TEST(HtmlTexts(html, "//body/p/*").size() == HtmlTexts(html, "//body/hr/following-sibling::p/a").size());
      BOOST_TEST(HtmlTexts(html, "//body/hr").size() == 1u);  // before the footer
      ExpectNoLegacyFooter(input, doc.rights.footer, HtmlTexts(html, "//body").at(0));
    }
  }
}

// Regression: the footer's URLs read "https\\://..." in the Markdown, and an
// e-mail address had "<!---->" before its '@'. They are autolinks now, links
// whose text is the address; in the body, a URL and an address stay text.
BOOST_AUTO_TEST_CASE(footer_addresses_are_links_and_body_addresses_text) {
  Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  doc.articles[0].paragraphs[0].text = "See https://example.org/a_b?c=1 or write to desk@example.org.";
  doc.rights.footer.push_back("Questions: press@jamestown.org, or https://jamestown.org/contact/.");
  const std::string markdown = WriteMarkdown(doc, TemplateSet::Load(SourceDir() + "/templates"));
  const std::string footer = markdown.substr(markdown.rfind("\n---\n"));
  BOOST_TEST(footer.find("\\:") == std::string::npos, footer);
  BOOST_TEST(footer.find("<!---->") == std::string::npos, footer);
  BOOST_TEST(footer.find("<press@jamestown.org>, or <https://jamestown.org/contact/>.") != std::string::npos, footer);
  BOOST_TEST(footer.find("<" + doc.rights.license_url + ">") != std::string::npos, footer);

  const std::string html = RenderWithCmarkGfm(StripFrontMatter(markdown));
  BOOST_TEST(HtmlTexts(html, "//body/hr/following-sibling::p").back() == doc.rights.footer.back());
  BOOST_TEST(HtmlTexts(html, "//body/hr/following-sibling::p/a[starts-with(@href, 'mailto:')]") ==
                 std::vector<std::string>{"press@jamestown.org"}, boost::test_tools::per_element());
  const auto web = HtmlTexts(html, "//body/hr/following-sibling::p/a[starts-with(@href, 'http')]");
  BOOST_TEST(web.size() >= 3u);
  BOOST_TEST(HtmlTexts(html, "//body/hr/following-sibling::p/a[starts-with(@href, 'http')]/@href") == web,
             boost::test_tools::per_element());  // each link's text is its address
  // The body's text, exact, and no link in it.
  BOOST_TEST(HtmlTexts(html, "//body/p")[0] == doc.articles[0].paragraphs[0].text);
  BOOST_TEST(HtmlTexts(html, "//body/hr/preceding-sibling::p/*").empty());
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

// ---- issue 15: an edition's corrections (docs/editions.md) ---------------

// The front matter as PyYAML reads it (the referee), as JSON.
Poco::JSON::Object::Ptr YamlFrontMatter(const std::string& markdown) {
  const ProcessResult r = Run("/usr/bin/python3",
                              {"-c", "import json, sys, yaml\n"
                                     "text = sys.stdin.read()\n"
                                     "print(json.dumps(yaml.safe_load(text[4:text.index('\\n---\\n')]), default=str))"},
                              markdown);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  Poco::JSON::Parser parser;
  return parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
}

// Two corrections, the second's note holding `<script>`, `*` and `&amp;`.
Document Corrected() { return ReadEdition(TestDataDir() + "/corrections/prism-v04-i012.txt"); }

BOOST_AUTO_TEST_CASE(front_matter_carries_the_revision_and_each_correction_as_written) {
  const Document doc = Corrected();
  BOOST_REQUIRE_EQUAL(doc.corrections.size(), 2u);
  const auto yaml = YamlFrontMatter(WriteMarkdown(doc, BundledTemplates()));
  BOOST_TEST(yaml->getValue<int>("revision") == 3);
  const auto list = yaml->getArray("corrections");
  BOOST_REQUIRE_EQUAL(list->size(), 2u);
  for (unsigned i = 0; i < 2; ++i) {
    BOOST_TEST(list->getObject(i)->getValue<std::string>("date") == doc.corrections[i].date);
    BOOST_TEST(list->getObject(i)->getValue<std::string>("note") == doc.corrections[i].note);
  }
  BOOST_TEST(yaml->getValue<std::string>("title") == doc.title);  // the rest unharmed

  const auto plain = YamlFrontMatter(WriteMarkdown(ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt"),
                                                   BundledTemplates()));
  BOOST_TEST(plain->getValue<int>("revision") == 1);
  BOOST_TEST(!plain->has("corrections"));
}

BOOST_AUTO_TEST_CASE(corrections_below_the_title_render_back_to_the_letter) {
  const Document doc = Corrected();
  const std::string html = RenderWithCmarkGfm(StripFrontMatter(WriteMarkdown(doc, BundledTemplates())));
  // A block quote right after the title: its label, then each correction dated.
  BOOST_TEST(HtmlTexts(html, "//body/h1/following-sibling::*[1][self::blockquote]").size() == 1u);
  std::vector<std::string> want = {"Corrections"};
  for (const Correction& c : doc.corrections) want.push_back("Corrected " + c.date + ": " + c.note);
  BOOST_TEST(HtmlTexts(html, "//body/blockquote/p") == want, boost::test_tools::per_element());
  // The note's markup characters stayed text: only the labels are strong.
  BOOST_TEST(HtmlTexts(html, "//body/blockquote//*[not(self::p or self::strong)]").empty());
  BOOST_TEST(HtmlTexts(html, "//body/blockquote//strong").size() == 3u);
  // The articles are as before, and an uncorrected issue has no block quote.
  BOOST_TEST(HtmlTexts(html, "//body/h2") == LoadExpected("prism-v04-i012").headlines,
             boost::test_tools::per_element());
  const std::string plain = RenderWithCmarkGfm(StripFrontMatter(
      WriteMarkdown(ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt"), BundledTemplates())));
  BOOST_TEST(HtmlTexts(plain, "//blockquote").empty());
}

// An attacker's notes: every kind of Markdown and HTML they could smuggle
// reads back as the note, and the front matter stays one line a key.
BOOST_AUTO_TEST_CASE(a_hostile_note_renders_back_as_written) {
  Document doc = Corrected();
  const std::vector<std::string> notes = {
      "</blockquote><script>alert(1)</script> <!-- x --> [a](https://e.org) ![i](x.png) `code` ~~s~~",
      "**bold** _em_ \\ \\* &amp; &#42; <https://e.org> desk@example.org https://e.org/a_b?c=1",
      "# not a heading --- *** 1. > | a | b | \" \\\" \"] }, {date: 2000-01-01, note: x",
      "license_id: \"X\"\u2028---"};
  doc.corrections.clear();
  for (const std::string& n : notes) doc.corrections.push_back({"2026-11-29", std::string(64, 'a'), n, 1});
  const std::string markdown = WriteMarkdown(doc, BundledTemplates());
  const auto list = YamlFrontMatter(markdown)->getArray("corrections");
  BOOST_REQUIRE_EQUAL(list->size(), notes.size());
  std::vector<std::string> want = {"Corrections"};
  for (unsigned i = 0; i < notes.size(); ++i) {
    BOOST_TEST(list->getObject(i)->getValue<std::string>("note") == notes[i]);
    want.push_back("Corrected 2026-11-29: " + notes[i]);
  }
  const std::string html = RenderWithCmarkGfm(StripFrontMatter(markdown));
  BOOST_TEST(HtmlTexts(html, "//body/blockquote/p") == want, boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(html, "//body/blockquote//*[not(self::p or self::strong)]").empty());
  BOOST_TEST(HtmlTexts(html, "//body/blockquote//strong").size() == notes.size() + 1);
  BOOST_TEST(HtmlTexts(html, "//body/h1").size() == 1u);
  BOOST_TEST(HtmlTexts(html, "//body/blockquote").size() == 1u);
}

}  // namespace
}  // namespace imprint
