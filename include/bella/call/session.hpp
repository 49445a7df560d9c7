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
  ask_name,        // "May I have your first and last name?"
  ask_last_name,   // only a given name was heard: "Thanks, Manuel. And your last name?"
  offer_caller_id, // "Is the number you're calling from, ending in …, the best one?"
  ask_mobile,      // "What's the best mobile number to reach you?"
  ask_time,        // "What day and time would you like?"
  offer_slot,      // we proposed other times (closed or taken); waiting for a pick or yes/no
  confirm,         // read-back; "Shall I book it?"
  ask_change,      // "What would you like to change?"
  booked,          // done; the call ends
  ended,           // gave up politely (or transferred)
};

const char* to_string(Step s) noexcept;
std::optional<Step> parse_step(std::string_view s) noexcept;

struct ConversationState {
  std::string call_sid;
  Step step = Step::ask_name;
  std::optional<std::string> name;
  std::optional<std::string> mobile;        // E.164
  std::optional<std::string> caller_id;     // the caller's From, when it is a valid NANP number
  std::optional<SysSeconds> start;          // chosen start time (UTC)
  std::optional<date::year_month_day> day;  // a date without a time yet (clinic-local)
  std::vector<SysSeconds> offered;          // times we proposed in offer_slot
  int duration_minutes = 30;
  int retries = 0;                          // failed tries at the current step
  int turn = 0;                             // collect turns answered so far
  bool returning = false;                   // recognised by caller ID
  bool keypad = false;                      // ask_mobile switched to keypad entry
  bool caller_id_offered = false;           // asked once whether From is the best number
  bool last_name_asked = false;             // asked once for the surname after a lone given name
  int booking_failures = 0;                 // infrastructure failures while booking
  std::optional<std::int64_t> appointment_id;
  SysSeconds created_at{};
};

nlohmann::json to_json(const ConversationState& s);
/// Throws nlohmann::json::exception or std::invalid_argument on a malformed document.
ConversationState state_from_json(const nlohmann::json& j);

}  // namespace bella::call
