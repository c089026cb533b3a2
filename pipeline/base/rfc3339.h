// RFC 3339 times as text: the one reader and writer of dates and date-times,
// for licenses (valid from, until), the raw header's Embargo and Correction
// dates, and withdrawals. Strict to the letter and without regular
// expressions (it reads untrusted text). Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_RFC3339_H_
#define IMPRINT_PIPELINE_BASE_RFC3339_H_

#include <cstdint>
#include <optional>
#include <string>

namespace imprint {

// Seconds since the epoch for an RFC 3339 full-date "YYYY-MM-DD" (midnight
// UTC; with `end_of_day`, the day's last second) or date-time
// ("2026-01-01T09:30:00Z", "...T09:30:00.5+02:00"); nullopt when the text is
// neither, to the letter: every field its digits and range (the days of each
// month, leap years, seconds to 60, offsets to 23:59), nothing after it,
// and an instant within years 0000 to 9999 in UTC (so FormatTime writes it).
std::optional<int64_t> ParseTime(const std::string& text, bool end_of_day = false);
std::string FormatTime(int64_t seconds);  // "2026-11-28T05:00:00Z"

// "2026-11-28": the UTC calendar day of `seconds`.
std::string FormatDate(int64_t seconds);

// Whether `text` is a calendar date "YYYY-MM-DD" (days of each month, leap
// years checked) and nothing else.
bool IsCalendarDate(const std::string& text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_RFC3339_H_
