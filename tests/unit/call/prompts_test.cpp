// The English table: every prompt id renders to a sentence; offers are spoken compactly.
#include <gtest/gtest.h>

#include <set>

#include "bella/call/prompts.hpp"

namespace bella::call {
namespace {

using namespace std::chrono_literals;

date::local_seconds on(unsigned d, std::chrono::minutes t) {
  return date::local_days{date::year{2026} / 12 / date::day{d}} + t;
}

TEST(Prompts, OffersOnOneDayAreCompact) {
  EXPECT_EQ(prompts::compact_times({on(18, 9h), on(18, 10h + 30min), on(18, 14h)}),
            "Friday, December 18 I have 9, 10:30 or 2");
  EXPECT_EQ(prompts::compact_times({on(18, 12h)}), "Friday, December 18 I have noon");
  EXPECT_EQ(prompts::compact_times({on(18, 16h), on(21, 9h)}),
            "I have Friday, December 18 at 4 or Monday, December 21 at 9");
}

TEST(Prompts, EveryIdRendersAndReAsksAreWordedDifferently) {
  for (int i = 0; i <= static_cast<int>(PromptId::say_again); ++i) {
    const auto id = static_cast<PromptId>(i);
    Prompt p{id, PromptArgs{.name = "Sarah", .when = on(18, 9h), .times = {on(18, 9h)}, .digits = "0 1 2 3",
                            .names = {"Tom Baker", "Ann Baker"}, .lengths = {30, 60}, .minutes = 30}};
    EXPECT_FALSE(prompts::render(p).empty()) << to_string(id);
    EXPECT_STRNE(to_string(id), "") << i;
  }
  for (auto id : {PromptId::ask_name, PromptId::ask_mobile, PromptId::ask_time, PromptId::ask_lookup_mobile}) {
    std::set<std::string> seen;
    for (int attempt = 0; attempt < 3; ++attempt)
      seen.insert(prompts::render(Prompt{id, PromptArgs{.attempt = attempt}}));
    EXPECT_EQ(seen.size(), 3u) << to_string(id);
  }
}

TEST(Prompts, ReAsksOfYesNoAndNumbersMentionTheKeypad) {
  EXPECT_NE(prompts::render(Prompt{PromptId::confirm, PromptArgs{.attempt = 1}}).find("press 1"), std::string::npos);
  EXPECT_NE(prompts::render(Prompt{PromptId::ask_mobile, PromptArgs{.attempt = 1}}).find("keypad"), std::string::npos);
  EXPECT_NE(prompts::render(Prompt{PromptId::confirm_cancel, PromptArgs{.when = on(18, 9h), .attempt = 1}})
                .find("press 1"),
            std::string::npos);
}

TEST(Prompts, ReadBackSaysTheLength) {
  const auto s = prompts::render(Prompt{PromptId::confirm, PromptArgs{.name = "Sarah Johnson", .when = on(18, 9h),
                                                                       .digits = "0 1 2 3", .minutes = 60}});
  EXPECT_EQ(s, "Sarah Johnson, Friday, December 18 at 9 AM, for one hour, and we'll reach you at the number ending in "
               "0 1 2 3. Shall I book it?");
}

}  // namespace
}  // namespace bella::call
