// Every sentence the caller hears, in one table per language (English today). The flow says
// WHAT to say as a prompt id with parameters; render() turns it into words. No spoken sentence
// lives anywhere else (flow.cpp, turn.cpp and twilio/routes.cpp use ids).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/tz.h>

namespace bella::call {

enum class PromptId {
  greeting,             // new caller
  welcome_back,         // name: a returning caller with one patient on file
  welcome_household,    // a known number with several patients
  didnt_hear,           // preface: silence
  didnt_catch,          // preface: something was said but not understood
  ask_name,             // attempt
  ask_who_calling,      // attempt: several patients on the number
  ask_last_name,        // name (first), attempt
  offer_caller_id,      // name, digits, attempt
  ask_mobile,           // attempt
  ask_lookup_mobile,    // attempt: the number the appointment is under
  ask_time,             // attempt, task
  ask_time_for_day,     // day
  offer_times,          // times: an answer to "what do you have?" ("Friday I have 9, 10:30 or 2")
  closed_then,          // times
  past_time,            // times
  too_far,              // times
  slot_taken,           // when, times
  no_openings,          // day (optional): nothing free then
  pick_offer,           // times, attempt
  confirm,              // name, when, digits, minutes, attempt
  confirm_move,         // from, when, minutes, attempt
  confirm_again,        // attempt: a read-back reply that was neither yes, no nor a correction
  ask_change,           // attempt
  booked,               // name, when, minutes
  save_failed,          // infrastructure failure while saving: nothing was written, try again
  lookup_failed,        // infrastructure failure while looking: try again
  give_up,              // transfer: yes/no
  transferring,         // a person was asked for and there is a front desk
  no_front_desk,        // a person was asked for and there is none: go on?
  goodbye,              // declined: nothing booked
  goodbye_done,         // after a cancel/look-up, nothing else
  how_can_i_help,       // attempt
  anything_else,        // attempt
  ask_who,              // names, attempt
  no_patient,           // digits: no patient on that number; offer to book
  no_upcoming,          // name: no upcoming appointment; offer to book
  you_have,             // times: upcoming appointments read back
  which_appointment,    // times, attempt
  confirm_cancel,       // when, attempt
  cancelled,            // when
  kept,                 // when: not cancelled
  appointment_gone,     // the appointment is no longer there
  moved,                // when, minutes
  length_set,           // minutes
  length_not_offered,   // minutes, lengths
  trouble_on_our_side,  // the webhook failed before a turn could run
  say_again,            // the turn could not run: please say it again
  thanks_name,          // name (first): another person on a known phone gave their name
};

const char* to_string(PromptId id) noexcept;

struct PromptArgs {
  std::string name;                          // a full or first name, as the prompt needs
  std::optional<date::local_seconds> when;   // clinic-local
  std::optional<date::local_seconds> from;   // the old time of a move
  std::vector<date::local_seconds> times;    // offers or appointments, in order
  std::optional<date::year_month_day> day;
  std::string digits;                        // the last four digits of a number
  std::vector<std::string> names;            // patients on a number
  std::vector<int> lengths;                  // bookable lengths in minutes
  int minutes = 0;
  int attempt = 0;                           // 0 = first ask; re-asks are worded differently
  bool flag = false;                         // give_up: transferring; ask_time: a move
};

struct Prompt {
  PromptId id;
  PromptArgs args = {};
};

namespace prompts {

/// The English sentence for `p`.
std::string render(const Prompt& p);

/// "Tuesday, March 3 at 3:30 PM" / "Wednesday, March 4 at 9 AM".
std::string when(date::local_seconds t);
/// "3:30 PM" / "9 AM".
std::string clock(date::local_seconds t);
/// "Thursday, March 5".
std::string day(date::year_month_day d);
/// "Friday I have 9, 10:30 or 2" style list (days named only when they differ).
std::string compact_times(const std::vector<date::local_seconds>& times);
/// "0 1 2 3": the last four digits, spaced so the voice reads them one by one.
std::string last_four(std::string_view e164);
/// The first word of a name, for a friendlier address.
std::string first_name(std::string_view full_name);

// Texts (SMS) to patients. Each fits in one 160-character GSM-7 segment for a clinic name and
// phone of ordinary length; plain ASCII only (no curly quotes, which would force UCS-2).
/// "Tue Mar 5, 10 AM": the short form of a local time, for texts.
std::string text_when(date::local_seconds t);
std::string text_confirmation(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone);
std::string text_rescheduled(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone);
std::string text_cancelled(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone);
std::string text_reminder(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone);
/// The answer to HELP.
std::string text_help(std::string_view clinic, std::string_view clinic_phone);
/// The answer to any other reply: this number does not read texts.
std::string text_unread_reply(std::string_view clinic, std::string_view clinic_phone);

enum class Hints { none, name, phone, time, yes_no, offer, intent };
/// Speech hints (not spoken) for a kind of answer.
std::string hints(Hints h);

}  // namespace prompts
}  // namespace bella::call
