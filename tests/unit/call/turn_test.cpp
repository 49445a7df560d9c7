// CallHandler over fakes (clock, bookings, sessions, LLM): claims and replays, sanitising, old
// sessions, the database going down and coming back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "call/turn.hpp"
#include "support/fake_bookings.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_llm.hpp"
#include "support/fake_session_store.hpp"
#include "support/switchable_session_store.hpp"

namespace bella::call {
namespace {

using namespace std::chrono_literals;
using bella::testing::run_task;

constexpr const char* kSid = "CA00000000000000000000000000000002";

class TurnTest : public ::testing::Test {
 protected:
  const date::time_zone* zone = date::locate_zone("America/Edmonton");
  calendar::BusinessCalendar cal{zone, calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  SysSeconds now = cal.to_sys(date::local_days{date::year{2026} / 3 / 3} + 10h);
  bella::testing::FakeClock clock{now};
  bella::testing::FakeSessionStore sessions;
  bella::testing::FakeBookings bookings{cal};
  bella::testing::FakeLlm llm;
  CallHandler handler{sessions, bookings, llm, cal, clock,
                      TurnSettings{.session_ttl = 900s, .types = {{"standard", 30}}, .front_desk = false,
                                   .llm_timeout = 100ms, .replay_wait = 200ms, .claim_lease = 30s}};
  // The rendered reply: the prompt ids, joined, and the next turn.
  Render render = [](const Reply& r, int next) {
    std::string out = std::to_string(next) + ":";
    for (const auto& l : r.lines) out += std::string(" ") + to_string(l.id);
    return out;
  };

  std::string start() {
    const TurnInput in{.call_sid = kSid, .from = "+14035550123"};  // outlives the lazy coroutine
    return run_task<std::string>([&]() { return handler.start(in, render); });
  }
  std::string collect(int turn, std::string speech, std::string digits = "") {
    TurnInput in{.call_sid = kSid, .from = "+14035550123", .speech = std::move(speech), .digits = std::move(digits),
                 .turn = turn};
    return run_task<std::string>([&]() { return handler.collect(in, render); });
  }
  nlohmann::json session() {
    auto e = sessions.get(std::string("bella:call:") + kSid);
    return e ? nlohmann::json::parse(e->value) : nlohmann::json();
  }
};

TEST_F(TurnTest, PendingClaimsHaveAShortLeaseAndRepliesLiveAsLongAsTheSession) {
  start();
  collect(1, "Sarah Johnson");
  for (const auto& c : sessions.claims()) EXPECT_EQ(c.ttl, 30s);
  auto reply = sessions.get(std::string("bella:turn:") + kSid + ":1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->ttl, 900s);
}

TEST_F(TurnTest, AClaimHeldByAnotherCopyIsNeverRunNorErased) {
  // Another copy claimed turn 1 (and has not answered); there is no session yet.
  const std::string key = std::string("bella:turn:") + kSid + ":1";
  sessions.put(key, "pending:other", 30s);
  const auto reply = collect(1, "Sarah Johnson");
  EXPECT_EQ(reply, "1: say_again");                    // asked again for the same turn
  EXPECT_EQ(sessions.get(key)->value, "pending:other");  // the other copy's claim stands
  EXPECT_TRUE(sessions.erased().empty());
  EXPECT_TRUE(session().is_null());                    // the turn did not run
}

TEST_F(TurnTest, ARepeatedTurnReplaysTheStoredReply) {
  start();
  const auto first = collect(1, "Sarah Johnson");
  const auto again = collect(1, "Sarah Johnson");
  EXPECT_EQ(first, again);
  EXPECT_EQ(session()["turn"], 1);
}

TEST_F(TurnTest, InvalidUtf8InSpeechDoesNotFailTheTurn) {
  start();
  const auto reply = collect(1, "Sarah \xFF\xFE Johnson");
  EXPECT_NE(reply.find("2:"), std::string::npos);
  EXPECT_EQ(session()["turn"], 1);
  const auto next = collect(2, "\xC3(");
  EXPECT_EQ(session()["turn"], 2) << next;
}

TEST_F(TurnTest, AnOldSessionShapeRestartsTheStepPolitely) {
  sessions.put(std::string("bella:call:") + kSid, R"({"v":1,"call_sid":"x","step":"confirm"})");
  const auto reply = collect(3, "yes");
  EXPECT_EQ(reply, "4: greeting ask_name");
  EXPECT_EQ(session()["v"], 2);
  EXPECT_EQ(bookings.rows().size(), 0u);
}

TEST_F(TurnTest, DatabaseDownAtTheReadBackThenBackBooks) {
  start();
  collect(1, "Sarah Johnson");
  collect(2, "yes");                        // the number called from
  collect(3, "Friday at 10 am");
  bookings.set_down(true);
  EXPECT_EQ(collect(4, "yes"), "5: save_failed");
  EXPECT_EQ(collect(5, "yes"), "6: save_failed");
  EXPECT_EQ(collect(6, "yes"), "7: save_failed");
  bookings.set_down(false);
  EXPECT_EQ(collect(7, "yes"), "8: booked");
  ASSERT_EQ(bookings.rows().size(), 1u);
  EXPECT_EQ(bookings.rows()[0].start, cal.to_sys(date::local_days{date::year{2026} / 3 / 6} + 10h));
}

// Issue 14: claim and session read together, session and reply written together.
TEST_F(TurnTest, EveryWebhookOfABookingCallMakesAtMostTwoStoreRoundTrips) {
  int before = sessions.round_trips();
  auto trips = [&] {
    const int n = sessions.round_trips() - before;
    before = sessions.round_trips();
    return n;
  };
  start();
  EXPECT_EQ(trips(), 2) << "start";
  collect(1, "Sarah Johnson");
  EXPECT_EQ(trips(), 2) << "name";
  collect(2, "yes");
  EXPECT_EQ(trips(), 2) << "caller id";
  collect(3, "Friday at 10 am");
  EXPECT_EQ(trips(), 2) << "time";
  EXPECT_EQ(collect(4, "yes"), "5: booked");
  EXPECT_EQ(trips(), 2) << "read-back";
  ASSERT_EQ(bookings.rows().size(), 1u);
  // What the two round trips wrote: the session (at its TTL) and the reply for replays.
  EXPECT_EQ(session()["turn"], 4);
  EXPECT_EQ(sessions.get(std::string("bella:call:") + kSid)->ttl, 900s);
  EXPECT_EQ(sessions.get(std::string("bella:turn:") + kSid + ":4")->value, "5: booked");
  // A replayed copy of the last turn reads the stored reply: no new session write.
  EXPECT_EQ(collect(4, "yes"), "5: booked");
  EXPECT_EQ(session()["turn"], 4);
}

// Issue 14: PostgreSQL only on the turns that must read or book. Every Bookings call is at least
// one statement in the real adapter; the name and caller-ID turns and a replayed turn make none.
TEST_F(TurnTest, OnlyTheTurnsThatReadOrBookTouchTheDatabase) {
  using Calls = std::vector<std::string>;
  start();
  EXPECT_EQ(bookings.take_calls(), (Calls{"patients_for_mobile"})) << "start: the greeting by name";
  collect(1, "Sarah Johnson");
  EXPECT_EQ(bookings.take_calls(), Calls{}) << "name";
  collect(2, "yes");
  EXPECT_EQ(bookings.take_calls(), Calls{}) << "caller id";
  collect(3, "Friday at 10 am");
  EXPECT_EQ(bookings.take_calls(), (Calls{"check"})) << "time";
  EXPECT_EQ(collect(4, "yes"), "5: booked");
  EXPECT_EQ(bookings.take_calls(), (Calls{"book"})) << "read-back";
  EXPECT_EQ(collect(4, "yes"), "5: booked");
  EXPECT_EQ(bookings.take_calls(), Calls{}) << "a replayed turn";
}

// A mobile with no patient on file has no appointments either: one read, not two.
TEST_F(TurnTest, AskingToCancelReadsAppointmentsOnlyForAKnownMobile) {
  using Calls = std::vector<std::string>;
  start();
  bookings.take_calls();
  collect(1, "I want to cancel my appointment");
  EXPECT_EQ(bookings.take_calls(), (Calls{"patients_for_mobile"})) << "an unknown mobile";

  const auto id = bookings.add_patient("Sarah Johnson", "+14035550123");
  bookings.add_appointment(id, cal.to_sys(date::local_days{date::year{2026} / 3 / 6} + 10h));
  TurnInput in{.call_sid = "CA00000000000000000000000000000003", .from = "+14035550123"};
  run_task<std::string>([&]() { return handler.start(in, render); });
  bookings.take_calls();
  in.speech = "I want to cancel my appointment";
  in.turn = 1;
  run_task<std::string>([&]() { return handler.collect(in, render); });
  EXPECT_EQ(bookings.take_calls(), (Calls{"patients_for_mobile", "upcoming_for_mobile"})) << "a known mobile";
}

TEST_F(TurnTest, TheLlmIsAskedOnlyWhenTheParsersFoundNothing) {
  bella::testing::FakeLlm enabled(true);
  CallHandler h{sessions, bookings, enabled, cal, clock, TurnSettings{.replay_wait = 100ms}};
  TurnInput in{.call_sid = kSid, .from = "+14035550123"};
  run_task<std::string>([&]() { return h.start(in, render); });
  in = TurnInput{.call_sid = kSid, .from = "+14035550123", .speech = "Sarah Johnson", .digits = "", .turn = 1};
  run_task<std::string>([&]() { return h.collect(in, render); });
  EXPECT_EQ(enabled.asked(), 0);
  in.turn = 2;
  in.speech = "hmm well";
  run_task<std::string>([&]() { return h.collect(in, render); });
  EXPECT_EQ(enabled.asked(), 1);
}

}  // namespace
}  // namespace bella::call
