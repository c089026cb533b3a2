// Markdown escaping, judged by cmark-gfm itself (the library, with the table,
// strikethrough and autolink extensions): escaped text must render as one
// paragraph (or heading) whose text is exactly the input, with no element
// inside it. Fixed cases from the spec, then many random strings built from
// the characters Markdown cares about.
#define BOOST_TEST_MODULE markdown_escape
#include "pipeline/base/markdown_escape.h"

#include <boost/test/unit_test.hpp>
#include <random>

#include "tests/support.h"

namespace imprint {
namespace {

using testing::HtmlTexts;
using testing::RenderGfm;

// Renders `markdown` and checks it is one `tag` element holding exactly
// `text` and nothing but text.
void ExpectRendersAs(const std::string& markdown, const std::string& text,
                     const std::string& tag) {
  const std::string html = RenderGfm(markdown);
  BOOST_TEST_CONTEXT("markdown: " << markdown << "\nhtml: " << html) {
    BOOST_TEST(HtmlTexts(html, "//body/*").size() == 1u);
    BOOST_TEST(HtmlTexts(html, "//body/" + tag) == std::vector<std::string>{text},
               boost::test_tools::per_element());
    BOOST_TEST(HtmlTexts(html, "//body/" + tag + "/*").empty());  // no markup inside
  }
}

void ExpectParagraphRoundTrip(const std::string& text) {
  ExpectRendersAs(EscapeMarkdownParagraph(text), text, "p");
}

void ExpectHeadingRoundTrip(const std::string& text) {
  ExpectRendersAs("## " + EscapeMarkdownHeading(text), text, "h2");
}

const std::vector<std::string> kSpecCases = {
    "1999. That is the year.", "# 5 percent", "* not a list", "> not a quote",
    "<script>alert(1)</script>", "| a | b |", "---", "`code`", "&amp; &copy; &#169; &#xA9;",
    "- dash", "+ plus", "2) two", "123456789. nine digits", "1234567890. ten digits",
    "***", "___", "- - -", "~~~", "```", "===", "#", "###### six", "####### seven",
    "<!-- comment -->", "<?php ?>", "<![CDATA[x]]>", "<!DOCTYPE html>", "</p>",
    "a < b > c", "AT&T", "R&D;", "&#;", "&;", "\\", "a\\", "\\*", "\\\\*", "x\\`y",
    "__init__", "snake_case_name", "a*b*c", "*a*", "**b**", "_c_", "~d~", "~~e~~",
    "[text](http://x)", "![image](y.png)", "[ref]", "[ref]: http://z", "[^1]",
    "http://example.com", "https://www.example.org/x?y=1&z=2", "ftp://files.example.net",
    "www.example.com", "(www.example.com)", "visit www.x.org.", "WWW.EXAMPLE.COM",
    "press@example.org", "mailto:desk@example.org", "xmpp:a@b.org", "a.b-c_d+e@f.g",
    "@handle", "a @ b", "foo@", "\u00a0leading no-break space", "tab\tinside",
    "two  spaces", "\u201cquoted\u201d \u2013 dashes \u2014", "emoji \U0001F4F0",
};

BOOST_AUTO_TEST_CASE(spec_cases_round_trip_as_paragraphs_and_headings) {
  for (const std::string& text : kSpecCases) {
    ExpectParagraphRoundTrip(text);
    ExpectHeadingRoundTrip(text);
  }
}

BOOST_AUTO_TEST_CASE(headings_keep_trailing_hashes) {
  for (const std::string text : {"C #", "NUMBER ##", "#", "A#", "A # B"}) {
    ExpectHeadingRoundTrip(text);
  }
}

BOOST_AUTO_TEST_CASE(plain_prose_is_left_alone) {
  const std::string prose =
      "Russian border troops in Tajikistan number 14,500 (Interfax, April 17-19); "
      "it\u2019s a \u201cfifty-fifty\u201d basis \u2014 or so they say! Isn't it? 50% of 2+2=4.";
  BOOST_TEST(EscapeMarkdownParagraph(prose) == prose);
  BOOST_TEST(EscapeMarkdownParagraph("snake_case and a_b") == "snake_case and a_b");
}

// Renders `markdown` and checks it is one paragraph holding exactly `text`,
// with `links` links inside (each an <a> whose text is its address) and no
// other element.
void ExpectLinkedRendersAs(const std::string& markdown, const std::string& text, size_t links) {
  const std::string html = RenderGfm(markdown);
  BOOST_TEST_CONTEXT("markdown: " << markdown << "\nhtml: " << html) {
    BOOST_TEST(HtmlTexts(html, "//body/*").size() == 1u);
    BOOST_TEST(HtmlTexts(html, "//body/p") == std::vector<std::string>{text}, boost::test_tools::per_element());
    BOOST_TEST(HtmlTexts(html, "//body/p/*").size() == HtmlTexts(html, "//body/p/a").size());
    BOOST_TEST(HtmlTexts(html, "//body/p/a").size() == links);
  }
}

// Regression: the footer's URLs came out as "https\://..." and e-mail
// addresses with "<!---->" before the '@', noise in the Markdown a reader
// sees. In a footer they are autolinks: links in every format.
BOOST_AUTO_TEST_CASE(footer_addresses_are_autolinks_without_escapes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Terms of use: https://jamestown.org/imprint/license/", "Terms of use: <https://jamestown.org/imprint/license/>"},
      {"To subscribe, see https://jamestown.org/.", "To subscribe, see <https://jamestown.org/>."},
      {"Write to desk@jamestown.org.", "Write to <desk@jamestown.org>."},
      {"Mail press@example.org (or see http://example.org/a_b?x=1&y=2), please",
       "Mail <press@example.org> (or see <http://example.org/a_b?x=1&y=2>), please"},
  };
  for (const auto& [text, markdown] : cases) {
    BOOST_TEST(EscapeMarkdownLinkedParagraph(text) == markdown);
    ExpectLinkedRendersAs(markdown, text, markdown == cases[3].second ? 2 : 1);
  }
  // Everything else is escaped as in any paragraph.
  BOOST_TEST(EscapeMarkdownLinkedParagraph("*a* see https://x.org") == "\\*a\\* see <https://x.org>");
  ExpectLinkedRendersAs(EscapeMarkdownLinkedParagraph("# \\https://x.org"), "# \\https://x.org", 1);
  ExpectLinkedRendersAs(EscapeMarkdownLinkedParagraph("1. mailto:a@b.org"), "1. mailto:a@b.org", 0);
}

// A URL and an e-mail address in body text stay text (the HTML and EPUB
// body do not link them either), and read back to the letter.
BOOST_AUTO_TEST_CASE(body_addresses_stay_text) {
  for (const std::string text : {"See https://jamestown.org/ or write to desk@jamestown.org.",
                                 "www.jamestown.org, http://a.b/c_(d) and x.y+z@mail.example.net"}) {
    ExpectParagraphRoundTrip(text);
  }
}

// Random strings over Markdown's alphabet: every one must round-trip.
BOOST_AUTO_TEST_CASE(random_markup_round_trips) {
  const std::vector<std::string> atoms = {
      "*", "_", "~", "`", "[", "]", "(", ")", "!", "<", ">", "&", "#", "-", "+", "=",
      "|", "\\", ":", "//", ".", "@", ";", "'", "\"", " ", " ", " ", "\t", "1", "9.",
      "a", "b", "x", "www.", "http", "https://", "mailto:", "amp", "#169", "copy",
      "p>", "/a", "!--", "--", "?", "\u00e9", "\u2019", "\u00a0", "ok", "word",
      "https://x.org", "http://a.b/c", "d@e.org", ".org", "_", "%", "'", "#x"};
  std::mt19937 rng(20261128);
  std::uniform_int_distribution<size_t> pick(0, atoms.size() - 1);
  std::uniform_int_distribution<int> length(1, 24);
  int tested = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string text;
    for (int n = length(rng); n > 0; --n) text += atoms[pick(rng)];
    // The reader's guarantees: no leading or trailing blank.
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
    if (text.empty()) continue;
    ExpectParagraphRoundTrip(text);
    ExpectHeadingRoundTrip(text);
    // As a footer: the text exact, only links inside.
    const std::string html = RenderGfm(EscapeMarkdownLinkedParagraph(text));
    BOOST_TEST(HtmlTexts(html, "//body/p") == std::vector<std::string>{text}, "markdown: " << EscapeMarkdownLinkedParagraph(text));
    BOOST_TEST(HtmlTexts(html, "//body/p/*").size() == HtmlTexts(html, "//body/p/a").size());
    ++tested;
  }
  BOOST_TEST(tested > 5000);
}

}  // namespace
}  // namespace imprint
