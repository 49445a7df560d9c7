// The bella-extract JSON-lines protocol as a pure function (one request line -> one reply line).
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "bella/calendar/calendar.hpp"

namespace bella::understand {

/// Turns `{"kind":"time"|"phone"|"name"|"yesno","text":"…","ref":"YYYY-MM-DDTHH:MM:SS",
/// "tz":"America/Edmonton","from":"+1…"}` into `{"value": …}` (a "YYYY-MM-DDTHH:MM" string,
/// {"date":"YYYY-MM-DD"}, an E.164 string, a name, "yes"/"no" or null), or `{"error":"…"}` for a
/// malformed line. `ref` is local wall time in `tz` (default: the extractor's zone); without it
/// `now` is used. Calendars are cached per zone.
class LineExtractor {
 public:
  LineExtractor(calendar::OpeningHours hours, calendar::HolidayOptions holidays = {},
                std::string default_zone = "America/Edmonton");
  ~LineExtractor();
  LineExtractor(const LineExtractor&) = delete;
  LineExtractor& operator=(const LineExtractor&) = delete;

  std::string run(std::string_view line, std::chrono::sys_seconds now);

  /// With explain on, each reply also says how the value was found: "rule" (the rule that
  /// produced it) and, per kind, what was heard (time: "said", "date_rule", "span", "past",
  /// "weekday_mismatch", "dst_gap"; name: "carrier", "spelled", "given_only"). "value" is unchanged.
  void set_explain(bool on) { explain_ = on; }

 private:
  const calendar::BusinessCalendar& calendar_for(const std::string& zone);

  calendar::OpeningHours hours_;
  calendar::HolidayOptions holidays_;
  std::string default_zone_;
  std::map<std::string, std::unique_ptr<calendar::BusinessCalendar>> calendars_;
  bool explain_ = false;
};

/// Formats a local time "YYYY-MM-DDTHH:MM".
std::string format_local_minute(date::local_seconds t);

}  // namespace bella::understand
