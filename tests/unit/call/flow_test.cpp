// The step machine as tables of (state, what was understood) -> (next step, what the caller hears).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bella/call/flow.hpp"
#include "bella/call/prompts.hpp"

namespace bella::call {
namespace {

using namespace std::chrono_literals;
using date::local_days;
using understand::Confirmation;
using understand::DateOnly;
using understand::YesNo;

class FlowTest : public ::testing::Test {
 protected:
  const date::time_zone* zone = date::locate_zone("America/Edmonton");
  calendar::BusinessCalendar cal{zone, calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  // Tuesday 2026-03-03 10:00 in Edmonton (MST, UTC-7).
  SysSeconds now = cal.to_sys(local_days{date::year{2026} / 3 / 3} + 10h);
  FlowContext ctx{.now = now, .calendar = cal, .front_desk = false, .max_retries = 3};

  date::local_seconds at(int y, unsigned m, unsigned d, std::chrono::minutes t) {
    return local_days{date::year{y} / date::month{m} / date::day{d}} + t;
  }
  static std::string said(const Turn& t) {
    std::string all;
    for (const auto& l : t.reply.lines) all += l + " ";
    return all;
  }
  static Understood yes() { return Understood{.answer = Confirmation{YesNo::yes, ""}, .text = "yes"}; }
  static Understood no(std::string text = "no") { return Understood{.answer = Confirmation{YesNo::no, ""}, .text = text}; }
  static Understood silence() { return Understood{.silence = true}; }
  static Understood name(std::string n) { return Understood{.name = std::move(n), .text = "it's me"}; }
  static Understood mobile(std::string m) { return Understood{.mobile = std::move(m), .text = "digits"}; }
  static Understood when(understand::When w) { return Understood{.when = w, .text = "some time"}; }

  ConversationState ready_to_confirm() {
    ConversationState s;
    s.call_sid = "CA00000000000000000000000000000001";
    s.step = Step::confirm;
    s.name = "Sarah Johnson";
    s.mobile = "+14035550123";
    s.start = cal.to_sys(at(2026, 3, 3, 15h + 30min));
    return s;
  }
};

TEST_F(FlowTest, NewCallerIsGreetedAndAskedForTheirName) {
  auto t = start_call("CA1", std::nullopt, std::nullopt, 30, ctx);
  EXPECT_EQ(t.state.step, Step::ask_name);
  EXPECT_NE(said(t).find("first and last name"), std::string::npos);
  EXPECT_EQ(t.reply.listen, Reply::Listen::speech);
}

TEST_F(FlowTest, ReturningCallerIsGreetedByNameAndSkipsToTheTime) {
  auto t = start_call("CA1", "+14035550123", "Sarah Johnson", 30, ctx);
  EXPECT_EQ(t.state.step, Step::ask_time);
  EXPECT_TRUE(t.state.returning);
  EXPECT_NE(said(t).find("Welcome back, Sarah"), std::string::npos);
}

TEST_F(FlowTest, ALoneGivenNameIsFollowedByAskingTheLastNameOnce) {
  auto t = start_call("CA1", "+14035550123", std::nullopt, 30, ctx);
  t = advance(t.state, name("Manuel"), ctx);
  EXPECT_EQ(t.state.step, Step::ask_last_name);
  EXPECT_EQ(said(t), "Thanks, Manuel. And your last name? ");
  t = advance(t.state, Understood{.surname = "Garcia", .text = "garcia"}, ctx);
  EXPECT_EQ(t.state.name, "Manuel Garcia");
  EXPECT_EQ(t.state.step, Step::offer_caller_id);
  EXPECT_NE(said(t).find("Thanks, Manuel."), std::string::npos);
}

TEST_F(FlowTest, TheLastNameQuestionTakesAFullNameOrMovesOn) {
  auto start = advance(start_call("CA1", std::nullopt, std::nullopt, 30, ctx).state, name("Manuel"), ctx);
  ASSERT_EQ(start.state.step, Step::ask_last_name);
  // The whole name said again.
  auto t = advance(start.state, name("Manuel Garcia"), ctx);
  EXPECT_EQ(t.state.name, "Manuel Garcia");
  EXPECT_EQ(t.state.step, Step::ask_mobile);
  // No last name to give: keep the given name, never ask again.
  t = advance(start.state, no("no"), ctx);
  EXPECT_EQ(t.state.name, "Manuel");
  EXPECT_EQ(t.state.step, Step::ask_mobile);
  // Not understood: one re-ask with other words, then on with the given name alone.
  t = advance(start.state, silence(), ctx);
  EXPECT_EQ(t.state.step, Step::ask_last_name);
  EXPECT_NE(said(t).find("what's your last name?"), std::string::npos);
  t = advance(t.state, Understood{.text = "hmm"}, ctx);
  EXPECT_EQ(t.state.name, "Manuel");
  EXPECT_EQ(t.state.step, Step::ask_mobile);
  EXPECT_TRUE(t.state.last_name_asked);
  // Answering the next question instead is fine too.
  t = advance(start.state, mobile("+17805550142"), ctx);
  EXPECT_EQ(t.state.mobile, "+17805550142");
  EXPECT_EQ(t.state.step, Step::ask_time);
}

TEST_F(FlowTest, HappyPathWithCallerIdShortcut) {
  auto t = start_call("CA1", "+14035550123", std::nullopt, 30, ctx);
  t = advance(t.state, name("Sarah Johnson"), ctx);
  EXPECT_EQ(t.state.step, Step::offer_caller_id);
  EXPECT_NE(said(t).find("ending in 0 1 2 3"), std::string::npos);
  t = advance(t.state, yes(), ctx);
  EXPECT_EQ(t.state.mobile, "+14035550123");
  EXPECT_EQ(t.state.step, Step::ask_time);
  t = advance(t.state, when(at(2026, 3, 3, 15h + 30min)), ctx);
  ASSERT_TRUE(t.effect);
  ASSERT_TRUE(std::holds_alternative<CheckSlot>(*t.effect));
  t = resume(t.state, SlotFree{}, ctx);
  EXPECT_EQ(t.state.step, Step::confirm);
  EXPECT_EQ(said(t),
            "Sarah Johnson, Tuesday, March 3 at 3:30 PM, and we'll reach you at the number ending in 0 1 2 3. "
            "Shall I book it? ");
  t = advance(t.state, yes(), ctx);
  ASSERT_TRUE(t.effect);
  const auto& book = std::get<Book>(*t.effect);
  EXPECT_EQ(book.name, "Sarah Johnson");
  EXPECT_EQ(book.mobile, "+14035550123");
  t = resume(t.state, Booked{42, book.start}, ctx);
  EXPECT_EQ(t.state.step, Step::booked);
  EXPECT_EQ(t.state.appointment_id, 42);
  EXPECT_TRUE(t.reply.hangup);
  EXPECT_NE(said(t).find("Tuesday, March 3 at 3:30 PM"), std::string::npos);
}

TEST_F(FlowTest, DecliningTheCallerIdAsksForAnotherNumber) {
  auto t = start_call("CA1", "+14035550123", std::nullopt, 30, ctx);
  t = advance(t.state, name("Sarah Johnson"), ctx);
  t = advance(t.state, no(), ctx);
  EXPECT_EQ(t.state.step, Step::ask_mobile);
  t = advance(t.state, mobile("+17805550142"), ctx);
  EXPECT_EQ(t.state.mobile, "+17805550142");
  EXPECT_EQ(t.state.step, Step::ask_time);
}

TEST_F(FlowTest, OneUtteranceCanFillSeveralFields) {
  auto t = start_call("CA1", std::nullopt, std::nullopt, 30, ctx);
  Understood u{.name = "Sarah Johnson", .when = at(2026, 3, 5, 14h), .text = "this is Sarah Johnson, Thursday at 2"};
  t = advance(t.state, u, ctx);
  ASSERT_TRUE(t.effect);
  t = resume(t.state, SlotFree{}, ctx);
  EXPECT_EQ(t.state.name, "Sarah Johnson");
  EXPECT_TRUE(t.state.start);
  EXPECT_EQ(t.state.step, Step::ask_mobile);  // the only thing still missing
}

TEST_F(FlowTest, EachRetryUsesDifferentWordingThenGivesUp) {
  auto t = start_call("CA1", std::nullopt, std::nullopt, 30, ctx);
  auto first = said(t);
  t = advance(t.state, Understood{.text = "uh"}, ctx);
  auto second = said(t);
  t = advance(t.state, silence(), ctx);
  auto third = said(t);
  EXPECT_NE(first, second);
  EXPECT_NE(second, third);
  EXPECT_NE(third.find("didn't hear"), std::string::npos);
  EXPECT_EQ(t.state.step, Step::ask_name);
  t = advance(t.state, silence(), ctx);
  EXPECT_EQ(t.state.step, Step::ended);
  EXPECT_TRUE(t.reply.hangup);
  EXPECT_FALSE(t.reply.transfer);
}

TEST_F(FlowTest, GivingUpTransfersWhenAFrontDeskIsConfigured) {
  ctx.front_desk = true;
  auto t = start_call("CA1", std::nullopt, std::nullopt, 30, ctx);
  for (int i = 0; i < 3; ++i) t = advance(t.state, silence(), ctx);
  EXPECT_EQ(t.state.step, Step::ended);
  EXPECT_TRUE(t.reply.transfer);
}

TEST_F(FlowTest, ThreeFailedNumbersSwitchToTheKeypad) {
  ConversationState s;
  s.step = Step::ask_mobile;
  s.name = "Sarah Johnson";
  auto t = Turn{s, {}, {}};
  for (int i = 0; i < 3; ++i) t = advance(t.state, Understood{.text = "blah"}, ctx);
  EXPECT_EQ(t.state.step, Step::ask_mobile);
  EXPECT_TRUE(t.state.keypad);
  EXPECT_EQ(t.reply.listen, Reply::Listen::keypad_or_speech);
  EXPECT_NE(said(t).find("keypad"), std::string::npos);
  t = advance(t.state, mobile("+14035550123"), ctx);
  EXPECT_EQ(t.state.step, Step::ask_time);
}

TEST_F(FlowTest, AfterHoursOffersTheNextOpeningAndYesTakesIt) {
  ConversationState s = ready_to_confirm();
  s.step = Step::ask_time;
  s.start.reset();
  auto t = advance(s, when(at(2026, 3, 3, 18h)), ctx);  // Tuesday 6 PM: closed
  EXPECT_EQ(t.state.step, Step::offer_slot);
  EXPECT_EQ(said(t), "We're closed then; the next opening is Wednesday, March 4 at 9 AM. Does that work? ");
  t = advance(t.state, yes(), ctx);
  ASSERT_TRUE(t.effect);
  EXPECT_EQ(std::get<CheckSlot>(*t.effect).start, cal.to_sys(at(2026, 3, 4, 9h)));
  t = resume(t.state, SlotFree{}, ctx);
  EXPECT_EQ(t.state.step, Step::confirm);
}

TEST_F(FlowTest, APastTimeIsNeverBooked) {
  ConversationState s = ready_to_confirm();
  s.step = Step::ask_time;
  s.start.reset();
  auto t = advance(s, when(at(2026, 3, 3, 9h + 30min)), ctx);  // earlier today
  EXPECT_EQ(t.state.step, Step::offer_slot);
  EXPECT_FALSE(t.effect);
  EXPECT_NE(said(t).find("already passed"), std::string::npos);
}

TEST_F(FlowTest, ADateAloneAsksForATimeThatDay) {
  ConversationState s = ready_to_confirm();
  s.step = Step::ask_time;
  s.start.reset();
  auto t = advance(s, when(DateOnly{date::year{2026} / 3 / 5}), ctx);
  EXPECT_EQ(t.state.step, Step::ask_time);
  EXPECT_EQ(said(t), "What time on Thursday, March 5 works for you? ");
  // A weekend day offers the next opening instead.
  auto weekend = advance(s, when(DateOnly{date::year{2026} / 3 / 7}), ctx);
  EXPECT_EQ(weekend.state.step, Step::offer_slot);
  EXPECT_NE(said(weekend).find("Monday, March 9 at 9 AM"), std::string::npos);
}

TEST_F(FlowTest, ATakenSlotOffersTheNearestFreeTimes) {
  ConversationState s = ready_to_confirm();
  s.step = Step::ask_time;
  s.start.reset();
  auto t = advance(s, when(at(2026, 3, 3, 15h)), ctx);
  std::vector<SysSeconds> alts = {cal.to_sys(at(2026, 3, 3, 14h + 30min)), cal.to_sys(at(2026, 3, 3, 15h + 30min))};
  t = resume(t.state, SlotTaken{alts}, ctx);
  EXPECT_EQ(t.state.step, Step::offer_slot);
  EXPECT_EQ(said(t),
            "Sorry, Tuesday, March 3 at 3 PM is already taken. The nearest openings are 2:30 PM or 3:30 PM that day. "
            "Which would you like? ");
  t = advance(t.state, when(at(2026, 3, 3, 15h + 30min)), ctx);
  ASSERT_TRUE(t.effect);
  EXPECT_EQ(std::get<CheckSlot>(*t.effect).start, alts[1]);
}

TEST_F(FlowTest, NoAtConfirmWithACorrectionChangesOnlyThatField) {
  auto s = ready_to_confirm();
  Understood u{.when = at(2026, 3, 5, 15h + 30min), .answer = Confirmation{YesNo::no, "make it Thursday"},
               .text = "no, make it Thursday"};
  auto t = advance(s, u, ctx);
  ASSERT_TRUE(t.effect);
  t = resume(t.state, SlotFree{}, ctx);
  EXPECT_EQ(t.state.step, Step::confirm);
  EXPECT_EQ(t.state.name, "Sarah Johnson");
  EXPECT_EQ(t.state.mobile, "+14035550123");
  EXPECT_NE(said(t).find("Thursday, March 5 at 3:30 PM"), std::string::npos);

  auto number = advance(s, Understood{.mobile = "+17805550142", .answer = Confirmation{YesNo::no, ""},
                                      .text = "no, my number is 780 555 0142"},
                        ctx);
  EXPECT_EQ(number.state.step, Step::confirm);
  EXPECT_EQ(number.state.mobile, "+17805550142");
  EXPECT_EQ(number.state.start, s.start);
}

TEST_F(FlowTest, PlainNoAsksWhatToChangeAndNoIsNeverABooking) {
  auto t = advance(ready_to_confirm(), no("no, don't book it"), ctx);
  EXPECT_FALSE(t.effect);
  EXPECT_EQ(t.state.step, Step::ask_change);
  t = advance(t.state, Understood{.text = "the time please"}, ctx);
  EXPECT_EQ(t.state.step, Step::ask_time);
  EXPECT_FALSE(t.state.start);
}

TEST_F(FlowTest, ALaterYesAfterNoBooksTheCorrectedTimeNotTheOldOne) {
  auto s = ready_to_confirm();
  auto t = advance(s, Understood{.when = at(2026, 3, 5, 10h), .answer = Confirmation{YesNo::no, ""}, .text = "no"}, ctx);
  t = resume(t.state, SlotFree{}, ctx);
  t = advance(t.state, yes(), ctx);
  ASSERT_TRUE(t.effect);
  EXPECT_EQ(std::get<Book>(*t.effect).start, cal.to_sys(at(2026, 3, 5, 10h)));
}

TEST_F(FlowTest, ABookingFailureOffersToTryAgainThenGivesUp) {
  auto t = advance(ready_to_confirm(), yes(), ctx);
  t = resume(t.state, BookFailed{}, ctx);
  EXPECT_EQ(t.state.step, Step::confirm);
  EXPECT_NE(said(t).find("try again"), std::string::npos);
  t = advance(t.state, yes(), ctx);
  t = resume(t.state, BookFailed{}, ctx);
  EXPECT_EQ(t.state.step, Step::ended);
}

TEST_F(FlowTest, ARaceLostAtBookingOffersAlternatives) {
  auto t = advance(ready_to_confirm(), yes(), ctx);
  t = resume(t.state, SlotTaken{{cal.to_sys(at(2026, 3, 3, 16h))}}, ctx);
  EXPECT_EQ(t.state.step, Step::offer_slot);
  EXPECT_FALSE(t.state.start);
}

TEST(SessionJson, RoundTripsEveryField) {
  ConversationState s;
  s.call_sid = "CAabc";
  s.step = Step::offer_slot;
  s.name = "Jean-François Bélanger";
  s.mobile = "+14035550123";
  s.caller_id = "+14035550123";
  s.start = std::chrono::sys_seconds{std::chrono::seconds{1772575200}};
  s.day = date::year{2026} / 3 / 5;
  s.offered = {std::chrono::sys_seconds{std::chrono::seconds{1772578800}}};
  s.retries = 2;
  s.turn = 5;
  s.returning = true;
  s.keypad = true;
  s.caller_id_offered = true;
  s.last_name_asked = true;
  s.step = Step::ask_last_name;
  s.appointment_id = 9;
  s.created_at = std::chrono::sys_seconds{std::chrono::seconds{1772570000}};
  auto back = state_from_json(to_json(s));
  EXPECT_EQ(to_json(back), to_json(s));
  EXPECT_EQ(back.name, s.name);
  EXPECT_EQ(back.day, s.day);
  EXPECT_EQ(back.step, Step::ask_last_name);
  EXPECT_TRUE(back.last_name_asked);
  EXPECT_THROW(state_from_json(nlohmann::json{{"call_sid", "x"}, {"step", "dancing"}}), std::exception);
  for (Step step : {Step::ask_name, Step::ask_last_name, Step::offer_caller_id, Step::ask_mobile, Step::ask_time,
                    Step::offer_slot, Step::confirm, Step::ask_change, Step::booked, Step::ended}) {
    EXPECT_EQ(parse_step(to_string(step)), step) << to_string(step);
  }
}

TEST(Prompts, SpeakTimesAndNumbersNaturally) {
  using namespace std::chrono_literals;
  auto t = date::local_days{date::year{2026} / 3 / 4} + 9h;
  EXPECT_EQ(prompts::when(t), "Wednesday, March 4 at 9 AM");
  EXPECT_EQ(prompts::clock(date::local_days{date::year{2026} / 3 / 4} + 12h), "noon");
  EXPECT_EQ(prompts::clock(date::local_days{date::year{2026} / 3 / 4} + 15h + 5min), "3:05 PM");
  EXPECT_EQ(prompts::last_four("+14035550123"), "0 1 2 3");
  EXPECT_EQ(prompts::first_name("Sarah Johnson"), "Sarah");
}

}  // namespace
}  // namespace bella::call
