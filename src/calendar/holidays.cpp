// Alberta general and optional holidays, computed for any year.
#include "bella/calendar/calendar.hpp"

namespace bella::calendar {
namespace {

using date::days;
using date::sys_days;

// The n-th (1-based) given weekday of a month.
date::year_month_day nth_weekday(date::year y, date::month m, date::weekday wd, unsigned n) {
  return date::year_month_day{sys_days{y / m / wd[n]}};
}

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
  using namespace date::literals;
  const date::year y = day.year();
  const date::month m = day.month();
  const unsigned d = static_cast<unsigned>(day.day());
  const sys_days sd{day};

  if (m == date::January && d == 1) return "New Year's Day";
  if (day == nth_weekday(y, date::February, date::Monday, 3)) return "Family Day";
  const sys_days easter{easter_sunday(y)};
  if (sd == easter - days{2}) return "Good Friday";
  if (opts.easter_monday && sd == easter + days{1}) return "Easter Monday";
  if (m == date::May) {
    // Monday before May 25 = the last Monday on or before May 24.
    const sys_days may24{y / date::May / 24};
    const sys_days victoria = may24 - (date::weekday{may24} - date::Monday);
    if (sd == victoria) return "Victoria Day";
  }
  if (m == date::July) {
    const bool july1_sunday = date::weekday{sys_days{y / date::July / 1}} == date::Sunday;
    if (d == (july1_sunday ? 2U : 1U)) return "Canada Day";
  }
  if (day == nth_weekday(y, date::August, date::Monday, 1)) {
    if (opts.heritage_day) return "Heritage Day";
    if (opts.civic_holiday_aug) return "Civic Holiday";
  }
  if (day == nth_weekday(y, date::September, date::Monday, 1)) return "Labour Day";
  if (day == nth_weekday(y, date::October, date::Monday, 2)) return "Thanksgiving Day";
  if (m == date::November && d == 11) return "Remembrance Day";
  if (m == date::December) {
    if (d == 25) return "Christmas Day";
    if (d == 26 && opts.boxing_day) return "Boxing Day";
    if (d == 24 && opts.christmas_eve) return "Christmas Eve";
  }
  return std::nullopt;
}

}  // namespace bella::calendar
