// The step machine as tables of (state, utterance) -> (next step, prompt id), with the real
// extractors and the fake bookings; then the cases that need more than one turn.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "flow_support.hpp"

namespace bella::call::testing {
namespace {

struct Row {
  const char* what;
  Step from;          // confirm = a booking read back (Thursday March 5 at 2 PM); others: that step
  const char* said;
  const char* digits;
  Step next;
  PromptId prompt;    // the last line the caller hears
};

void PrintTo(const Row& r, std::ostream* os) { *os << r.what; }

class FlowTable : public FlowFixture, public ::testing::WithParamInterface<Row> {};

TEST_P(FlowTable, NextStepAndPrompt) {
  const Row& r = GetParam();
  bookings.add_appointment(bookings.add_patient("Other Person", "+14035550999"), at(5, 9h));  // Thu 9:00 taken
  const ConversationState s = r.from == Step::confirm ? at_read_back() : asking(r.from);
  const Turn t = say(s, r.said, r.digits);
  EXPECT_EQ(to_string(t.state.step), std::string(to_string(r.next))) << r.what << ": " << words(t);
  EXPECT_EQ(to_string(last(t)), std::string(to_string(r.prompt))) << r.what << ": " << words(t);
}

INSTANTIATE_TEST_SUITE_P(
    Steps, FlowTable,
    ::testing::Values(
        // Intents at any step.
        Row{"cancel at the name step, no caller ID", Step::ask_name, "I want to cancel my appointment", "",
            Step::ask_lookup_mobile, PromptId::ask_lookup_mobile},
        Row{"look-up at the time step", Step::ask_time, "when is my appointment?", "", Step::ask_go_on,
            PromptId::no_patient},
        Row{"person without a front desk goes on", Step::ask_name, "can I talk to someone", "", Step::ask_name,
            PromptId::ask_name},
        Row{"decline at the name step", Step::ask_name, "nothing, I changed my mind, goodbye", "", Step::ended,
            PromptId::goodbye},
        Row{"decline at the read-back", Step::confirm, "never mind", "", Step::ended, PromptId::goodbye},
        Row{"asking to book at the name step is no failure", Step::ask_name, "I'd like to book an appointment", "",
            Step::ask_name, PromptId::ask_name},
        Row{"repeat", Step::ask_time, "sorry, can you repeat that?", "", Step::ask_time, PromptId::ask_time},
        Row{"availability on a day", Step::ask_time, "what do you have on Friday?", "", Step::offer_slot,
            PromptId::offer_times},
        Row{"availability: the earliest", Step::ask_time, "what's the earliest?", "", Step::offer_slot,
            PromptId::offer_times},
        // Listening: keypad from the first ask.
        Row{"keypad number at the first ask", Step::ask_mobile, "", "4035550188", Step::ask_time, PromptId::ask_time},
        Row{"keypad 1 is yes at the read-back", Step::confirm, "", "1", Step::booked, PromptId::booked},
        Row{"keypad 2 is no at the read-back", Step::confirm, "", "2", Step::ask_change, PromptId::ask_change},
        Row{"silence re-asks", Step::ask_time, "", "", Step::ask_time, PromptId::ask_time},
        // Read-back replies.
        Row{"yes books", Step::confirm, "yes please", "", Step::booked, PromptId::booked},
        Row{"neither yes, no nor a correction is asked again", Step::confirm, "hmm, I wonder about the weather", "",
            Step::confirm, PromptId::confirm},
        Row{"a new number only", Step::confirm, "my number is 403 555 0177", "", Step::confirm, PromptId::confirm},
        Row{"a correction to a taken time offers others", Step::confirm, "no, make it 9 am", "", Step::offer_slot,
            PromptId::slot_taken},
        Row{"a correction to a closed day", Step::confirm, "no, make it Saturday", "", Step::offer_slot,
            PromptId::closed_then},
        // Times.
        Row{"a past time", Step::ask_time, "today at 9 am", "", Step::offer_slot, PromptId::past_time},
        Row{"a free time goes to the read-back", Step::ask_time, "Friday at 10 am", "", Step::confirm,
            PromptId::confirm},
        Row{"a length and a time", Step::ask_time, "I need an hour on Friday at 10 am", "", Step::confirm,
            PromptId::confirm},
        Row{"a length alone", Step::ask_time, "I need an hour", "", Step::ask_time, PromptId::ask_time},
        Row{"a length not offered", Step::ask_time, "I need 45 minutes", "", Step::ask_time, PromptId::ask_time}));

TEST_F(FlowFixture, NewCallerIsGreetedAndAskedForTheirName) {
  auto t = start();
  EXPECT_EQ(t.state.step, Step::ask_name);
  EXPECT_EQ(ids(t), (std::vector{PromptId::greeting, PromptId::ask_name}));
  EXPECT_EQ(t.reply.listen, Reply::Listen::speech);
}

TEST_F(FlowFixture, ReturningCallerWithOnePatientIsGreetedByFirstName) {
  bookings.add_patient("Sarah Johnson", "+14035550123");
  auto t = start("+14035550123");
  EXPECT_EQ(t.state.step, Step::ask_time);
  EXPECT_TRUE(t.state.patient_id.has_value());
  ASSERT_EQ(ids(t).front(), PromptId::welcome_back);
  EXPECT_EQ(t.reply.lines.front().args.name, "Sarah");
}

TEST_F(FlowFixture, HouseholdAsksWhoIsCallingAndADifferentNameIsANewPatient) {
  const auto tom = bookings.add_patient("Tom Baker", "+14035550123");
  bookings.add_patient("Ann Baker", "+14035550123");
  auto t = start("+14035550123");
  EXPECT_EQ(ids(t), (std::vector{PromptId::welcome_household, PromptId::ask_who_calling}));
  auto tom_turn = say(t.state, "this is Tom Baker");
  EXPECT_EQ(tom_turn.state.patient_id, tom);
  EXPECT_EQ(tom_turn.state.step, Step::ask_time);
  auto jane = say(t.state, "my name is Jane Baker");
  EXPECT_FALSE(jane.state.patient_id.has_value());
  EXPECT_EQ(jane.state.name, "Jane Baker");
  // Booked as a new patient on the same number; Tom is not renamed.
  auto when = say(jane.state, "Friday at 10 am");
  auto booked = say(when.state, "yes");
  ASSERT_EQ(booked.state.step, Step::booked) << words(booked);
  int named_tom = 0, named_jane = 0;
  for (const auto& p : bookings.patients()) {
    named_tom += p.name == "Tom Baker";
    named_jane += p.name == "Jane Baker" && p.mobile == "+14035550123";
  }
  EXPECT_EQ(named_tom, 1);
  EXPECT_EQ(named_jane, 1);
}

TEST_F(FlowFixture, AnotherPersonOnAReturningCallersPhoneIsANewPatientNotSarah) {
  const auto sarah = bookings.add_patient("Sarah Johnson", "+14035550123");
  auto t = start("+14035550123");
  ASSERT_EQ(t.state.patient_id, sarah);
  auto jane = say(t.state, "this is Jane Baker");
  EXPECT_EQ(jane.state.step, Step::ask_time);
  EXPECT_EQ(ids(jane), (std::vector{PromptId::thanks_name, PromptId::ask_time}));
  EXPECT_EQ(jane.state.name, "Jane Baker");
  EXPECT_FALSE(jane.state.patient_id.has_value());
  // A carrier with a time in the same turn takes both.
  auto both = say(t.state, "this is Jane Baker, Friday at 10 am");
  EXPECT_EQ(both.state.name, "Jane Baker");
  EXPECT_EQ(both.state.step, Step::confirm) << words(both);
  // Without a carrier, a bare name-like reply at the time step is not taken as a name.
  auto bare = say(t.state, "Jane Baker");
  EXPECT_EQ(bare.state.patient_id, sarah);
}

TEST_F(FlowFixture, PersonRequestTransfersAtOnceWithAFrontDesk) {
  front_desk = true;
  auto t = say(asking(Step::ask_name), "operator");
  EXPECT_EQ(t.state.step, Step::ended);
  EXPECT_TRUE(t.reply.transfer);
  EXPECT_EQ(ids(t), std::vector{PromptId::transferring});
}

TEST_F(FlowFixture, PersonRequestWithoutAFrontDeskSaysSoAndGoesOn) {
  auto t = say(asking(Step::ask_name), "can I talk to someone");
  EXPECT_FALSE(t.reply.transfer);
  EXPECT_FALSE(t.reply.hangup);
  EXPECT_EQ(ids(t), (std::vector{PromptId::no_front_desk, PromptId::ask_name}));
  EXPECT_EQ(t.state.retries, 0);
}

TEST_F(FlowFixture, CancelReadsBackTheAppointmentAndAsksForYesFirst) {
  const auto p = bookings.add_patient("Sarah Johnson", "+14035550123");
  const auto appt = bookings.add_appointment(p, at(6, 9h));
  auto t = start("+14035550123");
  auto c = say(t.state, "I want to cancel my appointment");
  EXPECT_EQ(c.state.step, Step::confirm_cancel);
  EXPECT_EQ(last(c), PromptId::confirm_cancel);
  EXPECT_EQ(c.reply.listen, Reply::Listen::yes_no);
  EXPECT_EQ(bookings.writes(), 0);
  auto done = say(c.state, "yes");
  EXPECT_TRUE(says(done, PromptId::cancelled)) << words(done);
  EXPECT_EQ(done.state.step, Step::ask_go_on);
  for (const auto& r : bookings.rows())
    if (r.id == appt) { EXPECT_TRUE(r.cancelled); }
  auto bye = say(done.state, "no thanks");
  EXPECT_EQ(bye.state.step, Step::ended);
  EXPECT_TRUE(bye.reply.hangup);
}

TEST_F(FlowFixture, CancelNoKeepsTheAppointment) {
  const auto p = bookings.add_patient("Sarah Johnson", "+14035550123");
  bookings.add_appointment(p, at(6, 9h));
  auto c = say(start("+14035550123").state, "cancel my appointment");
  auto kept = say(c.state, "no");
  EXPECT_TRUE(says(kept, PromptId::kept));
  EXPECT_EQ(bookings.writes(), 0);
}

TEST_F(FlowFixture, SeveralUpcomingAppointmentsArePickedByDayOrPosition) {
  const auto p = bookings.add_patient("Sarah Johnson", "+14035550123");
  const auto thu = bookings.add_appointment(p, at(5, 11h));
  const auto fri = bookings.add_appointment(p, at(6, 9h));
  auto c = say(start("+14035550123").state, "I need to cancel an appointment");
  ASSERT_EQ(c.state.step, Step::pick_appointment) << words(c);
  EXPECT_EQ(ids(c), (std::vector{PromptId::you_have, PromptId::which_appointment}));
  auto by_day = say(c.state, "the one on Friday");
  EXPECT_EQ(by_day.state.target, fri) << words(by_day);
  auto by_position = say(c.state, "the first one");
  EXPECT_EQ(by_position.state.target, thu);
  auto second = say(c.state, "the second one");
  EXPECT_EQ(second.state.target, fri);
}

TEST_F(FlowFixture, LookUpReadsBackUpcomingAppointments) {
  const auto p = bookings.add_patient("Sarah Johnson", "+14035550123");
  bookings.add_appointment(p, at(6, 9h));
  auto t = say(start("+14035550123").state, "when is my appointment?");
  EXPECT_EQ(ids(t), (std::vector{PromptId::you_have, PromptId::anything_else}));
  EXPECT_NE(words(t).find("Friday, March 6 at 9 AM"), std::string::npos) << words(t);
}

TEST_F(FlowFixture, HouseholdLookUpAsksWhoTheAppointmentIsFor) {
  bookings.add_patient("Tom Baker", "+14035550123");
  const auto ann = bookings.add_patient("Ann Baker", "+14035550123");
  bookings.add_appointment(ann, at(6, 9h));
  auto t = start("+14035550123");
  // The household greeting asks who is calling; the caller asks about someone else's appointment.
  auto q = say(t.state, "when is my appointment?");
  ASSERT_EQ(q.state.step, Step::ask_who) << words(q);
  EXPECT_EQ(last(q), PromptId::ask_who);
  auto a = say(q.state, "Ann Baker");
  EXPECT_TRUE(says(a, PromptId::you_have)) << words(a);
}

TEST_F(FlowFixture, UnknownNumberIsToldSoAndOfferedABooking) {
  auto t = say(asking(Step::ask_name), "I want to cancel my appointment");
  auto n = say(t.state, "", "4035550100");
  EXPECT_EQ(last(n), PromptId::no_patient);
  EXPECT_EQ(n.state.step, Step::ask_go_on);
  auto book = say(n.state, "yes");
  EXPECT_EQ(book.state.task, Purpose::book);
  EXPECT_EQ(book.state.step, Step::ask_name);
}

TEST_F(FlowFixture, RescheduleMovesInOneStepAndATakenTargetKeepsTheOld) {
  const auto p = bookings.add_patient("Sarah Johnson", "+14035550123");
  const auto appt = bookings.add_appointment(p, at(6, 9h));
  bookings.add_appointment(bookings.add_patient("Other Person", "+14035550999"), at(6, 11h));
  auto r = say(start("+14035550123").state, "can I move my appointment");
  ASSERT_EQ(r.state.step, Step::ask_time) << words(r);
  auto taken = say(r.state, "Friday at 11 am");
  EXPECT_EQ(last(taken), PromptId::slot_taken) << words(taken);
  for (const auto& row : bookings.rows())
    if (row.id == appt) { EXPECT_EQ(row.start, at(6, 9h)); }  // not moved yet
  auto free = say(taken.state, "Friday at 2 pm");
  ASSERT_EQ(free.state.step, Step::confirm) << words(free);
  EXPECT_EQ(last(free), PromptId::confirm_move);
  auto moved = say(free.state, "yes");
  EXPECT_TRUE(says(moved, PromptId::moved)) << words(moved);
  for (const auto& row : bookings.rows())
    if (row.id == appt) { EXPECT_EQ(row.start, at(6, 14h)); }
}

TEST_F(FlowFixture, RescheduleTargetTakenAtTheLastMomentKeepsTheOldSlotAndOffersOthers) {
  const auto p = bookings.add_patient("Sarah Johnson", "+14035550123");
  const auto appt = bookings.add_appointment(p, at(6, 9h));
  auto r = say(start("+14035550123").state, "can I move my appointment");
  auto free = say(r.state, "Friday at 2 pm");
  ASSERT_EQ(last(free), PromptId::confirm_move);
  bookings.add_appointment(bookings.add_patient("Quick Caller", "+14035550998"), at(6, 14h));  // someone else got it
  auto refused = say(free.state, "yes");
  EXPECT_EQ(last(refused), PromptId::slot_taken) << words(refused);
  EXPECT_EQ(refused.state.step, Step::offer_slot);
  for (const auto& row : bookings.rows())
    if (row.id == appt) { EXPECT_EQ(row.start, at(6, 9h)); }
}

TEST_F(FlowFixture, OffersComeFromFreeSlotsAndArePickedByPosition) {
  bookings.add_appointment(bookings.add_patient("Other Person", "+14035550999"), at(6, 9h));
  auto offer = say(asking(Step::ask_time), "what do you have on Friday?");
  ASSERT_EQ(offer.state.offered.size(), 3u);
  EXPECT_EQ(offer.state.offered[0], at(6, 9h + 30min));  // 9:00 is booked
  EXPECT_NE(words(offer).find("Friday, March 6 I have 9:30, 10 or 10:30"), std::string::npos) << words(offer);
  auto pick = say(offer.state, "the second one");
  EXPECT_EQ(pick.state.start, at(6, 10h));
  EXPECT_EQ(pick.state.step, Step::confirm);
  auto later = say(offer.state, "anything later?");
  ASSERT_FALSE(later.state.offered.empty()) << words(later);
  EXPECT_GT(later.state.offered.front(), offer.state.offered.back());
  auto other = say(offer.state, "another day");
  ASSERT_FALSE(other.state.offered.empty());
  EXPECT_GE(other.state.offered.front(), at(9, 9h));  // Monday
}

TEST_F(FlowFixture, PastTimeSaysSoAndOffersTheNextFreeSlot) {
  auto t = say(asking(Step::ask_time), "today at 9 am");
  EXPECT_EQ(last(t), PromptId::past_time);
  ASSERT_FALSE(t.state.offered.empty());
  EXPECT_GT(t.state.offered.front(), now);
}

TEST_F(FlowFixture, CorrectionsReplaceOnlyWhatTheyName) {
  const auto s = at_read_back();  // Thursday March 5 at 2 PM
  auto time = say(s, "no, make it 3 pm");
  EXPECT_EQ(time.state.start, at(5, 15h)) << words(time);
  auto day = say(s, "no, make it Friday");
  EXPECT_EQ(day.state.start, at(6, 14h)) << words(day);
  auto date = say(s, "no, the 10th");
  EXPECT_EQ(date.state.start, at(10, 14h)) << words(date);
  auto number = say(s, "my number is 403 555 0177");
  EXPECT_EQ(number.state.mobile, "+14035550177");
  EXPECT_EQ(number.state.start, s.start);
  EXPECT_EQ(number.state.name, s.name);
  auto name = say(s, "no, the name is Jane Baker");
  EXPECT_EQ(name.state.name, "Jane Baker") << words(name);
  EXPECT_EQ(name.state.start, s.start);
  EXPECT_EQ(name.state.mobile, s.mobile);
  auto given = say(s, "it's Sara, not Sarah");
  EXPECT_EQ(given.state.name, "Sara Johnson") << words(given);
}

TEST_F(FlowFixture, AnUnclearReadBackReplyChangesNothing) {
  const auto s = at_read_back();
  auto t = say(s, "hmm, I wonder about the weather");
  EXPECT_EQ(t.state.name, s.name);
  EXPECT_EQ(t.state.start, s.start);
  EXPECT_EQ(t.state.mobile, s.mobile);
  EXPECT_EQ(t.state.step, Step::confirm);
}

TEST_F(FlowFixture, LongAppointmentIsReadBackWithItsLength) {
  auto t = say(asking(Step::ask_time), "a long appointment on Friday at 10 am");
  ASSERT_EQ(t.state.step, Step::confirm) << words(t);
  EXPECT_EQ(t.state.duration_minutes, 60);
  EXPECT_EQ(t.state.type, "long");
  EXPECT_NE(words(t).find("for one hour"), std::string::npos) << words(t);
  auto booked = say(t.state, "yes");
  ASSERT_EQ(booked.state.step, Step::booked);
  EXPECT_EQ(bookings.rows().back().minutes, 60);
}

TEST_F(FlowFixture, ALengthTheClinicDoesNotOfferIsExplained) {
  auto t = say(asking(Step::ask_time), "I need 45 minutes");
  EXPECT_EQ(ids(t).front(), PromptId::length_not_offered);
  EXPECT_EQ(t.state.duration_minutes, 30);
  EXPECT_NE(words(t).find("I can book 30 minutes or one hour"), std::string::npos) << words(t);
}

TEST_F(FlowFixture, RePromptsDifferAndSilenceIsToldApartFromNoMatch) {
  auto s = asking(Step::ask_time);
  auto first = say(s, "");
  auto second = say(first.state, "purple monkey");
  EXPECT_EQ(ids(first).front(), PromptId::didnt_hear);
  EXPECT_EQ(ids(second).front(), PromptId::didnt_catch);
  EXPECT_NE(words(first), words(second));
  EXPECT_NE(prompts::render(first.reply.lines.back()), prompts::render(repeat_question(s, ctx()).reply.lines.back()));
  auto third = say(second.state, "purple monkey");
  EXPECT_EQ(third.state.step, Step::ended);  // 3 failed tries on one step
  EXPECT_TRUE(third.reply.hangup);
}

TEST_F(FlowFixture, SixFailuresInTheCallEndIt) {
  auto s = asking(Step::ask_time);
  s.failures = 5;
  auto t = say(s, "purple monkey");
  EXPECT_EQ(t.state.step, Step::ended);
  EXPECT_EQ(last(t), PromptId::give_up);
}

TEST_F(FlowFixture, YesNoAndNumberAsksTakeTheKeypad) {
  EXPECT_EQ(say(at_read_back(), "purple").reply.listen, Reply::Listen::yes_no);
  auto number = say(asking(Step::ask_name), "I want to cancel my appointment");
  EXPECT_EQ(number.reply.listen, Reply::Listen::phone);
  // The re-prompt says the keypad works.
  auto again = say(number.state, "");
  EXPECT_NE(words(again).find("type it"), std::string::npos) << words(again);
}

TEST_F(FlowFixture, DatabaseDownAtTheReadBackNeverEndsTheCallAndTheNextTurnBooks) {
  bookings.set_down(true);
  auto s = at_read_back();
  auto down1 = say(s, "yes");
  EXPECT_EQ(down1.state.step, Step::confirm);
  EXPECT_EQ(last(down1), PromptId::save_failed);
  EXPECT_FALSE(down1.reply.hangup);
  auto down2 = say(down1.state, "yes");
  auto down3 = say(down2.state, "yes");
  EXPECT_EQ(down3.state.step, Step::confirm);  // never gives up on an outage
  EXPECT_EQ(down3.state.retries, 0);
  bookings.set_down(false);
  auto booked = say(down3.state, "yes");
  EXPECT_EQ(booked.state.step, Step::booked);
  EXPECT_EQ(bookings.rows().size(), 1u);
}

TEST_F(FlowFixture, SessionRoundTripsThroughJsonAndOldShapesAreRefused) {
  auto s = say(start("+14035550123").state, "what do you have on Friday?").state;
  s.household = {{7, "Tom Baker"}};
  s.upcoming = {{9, 7, "Tom Baker", at(6, 9h), 60}};
  const auto back = state_from_json(to_json(s));
  EXPECT_EQ(to_json(back), to_json(s));
  nlohmann::json v1 = {{"v", 1}, {"call_sid", "CA1"}, {"step", "ask_name"}, {"created_at", "2026-03-03T17:00:00Z"}};
  EXPECT_ANY_THROW(state_from_json(v1));
}

}  // namespace
}  // namespace bella::call::testing
