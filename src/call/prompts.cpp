// The words Bella speaks. Keep sentences short: callers hear them once, over a phone line.
#include "bella/call/prompts.hpp"

#include <array>

#include <fmt/format.h>

namespace bella::call::prompts {
namespace {

template <std::size_t N>
const std::string& pick(const std::array<std::string, N>& variants, int attempt) {
  return variants[static_cast<std::size_t>(std::clamp(attempt, 0, static_cast<int>(N) - 1))];
}

constexpr const char* kWeekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

}  // namespace

std::string clock(date::local_seconds t) {
  auto day_start = date::floor<date::days>(t);
  date::hh_mm_ss hms{std::chrono::duration_cast<std::chrono::minutes>(t - day_start)};
  int h = static_cast<int>(hms.hours().count());
  int m = static_cast<int>(hms.minutes().count());
  if (h == 12 && m == 0) return "noon";
  const char* suffix = h < 12 ? "AM" : "PM";
  int h12 = h % 12 == 0 ? 12 : h % 12;
  return m == 0 ? fmt::format("{} {}", h12, suffix) : fmt::format("{}:{:02} {}", h12, m, suffix);
}

std::string day(date::year_month_day d) {
  date::weekday wd{date::sys_days{d}};
  return fmt::format("{}, {} {}", kWeekdays[wd.c_encoding()], kMonths[static_cast<unsigned>(d.month()) - 1],
                     static_cast<unsigned>(d.day()));
}

std::string when(date::local_seconds t) {
  date::year_month_day d{date::floor<date::days>(t)};
  return fmt::format("{} at {}", day(d), clock(t));
}

std::string last_four(std::string_view e164) {
  std::string out;
  auto tail = e164.size() >= 4 ? e164.substr(e164.size() - 4) : e164;
  for (char c : tail) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(c);
  }
  return out;
}

std::string first_name(std::string_view full_name) {
  auto sp = full_name.find(' ');
  return std::string(full_name.substr(0, sp));
}

std::string greeting() { return "Hello, thanks for calling. I can book an appointment for you."; }
std::string welcome_back(std::string_view first) {
  return fmt::format("Welcome back, {}! I can book your next appointment.", first);
}
std::string didnt_hear() { return "Sorry, I didn't hear anything."; }

std::string ask_name(int attempt) {
  static const std::array<std::string, 3> v = {
      "May I have your first and last name?",
      "Sorry, I didn't catch your name. Could you say your first and last name?",
      "Let's try once more: please say just your first and last name, for example, Sarah Johnson.",
  };
  return pick(v, attempt);
}

std::string ask_last_name(std::string_view first, int attempt) {
  if (attempt == 0) return fmt::format("Thanks, {}. And your last name?", first);
  return "Sorry, what's your last name? You can spell it if that's easier.";
}

std::string offer_caller_id(std::string_view first, std::string_view e164, int attempt) {
  if (attempt == 0)
    return fmt::format("Thanks, {}. Is the number you're calling from, ending in {}, the best one to reach you?", first,
                       last_four(e164));
  return fmt::format("Sorry, was that a yes or a no? Is the number ending in {} the best one to reach you?",
                     last_four(e164));
}

std::string ask_mobile(int attempt) {
  static const std::array<std::string, 3> v = {
      "What's the best mobile number to reach you?",
      "Sorry, I didn't get that number. Please say your 10-digit mobile number, starting with the area code.",
      "Please say the number slowly, digit by digit, for example: 4 0 3, 5 5 5, 0 1 2 3.",
  };
  return pick(v, attempt);
}

std::string ask_mobile_keypad() {
  return "Let's try the keypad. Please type your 10-digit mobile number, then press the pound key.";
}

std::string ask_time(int attempt) {
  static const std::array<std::string, 3> v = {
      "What day and time would you like to come in?",
      "Sorry, I didn't catch the time. Which day, and what time? For example, tomorrow at 10 AM.",
      "Please say a day and a time, like Monday at 2 PM.",
  };
  return pick(v, attempt);
}

std::string ask_time_for_day(date::year_month_day d) { return fmt::format("What time on {} works for you?", day(d)); }

std::string closed_then(date::local_seconds next_opening) {
  return fmt::format("We're closed then; the next opening is {}. Does that work?", when(next_opening));
}

std::string past_time(date::local_seconds next_opening) {
  return fmt::format("That time has already passed; the next opening is {}. Does that work?", when(next_opening));
}

std::string no_opening_soon() { return "I'm sorry, I couldn't find an opening in the next two weeks."; }

namespace {
std::string list_times(const std::vector<date::local_seconds>& times, bool with_day) {
  std::string out;
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (i > 0) out += i + 1 == times.size() ? " or " : ", ";
    out += with_day ? when(times[i]) : clock(times[i]);
  }
  return out;
}
bool same_day(const std::vector<date::local_seconds>& times, date::local_seconds ref) {
  for (auto t : times)
    if (date::floor<date::days>(t) != date::floor<date::days>(ref)) return false;
  return true;
}
}  // namespace

std::string slot_taken(date::local_seconds wanted, const std::vector<date::local_seconds>& alternatives) {
  if (alternatives.empty()) return fmt::format("Sorry, {} is already taken.", when(wanted));
  const bool today = same_day(alternatives, wanted);
  return fmt::format("Sorry, {} is already taken. The nearest openings are {}{}. Which would you like?", when(wanted),
                     list_times(alternatives, !today), today ? " that day" : "");
}

std::string pick_offer(const std::vector<date::local_seconds>& offered, int attempt) {
  if (offered.size() == 1)
    return attempt == 0 ? fmt::format("Would {} work for you?", when(offered[0]))
                        : fmt::format("Sorry, should I take {}? Please say yes or no, or another day and time.",
                                      when(offered[0]));
  return fmt::format("Which would you like: {}? Or say another day and time.",
                     list_times(offered, !same_day(offered, offered.front())));
}

std::string confirm(std::string_view name, date::local_seconds start, std::string_view e164, int attempt) {
  if (attempt > 0) return "Sorry, should I book it? Please say yes or no.";
  return fmt::format("{}, {}, and we'll reach you at the number ending in {}. Shall I book it?", name, when(start),
                     last_four(e164));
}

std::string ask_change(int attempt) {
  if (attempt == 0) return "No problem. What would you like to change: the name, the number, or the time?";
  return "Sorry, which should I change: the name, the number, or the time? You can also just say the new one.";
}

std::string booked(std::string_view first, date::local_seconds start) {
  return fmt::format("You're all set, {}. Your appointment is on {}. We'll see you then. Goodbye!", first, when(start));
}

std::string booking_failed() {
  return "I'm sorry, I couldn't save your booking just now. Shall I try again?";
}

std::string give_up(bool transferring) {
  if (transferring) return "I'm sorry, I'm having trouble understanding. Let me connect you with our front desk.";
  return "I'm sorry, I'm having trouble understanding. Please call back later, or contact the clinic directly. Goodbye.";
}

std::string text_when(date::local_seconds t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  date::year_month_day d{date::floor<date::days>(t)};
  date::weekday wd{date::sys_days{d}};
  return fmt::format("{} {} {}, {}", kDays[wd.c_encoding()], kMon[static_cast<unsigned>(d.month()) - 1],
                     static_cast<unsigned>(d.day()), clock(t));
}

std::string text_confirmation(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone) {
  return fmt::format("{}: your appointment is booked for {}. To change or cancel, call {}.", clinic, text_when(start),
                     clinic_phone);
}

std::string text_rescheduled(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone) {
  return fmt::format("{}: your appointment has moved to {}. To change or cancel, call {}.", clinic, text_when(start),
                     clinic_phone);
}

std::string text_cancelled(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone) {
  return fmt::format("{}: your appointment on {} is cancelled. To book again, call {}.", clinic, text_when(start),
                     clinic_phone);
}

std::string text_reminder(std::string_view clinic, date::local_seconds start, std::string_view clinic_phone) {
  return fmt::format("{}: reminder of your appointment on {}. To change or cancel, call {}.", clinic,
                     text_when(start), clinic_phone);
}

std::string text_help(std::string_view clinic, std::string_view clinic_phone) {
  return fmt::format("{}: for appointments call {}. Reply STOP to stop texts, START to resume.", clinic, clinic_phone);
}

std::string text_unread_reply(std::string_view clinic, std::string_view clinic_phone) {
  return fmt::format("{}: replies to this number are not read. To book, change or cancel, call {}.", clinic,
                     clinic_phone);
}

std::string hints_for_name() { return "my name is, this is, it's, spelled"; }
std::string hints_for_phone() { return "area code, oh, double, triple, this number, the number I'm calling from"; }
std::string hints_for_time() {
  return "today, tomorrow, Monday, Tuesday, Wednesday, Thursday, Friday, next week, morning, afternoon, AM, PM, "
         "noon, half past, quarter to";
}
std::string hints_for_yes_no() { return "yes, no, that's right, correct, change the time, change the number"; }

}  // namespace bella::call::prompts
