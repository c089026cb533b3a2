// The XML escaper, judged by libxml2: whatever the text, the escaped form
// inside an element and inside an attribute (either quote) is well formed,
// and reads back as the text minus only what XML 1.0 cannot carry.
#define BOOST_TEST_MODULE xml_escape
#include "pipeline/base/xml_escape.h"

#include <boost/test/unit_test.hpp>
#include <random>

#include "tests/support.h"

namespace imprint {
namespace {

using testing::XmlTexts;

// What a parser gives back for `text`: the characters XML 1.0 has no place
// for removed, and nothing else changed.
std::string Carried(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xEF && i + 2 < text.size() && text[i + 1] == '\xBF' && (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
      i += 2;
      continue;
    }
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
    out += text[i];
  }
  return out;
}

void ExpectReadsBack(const std::string& text) {
  const std::string e = XmlEscaped(text);
  BOOST_TEST_CONTEXT("text: " << text << "\nescaped: " << e) {
    BOOST_TEST(XmlTexts("<r>" + e + "</r>", "/r") == std::vector<std::string>{Carried(text)},
               boost::test_tools::per_element());
    BOOST_TEST(XmlTexts("<r a=\"" + e + "\"/>", "/r/@a") == std::vector<std::string>{Carried(text)},
               boost::test_tools::per_element());
    BOOST_TEST(XmlTexts("<r a='" + e + "'/>", "/r/@a") == std::vector<std::string>{Carried(text)},
               boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(markup_characters_read_back) {
  ExpectReadsBack("O'Brien & \"Sons\" <b>bold</b> ]]> &amp;");
  BOOST_TEST(XmlEscaped("a<b") == "a&lt;b");
}

BOOST_AUTO_TEST_CASE(line_breaks_and_tabs_survive_an_attribute) {
  ExpectReadsBack("one\ttwo\nthree\r\nfour");
}

BOOST_AUTO_TEST_CASE(what_xml_cannot_carry_is_dropped_not_written) {
  ExpectReadsBack(std::string("nul\0bell\x07 esc\x1b end", 19) + " \xEF\xBF\xBE\xEF\xBF\xBF ok");
  BOOST_TEST(XmlEscaped(std::string("a\0b", 3)) == "ab");
}

BOOST_AUTO_TEST_CASE(a_cut_sequence_at_the_end_is_not_read_past) {
  BOOST_TEST(XmlEscaped("x\xEF\xBF") == "x\xEF\xBF");
}

// The HTML form, read by libxml2's HTML parser as a browser would: the same
// text, but carriage returns and DEL (parse errors in HTML) dropped.
void ExpectHtmlReadsBack(const std::string& text) {
  std::string want;
  for (char c : Carried(text)) {
    if (c != '\r' && c != '\x7f') want += c;
  }
  const std::string e = HtmlEscaped(text);
  BOOST_TEST_CONTEXT("text: " << text << "\nescaped: " << e) {
    BOOST_TEST(e.find('\r') == std::string::npos);
    BOOST_TEST(e.find("&#13;") == std::string::npos);
    BOOST_TEST(testing::HtmlTexts("<!DOCTYPE html><p title=\"" + e + "\">" + e + "</p>", "//p") ==
               std::vector<std::string>{want}, boost::test_tools::per_element());
    BOOST_TEST(testing::HtmlTexts("<!DOCTYPE html><p title=\"" + e + "\">x</p>", "//p/@title") ==
               std::vector<std::string>{want}, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(html_drops_what_html_calls_a_parse_error) {
  ExpectHtmlReadsBack("O'Brien & \"Sons\" <b>x</b>\r\nline\ttab\x7f\x01end");
  BOOST_TEST(HtmlEscaped("a'b") == "a&#39;b");
}

BOOST_AUTO_TEST_CASE(random_text_always_reads_back) {
  std::mt19937 rng(20261129);
  const std::string alphabet = std::string("ab &<>\"'\t\n\r\x01\x1f", 14) + "\xC3\xA9\xEF\xBF\xBE";
  for (int round = 0; round < 500; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) {
      const size_t k = rng() % 15;
      text += k < 13 ? alphabet.substr(k, 1) : (k == 13 ? std::string("\xC3\xA9") : std::string("\xEF\xBF\xBE"));
    }
    ExpectReadsBack(text);
    ExpectHtmlReadsBack(text);
  }
}

}  // namespace
}  // namespace imprint
