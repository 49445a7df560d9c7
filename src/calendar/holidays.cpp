// Alberta general and optional holidays, computed for any year.
#include "bella/calendar/calendar.hpp"
#include "bella/calendar/named_days.hpp"

namespace bella::calendar {
namespace {

using date::days;
using date::sys_days;

}  // namespace

date::year_month_day easter_sunday(date::year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int yr = static_cast<int>(y);
  const int a = yr % 19;
  const int b = yr / 100;
  const int c = yr % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return date::year_month_day{y, date::month{static_cast<unsigned>(month)}, date::day{static_cast<unsigned>(day)}};
}

std::optional<std::string> alberta_holiday(date::year_month_day day, const HolidayOptions& opts) {
  const date::year y = day.year();
  auto is = [&](NamedDay n) { return day == date_of(n, y); };
  if (is(NamedDay::new_years_day)) return "New Year's Day";
  if (is(NamedDay::family_day)) return "Family Day";
  if (is(NamedDay::good_friday)) return "Good Friday";
  if (opts.easter_monday && is(NamedDay::easter_monday)) return "Easter Monday";
  if (is(NamedDay::victoria_day)) return "Victoria Day";
  {
    // July 1, or July 2 when July 1 is a Sunday (federal Holidays Act).
    const date::year_month_day july1 = date_of(NamedDay::canada_day, y);
    const bool sunday = date::weekday{sys_days{july1}} == date::Sunday;
    if (sys_days{day} == sys_days{july1} + days{sunday ? 1 : 0}) return "Canada Day";
  }
  if (is(NamedDay::civic_holiday)) {
    if (opts.heritage_day) return "Heritage Day";
    if (opts.civic_holiday_aug) return "Civic Holiday";
  }
  if (is(NamedDay::labour_day)) return "Labour Day";
  if (is(NamedDay::thanksgiving)) return "Thanksgiving Day";
  if (is(NamedDay::remembrance_day)) return "Remembrance Day";
  if (is(NamedDay::christmas_day)) return "Christmas Day";
  if (opts.boxing_day && is(NamedDay::boxing_day)) return "Boxing Day";
  if (opts.christmas_eve && is(NamedDay::christmas_eve)) return "Christmas Eve";
  return std::nullopt;
}

}  // namespace bella::calendar
