// Phone extraction: spoken and written forms, corrections, validity rules, caller's number.
#include <gtest/gtest.h>

#include "bella/understand/extract.hpp"

namespace bella::understand {
namespace {

TEST(NormalizePhone, WrittenForms) {
  for (const char* s : {"403-555-0123", "+1 403 555 0123", "(403) 555 0123", "4035550123", "1-403-555-0123",
                        "+14035550123", "403.555.0123"}) {
    EXPECT_EQ(normalize_phone(s), "+14035550123") << s;
  }
}

TEST(NormalizePhone, RejectsInvalid) {
  for (const char* s : {"123-123-5678",   // NPA starts with 1
                        "403-069-1234",   // NXX starts with 0
                        "403-911-0123",   // N11 exchange
                        "411-555-0123",   // N11 area code
                        "555-555-5555",   // 555 is not an area code in service
                        "+44 20 7946 0958", "12345", "403555012", "40355501234", "+2 403 555 0123", "call me"}) {
    EXPECT_FALSE(normalize_phone(s).has_value()) << s;
  }
}

TEST(NormalizePhone, AcceptsUsNumbers) {
  EXPECT_EQ(normalize_phone("(650) 701-8887"), "+16507018887");
  EXPECT_EQ(normalize_phone("+1 202.555.0121"), "+12025550121");
}

// Debian's libphonenumber 8.12.57 refuses these newer Canadian overlays; the dated table keeps them.
class NewOverlay : public ::testing::TestWithParam<int> {};
TEST_P(NewOverlay, IsAcceptedThroughTheTable) {
  const int npa = GetParam();
  EXPECT_TRUE(npa_in_service_table(npa));
  const std::string written = std::to_string(npa) + "-555-0123";
  EXPECT_EQ(normalize_phone(written), "+1" + std::to_string(npa) + "5550123");
  EXPECT_EQ(extract_phone("my number is " + written), "+1" + std::to_string(npa) + "5550123");
}
INSTANTIATE_TEST_SUITE_P(CanadianOverlays, NewOverlay, ::testing::Values(354, 382, 428, 683, 879, 942, 257));

TEST(NpaTable, HoldsAlbertaAndTollFreeButNotFictional) {
  for (int npa : {403, 587, 780, 825, 368, 800, 888}) EXPECT_TRUE(npa_in_service_table(npa)) << npa;
  for (int npa : {555, 123, 911, 999}) EXPECT_FALSE(npa_in_service_table(npa)) << npa;
}

TEST(ExtractPhone, SpokenDigits) {
  EXPECT_EQ(extract_phone("four oh three five five five oh one two three"), "+14035550123");
  EXPECT_EQ(extract_phone("Um, it's four oh three. 555, 0123."), "+14035550123");
  EXPECT_EQ(extract_phone("call me at four oh three, five five five, oh one two three"), "+14035550123");
  EXPECT_EQ(extract_phone("six four seven, triple five, oh one double five"), "+16475550155");
  EXPECT_EQ(extract_phone("six oh four, triple five, oh one eighty one"), "+16045550181");
  EXPECT_EQ(extract_phone("My phone number six one three 555 0138"), "+16135550138");
}

TEST(ExtractPhone, AreaCodeSaidAsHundreds) {
  EXPECT_EQ(extract_phone("four hundred three five five five zero one two three"), "+14035550123");
  EXPECT_EQ(extract_phone("seven hundred eighty, five five five, one two one two"), "+17805551212");
  EXPECT_EQ(extract_phone("five hundred eighty seven 555 0199"), "+15875550199");
  // A toll-free "eight hundred" keeps its zeros when that gives the valid number.
  EXPECT_EQ(extract_phone("eight hundred five five five one two one two"), "+18005551212");
  EXPECT_EQ(extract_phone("one eight hundred five five five one two one two"), "+18005551212");
}

TEST(ExtractPhone, AreaCodeAndCountryCode) {
  EXPECT_EQ(extract_phone("area code three six eight, five five five oh one seven seven"), "+13685550177");
  EXPECT_EQ(extract_phone("plus one seven eight oh, five five five, oh one four two"), "+17805550142");
  EXPECT_EQ(extract_phone("one seven eight oh five five five oh one four two"), "+17805550142");
  EXPECT_EQ(extract_phone("one eight hundred, triple five, one two one two"), "+18005551212");
  EXPECT_EQ(extract_phone("(+1)   650 - 701  8887"), "+16507018887");
}

TEST(ExtractPhone, CorrectionsKeepTheCorrectedDigits) {
  EXPECT_EQ(extract_phone("403 555 0123 no sorry 0124"), "+14035550124");
  EXPECT_EQ(extract_phone("four oh three five five five, sorry, four oh three five five five oh one two three"),
            "+14035550123");
  EXPECT_EQ(extract_phone("403 555 0123, sorry, I mean 587 555 0199"), "+15875550199");
}

TEST(ExtractPhone, ExtensionDroppedAndFirstOfTwoNumbers) {
  EXPECT_EQ(extract_phone("(650)-701-8887 ext 897"), "+16507018887");
  EXPECT_EQ(extract_phone("587 555 0199 and my other one is 825 555 0110"), "+15875550199");
}

TEST(ExtractPhone, NothingForWrongLengthOrForeignOrInvalid) {
  for (const char* s : {"five five five oh one two three", "four oh three five five five oh one two three four",
                        "plus four four, two oh, seven nine four six, oh nine five eight", "my ssn is 111-11-1111",
                        "four oh three nine one one oh one two three", "I don't have a phone number",
                        "one two three dot one two three dot o dot four o"}) {
    EXPECT_FALSE(extract_phone(s).has_value()) << s;
  }
}

TEST(ExtractPhone, CallersOwnNumber) {
  EXPECT_TRUE(wants_callers_number("this number is fine"));
  EXPECT_TRUE(wants_callers_number("the one I'm calling from"));
  EXPECT_TRUE(wants_callers_number("same number"));
  EXPECT_FALSE(wants_callers_number("my number is 403 555 0123"));
  EXPECT_EQ(extract_phone("you can use this number", "+14035550123"), "+14035550123");
  EXPECT_EQ(extract_phone("the one I'm calling from", "+14035550123"), "+14035550123");
  EXPECT_FALSE(extract_phone("the one I'm calling from", "anonymous").has_value());
  EXPECT_FALSE(extract_phone("the one I'm calling from").has_value());
  // Spoken digits win over the caller's number.
  EXPECT_EQ(extract_phone("not this number, 587 555 0199", "+14035550123"), "+15875550199");
  // A number refused by libphonenumber's digit regex trap in the Python original stays intact.
  EXPECT_EQ(normalize_phone("+14035551234"), "+14035551234");
}

}  // namespace
}  // namespace bella::understand

namespace bella::understand {
namespace {

TEST(ExtractPhone, TwoNumbersPickTheMobileOrTheFirst) {
  EXPECT_EQ(extract_phone("call 780-555-0111 or my work line 587-555-0123"), "+17805550111");
  EXPECT_EQ(extract_phone("my work number is 780-555-0111 and my cell is 587-555-0123"), "+15875550123");
  EXPECT_EQ(extract_phone("home is 403 555 0100, office 403 555 0199"), "+14035550100");
  EXPECT_EQ(extract_phone("not 403 555 0100, it's 0199"), "+14035550199");
}

TEST(ExtractPhone, DigitHomophonesOnlyInsideADigitRun) {
  EXPECT_EQ(extract_phone("four oh three for five five oh one two three"), "+14034550123");
  EXPECT_EQ(extract_phone("seven eight oh five five five oh one to three"), "+17805550123");
  EXPECT_EQ(extract_phone("five eight seven five five five oh one ate eight"), "+15875550188");
  // Outside a run they stay words: nothing is made of "for" or "to" alone.
  EXPECT_FALSE(extract_phone("I need to book for two people").has_value());
}

TEST(ExtractPhone, DatesTimesAndIdentifiersAreNotPhones) {
  for (const char* s : {"my member ID is 4035550123", "health card number 780 555 0123", "account 4035550123",
                        "10/15/2025 10", "on 12/12/2025 at 10", "december 25 2025 1030", "march 4 2025 at 10:30",
                        "2025-12-15 10:30"}) {
    EXPECT_FALSE(extract_phone(s).has_value()) << s;
  }
  EXPECT_EQ(extract_phone("my PIN is 1234 and my number is 403 555 0123"), "+14035550123");
}

}  // namespace
}  // namespace bella::understand
