// Date/time extraction against a fixed "now" in Edmonton: every rule, DST days, year ends.
#include <gtest/gtest.h>

#include "bella/understand/extract.hpp"
#include "understand/extract_line.hpp"

namespace bella::understand {
namespace {

using namespace std::chrono_literals;

const calendar::BusinessCalendar& clinic() {
  static const calendar::BusinessCalendar cal(date::locate_zone("America/Edmonton"),
                                              calendar::OpeningHours::parse("Mon-Fri 09:00-17:00"));
  return cal;
}

// now = local wall time "YYYY-MM-DD HH:MM" in Edmonton.
TimeContext at(int y, unsigned m, unsigned d, int h, int min = 0) {
  const date::local_seconds local =
      date::local_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{h} + std::chrono::minutes{min};
  return TimeContext{clinic().to_sys(local), &clinic()};
}

// "YYYY-MM-DDTHH:MM", "date:YYYY-MM-DD" or "null".
std::string show(std::string_view text, const TimeContext& ctx) {
  const auto when = extract_datetime(text, ctx);
  if (!when) return "null";
  if (const auto* t = std::get_if<date::local_seconds>(&*when)) return format_local_minute(*t);
  return "date:" + date::format("%F", std::get<DateOnly>(*when).day);
}

// Tuesday 2013-02-12 04:30, Duckling's reference.
const TimeContext& tue() {
  static const TimeContext ctx = at(2013, 2, 12, 4, 30);
  return ctx;
}

TEST(Datetime, RelativeDays) {
  EXPECT_EQ(show("today", tue()), "date:2013-02-12");
  EXPECT_EQ(show("tonight", tue()), "date:2013-02-12");
  EXPECT_EQ(show("tomorrow", tue()), "date:2013-02-13");
  EXPECT_EQ(show("the day after tomorrow", tue()), "date:2013-02-14");
  EXPECT_EQ(show("right now", tue()), "2013-02-12T04:30");
}

TEST(Datetime, WeekdayConventions) {
  EXPECT_EQ(show("friday", tue()), "date:2013-02-15");
  EXPECT_EQ(show("this friday", tue()), "date:2013-02-15");
  EXPECT_EQ(show("coming friday", tue()), "date:2013-02-15");
  EXPECT_EQ(show("tuesday", tue()), "date:2013-02-19");        // same weekday: a week on
  EXPECT_EQ(show("next wednesday", tue()), "date:2013-02-20");  // following Monday-Sunday week
  EXPECT_EQ(show("next tuesday", tue()), "date:2013-02-19");
  EXPECT_EQ(show("wednesday of this week", tue()), "date:2013-02-13");
  EXPECT_EQ(show("friday of next week", tue()), "date:2013-02-22");
  EXPECT_EQ(show("3 fridays from now", tue()), "date:2013-03-01");
  EXPECT_EQ(show("last friday of october", tue()), "date:2013-10-25");
  EXPECT_EQ(show("first tuesday of october", tue()), "date:2013-10-01");
}

TEST(Datetime, MonthsOrdinalsNumericDates) {
  EXPECT_EQ(show("march 3", tue()), "date:2013-03-03");
  EXPECT_EQ(show("the third of march", tue()), "date:2013-03-03");
  EXPECT_EQ(show("15th february", tue()), "date:2013-02-15");
  EXPECT_EQ(show("the 15th", tue()), "date:2013-02-15");
  EXPECT_EQ(show("on the first", tue()), "date:2013-03-01");  // Feb 1 is past
  EXPECT_EQ(show("2/15", tue()), "date:2013-02-15");
  EXPECT_EQ(show("january 5", tue()), "date:2014-01-05");     // past this year -> next year
  EXPECT_EQ(show("20 of next month", tue()), "date:2013-03-20");
  EXPECT_EQ(show("june 31", tue()), "null");
  EXPECT_EQ(show("13/31/2018", tue()), "null");
  EXPECT_EQ(show("May the force be with you", tue()), "null");
}

TEST(Datetime, ClockTimes) {
  EXPECT_EQ(show("3pm", tue()), "2013-02-12T15:00");
  EXPECT_EQ(show("3:30", tue()), "2013-02-12T15:30");
  EXPECT_EQ(show("three thirty", tue()), "2013-02-12T15:30");
  EXPECT_EQ(show("half past two", tue()), "2013-02-12T14:30");
  EXPECT_EQ(show("quarter to five", tue()), "2013-02-12T16:45");
  EXPECT_EQ(show("noon", tue()), "2013-02-12T12:00");
  EXPECT_EQ(show("midday", tue()), "2013-02-12T12:00");
  EXPECT_EQ(show("midnight", tue()), "2013-02-13T00:00");
  EXPECT_EQ(show("twelve oh three", tue()), "2013-02-12T12:03");
  EXPECT_EQ(show("15:15", tue()), "2013-02-12T15:15");
  EXPECT_EQ(show("at 9.30", tue()), "2013-02-12T09:30");
  EXPECT_EQ(show("25:12", tue()), "null");
  EXPECT_EQ(show("two sixty a m", tue()), "null");
}

TEST(Datetime, BareHourTakesBusinessHoursReading) {
  EXPECT_EQ(show("at 3", tue()), "2013-02-12T15:00");
  EXPECT_EQ(show("at 10", tue()), "2013-02-12T10:00");
  EXPECT_EQ(show("at 9", tue()), "2013-02-12T09:00");
  EXPECT_EQ(show("at 5", tue()), "2013-02-12T17:00");  // 17:00 is closing; heuristics read it as pm
  // A part of day overrides: "8 tonight", "9 tomorrow morning".
  EXPECT_EQ(show("8 tonight", tue()), "2013-02-12T20:00");
  EXPECT_EQ(show("9 tomorrow morning", tue()), "2013-02-13T09:00");
}

TEST(Datetime, PastTimesRollForwardOrVanish) {
  EXPECT_EQ(show("at 3am", tue()), "2013-02-13T03:00");
  const TimeContext ten = at(2013, 2, 12, 10, 0);
  EXPECT_EQ(show("at 9", ten), "2013-02-13T09:00");
  EXPECT_EQ(show("today at 9am", ten), "null");  // explicit day already past at that time
}

TEST(Datetime, RelativeOffsets) {
  EXPECT_EQ(show("in two hours", tue()), "2013-02-12T06:30");
  EXPECT_EQ(show("in 15 minutes", tue()), "2013-02-12T04:45");
  EXPECT_EQ(show("half an hour from now", tue()), "2013-02-12T05:00");
  EXPECT_EQ(show("in 2.5 hours", tue()), "2013-02-12T07:00");
  EXPECT_EQ(show("in three days", tue()), "date:2013-02-15");
  EXPECT_EQ(show("a week from today", tue()), "date:2013-02-19");
  EXPECT_EQ(show("in 7 days at 5pm", tue()), "2013-02-19T17:00");
  EXPECT_EQ(show("3 days after easter", tue()), "date:2013-04-03");
}

TEST(Datetime, FractionalAndFortnightQuantities) {
  EXPECT_EQ(show("in an hour and a half", tue()), "2013-02-12T06:00");
  EXPECT_EQ(show("an hour and a half from now", tue()), "2013-02-12T06:00");
  EXPECT_EQ(show("in two and a half hours", tue()), "2013-02-12T07:00");
  EXPECT_EQ(show("two and a half hours from now", tue()), "2013-02-12T07:00");
  EXPECT_EQ(show("in three quarters of an hour", tue()), "2013-02-12T05:15");
  EXPECT_EQ(show("three quarters of an hour from now", tue()), "2013-02-12T05:15");
  EXPECT_EQ(show("in a fortnight", tue()), "date:2013-02-26");
  EXPECT_EQ(show("a fortnight from today at 10", tue()), "2013-02-26T10:00");
  EXPECT_EQ(show("in two fortnights", tue()), "date:2013-03-12");
  // "and a half" belongs to a quantity only: the clock reading is untouched elsewhere.
  EXPECT_EQ(show("at three and a half", tue()), show("at three", tue()));
}

TEST(Datetime, RangesStartAndCompactTimesNextToADay) {
  EXPECT_EQ(show("friday between 2 and 3", tue()), "2013-02-15T14:00");
  EXPECT_EQ(show("from 9 to 10 on friday", tue()), "2013-02-15T09:00");
  EXPECT_EQ(show("1230 friday", tue()), "2013-02-15T12:30");
  EXPECT_EQ(show("tomorrow 1030", tue()), "2013-02-13T10:30");
  EXPECT_EQ(show("a week from friday", tue()), "date:2013-02-22");  // "from" before a day is not a range
  EXPECT_EQ(show("1230", tue()), "null");                            // no cue: not a time
}

TEST(Datetime, BritishWeekdayWeek) {
  EXPECT_EQ(show("friday week", tue()), "date:2013-02-22");  // = "a week from friday"
  EXPECT_EQ(show("a week from friday", tue()), "date:2013-02-22");
  EXPECT_EQ(show("friday week at 10", tue()), "2013-02-22T10:00");
  EXPECT_EQ(show("friday next week", tue()), "date:2013-02-22");
  EXPECT_EQ(show("friday this week", tue()), "date:2013-02-15");
}

TEST(Datetime, PartsOfDayAndAnyOrder) {
  EXPECT_EQ(show("tomorrow afternoon", tue()), "date:2013-02-13");
  EXPECT_EQ(show("at 2 on friday", tue()), "2013-02-15T14:00");
  EXPECT_EQ(show("friday at 2", tue()), "2013-02-15T14:00");
  EXPECT_EQ(show("tomorrow evening at 5", tue()), "2013-02-13T17:00");
  EXPECT_EQ(show("this morning at 10am", tue()), "2013-02-12T10:00");
}

TEST(Datetime, HolidaysAndNegatives) {
  EXPECT_EQ(show("christmas", tue()), "date:2013-12-25");
  EXPECT_EQ(show("thanksgiving", tue()), "date:2013-10-14");
  EXPECT_EQ(show("new year's day", tue()), "date:2014-01-01");
  for (const char* s : {"1 adult", "this one", "rat 6", "at 650-650-6500", "at 6.5 kilograms", "nowhere", "palm",
                        "in March", "next week", "yesterday at 3", "last tuesday", "3 days ago", ""}) {
    EXPECT_EQ(show(s, tue()), "null") << s;
  }
}

TEST(Datetime, DstSpringForwardDay) {
  // Sat 2026-03-07 20:00 MST; the clocks jump 02:00 -> 03:00 overnight.
  const TimeContext sat = at(2026, 3, 7, 20, 0);
  EXPECT_EQ(show("in 8 hours", sat), "2026-03-08T05:00");  // 8 elapsed hours, one wall hour skipped
  EXPECT_EQ(show("tomorrow at 9am", sat), "2026-03-08T09:00");
  EXPECT_EQ(show("monday at 3", sat), "2026-03-09T15:00");
}

TEST(Datetime, DstFallBackDay) {
  // Sat 2026-10-31 20:00 MDT; the clocks fall back 02:00 -> 01:00 overnight.
  const TimeContext sat = at(2026, 10, 31, 20, 0);
  EXPECT_EQ(show("in 8 hours", sat), "2026-11-01T03:00");  // one wall hour repeats
  EXPECT_EQ(show("tomorrow", sat), "date:2026-11-01");
  // Late evening: "tomorrow" is by the clinic's clock, not UTC (already Nov 1 in UTC).
  const TimeContext late = at(2026, 10, 31, 23, 0);
  EXPECT_EQ(show("tomorrow", late), "date:2026-11-01");
}

TEST(Datetime, YearBoundary) {
  const TimeContext nye = at(2026, 12, 31, 16, 0);
  EXPECT_EQ(show("tomorrow", nye), "date:2027-01-01");
  EXPECT_EQ(show("january 4th at 10", nye), "2027-01-04T10:00");
  EXPECT_EQ(show("december 30", nye), "date:2027-12-30");
  EXPECT_EQ(show("next monday", nye), "date:2027-01-04");
  EXPECT_EQ(show("in 3 days", nye), "date:2027-01-03");
}

}  // namespace
}  // namespace bella::understand
