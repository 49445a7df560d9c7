// Which texts a booking change queues, when, and in what words (the prompts table).
#include <gtest/gtest.h>

#include <date/tz.h>

#include "bella/call/prompts.hpp"
#include "notify/text_planner.hpp"

namespace bella::notify {
namespace {

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t) : t_(t) {}
  [[nodiscard]] std::chrono::system_clock::time_point now() const override { return t_; }

 private:
  std::chrono::system_clock::time_point t_;
};

// Tuesday 5 March 2030, 10:00 MST = 17:00 UTC.
const auto kNow = date::sys_days{date::year{2030} / 3 / 5} + std::chrono::hours(17);

booking::BookingChange change(booking::ChangeKind kind, TimePoint start) {
  booking::BookingChange c;
  c.kind = kind;
  c.after.appointment.id = 7;
  c.after.appointment.starts_at_utc = start;
  c.after.user.mobile = "+14035550123";
  c.after.user.full_name = "Sarah Johnson";
  return c;
}

TextPlanner planner(const Clock& clock, std::chrono::minutes lead = std::chrono::minutes(1440)) {
  return TextPlanner(PlannerSettings{.clinic_name = "Bow River Clinic",
                                     .clinic_phone = "403-555-0100",
                                     .reminder_lead = lead,
                                     .zone = date::locate_zone("America/Edmonton")},
                     clock);
}

TEST(TextPlanner, ABookingConfirmsNowAndRemindsADayAhead) {
  FixedClock clock(kNow);
  const TimePoint start = std::chrono::floor<std::chrono::seconds>(kNow + std::chrono::hours(52));  // Thu 14:00
  const auto texts = planner(clock).texts_for(change(booking::ChangeKind::booked, start));
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0].kind, "confirmation");
  EXPECT_EQ(texts[0].to, "+14035550123");
  EXPECT_EQ(texts[0].due, std::chrono::floor<std::chrono::seconds>(kNow));
  EXPECT_EQ(texts[0].body,
            "Bow River Clinic: your appointment is booked for Thu Mar 7, 2 PM. To change or cancel, call 403-555-0100.");
  EXPECT_EQ(texts[1].kind, "reminder");
  EXPECT_EQ(texts[1].due, start - std::chrono::hours(24));
  EXPECT_EQ(texts[1].drop_after, start);
  for (const auto& t : texts) EXPECT_LE(t.body.size(), 160u) << t.body;
}

TEST(TextPlanner, NoReminderWhenBookedInsideTheLeadTime) {
  FixedClock clock(kNow);
  const TimePoint start = std::chrono::floor<std::chrono::seconds>(kNow + std::chrono::hours(4));
  const auto texts = planner(clock).texts_for(change(booking::ChangeKind::booked, start));
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0].kind, "confirmation");
}

TEST(TextPlanner, AMoveNoticesAndRemindsAgainACancelOnlyNotices) {
  FixedClock clock(kNow);
  const TimePoint start = std::chrono::floor<std::chrono::seconds>(kNow + std::chrono::hours(72));
  const auto moved = planner(clock).texts_for(change(booking::ChangeKind::rescheduled, start));
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[0].kind, "rescheduled");
  EXPECT_NE(moved[0].body.find("has moved to Fri Mar 8, 10 AM"), std::string::npos) << moved[0].body;
  EXPECT_EQ(moved[1].kind, "reminder");
  const auto cancelled = planner(clock).texts_for(change(booking::ChangeKind::cancelled, start));
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0].kind, "cancelled");
}

TEST(TextPlanner, NothingForAVisitThatHasBegun) {
  FixedClock clock(kNow);
  const TimePoint start = std::chrono::floor<std::chrono::seconds>(kNow - std::chrono::minutes(5));
  EXPECT_TRUE(planner(clock).texts_for(change(booking::ChangeKind::cancelled, start)).empty());
}

TEST(TextPrompts, EveryTextFitsOneSegmentForATypicalClinic) {
  const auto t = date::local_days{date::year{2030} / 9 / 30} + std::chrono::hours(16) + std::chrono::minutes(45);
  const std::string clinic = "Bow River Family Medical Clinic", phone = "(403) 555-0100";
  for (const auto& s : {call::prompts::text_confirmation(clinic, t, phone), call::prompts::text_rescheduled(clinic, t, phone),
                        call::prompts::text_cancelled(clinic, t, phone), call::prompts::text_reminder(clinic, t, phone),
                        call::prompts::text_help(clinic, phone), call::prompts::text_unread_reply(clinic, phone)}) {
    EXPECT_LE(s.size(), 160u) << s;
    for (unsigned char c : s) EXPECT_LT(c, 0x80) << s;  // plain ASCII: GSM-7, not UCS-2
  }
  EXPECT_EQ(call::prompts::text_when(t), "Mon Sep 30, 4:45 PM");
}

}  // namespace
}  // namespace bella::notify
