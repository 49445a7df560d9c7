// Named days of the Canadian year (statutory holidays and the days callers name: Christmas Eve,
// Halloween, Mother's Day...), computed for any year. The one place their dates are defined: the
// holiday rules (holidays.cpp) and the date/time understanding both read them here.
#pragma once
#include <date/date.h>

namespace bella::calendar {

enum class NamedDay {
  new_years_day,    // January 1
  family_day,       // 3rd Monday of February (Alberta, BC, ON, SK, NB; "Louis Riel Day" in MB)
  valentines_day,   // February 14
  good_friday,      // Friday before Easter Sunday
  easter_sunday,    // Gregorian computus
  easter_monday,    // Monday after Easter Sunday
  mothers_day,      // 2nd Sunday of May
  victoria_day,     // Monday before May 25
  fathers_day,      // 3rd Sunday of June
  canada_day,       // July 1 (the date itself; the observed Monday rule lives in alberta_holiday)
  civic_holiday,    // 1st Monday of August (Heritage Day in Alberta, many regional names)
  labour_day,       // 1st Monday of September
  thanksgiving,     // 2nd Monday of October (Canadian)
  halloween,        // October 31
  remembrance_day,  // November 11
  christmas_eve,    // December 24
  christmas_day,    // December 25
  boxing_day,       // December 26
  new_years_eve,    // December 31
};

/// The date of `d` in year `y`.
date::year_month_day date_of(NamedDay d, date::year y);

}  // namespace bella::calendar
