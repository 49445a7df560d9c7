// The intent detector on its own: utterance -> intent, as a table.
#include <gtest/gtest.h>

#include "bella/understand/intent.hpp"

namespace bella::understand {
namespace {

struct Case {
  const char* said;
  std::optional<Intent> want;
};

class IntentTable : public ::testing::TestWithParam<Case> {};

TEST_P(IntentTable, DetectsTheIntent) {
  const auto& c = GetParam();
  const auto got = detect_intent(c.said);
  EXPECT_EQ(got.has_value(), c.want.has_value()) << c.said;
  if (got && c.want) {
    EXPECT_EQ(to_string(*got), to_string(*c.want)) << c.said;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Phrases, IntentTable,
    ::testing::Values(
        Case{"I want to cancel my appointment", Intent::cancel}, Case{"I can't make it on Friday", Intent::cancel},
        Case{"can I move my appointment", Intent::reschedule}, Case{"I need to change my appointment", Intent::reschedule},
        Case{"I'd like to reschedule", Intent::reschedule}, Case{"when is my appointment?", Intent::look_up},
        Case{"Do I have an appointment this week?", Intent::look_up},
        Case{"what do you have on Friday?", Intent::availability}, Case{"what's the earliest?", Intent::availability},
        Case{"anything next week in the morning?", Intent::availability},
        Case{"can I talk to someone", Intent::person}, Case{"Operator!", Intent::person},
        Case{"I want the receptionist", Intent::person}, Case{"never mind", Intent::decline},
        Case{"nothing, I changed my mind, goodbye", Intent::decline}, Case{"that's all, bye", Intent::decline},
        Case{"sorry, can you repeat that?", Intent::repeat}, Case{"pardon?", Intent::repeat},
        Case{"I'd like to book an appointment", Intent::book},
        // Priorities: a person or a decline beats a task; a move beats a cancel.
        Case{"cancel that, let me speak to someone", Intent::person},
        Case{"cancel and rebook my appointment", Intent::reschedule},
        // Nothing to detect.
        Case{"Sarah Johnson", std::nullopt}, Case{"tomorrow at 3 pm", std::nullopt}, Case{"yes", std::nullopt},
        Case{"no", std::nullopt}, Case{"", std::nullopt}, Case{"the rescheduled schedules", std::nullopt}));

TEST(Intent, MatchesWholeWordsOnly) {
  EXPECT_FALSE(detect_intent("byers"));          // not "bye"
  EXPECT_FALSE(detect_intent("the operators"));  // not "operator"
  EXPECT_EQ(detect_intent("OK, BYE."), Intent::decline);
}

}  // namespace
}  // namespace bella::understand
