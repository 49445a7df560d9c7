// Staff page end to end: /staff/ served from the binary, sign-in cookie + CSRF through the staff
// guard, GET /schedule and GET /users?q=, against the real bella binary and a fresh PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/pg_test_db.hpp"
#include "support/server_process.hpp"

namespace bella::testing {
namespace {

constexpr const char* kKey = "page-key-123";
// Monday 4 March 2030, 08:30 in Edmonton (MST, UTC-7): the clinic's "today".
constexpr const char* kNow = "2030-03-04T08:30:00-07:00";

// "name=value" of a Set-Cookie header (the part before the first ';').
std::string cookie_pair(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

class StaffPage : public ::testing::Test {
 protected:
  void start(EnvVars extra = {}) {
    db_ = std::make_unique<TestDatabase>();
    EnvVars env{{"DATABASE_URL", db_->url()}, {"API_KEY", kKey}, {"BELLA_FAKE_NOW", kNow}};
    for (auto& e : extra) env.push_back(e);
    server_ = std::make_unique<ServerProcess>(env);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->output();
    }
  }
  HttpResponse req(std::string_view method, const std::string& target, const Headers& headers = {}, std::string body = {}) {
    return http_request(server_->port(), method, target, headers, std::move(body));
  }
  // Signs in; returns {Cookie header value, CSRF token}.
  std::pair<std::string, std::string> sign_in() {
    auto res = req("POST", "/staff/session", {}, nlohmann::json{{"api_key", kKey}}.dump());
    EXPECT_EQ(res.status, 200u) << res.body;
    return {cookie_pair(res.header("set-cookie")), res.json()["csrf_token"].get<std::string>()};
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(StaffPage, ServesTheEmbeddedPage) {
  start();
  auto page = req("GET", "/staff/");
  ASSERT_EQ(page.status, 200u);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"app.js\">"), std::string::npos);
  EXPECT_NE(page.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(page.header("x-frame-options"), "DENY");
  auto js = req("GET", "/staff/app.js");
  ASSERT_EQ(js.status, 200u);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(req("GET", "/staff/style.css").header("content-type"), "text/css; charset=utf-8");
  auto bare = req("GET", "/staff");
  EXPECT_EQ(bare.status, 301u);
  EXPECT_EQ(bare.header("location"), "/staff/");
  EXPECT_EQ(req("GET", "/staff/nope.js").status, 404u);
}

TEST_F(StaffPage, SignInGivesAnHttpOnlyStrictCookieAndWritesNeedTheCsrfToken) {
  start();
  auto wrong = req("POST", "/staff/session", {}, R"({"api_key":"page-key-124"})");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.header("set-cookie"), "");
  EXPECT_EQ(wrong.json()["errors"][0]["field"], "api_key");

  auto ok = req("POST", "/staff/session", {}, R"({"api_key":"page-key-123"})");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  const auto set_cookie = ok.header("set-cookie");
  EXPECT_EQ(set_cookie.rfind("bella_staff=", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos);
  EXPECT_NE(set_cookie.find("; Max-Age=43200"), std::string::npos);  // STAFF_SESSION_HOURS default 12
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);           // PUBLIC_BASE_URL is not https
  const Headers cookie{{"Cookie", cookie_pair(set_cookie)}};
  const std::string csrf = ok.json()["csrf_token"];

  // Reads need only the cookie; the page gets its token back after a reload.
  EXPECT_EQ(req("GET", "/schedule", cookie).status, 200u);
  auto session = req("GET", "/staff/session", cookie);
  ASSERT_EQ(session.status, 200u);
  EXPECT_EQ(session.json()["csrf_token"], csrf);

  const std::string body = R"({"full_name":"Sarah Johnson","mobile":"(403) 555-0123","starts_at":"2030-03-05T10:00:00-07:00"})";
  EXPECT_EQ(req("POST", "/appointments", cookie, body).status, 403u);
  Headers wrong_token = cookie;
  wrong_token.emplace_back("X-CSRF-Token", csrf.substr(1) + "A");
  EXPECT_EQ(req("POST", "/appointments", wrong_token, body).status, 403u);
  Headers with_token = cookie;
  with_token.emplace_back("X-CSRF-Token", csrf);
  auto booked = req("POST", "/appointments", with_token, body);
  ASSERT_EQ(booked.status, 201u) << booked.body;
  const auto id = std::to_string(booked.json()["id"].get<long long>());
  EXPECT_EQ(req("DELETE", "/appointments/" + id, cookie).status, 403u);

  // A token alone, or a forged cookie, is nothing.
  EXPECT_EQ(req("POST", "/appointments", {{"X-CSRF-Token", csrf}}, body).status, 401u);
  std::string forged = cookie_pair(set_cookie);
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(req("GET", "/schedule", {{"Cookie", forged}}).status, 401u);
  EXPECT_EQ(req("GET", "/staff/session", {{"Cookie", forged}}).status, 401u);

  // X-API-Key keeps working as before, cookie or not.
  EXPECT_EQ(req("GET", "/appointments/" + id, {{"X-API-Key", kKey}}).status, 200u);

  // Sign-out needs the token too, then clears the cookie.
  EXPECT_EQ(req("DELETE", "/staff/session", cookie).status, 403u);
  auto out = req("DELETE", "/staff/session", with_token);
  EXPECT_EQ(out.status, 204u);
  EXPECT_NE(out.header("set-cookie").find("bella_staff=; Path=/; Max-Age=0"), std::string::npos) << out.header("set-cookie");
}

TEST_F(StaffPage, GuessingInParallelIsCappedWhileWrongKeysWait) {
  start();
  constexpr int kGuesses = 40;
  std::vector<unsigned> statuses(kGuesses, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kGuesses; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = http_request(server_->port(), "POST", "/staff/session", {}, R"({"api_key":"guess"})").status;
    });
  }
  for (auto& t : threads) t.join();
  int refused = 0, limited = 0;
  for (auto st : statuses) {
    EXPECT_TRUE(st == 401u || st == 429u) << st;
    if (st == 401u) ++refused;
    if (st == 429u) ++limited;
  }
  EXPECT_GT(limited, 0);  // 40 at once, at most 16 may wait out their second
  EXPECT_GT(refused, 0);
  // Once the wrong ones have waited, the right key gets in.
  EXPECT_EQ(req("POST", "/staff/session", {}, nlohmann::json{{"api_key", kKey}}.dump()).status, 200u);
}

TEST_F(StaffPage, CookieIsSecureUnderHttpsAndLivesStaffSessionHours) {
  start({{"PUBLIC_BASE_URL", "https://bella.example.com"}, {"STAFF_SESSION_HOURS", "2"}});
  auto ok = req("POST", "/staff/session", {{"Content-Type", "application/x-www-form-urlencoded"}}, "api_key=page-key-123");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  const auto set_cookie = ok.header("set-cookie");
  EXPECT_EQ(set_cookie.rfind("__Host-bella_staff=", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("; Secure"), std::string::npos);
  EXPECT_NE(set_cookie.find("; Max-Age=7200"), std::string::npos);
  EXPECT_EQ(req("GET", "/schedule", {{"Cookie", cookie_pair(set_cookie)}}).status, 200u);
}

TEST(StaffPageConfig, BadSessionHoursStopsStartUp) {
  auto [code, output] = ServerProcess::run_to_exit(ServerOptions{.env = {{"STAFF_SESSION_HOURS", "0"}}});
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("STAFF_SESSION_HOURS"), std::string::npos) << output;
}

TEST_F(StaffPage, SessionsFromAnotherKeyAreRefused) {
  start();
  auto [cookie, csrf] = sign_in();
  server_->stop();
  server_ = std::make_unique<ServerProcess>(EnvVars{{"DATABASE_URL", db_->url()}, {"API_KEY", "rotated-key"}, {"BELLA_FAKE_NOW", kNow}});
  EXPECT_EQ(req("GET", "/schedule", {{"Cookie", cookie}}).status, 401u);
  // ...while a second instance with the same key accepts it (no shared state needed).
  ServerProcess twin(EnvVars{{"DATABASE_URL", db_->url()}, {"API_KEY", kKey}, {"BELLA_FAKE_NOW", kNow}});
  EXPECT_EQ(http_request(twin.port(), "GET", "/schedule", {{"Cookie", cookie}}).status, 200u);
  EXPECT_EQ(twin.stop(), 0);
}

TEST_F(StaffPage, ScheduleGivesTheDayItsHoursAppointmentsFreeSlotsAndWeek) {
  start();
  const Headers key{{"X-API-Key", kKey}};
  auto a = req("POST", "/appointments", key,
               R"({"full_name":"Sarah Johnson","mobile":"4035550123","starts_at":"2030-03-05T10:00:00-07:00","duration_minutes":60})");
  ASSERT_EQ(a.status, 201u) << a.body;
  auto b = req("POST", "/appointments", key,
               R"({"full_name":"Bob Smith","mobile":"4035550199","starts_at":"2030-03-05T14:00:00-07:00"})");
  ASSERT_EQ(b.status, 201u) << b.body;
  ASSERT_EQ(req("DELETE", "/appointments/" + std::to_string(b.json()["id"].get<long long>()), key).status, 200u);
  ASSERT_EQ(req("POST", "/appointments", key,
                R"({"full_name":"Carol","mobile":"4035550111","starts_at":"2030-03-07T09:00:00-07:00"})").status, 201u);

  auto res = req("GET", "/schedule?date=2030-03-05", key);
  ASSERT_EQ(res.status, 200u) << res.body;
  const auto s = res.json();
  EXPECT_EQ(s["date"], "2030-03-05");
  EXPECT_EQ(s["today"], "2030-03-04");
  EXPECT_EQ(s["time_zone"], "America/Edmonton");
  EXPECT_EQ(s["time_zone_abbrev"], "MST");
  EXPECT_EQ(s["open"], true);
  EXPECT_TRUE(s["holiday"].is_null());
  ASSERT_EQ(s["opening_hours"].size(), 1u);
  EXPECT_EQ(s["opening_hours"][0]["starts_at_local"], "2030-03-05T09:00:00-07:00");
  EXPECT_EQ(s["opening_hours"][0]["ends_at_local"], "2030-03-05T17:00:00-07:00");
  ASSERT_EQ(s["appointments"].size(), 2u);  // the cancelled one too, with its status
  EXPECT_EQ(s["appointments"][0]["status"], "scheduled");
  EXPECT_EQ(s["appointments"][1]["status"], "cancelled");
  EXPECT_EQ(s["free_slots"].size(), 14u);  // 16 half-hours, 10:00-11:00 taken
  for (const auto& f : s["free_slots"]) {
    EXPECT_NE(f["starts_at_local"], "2030-03-05T10:00:00-07:00");
    EXPECT_NE(f["starts_at_local"], "2030-03-05T10:30:00-07:00");
  }
  ASSERT_EQ(s["week"].size(), 7u);
  EXPECT_EQ(s["week"][0]["date"], "2030-03-04");
  EXPECT_EQ(s["week"][1]["scheduled"], 1);  // Tuesday: Sarah (Bob is cancelled)
  EXPECT_EQ(s["week"][3]["scheduled"], 1);  // Thursday: Carol
  EXPECT_EQ(s["week"][5]["open"], false);   // Saturday

  // Without a date: the clinic's today under BELLA_FAKE_NOW.
  EXPECT_EQ(req("GET", "/schedule", key).json()["date"], "2030-03-04");

  auto christmas = req("GET", "/schedule?date=2030-12-25", key).json();
  EXPECT_EQ(christmas["open"], false);
  EXPECT_EQ(christmas["holiday"], "Christmas Day");
  EXPECT_EQ(christmas["closed_reason"], "holiday");
  EXPECT_TRUE(christmas["free_slots"].empty());
  auto sunday = req("GET", "/schedule?date=2030-03-10", key).json();
  EXPECT_EQ(sunday["closed_reason"], "closed");

  auto bad = req("GET", "/schedule?date=2030-02-30", key);
  EXPECT_EQ(bad.status, 422u);
  EXPECT_EQ(bad.json()["errors"][0]["field"], "date");
  EXPECT_EQ(req("GET", "/schedule").status, 401u);
}

TEST_F(StaffPage, UsersCanBeSearchedByNameOrPhoneDigits) {
  start();
  const Headers key{{"X-API-Key", kKey}};
  for (auto [name, mobile] : std::vector<std::pair<std::string, std::string>>{
           {"Sarah Johnson", "4035550123"}, {"Bob Smith", "4035550199"}, {"Sara Lee_x", "5875550100"}}) {
    ASSERT_EQ(req("POST", "/users", key, nlohmann::json{{"full_name", name}, {"mobile", mobile}}.dump()).status, 201u);
  }
  auto names = [&](const std::string& q) {
    std::vector<std::string> out;
    auto res = req("GET", "/users?q=" + q, key);
    EXPECT_EQ(res.status, 200u) << res.body;
    const auto body = res.json();
    for (const auto& u : body["items"]) out.push_back(u["full_name"]);
    return out;
  };
  EXPECT_EQ(names("sara"), (std::vector<std::string>{"Sarah Johnson", "Sara Lee_x"}));
  EXPECT_EQ(names("SMITH"), (std::vector<std::string>{"Bob Smith"}));
  EXPECT_EQ(names("555-0199"), (std::vector<std::string>{"Bob Smith"}));
  EXPECT_EQ(names("(587)"), (std::vector<std::string>{"Sara Lee_x"}));
  EXPECT_EQ(names("%25"), (std::vector<std::string>{}));   // a literal '%', not a wildcard
  EXPECT_EQ(names("e_x"), (std::vector<std::string>{"Sara Lee_x"}));
  EXPECT_EQ(names("zzz"), (std::vector<std::string>{}));
  EXPECT_EQ(names("").size(), 3u);
}

// The patient page's texts: every text of any of one patient's appointments, newest first, in the
// clinic's zone. Twilio is configured but unreachable (port 9 on loopback), so nothing goes out and
// the rows stay as planned.
TEST_F(StaffPage, UserMessagesListThePatientsTextsNewestFirst) {
  start({{"TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000001"},
         {"TWILIO_AUTH_TOKEN", "token"},
         {"SMS_FROM", "+15875550100"},
         {"CLINIC_PHONE", "403-555-0100"},
         {"TWILIO_API_BASE_URL", "http://127.0.0.1:9"}});
  const Headers key{{"X-API-Key", kKey}};
  auto book = [&](const std::string& name, const std::string& mobile, const std::string& at) {
    auto r = req("POST", "/appointments", key,
                 nlohmann::json{{"full_name", name}, {"mobile", mobile}, {"starts_at", at}}.dump());
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.json();
  };
  const auto first = book("Sarah Johnson", "4035550123", "2030-03-06T10:00:00-07:00");
  const auto second = book("Sarah Johnson", "4035550123", "2030-03-08T14:00:00-07:00");
  const auto other = book("Bob Smith", "4035550199", "2030-03-06T11:00:00-07:00");
  const auto user_id = std::to_string(first["user_id"].get<long long>());
  ASSERT_EQ(second["user_id"], first["user_id"]);
  ASSERT_EQ(req("DELETE", "/appointments/" + std::to_string(second["id"].get<long long>()), key).status, 200u);

  auto res = req("GET", "/users/" + user_id + "/messages", key);
  ASSERT_EQ(res.status, 200u) << res.body;
  const auto items = res.json()["items"];
  // Per visit: a confirmation and a reminder (the day before); the cancelled one adds its notice.
  std::vector<std::string> seen;
  long long last_id = 0;
  for (const auto& m : items) {
    EXPECT_NE(m["appointment_id"], other["id"]) << "another patient's text";
    if (last_id) {
      EXPECT_LT(m["id"].get<long long>(), last_id) << "newest first";
    }
    last_id = m["id"].get<long long>();
    seen.push_back(std::to_string(m["appointment_id"].get<long long>() == first["id"].get<long long>() ? 1 : 2) + ":" +
                   m["kind"].get<std::string>());
    EXPECT_EQ(m["updated_at_local"].get<std::string>().substr(19), "-07:00");
    EXPECT_TRUE(m["sent_at"].is_null());
    EXPECT_TRUE(m["sent_at_local"].is_null());
    EXPECT_FALSE(m.contains("body")) << "never the words";
    EXPECT_FALSE(m.contains("to")) << "never the number";
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"1:confirmation", "1:reminder", "2:cancelled", "2:confirmation", "2:reminder"}));
  EXPECT_EQ(items[0]["kind"], "cancelled");  // the last change, first

  // The same rows as the appointment's own list.
  auto one = req("GET", "/appointments/" + std::to_string(first["id"].get<long long>()), key).json();
  ASSERT_EQ(one["messages"].size(), 2u);
  EXPECT_EQ(one["messages"][0]["due_at_local"].get<std::string>().substr(19), "-07:00");

  EXPECT_EQ(req("GET", "/users/999999/messages", key).status, 404u);
  EXPECT_EQ(req("GET", "/users/abc/messages", key).status, 404u);
  EXPECT_EQ(req("GET", "/users/" + user_id + "/messages").status, 401u);
  auto [cookie, csrf] = sign_in();
  EXPECT_EQ(req("GET", "/users/" + user_id + "/messages", {{"Cookie", cookie}}).status, 200u);  // a read: the cookie alone
}

}  // namespace
}  // namespace bella::testing
