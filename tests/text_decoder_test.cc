// Decoding raw bytes: UTF-8 with or without BOM, Windows-1252 transcoded with
// a warning, and everything else an error naming the line.
#define BOOST_TEST_MODULE text_decoder
#include "pipeline/base/text_decoder.h"

#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

int ErrorLine(const std::string& bytes, const std::string& message_part) {
  try {
    DecodeText(bytes, "f.txt");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == "f.txt");
    BOOST_TEST(e.diagnostic().message.find(message_part) != std::string::npos,
               e.diagnostic().message);
    return e.diagnostic().line;
  }
  BOOST_FAIL("no error");
  return 0;
}

BOOST_AUTO_TEST_CASE(utf8_passes_through_and_a_bom_is_dropped) {
  const std::string text = "Tajikistan\u2019s \u201cpeace\u201d \u2014 \u0420\u043e\u0441\u0441\u0438\u044f \U0001F4F0\r\n";
  BOOST_TEST(DecodeText(text, "f").utf8 == text);
  BOOST_TEST(DecodeText("\xEF\xBB\xBF" + text, "f").utf8 == text);
  BOOST_TEST(DecodeText(text, "f").warnings.empty());
}

BOOST_AUTO_TEST_CASE(windows_1252_is_transcoded_with_a_warning) {
  const DecodedText d = DecodeText("line one\n\x93quoted\x94 \x96 it\x92s \x97 \x80 caf\xE9\n", "f");
  BOOST_TEST(d.utf8 == "line one\n\u201cquoted\u201d \u2013 it\u2019s \u2014 \u20ac caf\u00e9\n");
  BOOST_REQUIRE_EQUAL(d.warnings.size(), 1u);
  BOOST_TEST(d.warnings[0].line == 2);
  BOOST_TEST(d.warnings[0].ToString() == "f:2: warning: not UTF-8; transcoded from Windows-1252");
}

BOOST_AUTO_TEST_CASE(bytes_of_no_known_encoding_are_errors) {
  for (const char* byte : {"\x81", "\x8D", "\x8F", "\x90", "\x9D"}) {
    BOOST_TEST(ErrorLine(std::string("a\nb\n\x93x\x94 ") + byte, "neither UTF-8 nor Windows-1252") == 3);
  }
}

BOOST_AUTO_TEST_CASE(damaged_utf8_is_not_mistaken_for_windows_1252) {
  BOOST_TEST(ErrorLine("caf\xC3\xA9\nbad \xE2\x80 end", "invalid UTF-8 byte 0xE2") == 2);
  BOOST_TEST(ErrorLine("\xEF\xBB\xBF" "x\n\n\xFF", "invalid UTF-8 byte 0xFF") == 3);
  // Overlong forms and surrogates are not UTF-8 either.
  BOOST_TEST(ErrorLine("\xC3\xA9 \xC0\xAF", "invalid UTF-8") == 1);
  BOOST_TEST(ErrorLine("\xC3\xA9 \xED\xA0\x80", "invalid UTF-8") == 1);
}

BOOST_AUTO_TEST_CASE(damaged_utf8_is_found_wherever_the_damage_is) {
  const std::string good = "caf\xC3\xA9 \xE2\x80\x94 na\xC3\xAFve\n";
  // Damage at the start, the middle and the end of a UTF-8 file.
  BOOST_TEST(ErrorLine("\xE2\x80\n" + good + good, "invalid UTF-8 byte 0xE2") == 1);
  BOOST_TEST(ErrorLine(good + "\xC3\n" + good, "invalid UTF-8 byte 0xC3") == 2);
  BOOST_TEST(ErrorLine(good + good + "\xF0\x9F", "invalid UTF-8 byte 0xF0") == 3);
}

BOOST_AUTO_TEST_CASE(control_characters_are_errors_with_their_line) {
  BOOST_TEST(ErrorLine(std::string("a\r\nb\r\nc\0d", 9), "NUL byte") == 3);
  BOOST_TEST(ErrorLine("a\rb\x07", "U+0007") == 2);
  BOOST_TEST(ErrorLine("x\x1B[31m", "U+001B") == 1);
  BOOST_TEST(ErrorLine("a\n\xC2\x85", "U+0085") == 2);        // C1 control in UTF-8
  BOOST_TEST(ErrorLine("a\n\xEF\xBF\xBF", "U+FFFF") == 2);    // noncharacter
  BOOST_TEST(DecodeText("tab\there\r\n", "f").utf8 == "tab\there\r\n");
}

BOOST_AUTO_TEST_CASE(letter_case) {
  auto first = [](const std::string& s) {
    size_t pos = 0;
    return NextLetterCase(s, &pos);
  };
  BOOST_TEST((first("A") == LetterCase::kUpper));
  BOOST_TEST((first("a") == LetterCase::kLower));
  BOOST_TEST((first("1") == LetterCase::kNotALetter));
  BOOST_TEST((first("\u0416") == LetterCase::kUpper));   // Cyrillic Zhe
  BOOST_TEST((first("\u0436") == LetterCase::kLower));
  BOOST_TEST((first("\u00C9") == LetterCase::kUpper));
  BOOST_TEST((first("\u6587") == LetterCase::kUncased));
  BOOST_TEST((first("\u2019") == LetterCase::kNotALetter));
  std::string two = "\u0416b";
  size_t pos = 0;
  NextLetterCase(two, &pos);
  BOOST_TEST(pos == 2u);
}

BOOST_AUTO_TEST_CASE(one_line_labels_are_utf8_without_controls_or_layout_characters) {
  size_t length = 0;
  BOOST_TEST(OneLineTextProblem("Ada Lovelace \xc3\xa9\xe2\x82\xac\xf0\x9f\x93\x9a", &length) == "");
  BOOST_TEST(length == 16u);  // characters, not bytes
  for (const std::string& bad : std::vector<std::string>{"\x01", "a\tb", "a\nb", "a\rb", "\x7f", "\xc2\x80", "\xc2\x9f", "\xff", "\xc3",
                                "\xed\xa0\x80", "\xc0\xaf", "\xef\xb7\x90", "\xe2\x80\xa8", "\xe2\x80\xae",
                                "\xe2\x81\xa9", std::string("a\0b", 3)}) {
    BOOST_TEST(!OneLineTextProblem(bad, &length).empty(), bad.size());
  }
  BOOST_TEST(OneLineTextProblem("A\x1b" "b", &length) == "control character U+001B at 1 is not text");
}

// Regression: the bidirectional marks (U+200E LRM, U+200F RLM, U+061C ALM)
// passed, though Unicode's Bidi_Control property counts them with the
// embeddings, overrides and isolates: "Eve\u200F (1)" went into copies.
BOOST_AUTO_TEST_CASE(every_bidi_control_character_is_refused_in_a_label) {
  size_t length = 0;
  for (const std::string& mark : std::vector<std::string>{"\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c"}) {
    BOOST_TEST(OneLineTextProblem("Eve" + mark + " (1)", &length).find("would break the line or reorder") !=
                   std::string::npos,
               mark.size());
  }
  // Joiners stay: names in Persian or Indic scripts need them.
  BOOST_TEST(OneLineTextProblem("\xd9\x85\xe2\x80\x8c\xd9\x86", &length) == "");
}

BOOST_AUTO_TEST_CASE(lines_split_at_lf_and_crlf) {
  BOOST_TEST((TextLines("a\r\nb\n\nc") == std::vector<std::string_view>{"a", "b", "", "c"}));
  BOOST_TEST((TextLines("a\n") == std::vector<std::string_view>{"a"}));
  BOOST_TEST(TextLines("").empty());
}

}  // namespace
}  // namespace imprint
