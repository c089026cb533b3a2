// The output layout of the editions contract.
#define BOOST_TEST_MODULE edition_layout
#include "pipeline/edition_layout.h"

#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(zero_padded_to_two_and_three_digits_at_least) {
  BOOST_TEST(EditionPath("monitor", 5, 77) == "monitor/v05/i077");
  BOOST_TEST(EditionBaseName("monitor", 5, 77) == "monitor-v05-i077");
  BOOST_TEST(EditionPath("prism", 12, 1) == "prism/v12/i001");
  BOOST_TEST(EditionPath("russia-review", 123, 4567) == "russia-review/v123/i4567");
  BOOST_TEST(EditionBaseName("m", 99999, 99999) == "m-v99999-i99999");
}

}  // namespace
}  // namespace imprint
