// What the extractors heard: which parts of a date/time were said, spans, past values, the focus
// day, ranges, approximate times, weekday/date disagreement, non-times; a name's evidence.
#include <gtest/gtest.h>

#include "bella/understand/extract.hpp"
#include "understand/extract_line.hpp"

namespace bella::understand {
namespace {

const calendar::BusinessCalendar& clinic() {
  static const calendar::BusinessCalendar cal(date::locate_zone("America/Edmonton"),
                                              calendar::OpeningHours::parse("Mon-Fri 09:00-17:00"));
  return cal;
}

TimeContext at(int y, unsigned m, unsigned d, int h, int min = 0) {
  const date::local_seconds local =
      date::local_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{h} + std::chrono::minutes{min};
  return TimeContext{clinic().to_sys(local), &clinic()};
}

// Wednesday 2026-12-02 12:00 in Edmonton.
TimeContext wed() { return at(2026, 12, 2, 12, 0); }

std::string show_when(const std::optional<When>& when) {
  if (!when) return "none";
  if (const auto* t = std::get_if<date::local_seconds>(&*when)) return format_local_minute(*t);
  return "date:" + date::format("%F", std::get<DateOnly>(*when).day);
}
std::string show(std::string_view text, const TimeContext& ctx) {
  const auto h = hear_datetime(text, ctx);
  return h ? show_when(h->when) : "null";
}
std::string said(std::string_view text, const TimeContext& ctx) {
  const auto h = hear_datetime(text, ctx);
  if (!h) return "null";
  std::string s;
  if (h->said.date) s += "D";
  if (h->said.time) s += "T";
  if (h->said.part_of_day) s += "P";
  if (h->said.approximate) s += "~";
  if (h->said.range) s += "R";
  return s;
}
std::string span_of(std::string_view text, const TimeContext& ctx) {
  const auto h = hear_datetime(text, ctx);
  if (!h || !h->span) return "none";
  return date::format("%F", h->span->first) + "+" + std::to_string(h->span->days);
}

TEST(HearDatetime, FocusDayReadsATimeWithoutADayOnThatDay) {
  TimeContext ctx = wed();
  ctx.focus_day = date::year{2026} / date::December / 18;
  EXPECT_EQ(show("no, make it 3 pm", ctx), "2026-12-18T15:00");
  EXPECT_EQ(said("no, make it 3 pm", ctx), "T");
  EXPECT_EQ(show("make it thursday", ctx), "date:2026-12-03");
  EXPECT_EQ(said("make it thursday", ctx), "D");
  EXPECT_EQ(show("no, the 15th", ctx), "date:2026-12-15");
  EXPECT_EQ(said("no, the 15th", ctx), "D");
  // The bare-hour rule uses the focus day's hours: Friday the 18th is open 9-17, so "at 4" is 16:00.
  EXPECT_EQ(show("at 4", ctx), "2026-12-18T16:00");
  // A day said wins over the focus day.
  EXPECT_EQ(show("tomorrow at 10", ctx), "2026-12-03T10:00");
  EXPECT_EQ(said("tomorrow at 10", ctx), "DT");
  // Without a focus day the same words are read today.
  EXPECT_EQ(show("make it 3 pm", wed()), "2026-12-02T15:00");
}

TEST(HearDatetime, PastValuesAreReportedNotDropped) {
  const auto h = hear_datetime("today at 9 am", wed());
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->past);
  EXPECT_EQ(show_when(h->when), "2026-12-02T09:00");
  EXPECT_FALSE(extract_datetime("today at 9 am", wed()).has_value());
  // A bare time that has passed rolls to tomorrow and is not past.
  const auto bare = hear_datetime("at 9 am", wed());
  ASSERT_TRUE(bare.has_value());
  EXPECT_FALSE(bare->past);
  EXPECT_EQ(show_when(bare->when), "2026-12-03T09:00");
  // On the focus day a passed time is past (the caller named that day earlier).
  TimeContext ctx = wed();
  ctx.focus_day = date::year{2026} / date::December / 2;
  const auto on_focus = hear_datetime("make it 10", ctx);
  ASSERT_TRUE(on_focus.has_value());
  EXPECT_TRUE(on_focus->past);
  // A dated day in the past.
  const auto old = hear_datetime("march 3 2025", wed());
  ASSERT_TRUE(old.has_value());
  EXPECT_TRUE(old->past);
}

TEST(HearDatetime, SpansGiveNoDay) {
  EXPECT_EQ(span_of("next week", wed()), "2026-12-07+7");
  EXPECT_EQ(span_of("sometime this week", wed()), "2026-12-02+5");
  EXPECT_EQ(span_of("this weekend", wed()), "2026-12-05+2");
  EXPECT_EQ(span_of("next weekend", wed()), "2026-12-12+2");
  EXPECT_EQ(span_of("in March", wed()), "2027-03-01+31");
  EXPECT_EQ(span_of("in december", wed()), "2026-12-02+30");
  EXPECT_EQ(span_of("next month", wed()), "2027-01-01+31");
  EXPECT_EQ(span_of("the week after next", wed()), "2026-12-14+7");
  EXPECT_EQ(show("next week", wed()), "none");
  EXPECT_FALSE(extract_datetime("next week", wed()).has_value());
  const auto h = hear_datetime("anything next week in the morning?", wed());
  ASSERT_TRUE(h.has_value());
  ASSERT_TRUE(h->span.has_value());
  EXPECT_FALSE(h->when.has_value());
  EXPECT_EQ(h->part, PartOfDay::morning);
  EXPECT_TRUE(h->said.part_of_day);
  // A weekday inside the span said is that week's.
  EXPECT_EQ(show("next week on friday", wed()), "date:2026-12-11");
  EXPECT_EQ(show("may I book", wed()), "null");  // "may" is a month only after "in"
}

TEST(HearDatetime, RangesGiveTheirStart) {
  EXPECT_EQ(show("from 9 to 10", wed()), "2026-12-03T09:00");
  EXPECT_EQ(said("from 9 to 10", wed()), "TR");
  EXPECT_EQ(show("between 2 and 3 pm", wed()), "2026-12-02T14:00");
  EXPECT_EQ(show("10 to 11 in the morning", wed()), "2026-12-03T10:00");
  EXPECT_EQ(show("friday from 1 to 2", wed()), "2026-12-04T13:00");
  EXPECT_EQ(show("from 2:30 to 3:30 on the 15th", wed()), "2026-12-15T14:30");
  EXPECT_EQ(show("11 to 1 pm tomorrow", wed()), "2026-12-03T11:00");
  EXPECT_EQ(show("9am - 10am on monday", wed()), "2026-12-07T09:00");
  EXPECT_EQ(show("ten to five", wed()), "2026-12-02T16:50");  // not 1-4 hours apart: minutes to the hour
}

TEST(HearDatetime, WeekdayWithDayOfMonth) {
  const auto agree = hear_datetime("Monday the 14th", wed());
  ASSERT_TRUE(agree.has_value());
  EXPECT_EQ(show_when(agree->when), "date:2026-12-14");
  EXPECT_FALSE(agree->weekday_mismatch);
  const auto disagree = hear_datetime("Tuesday the 14th at 10", wed());
  ASSERT_TRUE(disagree.has_value());
  EXPECT_EQ(show_when(disagree->when), "2026-12-14T10:00");  // the date wins
  EXPECT_TRUE(disagree->weekday_mismatch);
  EXPECT_EQ(show("Tue 15th", wed()), "date:2026-12-15");
  EXPECT_EQ(show("on friday december 18", wed()), "date:2026-12-18");
}

TEST(HearDatetime, ApproximateAndColloquialTimes) {
  EXPECT_EQ(show("around 7", wed()), "2026-12-03T07:00");
  EXPECT_EQ(said("around 7", wed()), "T~");
  EXPECT_EQ(show("noonish tomorrow", wed()), "2026-12-03T12:00");
  EXPECT_EQ(said("noonish tomorrow", wed()), "DT~");
  EXPECT_EQ(show("tomorrow at 3ish", wed()), "2026-12-03T15:00");
  EXPECT_EQ(said("tomorrow at 3ish", wed()), "DT~");
  EXPECT_EQ(show("tonite at 8", wed()), "2026-12-02T20:00");
  EXPECT_EQ(show("midnight", wed()), "2026-12-03T00:00");
  EXPECT_EQ(show("late evening at 10", wed()), "2026-12-02T22:00");
  EXPECT_EQ(show("early morning friday", wed()), "date:2026-12-04");
  EXPECT_EQ(said("monday in the afternoon", wed()), "DP");
  EXPECT_EQ(show("October 1st", wed()), "date:2027-10-01");
  EXPECT_EQ(show("the 28th of June in 2027", wed()), "date:2027-06-28");
  EXPECT_EQ(show("in two months", wed()), "date:2027-02-02");
  EXPECT_EQ(show("in a fortnight", wed()), "date:2026-12-16");
  EXPECT_EQ(show("in a month", at(2027, 1, 31, 9)), "date:2027-02-28");  // clamped to the month's end
}

TEST(HearDatetime, NotATime) {
  for (const char* s : {"good morning, Sam", "good night", "good afternoon, I'd like to book", "two to four people",
                        "30/4.5", "it costs $40", "my PIN is 1234", "my date of birth is March 3 1985",
                        "I was born on june 5", "I had lunch already", "about 50 percent", "I take 2 tablets",
                        "room 12", "my card number is 4167 2231"}) {
    EXPECT_EQ(show(s, wed()), "null") << s;
  }
  // ...but the time beside them still counts.
  EXPECT_EQ(show("good morning, can I come tomorrow at 10", wed()), "2026-12-03T10:00");
  EXPECT_EQ(show("my PIN is 1234, and friday at 2 works", wed()), "2026-12-04T14:00");
  EXPECT_EQ(show("lunch tomorrow", wed()), "date:2026-12-03");
}

TEST(HearDatetime, SpringForwardGapMovesToTheFirstValidMinute) {
  // Sat 2026-03-07 20:00 MST; on Sunday 02:00 -> 03:00.
  const TimeContext sat = at(2026, 3, 7, 20, 0);
  const auto h = hear_datetime("tomorrow at 2:30 am", sat);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(show_when(h->when), "2026-03-08T03:00");
  EXPECT_TRUE(h->dst_gap);
  const auto fine = hear_datetime("tomorrow at 3:30 am", sat);
  ASSERT_TRUE(fine.has_value());
  EXPECT_FALSE(fine->dst_gap);
}

TEST(HearDatetime, RulesAreNamed) {
  const auto h = hear_datetime("friday at 2", wed());
  ASSERT_TRUE(h.has_value());
  EXPECT_FALSE(h->rule.empty());
  EXPECT_EQ(h->date_rule, "date.weekday");
  EXPECT_EQ(hear_datetime("next week", wed())->rule, "span.week");
}

TEST(HearName, EvidenceIsRecorded) {
  const auto c = hear_name("my name is Dana Wu");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->full, "Dana Wu");
  EXPECT_TRUE(c->carrier);
  EXPECT_FALSE(c->spelled);
  EXPECT_FALSE(c->given_only);
  EXPECT_FALSE(c->rule.empty());
  const auto s = hear_name("Sarah Johnson, J-O-H-N-S-O-N");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->spelled);
  EXPECT_FALSE(s->carrier);
  const auto g = hear_name("my name is Manuel");
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->given_only);
  EXPECT_EQ(g->full, "Manuel");
  const auto bare = hear_name("Dana Wu");
  ASSERT_TRUE(bare.has_value());
  EXPECT_FALSE(bare->carrier);
}

}  // namespace
}  // namespace bella::understand
