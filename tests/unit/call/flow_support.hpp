// Drives the pure flow with real understanding and the fake bookings: (state, utterance) ->
// (next step, prompt ids). Effects run synchronously against tests/support/fake_bookings.
#pragma once
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bella/call/flow.hpp"
#include "call/effects.hpp"
#include "call/understanding.hpp"
#include "support/fake_bookings.hpp"
#include "support/switchable_session_store.hpp"

namespace bella::call::testing {

using namespace std::chrono_literals;

class FlowFixture : public ::testing::Test {
 protected:
  const date::time_zone* zone = date::locate_zone("America/Edmonton");
  calendar::BusinessCalendar cal{zone, calendar::OpeningHours::parse("Mon-Fri 09:00-17:00")};
  // Tuesday 2026-03-03 10:00 in Edmonton (MST, UTC-7).
  SysSeconds now = at(3, 10h);
  bella::testing::FakeBookings bookings{cal};
  bool front_desk = false;
  std::vector<AppointmentType> types = {{"standard", 30}, {"long", 60}};

  SysSeconds at(unsigned day, std::chrono::minutes t, unsigned month = 3) const {
    return cal.to_sys(date::local_days{date::year{2026} / date::month{month} / date::day{day}} + t);
  }
  FlowContext ctx() const {
    return FlowContext{.now = now, .calendar = cal, .front_desk = front_desk, .max_retries = 3, .max_failures = 6,
                       .types = types};
  }

  /// One caller turn: understand, advance, run the effects.
  Turn say(const ConversationState& s, const std::string& speech, const std::string& digits = "") {
    TurnInput in{.call_sid = s.call_sid, .from = s.caller_id.value_or(""), .speech = speech, .digits = digits};
    const Understood heard = understand_utterance(s, in, now, cal);
    Turn t = advance(s, heard, ctx());
    return run(std::move(t));
  }
  Turn run(Turn t) {
    const FlowContext c = ctx();
    return bella::testing::run_task<Turn>([&]() { return run_effects(bookings, std::move(t), c); });
  }
  Turn start(std::optional<std::string> caller_id = std::nullopt) {
    std::vector<Patient> patients;
    if (caller_id)
      patients = bella::testing::run_task<std::vector<Patient>>(
          [&]() { return bookings.patients_for_mobile(*caller_id); });
    return start_call("CA00000000000000000000000000000001", caller_id, patients, ctx());
  }

  static std::vector<PromptId> ids(const Turn& t) {
    std::vector<PromptId> out;
    for (const auto& l : t.reply.lines) out.push_back(l.id);
    return out;
  }
  static PromptId last(const Turn& t) { return t.reply.lines.empty() ? PromptId::say_again : t.reply.lines.back().id; }
  static bool says(const Turn& t, PromptId id) {
    for (const auto& l : t.reply.lines)
      if (l.id == id) return true;
    return false;
  }
  static std::string words(const Turn& t) {
    std::string out;
    for (const auto& l : t.reply.lines) out += prompts::render(l) + " ";
    return out;
  }

  /// A new caller's booking read back: Sarah Johnson, +14035550123, Thursday March 5 at 2 PM.
  ConversationState at_read_back() {
    ConversationState s;
    s.call_sid = "CA00000000000000000000000000000001";
    s.step = Step::confirm;
    s.name = "Sarah Johnson";
    s.mobile = "+14035550123";
    s.start = at(5, 14h);
    s.created_at = now;
    return s;
  }
  ConversationState asking(Step step) {
    ConversationState s = at_read_back();
    s.step = step;
    s.start.reset();
    if (step == Step::ask_name) s.name.reset(), s.mobile.reset();
    return s;
  }
};

}  // namespace bella::call::testing
