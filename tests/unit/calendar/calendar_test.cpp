// Business calendar: hours parsing, Alberta holidays over several years, DST days, slots.
#include <gtest/gtest.h>

#include <stdexcept>

#include "bella/calendar/calendar.hpp"

namespace bella::calendar {
namespace {

using namespace std::chrono_literals;
using date::local_days;
using date::sys_days;

const date::time_zone* edmonton() {
  static const date::time_zone* zone = date::locate_zone("America/Edmonton");
  return zone;
}

BusinessCalendar weekday_calendar(std::string_view spec = "Mon-Fri 09:00-17:00", HolidayOptions opts = {}) {
  return BusinessCalendar(edmonton(), OpeningHours::parse(spec), opts);
}

date::year_month_day ymd(int y, unsigned m, unsigned d) {
  return date::year_month_day{date::year{y}, date::month{m}, date::day{d}};
}

SysSeconds local(const BusinessCalendar& cal, int y, unsigned m, unsigned d, int h, int min = 0) {
  return cal.to_sys(local_days{ymd(y, m, d)} + std::chrono::hours{h} + std::chrono::minutes{min});
}

std::string utc(SysSeconds t) { return date::format("%FT%TZ", t); }

// --- OpeningHours::parse ------------------------------------------------------------------
TEST(OpeningHours, ParsesSimpleWeekdaySpec) {
  const auto h = OpeningHours::parse("Mon-Fri 09:00-17:00");
  EXPECT_TRUE(h.by_weekday[0].empty());
  EXPECT_TRUE(h.by_weekday[6].empty());
  for (std::size_t d = 1; d <= 5; ++d) {
    ASSERT_EQ(h.by_weekday[d].size(), 1U);
    EXPECT_EQ(h.by_weekday[d][0].first, 9h);
    EXPECT_EQ(h.by_weekday[d][0].second, 17h);
  }
}

TEST(OpeningHours, ParsesSplitDaysAndSeveralGroups) {
  const auto h = OpeningHours::parse("Mon-Fri 09:00-12:00,13:00-17:00; Sat 10:00-14:00");
  ASSERT_EQ(h.by_weekday[3].size(), 2U);
  EXPECT_EQ(h.by_weekday[3][1].first, 13h);
  ASSERT_EQ(h.by_weekday[6].size(), 1U);
  EXPECT_EQ(h.by_weekday[6][0].first, 10h);
  EXPECT_TRUE(h.by_weekday[0].empty());
}

TEST(OpeningHours, AcceptsDayListsWrapAroundAndClosed) {
  const auto h = OpeningHours::parse("sat-mon 08:00-24:00; sun closed; Wed,Fri 07:30-08:00");
  EXPECT_EQ(h.by_weekday[6].size(), 1U);
  EXPECT_TRUE(h.by_weekday[0].empty());
  EXPECT_EQ(h.by_weekday[1][0].second, 24h);
  EXPECT_EQ(h.by_weekday[3][0].first, 7h + 30min);
  EXPECT_EQ(h.by_weekday[5].size(), 1U);
  EXPECT_TRUE(h.by_weekday[2].empty());
}

TEST(OpeningHours, RejectsBadSpecsWithClearMessages) {
  for (const char* bad : {"", "Mon-Fri", "Funday 09:00-17:00", "Mon-Fri 9-17", "Mon-Fri 17:00-09:00",
                          "Mon 09:00-12:00,11:00-13:00", "Mon 25:00-26:00", "Mon 09:60-10:00"}) {
    EXPECT_THROW(OpeningHours::parse(bad), std::invalid_argument) << bad;
  }
  try {
    OpeningHours::parse("Mon-Fri 17:00-09:00");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("BUSINESS_HOURS"), std::string::npos);
  }
}

TEST(HolidayOptions, ParsesNamesAndRejectsUnknown) {
  const auto o = HolidayOptions::parse("Boxing-Day, easter monday,civic_holiday");
  EXPECT_TRUE(o.boxing_day);
  EXPECT_TRUE(o.easter_monday);
  EXPECT_TRUE(o.civic_holiday_aug);
  EXPECT_FALSE(o.heritage_day);
  EXPECT_FALSE(o.christmas_eve);
  const auto none = HolidayOptions::parse("");
  EXPECT_FALSE(none.boxing_day);
  EXPECT_THROW(HolidayOptions::parse("boxing_day,groundhog_day"), std::invalid_argument);
}

// --- holidays -------------------------------------------------------------------------------
struct HolidayCase {
  int y;
  unsigned m, d;
  const char* name;
};

TEST(AlbertaHoliday, GeneralHolidaysAcrossYears) {
  const HolidayCase cases[] = {
      // New Year's Day
      {2024, 1, 1, "New Year's Day"}, {2025, 1, 1, "New Year's Day"}, {2026, 1, 1, "New Year's Day"},
      {2027, 1, 1, "New Year's Day"},
      // Family Day: 3rd Monday of February
      {2024, 2, 19, "Family Day"}, {2025, 2, 17, "Family Day"}, {2026, 2, 16, "Family Day"},
      {2027, 2, 15, "Family Day"}, {2028, 2, 21, "Family Day"},
      // Good Friday (Easter 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28, 2028-04-16, 2038-04-25)
      {2024, 3, 29, "Good Friday"}, {2025, 4, 18, "Good Friday"}, {2026, 4, 3, "Good Friday"},
      {2027, 3, 26, "Good Friday"}, {2028, 4, 14, "Good Friday"}, {2038, 4, 23, "Good Friday"},
      // Victoria Day: Monday before May 25 (2027: May 24 is itself a Monday)
      {2024, 5, 20, "Victoria Day"}, {2025, 5, 19, "Victoria Day"}, {2026, 5, 18, "Victoria Day"},
      {2027, 5, 24, "Victoria Day"}, {2028, 5, 22, "Victoria Day"},
      // Canada Day: July 1, or July 2 when July 1 is a Sunday (2029, 2018)
      {2024, 7, 1, "Canada Day"}, {2025, 7, 1, "Canada Day"}, {2026, 7, 1, "Canada Day"},
      {2029, 7, 2, "Canada Day"}, {2018, 7, 2, "Canada Day"},
      // Labour Day: 1st Monday of September
      {2024, 9, 2, "Labour Day"}, {2025, 9, 1, "Labour Day"}, {2026, 9, 7, "Labour Day"}, {2027, 9, 6, "Labour Day"},
      // Thanksgiving: 2nd Monday of October
      {2024, 10, 14, "Thanksgiving Day"}, {2025, 10, 13, "Thanksgiving Day"}, {2026, 10, 12, "Thanksgiving Day"},
      {2027, 10, 11, "Thanksgiving Day"}, {2013, 10, 14, "Thanksgiving Day"},
      // Remembrance Day, Christmas Day
      {2024, 11, 11, "Remembrance Day"}, {2025, 11, 11, "Remembrance Day"}, {2026, 11, 11, "Remembrance Day"},
      {2024, 12, 25, "Christmas Day"}, {2025, 12, 25, "Christmas Day"}, {2026, 12, 25, "Christmas Day"},
  };
  for (const auto& c : cases) {
    const auto got = alberta_holiday(ymd(c.y, c.m, c.d));
    ASSERT_TRUE(got.has_value()) << c.y << "-" << c.m << "-" << c.d;
    EXPECT_EQ(*got, c.name) << c.y << "-" << c.m << "-" << c.d;
  }
}

TEST(AlbertaHoliday, OrdinaryDaysAndNonObservedDays) {
  const HolidayCase not_holidays[] = {
      {2029, 7, 1, ""},    // Canada Day moved to Monday July 2
      {2026, 2, 9, ""},    // 2nd Monday of February
      {2026, 2, 23, ""},   // 4th Monday
      {2026, 5, 25, ""},   // May 25 itself is never Victoria Day
      {2026, 4, 6, ""},    // Easter Monday is optional
      {2026, 8, 3, ""},    // Heritage Day is optional
      {2026, 12, 26, ""},  // Boxing Day is optional
      {2026, 12, 24, ""},  // Christmas Eve is optional
      {2027, 12, 27, ""},  // Christmas 2027 is a Saturday: no observed Monday in Alberta
      {2026, 3, 10, ""},
  };
  for (const auto& c : not_holidays) {
    EXPECT_FALSE(alberta_holiday(ymd(c.y, c.m, c.d)).has_value()) << c.y << "-" << c.m << "-" << c.d;
  }
}

TEST(AlbertaHoliday, OptionalHolidaysWhenEnabled) {
  HolidayOptions o;
  o.heritage_day = true;
  o.boxing_day = true;
  o.easter_monday = true;
  o.christmas_eve = true;
  EXPECT_EQ(alberta_holiday(ymd(2026, 8, 3), o), "Heritage Day");
  EXPECT_EQ(alberta_holiday(ymd(2025, 8, 4), o), "Heritage Day");
  EXPECT_EQ(alberta_holiday(ymd(2026, 12, 26), o), "Boxing Day");
  EXPECT_EQ(alberta_holiday(ymd(2026, 4, 6), o), "Easter Monday");
  EXPECT_EQ(alberta_holiday(ymd(2025, 4, 21), o), "Easter Monday");
  EXPECT_EQ(alberta_holiday(ymd(2026, 12, 24), o), "Christmas Eve");
  HolidayOptions civic;
  civic.civic_holiday_aug = true;
  EXPECT_EQ(alberta_holiday(ymd(2024, 8, 5), civic), "Civic Holiday");
  EXPECT_FALSE(alberta_holiday(ymd(2024, 8, 12), civic).has_value());
}

TEST(AlbertaHoliday, EasterComputusKnownDates) {
  EXPECT_EQ(easter_sunday(date::year{2000}), ymd(2000, 4, 23));
  EXPECT_EQ(easter_sunday(date::year{2008}), ymd(2008, 3, 23));
  EXPECT_EQ(easter_sunday(date::year{2019}), ymd(2019, 4, 21));
  EXPECT_EQ(easter_sunday(date::year{2026}), ymd(2026, 4, 5));
  EXPECT_EQ(easter_sunday(date::year{2285}), ymd(2285, 3, 22));  // earliest possible
  EXPECT_EQ(easter_sunday(date::year{2038}), ymd(2038, 4, 25));  // latest possible
}

// --- zone conversions -----------------------------------------------------------------------
TEST(BusinessCalendar, DstSpringForwardGapMovesForward) {
  const auto cal = weekday_calendar();
  // 2026-03-08 02:00 MST -> 03:00 MDT. 02:30 does not exist: read as 03:30 MDT (09:30Z).
  EXPECT_EQ(utc(local(cal, 2026, 3, 8, 2, 30)), "2026-03-08T09:30:00Z");
  EXPECT_EQ(utc(local(cal, 2026, 3, 8, 1, 30)), "2026-03-08T08:30:00Z");  // MST
  EXPECT_EQ(utc(local(cal, 2026, 3, 8, 9, 0)), "2026-03-08T15:00:00Z");   // MDT
  EXPECT_EQ(cal.to_local(local(cal, 2026, 3, 8, 9, 0)), local_days{ymd(2026, 3, 8)} + 9h);
}

TEST(BusinessCalendar, DstFallBackAmbiguousTakesEarliest) {
  const auto cal = weekday_calendar();
  // 2026-11-01 02:00 MDT -> 01:00 MST. 01:30 happens twice: the first (MDT, 07:30Z) is chosen.
  EXPECT_EQ(utc(local(cal, 2026, 11, 1, 1, 30)), "2026-11-01T07:30:00Z");
  EXPECT_EQ(utc(local(cal, 2026, 11, 1, 9, 0)), "2026-11-01T16:00:00Z");  // MST
  EXPECT_EQ(utc(local(cal, 2026, 10, 31, 9, 0)), "2026-10-31T15:00:00Z");  // MDT
}

TEST(BusinessCalendar, OpeningSpansOnDstDaysStayWallClock) {
  const auto cal = weekday_calendar("Sun 00:00-24:00");
  // Spring-forward Sunday is 23 hours long; fall-back Sunday 25.
  auto spring = cal.spans(ymd(2026, 3, 8));
  ASSERT_EQ(spring.size(), 1U);
  EXPECT_EQ(spring[0].end - spring[0].start, 23h);
  auto fall = cal.spans(ymd(2026, 11, 1));
  ASSERT_EQ(fall.size(), 1U);
  EXPECT_EQ(fall[0].end - fall[0].start, 25h);
  // 30-minute grid on the short day: 46 slots, each still on the hour or half hour locally.
  const auto slots = cal.free_slots(ymd(2026, 3, 8), 30min, {});
  EXPECT_EQ(slots.size(), 46U);
  const auto fall_slots = cal.free_slots(ymd(2026, 11, 1), 30min, {});
  EXPECT_EQ(fall_slots.size(), 50U);
}

// --- is_open ----------------------------------------------------------------------------------
TEST(BusinessCalendar, IsOpenRequiresWholeAppointmentInsideOneSpan) {
  const auto cal = weekday_calendar("Mon-Fri 09:00-12:00,13:00-17:00");
  // 2026-03-10 is a Tuesday.
  EXPECT_TRUE(cal.is_open(local(cal, 2026, 3, 10, 9, 0), 30min));
  EXPECT_TRUE(cal.is_open(local(cal, 2026, 3, 10, 11, 30), 30min));
  EXPECT_FALSE(cal.is_open(local(cal, 2026, 3, 10, 11, 45), 30min));  // runs into lunch
  EXPECT_FALSE(cal.is_open(local(cal, 2026, 3, 10, 12, 0), 30min));
  EXPECT_TRUE(cal.is_open(local(cal, 2026, 3, 10, 16, 30), 30min));
  EXPECT_FALSE(cal.is_open(local(cal, 2026, 3, 10, 16, 45), 30min));  // past closing
  EXPECT_FALSE(cal.is_open(local(cal, 2026, 3, 10, 8, 45), 30min));
  EXPECT_FALSE(cal.is_open(local(cal, 2026, 3, 14, 10, 0), 30min));   // Saturday
  EXPECT_FALSE(cal.is_open(local(cal, 2026, 4, 3, 10, 0), 30min));    // Good Friday
  EXPECT_FALSE(cal.is_open(local(cal, 2026, 3, 10, 10, 0), 0min));
}

// --- next_opening -------------------------------------------------------------------------------
TEST(BusinessCalendar, NextOpeningAlignsToGridAndSkipsClosedDays) {
  const auto cal = weekday_calendar();
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 3, 10, 10, 10), 30min), local(cal, 2026, 3, 10, 10, 30));
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 3, 10, 10, 30), 30min), local(cal, 2026, 3, 10, 10, 30));
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 3, 10, 16, 45), 30min), local(cal, 2026, 3, 11, 9, 0));
  // Friday evening -> Monday morning.
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 3, 13, 18, 0), 30min), local(cal, 2026, 3, 16, 9, 0));
  // Thursday before Good Friday -> Monday after Easter.
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 4, 2, 17, 0), 30min), local(cal, 2026, 4, 6, 9, 0));
  // 45-minute grid: 09:00, 09:45, ..., 15:45 is the last that fits before 17:00.
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 3, 10, 15, 50), 45min), local(cal, 2026, 3, 11, 9, 0));
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 3, 10, 15, 40), 45min), local(cal, 2026, 3, 10, 15, 45));
}

TEST(BusinessCalendar, NextOpeningCrossesYearBoundary) {
  const auto cal = weekday_calendar();
  // Thu 2026-12-31 after closing; Jan 1 2027 (Fri) is New Year's Day -> Mon Jan 4.
  EXPECT_EQ(cal.next_opening(local(cal, 2026, 12, 31, 17, 0), 30min), local(cal, 2027, 1, 4, 9, 0));
  EXPECT_EQ(cal.local_day(local(cal, 2026, 12, 31, 23, 30)), ymd(2026, 12, 31));  // 06:30Z next day
}

TEST(BusinessCalendar, NextOpeningLooksAtMostFourteenDaysAhead) {
  const auto only_one_day = BusinessCalendar(edmonton(), OpeningHours::parse("Wed 09:00-10:00"));
  // From Wed 2026-03-11 10:00, the next Wednesday is 7 days on: found.
  EXPECT_EQ(only_one_day.next_opening(local(only_one_day, 2026, 3, 11, 10, 0), 30min),
            local(only_one_day, 2026, 3, 18, 9, 0));
  const auto never = BusinessCalendar(edmonton(), OpeningHours::parse("Mon closed"));
  EXPECT_FALSE(never.next_opening(local(never, 2026, 3, 11, 10, 0), 30min).has_value());
  // Appointment longer than any span.
  EXPECT_FALSE(only_one_day.next_opening(local(only_one_day, 2026, 3, 11, 8, 0), 90min).has_value());
}

// --- free_slots / nearest_free ------------------------------------------------------------------
TEST(BusinessCalendar, FreeSlotsSkipBookedIntervals) {
  const auto cal = weekday_calendar("Mon-Fri 09:00-12:00");
  const auto day = ymd(2026, 3, 10);
  std::vector<Interval> booked{{local(cal, 2026, 3, 10, 9, 30), local(cal, 2026, 3, 10, 10, 0)},
                               {local(cal, 2026, 3, 10, 10, 45), local(cal, 2026, 3, 10, 11, 15)}};
  const auto slots = cal.free_slots(day, 30min, booked);
  const std::vector<SysSeconds> want{local(cal, 2026, 3, 10, 9, 0), local(cal, 2026, 3, 10, 10, 0),
                                     local(cal, 2026, 3, 10, 11, 30)};
  EXPECT_EQ(slots, want);
  EXPECT_TRUE(cal.free_slots(ymd(2026, 3, 14), 30min, {}).empty());  // Saturday
  EXPECT_TRUE(cal.free_slots(ymd(2026, 12, 25), 30min, {}).empty()); // Christmas
}

TEST(BusinessCalendar, NearestFreePrefersSameDayClosest) {
  const auto cal = weekday_calendar();
  std::vector<Interval> booked{{local(cal, 2026, 3, 10, 14, 0), local(cal, 2026, 3, 10, 14, 30)}};
  const auto got = cal.nearest_free(local(cal, 2026, 3, 10, 14, 0), 30min, booked, 2, local(cal, 2026, 3, 10, 8, 0));
  const std::vector<SysSeconds> want{local(cal, 2026, 3, 10, 13, 30), local(cal, 2026, 3, 10, 14, 30)};
  EXPECT_EQ(got, want);
  // 14:00-15:00 taken: 13:30 is 30 min away; 13:00 and 15:00 tie at 60 min and the earlier wins.
  std::vector<Interval> hour{{local(cal, 2026, 3, 10, 14, 0), local(cal, 2026, 3, 10, 15, 0)}};
  const auto tie = cal.nearest_free(local(cal, 2026, 3, 10, 14, 0), 30min, hour, 2, local(cal, 2026, 3, 10, 8, 0));
  const std::vector<SysSeconds> want_tie{local(cal, 2026, 3, 10, 13, 0), local(cal, 2026, 3, 10, 13, 30)};
  EXPECT_EQ(tie, want_tie);
}

TEST(BusinessCalendar, NearestFreeRespectsNotBeforeAndSpillsToNextDay) {
  const auto cal = weekday_calendar("Mon-Fri 09:00-10:00");
  // Wanted 09:00 Friday, but "now" is 09:40: nothing left Friday -> Monday's slots.
  const auto got = cal.nearest_free(local(cal, 2026, 3, 13, 9, 0), 30min, {}, 3, local(cal, 2026, 3, 13, 9, 40));
  const std::vector<SysSeconds> want{local(cal, 2026, 3, 16, 9, 0), local(cal, 2026, 3, 16, 9, 30),
                                     local(cal, 2026, 3, 17, 9, 0)};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(cal.nearest_free(local(cal, 2026, 3, 13, 9, 0), 30min, {}, 0, local(cal, 2026, 3, 13, 9, 0)).empty());
}

}  // namespace
}  // namespace bella::calendar
