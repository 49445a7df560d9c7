// StaffSessions: the signed cookie, its expiry, the CSRF token and the guard's verdicts. No I/O.
#include <gtest/gtest.h>

#include <chrono>

#include <date/date.h>

#include "web/session.hpp"

namespace bella::web {
namespace {

using Verdict = api::BrowserSessions::Verdict;

class SettableClock final : public Clock {
 public:
  std::chrono::system_clock::time_point t = date::sys_days{date::year{2030} / 3 / 4} + std::chrono::hours(15);
  [[nodiscard]] std::chrono::system_clock::time_point now() const override { return t; }
};

http::Request request(http::Verb verb, const std::string& cookie, const std::string& csrf = {}) {
  http::Request req{verb, "/appointments", 11};
  if (!cookie.empty()) req.set(http::Field::cookie, cookie);
  if (!csrf.empty()) req.set("X-CSRF-Token", csrf);
  return req;
}

TEST(StaffSessions, AnIssuedCookieIsValidForReadsAndNeedsItsTokenForWrites) {
  SettableClock clock;
  StaffSessions sessions({.api_key = "k1"}, clock);
  const auto s = sessions.issue();
  const std::string cookie = "other=1; bella_staff=" + s.cookie_value + "; theme=dark";
  EXPECT_EQ(sessions.check(request(http::Verb::get, cookie)), Verdict::valid);
  EXPECT_EQ(sessions.check(request(http::Verb::post, cookie)), Verdict::csrf_missing);
  EXPECT_EQ(sessions.check(request(http::Verb::patch, cookie, "nope")), Verdict::csrf_missing);
  EXPECT_EQ(sessions.check(request(http::Verb::delete_, cookie, s.csrf_token)), Verdict::valid);
  EXPECT_EQ(sessions.check(request(http::Verb::post, "")), Verdict::absent);
  EXPECT_EQ(sessions.check(request(http::Verb::get, "bella_staffx=" + s.cookie_value)), Verdict::absent);
}

TEST(StaffSessions, TamperedExpiredOrForeignCookiesAreInvalid) {
  SettableClock clock;
  StaffSessions sessions({.api_key = "k1", .lifetime = std::chrono::hours(12)}, clock);
  const auto s = sessions.issue();
  EXPECT_EQ(s.expires_at, std::chrono::floor<std::chrono::seconds>(clock.t) + std::chrono::hours(12));

  // A later expiry with the old MAC.
  std::string later = s.cookie_value;
  later[0] = later[0] == '9' ? '8' : static_cast<char>(later[0] + 1);
  EXPECT_EQ(sessions.check(request(http::Verb::get, "bella_staff=" + later)), Verdict::invalid);
  EXPECT_EQ(sessions.check(request(http::Verb::get, "bella_staff=garbage")), Verdict::invalid);
  EXPECT_EQ(sessions.check(request(http::Verb::get, "bella_staff=")), Verdict::invalid);

  StaffSessions other({.api_key = "k2"}, clock);
  EXPECT_EQ(other.check(request(http::Verb::get, "bella_staff=" + s.cookie_value)), Verdict::invalid);
  StaffSessions twin({.api_key = "k1"}, clock);  // another instance, same key: accepted
  EXPECT_EQ(twin.check(request(http::Verb::get, "bella_staff=" + s.cookie_value)), Verdict::valid);

  clock.t += std::chrono::hours(12) - std::chrono::seconds(1);
  EXPECT_EQ(sessions.check(request(http::Verb::get, "bella_staff=" + s.cookie_value)), Verdict::valid);
  clock.t += std::chrono::seconds(1);
  EXPECT_EQ(sessions.check(request(http::Verb::get, "bella_staff=" + s.cookie_value)), Verdict::invalid);
}

TEST(StaffSessions, EachSessionHasItsOwnToken) {
  SettableClock clock;
  StaffSessions sessions({.api_key = "k1"}, clock);
  const auto a = sessions.issue();
  const auto b = sessions.issue();
  EXPECT_NE(a.cookie_value, b.cookie_value);
  EXPECT_NE(a.csrf_token, b.csrf_token);
  EXPECT_EQ(sessions.check(request(http::Verb::post, "bella_staff=" + a.cookie_value, b.csrf_token)), Verdict::csrf_missing);
}

TEST(StaffSessions, WithoutApiKeyNothingIsEverValid) {
  SettableClock clock;
  StaffSessions on({.api_key = "k1"}, clock);
  StaffSessions off({.api_key = ""}, clock);
  EXPECT_FALSE(off.enabled());
  EXPECT_FALSE(off.key_matches(""));
  EXPECT_EQ(off.check(request(http::Verb::get, "bella_staff=" + on.issue().cookie_value)), Verdict::invalid);
}

TEST(StaffSessions, CookieAttributes) {
  SettableClock clock;
  StaffSessions plain({.api_key = "k", .lifetime = std::chrono::hours(12)}, clock);
  const auto c = plain.set_cookie(plain.issue());
  EXPECT_EQ(c.rfind("bella_staff=", 0), 0u);
  EXPECT_NE(c.find("; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict"), std::string::npos) << c;
  EXPECT_EQ(c.find("Secure"), std::string::npos);
  StaffSessions secure({.api_key = "k", .lifetime = std::chrono::hours(2), .secure = true}, clock);
  const auto sc = secure.set_cookie(secure.issue());
  EXPECT_EQ(sc.rfind("__Host-bella_staff=", 0), 0u);
  EXPECT_NE(sc.find("Max-Age=7200"), std::string::npos);
  EXPECT_NE(sc.find("; Secure"), std::string::npos);
  EXPECT_NE(secure.clear_cookie().find("Max-Age=0"), std::string::npos);
}

}  // namespace
}  // namespace bella::web
