// Texts to patients end to end: the real bella binary, real PostgreSQL, and a local server that
// speaks Twilio's Messages API (tests/stubs/twilio_messages_stub.cpp). Needs BELLA_TEST_DATABASE_URL.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "sim/call_simulator.hpp"
#include "twilio/signature.hpp"
#include "support/http_client.hpp"
#include "support/llm_e2e_support.hpp"
#include "support/pg_test_db.hpp"
#include "support/server_process.hpp"

#ifndef BELLA_STUB_TWILIO_MESSAGES_STUB
#error "BELLA_STUB_TWILIO_MESSAGES_STUB must name the twilio_messages_stub executable"
#endif

namespace bella::testing {
namespace {

using nlohmann::json;
namespace bhttp = boost::beast::http;

constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
constexpr const char* kToken = "texts-e2e-token";
constexpr const char* kApiKey = "staff-key";
constexpr const char* kPublicBase = "https://bella.example.test";
constexpr const char* kFrom = "+15875550100";
// Tuesday 5 March 2030, 10:00 in Edmonton (MST).
constexpr const char* kNow = "2030-03-05T10:00:00-07:00";

/// Polls `done` until it holds or `limit` passes (a guard against hangs, not a timing assertion).
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

/// A loopback port nothing listens on (bound once, then released).
std::uint16_t unused_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

class Stub {
 public:
  explicit Stub(std::uint16_t port = 0)
      : child_(BELLA_STUB_TWILIO_MESSAGES_STUB, {"--sid", kSid, "--token", kToken}, {"PORT=" + std::to_string(port)}),
        port_(child_.wait_for_port()) {}
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  json requests() const { return json::parse(test::http_call(port_, bhttp::verb::get, "/__requests").body); }
  void script(const json& s) const { ASSERT_EQ(test::http_call(port_, bhttp::verb::post, "/__script", s.dump()).status, 200); }
  /// Requests whose To is `to` (and, if given, whose Body contains `text`).
  std::vector<json> to(const std::string& number, const std::string& text = {}) const {
    std::vector<json> out;
    for (const auto& r : requests())
      if (r["form"].value("To", "") == number && r["form"].value("Body", "").find(text) != std::string::npos)
        out.push_back(r);
    return out;
  }

 private:
  test::ChildProcess child_;
  std::uint16_t port_;
};

EnvVars bella_env(const std::string& db, const std::string& twilio_base, const std::string& now = kNow) {
  return {{"DATABASE_URL", db},
          {"API_KEY", kApiKey},
          {"TWILIO_ACCOUNT_SID", kSid},
          {"TWILIO_AUTH_TOKEN", kToken},
          {"SMS_FROM", kFrom},
          {"TWILIO_API_BASE_URL", twilio_base},
          {"PUBLIC_BASE_URL", kPublicBase},
          {"BELLA_FAKE_NOW", now},
          {"CLINIC_NAME", "Bow River Clinic"},
          {"CLINIC_PHONE", "403-555-0100"},
          {"SMS_POLL_INTERVAL_MS", "100"},
          {"SMS_RETRY_BASE_MS", "100"},
          {"LOG_LEVEL", "info"}};
}

struct MessageRow {
  long long id = 0;
  long long appointment_id = 0;
  std::string kind, status, twilio_sid, twilio_status, to, body;
  int revision = 0, attempts = 0, error_code = 0;
};

std::vector<MessageRow> messages(const std::string& url, const std::string& where = "true") {
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  std::vector<MessageRow> out;
  for (const auto& r : tx.exec("SELECT id, appointment_id, kind, status, coalesce(twilio_sid, ''), coalesce(twilio_status, ''),"
                               " to_number, body, revision, attempts, coalesce(error_code, 0) FROM messages WHERE " +
                               where + " ORDER BY id")) {
    out.push_back(MessageRow{r[0].as<long long>(), r[1].as<long long>(), r[2].c_str(), r[3].c_str(), r[4].c_str(),
                             r[5].c_str(), r[6].c_str(), r[7].c_str(), r[8].as<int>(), r[9].as<int>(), r[10].as<int>()});
  }
  return out;
}

std::optional<MessageRow> message(const std::string& url, long long appointment_id, const std::string& kind) {
  auto rows = messages(url, "appointment_id = " + std::to_string(appointment_id) + " AND kind = '" + kind + "'");
  if (rows.empty()) return std::nullopt;
  return rows.back();
}

bool has_status(const std::string& url, long long appointment_id, const std::string& kind, const std::string& status) {
  auto m = message(url, appointment_id, kind);
  return m && m->status == status;
}

HttpResponse staff(const ServerProcess& s, std::string_view method, const std::string& target, std::string body = {}) {
  HttpClient client(s.port());
  return client.request(method, target, {{"X-API-Key", kApiKey}}, std::move(body));
}

long long book(const ServerProcess& s, const std::string& name, const std::string& mobile, const std::string& starts_at) {
  auto res = staff(s, "POST", "/appointments",
                   json{{"full_name", name}, {"mobile", mobile}, {"starts_at", starts_at}}.dump());
  EXPECT_EQ(res.status, 201u) << res.body;
  return res.status == 201 ? res.json()["id"].get<long long>() : 0;
}

/// A signed Twilio webhook post (messaging or voice).
HttpResponse twilio_post(std::uint16_t port, const std::string& path, const twilio::Params& params) {
  return http_request(port, "POST", path,
                      {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"X-Twilio-Signature", twilio::sign(kToken, std::string(kPublicBase) + path, params)}},
                      twilio::form_encode(params));
}

HttpResponse inbound_text(std::uint16_t port, const std::string& from, const std::string& body) {
  static std::mt19937_64 rng{std::random_device{}()};
  return twilio_post(port, "/twilio/sms",
                     {{"MessageSid", twilio::make_sid("SM", rng(), rng())}, {"AccountSid", kSid}, {"From", from},
                      {"To", kFrom}, {"Body", body}, {"NumMedia", "0"}});
}

class Texts : public ::testing::Test {
 protected:
  void SetUp() override { db_ = std::make_unique<TestDatabase>(); }
  std::unique_ptr<TestDatabase> db_;
};

TEST(TextsConfig, ASenderWithoutCredentialsOrClinicPhoneStopsStartUp) {
  auto [code, output] = ServerProcess::run_to_exit(
      ServerOptions{.env = {{"TWILIO_ACCOUNT_SID", kSid}, {"SMS_FROM", kFrom}, {"CLINIC_PHONE", "403-555-0100"}}});
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("TWILIO_AUTH_TOKEN"), std::string::npos) << output;
  std::tie(code, output) = ServerProcess::run_to_exit(
      ServerOptions{.env = {{"TWILIO_ACCOUNT_SID", kSid}, {"SMS_FROM", kFrom}, {"TWILIO_AUTH_TOKEN", kToken}}});
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("CLINIC_PHONE"), std::string::npos) << output;
}

TEST_F(Texts, APhoneBookingSendsOneConfirmationAndQueuesAReminder) {
  Stub stub;
  ServerProcess bella(bella_env(db_->url(), stub.base_url()));
  static std::mt19937_64 rng{std::random_device{}()};
  const std::string call_sid = twilio::make_sid("CA", rng(), rng());
  std::string action = "/twilio/voice";
  std::string previous;
  auto say = [&](const std::string& speech) {
    previous = action;
    twilio::Params p{{"CallSid", call_sid}, {"AccountSid", kSid}, {"From", "+14035550123"}, {"To", kFrom},
                     {"CallStatus", "in-progress"}, {"Direction", "inbound"}};
    if (action != "/twilio/voice") p.emplace_back("SpeechResult", speech);
    auto res = twilio_post(bella.port(), action, p);
    EXPECT_EQ(res.status, 200u) << res.body;
    static const std::regex next(R"re(action="([^"]+)")re");
    std::smatch m;
    if (std::regex_search(res.body, m, next)) action = std::regex_replace(m[1].str(), std::regex("&amp;"), "&");
    return res.body;
  };
  say("");
  say("my name is Sarah Johnson");
  say("yes");
  say("Thursday at 2 pm");
  const auto booked = say("yes");
  ASSERT_NE(booked.find("all set"), std::string::npos) << booked;

  ASSERT_TRUE(eventually([&] { return stub.to("+14035550123").size() == 1; })) << stub.requests().dump(2);
  const auto sent = stub.to("+14035550123")[0];
  EXPECT_TRUE(sent["auth_ok"].get<bool>());
  EXPECT_EQ(sent["path"], std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json");
  EXPECT_EQ(sent["content_type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(sent["form"]["From"], kFrom);
  EXPECT_EQ(sent["form"]["StatusCallback"], std::string(kPublicBase) + "/twilio/sms/status");
  const std::string body = sent["form"]["Body"];
  EXPECT_EQ(body, "Bow River Clinic: your appointment is booked for Thu Mar 7, 2 PM. To change or cancel, call 403-555-0100.");
  EXPECT_LE(body.size(), 160u);

  ASSERT_TRUE(eventually([&] { return messages(db_->url(), "kind = 'confirmation' AND status = 'sent'").size() == 1; }));
  const auto rows = messages(db_->url());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, "confirmation");
  EXPECT_EQ(rows[0].twilio_sid, sent["sid"].get<std::string>());
  EXPECT_EQ(rows[0].twilio_status, "queued");
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_EQ(rows[1].kind, "reminder");  // due Wednesday 2 PM, a day ahead
  EXPECT_EQ(rows[1].status, "pending");
  // Twilio retrying the last turn replays the booking: nothing more is queued or sent.
  action = previous;
  say("yes");
  const auto third = book(bella, "Bob Smith", "+14035550199", "2030-03-05T15:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), third, "confirmation", "sent"); }));
  EXPECT_EQ(stub.to("+14035550123").size(), 1u);
  EXPECT_EQ(messages(db_->url(), "to_number = '+14035550123'").size(), 2u);
  EXPECT_EQ(bella.stop(), 0) << bella.output();
  EXPECT_EQ(bella.output().find("+14035550123"), std::string::npos) << "a phone number reached the log";
  EXPECT_EQ(bella.output().find("To change or cancel"), std::string::npos) << "a text reached the log";
}

TEST_F(Texts, TwoServerErrorsThenSuccessSendsExactlyOnce) {
  Stub stub;
  stub.script({{"replies", json::array({{{"kind", "error"}, {"status", 500}, {"code", 20500}},
                                        {{"kind", "error"}, {"status", 503}, {"code", 20503}}})}});
  ServerProcess bella(bella_env(db_->url(), stub.base_url()));
  const auto id = book(bella, "Sarah Johnson", "+14035550123", "2030-03-05T14:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), id, "confirmation", "sent"); }));
  const auto row = *message(db_->url(), id, "confirmation");
  EXPECT_EQ(row.attempts, 3);
  const auto seen = stub.to("+14035550123");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0]["answered"], 500);
  EXPECT_EQ(seen[1]["answered"], 503);
  EXPECT_EQ(seen[2]["answered"], 201);
  EXPECT_EQ(row.twilio_sid, seen[2]["sid"].get<std::string>());
  // Booked the same afternoon: inside the reminder lead, so no reminder.
  EXPECT_FALSE(message(db_->url(), id, "reminder").has_value());
  EXPECT_EQ(bella.stop(), 0);
}

TEST_F(Texts, OptedOutRecipientFailsAtOnceAndIsNotRetried) {
  Stub stub;
  stub.script({{"replies", json::array({{{"kind", "error"}, {"status", 400}, {"code", 21610}}})}});
  ServerProcess bella(bella_env(db_->url(), stub.base_url()));
  const auto first = book(bella, "Sarah Johnson", "+14035550123", "2030-03-05T14:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), first, "confirmation", "failed"); }));
  // A later text goes out: the sender has moved on, and the failed one was never tried again.
  const auto second = book(bella, "Bob Smith", "+14035550199", "2030-03-05T15:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), second, "confirmation", "sent"); }));
  const auto row = *message(db_->url(), first, "confirmation");
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.error_code, 21610);
  EXPECT_EQ(stub.to("+14035550123").size(), 1u);

  auto failed = staff(bella, "GET", "/messages?status=failed");
  ASSERT_EQ(failed.status, 200u) << failed.body;
  ASSERT_EQ(failed.json()["items"].size(), 1u);
  EXPECT_EQ(failed.json()["items"][0]["appointment_id"], first);
  EXPECT_EQ(failed.json()["items"][0]["error_code"], 21610);
  EXPECT_EQ(failed.json()["items"][0]["kind"], "confirmation");
  EXPECT_EQ(failed.json()["items"][0].count("body"), 0u);
  EXPECT_EQ(staff(bella, "GET", "/messages?status=nonsense").status, 422u);
  EXPECT_EQ(bella.stop(), 0);
}

TEST_F(Texts, ATextDueWhileTwilioIsDownGoesOutAfterARestart) {
  const auto port = unused_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  long long id = 0;
  {
    ServerProcess bella(bella_env(db_->url(), base));
    id = book(bella, "Sarah Johnson", "+14035550123", "2030-03-05T14:00:00-07:00");
    ASSERT_TRUE(eventually([&] {
      auto m = message(db_->url(), id, "confirmation");
      return m && m->attempts >= 1 && m->status == "pending";
    }));
    EXPECT_EQ(bella.stop(), 0);
  }
  EXPECT_EQ(message(db_->url(), id, "confirmation")->status, "pending");
  Stub stub(port);
  ServerProcess again(bella_env(db_->url(), base));
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), id, "confirmation", "sent"); }));
  EXPECT_EQ(stub.to("+14035550123").size(), 1u);
  EXPECT_EQ(again.stop(), 0);
}

TEST_F(Texts, SigtermWaitsForTheTextInHandAndRecordsIt) {
  Stub stub;
  stub.script({{"default", {{"kind", "success"}, {"delay_ms", 1500}}}});
  ServerProcess bella(bella_env(db_->url(), stub.base_url()));
  const auto id = book(bella, "Sarah Johnson", "+14035550123", "2030-03-05T14:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return stub.to("+14035550123").size() == 1; }));
  EXPECT_EQ(message(db_->url(), id, "confirmation")->status, "sending");
  EXPECT_EQ(bella.stop(), 0) << bella.output();
  // Nothing is left claimed for a lease to run out: the answer was recorded before the exit.
  const auto row = *message(db_->url(), id, "confirmation");
  EXPECT_EQ(row.status, "sent");
  EXPECT_FALSE(row.twilio_sid.empty());
}

TEST_F(Texts, TwoInstancesSendEachTextOnce) {
  Stub stub;
  stub.script({{"default", {{"kind", "success"}, {"delay_ms", 20}}}});
  ServerProcess a(bella_env(db_->url(), stub.base_url()));
  ServerProcess b(bella_env(db_->url(), stub.base_url()));
  constexpr int kBookings = 12;
  for (int i = 0; i < kBookings; ++i) {
    const int minutes = 9 * 60 + 30 * i;  // Thursday 09:00, 09:30, ...
    char when[64];
    std::snprintf(when, sizeof when, "2030-03-07T%02d:%02d:00-07:00", minutes / 60, minutes % 60);
    char mobile[32];
    std::snprintf(mobile, sizeof mobile, "+1403555%04d", 1000 + i);
    book(i % 2 ? a : b, "Patient " + std::to_string(i), mobile, when);
  }
  ASSERT_TRUE(eventually([&] { return messages(db_->url(), "kind = 'confirmation' AND status = 'sent'").size() == kBookings; }));
  const auto seen = stub.requests();
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kBookings)) << seen.dump(2);
  std::set<std::string> numbers;
  for (const auto& r : seen) numbers.insert(r["form"]["To"].get<std::string>());
  EXPECT_EQ(numbers.size(), static_cast<std::size_t>(kBookings));
  for (const auto& m : messages(db_->url(), "kind = 'confirmation'")) EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(a.stop(), 0);
  EXPECT_EQ(b.stop(), 0);
}

TEST_F(Texts, StopEndsTextsToThatNumberAndStartResumes) {
  Stub stub;
  ServerProcess bella(bella_env(db_->url(), stub.base_url()));
  const std::string number = "+14035550123";
  const auto first = book(bella, "Sarah Johnson", number, "2030-03-05T14:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), first, "confirmation", "sent"); }));

  auto stop = inbound_text(bella.port(), number, " stop ");
  ASSERT_EQ(stop.status, 200u) << stop.body;
  EXPECT_EQ(stop.header("Content-Type").rfind("text/xml", 0), 0u);
  const auto second = book(bella, "Sarah Johnson", number, "2030-03-05T15:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), second, "confirmation", "dropped"); }));
  EXPECT_EQ(stub.to(number).size(), 1u);

  // The phone line still answers; HELP and anything else point to it.
  auto help = inbound_text(bella.port(), number, "HELP");
  EXPECT_NE(help.body.find("<Message>Bow River Clinic: for appointments call 403-555-0100."), std::string::npos) << help.body;
  auto other = inbound_text(bella.port(), number, "Can I come at 3 instead?");
  EXPECT_NE(other.body.find("call 403-555-0100"), std::string::npos) << other.body;
  EXPECT_EQ(other.body.rfind("<?xml", 0), 0u);
  // Unsigned replies are refused.
  auto unsigned_post = http_request(bella.port(), "POST", "/twilio/sms", {{"Content-Type", "application/x-www-form-urlencoded"}},
                                    "From=%2B14035550123&Body=START");
  EXPECT_EQ(unsigned_post.status, 403u);

  ASSERT_EQ(inbound_text(bella.port(), number, "START").status, 200u);
  const auto third = book(bella, "Sarah Johnson", number, "2030-03-05T16:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), third, "confirmation", "sent"); }));
  EXPECT_EQ(stub.to(number).size(), 2u);

  // French keyboards: ARRÊT opts out as well.
  ASSERT_EQ(inbound_text(bella.port(), number, "Arrêt").status, 200u);
  const auto fourth = book(bella, "Sarah Johnson", number, "2030-03-06T09:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), fourth, "confirmation", "dropped"); }));
  EXPECT_EQ(bella.stop(), 0);
  EXPECT_EQ(bella.output().find(number), std::string::npos) << "a phone number reached the log";
}

TEST_F(Texts, AReminderGoesOutAtTheLeadTimeButNotForACancelledVisit) {
  Stub stub;
  // Two minutes of lead; the clock starts 5 s before the first reminder falls due.
  auto env = bella_env(db_->url(), stub.base_url(), "2030-03-05T09:57:55-07:00");
  env.emplace_back("SMS_REMINDER_LEAD_MINUTES", "2");
  ServerProcess bella(env);
  const auto kept = book(bella, "Sarah Johnson", "+14035550123", "2030-03-05T10:00:00-07:00");
  const auto cancelled = book(bella, "Bob Smith", "+14035550199", "2030-03-05T10:30:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), kept, "confirmation", "sent"); }));
  // Before its time the reminder waits.
  EXPECT_EQ(message(db_->url(), kept, "reminder")->status, "pending");
  ASSERT_EQ(staff(bella, "DELETE", "/appointments/" + std::to_string(cancelled)).status, 200u);
  EXPECT_EQ(message(db_->url(), cancelled, "reminder")->status, "dropped");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), cancelled, "cancelled", "sent"); }));
  const auto notice = stub.to("+14035550199", "cancelled");
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0]["form"]["Body"],
            "Bow River Clinic: your appointment on Tue Mar 5, 10:30 AM is cancelled. To book again, call 403-555-0100.");
  // Cancelling again sends nothing more.
  ASSERT_EQ(staff(bella, "DELETE", "/appointments/" + std::to_string(cancelled)).status, 200u);

  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), kept, "reminder", "sent"); }, std::chrono::seconds(40)));
  const auto reminder = stub.to("+14035550123", "reminder");
  ASSERT_EQ(reminder.size(), 1u);
  EXPECT_EQ(reminder[0]["form"]["Body"],
            "Bow River Clinic: reminder of your appointment on Tue Mar 5, 10 AM. To change or cancel, call 403-555-0100.");
  EXPECT_TRUE(stub.to("+14035550199", "reminder").empty());
  EXPECT_EQ(messages(db_->url(), "appointment_id = " + std::to_string(cancelled) + " AND kind = 'cancelled'").size(), 1u);
  EXPECT_EQ(bella.stop(), 0);
}

TEST_F(Texts, ARescheduleSendsANoticeAndMovesTheReminder) {
  Stub stub;
  ServerProcess bella(bella_env(db_->url(), stub.base_url()));
  const auto id = book(bella, "Sarah Johnson", "+14035550123", "2030-03-07T10:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), id, "confirmation", "sent"); }));
  auto moved = staff(bella, "PATCH", "/appointments/" + std::to_string(id), R"({"starts_at":"2030-03-08T11:00:00-07:00"})");
  ASSERT_EQ(moved.status, 200u) << moved.body;
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), id, "rescheduled", "sent"); }));
  EXPECT_EQ(stub.to("+14035550123", "has moved to Fri Mar 8, 11 AM").size(), 1u);
  const auto rows = messages(db_->url(), "kind = 'reminder'");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].status, "dropped");
  EXPECT_EQ(rows[0].revision, 1);
  EXPECT_EQ(rows[1].status, "pending");
  EXPECT_EQ(rows[1].revision, 2);
  // The same move again changes nothing and sends nothing.
  ASSERT_EQ(staff(bella, "PATCH", "/appointments/" + std::to_string(id), R"({"starts_at":"2030-03-08T11:00:00-07:00"})").status, 200u);
  EXPECT_EQ(messages(db_->url()).size(), 4u);

  auto got = staff(bella, "GET", "/appointments/" + std::to_string(id));
  ASSERT_EQ(got.status, 200u);
  const auto texts = got.json()["messages"];
  ASSERT_EQ(texts.size(), 4u) << got.body;
  EXPECT_EQ(texts[0]["kind"], "confirmation");
  EXPECT_EQ(texts[0]["status"], "sent");
  EXPECT_TRUE(texts[0]["sent_at"].is_string());
  EXPECT_EQ(texts[2]["kind"], "rescheduled");
  EXPECT_EQ(bella.stop(), 0);
}

TEST_F(Texts, StatusCallbacksMoveTheRowForwardOnly) {
  Stub stub;
  ServerProcess bella(bella_env(db_->url(), stub.base_url()));
  const auto id = book(bella, "Sarah Johnson", "+14035550123", "2030-03-05T14:00:00-07:00");
  ASSERT_TRUE(eventually([&] { return has_status(db_->url(), id, "confirmation", "sent"); }));
  const std::string sid = message(db_->url(), id, "confirmation")->twilio_sid;
  auto status = [&](const std::string& s) {
    twilio::Params p{{"MessageSid", sid}, {"AccountSid", kSid}, {"MessageStatus", s}, {"To", "+14035550123"}};
    return twilio_post(bella.port(), "/twilio/sms/status", p);
  };
  EXPECT_EQ(status("sent").status, 200u);
  EXPECT_EQ(message(db_->url(), id, "confirmation")->twilio_status, "sent");
  EXPECT_EQ(status("delivered").status, 200u);
  EXPECT_EQ(status("delivered").status, 200u);  // a repeat changes nothing
  EXPECT_EQ(status("sent").status, 200u);       // late and out of order: ignored
  const auto row = *message(db_->url(), id, "confirmation");
  EXPECT_EQ(row.twilio_status, "delivered");
  EXPECT_EQ(row.status, "delivered");
  {
    pqxx::connection c(db_->url());
    pqxx::read_transaction tx(c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM message_status_events WHERE message_sid = " + tx.quote(sid))[0].as<int>(), 2);
  }
  // Unsigned or malformed callbacks are refused.
  EXPECT_EQ(http_request(bella.port(), "POST", "/twilio/sms/status", {{"Content-Type", "application/x-www-form-urlencoded"}},
                         "MessageSid=" + sid + "&MessageStatus=failed").status, 403u);
  EXPECT_EQ(twilio_post(bella.port(), "/twilio/sms/status", {{"MessageSid", "nope"}, {"MessageStatus", "sent"}}).status, 400u);
  auto metrics = http_request(bella.port(), "GET", "/metrics", {{"X-API-Key", kApiKey}});
  EXPECT_NE(metrics.body.find(R"(bella_messages_total{kind="confirmation",status="delivered"} 1)"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find(R"(bella_messages_total{kind="confirmation",status="sent"} 1)"), std::string::npos);
  EXPECT_NE(metrics.body.find("bella_outbox_depth"), std::string::npos);
  EXPECT_NE(metrics.body.find("bella_outbox_oldest_due_seconds"), std::string::npos);
  EXPECT_EQ(bella.stop(), 0) << bella.output();
}

}  // namespace
}  // namespace bella::testing
