// Whole phone calls against the real bella binary, real PostgreSQL and real Redis: each test
// drives signed Twilio webhooks turn by turn, checks what the caller hears (TwiML), and checks the
// row that ended up in PostgreSQL.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <cstdlib>
#include <future>
#include <random>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "sim/call_simulator.hpp"
#include "support/http_client.hpp"
#include "support/llm_e2e_support.hpp"
#include "support/pg_test_db.hpp"
#include "support/server_process.hpp"
#include "twilio/signature.hpp"

namespace bella::testing {
namespace {

constexpr const char* kToken = "e2e-auth-token";
constexpr const char* kPublicBase = "https://bella.example.test";
// Tuesday 5 March 2030, 10:00 in Edmonton (MST). DST starts on Sunday 10 March 2030.
constexpr const char* kNow = "2030-03-05T10:00:00-07:00";

std::string redis_url_or_fail() {
  const char* v = std::getenv("BELLA_TEST_REDIS_URL");
  if (!v || !*v) throw std::runtime_error("BELLA_TEST_REDIS_URL is not set: run the tests through scripts/test");
  return v;
}

std::string fresh_call_sid() {
  static std::mt19937_64 rng{std::random_device{}()};
  return twilio::make_sid("CA", rng(), rng());
}

EnvVars bella_env(const std::string& database_url, const std::string& redis_url) {
  return {{"DATABASE_URL", database_url},   {"REDIS_URL", redis_url},         {"TWILIO_AUTH_TOKEN", kToken},
          {"PUBLIC_BASE_URL", kPublicBase}, {"BELLA_FAKE_NOW", kNow},         {"API_KEY", "staff-key"},
          {"LOG_LEVEL", "info"},            {"REDIS_TIMEOUT_MS", "200"},
          {"APPOINTMENT_TYPES", "standard:30,long:60"}};
}

/// One caller: signs and posts webhooks like Twilio, following the Gather action URLs.
class Caller {
 public:
  Caller(std::uint16_t port, std::string from) : port_(port), from_(std::move(from)), sid_(fresh_call_sid()) {}

  std::string start() { return post("/twilio/voice", {}); }
  std::string say(const std::string& speech) { return post(action_, {{"SpeechResult", speech}, {"Confidence", "0.91"}}); }
  std::string silence() { return post(action_, {{"SpeechResult", ""}}); }
  std::string press(const std::string& digits) { return post(action_, {{"Digits", digits}}); }
  /// Sends the previous turn's request again, as Twilio does after a read timeout.
  std::string repeat() { return post(last_target_, last_extra_, /*advance=*/false); }
  void use_port(std::uint16_t port) { port_ = port; }

  [[nodiscard]] const std::string& sid() const { return sid_; }
  [[nodiscard]] const std::string& action() const { return action_; }

  twilio::Params params(const twilio::Params& extra) const {
    twilio::Params p = {{"CallSid", sid_},         {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
                        {"From", from_},           {"To", "+15875550100"},
                        {"CallStatus", "in-progress"}, {"Direction", "inbound"},
                        {"ApiVersion", "2010-04-01"}};
    p.insert(p.end(), extra.begin(), extra.end());
    return p;
  }

  HttpResponse raw_post(const std::string& target, const twilio::Params& p, const std::string& signature) const {
    return http_request(port_, "POST", target,
                        {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", signature}},
                        twilio::form_encode(p));
  }

 private:
  std::string post(const std::string& target, const twilio::Params& extra, bool advance = true) {
    const auto p = params(extra);
    const auto res = raw_post(target, p, twilio::sign(kToken, std::string(kPublicBase) + target, p));
    EXPECT_EQ(res.status, 200u) << res.body;
    EXPECT_EQ(res.header("Content-Type").rfind("text/xml", 0), 0u);
    EXPECT_EQ(res.body.rfind("<?xml", 0), 0u) << "nothing may precede <?xml";
    if (advance) {
      last_target_ = target;
      last_extra_ = extra;
      static const std::regex action(R"re(action="([^"]+)")re");
      std::smatch m;
      if (std::regex_search(res.body, m, action)) action_ = std::regex_replace(m[1].str(), std::regex("&amp;"), "&");
    }
    return res.body;
  }

  std::uint16_t port_;
  std::string from_;
  std::string sid_;
  std::string action_;
  std::string last_target_;
  twilio::Params last_extra_;
};

struct Row {
  std::string name, mobile, starts_at_utc, call_sid, status;
};

std::vector<Row> appointments(const std::string& url) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  std::vector<Row> out;
  for (const auto& r : tx.exec(
           "SELECT u.full_name, u.mobile, to_char(a.starts_at_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), "
           "coalesce(a.call_sid, ''), a.status FROM appointments a JOIN users u ON u.id = a.user_id ORDER BY a.id")) {
    out.push_back(Row{r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(), r[4].c_str()});
  }
  return out;
}

int count_users(const std::string& url) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  return tx.exec1("SELECT count(*) FROM users")[0].as<int>();
}


/// Seeds a patient straight into PostgreSQL (after bella migrated the schema).
std::int64_t add_patient(const std::string& url, const std::string& name, const std::string& mobile) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  const auto id = tx.exec_params1("INSERT INTO users (full_name, mobile) VALUES ($1, $2) RETURNING id", name, mobile)[0]
                      .as<std::int64_t>();
  tx.commit();
  return id;
}

/// Seeds a scheduled appointment; `utc` is "YYYY-MM-DD HH:MM".
std::int64_t add_appointment(const std::string& url, std::int64_t user_id, const std::string& utc, int minutes = 30) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  const auto id = tx.exec_params1(
                        "INSERT INTO appointments (user_id, starts_at_utc, duration_minutes) "
                        "VALUES ($1, ($2 || ':00+00')::timestamptz, $3) RETURNING id",
                        user_id, utc, minutes)[0]
                      .as<std::int64_t>();
  tx.commit();
  return id;
}

struct Slot {
  std::string starts_at_utc, status, name;
  int minutes = 0;
};

Slot appointment(const std::string& url, std::int64_t id) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  const auto r = tx.exec_params1(
      "SELECT to_char(a.starts_at_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), a.status, u.full_name, "
      "a.duration_minutes FROM appointments a JOIN users u ON u.id = a.user_id WHERE a.id = $1",
      id);
  return Slot{r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].as<int>()};
}

std::vector<std::string> user_names(const std::string& url) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  std::vector<std::string> out;
  for (const auto& r : tx.exec("SELECT full_name FROM users ORDER BY id")) out.emplace_back(r[0].c_str());
  return out;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

/// The TwiML with XML escapes undone, i.e. the words as the caller hears them.
std::string heard(std::string twiml) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"&apos;", "'"}, {"&quot;", "\""}, {"&lt;", "<"},
                                 {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (auto p = twiml.find(from); p != std::string::npos; p = twiml.find(from, p + to.size()))
      twiml.replace(p, from.size(), to);
  }
  return twiml;
}

#define EXPECT_HEARS(twiml, phrase) \
  EXPECT_TRUE(contains(heard(twiml), (phrase))) << "expected to hear: " << (phrase) << "\n" << (twiml)

class CallE2E : public ::testing::Test {
 protected:
  TestDatabase db;
  std::string redis = redis_url_or_fail();
  ServerProcess server{bella_env(db.url(), redis)};

  /// Name, caller-ID yes, `when`, yes: returns the final TwiML.
  std::string book_simply(Caller& c, const std::string& name, const std::string& when) {
    c.start();
    c.say("my name is " + name);
    c.say("yes");
    c.say(when);
    return c.say("yes");
  }
};

TEST_F(CallE2E, HappyPathWithCallerIdShortcut) {
  Caller c(server.port(), "+14035550123");
  auto t = c.start();
  EXPECT_HEARS(t, "first and last name");
  EXPECT_HEARS(t, "<Gather");
  EXPECT_HEARS(t, "actionOnEmptyResult=\"true\"");
  EXPECT_HEARS(t, "language=\"en-CA\"");
  t = c.say("My name is Sarah Johnson.");
  EXPECT_HEARS(t, "Thanks, Sarah. Is the number you're calling from, ending in 0 1 2 3, the best one to reach you?");
  t = c.say("Yes.");
  EXPECT_HEARS(t, "What day and time would you like to come in?");
  t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 2 PM, for 30 minutes, and we'll reach you at the number ending in "
                  "0 1 2 3. Shall I book it?");
  EXPECT_TRUE(appointments(db.url()).empty()) << "nothing is booked before the caller says yes";
  t = c.say("yeah that's right");
  EXPECT_HEARS(t, "You're all set, Sarah. Your appointment is on Thursday, March 7 at 2 PM, for 30 minutes.");
  EXPECT_HEARS(t, "<Hangup/>");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "Sarah Johnson");
  EXPECT_EQ(rows[0].mobile, "+14035550123");
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-07 21:00");  // 14:00 MST
  EXPECT_EQ(rows[0].call_sid, c.sid());
  EXPECT_EQ(rows[0].status, "scheduled");
}

TEST_F(CallE2E, OneUtteranceFillsSeveralFields) {
  Caller c(server.port(), "anonymous");
  c.start();
  auto t = c.say("Hi, this is Sarah Johnson, I'd like Thursday at 2");
  EXPECT_HEARS(t, "What's the best mobile number to reach you?");
  t = c.say("four oh three, five five five, oh one two three");
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 2 PM");
  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].mobile, "+14035550123");
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-07 21:00");
}

TEST_F(CallE2E, EachStepRepromptsWithOtherWords) {
  Caller c(server.port(), "+17805550142");
  auto first = c.start();
  auto t = c.silence();
  EXPECT_HEARS(t, "Sorry, I didn't hear anything.");
  EXPECT_HEARS(t, "Could you say your first and last name?");
  t = c.say("Jean-François Bélanger");
  EXPECT_HEARS(t, "Is the number you're calling from, ending in 0 1 4 2");
  t = c.say("purple");
  EXPECT_HEARS(t, "Was that a yes or a no?");
  t = c.say("yep");
  t = c.say("whenever works");
  EXPECT_HEARS(t, "Which day, and what time?");
  t = c.say("tomorrow at 10 am");
  EXPECT_HEARS(t, "Jean-François Bélanger, Wednesday, March 6 at 10 AM");
  t = c.say("hmm");
  EXPECT_HEARS(t, "Please say yes or no, or press 1 for yes, 2 for no.");
  t = c.say("correct");
  EXPECT_HEARS(t, "You're all set, Jean-François.");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "Jean-François Bélanger");
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-06 17:00");
}

TEST_F(CallE2E, ThreeFailuresEndPolitely) {
  Caller c(server.port(), "anonymous");
  c.start();
  c.silence();
  c.silence();
  auto t = c.silence();
  EXPECT_HEARS(t, "I'm sorry, I'm having trouble understanding.");
  EXPECT_HEARS(t, "<Hangup/>");
  EXPECT_TRUE(appointments(db.url()).empty());
}

TEST_F(CallE2E, KeypadEntryAfterTwoMisheardNumbers) {
  Caller c(server.port(), "anonymous");
  c.start();
  c.say("this is Sarah Johnson");
  auto t = c.say("mumble");
  EXPECT_HEARS(t, "or type it on your keypad and press pound");
  t = c.say("mumble");
  EXPECT_HEARS(t, "input=\"dtmf speech\"");
  EXPECT_HEARS(t, "finishOnKey=\"#\"");
  EXPECT_HEARS(t, "Please type your 10-digit mobile number on the keypad");
  t = c.press("4035550123");
  EXPECT_HEARS(t, "What day and time would you like to come in?");
}

TEST_F(CallE2E, AfterHoursOffersTheNextOpeningAcrossTheDstChange) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("Sarah Johnson");
  c.say("yes");
  auto t = c.say("Saturday at 10");
  EXPECT_HEARS(t, "We're closed then. Monday, March 11 I have 9, 9:30 or 10. Which would you like?");
  t = c.say("9 am");
  EXPECT_HEARS(t, "Sarah Johnson, Monday, March 11 at 9 AM");
  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-11 15:00");  // 09:00 MDT, after the spring-forward
}

TEST_F(CallE2E, ATakenSlotOffersAlternativesAndOneIsBooked) {
  Caller first(server.port(), "+14035550123");
  book_simply(first, "Sarah Johnson", "Thursday at 2 pm");
  Caller second(server.port(), "+17805550142");
  second.start();
  second.say("my name is Wei Zhang");
  second.say("yes");
  auto t = second.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Sorry, Thursday, March 7 at 2 PM is already taken. Thursday, March 7 I have");
  EXPECT_HEARS(t, "2:30");
  t = second.say("2:30");
  EXPECT_HEARS(t, "Wei Zhang, Thursday, March 7 at 2:30 PM");
  t = second.say("yes");
  EXPECT_HEARS(t, "You're all set, Wei.");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].name, "Wei Zhang");
  EXPECT_EQ(rows[1].starts_at_utc, "2030-03-07 21:30");
}

TEST_F(CallE2E, ACorrectionAtConfirmChangesOnlyThatField) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("Sarah Johnson");
  c.say("yes");
  c.say("Thursday at 2 pm");
  auto t = c.say("no, make it Friday at 11");
  EXPECT_HEARS(t, "Sarah Johnson, Friday, March 8 at 11 AM, for 30 minutes, and we'll reach you at the number ending in 0 1 2 3.");
  t = c.say("no, my number is 780 555 0142");
  EXPECT_HEARS(t, "Friday, March 8 at 11 AM, for 30 minutes, and we'll reach you at the number ending in 0 1 4 2.");
  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-08 18:00");
  EXPECT_EQ(rows[0].mobile, "+17805550142");
}

TEST_F(CallE2E, NoAtConfirmNeverBooks) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("Sarah Johnson");
  c.say("yes");
  c.say("Thursday at 2 pm");
  auto t = c.say("no, don't book it");
  EXPECT_HEARS(t, "What would you like to change");
  EXPECT_TRUE(appointments(db.url()).empty());
}

TEST_F(CallE2E, AReturningCallerIsGreetedByNameAndSkipsQuestions) {
  Caller first(server.port(), "+14035550123");
  book_simply(first, "Sarah Johnson", "Thursday at 2 pm");
  Caller again(server.port(), "+14035550123");
  auto t = again.start();
  EXPECT_HEARS(t, "Welcome back, Sarah!");
  EXPECT_HEARS(t, "What day and time would you like to come in?");
  t = again.say("Friday at 9 am");
  EXPECT_HEARS(t, "Sarah Johnson, Friday, March 8 at 9 AM");
  t = again.say("yes");
  EXPECT_HEARS(t, "You're all set");
  EXPECT_EQ(appointments(db.url()).size(), 2u);
  EXPECT_EQ(count_users(db.url()), 1);
}

TEST_F(CallE2E, ARepeatedTurnIsAnsweredTheSameAndNeverActsTwice) {
  Caller c(server.port(), "+14035550123");
  c.start();
  auto t1 = c.say("Sarah Johnson");
  auto again = c.repeat();
  EXPECT_EQ(t1, again) << "a repeated turn replays its answer";
  c.say("yes");
  c.say("Thursday at 2 pm");
  // The final "yes" arrives three times, two of them at once.
  auto booked = c.say("yes");
  EXPECT_HEARS(booked, "You're all set");
  auto r1 = std::async(std::launch::async, [&] { return c.repeat(); });
  auto r2 = std::async(std::launch::async, [&] { return c.repeat(); });
  EXPECT_EQ(r1.get(), booked);
  EXPECT_EQ(r2.get(), booked);
  EXPECT_EQ(appointments(db.url()).size(), 1u);
}

TEST_F(CallE2E, ConcurrentCopiesOfOneTurnAdvanceOnce) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("Sarah Johnson");
  c.say("yes");
  c.say("Thursday at 2 pm");
  const auto target = c.action();
  const auto p = c.params({{"SpeechResult", "yes"}});
  const auto sig = twilio::sign(kToken, std::string(kPublicBase) + target, p);
  std::vector<std::future<HttpResponse>> copies;
  for (int i = 0; i < 4; ++i)
    copies.push_back(std::async(std::launch::async, [&] { return c.raw_post(target, p, sig); }));
  std::string first;
  for (auto& f : copies) {
    auto res = f.get();
    EXPECT_EQ(res.status, 200u);
    if (first.empty()) first = res.body;
    EXPECT_EQ(res.body, first);
  }
  EXPECT_HEARS(first, "You're all set");
  EXPECT_EQ(appointments(db.url()).size(), 1u);
}

TEST_F(CallE2E, BadOrMissingSignatureIs403AndChangesNothing) {
  Caller c(server.port(), "+14035550123");
  c.start();
  const auto target = c.action();
  const auto p = c.params({{"SpeechResult", "Sarah Johnson"}});
  auto forged = c.raw_post(target, p, twilio::sign("wrong-token", std::string(kPublicBase) + target, p));
  EXPECT_EQ(forged.status, 403u);
  auto missing = c.raw_post(target, p, "");
  EXPECT_EQ(missing.status, 403u);
  // Signed for another URL: refused too.
  auto moved = c.raw_post(target, p, twilio::sign(kToken, std::string(kPublicBase) + "/twilio/voice", p));
  EXPECT_EQ(moved.status, 403u);
  // The call is where it was: the real turn still asks for the name's follow-up.
  auto t = c.say("Sarah Johnson");
  EXPECT_HEARS(t, "ending in 0 1 2 3");
}

TEST_F(CallE2E, ALoneGivenNameIsCompletedWithTheLastName) {
  Caller c(server.port(), "+14035550123");
  c.start();
  auto t = c.say("my name is manuel");
  EXPECT_HEARS(t, "Thanks, Manuel. And your last name?");
  t = c.say("it's Garcia, G-A-R-C-I-A");
  EXPECT_HEARS(t, "Thanks, Manuel. Is the number you're calling from, ending in 0 1 2 3");
  c.say("yes");
  t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Manuel Garcia, Thursday, March 7 at 2 PM");
  c.say("yes");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "Manuel Garcia");
}

TEST_F(CallE2E, CallerDerivedTextIsEscapedInTwiml) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Siobhan O'Brien");
  c.say("yes");
  auto t = c.say("Thursday at 2 pm");
  EXPECT_TRUE(contains(t, "Siobhan O&apos;Brien, Thursday, March 7 at 2 PM")) << t;
  EXPECT_FALSE(contains(t, "O'Brien")) << t;
}

// ---- Every reason a patient calls (issue 11) ---------------------------------------------------
// Tuesday 5 March 2030, 10:00 MST. Friday March 8 at 9 AM MST is 16:00 UTC.

TEST_F(CallE2E, CancelReadsBackTheAppointmentAsksForYesAndCancels) {
  const auto sarah = add_patient(db.url(), "Sarah Johnson", "+14035550123");
  const auto appt = add_appointment(db.url(), sarah, "2030-03-08 16:00");
  Caller c(server.port(), "+14035550123");
  EXPECT_HEARS(c.start(), "Welcome back, Sarah!");
  auto t = c.say("I want to cancel my appointment");
  EXPECT_HEARS(t, "Shall I cancel your appointment on Friday, March 8 at 9 AM?");
  EXPECT_HEARS(t, "input=\"dtmf speech\"");
  EXPECT_HEARS(t, "numDigits=\"1\"");
  EXPECT_EQ(appointment(db.url(), appt).status, "scheduled") << "nothing is cancelled before the yes";
  t = c.press("1");
  EXPECT_HEARS(t, "Done: your appointment on Friday, March 8 at 9 AM is cancelled.");
  EXPECT_EQ(appointment(db.url(), appt).status, "cancelled");
  t = c.say("no, that's all");
  EXPECT_HEARS(t, "Goodbye");
  EXPECT_HEARS(t, "<Hangup/>");
}

TEST_F(CallE2E, RescheduleMovesTheAppointment) {
  const auto sarah = add_patient(db.url(), "Sarah Johnson", "+14035550123");
  const auto appt = add_appointment(db.url(), sarah, "2030-03-08 16:00");
  Caller c(server.port(), "+14035550123");
  c.start();
  auto t = c.say("can I move my appointment?");
  EXPECT_HEARS(t, "You have Friday, March 8 at 9 AM.");
  EXPECT_HEARS(t, "What day and time would you like instead?");
  t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "I'll move your appointment from Friday, March 8 at 9 AM to Thursday, March 7 at 2 PM, for 30 minutes.");
  EXPECT_EQ(appointment(db.url(), appt).starts_at_utc, "2030-03-08 16:00");
  t = c.say("yes");
  EXPECT_HEARS(t, "Done: your appointment is now on Thursday, March 7 at 2 PM");
  const auto moved = appointment(db.url(), appt);
  EXPECT_EQ(moved.starts_at_utc, "2030-03-07 21:00");
  EXPECT_EQ(moved.status, "scheduled");
  EXPECT_EQ(appointments(db.url()).size(), 1u);
}

TEST_F(CallE2E, RescheduleToATakenTimeKeepsTheOldOneAndOffersOthers) {
  const auto sarah = add_patient(db.url(), "Sarah Johnson", "+14035550123");
  const auto appt = add_appointment(db.url(), sarah, "2030-03-08 16:00");
  add_appointment(db.url(), add_patient(db.url(), "Wei Zhang", "+17805550142"), "2030-03-07 21:00");
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("I need to reschedule");
  auto t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Sorry, Thursday, March 7 at 2 PM is already taken. Thursday, March 7 I have");
  EXPECT_EQ(appointment(db.url(), appt).starts_at_utc, "2030-03-08 16:00");
  t = c.say("the first one");
  EXPECT_HEARS(t, "I'll move your appointment from Friday, March 8 at 9 AM to Thursday, March 7 at");
  t = c.say("yes");
  EXPECT_HEARS(t, "Done: your appointment is now on Thursday, March 7");
  EXPECT_NE(appointment(db.url(), appt).starts_at_utc, "2030-03-08 16:00");
  EXPECT_EQ(appointments(db.url()).size(), 2u);
}

TEST_F(CallE2E, LookUpReadsBackUpcomingAppointments) {
  const auto sarah = add_patient(db.url(), "Sarah Johnson", "+14035550123");
  add_appointment(db.url(), sarah, "2030-03-08 16:00");
  add_appointment(db.url(), sarah, "2030-03-12 21:00", 60);
  Caller c(server.port(), "+14035550123");
  c.start();
  auto t = c.say("when is my appointment?");
  EXPECT_HEARS(t, "You have Friday, March 8 at 9 AM and Tuesday, March 12 at 3 PM.");
  EXPECT_HEARS(t, "Is there anything else I can help you with?");
  t = c.say("no thanks");
  EXPECT_HEARS(t, "<Hangup/>");
  EXPECT_EQ(appointments(db.url()).size(), 2u);
}

TEST_F(CallE2E, HouseholdWithTwoPatientsAsksWhoAndADifferentNameIsANewPatient) {
  add_patient(db.url(), "Tom Baker", "+14035550123");
  const auto ann = add_patient(db.url(), "Ann Baker", "+14035550123");
  add_appointment(db.url(), ann, "2030-03-08 16:00");
  Caller who(server.port(), "+14035550123");
  auto t = who.start();
  EXPECT_HEARS(t, "Who am I speaking with?");
  t = who.say("when is my appointment?");
  EXPECT_HEARS(t, "Who is the appointment for?");
  t = who.say("Ann Baker");
  EXPECT_HEARS(t, "You have Friday, March 8 at 9 AM.");

  Caller jane(server.port(), "+14035550123");
  jane.start();
  t = jane.say("this is Jane Baker");
  EXPECT_HEARS(t, "What day and time would you like to come in?");
  t = jane.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Jane Baker, Thursday, March 7 at 2 PM");
  t = jane.say("yes");
  EXPECT_HEARS(t, "You're all set, Jane.");
  EXPECT_EQ(user_names(db.url()), (std::vector<std::string>{"Tom Baker", "Ann Baker", "Jane Baker"}));
  const auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].name, "Ann Baker");
  EXPECT_EQ(rows[1].name, "Jane Baker");
  EXPECT_EQ(rows[1].mobile, "+14035550123");
}

TEST_F(CallE2E, AvailabilityQuestionThenPickByPosition) {
  add_appointment(db.url(), add_patient(db.url(), "Wei Zhang", "+17805550142"), "2030-03-08 16:00");
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  auto t = c.say("what do you have on Friday?");
  EXPECT_HEARS(t, "Friday, March 8 I have 9:30, 10 or 10:30.");  // 9:00 is booked in PostgreSQL
  t = c.say("the second one");
  EXPECT_HEARS(t, "Sarah Johnson, Friday, March 8 at 10 AM, for 30 minutes");
  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set");
  const auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].starts_at_utc, "2030-03-08 17:00");
}

TEST_F(CallE2E, EveryCorrectionKindKeepsWhatWasSaid) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  auto t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 2 PM");
  t = c.say("no, make it 3 pm");
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 3 PM");
  t = c.say("no, make it Friday");
  EXPECT_HEARS(t, "Sarah Johnson, Friday, March 8 at 3 PM");
  t = c.say("no, the 12th");
  EXPECT_HEARS(t, "Sarah Johnson, Tuesday, March 12 at 3 PM");
  t = c.say("my number is 780 555 0142");
  EXPECT_HEARS(t, "Sarah Johnson, Tuesday, March 12 at 3 PM, for 30 minutes, and we'll reach you at the number ending in 0 1 4 2.");
  t = c.say("no, the name is Jane Baker");
  EXPECT_HEARS(t, "Jane Baker, Tuesday, March 12 at 3 PM");
  t = c.say("it's Jan, not Jane");
  EXPECT_HEARS(t, "Jan Baker, Tuesday, March 12 at 3 PM");
  t = c.say("hmm, I wonder about the weather");  // neither yes, no nor a correction: nothing changes
  EXPECT_HEARS(t, "Should I book it?");
  EXPECT_FALSE(contains(heard(t), "Weather")) << t;
  EXPECT_TRUE(appointments(db.url()).empty());
  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set, Jan.");
  const auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "Jan Baker");
  EXPECT_EQ(rows[0].mobile, "+17805550142");
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-12 21:00");  // 15:00 MDT
}

TEST_F(CallE2E, DeclineEndsPolitelyWithNothingBooked) {
  Caller c(server.port(), "+14035550123");
  c.start();
  auto t = c.say("nothing, I changed my mind, goodbye");
  EXPECT_HEARS(t, "No problem, nothing has been booked.");
  EXPECT_HEARS(t, "<Hangup/>");
  EXPECT_TRUE(appointments(db.url()).empty());
  EXPECT_EQ(count_users(db.url()), 0);
}

TEST_F(CallE2E, PersonRequestWithoutAFrontDeskSaysSoAndGoesOn) {
  Caller c(server.port(), "+14035550123");
  c.start();
  auto t = c.say("can I talk to someone");
  EXPECT_HEARS(t, "there's no one I can transfer you to right now");
  EXPECT_HEARS(t, "<Gather");
  EXPECT_FALSE(contains(t, "<Dial")) << t;
  t = c.say("my name is Sarah Johnson");
  EXPECT_HEARS(t, "ending in 0 1 2 3");
}

TEST_F(CallE2E, PersonRequestWithAFrontDeskDialsAtOnce) {
  auto env = bella_env(db.url(), redis);
  env.emplace_back("FRONT_DESK_NUMBER", "+14035550100");
  ServerProcess desk(env);
  Caller c(desk.port(), "+14035550123");
  c.start();
  auto t = c.say("operator");
  EXPECT_HEARS(t, "Let me connect you with our front desk.");
  EXPECT_HEARS(t, "+14035550100</Dial>");
  EXPECT_TRUE(appointments(db.url()).empty());
}

TEST_F(CallE2E, KeypadNumberAtTheFirstAsk) {
  Caller c(server.port(), "anonymous");
  c.start();
  auto t = c.say("my name is Sarah Johnson");
  EXPECT_HEARS(t, "What's the best mobile number to reach you? You can say it or type it.");
  EXPECT_HEARS(t, "input=\"dtmf speech\"");
  EXPECT_HEARS(t, "finishOnKey=\"#\"");
  t = c.press("4035550188");
  EXPECT_HEARS(t, "What day and time would you like to come in?");
  t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "ending in 0 1 8 8");
  c.press("1");
  const auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].mobile, "+14035550188");
}

TEST_F(CallE2E, APastTimeSaysSoAndOffersTheNextFreeSlot) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  auto t = c.say("today at 9 am");
  EXPECT_HEARS(t, "That time has already passed. Tuesday, March 5 I have 10:30");
  t = c.say("the first one");
  EXPECT_HEARS(t, "Sarah Johnson, Tuesday, March 5 at 10:30 AM");
  c.say("yes");
  const auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-05 17:30");
}

TEST_F(CallE2E, ALongAppointmentIsBookedForItsLength) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  auto t = c.say("I need an hour on Thursday at 2 pm");
  EXPECT_HEARS(t, "Okay, an appointment of one hour.");
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 2 PM, for one hour");
  t = c.say("yes");
  EXPECT_HEARS(t, "for one hour");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  pqxx::connection conn(db.url());
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT duration_minutes FROM appointments")[0].as<int>(), 60);
}

TEST_F(CallE2E, ALengthTheClinicDoesNotOfferIsExplained) {
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  auto t = c.say("I need 45 minutes");
  EXPECT_HEARS(t, "I can't book 45 minutes by phone; I can book 30 minutes or one hour.");
}

TEST(CallDatabaseE2E, DatabaseDownAtTheReadBackThenBackBooks) {
  TestDatabase db;
  auto env = bella_env(db.url(), redis_url_or_fail());
  env.emplace_back("DB_STATEMENT_TIMEOUT_MS", "300");
  ServerProcess server(env);
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  EXPECT_HEARS(c.say("Thursday at 2 pm"), "Sarah Johnson, Thursday, March 7 at 2 PM");
  {
    // The appointments table cannot be written while another session holds it: every booking
    // statement times out, as when PostgreSQL is unreachable.
    pqxx::connection blocker(db.url());
    pqxx::work lock(blocker);
    lock.exec("LOCK TABLE appointments IN ACCESS EXCLUSIVE MODE");
    auto t = c.say("yes");
    EXPECT_HEARS(t, "I couldn't save that yet");
    EXPECT_HEARS(t, "<Gather");
    EXPECT_FALSE(contains(t, "<Hangup/>")) << t;
    t = c.say("yes");
    EXPECT_HEARS(t, "I couldn't save that yet");
    lock.abort();
  }
  auto t = c.say("yes");
  EXPECT_HEARS(t, "You're all set, Sarah.");
  const auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-07 21:00");
}

/// A private Redis this test may kill and restart without disturbing other tests.
class PrivateRedis {
 public:
  PrivateRedis() {
    dir_ = std::string("/tmp/bella-redis-") + std::to_string(::getpid()) + "-" + std::to_string(std::rand());
    std::filesystem::create_directories(dir_);
    for (int attempt = 0; attempt < 20 && !running_; ++attempt) {
      port_ = static_cast<std::uint16_t>(20000 + std::random_device{}() % 40000);
      start();
    }
    if (!running_) throw std::runtime_error("could not start a private redis-server");
  }
  ~PrivateRedis() {
    stop();
    std::filesystem::remove_all(dir_);
  }
  PrivateRedis(const PrivateRedis&) = delete;
  PrivateRedis& operator=(const PrivateRedis&) = delete;
  void start() {
    const std::string cmd = "redis-server --port " + std::to_string(port_) + " --bind 127.0.0.1 --save '' " +
                            "--appendonly no --daemonize yes --dir " + dir_ + " --pidfile " + dir_ + "/pid --logfile " +
                            dir_ + "/log";
    running_ = std::system(cmd.c_str()) == 0;
    for (int i = 0; running_ && i < 50; ++i) {
      if (std::system(("redis-cli -p " + std::to_string(port_) + " ping >/dev/null 2>&1").c_str()) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    running_ = false;
  }
  void stop() {
    if (!running_) return;
    std::system(("redis-cli -p " + std::to_string(port_) + " shutdown nosave >/dev/null 2>&1").c_str());
    running_ = false;
  }
  [[nodiscard]] std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  std::string dir_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

bool session_backend_is(std::uint16_t port, const std::string& backend) {
  auto metrics = http_request(port, "GET", "/metrics", {{"X-API-Key", "staff-key"}}).body;
  return contains(metrics, "bella_session_store_backend{backend=\"" + backend + "\"} 1");
}

bool wait_until(const std::function<bool()>& pred, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

TEST(CallRedisE2E, RedisDyingMidCallDoesNotStopTheCallAndTheStoreReturnsToRedis) {
  TestDatabase db;
  PrivateRedis redis;
  ServerProcess server(bella_env(db.url(), redis.url()));
  ASSERT_TRUE(wait_until([&] { return session_backend_is(server.port(), "redis"); }, std::chrono::seconds(10)));
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("Sarah Johnson");
  redis.stop();
  auto t = c.say("yes");  // the session moves to memory; the caller notices nothing
  EXPECT_HEARS(t, "What day and time would you like to come in?");
  EXPECT_TRUE(session_backend_is(server.port(), "memory"));
  t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 2 PM");
  redis.start();
  EXPECT_TRUE(wait_until([&] { return session_backend_is(server.port(), "redis"); }, std::chrono::seconds(15)))
      << "the store should switch back to Redis once it answers";
  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set");
  ASSERT_EQ(appointments(db.url()).size(), 1u);
}

TEST(CallTwoInstancesE2E, TwoServersSharingRedisServeAlternateTurnsOfOneCall) {
  TestDatabase db;
  const auto redis = redis_url_or_fail();
  ServerProcess a(bella_env(db.url(), redis));
  ServerProcess b(bella_env(db.url(), redis));
  Caller c(a.port(), "+14035550123");
  c.start();
  c.use_port(b.port());
  auto t = c.say("Sarah Johnson");
  EXPECT_HEARS(t, "ending in 0 1 2 3");
  c.use_port(a.port());
  c.say("yes");
  c.use_port(b.port());
  t = c.say("Thursday at 2 pm");
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 2 PM");
  c.use_port(a.port());
  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].call_sid, c.sid());
}


/// bella pointed at the local Chat Completions stub: the LLM is asked only for what the parsers
/// could not understand, and its answer is validated like a parsed one before anything is booked.
class CallLlmE2E : public ::testing::Test {
 protected:
  static constexpr const char* kLlmKey = "llm-e2e-key";
  test::ChildProcess stub{BELLA_STUB_OPENAI_STUB, {"--key", kLlmKey}};
  std::uint16_t stub_port = stub.wait_for_port();
  TestDatabase db;
  ServerProcess server{llm_env()};

  EnvVars llm_env() const {
    auto env = bella_env(db.url(), redis_url_or_fail());
    env.emplace_back("OPENAI_API_KEY", kLlmKey);
    env.emplace_back("OPENAI_BASE_URL", "http://127.0.0.1:" + std::to_string(stub_port) + "/v1");
    return env;
  }
  void script_time(const std::string& datetime) const {
    const nlohmann::json s = {{"replies", nlohmann::json::array({{{"kind", "success"},
                                                                  {"content", {{"datetime", datetime}}}}})}};
    ASSERT_EQ(test::http_call(stub_port, boost::beast::http::verb::post, "/__script", s.dump()).status, 200);
  }
  nlohmann::json received() const {
    return nlohmann::json::parse(test::http_call(stub_port, boost::beast::http::verb::get, "/__requests").body);
  }
};

// "the day after my sister's wedding" means nothing to the parsers; the (scripted) LLM resolves it.
constexpr const char* kOnlyTheLlmKnows = "the day after my sister's wedding";

TEST_F(CallLlmE2E, OnlyTheLlmUnderstandsTheTimeAndTheBookingLands) {
  script_time("2030-03-07T14:00");
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  EXPECT_EQ(received().size(), 0u) << "parsed answers never reach the LLM";
  auto t = c.say(kOnlyTheLlmKnows);
  EXPECT_HEARS(t, "Sarah Johnson, Thursday, March 7 at 2 PM");

  const auto got = received();
  ASSERT_EQ(got.size(), 1u) << got.dump();
  EXPECT_EQ(got[0]["authorization"], std::string("Bearer ") + kLlmKey);
  const auto& body = got[0]["body"];
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["response_format"]["json_schema"]["name"], "time");
  EXPECT_EQ(body["messages"][1]["content"], kOnlyTheLlmKnows);
  const std::string system = body["messages"][0]["content"];
  EXPECT_TRUE(contains(system, "2030-03-05")) << "the prompt carries the clinic's local date: " << system;
  EXPECT_TRUE(contains(system, "America/Edmonton")) << system;

  t = c.say("yes");
  EXPECT_HEARS(t, "You're all set, Sarah. Your appointment is on Thursday, March 7 at 2 PM, for 30 minutes.");
  auto rows = appointments(db.url());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].starts_at_utc, "2030-03-07 21:00");
  EXPECT_EQ(rows[0].call_sid, c.sid());
  EXPECT_TRUE(contains(http_request(server.port(), "GET", "/metrics", {{"X-API-Key", "staff-key"}}).body,
                       "bella_extraction_total{field=\"time\",layer=\"llm\"} 1"));
}

TEST_F(CallLlmE2E, AnLlmTimeInThePastIsNotTrusted) {
  script_time("2030-03-04T14:00");  // yesterday, in the clinic's zone
  Caller c(server.port(), "+14035550123");
  c.start();
  c.say("my name is Sarah Johnson");
  c.say("yes");
  auto t = c.say(kOnlyTheLlmKnows);
  EXPECT_HEARS(t, "Which day, and what time?");
  EXPECT_FALSE(contains(heard(t), "March 4"));
  EXPECT_EQ(received().size(), 1u);
  EXPECT_TRUE(appointments(db.url()).empty());
}

TEST_F(CallLlmE2E, AFailingLlmIsLeftAloneAfterTheConfiguredNumberOfFailures) {
  auto env = llm_env();
  env.emplace_back("LLM_BREAKER_FAILURES", "2");
  env.emplace_back("LLM_BREAKER_COOLDOWN_MS", "600000");
  ServerProcess strict(env);
  const nlohmann::json s = {{"default", {{"kind", "status"}, {"status", 500}}}};
  ASSERT_EQ(test::http_call(stub_port, boost::beast::http::verb::post, "/__script", s.dump()).status, 200);

  Caller first(strict.port(), "+14035550123");
  first.start();
  first.say("my name is Sarah Johnson");
  first.say("yes");
  EXPECT_HEARS(first.say(kOnlyTheLlmKnows), "Which day, and what time?");
  first.say(kOnlyTheLlmKnows);
  EXPECT_EQ(received().size(), 2u);
  EXPECT_TRUE(contains(http_request(strict.port(), "GET", "/metrics", {{"X-API-Key", "staff-key"}}).body, "bella_llm_breaker_state 2"));

  // The breaker is open: the next caller's unparsed time costs no LLM call and no wait.
  Caller second(strict.port(), "+17805550142");
  second.start();
  second.say("my name is Omar Haddad");
  second.say("yes");
  EXPECT_HEARS(second.say(kOnlyTheLlmKnows), "Which day, and what time?");
  EXPECT_EQ(received().size(), 2u) << "an open breaker must not call the LLM";
}

}  // namespace
}  // namespace bella::testing
