// The HTML edition of every good test input: each paragraph to the letter as
// a browser parses the page, headlines as headings, the canonical footer, the
// rights metadata and schema.org JSON-LD, no executable script, and no error
// from the Nu HTML Checker (one JVM run for all pages).
#define BOOST_TEST_MODULE html_writer
#include "pipeline/edition/html_writer.h"
#include "pipeline/server/search_pages.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <algorithm>

#include "pipeline/edition/document.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(every_paragraph_appears_to_the_letter) {
  for (const std::string& input : GoodInputs()) {
    BOOST_TEST_CONTEXT(input) {
      const Document doc = ReadEdition(input);
      const ExpectedIssue want = LoadExpected(Stem(input));
      const std::string html = WriteHtml(doc, BundledTemplates());
      BOOST_TEST(HtmlTexts(html, "//main//p") == want.paragraphs, boost::test_tools::per_element());
      BOOST_TEST(HtmlTexts(html, "//main//h2") == want.headlines, boost::test_tools::per_element());
      BOOST_TEST(HtmlTexts(html, "//main//p/*").empty());
      BOOST_TEST(HtmlTexts(html, "//footer/p") == doc.rights.footer, boost::test_tools::per_element());
      BOOST_TEST(HtmlTexts(html, "/html/@lang") == std::vector<std::string>{"en"},
                 boost::test_tools::per_element());
      BOOST_TEST(HtmlTexts(html, "//title") == std::vector<std::string>{doc.title},
                 boost::test_tools::per_element());
      // The only script is the JSON-LD data block.
      BOOST_TEST(HtmlTexts(html, "//script").size() == 1u);
      BOOST_TEST(HtmlTexts(html, "//script[@type='application/ld+json']").size() == 1u);
      BOOST_TEST(HtmlTexts(html, "//*[@src or @onload or @onclick or @onerror]").empty());
      ExpectNoLegacyFooter(input, doc.rights.footer, HtmlTexts(html, "//body").at(0));
    }
  }
}

BOOST_AUTO_TEST_CASE(rights_metadata_in_the_head) {
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  const std::string html = WriteHtml(doc, BundledTemplates());
  BOOST_TEST(HtmlTexts(html, "//meta[@name='copyright']/@content") ==
                 std::vector<std::string>{"Copyright (c) 1995-1999 The Jamestown Foundation"},
             boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(html, "//link[@rel='license']/@href") ==
                 std::vector<std::string>{"https://jamestown.org/imprint/license/"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(json_ld_describes_the_issue_its_articles_and_rights) {
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt");
  const std::string html = WriteHtml(doc, BundledTemplates());
  const auto blocks = HtmlTexts(html, "//script[@type='application/ld+json']");
  BOOST_REQUIRE_EQUAL(blocks.size(), 1u);
  Poco::JSON::Parser parser;
  const auto issue = parser.parse(blocks[0]).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(issue->getValue<std::string>("@context") == "https://schema.org");
  BOOST_TEST(issue->getValue<std::string>("@type") == "PublicationIssue");
  BOOST_TEST(issue->getValue<std::string>("issueNumber") == "12");
  BOOST_TEST(issue->getObject("isPartOf")->getValue<std::string>("volumeNumber") == "4");
  BOOST_TEST(issue->getObject("isPartOf")->getObject("isPartOf")->getValue<std::string>("name") ==
             "Prism");
  BOOST_TEST(issue->getValue<std::string>("datePublished") == "1998-06-19");
  for (const char* who : {"publisher", "copyrightHolder"}) {
    BOOST_TEST(issue->getObject(who)->getValue<std::string>("@type") == "Organization");
    BOOST_TEST(issue->getObject(who)->getValue<std::string>("name") == "The Jamestown Foundation");
  }
  BOOST_TEST(issue->getValue<int>("copyrightYear") == 1998);
  BOOST_TEST(issue->getValue<std::string>("copyrightNotice").find(
                 "Copyright (c) 1995-1998 The Jamestown Foundation") == 0u);
  BOOST_TEST(issue->getValue<std::string>("license") == "https://jamestown.org/imprint/license/");
  BOOST_TEST(issue->getValue<bool>("isAccessibleForFree") == false);

  const auto parts = issue->getArray("hasPart");
  BOOST_REQUIRE_EQUAL(parts->size(), 4u);  // the paid body, then three articles
  const auto paid = parts->getObject(0);
  BOOST_TEST(paid->getValue<std::string>("@type") == "WebPageElement");
  BOOST_TEST(paid->getValue<bool>("isAccessibleForFree") == false);
  const std::string selector = paid->getValue<std::string>("cssSelector");
  BOOST_TEST(HtmlTexts(html, "//main[@class='" + selector.substr(1) + "']").size() == 1u);
  const ExpectedIssue want = LoadExpected("prism-v04-i012");
  for (size_t i = 0; i < want.headlines.size(); ++i) {
    const auto article = parts->getObject(static_cast<unsigned>(i + 1));
    BOOST_TEST(article->getValue<std::string>("@type") == "NewsArticle");
    BOOST_TEST(article->getValue<std::string>("headline") == want.headlines[i]);
    BOOST_TEST(article->getObject("copyrightHolder")->getValue<std::string>("name") ==
               "The Jamestown Foundation");
    BOOST_TEST(article->getValue<bool>("isAccessibleForFree") == false);
    BOOST_TEST(article->getObject("hasPart")->getValue<std::string>("cssSelector") == selector);
  }
}

BOOST_AUTO_TEST_CASE(json_ld_cannot_close_its_script_element) {
  Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  doc.articles[0].headline = "</script><script>alert(1)</script> & more";
  const std::string json = JsonLd(doc);
  BOOST_TEST(json.find('<') == std::string::npos);
  BOOST_TEST(json.find('&') == std::string::npos);
  Poco::JSON::Parser parser;
  const auto issue = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(issue->getArray("hasPart")->getObject(1)->getValue<std::string>("headline") ==
             doc.articles[0].headline);
}

// Two corrections, the second's note holding `<script>`, `*` and `&amp;`.
Document Corrected() { return ReadEdition(TestDataDir() + "/corrections/prism-v04-i012.txt"); }

// A sample edition with a URL and an e-mail address added to its body and to
// its footer.
Document WithAddresses() {
  Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  doc.articles[0].paragraphs[0].text = "See https://example.org/a_b?c=1&d=2 or write to desk@example.org.";
  doc.rights.footer.push_back("Questions: press@jamestown.org, or https://jamestown.org/contact/?a=1&b=2.");
  return doc;
}

// Regression: the footer's URLs and e-mail addresses were text in HTML (and
// escaped noise in Markdown); they are links in every format, the body's
// addresses stay text.
BOOST_AUTO_TEST_CASE(footer_addresses_are_links_body_addresses_text) {
  const Document doc = WithAddresses();
  const std::string html = WriteHtml(doc, BundledTemplates());
  BOOST_TEST(HtmlTexts(html, "//footer/p") == doc.rights.footer, boost::test_tools::per_element());
  const std::vector<std::string> texts = HtmlTexts(html, "//footer/p/a");
  std::vector<std::string> hrefs = HtmlTexts(html, "//footer/p/a/@href");
  BOOST_REQUIRE_EQUAL(texts.size(), hrefs.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    BOOST_TEST((hrefs[i] == texts[i] || hrefs[i] == "mailto:" + texts[i]), hrefs[i]);
  }
  BOOST_TEST(std::count(hrefs.begin(), hrefs.end(), doc.rights.license_url) >= 1);
  BOOST_TEST(std::count(hrefs.begin(), hrefs.end(), "mailto:press@jamestown.org") == 1);
  BOOST_TEST(std::count(hrefs.begin(), hrefs.end(), "https://jamestown.org/contact/?a=1&b=2") == 1);
  BOOST_TEST(HtmlTexts(html, "//footer/p/*").size() == texts.size());
  BOOST_TEST(HtmlTexts(html, "//main//p")[0] == doc.articles[0].paragraphs[0].text);
  BOOST_TEST(HtmlTexts(html, "//main//a").empty());
}

// ---- issue 15: an edition's corrections (docs/editions.md) ---------------

BOOST_AUTO_TEST_CASE(corrections_show_dated_below_the_title) {
  const Document doc = Corrected();
  BOOST_REQUIRE_EQUAL(doc.corrections.size(), 2u);
  const std::string html = WriteHtml(doc, BundledTemplates());
  BOOST_TEST(HtmlTexts(html, "//header/following-sibling::*[1][self::aside][@class='corrections']").size() == 1u);
  BOOST_TEST(HtmlTexts(html, "//aside/h2") == std::vector<std::string>{"Corrections"},
             boost::test_tools::per_element());
  std::vector<std::string> notes;
  std::vector<std::string> dates;
  for (const Correction& c : doc.corrections) {
    notes.push_back("Corrected " + c.date + ": " + c.note);
    dates.push_back(c.date);
  }
  BOOST_TEST(HtmlTexts(html, "//aside/p") == notes, boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(html, "//aside/p/strong/time/@datetime") == dates, boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(html, "//aside//*[not(self::p or self::strong or self::time or self::h2)]").empty());
  BOOST_TEST(HtmlTexts(html, "//script").size() == 1u);  // the note's <script> is text
  BOOST_TEST(HtmlTexts(html, "//main//h2") == LoadExpected("prism-v04-i012").headlines,
             boost::test_tools::per_element());
  BOOST_TEST(HtmlTexts(WriteHtml(ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt"),
                                 BundledTemplates()), "//aside").empty());
}

BOOST_AUTO_TEST_CASE(json_ld_carries_each_correction_and_the_date_modified) {
  const Document doc = Corrected();
  const auto blocks = HtmlTexts(WriteHtml(doc, BundledTemplates()), "//script[@type='application/ld+json']");
  BOOST_REQUIRE_EQUAL(blocks.size(), 1u);
  Poco::JSON::Parser parser;
  const auto issue = parser.parse(blocks[0]).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(issue->getValue<std::string>("datePublished") == "1998-06-19");
  BOOST_TEST(issue->getValue<std::string>("dateModified") == "2026-11-29");
  const auto list = issue->getArray("correction");
  BOOST_REQUIRE_EQUAL(list->size(), 2u);
  for (unsigned i = 0; i < 2; ++i) {
    BOOST_TEST(list->getObject(i)->getValue<std::string>("@type") == "CorrectionComment");
    BOOST_TEST(list->getObject(i)->getValue<std::string>("datePublished") == doc.corrections[i].date);
    BOOST_TEST(list->getObject(i)->getValue<std::string>("text") == doc.corrections[i].note);
  }
  const auto plain = parser.parse(JsonLd(ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt")))
                         .extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(!plain->has("correction"));
  BOOST_TEST(!plain->has("dateModified"));
}

// An attacker's note: it must stay a string of the JSON-LD, whose <script>
// element it must neither end nor turn into an HTML comment.
BOOST_AUTO_TEST_CASE(a_correction_note_cannot_close_the_json_ld_script) {
  Document doc = Corrected();
  doc.corrections.back().note = "</script><script>alert(1)</script><!--<script> & </SCRIPT >";
  const std::string json = JsonLd(doc);
  BOOST_TEST(json.find('<') == std::string::npos);
  BOOST_TEST(json.find('&') == std::string::npos);
  const std::string html = WriteHtml(doc, BundledTemplates());
  BOOST_TEST(HtmlTexts(html, "//script").size() == 1u);
  Poco::JSON::Parser parser;
  const auto issue = parser.parse(HtmlTexts(html, "//script").at(0)).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(issue->getArray("correction")->getObject(1)->getValue<std::string>("text") == doc.corrections[1].note);
  BOOST_TEST(HtmlTexts(html, "//aside/p").at(1) == "Corrected 2026-11-29: " + doc.corrections[1].note);
}

BOOST_AUTO_TEST_CASE(nu_html_checker_reports_no_error) {
  TempDir dir;
  std::vector<std::string> args = {"-jar", std::getenv("VNU_JAR"), "--errors-only"};
  for (const std::string& input : GoodInputs()) {
    const std::string page = dir / (Stem(input) + ".html");
    WriteAll(page, WriteHtml(ReadEdition(input), BundledTemplates()));
    args.push_back(page);
  }
  WriteAll(dir / "with-addresses.html", WriteHtml(WithAddresses(), BundledTemplates()));
  args.push_back(dir / "with-addresses.html");
  WriteAll(dir / "corrected.html", WriteHtml(Corrected(), BundledTemplates()));
  args.push_back(dir / "corrected.html");
  // The subscribers' page (GET /), in the same run.
  WriteAll(dir / "subscribers.html", BundledTemplates().Render("subscribers.html", TemplateData()));
  args.push_back(dir / "subscribers.html");
  // The server's search page (search_pages.h): the form alone, no match, and
  // hits whose text and query hold markup.
  const std::vector<SearchHit> hits = {
      {"monitor/v05/i077", "The Monitor, Volume 5, Issue 77", "1999-04-20",
       {{"…troops in ", false}, {"Tajikistan", true}, {" <b>&amp; \"border\"</b>…", false}}},
      {"prism/v04/i012", "Prism, Volume 4, Issue 12", "", {{"Москва", true}}}};
  const std::vector<std::pair<std::string, std::vector<SearchHit>>> searches = {
      {"", {}}, {"qqqq", {}}, {"Tajikistan <script>\"", hits}};
  for (size_t i = 0; i < searches.size(); ++i) {
    const std::string page = dir / ("search-" + std::to_string(i) + ".html");
    WriteAll(page, SearchPageHtml(searches[i].first, searches[i].second, BundledTemplates()));
    args.push_back(page);
  }
  // A page with a known error in the same run shows the checker is working.
  const std::string control = dir / "control-invalid.html";
  WriteAll(control, "<!DOCTYPE html><html lang=en><title>x</title><p><div></p>");
  args.push_back(control);
  const ProcessResult r = Run("/usr/bin/java", args);
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.err.find("control-invalid.html") != std::string::npos);
  std::string others = r.err;
  for (size_t at; (at = others.find("control-invalid.html")) != std::string::npos;) {
    others.erase(at, 20);
  }
  BOOST_TEST(others.find(".html") == std::string::npos, "vnu reported:\n" << r.err);
}

}  // namespace
}  // namespace imprint
