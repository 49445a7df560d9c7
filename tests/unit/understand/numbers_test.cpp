// Number-word normaliser: oh/zero, double/triple, tens, hundreds, ordinals, mixed digits.
#include <gtest/gtest.h>

#include "understand/numbers.hpp"

namespace bella::understand {
namespace {

TEST(Numbers, ZeroWordsOnlyNextToDigits) {
  EXPECT_EQ(normalize_numbers("four oh three"), "4 0 3");
  EXPECT_EQ(normalize_numbers("o two three"), "0 2 3");
  EXPECT_EQ(normalize_numbers("zero one"), "0 1");
  EXPECT_EQ(normalize_numbers("oh, i see"), "oh , i see");  // an exclamation stays a word
  EXPECT_EQ(normalize_numbers("3 o'clock"), "3 oclock");
  EXPECT_EQ(normalize_numbers("3 o clock"), "3 oclock");
}

TEST(Numbers, DoubleAndTriple) {
  EXPECT_EQ(normalize_numbers("double five"), "55");
  EXPECT_EQ(normalize_numbers("triple two"), "222");
  EXPECT_EQ(normalize_numbers("double oh seven"), "00 7");
  EXPECT_EQ(normalize_numbers("double trouble"), "double trouble");
}

TEST(Numbers, TensHundredsThousands) {
  EXPECT_EQ(normalize_numbers("twenty three"), "23");
  EXPECT_EQ(normalize_numbers("twenty-three"), "23");
  EXPECT_EQ(normalize_numbers("fifteen hundred"), "1500");
  EXPECT_EQ(normalize_numbers("eight hundred five five five"), "800 5 5 5");
  EXPECT_EQ(normalize_numbers("one hundred and twenty"), "120");
  EXPECT_EQ(normalize_numbers("one hundred twenty three"), "123");
  EXPECT_EQ(normalize_numbers("two thousand twenty six"), "2026");
  EXPECT_EQ(normalize_numbers("ten thirty"), "10 30");  // two numbers: a clock reading
  EXPECT_EQ(normalize_numbers("oh one twenty six"), "0 1 26");
}

TEST(Numbers, Ordinals) {
  EXPECT_EQ(normalize_numbers("the third"), "the 3rd");
  EXPECT_EQ(normalize_numbers("twenty-first"), "21st");
  EXPECT_EQ(normalize_numbers("twenty first"), "21st");
  EXPECT_EQ(normalize_numbers("the 22nd"), "the 22nd");
  EXPECT_EQ(normalize_numbers("15th"), "15th");
  EXPECT_EQ(normalize_numbers("eleventh"), "11th");
  EXPECT_EQ(normalize_numbers("thirtieth"), "30th");
}

TEST(Numbers, MixedDigitsAndWords) {
  EXPECT_EQ(normalize_numbers("six one three 555 0138"), "6 1 3 555 0138");
  EXPECT_EQ(normalize_numbers("Call me at 403, double five"), "call me at 403 , 55");
}

TEST(Numbers, TokenFlags) {
  const auto toks = lex("double five and 0123 and twenty");
  ASSERT_EQ(toks.size(), 5U);
  EXPECT_TRUE(toks[0].digit_wise);
  EXPECT_TRUE(toks[0].from_words);
  EXPECT_EQ(toks[2].text, "0123");  // leading zero kept
  EXPECT_EQ(toks[2].value, 123);
  EXPECT_FALSE(toks[2].from_words);
  EXPECT_FALSE(toks[4].digit_wise);
  EXPECT_EQ(toks[4].value, 20);
}

TEST(Numbers, TokenizerKeepsAccentsAndApostrophes) {
  const auto toks = tokenize("It's Jean-François O’Brien.");
  ASSERT_EQ(toks.size(), 6U);
  EXPECT_EQ(toks[0].text, "it's");
  EXPECT_EQ(toks[1].raw, "Jean");
  EXPECT_EQ(toks[2].text, "-");
  EXPECT_EQ(toks[3].raw, "François");
  EXPECT_EQ(toks[4].text, "o'brien");
  EXPECT_EQ(toks[5].text, ".");
  EXPECT_EQ(ordinal_suffix(11), "th");
  EXPECT_EQ(ordinal_suffix(22), "nd");
}

}  // namespace
}  // namespace bella::understand
