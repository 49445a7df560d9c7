// Business calendar: opening hours, Alberta holidays and bookable slots in the clinic's zone. No I/O.
#pragma once
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

namespace bella::calendar {

/// How many days ahead an opening or a free slot is searched for (next_opening, nearest_free).
inline constexpr int kLookAheadDays = 14;
/// How many alternatives are offered at once, on the phone and in the staff API's 409.
inline constexpr std::size_t kSuggestions = 3;

using SysSeconds = std::chrono::sys_seconds;
using LocalSeconds = date::local_seconds;

/// A half-open interval [start, end) of UTC instants.
struct Interval {
  SysSeconds start;
  SysSeconds end;
};

/// Opening spans per weekday (0=Sunday..6=Saturday), as minutes since local midnight, sorted and
/// non-overlapping. A span never crosses midnight; "24:00" is allowed as an end.
struct OpeningHours {
  std::array<std::vector<std::pair<std::chrono::minutes, std::chrono::minutes>>, 7> by_weekday;

  /// Grammar (case-insensitive, whitespace tolerant):
  ///   spec    := group (';' group)*
  ///   group   := days ' ' ranges | days ' closed'
  ///   days    := day ('-' day)? (',' day ('-' day)?)*     day = Sun|Mon|...|Sat (or full names)
  ///   ranges  := HH:MM-HH:MM (',' HH:MM-HH:MM)*
  /// e.g. "Mon-Fri 09:00-17:00", "Mon-Fri 09:00-12:00,13:00-17:00; Sat 10:00-14:00".
  /// A day range may wrap ("Fri-Mon"). Later groups replace earlier ones for the same day.
  /// Throws std::invalid_argument naming the offending part.
  static OpeningHours parse(std::string_view spec);
};

/// Alberta's optional holidays (Employment Standards Code): off by default; a clinic turns on
/// the ones it closes for.
struct HolidayOptions {
  bool heritage_day = false;       // 1st Monday of August, "Heritage Day"
  bool boxing_day = false;         // December 26
  bool easter_monday = false;      // Monday after Easter Sunday
  bool civic_holiday_aug = false;  // 1st Monday of August under the name "Civic Holiday"
  bool christmas_eve = false;      // December 24 (not a statutory day; many clinics close)

  /// Comma-separated names: heritage_day, boxing_day, easter_monday, civic_holiday, christmas_eve
  /// (case-insensitive; '-' or ' ' may stand for '_'; "civic_holiday_aug" also accepted).
  /// Empty means none. Throws std::invalid_argument on an unknown name.
  static HolidayOptions parse(std::string_view csv);
};

/// The holiday's name if `day` is an Alberta general holiday (or an enabled optional one).
/// General holidays: New Year's Day (Jan 1), Family Day (3rd Mon Feb), Good Friday (Gregorian
/// Easter computus), Victoria Day (Monday before May 25), Canada Day (July 1; July 2 when July 1
/// is a Sunday, per the federal Holidays Act), Labour Day (1st Mon Sep), Thanksgiving (2nd Mon
/// Oct), Remembrance Day (Nov 11), Christmas Day (Dec 25).
/// Observed days: only Canada Day's Sunday rule is applied. Alberta's Code does not move other
/// holidays that fall on a weekend (employees get a day in lieu instead), so the clinic stays
/// open on the following Monday.
std::optional<std::string> alberta_holiday(date::year_month_day day, const HolidayOptions& opts = {});

/// Easter Sunday (Gregorian, anonymous computus) for a year.
date::year_month_day easter_sunday(date::year y);

/// Opening hours + holidays in one time zone. Slots are aligned to a grid that starts at each
/// opening span's start and steps by the appointment duration.
class BusinessCalendar {
 public:
  BusinessCalendar(const date::time_zone* zone, OpeningHours hours, HolidayOptions holidays = {});

  const date::time_zone* zone() const { return zone_; }
  const OpeningHours& hours() const { return hours_; }
  const HolidayOptions& holidays() const { return holidays_; }

  LocalSeconds to_local(SysSeconds t) const;
  /// Local wall time -> instant. In a DST gap (spring forward) the time moves forward by the
  /// gap's length (02:30 -> 03:30 MDT); when ambiguous (fall back) the earliest instant
  /// (the first, daylight-time 01:30) is chosen.
  SysSeconds to_sys(LocalSeconds t) const;

  /// The local day of an instant.
  date::year_month_day local_day(SysSeconds t) const;
  /// Opening spans of a local day as UTC intervals; empty on holidays and closed days.
  std::vector<Interval> spans(date::year_month_day local_day) const;
  /// True when the whole appointment [start, start+duration) lies inside one opening span of a
  /// day that is not a holiday. Grid alignment is not required here.
  bool is_open(SysSeconds start, std::chrono::minutes duration) const;
  /// Earliest grid slot start >= after (and < after + kLookAheadDays), or nothing.
  std::optional<SysSeconds> next_opening(SysSeconds after, std::chrono::minutes duration) const;
  /// Grid slots of a local day that overlap no booked interval, in time order.
  std::vector<SysSeconds> free_slots(date::year_month_day local_day, std::chrono::minutes duration,
                                     const std::vector<Interval>& booked) const;
  /// Up to n free slots, all >= not_before: first those on wanted's local day closest to wanted
  /// (ties: the earlier), then, if fewer than n, the earliest ones on the following open days
  /// (looking `days_after` days past wanted's, at most kLookAheadDays). Returned in time order.
  /// `booked` must cover every day looked at: a caller that read only some days' bookings passes
  /// how many it read.
  std::vector<SysSeconds> nearest_free(SysSeconds wanted, std::chrono::minutes duration,
                                       const std::vector<Interval>& booked, std::size_t n,
                                       SysSeconds not_before, int days_after = kLookAheadDays) const;

 private:
  const date::time_zone* zone_;
  OpeningHours hours_;
  HolidayOptions holidays_;
};

}  // namespace bella::calendar
