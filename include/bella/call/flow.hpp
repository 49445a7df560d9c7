// The conversation as a sans-I/O state machine: advance(state, understood, ctx) -> Turn.
// No clock reads, no I/O: `ctx.now` is an argument and effects are returned, not performed.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bella/calendar/calendar.hpp"
#include "bella/call/session.hpp"
#include "bella/understand/extract.hpp"

namespace bella::call {

/// What the caller's utterance was found to contain (all extractors ran; the flow picks by step).
struct Understood {
  bool silence = false;                         // no speech and no digits
  std::optional<std::string> name;
  std::optional<std::string> surname;           // only while asking for it (ask_last_name)
  std::optional<std::string> mobile;            // E.164, from speech, keypad or "this number"
  std::optional<understand::When> when;
  std::optional<understand::Confirmation> answer;
  std::string text;                             // the transcript, for small keyword checks
};

/// What the caller hears next and how we listen.
struct Reply {
  enum class Listen { speech, keypad_or_speech, none };
  std::vector<std::string> lines;               // spoken in order
  Listen listen = Listen::speech;
  std::string hints;                            // speech hints for this step
  bool hangup = false;
  bool transfer = false;                        // <Dial> the front desk (when configured)
};

struct CheckSlot {
  SysSeconds start;
  int minutes;
};
struct Book {
  std::string name;
  std::string mobile;
  SysSeconds start;
  int minutes;
};
using Effect = std::variant<CheckSlot, Book>;

struct SlotFree {};
struct SlotTaken {
  std::vector<SysSeconds> alternatives;         // nearest free times, maybe empty
};
struct Booked {
  std::int64_t appointment_id;
  SysSeconds start;
};
struct BookFailed {};                           // infrastructure failure: nothing was written
using EffectResult = std::variant<SlotFree, SlotTaken, Booked, BookFailed>;

struct Turn {
  ConversationState state;
  Reply reply;
  std::optional<Effect> effect;                 // run it, then call resume()
};

struct FlowContext {
  SysSeconds now;
  const calendar::BusinessCalendar& calendar;
  bool front_desk = false;                      // a FRONT_DESK_NUMBER is configured
  int max_retries = 3;
};

/// The field the current step is waiting for: the LLM fallback is asked only for this one.
enum class Expecting { name, surname, phone, time, yes_no, nothing };
Expecting expecting(const ConversationState& s);

/// First answer of a call. `known_name` is set for a returning caller recognised by caller ID.
Turn start_call(const std::string& call_sid, const std::optional<std::string>& caller_id,
                const std::optional<std::string>& known_name, int duration_minutes, const FlowContext& ctx);

/// One caller turn.
Turn advance(const ConversationState& state, const Understood& heard, const FlowContext& ctx);

/// Continues after an effect ran.
Turn resume(const ConversationState& state, const EffectResult& result, const FlowContext& ctx);

/// Re-asks the current step's question (used when a turn fails before it could be understood).
Turn repeat_question(const ConversationState& state, const FlowContext& ctx);

}  // namespace bella::call
