// The words Bella speaks. Keep sentences short: callers hear them once, over a phone line.
#include "bella/call/prompts.hpp"

#include <algorithm>
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
  if (!d.ok()) return "that day";
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

namespace {

/// "9", "10:30", "2", "noon": an offer within opening hours needs no AM/PM.
std::string short_clock(date::local_seconds t) {
  auto day_start = date::floor<date::days>(t);
  date::hh_mm_ss hms{std::chrono::duration_cast<std::chrono::minutes>(t - day_start)};
  int h = static_cast<int>(hms.hours().count());
  int m = static_cast<int>(hms.minutes().count());
  if (h == 12 && m == 0) return "noon";
  int h12 = h % 12 == 0 ? 12 : h % 12;
  return m == 0 ? fmt::format("{}", h12) : fmt::format("{}:{:02}", h12, m);
}

std::string join_or(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " or " : ", ";
    out += parts[i];
  }
  return out;
}

std::string join_and(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

date::year_month_day day_of(date::local_seconds t) { return date::year_month_day{date::floor<date::days>(t)}; }

std::string length(int minutes) {
  if (minutes == 60) return "one hour";
  if (minutes > 60 && minutes % 60 == 0) return fmt::format("{} hours", minutes / 60);
  if (minutes == 90) return "an hour and a half";
  return fmt::format("{} minutes", minutes);
}

std::string lengths(const std::vector<int>& ms) {
  std::vector<std::string> parts;
  for (int m : ms) parts.push_back(length(m));
  return join_or(parts);
}

std::string appointments(const std::vector<date::local_seconds>& times) {
  std::vector<std::string> parts;
  for (auto t : times) parts.push_back(when(t));
  return join_and(parts);
}

/// Re-asks differ from the first ask and from each other; a silence is told apart from a no-match
/// by the preface (didnt_hear / didnt_catch) the flow puts before them.
template <std::size_t N>
const char* nth(const std::array<const char*, N>& variants, int attempt) {
  return variants[static_cast<std::size_t>(std::clamp(attempt, 0, static_cast<int>(N) - 1))];
}

}  // namespace

std::string compact_times(const std::vector<date::local_seconds>& times) {
  if (times.empty()) return {};
  bool one_day = true;
  for (auto t : times) one_day = one_day && day_of(t) == day_of(times.front());
  std::vector<std::string> parts;
  if (one_day) {
    for (auto t : times) parts.push_back(short_clock(t));
    return fmt::format("{} I have {}", day(day_of(times.front())), join_or(parts));
  }
  for (auto t : times) parts.push_back(fmt::format("{} at {}", day(day_of(t)), short_clock(t)));
  return fmt::format("I have {}", join_or(parts));
}

}  // namespace bella::call::prompts

namespace bella::call {

const char* to_string(PromptId id) noexcept {
  switch (id) {
#define BELLA_PROMPT(x) \
  case PromptId::x: return #x;
    BELLA_PROMPT(greeting) BELLA_PROMPT(welcome_back) BELLA_PROMPT(welcome_household) BELLA_PROMPT(didnt_hear)
    BELLA_PROMPT(didnt_catch) BELLA_PROMPT(ask_name) BELLA_PROMPT(ask_who_calling) BELLA_PROMPT(ask_last_name)
    BELLA_PROMPT(offer_caller_id) BELLA_PROMPT(ask_mobile) BELLA_PROMPT(ask_lookup_mobile) BELLA_PROMPT(ask_time)
    BELLA_PROMPT(ask_time_for_day) BELLA_PROMPT(offer_times) BELLA_PROMPT(closed_then) BELLA_PROMPT(past_time)
    BELLA_PROMPT(too_far) BELLA_PROMPT(slot_taken) BELLA_PROMPT(no_openings) BELLA_PROMPT(pick_offer)
    BELLA_PROMPT(confirm) BELLA_PROMPT(confirm_move) BELLA_PROMPT(confirm_again) BELLA_PROMPT(ask_change)
    BELLA_PROMPT(booked) BELLA_PROMPT(save_failed) BELLA_PROMPT(lookup_failed) BELLA_PROMPT(give_up)
    BELLA_PROMPT(transferring) BELLA_PROMPT(no_front_desk) BELLA_PROMPT(goodbye) BELLA_PROMPT(goodbye_done)
    BELLA_PROMPT(how_can_i_help) BELLA_PROMPT(anything_else) BELLA_PROMPT(ask_who) BELLA_PROMPT(no_patient)
    BELLA_PROMPT(no_upcoming) BELLA_PROMPT(you_have) BELLA_PROMPT(which_appointment) BELLA_PROMPT(confirm_cancel)
    BELLA_PROMPT(cancelled) BELLA_PROMPT(kept) BELLA_PROMPT(appointment_gone) BELLA_PROMPT(moved)
    BELLA_PROMPT(length_set) BELLA_PROMPT(length_not_offered) BELLA_PROMPT(trouble_on_our_side)
    BELLA_PROMPT(say_again) BELLA_PROMPT(thanks_name)
#undef BELLA_PROMPT
  }
  return "say_again";
}

}  // namespace bella::call

namespace bella::call::prompts {

// The English table.
std::string render(const Prompt& p) {
  const PromptArgs& a = p.args;
  const int n = a.attempt;
  const auto at = [&] { return when(a.when.value_or(date::local_seconds{})); };
  switch (p.id) {
    case PromptId::greeting:
      return "Hello, thanks for calling. I can book, move, cancel or check an appointment for you.";
    case PromptId::welcome_back: return fmt::format("Welcome back, {}! I can book your next appointment.", a.name);
    case PromptId::welcome_household: return "Hello, thanks for calling, and welcome back.";
    case PromptId::didnt_hear: return "Sorry, I didn't hear anything.";
    case PromptId::didnt_catch: return "Sorry, I didn't catch that.";
    case PromptId::ask_name:
      return nth(std::array{"May I have your first and last name?",
                            "Could you say your first and last name?",
                            "Let's try once more: please say just your first and last name, for example, Sarah "
                            "Johnson."},
                 n);
    case PromptId::ask_who_calling:
      return nth(std::array{"Who am I speaking with? Please say your first and last name.",
                            "Could you tell me your first and last name?",
                            "Please say just your first and last name, for example, Sarah Johnson."},
                 n);
    case PromptId::ask_last_name:
      if (n == 0) return fmt::format("Thanks, {}. And your last name?", a.name);
      return "What's your last name? You can spell it if that's easier.";
    case PromptId::offer_caller_id:
      if (n == 0)
        return fmt::format("Thanks, {}. Is the number you're calling from, ending in {}, the best one to reach you?",
                           a.name, a.digits);
      return fmt::format(
          "Was that a yes or a no? Is the number ending in {} the best one to reach you? You can also press 1 for "
          "yes, 2 for no.",
          a.digits);
    case PromptId::ask_mobile:
      return nth(std::array{"What's the best mobile number to reach you? You can say it or type it.",
                            "Please say your 10-digit mobile number, starting with the area code, or type it on "
                            "your keypad and press pound.",
                            "Please type your 10-digit mobile number on the keypad, then press the pound key. Or say "
                            "it slowly, digit by digit."},
                 n);
    case PromptId::ask_lookup_mobile:
      return nth(std::array{"What phone number is the appointment under? You can say it or type it.",
                            "Please say the 10-digit phone number the appointment is under, or type it and press "
                            "pound.",
                            "Please type the 10-digit phone number on the keypad, then press the pound key."},
                 n);
    case PromptId::ask_time:
      if (a.flag && n == 0) return "What day and time would you like instead?";
      return nth(std::array{"What day and time would you like to come in?",
                            "Which day, and what time? For example, tomorrow at 10 AM.",
                            "Please say a day and a time, like Monday at 2 PM. You can also ask what's the earliest."},
                 n);
    case PromptId::ask_time_for_day:
      return fmt::format("What time on {} works for you?", day(a.day.value_or(date::year_month_day{})));
    case PromptId::offer_times: return fmt::format("{}. Which would you like?", compact_times(a.times));
    case PromptId::closed_then:
      return fmt::format("We're closed then. {}. Which would you like?", compact_times(a.times));
    case PromptId::past_time:
      return fmt::format("That time has already passed. {}. Which would you like?", compact_times(a.times));
    case PromptId::too_far:
      return fmt::format("I can only book up to two weeks ahead. {}. Which would you like?", compact_times(a.times));
    case PromptId::slot_taken:
      if (a.times.empty()) return fmt::format("Sorry, {} is already taken.", at());
      return fmt::format("Sorry, {} is already taken. {}. Which would you like?", at(), compact_times(a.times));
    case PromptId::no_openings:
      if (a.day) return fmt::format("I'm sorry, I have nothing free on {}.", day(*a.day));
      return "I'm sorry, I couldn't find an opening then.";
    case PromptId::pick_offer:
      if (a.times.size() == 1)
        return n == 0 ? fmt::format("Would {} work for you?", when(a.times.front()))
                      : fmt::format("Should I take {}? Say yes or no, or press 1 for yes, 2 for no.",
                                    when(a.times.front()));
      return n == 0 ? fmt::format("{}. Which would you like? Or say another day and time.", compact_times(a.times))
                    : fmt::format("You can say the first one, the second one, a time, later, or another day. {}.",
                                  compact_times(a.times));
    case PromptId::confirm:
      if (n > 0) return "Should I book it? Please say yes or no, or press 1 for yes, 2 for no.";
      return fmt::format("{}, {}, for {}, and we'll reach you at the number ending in {}. Shall I book it?", a.name, at(),
                         length(a.minutes), a.digits);
    case PromptId::confirm_move:
      if (n > 0) return "Should I move it? Please say yes or no, or press 1 for yes, 2 for no.";
      return fmt::format("I'll move your appointment from {} to {}, for {}. Shall I go ahead?",
                         when(a.from.value_or(date::local_seconds{})), at(), length(a.minutes));
    case PromptId::confirm_again:
      return nth(std::array{"Sorry, I need a yes or a no. Shall I go ahead? You can also press 1 for yes, 2 for no.",
                            "Please say yes to go ahead, or no to change something. Or press 1 for yes, 2 for no."},
                 n);
    case PromptId::ask_change:
      if (n == 0) return "No problem. What would you like to change: the name, the number, or the time?";
      return "Which should I change: the name, the number, or the time? You can also just say the new one.";
    case PromptId::booked:
      return fmt::format("You're all set, {}. Your appointment is on {}, for {}. We'll see you then. Goodbye!",
                         a.name, at(), length(a.minutes));
    case PromptId::save_failed:
      return "I'm sorry, I couldn't save that yet: our system is busy for a moment. Nothing has been booked or "
             "changed. Shall I try again?";
    case PromptId::lookup_failed:
      return "I'm sorry, I can't look that up just now: our system is busy for a moment. Shall I try again?";
    case PromptId::give_up:
      if (a.flag) return "I'm sorry, I'm having trouble understanding. Let me connect you with our front desk.";
      return "I'm sorry, I'm having trouble understanding. Please call back later, or contact the clinic directly. "
             "Goodbye.";
    case PromptId::transferring: return "Of course. Let me connect you with our front desk.";
    case PromptId::no_front_desk:
      return "I'm sorry, there's no one I can transfer you to right now. I can still book, move, cancel or check an "
             "appointment for you.";
    case PromptId::goodbye: return "No problem, nothing has been booked. Thanks for calling. Goodbye!";
    case PromptId::goodbye_done: return "Thanks for calling. Goodbye!";
    case PromptId::how_can_i_help:
      return nth(std::array{"How can I help you? I can book, move, cancel or check an appointment.",
                            "Would you like to book, move, cancel or check an appointment?"},
                 n);
    case PromptId::anything_else:
      return nth(std::array{"Is there anything else I can help you with?",
                            "Anything else? Say yes or no, or press 1 for yes, 2 for no."},
                 n);
    case PromptId::ask_who:
      if (n == 0) return "Who is the appointment for?";
      return fmt::format("Who is the appointment for: {}?", join_or(a.names));
    case PromptId::no_patient:
      return fmt::format("I don't see any patient with the number ending in {}. Would you like to book an "
                         "appointment?",
                         a.digits);
    case PromptId::no_upcoming:
      return fmt::format("I don't see any upcoming appointment for {}. Would you like to book one?", a.name);
    case PromptId::you_have: return fmt::format("You have {}.", appointments(a.times));
    case PromptId::which_appointment:
      if (n == 0) return "Which one? You can say the first one, the second one, or the day.";
      return fmt::format("Which appointment: {}? Say the first one, the second one, or the day.",
                         appointments(a.times));
    case PromptId::confirm_cancel:
      if (n == 0) return fmt::format("Shall I cancel your appointment on {}?", at());
      return fmt::format("Should I cancel {}? Say yes or no, or press 1 for yes, 2 for no.", at());
    case PromptId::cancelled: return fmt::format("Done: your appointment on {} is cancelled.", at());
    case PromptId::kept: return fmt::format("Okay, I've kept your appointment on {}.", at());
    case PromptId::appointment_gone: return "I'm sorry, I can't find that appointment any more.";
    case PromptId::moved:
      return fmt::format("Done: your appointment is now on {}, for {}.", at(), length(a.minutes));
    case PromptId::thanks_name: return fmt::format("Thanks, {}.", a.name);
    case PromptId::length_set: return fmt::format("Okay, an appointment of {}.", length(a.minutes));
    case PromptId::length_not_offered:
      return fmt::format("I'm sorry, I can't book {} by phone; I can book {}.", length(a.minutes), lengths(a.lengths));
    case PromptId::trouble_on_our_side:
      return "I'm sorry, we're having a problem on our side. Please call back in a few minutes.";
    case PromptId::say_again: return "I'm sorry, could you say that again?";
  }
  return "I'm sorry, could you say that again?";
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

std::string hints(Hints h) {
  switch (h) {
    case Hints::none: return {};
    case Hints::name: return "my name is, this is, it's, spelled";
    case Hints::phone: return "area code, oh, double, triple, this number, the number I'm calling from";
    case Hints::time:
      return "today, tomorrow, Monday, Tuesday, Wednesday, Thursday, Friday, next week, morning, afternoon, AM, PM, "
             "noon, half past, quarter to, earliest, an hour";
    case Hints::yes_no: return "yes, no, that's right, correct, change the time, change the number";
    case Hints::offer: return "the first one, the second one, the last one, later, another day, yes, no";
    case Hints::intent: return "book, cancel, reschedule, move, when is my appointment, earliest, someone";
  }
  return {};
}

}  // namespace bella::call::prompts
