// Every sentence the caller hears, in one place, so wording (and later French) changes here only.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <date/tz.h>

namespace bella::call::prompts {

/// "Tuesday, March 3 at 3:30 PM" / "Wednesday, March 4 at 9 AM".
std::string when(date::local_seconds t);
/// "3:30 PM" / "9 AM".
std::string clock(date::local_seconds t);
/// "Thursday, March 5".
std::string day(date::year_month_day d);
/// "0 1 2 3": the last four digits, spaced so the voice reads them one by one.
std::string last_four(std::string_view e164);
/// The first word of a name, for a friendlier address.
std::string first_name(std::string_view full_name);

std::string greeting();
std::string welcome_back(std::string_view first);
std::string didnt_hear();

std::string ask_name(int attempt);
std::string ask_last_name(std::string_view first, int attempt);
std::string offer_caller_id(std::string_view first, std::string_view e164, int attempt);
std::string ask_mobile(int attempt);
std::string ask_mobile_keypad();
std::string ask_time(int attempt);
std::string ask_time_for_day(date::year_month_day d);
std::string closed_then(date::local_seconds next_opening);
std::string past_time(date::local_seconds next_opening);
std::string no_opening_soon();
std::string slot_taken(date::local_seconds wanted, const std::vector<date::local_seconds>& alternatives);
std::string pick_offer(const std::vector<date::local_seconds>& offered, int attempt);
std::string confirm(std::string_view name, date::local_seconds start, std::string_view e164, int attempt);
std::string ask_change(int attempt);
std::string booked(std::string_view first, date::local_seconds start);
std::string booking_failed();
std::string give_up(bool transferring);

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

std::string hints_for_name();
std::string hints_for_phone();
std::string hints_for_time();
std::string hints_for_yes_no();

}  // namespace bella::call::prompts
