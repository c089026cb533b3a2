// RFC 3339 times as text: strict to the letter (issue 12, point 9), and the
// calendar dates of raw headers, corrections and withdrawals.
#define BOOST_TEST_MODULE rfc3339
#include "pipeline/base/rfc3339.h"

#include <boost/test/unit_test.hpp>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(times) {
  BOOST_TEST(*ParseTime("2026-01-01") == 1767225600);
  BOOST_TEST(*ParseTime("2026-01-01", true) == 1767225600 + 86399);
  BOOST_TEST(*ParseTime("2026-01-01T01:00:00Z") == 1767229200);
  BOOST_TEST(*ParseTime("2026-01-01T03:00:00+02:00") == 1767229200);
  BOOST_TEST(FormatTime(1767229200) == "2026-01-01T01:00:00Z");
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "yesterday", "2026-01-01 01:00", "01/01/2026"}) {
    BOOST_TEST(!ParseTime(bad).has_value(), bad);
  }
}

// ---- issue 12, point 9: times are RFC 3339 to the letter -------------------

BOOST_AUTO_TEST_CASE(times_are_strict_rfc3339) {
  for (const char* bad :
       {"2026-01-01Tab:cd:efZ", "2026-01-01T00:00:00Zjunk", "2026-01-01T00:00:00Z ", "2026-01-01T00:00:00+99:99",
        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+23:60", "2026-01-01T00:00:00+0100", "2026-01-01T24:00:00Z",
        "2026-01-01T23:60:00Z", "2026-01-01T23:59:61Z", "2026-01-01T00:00:00", "2026-01-01T00:00Z",
        "2026-01-01T0:00:00Z", "2026-01-01T00:00:00.Z", "2026-02-29", "2026-04-31", "1900-02-29", "2026-00-10",
        "2026-01-00", "2026-01-32", "2026-1-01", "20260101", "2026-01-01x", " 2026-01-01", "+2026-01-01",
        "2026-01-01T00:00:00ZZ", "2026-01-01TT00:00:00Z", "2026-01-01\t"}) {
    BOOST_TEST(!ParseTime(bad).has_value(), bad);
  }
  BOOST_TEST(*ParseTime("2024-02-29") == 1709164800);
  BOOST_TEST(*ParseTime("2000-02-29T00:00:00Z") == 951782400);
  BOOST_TEST(*ParseTime("2026-01-01T01:00:00.123Z") == 1767229200);
  BOOST_TEST(*ParseTime("2026-01-01t01:00:00z") == 1767229200);
  BOOST_TEST(*ParseTime("2026-01-01T23:59:59+23:59") == 1767225600 + 86399 - 86340);
  BOOST_TEST(*ParseTime("2026-01-01T00:00:00-00:30") == 1767225600 + 1800);
  BOOST_TEST(*ParseTime("2016-12-31T23:59:60Z") == 1483228800);  // a leap second: the next minute's first
  BOOST_TEST(*ParseTime("1970-01-01") == 0);
}

// Found attacking issue 12, point 9: an offset carried a time past year
// 9999 or before year 0000, which RFC 3339's four-digit year cannot write:
// `license issue --until 9999-12-31T23:59:59-23:59` signed a license ending
// "10000-01-01T23:58:59Z", and `--from 0000-01-01T00:00:00+00:01` one
// starting "0000-01-01T00:-1:00Z", documents no reader of times accepts.
BOOST_AUTO_TEST_CASE(times_outside_years_0000_to_9999_are_refused) {
  for (const char* bad : {"9999-12-31T23:59:59-23:59", "9999-12-31T23:59:60Z", "9999-12-31T23:30:00-00:30",
                          "0000-01-01T00:00:00+00:01", "0000-01-01T23:00:00+23:01"}) {
    BOOST_TEST(!ParseTime(bad).has_value(), bad);
  }
  const int64_t first = *ParseTime("0000-01-01");
  const int64_t last = *ParseTime("9999-12-31", /*end_of_day=*/true);
  BOOST_TEST(first == -62167219200);
  BOOST_TEST(last == 253402300799);
  BOOST_TEST(*ParseTime("9999-12-31T23:59:59Z") == last);
  BOOST_TEST(*ParseTime("9999-12-31T23:59:59+00:00") == last);
  BOOST_TEST(*ParseTime("0000-01-01T00:00:00Z") == first);
  BOOST_TEST(*ParseTime("0000-01-01T00:00:00-00:01") == first + 60);
  // What is read is written back as it was read, in UTC.
  BOOST_TEST(FormatTime(first) == "0000-01-01T00:00:00Z");
  BOOST_TEST(FormatTime(last) == "9999-12-31T23:59:59Z");
  BOOST_TEST(FormatTime(*ParseTime("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(calendar_dates_and_days) {
  BOOST_TEST(IsCalendarDate("2024-02-29"));
  for (const char* bad : {"2023-02-29", "2026-01-01T00:00:00Z", "2026-1-1", "", "2026-01-01 "}) {
    BOOST_TEST(!IsCalendarDate(bad), bad);
  }
  BOOST_TEST(FormatDate(1767229200) == "2026-01-01");
}

}  // namespace
}  // namespace imprint
