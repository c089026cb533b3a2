// The raw reader against every good test input (each with its expected model
// in tests/data/expected/) and against the spec's rules one by one.
#define BOOST_TEST_MODULE raw_reader
#include "pipeline/edition/raw_reader.h"

#include <boost/test/unit_test.hpp>

#include "tests/support.h"

namespace imprint {
namespace {

using testing::GoodInputs;
using testing::LoadExpected;
using testing::ReadAll;
using testing::Stem;

Document Read(const std::string& text) { return ReadRawIssue(text, "t.txt"); }

// Headlines and paragraphs in order, headlines prefixed "# ".
std::vector<std::string> Blocks(const Document& doc) {
  std::vector<std::string> blocks;
  for (const Article& a : doc.articles) {
    if (!a.headline.empty()) blocks.push_back("# " + a.headline);
    for (const Paragraph& p : a.paragraphs) blocks.push_back(p.text);
  }
  return blocks;
}

BOOST_AUTO_TEST_CASE(every_good_input_reads_as_expected) {
  const auto inputs = GoodInputs();
  BOOST_REQUIRE_GE(inputs.size(), 7u);
  for (const std::string& input : inputs) {
    BOOST_TEST_CONTEXT(input) {
      const Document doc = ReadRawIssue(ReadAll(input), input);
      const testing::ExpectedIssue want = LoadExpected(Stem(input));
      BOOST_TEST(doc.header_name == want.publication);
      BOOST_TEST(doc.volume == want.volume);
      BOOST_TEST(doc.issue == want.issue);
      BOOST_TEST(doc.date == want.date);
      BOOST_TEST(!doc.warnings.empty() == want.transcoded);
      const auto blocks = Blocks(doc);
      BOOST_TEST(blocks == want.blocks, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(line_endings_lf_crlf_and_cr_read_alike) {
  const std::string lf = "Publication: Monitor Volume: 1 Issue: 2\n\nOne\nwrapped.\n\nTwo.\n";
  std::string crlf, cr;
  for (char c : lf) {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    cr += c == '\n' ? '\r' : c;
  }
  for (const std::string& text : {lf, crlf, cr}) {
    const Document doc = Read(text);
    BOOST_TEST(Blocks(doc) == (std::vector<std::string>{"One wrapped.", "Two."}),
               boost::test_tools::per_element());
    BOOST_TEST(doc.articles[0].paragraphs[1].line == 6);
  }
}

BOOST_AUTO_TEST_CASE(header_fields_on_one_line_or_several_in_any_case) {
  for (const std::string header :
       {"Publication: Monitor Volume: 5 Issue: 77 Date: 1999-04-20\n",
        "publication:Monitor\nVOLUME : 5\n  Issue:77\nDate:   1999-04-20\n",
        "Publication:\tMonitor\tVolume:\t5\nIssue: 77 Date: 1999-04-20\n"}) {
    BOOST_TEST_CONTEXT(header) {
      const Document doc = Read(header + "\nBody.\n");
      BOOST_TEST(doc.header_name == "Monitor");
      BOOST_TEST(doc.volume == 5);
      BOOST_TEST(doc.issue == 77);
      BOOST_TEST(doc.date == "1999-04-20");
    }
  }
}

BOOST_AUTO_TEST_CASE(header_may_be_followed_directly_by_the_body) {
  const Document doc = Read("Publication: Prism Volume: 3 Issue: 4\nFirst line.\n");
  BOOST_TEST(Blocks(doc) == std::vector<std::string>{"First line."},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(publication_names_with_spaces_keep_them_for_the_slug) {
  const Document doc = Read("Publication: Russia Review Volume: 1 Issue: 1\n\nText.\n");
  BOOST_TEST(doc.header_name == "Russia Review");
  BOOST_TEST(PublicationSlug("Russia Review") == "russia-review");
  BOOST_TEST(PublicationSlug("  Monitor ") == "monitor");
  BOOST_TEST(PublicationSlug("../etc") == "");
  BOOST_TEST(PublicationSlug("a/b") == "");
  BOOST_TEST(PublicationSlug("Prism.") == "");
}

BOOST_AUTO_TEST_CASE(headline_rule) {
  BOOST_TEST(IsHeadline("RUSSIA AND CHINA"));
  BOOST_TEST(IsHeadline("NATO?"));
  BOOST_TEST(IsHeadline("U.S. AID: $1 BILLION"));
  BOOST_TEST(IsHeadline("\u0412\u042b\u0411\u041e\u0420\u042b"));  // Cyrillic capitals
  BOOST_TEST(IsHeadline("\"QUOTED\""));
  BOOST_TEST(!IsHeadline("1999"));                     // no letters
  BOOST_TEST(!IsHeadline("RUSSIA and CHINA"));         // a lower-case letter
  BOOST_TEST(!IsHeadline("\u0412\u044b\u0431\u043e\u0440\u044b"));
  BOOST_TEST(!IsHeadline("THE TALKS ENDED."));         // a sentence
  BOOST_TEST(!IsHeadline("THE TALKS ENDED.\u201d"));   // period inside closing quotes
  BOOST_TEST(IsHeadline("A B C D E F G H I J K L M N O"));     // 15 words
  BOOST_TEST(!IsHeadline("A B C D E F G H I J K L M N O P"));  // 16
}

BOOST_AUTO_TEST_CASE(articles_open_at_headlines_and_text_before_the_first_stays) {
  const Document doc = Read(
      "Publication: Prism Volume: 1 Issue: 1\n\nLead text.\n\nFIRST STORY\n\nA.\n\n"
      "SECOND STORY\n\nB.\n\nC.\n");
  BOOST_REQUIRE_EQUAL(doc.articles.size(), 3u);
  BOOST_TEST(doc.articles[0].headline == "");
  BOOST_TEST(doc.articles[1].headline == "FIRST STORY");
  BOOST_TEST(doc.articles[1].line == 5);
  BOOST_TEST(doc.articles[2].paragraphs.size() == 2u);
}

BOOST_AUTO_TEST_CASE(legacy_footer_variants_are_dropped_to_the_end) {
  for (const std::string footer :
       {"The Monitor is a publication of the Jamestown Foundation.",
        "Monitor is a publication of the Jamestown Foundation. It is researched...",
        "THE MONITOR IS A PUBLICATION OF THE JAMESTOWN FOUNDATION",
        "The Monitor is a publication\nof the Jamestown   Foundation. Copyright (c) 1983-2002"}) {
    BOOST_TEST_CONTEXT(footer) {
      const Document doc = Read("Publication: Monitor Volume: 1 Issue: 1\n\nKept.\n\n" + footer +
                                "\n\nMore footer: e-mail pubs@jamestown.org\n");
      BOOST_TEST(Blocks(doc) == std::vector<std::string>{"Kept."},
                 boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(another_publications_footer_wording_is_prose) {
  const Document doc = Read(
      "Publication: Prism Volume: 1 Issue: 1\n\nThe Monitor is a publication of the "
      "Jamestown Foundation, a sister title.\n");
  BOOST_TEST(doc.articles.at(0).paragraphs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(errors_name_the_line) {
  auto line_of = [](const std::string& text) {
    try {
      Read(text);
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().file == "t.txt");
      return e.diagnostic().line;
    }
    BOOST_FAIL("no error for: " + text);
    return -1;
  };
  BOOST_TEST(line_of("") == 1);
  BOOST_TEST(line_of("\n\n\nHello.\n") == 4);
  BOOST_TEST(line_of("Publication: Monitor\nVolume: x\nIssue: 3\n\nBody.\n") == 2);
  BOOST_TEST(line_of("Publication: Monitor Volume: 1 Issue: 3 Date: 99-1-1\n\nBody.\n") == 1);
  BOOST_TEST(line_of("Publication: Monitor Volume: 1 Issue: 3\n\nok\n\x81\n") == 4);
}


// ---- issue 15: corrections and embargoes in the header (docs/editions.md) ---

const std::string kHex(64, 'a');

BOOST_AUTO_TEST_CASE(corrections_and_an_embargo_are_read_in_order) {
  const Document doc = Read("Publication: Monitor Volume: 5 Issue: 77 Date: 1999-04-21\n"
                            "Correction: 1999-04-22 " + kHex + " Issue: \"An Russian\" now reads \"A Russian\".\n"
                            "correction : 2026-11-29\t" + std::string(64, 'b') + "\tThe date line.\n"
                            "Embargo: 2030-01-01T08:00:00+02:00\n\nBody.\n");
  BOOST_REQUIRE_EQUAL(doc.corrections.size(), 2u);
  BOOST_TEST(Revision(doc) == 3);
  BOOST_TEST(doc.corrections[0].date == "1999-04-22");
  BOOST_TEST(doc.corrections[0].supersedes == kHex);
  BOOST_TEST(doc.corrections[0].note == "Issue: \"An Russian\" now reads \"A Russian\".");  // to the line's end
  BOOST_TEST(doc.corrections[0].line == 2);
  BOOST_TEST(doc.corrections[1].note == "The date line.");
  BOOST_TEST(doc.embargo == "2030-01-01T06:00:00Z");
  BOOST_TEST(Blocks(doc) == std::vector<std::string>{"Body."});
  BOOST_TEST(Revision(Read("Publication: Monitor Volume: 5 Issue: 77\n\nBody.\n")) == 1);
}

BOOST_AUTO_TEST_CASE(bad_corrections_and_embargoes_are_errors_naming_the_line) {
  const std::string head = "Publication: Monitor Volume: 5 Issue: 77 Date: 1999-04-21\n";
  const std::pair<std::string, std::string> cases[] = {
      {"Correction: 1999-02-30 " + kHex + " x\n", "not a calendar date"},
      {"Correction: 1999-04-22 " + kHex + "\n", "does not say what was corrected"},
      {"Correction: 1999-04-22 " + kHex + "   \n", "does not say what was corrected"},
      {"Correction: 1999-04-22\n", "no SHA-256"},
      {"Correction: 1999-04-22 " + std::string(63, 'a') + " x\n", "no SHA-256"},
      {"Correction: 1999-04-22 " + std::string(64, 'A') + " x\n", "no SHA-256"},
      {"Correction: 1999-04-22 " + std::string(63, 'a') + "g x\n", "no SHA-256"},
      {"Correction:\n", "not a calendar date"},
      {"Correction: 1999-04-20 " + kHex + " x\n", "before the issue's Date"},
      {"Correction: 1999-05-01 " + kHex + " x\nCorrection: 1999-04-30 " + kHex + " y\n", "before the one on line 2"},
      {"Embargo: 2030-01-01\n", "not an RFC 3339 date-time"},
      {"Embargo: 2030-01-01T06:00:00\n", "not an RFC 3339 date-time"},
      {"Embargo: soon\n", "not an RFC 3339 date-time"},
      {"Embargo: 2030-01-01T06:00:00Z\nEmbargo: 2030-01-02T06:00:00Z\n", "given twice"},
      // Regression: an offset that carries the time out of years 0000-9999 in
      // UTC was signed as "-001-12-31T-1:00:00Z" or "10000-...", which no
      // reader parses: an embargo long past held its edition back for ever.
      {"Embargo: 0000-01-01T00:00:00+01:00\n", "not an RFC 3339 date-time"},
      // Regression: a note with bidirectional controls or a line separator
      // was signed into every format, where U+202E shows the text after it
      // reversed (the note as displayed is not the note as written).
      {"Correction: 1999-04-22 " + kHex + " fixed \u202Etxt.exe\n", "the note"},
      {"Correction: 1999-04-22 " + kHex + " fixed \u2066x\u2069\n", "the note"},
      {"Correction: 1999-04-22 " + kHex + " one\u2028two\n", "the note"},
      {"Embargo: 9999-12-31T23:59:59-23:59\n", "not an RFC 3339 date-time"},
  };
  for (const auto& [lines, want] : cases) {
    try {
      Read(head + lines + "\nBody.\n");
      BOOST_ERROR("no error for: " + lines);
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().message.find(want) != std::string::npos, lines << " -> " << e.diagnostic().message);
      BOOST_TEST(e.diagnostic().line >= 2, lines);
    }
  }
}

}  // namespace
}  // namespace imprint
