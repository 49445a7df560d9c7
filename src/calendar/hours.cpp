// Parsing BUSINESS_HOURS ("Mon-Fri 09:00-12:00,13:00-17:00; Sat 10:00-14:00") into OpeningHours.
#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

#include "bella/calendar/calendar.hpp"

namespace bella::calendar {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void fail(std::string_view spec, std::string_view why) {
  throw std::invalid_argument("BUSINESS_HOURS \"" + std::string(spec) + "\": " + std::string(why));
}

// 0=Sunday..6=Saturday, or -1.
int parse_day(std::string_view word) {
  static constexpr std::array<std::string_view, 7> kShort{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  static constexpr std::array<std::string_view, 7> kLong{"sunday",   "monday", "tuesday", "wednesday",
                                                         "thursday", "friday", "saturday"};
  const std::string w = lower(trim(word));
  for (int i = 0; i < 7; ++i) {
    if (w == kShort[static_cast<std::size_t>(i)] || w == kLong[static_cast<std::size_t>(i)]) return i;
  }
  if (w == "tues") return 2;
  if (w == "thur" || w == "thurs") return 4;
  return -1;
}

// "HH:MM" -> minutes, or -1.
int parse_clock(std::string_view s) {
  s = trim(s);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) return -1;
  int h = 0;
  for (char c : s.substr(0, colon)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    h = h * 10 + (c - '0');
  }
  int m = 0;
  for (char c : s.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    m = m * 10 + (c - '0');
  }
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    const auto next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

}  // namespace

OpeningHours OpeningHours::parse(std::string_view spec) {
  OpeningHours out;
  if (trim(spec).empty()) fail(spec, "empty specification");
  for (std::string_view group : split(spec, ';')) {
    group = trim(group);
    if (group.empty()) continue;
    const auto space = group.find_first_of(" \t");
    if (space == std::string_view::npos) fail(spec, "group \"" + std::string(group) + "\" needs days and times");
    const std::string_view days = group.substr(0, space);
    const std::string_view times = trim(group.substr(space + 1));

    std::array<bool, 7> chosen{};
    for (std::string_view item : split(days, ',')) {
      const auto dash = item.find('-');
      if (dash == std::string_view::npos) {
        const int d = parse_day(item);
        if (d < 0) fail(spec, "unknown day \"" + std::string(item) + "\"");
        chosen[static_cast<std::size_t>(d)] = true;
      } else {
        const int from = parse_day(item.substr(0, dash));
        const int to = parse_day(item.substr(dash + 1));
        if (from < 0 || to < 0) fail(spec, "bad day range \"" + std::string(item) + "\"");
        for (int d = from;; d = (d + 1) % 7) {
          chosen[static_cast<std::size_t>(d)] = true;
          if (d == to) break;
        }
      }
    }

    std::vector<std::pair<std::chrono::minutes, std::chrono::minutes>> ranges;
    if (lower(times) != "closed") {
      for (std::string_view range : split(times, ',')) {
        range = trim(range);
        const auto dash = range.find('-');
        if (dash == std::string_view::npos) fail(spec, "time range \"" + std::string(range) + "\" needs HH:MM-HH:MM");
        const int open = parse_clock(range.substr(0, dash));
        const int close = parse_clock(range.substr(dash + 1));
        if (open < 0 || close < 0) fail(spec, "bad time in \"" + std::string(range) + "\" (use HH:MM, 00:00-24:00)");
        if (close <= open) fail(spec, "range \"" + std::string(range) + "\" must end after it starts");
        ranges.emplace_back(std::chrono::minutes{open}, std::chrono::minutes{close});
      }
      std::sort(ranges.begin(), ranges.end());
      for (std::size_t i = 1; i < ranges.size(); ++i) {
        if (ranges[i].first < ranges[i - 1].second) fail(spec, "overlapping time ranges in \"" + std::string(times) + "\"");
      }
    }
    for (std::size_t d = 0; d < 7; ++d) {
      if (chosen[d]) out.by_weekday[d] = ranges;
    }
  }
  return out;
}

HolidayOptions HolidayOptions::parse(std::string_view csv) {
  HolidayOptions out;
  for (std::string_view item : split(csv, ',')) {
    std::string name = lower(trim(item));
    if (name.empty()) continue;
    std::replace(name.begin(), name.end(), '-', '_');
    std::replace(name.begin(), name.end(), ' ', '_');
    if (name == "heritage_day") out.heritage_day = true;
    else if (name == "boxing_day") out.boxing_day = true;
    else if (name == "easter_monday") out.easter_monday = true;
    else if (name == "civic_holiday" || name == "civic_holiday_aug") out.civic_holiday_aug = true;
    else if (name == "christmas_eve") out.christmas_eve = true;
    else
      throw std::invalid_argument("unknown optional holiday \"" + std::string(trim(item)) +
                                  "\" (known: heritage_day, boxing_day, easter_monday, civic_holiday, christmas_eve)");
  }
  return out;
}

}  // namespace bella::calendar
