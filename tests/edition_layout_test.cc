// The output layout of the editions contract.
#define BOOST_TEST_MODULE edition_layout
#include "pipeline/base/edition_layout.h"

#include <boost/test/unit_test.hpp>
#include <string>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(zero_padded_to_two_and_three_digits_at_least) {
  BOOST_TEST(EditionPath("monitor", 5, 77) == "monitor/v05/i077");
  BOOST_TEST(EditionBaseName("monitor", 5, 77) == "monitor-v05-i077");
  BOOST_TEST(EditionPath("prism", 12, 1) == "prism/v12/i001");
  BOOST_TEST(EditionPath("russia-review", 123, 4567) == "russia-review/v123/i4567");
  BOOST_TEST(EditionBaseName("m", 99999, 99999) == "m-v99999-i99999");
}

BOOST_AUTO_TEST_CASE(paths_are_read_back_by_the_same_grammar) {
  const auto p = ParseEditionPath("monitor/v05/i077");
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->slug == "monitor");
  BOOST_TEST(p->volume == 5);
  BOOST_TEST(p->issue == 77);
  BOOST_TEST(ParseEditionPath("russia-review/v5/i77")->issue == 77);  // padding optional
  BOOST_TEST(ParseEditionPath("m/v99999/i99999")->volume == 99999);
  for (const char* bad : {"", "monitor", "monitor/v05", "monitor/v05/i077/", "/monitor/v05/i077", "monitor//v05/i077",
                          "Monitor/v05/i077", "-monitor/v05/i077", "monitor-/v05/i077", "mon--itor/v05/i077",
                          "../v05/i077", "monitor/v00/i001", "monitor/v01/i000", "monitor/v/i001", "monitor/v05/i",
                          "monitor/v123456/i001", "monitor/05/i077", "monitor/v05/077", "monitor/v05/i07x",
                          "monitor/v+5/i077", "monitor/v05/i077 ", "mon itor/v05/i077"}) {
    BOOST_TEST(!ParseEditionPath(bad).has_value(), bad);
  }
  // Long hostile text is refused in linear time.
  BOOST_TEST(!ParseEditionPath(std::string(1000000, 'a') + "/v").has_value());
}

}  // namespace
}  // namespace imprint
