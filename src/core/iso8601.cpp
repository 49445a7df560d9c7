// ISO 8601 parsing and formatting by hand (strict, allocation-free parsing; date::format only for
// years outside 0000..9999).
#include "bella/core/iso8601.hpp"

#include <cstdio>

namespace bella::iso8601 {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<date::year_month_day> parse_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d))
    return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<TimePoint> parse_datetime(std::string_view s) {
  if (s.size() < 17) return std::nullopt;
  auto day = parse_date(s.substr(0, 10));
  if (!day || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm)) return std::nullopt;
  std::size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, i + 1, 2, ss)) return std::nullopt;
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      const auto start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start) return std::nullopt;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  if (i >= s.size()) return std::nullopt;
  int offset_min = 0;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    offset_min = 0;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh = 0, om = 0;
    const auto rest = s.substr(i + 1);
    const bool ok = (rest.size() == 5 && rest[2] == ':' && digits(rest, 0, 2, oh) && digits(rest, 3, 2, om)) ||
                    (rest.size() == 4 && digits(rest, 0, 2, oh) && digits(rest, 2, 2, om)) ||
                    (rest.size() == 2 && digits(rest, 0, 2, oh));
    if (!ok || oh > 18 || om > 59) return std::nullopt;
    offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const auto local = date::sys_days{*day} + std::chrono::hours(hh) + std::chrono::minutes(mm) + std::chrono::seconds(ss);
  return TimePoint{local - std::chrono::minutes(offset_min)};
}

namespace {

// "YYYY-MM-DD" (+ "THH:MM:SS" for a time) by hand: date::format goes through an ostringstream
// and costs ~19k instructions per call, several times a webhook turn (the session's timestamps).
// Years outside 0000..9999 are left to date::format.
bool four_digit_year(date::year_month_day d) { return d.ok() && int(d.year()) >= 0 && int(d.year()) <= 9999; }

char* put(char* out, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
  return out + width;
}

char* put_date(char* out, date::year_month_day d) {
  out = put(out, static_cast<unsigned>(int(d.year())), 4);
  *out++ = '-';
  out = put(out, unsigned(d.month()), 2);
  *out++ = '-';
  return put(out, unsigned(d.day()), 2);
}

// "YYYY-MM-DDTHH:MM:SS" of a wall-clock second count (since 1970-01-01 00:00 in its own clock).
std::optional<std::string> date_time(std::chrono::seconds since_epoch) {
  const auto days = date::floor<date::days>(since_epoch);
  const date::year_month_day d{date::sys_days{days}};
  if (!four_digit_year(d)) return std::nullopt;
  const auto secs = static_cast<unsigned>((since_epoch - days).count());
  char buf[19];
  char* out = put_date(buf, d);
  *out++ = 'T';
  out = put(out, secs / 3600, 2);
  *out++ = ':';
  out = put(out, secs / 60 % 60, 2);
  *out++ = ':';
  out = put(out, secs % 60, 2);
  return std::string(buf, out);
}

}  // namespace

std::string format_date(date::year_month_day d) {
  if (!four_digit_year(d)) return date::format("%Y-%m-%d", d);
  char buf[10];
  return std::string(buf, put_date(buf, d));
}

std::string format_utc(TimePoint t) {
  if (auto s = date_time(t.time_since_epoch())) return *s + 'Z';
  return date::format("%Y-%m-%dT%H:%M:%SZ", t);
}

std::string format_local(TimePoint t, const date::time_zone* zone) {
  const auto info = zone->get_info(t);
  const auto local = date::local_seconds{t.time_since_epoch() + info.offset};
  auto off = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  const char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  char tail[8];
  std::snprintf(tail, sizeof tail, "%c%02d:%02d", sign, static_cast<int>(off / 60), static_cast<int>(off % 60));
  if (auto s = date_time(local.time_since_epoch())) return *s + tail;
  return date::format("%Y-%m-%dT%H:%M:%S", local) + tail;
}

}  // namespace bella::iso8601
