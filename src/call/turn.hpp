// One caller turn with its I/O: claim the turn, load the session, understand, advance, run the
// effect, save, and answer (or replay the answer of a repeated turn).
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "bella/calendar/calendar.hpp"
#include "bella/call/booking_port.hpp"
#include "bella/call/flow.hpp"
#include "bella/core/asio.hpp"
#include "bella/core/clock.hpp"
#include "bella/llm/llm_client.hpp"
#include "bella/store/session_store.hpp"

namespace bella::call {

struct TurnInput {
  std::string call_sid;
  std::string from;                  // caller ID as Twilio sent it (may be "anonymous")
  std::string speech;                // SpeechResult (may be empty)
  std::string digits;                // Digits (keypad)
  std::optional<int> turn;           // the turn number carried in the Gather's action URL
};

/// Renders a Reply as the document Twilio gets; `next_turn` goes into the Gather action URL.
using Render = std::function<std::string(const Reply& reply, int next_turn)>;

struct TurnSettings {
  std::chrono::seconds session_ttl{900};
  int appointment_minutes = 30;
  bool front_desk = false;
  std::chrono::milliseconds llm_timeout{1500};
  /// How long a repeated turn waits for the first copy's answer before re-asking.
  std::chrono::milliseconds replay_wait{5000};
};

/// Understands an utterance for the session's current step with the deterministic parsers only.
Understood understand_utterance(const ConversationState& state, const TurnInput& input, SysSeconds now,
                                const calendar::BusinessCalendar& calendar);

/// Thread-safe: many calls (and repeated copies of one turn) may run at once.
class CallHandler {
 public:
  CallHandler(store::SessionStore& sessions, Bookings& bookings, llm::LlmClient& llm,
              const calendar::BusinessCalendar& calendar, const Clock& clock, TurnSettings settings);

  /// POST /twilio/voice: greets the caller (by name when From is a known user) and asks the first question.
  Task<std::string> start(const TurnInput& input, const Render& render);
  /// POST /twilio/voice/collect: one step of the conversation.
  Task<std::string> collect(const TurnInput& input, const Render& render);

 private:
  Task<std::string> claimed_turn(const TurnInput& input, int turn, const Render& render);
  Task<std::optional<std::string>> wait_for_reply(const std::string& key);
  Task<void> llm_fallback(const ConversationState& state, const TurnInput& input, Understood& heard, SysSeconds now);
  Task<Turn> run_effects(Turn turn, SysSeconds now);
  Task<void> save(const ConversationState& state);
  Task<std::optional<ConversationState>> load(const std::string& call_sid);
  FlowContext context(SysSeconds now) const;

  store::SessionStore& sessions_;
  Bookings& bookings_;
  llm::LlmClient& llm_;
  const calendar::BusinessCalendar& calendar_;
  const Clock& clock_;
  TurnSettings settings_;
};

}  // namespace bella::call
