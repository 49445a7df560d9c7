// Hostile and odd inputs: very long turns, invalid UTF-8, fullwidth digits, control characters and
// markup never crash the extractors and never produce a name with markup or over 100 characters.
// (Time per input is measured by bench/extract_bench.cpp, BM_Hostile; tests make no clock claims.)
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "bella/understand/extract.hpp"

namespace bella::understand {
namespace {

const calendar::BusinessCalendar& clinic() {
  static const calendar::BusinessCalendar cal(date::locate_zone("America/Edmonton"),
                                              calendar::OpeningHours::parse("Mon-Fri 09:00-17:00"));
  return cal;
}

std::string repeat(std::string_view s, std::size_t bytes) {
  std::string out;
  while (out.size() < bytes) out += s;
  out.resize(bytes);
  return out;
}

/// Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF) without control characters.
bool valid_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    char32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3F);
    }
    const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::vector<std::string> hostile_inputs() {
  std::vector<std::string> in;
  const std::size_t k64 = 64 * 1024;
  for (const char* unit : {"a", "my name is ", "John ", "J-", "J O H N ", "3 ", "at 3 pm tomorrow ", "4035550123 ",
                           "four oh three ", "just ", "pin ", "the 15th ", "<b>", "&amp;", "\xff", "\xc3", "\xe2\x80",
                           "\xef\xbc\x93", "\x01\x02\x7f", "\t\r\n", "'", "-", "((((", "\xf0\x9f\x98\x8a"}) {
    in.push_back(repeat(unit, k64));
  }
  in.push_back(std::string(k64, '\0'));
  in.push_back("my name is <script>alert(1)</script>");
  in.push_back("my name is John &amp; Jane <b>Smith</b>");
  in.push_back("my name is Jo\xffhn Sm\xc3ith");
  // Stray bytes among spelled letters (a lead byte alone, a control character) are not letters.
  in.push_back("(\x15(\x15h) \xc4 h h ");
  in.push_back("my name is J \xc3 H N S O N");
  in.push_back("my name is J-\xe2-H-N");
  in.push_back("my name is J \x01 H N");
  in.push_back("my name is \xef\xbc\xaa\xef\xbd\x8f\xef\xbd\x88\xef\xbd\x8e");  // fullwidth "John"
  in.push_back("\xef\xbc\x93\xef\xbd\x90\xef\xbd\x8d tomorrow");                 // fullwidth "3pm"
  in.push_back("call me at \xef\xbc\x94\xef\xbc\x90\xef\xbc\x93 555 0123");
  in.push_back(std::string("my name is ") + std::string(300, 'x'));
  in.push_back("my name is " + repeat("Abcdefghij ", 400));
  in.push_back("my name is " + repeat("Jean-", 200) + "Paul");
  std::mt19937 rng(12);  // fixed seed: the same bytes every run
  for (int n = 0; n < 200; ++n) {
    std::string s(static_cast<std::size_t>(rng() % 300), ' ');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    in.push_back(s);
  }
  return in;
}

TEST(Robustness, HostileInputsNeverCrashOrLeakMarkupIntoNames) {
  const TimeContext ctx{clinic().to_sys(date::local_days{date::year{2026} / 12 / 2} + std::chrono::hours{12}), &clinic()};
  std::size_t names = 0;
  for (const std::string& s : hostile_inputs()) {
    (void)hear_datetime(s, ctx);
    (void)extract_datetime(s, ctx);
    (void)extract_phone(s, "+14035550123");
    (void)extract_yes_no(s);
    (void)extract_surname(s);
    (void)looks_like_name(s);
    for (const auto& name : {extract_name(s), extract_surname(s)}) {
      if (!name) continue;
      ++names;
      EXPECT_LE(name->size(), 100U) << s.substr(0, 40);
      EXPECT_EQ(name->find_first_of("<>&"), std::string::npos) << *name;
      EXPECT_EQ(name->find('\0'), std::string::npos);
      EXPECT_TRUE(valid_text(*name)) << "not valid UTF-8 text: " << s.substr(0, 40);
    }
  }
  // Some hostile inputs still hold a name ("my name is John &amp; Jane ..."): the check above ran.
  EXPECT_GT(names, 0U);
}

TEST(Robustness, MarkupAndBadBytesAreNotPartOfANameOrANumber) {
  EXPECT_EQ(extract_name("my name is John <b>Smith</b>"), "John");
  EXPECT_FALSE(extract_name("my name is <script>alert(1)</script>").has_value());
  EXPECT_FALSE(extract_name("my name is Jo\xffhn").has_value());  // invalid UTF-8 is not a letter
  EXPECT_EQ(extract_name("my name is Zoë O'Brien"), "Zoë O'Brien");
  EXPECT_FALSE(extract_name("my name is " + std::string(300, 'x')).has_value());
  EXPECT_EQ(extract_phone("403\x01 555 0123"), "+14035550123");
}

TEST(Robustness, OnlyTheStartOfAHugeTurnIsRead) {
  const TimeContext ctx{clinic().to_sys(date::local_days{date::year{2026} / 12 / 2} + std::chrono::hours{12}), &clinic()};
  const std::string huge = "tomorrow at 3 pm " + repeat("blah ", 64 * 1024);
  const auto when = extract_datetime(huge, ctx);
  ASSERT_TRUE(when.has_value());
  EXPECT_EQ(std::get<date::local_seconds>(*when),
            date::local_days{date::year{2026} / 12 / 3} + std::chrono::hours{15});
}

}  // namespace
}  // namespace bella::understand
