// Dates of the named days of the year (see bella/calendar/named_days.hpp).
#include "bella/calendar/named_days.hpp"

#include "bella/calendar/calendar.hpp"

namespace bella::calendar {
namespace {

using date::days;
using date::sys_days;

date::year_month_day nth(date::year y, date::month m, date::weekday wd, unsigned n) {
  return date::year_month_day{sys_days{y / m / wd[n]}};
}
date::year_month_day shifted(date::year_month_day d, int by) { return date::year_month_day{sys_days{d} + days{by}}; }

}  // namespace

date::year_month_day date_of(NamedDay d, date::year y) {
  using namespace date;
  switch (d) {
    case NamedDay::new_years_day: return y / January / 1;
    case NamedDay::family_day: return nth(y, February, Monday, 3);
    case NamedDay::valentines_day: return y / February / 14;
    case NamedDay::good_friday: return shifted(easter_sunday(y), -2);
    case NamedDay::easter_sunday: return easter_sunday(y);
    case NamedDay::easter_monday: return shifted(easter_sunday(y), 1);
    case NamedDay::mothers_day: return nth(y, May, Sunday, 2);
    case NamedDay::victoria_day: {
      const sys_days may24{y / May / 24};
      return year_month_day{may24 - (weekday{may24} - Monday)};
    }
    case NamedDay::fathers_day: return nth(y, June, Sunday, 3);
    case NamedDay::canada_day: return y / July / 1;
    case NamedDay::civic_holiday: return nth(y, August, Monday, 1);
    case NamedDay::labour_day: return nth(y, September, Monday, 1);
    case NamedDay::thanksgiving: return nth(y, October, Monday, 2);
    case NamedDay::halloween: return y / October / 31;
    case NamedDay::remembrance_day: return y / November / 11;
    case NamedDay::christmas_eve: return y / December / 24;
    case NamedDay::christmas_day: return y / December / 25;
    case NamedDay::boxing_day: return y / December / 26;
    case NamedDay::new_years_eve: return y / December / 31;
  }
  return y / January / 1;
}

}  // namespace bella::calendar
