// Understanding: positions, lengths, keypad meaning by step, UTF-8 at the boundary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "call/understanding.hpp"

namespace bella::call {
namespace {

TEST(Understanding, PositionsAreHeard) {
  EXPECT_EQ(hear_position("the first one"), 0);
  EXPECT_EQ(hear_position("the second one please"), 1);
  EXPECT_EQ(hear_position("I'll take the third"), 2);
  EXPECT_EQ(hear_position("the last one"), -1);
  EXPECT_FALSE(hear_position("Friday at 10"));
}

TEST(Understanding, LengthsAreHeardButTimeOffsetsAreNot) {
  EXPECT_EQ(hear_length("I need an hour"), 60);
  EXPECT_EQ(hear_length("book me for 45 minutes"), 45);
  EXPECT_EQ(hear_length("an hour and a half please"), 90);
  EXPECT_EQ(hear_length("half an hour is fine"), 30);
  EXPECT_FALSE(hear_length("in an hour"));
  EXPECT_FALSE(hear_length("an hour from now"));
  EXPECT_FALSE(hear_length("in 15 minutes"));
  EXPECT_FALSE(hear_length("half past two"));
}

TEST(Understanding, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(valid_utf8("\xC3"), "\xEF\xBF\xBD");                 // truncated
  EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  // The result always serialises as JSON (the session write threw type_error.316 before).
  nlohmann::json j = valid_utf8("Sarah \xFF\xFE Johnson");
  EXPECT_NO_THROW((void)j.dump());
}

TEST(Understanding, KeysMeanWhatTheStepAsks) {
  const auto* zone = date::locate_zone("America/Edmonton");
  calendar::BusinessCalendar cal{zone, calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  const SysSeconds now = cal.to_sys(date::local_days{date::year{2026} / 3 / 3} + std::chrono::hours(10));
  ConversationState s;
  s.step = Step::confirm;
  TurnInput in{.call_sid = "CA1", .from = "", .speech = "", .digits = "1"};
  auto yes = understand_utterance(s, in, now, cal);
  ASSERT_TRUE(yes.answer);
  EXPECT_EQ(yes.answer->answer, understand::YesNo::yes);
  in.digits = "2";
  EXPECT_EQ(understand_utterance(s, in, now, cal).answer->answer, understand::YesNo::no);
  s.step = Step::ask_mobile;
  in.digits = "4035550123";
  EXPECT_EQ(understand_utterance(s, in, now, cal).mobile, "+14035550123");
  s.step = Step::offer_slot;
  s.offered = {now + std::chrono::hours(1), now + std::chrono::hours(2)};
  in.digits = "2";
  EXPECT_EQ(understand_utterance(s, in, now, cal).position, 1);
}

}  // namespace
}  // namespace bella::call
