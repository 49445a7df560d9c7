// Staff API end to end: the real bella binary on port 0 against a fresh PostgreSQL database.
// Needs BELLA_TEST_DATABASE_URL (and BELLA_TEST_PG_CTL for the restart test).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include <pqxx/pqxx>

#include "bella/core/base64.hpp"
#include "support/http_client.hpp"
#include "support/pg_test_db.hpp"
#include "support/server_process.hpp"

namespace bella::testing {
namespace {

constexpr const char* kKey = "test-key-123";
// A Tuesday far in the future, so "not in the past" holds on any run; Edmonton is UTC-7 then.
constexpr const char* kDay = "2030-03-05";

Headers auth() { return {{"X-API-Key", kKey}}; }

std::string booking_body(const std::string& name, const std::string& mobile, const std::string& starts_at) {
  return nlohmann::json{{"full_name", name}, {"mobile", mobile}, {"starts_at", starts_at}}.dump();
}

long long count_rows(const std::string& url, const std::string& where = "true") {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec1("SELECT count(*) FROM appointments WHERE " + where)[0].as<long long>();
}

class StaffApi : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>();
    server_ = std::make_unique<ServerProcess>(EnvVars{{"DATABASE_URL", db_->url()}, {"API_KEY", kKey}});
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->output();
    }
  }
  HttpResponse call(std::string_view method, const std::string& target, std::string body = {}) {
    HttpClient client(server_->port());
    return client.request(method, target, auth(), std::move(body));
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(StaffApi, EveryRouteNeedsTheKey) {
  for (auto [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/appointments"}, {"POST", "/appointments"}, {"GET", "/appointments/1"},
           {"PATCH", "/appointments/1"}, {"DELETE", "/appointments/1"}, {"GET", "/users"}, {"POST", "/users"},
           {"GET", "/users/1"}, {"PATCH", "/users/1"}, {"GET", "/availability?date=2030-03-05"}}) {
    auto none = http_request(server_->port(), method, target);
    EXPECT_EQ(none.status, 401u) << method << " " << target;
    EXPECT_EQ(none.header("content-type"), "application/problem+json");
    auto wrong = http_request(server_->port(), method, target, {{"X-API-Key", "test-key-124"}});
    EXPECT_EQ(wrong.status, 401u) << method << " " << target;
  }
}

TEST(StaffApiDisabled, WithoutApiKeyEveryRouteIs503) {
  TestDatabase db;
  ServerProcess server(EnvVars{{"DATABASE_URL", db.url()}});
  auto res = http_request(server.port(), "GET", "/appointments", {{"X-API-Key", ""}});
  EXPECT_EQ(res.status, 503u);
  EXPECT_EQ(res.header("content-type"), "application/problem+json");
  EXPECT_EQ(http_request(server.port(), "GET", "/users").status, 503u);
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(StaffApi, BookReadRescheduleAndCancel) {
  auto created = call("POST", "/appointments", booking_body("Sarah Johnson", "(403) 555-0123", "2030-03-05T10:00:00-07:00"));
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto appt = created.json();
  EXPECT_EQ(created.header("location"), "/appointments/" + std::to_string(appt["id"].get<long long>()));
  EXPECT_EQ(appt["starts_at"], "2030-03-05T17:00:00Z");
  EXPECT_EQ(appt["starts_at_local"], "2030-03-05T10:00:00-07:00");
  EXPECT_EQ(appt["user"]["mobile"], "+14035550123");
  EXPECT_EQ(appt["status"], "scheduled");
  EXPECT_EQ(appt["duration_minutes"], 30);

  auto got = call("GET", created.header("location"));
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.json()["id"], appt["id"]);

  // Same slot, another person: 409 with suggestions.
  auto clash = call("POST", "/appointments", booking_body("Bob Smith", "+1 403 555 0199", "2030-03-05T10:15:00-07:00"));
  ASSERT_EQ(clash.status, 409u) << clash.body;
  EXPECT_EQ(clash.header("content-type"), "application/problem+json");
  const auto slots = clash.json()["suggested_slots"];
  ASSERT_FALSE(slots.empty());
  EXPECT_LE(slots.size(), 3u);
  for (const auto& s : slots) EXPECT_NE(s["starts_at"], "2030-03-05T17:00:00Z");

  auto bob = call("POST", "/appointments", booking_body("Bob Smith", "403.555.0199", "2030-03-05T11:00:00-07:00"));
  ASSERT_EQ(bob.status, 201u) << bob.body;
  const auto bob_id = std::to_string(bob.json()["id"].get<long long>());

  // Reschedule Bob onto Sarah's slot: 409; to a free one: 200.
  auto onto = call("PATCH", "/appointments/" + bob_id, R"({"starts_at":"2030-03-05T10:00:00-07:00"})");
  EXPECT_EQ(onto.status, 409u) << onto.body;
  auto moved = call("PATCH", "/appointments/" + bob_id, R"({"starts_at":"2030-03-05T14:00:00-07:00","notes":"moved"})");
  ASSERT_EQ(moved.status, 200u) << moved.body;
  EXPECT_EQ(moved.json()["starts_at_local"], "2030-03-05T14:00:00-07:00");
  EXPECT_EQ(moved.json()["notes"], "moved");

  // Filters and pagination.
  auto page1 = call("GET", std::string("/appointments?from=") + kDay + "&to=2030-03-06&limit=1");
  ASSERT_EQ(page1.status, 200u) << page1.body;
  ASSERT_EQ(page1.json()["items"].size(), 1u);
  ASSERT_TRUE(page1.json()["next_cursor"].is_string());
  auto page2 = call("GET", std::string("/appointments?from=") + kDay + "&to=2030-03-06&limit=1&cursor=" +
                               page1.json()["next_cursor"].get<std::string>());
  ASSERT_EQ(page2.status, 200u);
  ASSERT_EQ(page2.json()["items"].size(), 1u);
  EXPECT_TRUE(page2.json()["next_cursor"].is_null());
  EXPECT_NE(page1.json()["items"][0]["id"], page2.json()["items"][0]["id"]);
  auto by_mobile = call("GET", "/appointments?mobile=%2B14035550199");
  ASSERT_EQ(by_mobile.json()["items"].size(), 1u);
  EXPECT_EQ(by_mobile.json()["items"][0]["user"]["full_name"], "Bob Smith");

  // Cancel keeps the row and frees the slot.
  auto cancelled = call("DELETE", "/appointments/" + bob_id);
  ASSERT_EQ(cancelled.status, 200u);
  EXPECT_EQ(cancelled.json()["status"], "cancelled");
  EXPECT_EQ(call("GET", "/appointments?status=cancelled").json()["items"].size(), 1u);
  EXPECT_EQ(count_rows(db_->url()), 2);
  auto again = call("POST", "/appointments", booking_body("Carol", "4035550111", "2030-03-05T14:00:00-07:00"));
  EXPECT_EQ(again.status, 201u) << again.body;
  // Cancelled is terminal: putting it back is refused (409 Not Allowed), whatever the slot.
  EXPECT_EQ(call("PATCH", "/appointments/" + bob_id, R"({"status":"scheduled"})").status, 409u);

  EXPECT_EQ(call("GET", "/appointments/999999").status, 404u);
  EXPECT_EQ(call("GET", "/appointments/abc").status, 404u);
  EXPECT_EQ(call("DELETE", "/appointments/999999").status, 404u);
  EXPECT_EQ(call("PATCH", "/appointments/999999", R"({"notes":"x"})").status, 404u);
}

TEST_F(StaffApi, RejectsBadInputWithFieldErrors) {
  auto bad = call("POST", "/appointments", R"({"full_name":"","mobile":"12","starts_at":"2030-03-05T10:00:00","duration_minutes":2})");
  ASSERT_EQ(bad.status, 422u);
  std::set<std::string> fields;
  const auto problem = bad.json();
  for (const auto& e : problem["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"full_name", "mobile", "starts_at", "duration_minutes"}));

  auto closed = call("POST", "/appointments", booking_body("Sam", "4035550100", "2030-03-05T20:00:00-07:00"));
  ASSERT_EQ(closed.status, 422u) << closed.body;
  EXPECT_EQ(closed.json()["errors"][0]["field"], "starts_at");
  EXPECT_EQ(closed.json()["next_opening"]["starts_at_local"], "2030-03-06T09:00:00-07:00");
  auto past = call("POST", "/appointments", booking_body("Sam", "4035550100", "2001-03-06T10:00:00-07:00"));
  EXPECT_EQ(past.status, 422u) << past.body;

  HttpClient client(server_->port());
  auto wrong_type = client.request("POST", "/appointments", {{"X-API-Key", kKey}, {"Content-Type", "text/plain"}}, "hi");
  EXPECT_EQ(wrong_type.status, 415u);
  EXPECT_EQ(call("POST", "/appointments", "{not json").status, 400u);
  EXPECT_EQ(call("POST", "/users", "[1,2]").status, 400u);
  EXPECT_EQ(call("GET", "/appointments?limit=500").status, 422u);
  EXPECT_EQ(call("GET", "/appointments?cursor=garbage!").status, 422u);
  EXPECT_EQ(call("GET", "/appointments?status=lost").status, 422u);
  EXPECT_EQ(call("GET", "/availability?date=2030-02-30").status, 422u);
  EXPECT_EQ(call("PATCH", "/appointments/1", "{}").status, 422u);
  EXPECT_EQ(count_rows(db_->url()), 0);
}

TEST_F(StaffApi, UsersCrud) {
  auto created = call("POST", "/users", R"({"full_name":"Dana Lee","mobile":"403-555-0142"})");
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = std::to_string(created.json()["id"].get<long long>());
  EXPECT_EQ(created.header("location"), "/users/" + id);
  EXPECT_EQ(created.json()["mobile"], "+14035550142");
  // The same name (any case) on the same mobile: 409 with the existing patient.
  auto dup = call("POST", "/users", R"({"full_name":"dana lee","mobile":"+14035550142"})");
  EXPECT_EQ(dup.status, 409u);
  EXPECT_EQ(dup.json()["title"], "Patient Exists");
  EXPECT_EQ(dup.json()["existing_user_id"].get<long long>(), std::stoll(id));
  EXPECT_EQ(call("POST", "/users", R"({"full_name":"No Phone"})").status, 422u);

  // Booking with the same mobile and the same name reuses the patient.
  auto booked = call("POST", "/appointments", booking_body("Dana Lee", "4035550142", "2030-03-05T09:00:00-07:00"));
  ASSERT_EQ(booked.status, 201u) << booked.body;
  EXPECT_EQ(booked.json()["user"]["id"].get<long long>(), std::stoll(id));
  auto user = call("GET", "/users/" + id);
  ASSERT_EQ(user.status, 200u);
  EXPECT_EQ(user.json()["full_name"], "Dana Lee");
  ASSERT_EQ(user.json()["appointments"].size(), 1u);

  auto patched = call("PATCH", "/users/" + id, R"({"full_name":"Dana M. Lee"})");
  ASSERT_EQ(patched.status, 200u);
  EXPECT_EQ(patched.json()["full_name"], "Dana M. Lee");
  call("POST", "/users", R"({"full_name":"Eve","mobile":"4035550143"})");
  // Moving Dana onto Eve's phone is fine (a household); becoming a second "Eve" there is not.
  EXPECT_EQ(call("PATCH", "/users/" + id, R"({"mobile":"4035550143"})").status, 200u);
  EXPECT_EQ(call("PATCH", "/users/" + id, R"({"full_name":"EVE"})").status, 409u);
  EXPECT_EQ(call("PATCH", "/users/424242", R"({"full_name":"X"})").status, 404u);
  EXPECT_EQ(call("GET", "/users/424242").status, 404u);

  auto page1 = call("GET", "/users?limit=1");
  ASSERT_EQ(page1.json()["items"].size(), 1u);
  auto page2 = call("GET", "/users?limit=1&cursor=" + page1.json()["next_cursor"].get<std::string>());
  ASSERT_EQ(page2.json()["items"].size(), 1u);
  EXPECT_NE(page1.json()["items"][0]["id"], page2.json()["items"][0]["id"]);
  EXPECT_EQ(call("GET", "/users?mobile=4035550143").json()["items"].size(), 2u);
}

long long count_users(const std::string& url, const std::string& where = "true") {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec1("SELECT count(*) FROM users WHERE " + where)[0].as<long long>();
}

// Issue 11 point 3: a mobile may belong to several patients; another name is another patient,
// never a rename; POST /appointments takes the patient by user_id, else by name and mobile.
TEST_F(StaffApi, HouseholdsShareAMobileAndNobodyIsRenamed) {
  auto tom = call("POST", "/users", R"({"full_name":"Tom Baker","mobile":"(403) 555-0160"})");
  ASSERT_EQ(tom.status, 201u) << tom.body;
  auto jane = call("POST", "/users", R"({"full_name":"Jane Baker","mobile":"403-555-0160"})");
  ASSERT_EQ(jane.status, 201u) << jane.body;
  const long long tom_id = tom.json()["id"], jane_id = jane.json()["id"];
  EXPECT_NE(tom_id, jane_id);
  auto again = call("POST", "/users", R"({"full_name":"  TOM BAKER ","mobile":"+14035550160"})");
  ASSERT_EQ(again.status, 409u) << again.body;
  EXPECT_EQ(again.json()["existing_user_id"].get<long long>(), tom_id);

  auto household = call("GET", "/users?mobile=%2B14035550160");
  ASSERT_EQ(household.status, 200u);
  ASSERT_EQ(household.json()["items"].size(), 2u);
  EXPECT_EQ(household.json()["items"][0]["full_name"], "Tom Baker");  // oldest first
  EXPECT_EQ(household.json()["items"][1]["full_name"], "Jane Baker");

  // By user_id: Jane, whatever name and mobile say.
  auto by_id = call("POST", "/appointments",
                    nlohmann::json{{"user_id", jane_id}, {"starts_at", "2030-03-05T09:00:00-07:00"}}.dump());
  ASSERT_EQ(by_id.status, 201u) << by_id.body;
  EXPECT_EQ(by_id.json()["user"]["id"].get<long long>(), jane_id);
  auto unknown = call("POST", "/appointments",
                      nlohmann::json{{"user_id", 424242}, {"starts_at", "2030-03-05T11:00:00-07:00"}}.dump());
  ASSERT_EQ(unknown.status, 422u) << unknown.body;
  EXPECT_EQ(unknown.json()["errors"][0]["field"], "user_id");

  // By name and mobile: the same name (any case) is Tom; another name is a NEW patient.
  auto tom_books = call("POST", "/appointments", booking_body("tom baker", "4035550160", "2030-03-05T09:30:00-07:00"));
  ASSERT_EQ(tom_books.status, 201u) << tom_books.body;
  EXPECT_EQ(tom_books.json()["user"]["id"].get<long long>(), tom_id);
  auto amy = call("POST", "/appointments", booking_body("Amy Baker", "4035550160", "2030-03-05T10:00:00-07:00"));
  ASSERT_EQ(amy.status, 201u) << amy.body;
  const long long amy_id = amy.json()["user"]["id"];
  EXPECT_NE(amy_id, tom_id);
  EXPECT_NE(amy_id, jane_id);
  EXPECT_EQ(count_users(db_->url(), "mobile = '+14035550160'"), 3);
  EXPECT_EQ(count_users(db_->url(), "full_name = 'Tom Baker'"), 1);   // never renamed
  EXPECT_EQ(count_users(db_->url(), "full_name = 'Jane Baker'"), 1);

  // Issue 13 defect 14: a refused (409) booking creates nobody.
  auto refused = call("POST", "/appointments", booking_body("Zed Baker", "4035550160", "2030-03-05T10:00:00-07:00"));
  ASSERT_EQ(refused.status, 409u) << refused.body;
  EXPECT_EQ(count_users(db_->url(), "full_name = 'Zed Baker'"), 0);
  auto refused_new = call("POST", "/appointments", booking_body("New Person", "4035550161", "2030-03-05T10:00:00-07:00"));
  ASSERT_EQ(refused_new.status, 409u) << refused_new.body;
  EXPECT_EQ(count_users(db_->url(), "mobile = '+14035550161'"), 0);
  auto listed = call("GET", "/appointments?mobile=4035550160");
  EXPECT_EQ(listed.json()["items"].size(), 3u);  // everyone's on that phone
}

// Issue 13 defect 1: names PostgreSQL's CHECKs would refuse are 422 before any SQL; nothing of the
// row reaches the log.
TEST_F(StaffApi, ControlCharactersAndLongNamesAre422AndNeverLogged) {
  const std::string mobile = "+14035554205";
  for (const std::string& name : {std::string(R"(\u0000x)"), std::string(R"(a\u0007b)"), std::string(R"(x\u009fy)"),
                                  std::string(201, 'n')}) {
    const std::string body = R"({"full_name":")" + name + R"(","mobile":")" + mobile + R"("})";
    auto created = call("POST", "/users", body);
    ASSERT_EQ(created.status, 422u) << name << " " << created.body;
    EXPECT_EQ(created.json()["errors"][0]["field"], "full_name");
    auto booked = call("POST", "/appointments",
                       R"({"full_name":")" + name + R"(","mobile":")" + mobile + R"(","starts_at":"2030-03-05T10:00:00-07:00"})");
    ASSERT_EQ(booked.status, 422u) << booked.body;
  }
  auto ok = call("POST", "/users", R"({"full_name":"Zoë Ng","mobile":"+14035554205"})");
  ASSERT_EQ(ok.status, 201u) << ok.body;
  const auto id = std::to_string(ok.json()["id"].get<long long>());
  EXPECT_EQ(call("PATCH", "/users/" + id, R"({"full_name":"\u0000"})").status, 422u);
  EXPECT_EQ(call("PATCH", "/users/" + id, R"({"full_name":"Zo\u001b"})").status, 422u);
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "é";  // 200 characters (400 bytes) fit the column
  EXPECT_EQ(call("PATCH", "/users/" + id, nlohmann::json{{"full_name", two_hundred}}.dump()).status, 200u);
  EXPECT_EQ(count_users(db_->url()), 1);
  const auto log = server_->output();
  EXPECT_EQ(log.find("Failing row"), std::string::npos) << log;
  EXPECT_EQ(log.find("4035554205"), std::string::npos) << log;
  EXPECT_EQ(log.find("request failed"), std::string::npos) << log;
}

// Issue 13 defect 7: a tampered cursor with an out-of-range timestamp is 422, never 500.
TEST_F(StaffApi, TamperedCursorsOutOfRangeAre422) {
  ASSERT_EQ(call("POST", "/appointments", booking_body("A", "4035550101", "2030-03-05T09:00:00-07:00")).status, 201u);
  ASSERT_EQ(call("POST", "/appointments", booking_body("B", "4035550102", "2030-03-05T10:00:00-07:00")).status, 201u);
  auto page = call("GET", "/appointments?limit=1");
  ASSERT_EQ(page.status, 200u);
  const std::string good = page.json()["next_cursor"];
  EXPECT_EQ(call("GET", "/appointments?limit=1&cursor=" + good).status, 200u);
  for (const std::string raw : {"a:99999999999999:1", "a:9223372036854775807:1", "a:-9223372036854775808:1",
                                "a:-1:1", "a:1900000000:-5", "a:253402300800:1", "a:99999999999999999999:1"}) {
    auto encoded = call("GET", "/appointments?cursor=" + bella::base64url(raw));
    EXPECT_EQ(encoded.status, 422u) << raw << " " << encoded.body;
    auto plain = call("GET", "/appointments?cursor=" + raw);
    EXPECT_EQ(plain.status, 422u) << raw << " " << plain.body;
  }
  EXPECT_EQ(call("GET", "/users?cursor=" + bella::base64url("u:-9223372036854775808:0")).status, 422u);
  EXPECT_EQ(call("GET", "/users?cursor=" + bella::base64url("u:9223372036854775807:0")).status, 200u);  // past the last id: empty
  EXPECT_EQ(server_->output().find("request failed"), std::string::npos);
}

// Issue 13 defect 14: scheduled -> cancelled | completed | no_show; those are terminal.
TEST_F(StaffApi, TerminalStatusesStayAndCancelledCannotBeMoved) {
  auto book = [&](const std::string& name, const std::string& mobile, const std::string& at) {
    auto r = call("POST", "/appointments", booking_body(name, mobile, at));
    EXPECT_EQ(r.status, 201u) << r.body;
    return std::to_string(r.json()["id"].get<long long>());
  };
  const auto a = book("A", "4035550101", "2030-03-05T09:00:00-07:00");
  const auto b = book("B", "4035550102", "2030-03-05T10:00:00-07:00");
  const auto c = book("C", "4035550103", "2030-03-05T11:00:00-07:00");
  ASSERT_EQ(call("DELETE", "/appointments/" + a).status, 200u);
  ASSERT_EQ(call("PATCH", "/appointments/" + b, R"({"status":"completed"})").status, 200u);
  ASSERT_EQ(call("PATCH", "/appointments/" + c, R"({"status":"no_show"})").status, 200u);

  for (const auto& [id, to] : std::vector<std::pair<std::string, std::string>>{
           {a, "completed"}, {a, "scheduled"}, {a, "no_show"}, {b, "scheduled"}, {b, "cancelled"}, {b, "no_show"},
           {c, "scheduled"}, {c, "completed"}, {c, "cancelled"}}) {
    auto r = call("PATCH", "/appointments/" + id, R"({"status":")" + to + R"("})");
    EXPECT_EQ(r.status, 409u) << id << " -> " << to << " " << r.body;
    EXPECT_EQ(r.json()["title"], "Not Allowed");
  }
  EXPECT_EQ(call("DELETE", "/appointments/" + b).status, 409u);
  EXPECT_EQ(call("DELETE", "/appointments/" + c).status, 409u);
  EXPECT_EQ(call("DELETE", "/appointments/" + a).status, 200u);  // idempotent
  EXPECT_EQ(call("PATCH", "/appointments/" + a, R"({"status":"cancelled","notes":"called"})").status, 200u);

  // A cancelled appointment cannot be rescheduled, and stays cancelled where it was.
  auto move = call("PATCH", "/appointments/" + a, R"({"starts_at":"2030-03-05T14:00:00-07:00"})");
  EXPECT_EQ(move.status, 409u) << move.body;
  auto got = call("GET", "/appointments/" + a);
  EXPECT_EQ(got.json()["status"], "cancelled");
  EXPECT_EQ(got.json()["starts_at_local"], "2030-03-05T09:00:00-07:00");
  EXPECT_EQ(call("PATCH", "/appointments/" + b, R"({"duration_minutes":60})").status, 409u);
  EXPECT_EQ(count_rows(db_->url(), "status = 'scheduled'"), 0);
}

TEST_F(StaffApi, AvailabilityHonoursHoursHolidaysAndBookings) {
  auto free_day = call("GET", std::string("/availability?date=") + kDay);
  ASSERT_EQ(free_day.status, 200u) << free_day.body;
  const auto all = free_day.json()["slots"];
  ASSERT_EQ(all.size(), 16u);  // Mon-Fri 09:00-17:00 in 30-minute slots
  EXPECT_EQ(all[0]["starts_at_local"], "2030-03-05T09:00:00-07:00");
  EXPECT_EQ(free_day.json()["time_zone"], "America/Edmonton");
  ASSERT_EQ(call("POST", "/appointments", booking_body("A", "4035550101", "2030-03-05T09:00:00-07:00")).status, 201u);
  auto after = call("GET", std::string("/availability?date=") + kDay).json()["slots"];
  ASSERT_EQ(after.size(), 15u);
  EXPECT_EQ(after[0]["starts_at_local"], "2030-03-05T09:30:00-07:00");
  auto christmas = call("GET", "/availability?date=2030-12-25").json();
  EXPECT_TRUE(christmas["slots"].empty());
  EXPECT_TRUE(christmas.contains("holiday"));
  EXPECT_TRUE(call("GET", "/availability?date=2030-03-09").json()["slots"].empty());  // Saturday
}

// 50 clients race for one slot: exactly one wins, 49 conflicts, one row.
void race(const std::vector<std::uint16_t>& ports, const std::string& db_url) {
  constexpr int kClients = 50;
  std::vector<unsigned> statuses(kClients);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client(ports[static_cast<std::size_t>(i) % ports.size()]);
      const auto body = booking_body("Racer " + std::to_string(i), "40355501" + std::to_string(10 + i),
                                     "2030-03-05T13:00:00-07:00");
      ++ready;
      while (ready.load() < kClients) std::this_thread::yield();
      statuses[static_cast<std::size_t>(i)] = client.request("POST", "/appointments", auth(), body).status;
    });
  }
  for (auto& t : threads) t.join();
  std::map<unsigned, int> by_status;
  std::string seen;
  for (auto s : statuses) {
    ++by_status[s];
    seen += std::to_string(s) + " ";
  }
  SCOPED_TRACE("statuses: " + seen);
  EXPECT_EQ(by_status[201], 1);
  EXPECT_EQ(by_status[409], 49);
  EXPECT_EQ(count_rows(db_url), 1);
}

TEST_F(StaffApi, FiftyConcurrentBookingsForOneSlot) { race({server_->port()}, db_->url()); }

TEST(StaffApiTwoServers, FiftyConcurrentBookingsForOneSlotAcrossTwoProcesses) {
  TestDatabase db;
  ServerProcess a(EnvVars{{"DATABASE_URL", db.url()}, {"API_KEY", kKey}});
  ServerProcess b(EnvVars{{"DATABASE_URL", db.url()}, {"API_KEY", kKey}});
  race({a.port(), b.port()}, db.url());
  if (::testing::Test::HasFailure()) ADD_FAILURE() << "server a:\n" << a.output() << "\nserver b:\n" << b.output();
  EXPECT_EQ(a.stop(), 0);
  EXPECT_EQ(b.stop(), 0);
}

TEST(StaffApiMigrations, TwoInstancesStartingTogetherAndFailedMigrationStopsStartup) {
  TestDatabase db;
  {
    ServerProcess a(EnvVars{{"DATABASE_URL", db.url()}, {"API_KEY", kKey}});
    ServerProcess b(EnvVars{{"DATABASE_URL", db.url()}, {"API_KEY", kKey}});
    EXPECT_EQ(http_request(a.port(), "GET", "/appointments", auth()).status, 200u);
    EXPECT_EQ(http_request(b.port(), "GET", "/appointments", auth()).status, 200u);
    EXPECT_EQ(a.stop(), 0);
    EXPECT_EQ(b.stop(), 0);
  }
  auto [code, out] = ServerProcess::run_to_exit(ServerOptions{
      .env = {{"DATABASE_URL", db.url()}, {"MIGRATIONS_DIR", "/nonexistent/bella/migrations"}}});
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("MIGRATIONS_DIR"), std::string::npos) << out;
}

// PostgreSQL restarts under traffic: 503 problems meanwhile, no crash, recovery on its own, and
// every slot ends with exactly one booking (none lost, none duplicated).
TEST(StaffApiFaults, PostgresRestartDuringTraffic) {
  const std::string pg_ctl = test_pg_ctl();
  TestDatabase db;
  ServerProcess server(EnvVars{{"DATABASE_URL", db.url()}, {"API_KEY", kKey}, {"DB_POOL_SIZE", "4"}});
  constexpr int kWorkers = 4;
  constexpr int kPerWorker = 12;  // 48 distinct 30-minute slots over three days
  std::vector<std::string> slot_times;
  for (int day : {5, 6, 7})
    for (int half = 0; half < 16; ++half)
      slot_times.push_back("2030-03-0" + std::to_string(day) + "T" + (half / 2 + 9 < 10 ? "0" : "") +
                           std::to_string(half / 2 + 9) + (half % 2 ? ":30" : ":00") + ":00-07:00");
  std::vector<std::vector<unsigned>> statuses(kWorkers);
  std::atomic<int> done_first{0};
  std::atomic<bool> restarted{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      HttpClient client(server.port());
      for (int i = 0; i < kPerWorker; ++i) {
        const auto& when = slot_times[static_cast<std::size_t>(w * kPerWorker + i)];
        if (i == 2) {
          ++done_first;
          while (!restarted.load()) std::this_thread::yield();  // some requests before, the rest during/after
        }
        HttpResponse res;
        try {
          res = client.request("POST", "/appointments", auth(), booking_body("W", "40355502" + std::to_string(10 + w), when));
        } catch (const std::exception&) {
          client.close();
          res.status = 0;
        }
        if (res.status == 503) {
          EXPECT_EQ(res.header("content-type"), "application/problem+json");
        }
        statuses[static_cast<std::size_t>(w)].push_back(res.status);
      }
    });
  }
  while (done_first.load() < kWorkers) std::this_thread::yield();
  const int rc = std::system((pg_ctl + " restart -m fast -w >/dev/null 2>&1").c_str());
  restarted = true;
  for (auto& t : threads) t.join();
  ASSERT_EQ(rc, 0) << "pg_ctl restart failed";
  ASSERT_TRUE(server.running()) << server.output();

  int unavailable = 0;
  for (const auto& per_worker : statuses) unavailable += static_cast<int>(std::count(per_worker.begin(), per_worker.end(), 503u));
  std::cout << "[ info     ] requests answered 503 around the restart: " << unavailable << "\n";
  // Recovery without help: retry every slot that did not get 201 until the server answers it.
  HttpClient client(server.port());
  for (int w = 0; w < kWorkers; ++w) {
    for (int i = 0; i < kPerWorker; ++i) {
      auto& status = statuses[static_cast<std::size_t>(w)][static_cast<std::size_t>(i)];
      EXPECT_TRUE(status == 201 || status == 503) << "status " << status;
      if (status == 201) continue;
      unsigned retried = 503;
      for (int attempt = 0; attempt < 200 && retried == 503; ++attempt) {
        retried = client.request("POST", "/appointments", auth(),
                                 booking_body("W", "40355502" + std::to_string(10 + w),
                                              slot_times[static_cast<std::size_t>(w * kPerWorker + i)])).status;
        if (retried == 503) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      // 409 only if the first attempt committed before its connection died (it is that row).
      EXPECT_TRUE(retried == 201 || retried == 409) << "retry status " << retried;
    }
  }
  EXPECT_EQ(count_rows(db.url()), kWorkers * kPerWorker);
  pqxx::connection c(db.url());
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT starts_at_utc) FROM appointments")[0].as<long long>(), kWorkers * kPerWorker);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

// Issue 13 defect 12: after PostgreSQL restarts while bella is idle, the first staff request and
// the first /readyz succeed (stale pooled connections are replaced, not served as failures).
TEST(StaffApiFaults, FirstRequestAfterAnIdleRestartSucceeds) {
  const std::string pg_ctl = test_pg_ctl();
  TestDatabase db;
  ServerProcess server(EnvVars{{"DATABASE_URL", db.url()}, {"API_KEY", kKey}, {"DB_POOL_SIZE", "4"}});
  // Open several pooled connections (concurrent requests), then leave them idle.
  std::vector<std::thread> warm;
  for (int i = 0; i < 4; ++i)
    warm.emplace_back([&] {
      for (int k = 0; k < 5; ++k) http_request(server.port(), "GET", "/appointments", auth());
    });
  for (auto& t : warm) t.join();
  ASSERT_EQ(http_request(server.port(), "GET", "/readyz").status, 200u);
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(std::system((pg_ctl + " restart -m fast -w >/dev/null 2>&1").c_str()), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto first = http_request(server.port(), "GET", "/users", auth());
    EXPECT_EQ(first.status, 200u) << first.body;
    EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 200u);
    for (int i = 0; i < 6; ++i) {
      auto next = http_request(server.port(), "GET", i % 2 ? "/appointments" : "/users", auth());
      EXPECT_EQ(next.status, 200u) << next.body;
    }
    ASSERT_EQ(std::system((pg_ctl + " restart -m fast -w >/dev/null 2>&1").c_str()), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 200u);  // readiness first this time
    auto booked = http_request(server.port(), "POST", "/appointments", auth(),
                               booking_body("R", "4035550170", round ? "2030-03-05T09:00:00-07:00" : "2030-03-05T10:00:00-07:00"));
    EXPECT_EQ(booked.status, 201u) << booked.body;
  }
  EXPECT_EQ(server.stop(), 0) << server.output();
}

}  // namespace
}  // namespace bella::testing
