// RFC 8785 canonical form: member order by UTF-16 code units, minimal escapes,
// no white space.
#define BOOST_TEST_MODULE canonical_json
#include "pipeline/base/canonical_json.h"


// Regression: canonical_json.h exposed Poco::Dynamic::Var, so every user of
// canonical JSON compiled against Poco. It is included first, alone.
#ifdef Foundation_Foundation_INCLUDED
#define IMPRINT_CANONICAL_JSON_H_INCLUDES_POCO 1
#else
#define IMPRINT_CANONICAL_JSON_H_INCLUDES_POCO 0
#endif

#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(members_sorted_by_utf16_code_units) {
  // RFC 8785 section 3.2.3's sorting example (string values simplified).
  const std::string in =
      "{\"\\u20ac\": 1, \"\\r\": 2, \"\\ufb33\": 3, \"1\": 4, \"\\ud83d\\ude00\": 5, "
      "\"\\u0080\": 6, \"\\u00f6\": 7}";
  BOOST_TEST(Canonicalize(in, "t") ==
             "{\"\\r\":2,\"1\":4,\"\u0080\":6,\"\u00f6\":7,\"\u20ac\":1,\"\U0001F600\":5,\"\ufb33\":3}");
}

BOOST_AUTO_TEST_CASE(white_space_literals_nesting_and_escapes) {
  BOOST_TEST(Canonicalize(" { \"b\" : [ 1 , true , false , null ] , \"a\" : { \"z\" : \"\" , \"y\" : -7 } } ", "t") ==
             "{\"a\":{\"y\":-7,\"z\":\"\"},\"b\":[1,true,false,null]}");
  BOOST_TEST(Canonicalize("[\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\\u00e9\\u2028\"]", "t") ==
             "[\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\u00e9\u2028\"]");
}

BOOST_AUTO_TEST_CASE(fractions_and_bad_json_are_errors) {
  BOOST_CHECK_THROW(Canonicalize("[1.5]", "t"), Error);
  BOOST_CHECK_THROW(Canonicalize("{\"a\":", "t"), Error);
}

BOOST_AUTO_TEST_CASE(errors_name_the_file_and_the_problem) {
  for (const std::string json : {"[1.5]", "{\"a\":", "", "[1e3]"}) {
    try {
      Canonicalize(json, "doc.json");
      BOOST_FAIL("no error for " + json);
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().file == "doc.json");
      BOOST_TEST(!e.diagnostic().message.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(header_does_not_expose_poco) {
  BOOST_TEST(IMPRINT_CANONICAL_JSON_H_INCLUDES_POCO == 0);
}

// What a signature covers: the document without its signature member.
BOOST_AUTO_TEST_CASE(without_a_member_leaves_it_out_at_the_top_only) {
  const std::string doc = "{\"b\":{\"signature\":1},\"signature\":{\"value\":\"x\"},\"a\":[2]}";
  BOOST_TEST(CanonicalizeWithout(doc, "signature", "t") == "{\"a\":[2],\"b\":{\"signature\":1}}");
  BOOST_TEST(CanonicalizeWithout("{\"a\":1}", "signature", "t") == "{\"a\":1}");
  BOOST_CHECK_THROW(CanonicalizeWithout("[1]", "signature", "t"), Error);  // not an object
  BOOST_CHECK_THROW(CanonicalizeWithout("{\"a\":0.5}", "signature", "t"), Error);
}

}  // namespace
}  // namespace imprint
