// The clock: the current time in seconds since the epoch.
#define BOOST_TEST_MODULE clock
#include "pipeline/base/clock.h"

#include <boost/test/unit_test.hpp>
#include <ctime>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(now_is_the_system_time_in_seconds) {
  const int64_t before = static_cast<int64_t>(std::time(nullptr));
  const int64_t now = Now();
  const int64_t after = static_cast<int64_t>(std::time(nullptr));
  BOOST_TEST(before <= now);
  BOOST_TEST(now <= after);
  BOOST_TEST(now > 1767225600);  // after 2026-01-01: seconds, not milliseconds or zero
  BOOST_TEST(now < 32503680000);  // before 3000-01-01
}

}  // namespace
}  // namespace imprint
