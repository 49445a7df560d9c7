// BusinessCalendar: opening spans per local day, is_open, next_opening and free-slot search.
#include <algorithm>
#include <stdexcept>

#include "bella/calendar/calendar.hpp"

namespace bella::calendar {
namespace {


bool overlaps(SysSeconds start, SysSeconds end, const std::vector<Interval>& booked) {
  return std::any_of(booked.begin(), booked.end(),
                     [&](const Interval& b) { return b.start < end && start < b.end; });
}

}  // namespace

BusinessCalendar::BusinessCalendar(const date::time_zone* zone, OpeningHours hours, HolidayOptions holidays)
    : zone_(zone), hours_(std::move(hours)), holidays_(holidays) {
  if (zone_ == nullptr) throw std::invalid_argument("BusinessCalendar needs a time zone");
}

LocalSeconds BusinessCalendar::to_local(SysSeconds t) const { return zone_->to_local(t); }

SysSeconds BusinessCalendar::to_sys(LocalSeconds t) const {
  // For a unique time `first` is its offset; when ambiguous `first` is the earlier (daylight)
  // reading; in a gap `first` is the offset before the gap, so 02:30 reads as 02:30 MST = 03:30 MDT,
  // i.e. the time moves forward by the gap's length.
  const date::local_info info = zone_->get_info(t);
  return SysSeconds{t.time_since_epoch()} - info.first.offset;
}

date::year_month_day BusinessCalendar::local_day(SysSeconds t) const {
  return date::year_month_day{date::floor<date::days>(to_local(t))};
}

std::vector<Interval> BusinessCalendar::spans(date::year_month_day local_day) const {
  std::vector<Interval> out;
  if (!local_day.ok() || alberta_holiday(local_day, holidays_)) return out;
  const date::local_days ld{local_day};
  const auto wd = date::weekday{ld}.c_encoding();
  for (const auto& [open, close] : hours_.by_weekday[wd]) {
    out.push_back(Interval{to_sys(ld + open), to_sys(ld + close)});
  }
  return out;
}

bool BusinessCalendar::is_open(SysSeconds start, std::chrono::minutes duration) const {
  if (duration <= std::chrono::minutes{0}) return false;
  const SysSeconds end = start + duration;
  for (const Interval& span : spans(local_day(start))) {
    if (start >= span.start && end <= span.end) return true;
  }
  return false;
}

std::optional<SysSeconds> BusinessCalendar::next_opening(SysSeconds after, std::chrono::minutes duration) const {
  if (duration <= std::chrono::minutes{0}) return std::nullopt;
  const SysSeconds limit = after + date::days{kLookAheadDays};
  const date::local_days first{local_day(after)};
  for (int i = 0; i <= kLookAheadDays; ++i) {
    for (const Interval& span : spans(date::year_month_day{first + date::days{i}})) {
      for (SysSeconds slot = span.start; slot + duration <= span.end; slot += duration) {
        if (slot >= limit) return std::nullopt;
        if (slot >= after) return slot;
      }
    }
  }
  return std::nullopt;
}

std::vector<SysSeconds> BusinessCalendar::free_slots(date::year_month_day local_day, std::chrono::minutes duration,
                                                     const std::vector<Interval>& booked) const {
  std::vector<SysSeconds> out;
  if (duration <= std::chrono::minutes{0}) return out;
  for (const Interval& span : spans(local_day)) {
    for (SysSeconds slot = span.start; slot + duration <= span.end; slot += duration) {
      if (!overlaps(slot, slot + duration, booked)) out.push_back(slot);
    }
  }
  return out;
}

std::vector<SysSeconds> BusinessCalendar::nearest_free(SysSeconds wanted, std::chrono::minutes duration,
                                                       const std::vector<Interval>& booked, std::size_t n,
                                                       SysSeconds not_before, int days_after) const {
  std::vector<SysSeconds> out;
  if (n == 0 || duration <= std::chrono::minutes{0}) return out;
  const date::local_days day{local_day(wanted)};

  std::vector<SysSeconds> same_day = free_slots(date::year_month_day{day}, duration, booked);
  std::erase_if(same_day, [&](SysSeconds s) { return s < not_before; });
  std::stable_sort(same_day.begin(), same_day.end(), [&](SysSeconds a, SysSeconds b) {
    const auto da = a > wanted ? a - wanted : wanted - a;
    const auto db = b > wanted ? b - wanted : wanted - b;
    return da < db;  // stable: ties keep time order, so the earlier wins
  });
  if (same_day.size() > n) same_day.resize(n);
  out = std::move(same_day);

  const int last = std::min(days_after, kLookAheadDays);
  for (int i = 1; i <= last && out.size() < n; ++i) {
    for (SysSeconds s : free_slots(date::year_month_day{day + date::days{i}}, duration, booked)) {
      if (s < not_before) continue;
      out.push_back(s);
      if (out.size() == n) break;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace bella::calendar
