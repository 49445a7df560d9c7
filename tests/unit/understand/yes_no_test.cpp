// Yes/no/correction intent: negation first, the rest kept for corrections.
#include <gtest/gtest.h>

#include "bella/understand/extract.hpp"

namespace bella::understand {
namespace {

TEST(YesNo, Affirmations) {
  for (const char* s : {"yes", "yeah that's right", "yep", "correct", "sure", "Yes please.", "that's it",
                        "sounds good", "go ahead", "okay"}) {
    const auto c = extract_yes_no(s);
    ASSERT_TRUE(c.has_value()) << s;
    EXPECT_EQ(c->answer, YesNo::yes) << s;
  }
  EXPECT_EQ(extract_yes_no("yes")->rest, "");
}

TEST(YesNo, NegationsWinOverYesWords) {
  for (const char* s : {"no", "nope", "no, don't book it", "that's not right", "yeah no", "wrong", "nah"}) {
    const auto c = extract_yes_no(s);
    ASSERT_TRUE(c.has_value()) << s;
    EXPECT_EQ(c->answer, YesNo::no) << s;
  }
}

TEST(YesNo, CorrectionRest) {
  const auto c = extract_yes_no("nope, make it Thursday");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->answer, YesNo::no);
  EXPECT_EQ(c->rest, "make it Thursday");
  const auto d = extract_yes_no("no, actually 4pm.");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->rest, "4pm");
}

TEST(YesNo, NeitherAndIdioms) {
  EXPECT_FALSE(extract_yes_no("what time is it").has_value());
  EXPECT_FALSE(extract_yes_no("").has_value());
  EXPECT_EQ(extract_yes_no("no problem")->answer, YesNo::yes);
}

}  // namespace
}  // namespace bella::understand
