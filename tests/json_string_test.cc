// The one JSON string escaper: RFC 8785's escaping, and the HTML-safe variant
// of the page's JSON-LD block.
#define BOOST_TEST_MODULE json_string
#include "pipeline/base/json_string.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>
#include <string>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(rfc_8785_escapes_quotes_backslashes_and_controls_only) {
  BOOST_TEST(JsonString("plain") == "\"plain\"");
  BOOST_TEST(JsonString("a\"b\\c") == "\"a\\\"b\\\\c\"");
  BOOST_TEST(JsonString("\b\f\n\r\t") == "\"\\b\\f\\n\\r\\t\"");
  BOOST_TEST(JsonString(std::string("\0\x01\x1f", 3)) == "\"\\u0000\\u0001\\u001f\"");
  BOOST_TEST(JsonString("\x7f/<>&\xC3\xA9") == "\"\x7f/<>&\xC3\xA9\"");  // DEL, '/', markup and UTF-8 as they are
}

BOOST_AUTO_TEST_CASE(in_html_markup_characters_are_escaped_too) {
  BOOST_TEST(JsonString("</script><!--&", JsonEscaping::kInHtml) == "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
  BOOST_TEST(JsonString("a\"\n", JsonEscaping::kInHtml) == "\"a\\\"\\n\"");
}

BOOST_AUTO_TEST_CASE(every_byte_reads_back_to_the_letter) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  for (JsonEscaping e : {JsonEscaping::kMinimal, JsonEscaping::kInHtml}) {
    Poco::JSON::Parser parser;  // which reads no bare string: one in an array
    const auto array = parser.parse("[" + JsonString(all, e) + "]").extract<Poco::JSON::Array::Ptr>();
    BOOST_TEST(array->getElement<std::string>(0) == all);
  }
  std::string appended = "x";
  AppendJsonString("y", &appended);
  BOOST_TEST(appended == "x\"y\"");
}

}  // namespace
}  // namespace imprint
