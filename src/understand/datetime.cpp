// Date/time extraction: a token scanner with small rules, resolved in the clinic's zone.
// The conventions are documented in include/bella/understand/extract.hpp.
#include <algorithm>
#include <array>
#include <cmath>

#include "bella/understand/extract.hpp"
#include "understand/numbers.hpp"

namespace bella::understand {
namespace {

using namespace std::chrono_literals;
using date::days;
using date::local_days;
using date::sys_days;
using date::year_month_day;

enum class Part { none, morning, lunch, afternoon, evening, night };

template <std::size_t N>
int index_of(const std::array<std::string_view, N>& list, std::string_view w) {
  for (std::size_t i = 0; i < N; ++i) {
    if (list[i] == w) return static_cast<int>(i);
  }
  return -1;
}

constexpr std::array<std::string_view, 7> kWeekdays{"sunday",   "monday", "tuesday", "wednesday",
                                                    "thursday", "friday", "saturday"};
constexpr std::array<std::string_view, 7> kWeekdayAbbr{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr std::array<std::string_view, 12> kMonths{"january", "february", "march",     "april",   "may",      "june",
                                                   "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 12> kMonthAbbr{"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

int weekday_full(std::string_view w) {
  int d = index_of(kWeekdays, w);
  if (d < 0 && w.size() > 1 && w.back() == 's') d = index_of(kWeekdays, w.substr(0, w.size() - 1));
  return d;
}
int weekday_abbr(std::string_view w) {
  if (w == "tues") return 2;
  if (w == "thur" || w == "thurs") return 4;
  return index_of(kWeekdayAbbr, w);
}
int month_of(std::string_view w) {  // 1..12 or 0
  int m = index_of(kMonths, w);
  if (m < 0) m = index_of(kMonthAbbr, w);
  if (m < 0 && w == "sept") m = 8;
  return m + 1;
}

struct Clock {
  int hour = -1;
  int minute = 0;
  int meridiem = 0;  // 0 unknown, 1 am, 2 pm
  bool twenty_four = false;
  bool midnight = false;
};

class Parser {
 public:
  Parser(std::string_view text, const TimeContext& ctx) : ctx_(ctx) {
    toks_ = lex(text);
    prepare();
    const auto local_now = ctx_.calendar->to_local(ctx_.now);
    today_ = local_days{date::floor<days>(local_now)};
    now_local_ = date::floor<std::chrono::minutes>(local_now);
  }

  std::optional<When> run() {
    for (i_ = 0; i_ < toks_.size() && !invalid_;) {
      if (!step()) ++i_;
    }
    if (invalid_) return std::nullopt;
    accept_bare_hour();
    return resolve();
  }

 private:
  // ---- token helpers ---------------------------------------------------------------------
  std::string_view w(std::size_t k) const {
    return k < toks_.size() && !used_[k] ? std::string_view(toks_[k].text) : std::string_view{};
  }
  bool is_num(std::size_t k) const {
    return k < toks_.size() && !used_[k] && !blocked_[k] && toks_[k].kind == TokenKind::number && toks_[k].value >= 0;
  }
  std::int64_t val(std::size_t k) const { return toks_[k].value; }
  void use(std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < toks_.size(); ++k) used_[k] = true;
  }

  void prepare() {
    const std::size_t n = toks_.size();
    used_.assign(n, false);
    blocked_.assign(n, false);
    decimal_.assign(n, -1.0);
    // a.m. / p.m. / "a m" after a number -> am / pm
    std::vector<Token> out;
    out.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      Token t = toks_[k];
      if (t.kind == TokenKind::word && (t.text == "a" || t.text == "p") && !out.empty() &&
          out.back().kind == TokenKind::number) {
        std::size_t m = k + 1;
        if (m < n && toks_[m].text == ".") ++m;
        if (m < n && toks_[m].text == "m") {
          t.text = t.text == "a" ? "am" : "pm";
          k = m;
          if (k + 1 < n && toks_[k + 1].text == ".") ++k;
        }
      }
      if (t.kind == TokenKind::word && (t.text == "a.m" || t.text == "p.m")) t.text = t.text.substr(0, 1) + "m";
      // "3:15p", "3p": a glued a/p after a number is a meridiem.
      if (t.kind == TokenKind::word && (t.text == "a" || t.text == "p") && !t.space_before && !out.empty() &&
          out.back().kind == TokenKind::number && !out.back().from_words) {
        t.text = t.text == "a" ? "am" : "pm";
      }
      out.push_back(std::move(t));
    }
    toks_ = std::move(out);
    const std::size_t m = toks_.size();
    used_.assign(m, false);
    blocked_.assign(m, false);
    decimal_.assign(m, -1.0);
    // Glued digit groups: "2.5" is a decimal; "650-650-6500", "6.5.1", "3-4" are not times.
    for (std::size_t k = 0; k + 2 < m; ++k) {
      if (toks_[k].kind != TokenKind::number || toks_[k].from_words) continue;
      std::size_t e = k;
      int groups = 1;
      while (e + 2 < m && (toks_[e + 1].text == "." || toks_[e + 1].text == "-") && !toks_[e + 1].space_before &&
             toks_[e + 2].kind == TokenKind::number && !toks_[e + 2].space_before) {
        e += 2;
        ++groups;
      }
      if (groups == 1) continue;
      if (groups == 3 && toks_[k + 1].text == "-" && toks_[k + 3].text == "-" && toks_[k].text.size() == 4 &&
          toks_[k].value >= 1900 && toks_[k].value <= 2100 && toks_[k + 2].text.size() <= 2 && toks_[k + 4].text.size() <= 2) {
        k = e;  // ISO date yyyy-mm-dd
        continue;
      }
      if (groups == 2 && toks_[k + 1].text == "." && toks_[k + 2].text.size() <= 2) {
        decimal_[k] = static_cast<double>(toks_[k].value) +
                      static_cast<double>(toks_[k + 2].value) / std::pow(10.0, static_cast<double>(toks_[k + 2].text.size()));
        used_[k + 1] = used_[k + 2] = true;
      } else {
        for (std::size_t q = k; q <= e; ++q) blocked_[q] = true;
      }
      k = e;
    }
  }

  // ---- rule dispatch ---------------------------------------------------------------------
  bool step() {
    const std::size_t i = i_;
    if (used_[i]) return false;
    const Token& t = toks_[i];
    if (t.kind == TokenKind::number) return number_rules();
    if (t.kind != TokenKind::word) return false;
    const std::string_view x = t.text;

    if (x == "now" && w(i + 1) != "on") {
      if (i > 0 && toks_[i - 1].text == "from") return false;
      now_ = true;
      use(i, i + 1);
      return advance(1);
    }
    if (x == "yesterday" || x == "ago") {  // the past is never a booking time
      invalid_ = true;
      return true;
    }
    if (x == "today") return set_date_rel(0, 1);
    if (x == "tonight") {
      part_ = Part::night;
      return set_date_rel(0, 1);
    }
    if (x == "tomorrow" || x == "tmrw" || x == "tomorow" || x == "tomorrow's" || x == "tomorrows") return set_date_rel(1, 1);
    if (x == "day" && w(i + 1) == "after" && w(i + 2) == "tomorrow") return set_date_rel(2, 3);
    if (x == "midnight") {
      clock_ = Clock{0, 0, 1, true, true};
      use(i, i + 1);
      return advance(1);
    }
    if (x == "noon" || x == "midday" || (x == "mid" && w(i + 1) == "day")) {
      const std::size_t len = x == "mid" ? 2 : 1;
      clock_ = Clock{12, 0, 2, true, false};
      use(i, i + len);
      return advance(len);
    }
    if (const Part p = part_word(x); p != Part::none) {
      part_ = p;
      if (i > 0 && w(i - 1) == "this" && !date_) date_ = today_;
      use(i, i + 1);
      return advance(1);
    }
    if (holiday_rule()) return true;
    if (x == "next" || x == "this" || x == "coming" || x == "last" || x == "first" || x == "second" || x == "third" ||
        x == "fourth") {
      if (weekday_rule(true)) return true;
    }
    if (weekday_full(x) >= 0 || weekday_abbr(x) >= 0) return weekday_rule(false);
    if (month_of(x) > 0) return month_rule();
    if (x == "half" || x == "quarter" || (x == "a" && w(i + 1) == "quarter")) return fraction_rule();
    if (x == "in" || x == "within" || x == "after") return relative_rule();
    if ((x == "a" || x == "an") && unit_len(i + 1) > 0) return quantity_rule(i, 1.0, 1);
    if (x == "couple" || (x == "a" && w(i + 1) == "couple")) return quantity_rule_couple();
    if (x == "the" || x == "on") return ordinal_day_rule();
    if (x == "week" && w(i + 1) == "after" && w(i + 2) == "next") {
      return false;
    }
    return false;
  }

  bool advance(std::size_t n) {
    i_ += n;
    return true;
  }

  static Part part_word(std::string_view x) {
    if (x == "morning" || x == "mornings") return Part::morning;
    if (x == "afternoon") return Part::afternoon;
    if (x == "evening" || x == "eve" ) return Part::evening;
    if (x == "night") return Part::night;
    if (x == "lunch" || x == "lunchtime") return Part::lunch;
    return Part::none;
  }

  bool set_date_rel(int offset, std::size_t len) {
    set_date(today_ + days{offset});
    use(i_, i_ + len);
    return advance(len);
  }
  void set_date(local_days d) {
    if (!date_) date_ = d;
  }

  // ---- numbers: clock times, dates with numbers, quantities ------------------------------
  bool number_rules() {
    const std::size_t i = i_;
    if (blocked_[i]) return false;
    const std::int64_t v = val(i);
    if (decimal_[i] >= 0) {
      if (unit_len(i + 3) > 0) return quantity_rule(i + 2, decimal_[i], 1, i);
      // "9.30" written the British way, with a cue: a clock time.
      if (toks_[i + 2].text.size() == 2 && v <= 23 && val(i + 2) < 60 &&
          (prev_is_cue(i) || w(i + 3) == "am" || w(i + 3) == "pm" || part_follows(i + 3))) {
        Clock c{static_cast<int>(v), static_cast<int>(val(i + 2)), 0, v >= 13, false};
        const std::size_t len = 3 + meridiem_after(i + 3, c);
        clock_ = c;
        use(i, i + len);
        return advance(len);
      }
      return false;
    }
    // numeric date m/d[/y]
    if (w(i + 1) == "/" && is_num(i + 2) && !toks_[i + 1].space_before && !toks_[i + 2].space_before) {
      return numeric_date();
    }
    // ISO date yyyy-mm-dd
    if (v >= 1900 && v <= 2100 && w(i + 1) == "-" && is_num(i + 2) && w(i + 3) == "-" && is_num(i + 4)) {
      explicit_date(static_cast<int>(v), static_cast<unsigned>(val(i + 2)), static_cast<unsigned>(val(i + 4)));
      use(i, i + 5);
      return advance(5);
    }
    // H:MM
    if (w(i + 1) == ":" && is_num(i + 2) && toks_[i + 2].text.size() == 2) {
      const auto h = v;
      const auto m = val(i + 2);
      if (h > 24 || m > 59 || (h == 24 && m != 0)) {
        invalid_ = true;
        return true;
      }
      Clock c{static_cast<int>(h), static_cast<int>(m), 0, h >= 13 || h == 0 || toks_[i].text.size() == 2, false};
      std::size_t len = 3 + meridiem_after(i + 3, c);
      if (c.meridiem != 0 && h >= 1 && h <= 12) c.twenty_four = false;  // "07:00 PM"
      clock_ = c;
      use(i, i + len);
      return advance(len);
    }
    // Ordinal + of + month / day of (next|this) month
    if (unit_len(i + 1) > 0 && quantity_rule(i, static_cast<double>(v), 1)) return true;
    if (const std::size_t u = and_a_half_unit(i); u != 0 && quantity_rule(u - 1, static_cast<double>(v) + 0.5, 1, i)) {
      return true;
    }
    if (const std::size_t u = three_quarters_unit(i); u != 0 && quantity_rule(u - 1, 0.75, 1, i)) return true;
    // "first tuesday of october", "last monday in march"
    if (toks_[i].ordinal && v >= 1 && v <= 4 && (weekday_full(w(i + 1)) >= 0) && weekday_rule(true)) return true;
    if (w(i + 1) == "couple" || w(i + 1) == "few") return false;
    // "3 fridays from now"
    if (const int wd = weekday_full(w(i + 1)); wd >= 0 && w(i + 2) == "from" && w(i + 3) == "now" && v >= 1 && v <= 10) {
      local_days d = today_;
      for (std::int64_t k = 0; k < v; ++k) d = next_weekday_after(d, wd);
      set_date(d);
      use(i, i + 4);
      return advance(4);
    }
    // N (minutes) past/after/to H
    if (minutes_relation_rule()) return true;
    if (day_month_rule()) return true;
    // N am/pm, N oclock
    if (v >= 0 && v <= 12 && (w(i + 1) == "am" || w(i + 1) == "pm" || w(i + 1) == "oclock")) {
      Clock c{static_cast<int>(v), 0, 0, false, false};
      std::size_t len = 1;
      if (w(i + 1) == "oclock") len = 2;
      len += meridiem_after(i + len, c);
      clock_ = c;
      use(i, i + len);
      return advance(len);
    }
    // HMM / HHMM written ("1030", "330 pm", "730 in the evening")
    if (!toks_[i].from_words && (toks_[i].text.size() == 3 || toks_[i].text.size() == 4) && v < 2400 && v % 100 < 60) {
      // A day word next to it also makes it a time: "1230 friday", "tomorrow 1030".
      auto day_word = [&](std::string_view x) {
        return weekday_full(x) >= 0 || x == "today" || x == "tomorrow" || x == "tonight";
      };
      const bool cue = (w(i + 1) == "am" || w(i + 1) == "pm") || prev_is_cue(i) || part_follows(i + 1) ||
                       day_word(toks_.size() > i + 1 ? std::string_view(toks_[i + 1].text) : "") ||
                       (i > 0 && day_word(toks_[i - 1].text));
      if (cue) {
        Clock c{static_cast<int>(v / 100), static_cast<int>(v % 100), 0, toks_[i].text.size() == 4 && v / 100 > 12, false};
        if (toks_[i].text.front() == '0') c.twenty_four = true;
        std::size_t len = 1 + meridiem_after(i + 1, c);
        clock_ = c;
        use(i, i + len);
        return advance(len);
      }
      return false;
    }
    // H MM ("3 15", "ten thirty", "twelve oh three")
    if (v >= 1 && v <= 12 && !toks_[i].ordinal) {
      std::size_t k = i + 1;
      int minute = -1;
      std::size_t len = 0;
      if (is_num(k) && val(k) == 0 && toks_[k].from_words && is_num(k + 1) && val(k + 1) >= 1 && val(k + 1) <= 9 &&
          toks_[k + 1].from_words) {
        minute = static_cast<int>(val(k + 1));
        len = 3;
      } else if (is_num(k) && !toks_[k].ordinal && toks_[k].text.size() == 2 && val(k) >= 0 && !blocked_[k]) {
        minute = static_cast<int>(val(k));
        len = 2;
      } else if (is_num(k) && toks_[k].from_words && val(k) >= 10 && !toks_[k].ordinal) {
        minute = static_cast<int>(val(k));
        len = 2;
      }
      if (minute >= 0) {
        if (minute > 59) {
          invalid_ = true;
          return true;
        }
        Clock c{static_cast<int>(v), minute, 0, false, false};
        len += meridiem_after(i + len, c);
        clock_ = c;
        use(i, i + len);
        return advance(len);
      }
    }
    if (v >= 13 && v <= 23 && prev_is_cue(i) && toks_[i].text.size() == 2) {
      clock_ = Clock{static_cast<int>(v), 0, 0, true, false};
      use(i, i + 1);
      return advance(1);
    }
    // Bare hour: decided at the end (needs "at" or a part of day nearby).
    if (v >= 1 && v <= 12 && !toks_[i].ordinal) bare_hours_.push_back(i);
    return false;
  }

  bool prev_is_cue(std::size_t i) const {
    std::size_t k = i;
    while (k > 0) {
      const std::string_view p = toks_[k - 1].text;
      if (p == "about" || p == "around" || p == "approximately" || p == "roughly") return true;
      if (p == "like" || p == "say" || p == "maybe" || p == "just") {
        --k;
        continue;
      }
      // "between 2 and 3", "from 2 to 3": the start of the range.
      return p == "at" || p == "@" || p == "for" || p == "by" || p == "around" || p == "approximately" ||
             p == "about" || p == "till" || p == "until" || p == "between" || p == "from";
    }
    // leading "approximately 1030": the qualifier itself counts
    return i > 0 && (toks_[i - 1].text == "approximately" || toks_[i - 1].text == "around" || toks_[i - 1].text == "about");
  }

  bool part_follows(std::size_t k) const {
    std::string_view a = w(k);
    if (a == "in" || a == "at" || a == "this") a = w(k + (w(k + 1) == "the" ? 2 : 1));
    return part_word(a) != Part::none || a == "tonight";
  }

  // Reads "am"/"pm"/"oclock"/"in the morning"-style meridiem after a clock; returns tokens used.
  std::size_t meridiem_after(std::size_t k, Clock& c) {
    std::size_t len = 0;
    if (w(k) == "oclock") ++len;
    if (w(k + len) == "am") {
      c.meridiem = 1;
      ++len;
    } else if (w(k + len) == "pm") {
      c.meridiem = 2;
      ++len;
    }
    return len;
  }

  bool minutes_relation_rule() {
    const std::size_t i = i_;
    std::size_t k = i + 1;
    if (w(k) == "minutes" || w(k) == "minute" || w(k) == "mins" || w(k) == "min") ++k;
    const std::string_view rel = w(k);
    const int sign = (rel == "past" || rel == "after") ? 1 : (rel == "to" || rel == "till" || rel == "before" || rel == "of") ? -1 : 0;
    if (sign == 0 || val(i) > 59 || val(i) < 1) return false;
    if (rel == "of" && k == i + 1) return false;  // "4 of july"
    // "from 9 to 10" is a range of hours, not "nine minutes to ten".
    if (k == i + 1 && i > 0 && (toks_[i - 1].text == "from" || toks_[i - 1].text == "between")) return false;
    Clock target;
    std::size_t len = 0;
    if (!target_clock(k + 1, target, len)) return false;
    if (rel == "after" && k == i + 1 && target.meridiem == 0 && w(k + 1 + len) != "am" && w(k + 1 + len) != "pm" &&
        target.hour < 0) {
      return false;
    }
    shift_clock(target, sign * static_cast<int>(val(i)));
    clock_ = target;
    use(i, k + 1 + len);
    return advance(k + 1 + len - i);
  }

  // A target of "past/to": "3pm", "3", "noon", "midnight".
  bool target_clock(std::size_t k, Clock& c, std::size_t& len) {
    if (w(k) == "noon" || w(k) == "midday") {
      c = Clock{12, 0, 2, true, false};
      len = 1;
      return true;
    }
    if (w(k) == "midnight") {
      c = Clock{0, 0, 1, true, true};
      len = 1;
      return true;
    }
    if (is_num(k) && val(k) >= 1 && val(k) <= 12 && !toks_[k].ordinal) {
      c = Clock{static_cast<int>(val(k)), 0, 0, false, false};
      len = 1 + meridiem_after(k + 1, c);
      return true;
    }
    return false;
  }

  static void shift_clock(Clock& c, int minutes) {
    int total = c.hour * 60 + c.minute + minutes;
    if (c.twenty_four || c.meridiem != 0) {
      // keep the meridiem reading of the target hour: compute on a 24h clock
      int h24 = c.hour;
      if (!c.twenty_four) h24 = (c.hour % 12) + (c.meridiem == 2 ? 12 : 0);
      total = h24 * 60 + c.minute + minutes;
      total = (total + 24 * 60) % (24 * 60);
      c.hour = total / 60;
      c.minute = total % 60;
      c.twenty_four = true;
      c.midnight = false;
      return;
    }
    total = (total + 12 * 60) % (12 * 60);
    c.hour = total / 60 == 0 ? 12 : total / 60;
    c.minute = total % 60;
  }

  bool fraction_rule() {
    const std::size_t i = i_;
    std::size_t k = i;
    if (w(k) == "a") ++k;
    int minutes = w(k) == "half" ? 30 : 15;
    ++k;
    const std::string_view rel = w(k);
    if (rel == "past" || rel == "after" || rel == "to" || rel == "till" || rel == "of") {
      Clock target;
      std::size_t len = 0;
      if (!target_clock(k + 1, target, len)) return false;
      if (rel == "to" || rel == "till" || rel == "of") minutes = -minutes;
      shift_clock(target, minutes);
      clock_ = target;
      use(i, k + 1 + len);
      return advance(k + 1 + len - i);
    }
    if (minutes == 30 && is_num(k) && val(k) >= 1 && val(k) <= 12) {  // British "half three" = 3:30
      Clock c{static_cast<int>(val(k)), 30, 0, false, false};
      std::size_t len = k + 1 - i;
      len += meridiem_after(k + 1, c);
      clock_ = c;
      use(i, i + len);
      return advance(len);
    }
    // "half an hour", "a quarter of an hour" as quantities
    if (w(i) == "half" && (w(i + 1) == "an" || w(i + 1) == "a") && unit_len(i + 2) > 0) return quantity_rule(i + 1, 0.5, 0);
    if (w(k - 1) == "quarter" && w(k) == "of" && (w(k + 1) == "an" || w(k + 1) == "a") && unit_len(k + 2) > 0) {
      return quantity_rule(k + 1, 0.25, 0);
    }
    if (w(k - 1) == "quarter" && w(k) == "hour") return quantity_rule(k - 1, 0.25, 0);
    return false;
  }

  // Unit word at k: returns its length in minutes-scale code: 1 minute, 2 hour, 3 day, 4 week.
  int unit_len(std::size_t k) const {
    const std::string_view u = w(k);
    if (u == "minute" || u == "minutes" || u == "min" || u == "mins") return 1;
    if (u == "hour" || u == "hours" || u == "hr" || u == "hrs" || u == "h") return 2;
    if (u == "day" || u == "days") return 3;
    if (u == "week" || u == "weeks") return 4;
    if (u == "fortnight" || u == "fortnights") return 5;
    return 0;
  }
  static int days_per(int unit) { return unit == 3 ? 1 : unit == 4 ? 7 : 14; }

  // "and a half" right after a unit ("an hour and a half", "a day and a half"): tokens it spans.
  std::size_t and_a_half_at(std::size_t k) const {
    return w(k) == "and" && w(k + 1) == "a" && w(k + 2) == "half" ? 3 : 0;
  }
  // "N and a half <unit>": the unit's index, or 0.
  std::size_t and_a_half_unit(std::size_t n_at) const {
    return and_a_half_at(n_at + 1) != 0 && unit_len(n_at + 4) > 0 ? n_at + 4 : 0;
  }
  // "three quarters (of) (an) hour": the unit's index, or 0.
  std::size_t three_quarters_unit(std::size_t n_at) const {
    if (!is_num(n_at) || val(n_at) != 3 || w(n_at + 1) != "quarters") return 0;
    std::size_t u = n_at + 2;
    if (w(u) == "of") ++u;
    if (w(u) == "an" || w(u) == "a") ++u;
    return unit_len(u) == 2 ? u : 0;
  }

  bool quantity_rule_couple() {
    std::size_t k = i_;
    if (w(k) == "a") ++k;
    ++k;  // couple
    if (w(k) == "of") ++k;
    if (unit_len(k) == 0) return false;
    return quantity_rule(k - 1, 2.0, 1, i_);
  }

  // Quantity `q` whose unit word is at unit_at = q_at + 1 (q_at = the quantity token).
  bool quantity_rule(std::size_t q_at, double q, int /*unused*/, std::optional<std::size_t> first = std::nullopt) {
    const std::size_t unit_at = q_at + 1;
    const int unit = unit_len(unit_at);
    if (unit == 0) return false;
    const std::size_t start = first.value_or(q_at);
    std::size_t end = unit_at + 1;
    if (const std::size_t half = and_a_half_at(end); half != 0) {
      q += 0.5;
      end += half;
    }
    // Direction: in/after before; "from now", "later", "hence", "from today" after; "after X"/"from X".
    const bool preceded_in = start > 0 && (toks_[start - 1].text == "in" || toks_[start - 1].text == "within" ||
                                           toks_[start - 1].text == "after" ||
                                           ((toks_[start - 1].text == "around" || toks_[start - 1].text == "about") &&
                                            start > 1 && toks_[start - 2].text == "in"));
    bool relative_to_now = preceded_in;
    bool shift_other = false;
    if (w(end) == "from" && (w(end + 1) == "now")) {
      relative_to_now = true;
      end += 2;
    } else if (w(end) == "later" || w(end) == "hence") {
      relative_to_now = true;
      end += 1;
    } else if ((w(end) == "from" || w(end) == "after") && (w(end + 1) == "today")) {
      relative_to_now = true;
      end += 2;
    } else if (w(end) == "after" || w(end) == "from") {
      shift_other = true;
      end += 1;
    } else if (w(end) == "before") {
      shift_other = true;
      q = -q;
      end += 1;
    }
    if (!relative_to_now && !shift_other) return false;
    if (unit <= 2) {
      const auto mins = std::chrono::minutes{static_cast<long>(std::lround(q * (unit == 1 ? 1 : 60)))};
      if (shift_other) {
        minute_shift_ += mins;
      } else {
        exact_offset_ = exact_offset_.value_or(0min) + mins;
      }
    } else {
      const int d = static_cast<int>(std::lround(q * days_per(unit)));
      day_shift_ += d;
      if (relative_to_now) base_today_ = true;
    }
    use(start, end);
    if (start > 0 && (toks_[start - 1].text == "in" || toks_[start - 1].text == "within")) used_[start - 1] = true;
    i_ = end;
    return true;
  }

  bool relative_rule() {
    const std::size_t i = i_;
    std::size_t k = i + 1;
    while (w(k) == "around" || w(k) == "about" || w(k) == "approximately" || w(k) == "roughly" || w(k) == "like" ||
           w(k) == "just") {
      ++k;
    }
    if ((w(k) == "a" || w(k) == "an" || w(k) == "one") && unit_len(k + 1) > 0) return quantity_in(k, 1.0);
    if (is_num(k) && unit_len(k + 1) > 0) return quantity_in(k, static_cast<double>(val(k)));
    if (const std::size_t u = and_a_half_unit(k); is_num(k) && u != 0) {
      return quantity_in(u - 1, static_cast<double>(val(k)) + 0.5);
    }
    if (const std::size_t u = three_quarters_unit(k); u != 0) return quantity_in(u - 1, 0.75);
    if (k < toks_.size() && decimal_[k] >= 0 && unit_len(k + 3) > 0) return quantity_in(k + 2, decimal_[k]);
    if (w(k) == "half" && (w(k + 1) == "an" || w(k + 1) == "a") && unit_len(k + 2) > 0) return quantity_in(k + 1, 0.5);
    if ((w(k) == "a" && w(k + 1) == "quarter") || w(k) == "quarter") {
      const std::size_t q = w(k) == "a" ? k + 1 : k;
      std::size_t u = q + 1;
      if (w(u) == "of") ++u;
      if (w(u) == "an" || w(u) == "a") ++u;
      if (unit_len(u) == 2) return quantity_in(u - 1, 0.25);
    }
    if ((w(k) == "a" && w(k + 1) == "couple") || w(k) == "couple") {
      std::size_t u = k + (w(k) == "a" ? 2 : 1);
      if (w(u) == "of") ++u;
      if (unit_len(u) > 0) return quantity_in(u - 1, 2.0);
    }
    if ((w(k) == "a" && w(k + 1) == "few") || w(k) == "few") {
      std::size_t u = k + (w(k) == "a" ? 2 : 1);
      if (unit_len(u) > 0) return quantity_in(u - 1, 3.0);
    }
    return false;
  }

  bool quantity_in(std::size_t q_at, double q) {
    const int unit = unit_len(q_at + 1);
    std::size_t end = q_at + 2;
    if (const std::size_t half = and_a_half_at(end); half != 0) {
      q += 0.5;
      end += half;
    }
    if (unit <= 2) {
      exact_offset_ = exact_offset_.value_or(0min) +
                      std::chrono::minutes{static_cast<long>(std::lround(q * (unit == 1 ? 1 : 60)))};
    } else {
      day_shift_ += static_cast<int>(std::lround(q * days_per(unit)));
      base_today_ = true;
    }
    use(i_, end);
    i_ = end;
    return true;
  }

  // ---- weekdays ----------------------------------------------------------------------------
  static local_days next_weekday_after(local_days d, int wd) {
    const date::weekday target{static_cast<unsigned>(wd)};
    local_days n = d + days{1};
    return n + (target - date::weekday{n});
  }
  local_days monday_of(local_days d) const { return d - (date::weekday{d} - date::Monday); }

  bool weekday_rule(bool has_modifier) {
    const std::size_t i = i_;
    std::string_view mod = has_modifier ? w(i) : std::string_view{};
    if (has_modifier && toks_[i].kind == TokenKind::number) {
      static constexpr std::array<std::string_view, 5> kNth{"", "first", "second", "third", "fourth"};
      mod = kNth[static_cast<std::size_t>(std::clamp<std::int64_t>(val(i), 0, 4))];
    }
    std::size_t at = has_modifier ? i + 1 : i;
    int wd = weekday_full(w(at));
    bool abbr = false;
    if (wd < 0) {
      wd = weekday_abbr(w(at));
      abbr = wd >= 0;
    }
    if (wd < 0) return false;
    if (abbr && !has_modifier) {
      // "fri" / "sat" / "sun" are words too: only with a comma, a date or "on" next to them.
      const bool ok = w(at + 1) == "," || w(at + 1) == "." || w(at + 1) == "at" || is_num(at + 1) ||
                      (at > 0 && (toks_[at - 1].text == "on" || toks_[at - 1].text == "until"));
      if (!ok) return false;
    }
    std::size_t end = at + 1;
    if (w(end) == "," || w(end) == ".") ++end;
    // "<weekday> (of) next week" / "(of) this week"
    std::size_t k = end;
    if (w(k) == "of") ++k;
    bool next_week = mod == "next";
    bool this_week = false;
    if (w(k) == "next" && w(k + 1) == "week") {
      next_week = true;
      end = k + 2;
    } else if ((w(k) == "this" || w(k) == "the" || w(k) == "current") && w(k + 1) == "week") {
      this_week = true;
      end = k + 2;
    }
    // "last/first <weekday> of/in <month>"
    if (mod == "last" || mod == "first" || mod == "second" || mod == "third" || mod == "fourth") {
      if ((w(end) == "of" || w(end) == "in") && month_of(w(end + 1)) > 0) {
        const unsigned m = static_cast<unsigned>(month_of(w(end + 1)));
        const int nth = mod == "first" ? 1 : mod == "second" ? 2 : mod == "third" ? 3 : mod == "fourth" ? 4 : -1;
        auto compute = [&](date::year y) -> local_days {
          const date::weekday target{static_cast<unsigned>(wd)};
          if (nth > 0) return local_days{y / date::month{m} / target[static_cast<unsigned>(nth)]};
          return local_days{y / date::month{m} / target[date::last]};
        };
        const date::year_month_day t{today_};
        std::size_t stop = end + 2;
        local_days d;
        if (is_num(stop) && val(stop) >= 1900 && val(stop) <= 2100) {
          d = compute(date::year{static_cast<int>(val(stop))});
          ++stop;
        } else {
          d = compute(t.year());
          if (d < today_) d = compute(t.year() + date::years{1});
        }
        set_date(d);
        use(i, stop);
        return advance(stop - i);
      }
      if (mod == "last") {  // "last friday" is in the past: never a booking time
        invalid_ = true;
        return true;
      }
      if (!has_modifier) return false;
      mod = {};
    }
    local_days d;
    if (w(end) == "after" && w(end + 1) == "next") {  // "friday after next": the second one from today
      d = next_weekday_after(next_weekday_after(today_, wd), wd);
      weekday_date_ = d;
      use(i, end + 2);
      return advance(end + 2 - i);
    }
    if (next_week) {
      d = monday_of(today_) + days{7} + days{(wd + 6) % 7};
    } else if (this_week) {
      d = monday_of(today_) + days{(wd + 6) % 7};
    } else {
      d = next_weekday_after(today_, wd);
      if (!has_modifier && end == at + 1 && w(end) == "week") {  // British "friday week": a week on
        d += days{7};
        ++end;
      }
    }
    weekday_date_ = d;
    use(i, end);
    return advance(end - i);
  }

  // ---- month names -------------------------------------------------------------------------
  bool month_rule() {
    const std::size_t i = i_;
    const int m = month_of(w(i));
    std::size_t k = i + 1;
    if (w(k) == ".") ++k;
    if (w(k) == "the") ++k;
    if (is_num(k) && val(k) >= 1 && toks_[k].text.size() <= 2 && val(k) <= 99) {
      const auto d = static_cast<unsigned>(val(k));
      std::size_t end = k + 1;
      int year = 0;
      std::size_t y = end;
      if (w(y) == ",") ++y;
      if (is_num(y) && val(y) >= 1900 && val(y) <= 2100) {
        year = static_cast<int>(val(y));
        end = y + 1;
      }
      month_day(m, d, year);
      use(i, end);
      return advance(end - i);
    }
    return false;
  }

  // "15 february", "the 15th of february", "20 of next month", "20th day of this month"
  bool day_month_rule() {
    const std::size_t i = i_;
    const std::int64_t d = val(i);
    if (d < 1 || d > 31 || (toks_[i].text.size() > 2 && !toks_[i].from_words)) return false;
    std::size_t k = i + 1;
    if (w(k) == "day" && w(k + 1) == "of") ++k;
    if (w(k) == "of") ++k;
    if (w(k) == "the") ++k;
    if (const int m = month_of(w(k)); m > 0 && (w(k) != "may" || k > i + 1 || true)) {
      std::size_t end = k + 1;
      if (w(end) == ".") ++end;
      int year = 0;
      std::size_t y = end;
      if (w(y) == ",") ++y;
      if (is_num(y) && val(y) >= 1900 && val(y) <= 2100) {
        year = static_cast<int>(val(y));
        end = y + 1;
      }
      if (m == 5 && k == i + 1 && !toks_[i].ordinal && w(i + 1) == "may" && false) return false;
      month_day(m, static_cast<unsigned>(d), year);
      use(i, end);
      return advance(end - i);
    }
    if ((w(k) == "next" || w(k) == "this" || w(k) == "current") && w(k + 1) == "month" && k > i + 1) {
      const date::year_month_day t{today_};
      date::year_month ym = t.year() / t.month();
      if (w(k) == "next") ym += date::months{1};
      const year_month_day ymd{ym.year(), ym.month(), date::day{static_cast<unsigned>(d)}};
      if (!ymd.ok()) {
        invalid_ = true;
        return true;
      }
      if (!date_) date_ = local_days{ymd};
      use(i, k + 2);
      return advance(k + 2 - i);
    }
    // A written ordinal alone: "24th", "on the 15th"
    if (toks_[i].ordinal && !(is_num(i + 1)) && unit_len(i + 1) == 0 && weekday_full(w(i + 1)) < 0) {
      const bool word_ordinal = toks_[i].from_words;
      const bool cue = i > 0 && (toks_[i - 1].text == "the" || toks_[i - 1].text == "on");
      if (!word_ordinal || cue) {
        day_of_month(static_cast<unsigned>(d));
        use(i, i + 1);
        return advance(1);
      }
    }
    return false;
  }

  bool ordinal_day_rule() { return false; }

  void day_of_month(unsigned d) {
    const date::year_month_day t{today_};
    date::year_month ym = t.year() / t.month();
    for (int k = 0; k < 3; ++k) {
      const year_month_day c{ym.year(), ym.month(), date::day{d}};
      if (c.ok() && local_days{c} >= today_) {
        if (!date_) date_ = local_days{c};
        return;
      }
      ym += date::months{1};
    }
    invalid_ = true;
  }

  void month_day(int m, unsigned d, int year) {
    if (year != 0) {
      explicit_date(year, static_cast<unsigned>(m), d);
      return;
    }
    const date::year_month_day t{today_};
    year_month_day c{t.year(), date::month{static_cast<unsigned>(m)}, date::day{d}};
    if (!c.ok()) {
      // Feb 29 in a non-leap year may still exist next leap year; anything else is invalid.
      if (!(m == 2 && d == 29)) {
        invalid_ = true;
        return;
      }
    }
    for (int k = 0; k < 8; ++k) {
      const year_month_day y{t.year() + date::years{k}, c.month(), c.day()};
      if (y.ok() && local_days{y} >= today_) {
        if (!date_) date_ = local_days{y};
        return;
      }
    }
    invalid_ = true;
  }

  void explicit_date(int y, unsigned m, unsigned d) {
    const year_month_day c{date::year{y}, date::month{m}, date::day{d}};
    if (!c.ok()) {
      invalid_ = true;
      return;
    }
    if (!date_) date_ = local_days{c};
  }

  bool numeric_date() {
    const std::size_t i = i_;
    std::int64_t a = val(i);
    std::int64_t b = val(i + 2);
    std::size_t end = i + 3;
    int year = 0;
    if (w(end) == "/" && is_num(end + 1)) {
      year = static_cast<int>(val(end + 1));
      if (year < 100) year += 2000;
      end += 2;
    }
    if (a > 12 && b <= 12) std::swap(a, b);  // day/month when unambiguous
    if (a < 1 || a > 12 || b < 1 || b > 31) {
      invalid_ = true;
      return true;
    }
    month_day(static_cast<int>(a), static_cast<unsigned>(b), year);
    use(i, end);
    return advance(end - i);
  }

  // ---- holidays ------------------------------------------------------------------------------
  bool holiday_rule() {
    const std::size_t i = i_;
    std::string_view a = w(i);
    std::string_view b = w(i + 1);
    std::string_view c = w(i + 2);
    std::size_t len = 0;
    int kind = -1;
    enum { kXmas, kXmasEve, kBoxing, kNyEve, kNyDay, kValentine, kHalloween, kEaster, kGoodFriday, kCanada,
           kVictoria, kFamily, kLabour, kThanksgiving, kRemembrance, kCivic, kMother, kFather, kEasterMonday };
    auto day_word = [](std::string_view x) { return x == "day"; };
    if ((a == "christmas" || a == "xmas") && (b == "eve")) kind = kXmasEve, len = 2;
    else if (a == "christmas" || a == "xmas") kind = kXmas, len = day_word(b) ? 2 : 1;
    else if (a == "boxing" && day_word(b)) kind = kBoxing, len = 2;
    else if (a == "new" && (b == "year's" || b == "years" || b == "year") && c == "eve") kind = kNyEve, len = 3;
    else if (a == "new" && (b == "year's" || b == "years" || b == "year") && c == "day") kind = kNyDay, len = 3;
    else if ((a == "valentine's" || a == "valentines" || a == "valentine") && day_word(b)) kind = kValentine, len = 2;
    else if (a == "halloween") kind = kHalloween, len = 1;
    else if (a == "easter" && b == "monday") kind = kEasterMonday, len = 2;
    else if (a == "easter") kind = kEaster, len = (b == "sunday" || b == "day") ? 2 : 1;
    else if (a == "good" && b == "friday") kind = kGoodFriday, len = 2;
    else if (a == "canada" && day_word(b)) kind = kCanada, len = 2;
    else if ((a == "victoria" || a == "patriots" || a == "patriots'") && day_word(b)) kind = kVictoria, len = 2;
    else if (a == "family" && day_word(b)) kind = kFamily, len = 2;
    else if (a == "labour" || a == "labor") { if (day_word(b)) kind = kLabour, len = 2; }
    else if (a == "thanksgiving") kind = kThanksgiving, len = day_word(b) ? 2 : 1;
    else if (a == "remembrance" && day_word(b)) kind = kRemembrance, len = 2;
    else if (a == "civic" && b == "holiday") kind = kCivic, len = 2;
    else if ((a == "heritage" || a == "natal" || a == "simcoe" || a == "saskatchewan") && day_word(b)) kind = kCivic, len = 2;
    else if (a == "new" && b == "brunswick" && day_word(c)) kind = kCivic, len = 3;
    else if (a == "british" && b == "columbia" && day_word(c)) kind = kCivic, len = 3;
    else if (a == "terry" && b == "fox" && day_word(c)) kind = kCivic, len = 3;
    else if ((a == "mother's" || a == "mothers") && day_word(b)) kind = kMother, len = 2;
    else if ((a == "father's" || a == "fathers") && day_word(b)) kind = kFather, len = 2;
    if (kind < 0) return false;

    auto compute = [&](date::year y) -> local_days {
      using namespace date;
      switch (kind) {
        case kXmas: return local_days{y / December / 25};
        case kXmasEve: return local_days{y / December / 24};
        case kBoxing: return local_days{y / December / 26};
        case kNyEve: return local_days{y / December / 31};
        case kNyDay: return local_days{y / January / 1};
        case kValentine: return local_days{y / February / 14};
        case kHalloween: return local_days{y / October / 31};
        case kEaster: return local_days{calendar::easter_sunday(y)};
        case kEasterMonday: return local_days{calendar::easter_sunday(y)} + days{1};
        case kGoodFriday: return local_days{calendar::easter_sunday(y)} - days{2};
        case kCanada: return local_days{y / July / 1};
        case kVictoria: {
          const local_days may24{y / May / 24};
          return may24 - (weekday{may24} - Monday);
        }
        case kFamily: return local_days{y / February / Monday[3]};
        case kLabour: return local_days{y / September / Monday[1]};
        case kThanksgiving: return local_days{y / October / Monday[2]};
        case kRemembrance: return local_days{y / November / 11};
        case kCivic: return local_days{y / August / Monday[1]};
        case kMother: return local_days{y / May / Sunday[2]};
        case kFather: return local_days{y / June / Sunday[3]};
        default: return local_days{y / January / 1};
      }
    };
    const date::year_month_day t{today_};
    local_days d = compute(t.year());
    if (d < today_) d = compute(t.year() + date::years{1});
    set_date(d);
    std::size_t start = i;
    if (i > 0 && (toks_[i - 1].text == "next" || toks_[i - 1].text == "this")) used_[i - 1] = true;
    use(start, i + len);
    return advance(len);
  }

  // ---- final assembly ----------------------------------------------------------------------
  void accept_bare_hour() {
    if (clock_.hour >= 0 || invalid_) return;
    std::size_t content = 0;
    for (std::size_t k = 0; k < toks_.size(); ++k) content += toks_[k].kind != TokenKind::punct ? 1 : 0;
    for (std::size_t i : bare_hours_) {
      if (used_[i]) continue;
      const bool cue = i > 0 && prev_is_cue(i);
      const std::string_view nx = i + 1 < toks_.size() ? std::string_view(toks_[i + 1].text) : std::string_view{};
      const bool before_part = (part_ != Part::none || date_.has_value()) &&
                               (nx == "tonight" || nx == "tomorrow" || nx == "today" || nx == "this" || nx == "in" ||
                                nx == "at" || nx == "on" || part_word(nx) != Part::none);
      const bool alone = content == 1;
      if (cue || before_part || alone) {
        clock_ = Clock{static_cast<int>(val(i)), 0, 0, false, false};
        used_[i] = true;
        return;
      }
    }
  }

  // Hour in 0..23 for a clock on a given day.
  int hour24(const Clock& c, local_days day) const {
    if (c.twenty_four) return c.hour % 24;
    const int h = c.hour % 12;  // 12 -> 0
    if (c.meridiem == 1) return h;
    if (c.meridiem == 2) return h + 12;
    switch (part_) {
      case Part::morning: return h;
      case Part::lunch: return c.hour >= 11 ? c.hour : h + 12;
      case Part::afternoon:
      case Part::evening: return h + 12;
      case Part::night: return c.hour == 12 ? 0 : (c.hour <= 4 ? h : h + 12);
      case Part::none: break;
    }
    if (c.hour == 12) return 12;
    // Business-hours reading.
    const auto& hours = ctx_.calendar->hours().by_weekday;
    auto inside = [&](int h24, const auto& spans) {
      const std::chrono::minutes t{h24 * 60 + c.minute};
      return std::any_of(spans.begin(), spans.end(), [&](const auto& s) { return t >= s.first && t < s.second; });
    };
    const auto wd = date::weekday{day}.c_encoding();
    const auto& todays = hours[wd];
    bool am = inside(h, todays);
    bool pm = inside(h + 12, todays);
    if (todays.empty()) {
      for (const auto& spans : hours) {
        am = am || inside(h, spans);
        pm = pm || inside(h + 12, spans);
      }
    }
    if (am != pm) return am ? h : h + 12;
    return c.hour >= 7 ? h : h + 12;
  }

  std::optional<When> resolve() {
    if (exact_offset_ && !date_ && !weekday_date_ && clock_.hour < 0 && day_shift_ == 0) {
      // Elapsed time: add it to the instant, then read the wall clock (DST-correct).
      const auto then = date::floor<std::chrono::minutes>(ctx_.now) + *exact_offset_;
      return When{date::local_seconds{ctx_.calendar->to_local(std::chrono::sys_seconds{then})}};
    }
    if (now_ && !date_ && !weekday_date_ && clock_.hour < 0 && day_shift_ == 0) return When{now_local_};
    std::optional<local_days> day = date_ ? date_ : weekday_date_;
    const bool explicit_day = day.has_value() || day_shift_ != 0;
    if (day_shift_ != 0) day = (day && !base_today_ ? *day : (day ? *day : today_)) + days{day_shift_};
    if (exact_offset_ && day) {
      // "in 2 days ... in 3 hours": ignore the hour offset once a day is set.
    }
    if (clock_.hour < 0) {
      if (!day && part_ != Part::none) day = today_;
      if (!day) return std::nullopt;
      if (*day < today_) return std::nullopt;
      return When{DateOnly{year_month_day{*day}}};
    }
    local_days d = day.value_or(today_);
    const int h = hour24(clock_, d);
    auto at = [&](local_days dd) {
      date::local_seconds t = dd + std::chrono::hours{h} + std::chrono::minutes{clock_.minute};
      if (clock_.midnight) t += days{1};
      return t + minute_shift_;
    };
    date::local_seconds t = at(d);
    if (t < now_local_) {
      if (explicit_day) return std::nullopt;
      t = at(d + days{1});
    }
    return When{t};
  }

  const TimeContext& ctx_;
  std::vector<Token> toks_;
  std::vector<bool> used_;
  std::vector<bool> blocked_;
  std::vector<double> decimal_;
  std::size_t i_ = 0;
  local_days today_;
  date::local_seconds now_local_;

  std::optional<local_days> date_;
  std::optional<local_days> weekday_date_;
  Clock clock_;
  Part part_ = Part::none;
  std::optional<std::chrono::minutes> exact_offset_;
  std::chrono::minutes minute_shift_{0};
  int day_shift_ = 0;
  bool base_today_ = false;
  bool now_ = false;
  bool invalid_ = false;
  std::vector<std::size_t> bare_hours_;
};

}  // namespace

std::optional<When> extract_datetime(std::string_view text, const TimeContext& ctx) {
  if (ctx.calendar == nullptr) return std::nullopt;
  Parser p(text, ctx);
  return p.run();
}

// Provisional (issue 12 replaces it with the parser's own record of what it matched): every
// value counts as a said date, and a clock time as a said time; past values are not reported.
std::optional<HeardTime> hear_datetime(std::string_view text, const TimeContext& ctx) {
  auto when = extract_datetime(text, ctx);
  if (!when) return std::nullopt;
  HeardTime h;
  h.when = when;
  h.said.date = true;
  h.said.time = std::holds_alternative<date::local_seconds>(*when);
  h.rule = "provisional";
  return h;
}

}  // namespace bella::understand
