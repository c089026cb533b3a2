// search_query.h: subscribers' words into an FTS5 expression of quoted terms.
#define BOOST_TEST_MODULE search_query
#include <boost/test/unit_test.hpp>

#include "pipeline/search/search_query.h"

namespace imprint {
namespace {

using Terms = std::vector<std::string>;

BOOST_AUTO_TEST_CASE(splits_at_white_space_and_controls_dropping_punctuation_only_terms) {
  BOOST_TEST(QueryTerms("  Moscow\ttreaty\n") == (Terms{"Moscow", "treaty"}), boost::test_tools::per_element());
  BOOST_TEST(QueryTerms(std::string("a\0b", 3)) == (Terms{"a", "b"}), boost::test_tools::per_element());
  BOOST_TEST(QueryTerms("\" ' * ^ ( ) : -- \"\"").empty());
  BOOST_TEST(QueryTerms("Москва").size() == 1u);
}

BOOST_AUTO_TEST_CASE(quotes_every_term_doubling_quotes_and_ands_them) {
  BOOST_TEST(Fts5Match({}) == "");
  BOOST_TEST(Fts5Match({"a"}) == "\"a\"");
  BOOST_TEST(Fts5Match({"NEAR(a", "b\")", "title:x"}) == "\"NEAR(a\" AND \"b\"\")\" AND \"title:x\"");
}

BOOST_AUTO_TEST_CASE(the_public_match_filters_columns_around_the_quoted_terms) {
  BOOST_TEST(Fts5MatchTitles({}) == "");
  BOOST_TEST(Fts5MatchTitles({"a", "{body}:b)"}) == "{title headlines} : (\"a\" AND \"{body}:b)\")");
}

BOOST_AUTO_TEST_CASE(bounds_the_bytes_and_terms_read_never_cutting_a_character) {
  std::string many;
  for (int i = 0; i < 100; ++i) many += "w" + std::to_string(i) + " ";
  BOOST_TEST(QueryTerms(many).size() == kMaxQueryTerms);
  std::string cyrillic;
  while (cyrillic.size() < kMaxQueryBytes + 10) cyrillic += "ж";
  const Terms terms = QueryTerms(" " + cyrillic);  // the cut falls inside a character
  BOOST_REQUIRE_EQUAL(terms.size(), 1u);
  BOOST_TEST(terms[0].size() % 2 == 0u);
  BOOST_TEST(terms[0].size() <= kMaxQueryBytes);
}

}  // namespace
}  // namespace imprint
