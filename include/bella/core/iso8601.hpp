// ISO 8601 / RFC 3339 dates and times: the one parser and formatter every room uses (staff API,
// session JSON, LLM answers, configuration).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

#include "bella/core/types.hpp"

namespace bella::iso8601 {

/// Strict "YYYY-MM-DD" (a real calendar date).
std::optional<date::year_month_day> parse_date(std::string_view s);
/// A date-time WITH an offset: "2026-12-01T09:30:00-07:00", "...Z", "±HHMM", "±HH"; seconds and
/// fractions optional (fractions are dropped); 'T', 't' or ' ' between. No offset: nullopt, since
/// a local time without its zone is ambiguous.
std::optional<TimePoint> parse_datetime(std::string_view s);

/// "2026-12-01"
std::string format_date(date::year_month_day d);
/// "2026-12-01T16:30:00Z"
std::string format_utc(TimePoint t);
/// "2026-12-01T09:30:00-07:00": the wall-clock time in `zone` with that instant's offset.
std::string format_local(TimePoint t, const date::time_zone* zone);

}  // namespace bella::iso8601
