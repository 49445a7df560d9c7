// extract_datetime / hear_datetime on any utterance, at a fixed "now" and focus days.
// Oracle: no crash, no exception; extract_datetime never returns a time hear_datetime marks past.
#include "fuzz_util.hpp"

#include <date/tz.h>

#include "bella/calendar/calendar.hpp"
#include "bella/understand/extract.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bella::calendar::BusinessCalendar calendar(
      date::locate_zone("America/Edmonton"), bella::calendar::OpeningHours::parse("Mon-Fri 09:00-17:00"));
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Tuesday 5 March 2030 17:00 UTC (10:00 in Edmonton), five days before DST starts.
  const std::chrono::sys_seconds now{std::chrono::seconds{1898960400}};
  bella::understand::TimeContext ctx{.now = now, .calendar = &calendar};
  try {
    const auto heard = bella::understand::hear_datetime(text, ctx);
    const auto when = bella::understand::extract_datetime(text, ctx);
    if (heard && heard->past && when) bella::fuzz::fail("extract_datetime returned a past time");
    ctx.focus_day = date::year_month_day{date::year{2030}, date::month{3}, date::day{10}};
    (void)bella::understand::hear_datetime(text, ctx);
  } catch (const std::exception& e) {
    bella::fuzz::fail("the date/time grammar threw", e.what());
  }
  return 0;
}
