// Deterministic extractors: caller speech -> date/time, phone (E.164), name, yes/no. Pure, no I/O.
//
// Date/time conventions (extract_datetime), all resolved in the clinic's zone against ctx.now:
//  * "today", "tonight", "tomorrow", "the day after tomorrow", "now"/"right now" (= now).
//  * A bare weekday ("friday", "this friday", "coming friday", "on friday") is its next
//    occurrence strictly after today: said on a Tuesday, "tuesday" means the Tuesday a week on
//    (a caller who means today says "today").
//  * "next <weekday>" / "<weekday> next week" / "<weekday> of next week" is that weekday in the
//    following Monday-to-Sunday week: on Tuesday 12 Feb, "next wednesday" is Wed 20 Feb and
//    "next tuesday" is Tue 19 Feb. "<weekday> of this week" is the day in the current week.
//  * "N <weekday>s from now" is the N-th occurrence strictly after today; "<weekday> after next"
//    the second one ("friday after next" on Tuesday 12 Feb is Fri 22 Feb).
//  * "last/first/second/third/fourth <weekday> of <month> [year]": that day of the month.
//  * Month + day ("march 3", "the 3rd of march", "3 march", numeric "3/15" read month/day, or
//    day/month when the first number cannot be a month): the next such date on or after today;
//    with a year, that year (past -> nothing). "the 15th" alone: this month if not past, else next.
//  * Clock times: "3pm", "3:30", "three thirty", "half past two", "quarter to five", "twenty
//    after 3", "noon"/"midday", "midnight" (00:00 of the next day), military "15:15", "1030".
//    A bare hour without am/pm takes the business-hours reading: the one of h and h+12 that falls
//    inside the calendar's opening hours that day (any open day if that day is closed); if neither
//    does, 7-11 read as morning, 12 as noon and 1-6 as afternoon/evening. A part of day
//    ("tonight", "in the evening", "morning") picks the meridiem instead.
//  * A time with no date is today; if already past it rolls to the next day ("at 3am" said at
//    04:30 is tomorrow 03:00). A past time is never returned: a date or date+time that is
//    already past (e.g. "today at 9" said at 10) returns nothing.
//  * Relative offsets: "in 2 hours", "in 15 minutes", "half an hour from now", "in 2.5 hours" ->
//    exact local time (elapsed time, so DST-correct: 8 hours after 20:00 on the spring-forward
//    night is 05:00); "in 3 days", "in a week", "a week from today", "2 days later" -> the date;
//    "3 days after easter", "a week after tomorrow", "15 minutes from 1pm" shift the other
//    expression. Quantities may be fractional in words: "an hour and a half", "two and a half
//    hours", "three quarters of an hour"; "a fortnight" is 14 days.
//  * British "friday week" is the Friday a week after the next one ("a week from friday").
//  * Underspecified spans ("next week", "in March", "next month") give nothing: the call asks.
//    A range of hours ("between 2 and 3", "from 9 to 10") gives its start. A written "1030" is a
//    time only with a cue: "at", am/pm, a part of day, or a day word next to it ("1230 friday").
//  * A part of day without a clock time ("tomorrow afternoon", "tonight") gives the date only.
//  * Named days: Christmas, Christmas Eve, Boxing Day, New Year's Eve/Day, Valentine's Day,
//    Halloween, Easter, Good Friday, Canada Day, Victoria Day, Family Day, Labour Day,
//    Thanksgiving (Canadian), Remembrance Day, Civic/Heritage Day (1st Mon Aug), Mother's Day,
//    Father's Day: next occurrence on or after today.
//  * Words order freely ("at 2 on friday", "friday at 2"); invalid calendar dates ("june 31",
//    "25:12") give nothing.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <date/date.h>

#include "bella/calendar/calendar.hpp"

namespace bella::understand {

/// "Now" and the calendar (zone = calendar->zone(); opening hours for the bare-hour rule).
struct TimeContext {
  std::chrono::sys_seconds now;
  const calendar::BusinessCalendar* calendar;
  /// The day the conversation is about (e.g. the day of the appointment being read back). A time
  /// said without a date is read on this day instead of today ("make it 3" keeps the date); the
  /// bare-hour rule uses this day's opening hours. Absent: today.
  std::optional<date::year_month_day> focus_day = std::nullopt;
};

struct DateOnly {
  date::year_month_day day;
};
inline bool operator==(const DateOnly& a, const DateOnly& b) { return a.day == b.day; }

/// A local start time in the clinic's zone, or a date alone (the call then asks for a time).
using When = std::variant<date::local_seconds, DateOnly>;

enum class PartOfDay { morning, afternoon, evening, night };

/// Which parts of a date/time the caller actually said; the rest was filled in by the rules above
/// (a time alone is read on the focus day or today; a date alone has no time).
struct Said {
  bool date = false;         // a day: "friday", "the 15th", "tomorrow", "today", "christmas"
  bool time = false;         // a clock time: "3 pm", "noon", "half past two", "in 2 hours"
  bool part_of_day = false;  // "morning", "tonight", "in the afternoon"
  bool approximate = false;  // "around 7", "noonish", "about 3"
  bool range = false;        // "from 9 to 10": `when` is the start
};

/// An underspecified span ("next week", "in March", "this weekend"): days [first, first + days).
struct Span {
  date::year_month_day first;
  int days = 1;
};

/// Everything the date/time grammar heard in one utterance, resolved once against ctx.now.
struct HeardTime {
  std::optional<When> when;            // a day, or a day and a time; absent when only a span was said
  Said said;
  std::optional<PartOfDay> part;       // the part of day said, if any
  std::optional<Span> span;            // set when no single day was said but a span was
  bool past = false;                   // `when` is before ctx.now; returned so the call can say so
  bool weekday_mismatch = false;       // "Monday the 14th" when the 14th is not a Monday: the date won
  std::string_view rule;               // the rule that produced it (static storage), for --explain
  std::string_view date_rule;          // the rule that produced the day, when a day was said
  bool dst_gap = false;                // the time said does not exist (spring forward): `when` is the
                                       // first valid minute after it
};

/// The date/time in `text`, or nothing when no date, time or span was said. Unlike
/// extract_datetime, a past time is returned with `past` set.
std::optional<HeardTime> hear_datetime(std::string_view text, const TimeContext& ctx);

/// See the conventions above. Never returns a past time: hear_datetime(...).when unless past.
std::optional<When> extract_datetime(std::string_view text, const TimeContext& ctx);

/// A written number ("403-555-0123", "+1 403 555 0123", "(403) 555 0123", "4035550123") ->
/// E.164 if it is a valid NANP number: NPA and NXX start 2-9 and are not N11, and the area code
/// is in service (libphonenumber region CA/US, or the dated table below for codes newer than the
/// installed libphonenumber metadata). Other countries, wrong lengths -> nothing.
std::optional<std::string> normalize_phone(std::string_view text);

/// Speech -> E.164. Digits spoken or written in any grouping ("four oh three, triple five, oh one
/// twenty three", "area code 403 ...", leading "one"/"plus one"); a correction ("..., no sorry,
/// 0124") replaces the digits it repeats; an extension is dropped; the first valid number wins.
/// With no digits at all but "this number"/"the one I'm calling from": normalize_phone(caller_from).
std::optional<std::string> extract_phone(std::string_view text, std::string_view caller_from = {});

/// True when the caller refers to the number they are calling from.
bool wants_callers_number(std::string_view text);

/// True when `npa` is in the dated table of in-service NANP area codes (Canada + toll-free).
bool npa_in_service_table(int npa);

/// The caller's own name, "First Last" properly cased, or nothing. Carrier phrases ("my name
/// is", "this is", "it's", "I'm", "call me", ...), fillers, titles, suffixes, nicknames in
/// parentheses and spelled-out letters are removed; "Last, First" and "last name X, first name
/// Y" are reordered. Case: words typed in mixed case keep it; all-lower/all-upper words are
/// capitalised per part (hyphen, O'/D' apostrophe, Mc, and Mac for common Mac- surnames);
/// particles (van, der, de, la, da, dos, du, von, ben, bin, al) stay lower case inside a name.
/// A third party ("could I talk to Tyrone King") or a non-name sentence gives nothing; a lone
/// bare word gives nothing (too easily "okay"), a lone given name after a carrier is kept.
std::optional<std::string> extract_name(std::string_view text);

/// A name and the evidence behind it, so the call can confirm a weak one.
struct HeardName {
  std::string full;          // "First Last" as extract_name cases it; a given name alone when given_only
  bool given_only = false;   // only a given name was heard: the call asks for the surname
  bool carrier = false;      // a carrier phrase supported it ("my name is", "this is", "it's")
  bool spelled = false;      // letters were spelled out ("J O H N S O N")
  std::string_view rule;     // the rule that produced it (static storage), for --explain
};
/// extract_name with its evidence.
std::optional<HeardName> hear_name(std::string_view text);

/// The answer to "and your last name?" after a lone given name: "Garcia", "it's Garcia", "my last
/// name is de la Cruz", "Garcia, G-A-R-C-I-A", "G-A-R-C-I-A" -> the surname, cased as extract_name
/// cases a name (a particle that starts it stays lower case). 1-3 words; a sentence, a yes/no or
/// a time gives nothing.
std::optional<std::string> extract_surname(std::string_view text);

/// Validation of a candidate name (e.g. LLM output): 1-6 words of letters with inner hyphens or
/// apostrophes, not a common non-name word.
bool looks_like_name(std::string_view candidate);

enum class YesNo { yes, no };
struct Confirmation {
  YesNo answer;
  std::string rest;  // what follows the yes/no ("nope, make it Thursday" -> "make it Thursday")
};
/// "yeah that's right", "yep", "correct", "sure" -> yes; "no", "nope", "that's wrong", "don't"
/// -> no. A negation anywhere before a yes word wins ("no, don't book it", "not right").
/// Neither -> nothing.
std::optional<Confirmation> extract_yes_no(std::string_view text);

}  // namespace bella::understand
