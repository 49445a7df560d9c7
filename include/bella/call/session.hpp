// ConversationState: everything one call has collected so far, stored as JSON between turns.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>
#include <nlohmann/json_fwd.hpp>

namespace bella::call {

using SysSeconds = std::chrono::sys_seconds;

enum class Step {
  ask_name,          // "May I have your first and last name?" (or "who am I speaking with?")
  ask_last_name,     // only a given name was heard: "Thanks, Manuel. And your last name?"
  offer_caller_id,   // "Is the number you're calling from, ending in …, the best one?"
  ask_mobile,        // "What's the best mobile number to reach you?"
  ask_time,          // "What day and time would you like?" (also the new time of a move)
  offer_slot,        // we offered free times; waiting for a pick, yes/no, "later", "another day"
  confirm,           // read-back of a booking or a move; "Shall I book it?"
  ask_change,        // "What would you like to change?"
  booked,            // done; the call ends
  ended,             // gave up politely, declined, or transferred
  ask_lookup_mobile, // cancel/move/look-up without a usable caller ID: "What number is it under?"
  ask_who,           // several patients on the number: "Who is the appointment for?"
  pick_appointment,  // several upcoming appointments: "Which one?"
  confirm_cancel,    // "Shall I cancel Friday, December 18 at 9 AM?"
  ask_go_on,         // "Is there anything else I can help you with?"
};

const char* to_string(Step s) noexcept;
std::optional<Step> parse_step(std::string_view s) noexcept;

/// What the caller is here for.
enum class Purpose { book, cancel, reschedule, look_up };
const char* to_string(Purpose t) noexcept;

/// A patient on the caller's number (a household may have several).
struct KnownPatient {
  std::int64_t id = 0;
  std::string name;
};

/// An upcoming appointment of a patient on the caller's number.
struct KnownAppointment {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string patient_name;
  SysSeconds start{};
  int minutes = 30;
};

struct ConversationState {
  std::string call_sid;
  Step step = Step::ask_name;
  Purpose task = Purpose::book;
  std::optional<std::string> name;
  std::optional<std::string> mobile;        // E.164
  std::optional<std::string> caller_id;     // the caller's From, when it is a valid NANP number
  std::optional<std::int64_t> patient_id;   // the patient on file the call is about
  std::vector<KnownPatient> household;      // patients on the caller's number (looked up)
  bool looked_up = false;                   // household/upcoming hold a fresh lookup
  std::vector<KnownAppointment> upcoming;   // their upcoming appointments (looked up)
  std::optional<std::int64_t> target;       // the appointment being cancelled or moved
  std::optional<SysSeconds> start;          // chosen start time (UTC)
  std::optional<date::year_month_day> day;  // a date without a time yet (clinic-local)
  std::vector<SysSeconds> offered;          // times we offered in offer_slot
  int duration_minutes = 30;
  std::string type = "standard";            // the appointment type (APPOINTMENT_TYPES)
  int retries = 0;                          // failed tries at the current step
  int failures = 0;                         // failed tries in the whole call
  int turn = 0;                             // collect turns answered so far
  bool returning = false;                   // recognised by caller ID
  bool caller_id_offered = false;           // asked once whether From is the best number
  bool last_name_asked = false;             // asked once for the surname after a lone given name
  int save_failures = 0;                    // infrastructure failures while saving (never ends the call)
  std::optional<std::int64_t> appointment_id;
  SysSeconds created_at{};
};

nlohmann::json to_json(const ConversationState& s);
/// Throws nlohmann::json::exception or std::invalid_argument on a malformed document (an old
/// session shape included): the caller restarts the step.
ConversationState state_from_json(const nlohmann::json& j);

}  // namespace bella::call
