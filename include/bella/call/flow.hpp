// The conversation as a sans-I/O state machine: advance(state, understood, ctx) -> Turn.
// No clock reads, no I/O: `ctx.now` is an argument and effects are returned, not performed.
// What the caller hears is a list of prompt ids with parameters (prompts.hpp renders them).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bella/calendar/calendar.hpp"
#include "bella/call/booking_port.hpp"
#include "bella/call/prompts.hpp"
#include "bella/call/session.hpp"
#include "bella/understand/extract.hpp"
#include "bella/understand/intent.hpp"

namespace bella::call {

/// What the caller's utterance was found to contain (all extractors ran; the flow picks by step).
struct Understood {
  bool silence = false;                         // no speech and no digits
  bool keypad = false;                          // digits were pressed
  std::optional<understand::Intent> intent;
  std::optional<understand::HeardName> name;
  std::optional<std::string> surname;           // only while asking for it (ask_last_name)
  std::optional<std::string> mobile;            // E.164, from speech, keypad or "this number"
  std::optional<understand::HeardTime> time;    // read with focus_day = the day under discussion
  std::optional<understand::Confirmation> answer;
  std::optional<int> position;                  // "the first one" = 0, "the second" = 1, "the last one" = -1
  bool later = false;                           // "later", "something later"
  bool another_day = false;                     // "another day", "a different day"
  std::optional<int> minutes;                   // a length asked for: "I need an hour" = 60
  bool long_type = false;                       // "a long appointment"
  std::string text;                             // the transcript, for small keyword checks
};

/// What the caller hears next and how we listen.
struct Reply {
  enum class Listen {
    speech,   // speech only (names, times)
    yes_no,   // speech or one key: 1 = yes, 2 = no
    phone,    // speech or up to 11 keys ended by #
    none,     // nothing: the call ends or is transferred
  };
  std::vector<Prompt> lines;                    // spoken in order
  Listen listen = Listen::speech;
  prompts::Hints hints = prompts::Hints::none;  // speech hints for this step
  bool hangup = false;
  bool transfer = false;                        // <Dial> the front desk (when configured)
};

// Effects: what the flow asks turn.cpp to do, through the Bookings port.
struct FindPatients {                           // -> PatientsFound
  std::string mobile;
};
enum class OfferReason { answer, closed, past, later };
struct FindSlots {                              // -> SlotsFound
  SlotQuery query;
  OfferReason reason = OfferReason::answer;
  std::optional<understand::PartOfDay> part;    // keep only slots in this part of the day
};
struct CheckSlot {                              // -> SlotFree or SlotRefused
  SysSeconds start;
  int minutes;
};
struct BookIt {                                 // -> Done or SlotRefused
  NewBooking booking;
};
struct CancelIt {                               // -> Done or Missing
  std::int64_t appointment_id;
};
struct MoveIt {                                 // -> Done or SlotRefused
  std::int64_t appointment_id;
  SysSeconds start;
  int minutes;
};
using Effect = std::variant<FindPatients, FindSlots, CheckSlot, BookIt, CancelIt, MoveIt>;

struct SlotFree {};
struct Missing {};                              // no such upcoming appointment
struct PatientsFound {
  std::vector<Patient> patients;
  std::vector<Upcoming> upcoming;
};
struct SlotsFound {
  std::vector<SysSeconds> slots;
};
struct Unreachable {};                          // infrastructure failure (bella::Unavailable): nothing written
using EffectResult = std::variant<SlotFree, SlotRefused, Done, Missing, PatientsFound, SlotsFound, Unreachable>;

struct Turn {
  ConversationState state;
  Reply reply;
  std::optional<Effect> effect;                 // run it, then call resume()
};

/// A kind of appointment callers can book by phone (APPOINTMENT_TYPES).
struct AppointmentType {
  std::string name;
  int minutes = 30;
};

struct FlowContext {
  SysSeconds now;
  const calendar::BusinessCalendar& calendar;
  bool front_desk = false;                      // a FRONT_DESK_NUMBER is configured
  int max_retries = 3;                          // failed tries on one step before giving up
  int max_failures = 6;                         // failed tries in the whole call
  std::vector<AppointmentType> types = {{"standard", 30}};  // the first is the default
};

/// The field the current step is waiting for: the LLM fallback is asked only for this one.
enum class Expecting { name, surname, phone, time, yes_no, nothing };
Expecting expecting(const ConversationState& s);

/// The day the conversation is about (the appointment being read back, the offered day): a time
/// said without a date is read on it.
std::optional<date::year_month_day> focus_day(const ConversationState& s, const calendar::BusinessCalendar& cal);

/// First answer of a call. `patients` are those on file for the caller ID (maybe empty).
Turn start_call(const std::string& call_sid, const std::optional<std::string>& caller_id,
                const std::vector<Patient>& patients, const FlowContext& ctx);

/// One caller turn.
Turn advance(const ConversationState& state, const Understood& heard, const FlowContext& ctx);

/// Continues after `effect` ran with `result`.
Turn resume(const ConversationState& state, const Effect& effect, const EffectResult& result, const FlowContext& ctx);

/// Re-asks the current step's question (used when a turn fails before it could be understood).
Turn repeat_question(const ConversationState& state, const FlowContext& ctx);

}  // namespace bella::call
