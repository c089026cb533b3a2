#include "pipeline/base/rfc3339.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

namespace imprint {
namespace {

// Exactly `n` ASCII digits.
std::optional<int> ReadDigits(const std::string& s, size_t* pos, int n) {
  if (*pos + n > s.size()) return std::nullopt;
  int value = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  *pos += n;
  return value;
}

bool ReadChar(const std::string& s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// A number of `n` digits within [lo, hi], then `sep` unless it is '\0'.
std::optional<int> ReadField(const std::string& s, size_t* pos, int n, int lo, int hi, char sep) {
  const std::optional<int> v = ReadDigits(s, pos, n);
  if (!v || *v < lo || *v > hi || (sep != '\0' && !ReadChar(s, pos, sep))) return std::nullopt;
  return v;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// full-date = YYYY-MM-DD, as days since the epoch.
std::optional<int64_t> ReadDate(const std::string& s, size_t* pos) {
  const auto y = ReadField(s, pos, 4, 0, 9999, '-');
  const auto m = y ? ReadField(s, pos, 2, 1, 12, '-') : std::nullopt;
  const auto d = m ? ReadField(s, pos, 2, 1, DaysInMonth(*y, *m), '\0') : std::nullopt;
  if (!d) return std::nullopt;
  return DaysFromCivil(*y, *m, *d);
}

// "T" partial-time time-offset, as seconds since the day's midnight UTC
// (negative or past the day when the offset carries it over).
std::optional<int64_t> ReadTimeOfDay(const std::string& s, size_t* pos) {
  if (!ReadChar(s, pos, 'T') && !ReadChar(s, pos, 't')) return std::nullopt;
  const auto h = ReadField(s, pos, 2, 0, 23, ':');
  const auto m = h ? ReadField(s, pos, 2, 0, 59, ':') : std::nullopt;
  const auto sec = m ? ReadField(s, pos, 2, 0, 60, '\0') : std::nullopt;
  if (!sec) return std::nullopt;
  if (ReadChar(s, pos, '.')) {  // time-secfrac: at least one digit, dropped
    const size_t first = *pos;
    while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') ++*pos;
    if (*pos == first) return std::nullopt;
  }
  int64_t local = *h * 3600 + *m * 60 + *sec;
  if (ReadChar(s, pos, 'Z') || ReadChar(s, pos, 'z')) return local;
  const bool ahead = ReadChar(s, pos, '+');
  if (!ahead && !ReadChar(s, pos, '-')) return std::nullopt;
  const auto oh = ReadField(s, pos, 2, 0, 23, ':');
  const auto om = oh ? ReadField(s, pos, 2, 0, 59, '\0') : std::nullopt;
  if (!om) return std::nullopt;
  const int64_t offset = *oh * 3600 + *om * 60;
  return ahead ? local - offset : local + offset;
}

}  // namespace

std::optional<int64_t> ParseTime(const std::string& text, bool end_of_day) {
  size_t pos = 0;
  const std::optional<int64_t> day = ReadDate(text, &pos);
  if (!day) return std::nullopt;
  if (pos == text.size()) return end_of_day ? *day * 86400 + 86399 : *day * 86400;
  const std::optional<int64_t> time = ReadTimeOfDay(text, &pos);
  if (!time || pos != text.size()) return std::nullopt;
  // An offset may carry the instant out of years 0000 to 9999, which no
  // RFC 3339 time in UTC (FormatTime) can then write.
  static const int64_t kFirst = DaysFromCivil(0, 1, 1) * 86400, kEnd = DaysFromCivil(10000, 1, 1) * 86400;
  const int64_t at = *day * 86400 + *time;
  if (at < kFirst || at >= kEnd) return std::nullopt;
  return at;
}

std::string FormatTime(int64_t seconds) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds), "%Y-%m-%dT%H:%M:%SZ");
}

std::string FormatDate(int64_t seconds) { return FormatTime(seconds).substr(0, 10); }

bool IsCalendarDate(const std::string& text) { return text.size() == 10 && ParseTime(text).has_value(); }

}  // namespace imprint
