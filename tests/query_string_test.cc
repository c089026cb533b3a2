// query_string.h: the search routes' query strings, decoded by hand.
#define BOOST_TEST_MODULE query_string
#include <boost/test/unit_test.hpp>

#include "pipeline/server/query_string.h"

namespace imprint {
namespace {

std::string Q(const std::string& query) {
  const std::optional<QueryPairs> pairs = DecodeQuery(query);
  BOOST_REQUIRE_MESSAGE(pairs, query);
  return QueryValue(*pairs, "q");
}

BOOST_AUTO_TEST_CASE(decodes_percent_escapes_and_plus_as_space) {
  BOOST_TEST(Q("q=a+b%20c") == "a b c");
  BOOST_TEST(Q("q=%D0%BC%D0%B8%D1%80") == "мир");
  BOOST_TEST(Q("q=%2B%25%26%3D") == "+%&=");
  BOOST_TEST(Q("x=1&q=first&q=second") == "first");
  BOOST_TEST(Q("q=a=b") == "a=b");
  BOOST_TEST(Q("") == "");
  BOOST_TEST(Q("q") == "");
  BOOST_TEST(Q("&&q=x&") == "x");
  BOOST_TEST(Q("q=%22NEAR(a%20b)%22") == "\"NEAR(a b)\"");
}

BOOST_AUTO_TEST_CASE(refuses_malformed_escapes_bad_utf8_controls_and_excess) {
  for (const std::string bad : {"q=%", "q=%4", "q=%G1", "q=%FF", "q=%C0%AF", "q=%ED%A0%80", "q=%F4%90%80%80",
                                "q=%00", "q=%0A", "q=%7F", "q=%C2%85", "q=a b", "q=a\"b", "q=<", "q=a#b",
                                "%FF=x", "q=%EF%BF%BE", "q=%E2%80%AE", "q=%09"}) {
    BOOST_TEST(!DecodeQuery(bad).has_value(), bad);
  }
  BOOST_TEST(!DecodeQuery("q=" + std::string(kMaxQueryString, 'a')).has_value());
  BOOST_TEST(DecodeQuery("q=" + std::string(kMaxQueryString - 2, 'a')).has_value());
  std::string many;
  for (size_t i = 0; i <= kMaxQueryPairs; ++i) many += "a=1&";
  BOOST_TEST(!DecodeQuery(many).has_value());
}

}  // namespace
}  // namespace imprint
