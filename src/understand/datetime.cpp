// Date/time extraction: a token scanner with small rules, resolved in the clinic's zone.
// The conventions are documented in include/bella/understand/extract.hpp.
#include <algorithm>
#include <array>
#include <cmath>

#include "bella/calendar/named_days.hpp"
#include "bella/understand/extract.hpp"
#include "understand/lexicon.hpp"
#include "understand/numbers.hpp"

namespace bella::understand {
namespace {

using namespace std::chrono_literals;
using date::days;
using date::local_days;
using date::sys_days;
using date::year_month_day;

enum class Part { none, morning, lunch, afternoon, evening, night };

const Lexicon& vocab() { return english(); }

int weekday_full(std::string_view w) { return lookup(vocab().weekdays, w); }
int weekday_abbr(std::string_view w) { return lookup(vocab().weekday_abbrevs, w); }
int month_of(std::string_view w) {  // 1..12 or 0
  const int m = lookup(vocab().months, w);
  return m < 0 ? 0 : m;
}

// "noonish", "sevenish" -> "noon ish", "seven ish" (the tokenizer keeps a letter run whole).
bool has_ish_word(std::string_view text) {
  for (std::size_t p = text.find("ish"); p != std::string_view::npos; p = text.find("ish", p + 1)) {
    const std::size_t e = p + 3;
    const bool word_end = e >= text.size() || !std::isalpha(static_cast<unsigned char>(text[e]));
    if (word_end && p > 0 && std::isalpha(static_cast<unsigned char>(text[p - 1]))) return true;
  }
  return false;
}
std::string split_ish(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isalpha(static_cast<unsigned char>(text[i]))) {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) ++j;
    const std::string_view word = text.substr(i, j - i);
    bool split = false;
    if (word.size() > 4 && (word.ends_with("ish") || word.ends_with("ISH"))) {
      const std::string_view stem = word.substr(0, word.size() - 3);
      const std::vector<Token> t = understand::lex(stem);
      const std::string lower = t.size() == 1 ? t[0].text : std::string{};
      split = lower == "noon" || lower == "midday" || lower == "midnight" ||
              (t.size() == 1 && t[0].kind == TokenKind::number && t[0].value >= 1 && t[0].value <= 12);
      if (split) {
        out += stem;
        out += " ish";
      }
    }
    if (!split) out += word;
    i = j;
  }
  return out;
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
    if (has_ish_word(text)) {
      text_ = split_ish(text);
      text = text_;
    }
    toks_ = understand::lex(text);
    prepare();
    const auto local_now = ctx_.calendar->to_local(ctx_.now);
    today_ = local_days{date::floor<days>(local_now)};
    now_local_ = date::floor<std::chrono::minutes>(local_now);
  }

  std::optional<HeardTime> run() {
    for (i_ = 0; i_ < toks_.size() && !invalid_ && !not_a_time_;) {
      if (!step()) ++i_;
    }
    if (invalid_ || not_a_time_) return std::nullopt;
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
    block_quantities_and_identifiers();
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
      // A range of clock times written with a dash stays readable: "3:30-4:30pm", "12-3pm", "1pm-3".
      const bool clock_next = e + 1 < m && (toks_[e + 1].text == ":" || toks_[e + 1].text == "am" ||
                                            toks_[e + 1].text == "pm");
      const bool clock_before = k > 0 && toks_[k - 1].text == ":";
      if (groups == 2 && toks_[k + 1].text == "-" && (clock_next || clock_before)) {
        k = e;
        continue;
      }
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

  // Numbers that count or identify something are not times: "2 to 4 people", "30 mg", "$40",
  // "my PIN is 1234", "room 12".
  void block_quantities_and_identifiers() {
    const std::size_t m = toks_.size();
    for (std::size_t k = 0; k < m; ++k) {
      if (toks_[k].kind != TokenKind::number) continue;
      if (measure_follows(k + 1) || (k > 0 && toks_[k - 1].text == "$")) {
        blocked_[k] = true;
        // "2 to 4 people", "2 or 3 times": the first number of the pair counts too.
        if (k >= 2 && toks_[k - 2].kind == TokenKind::number &&
            (toks_[k - 1].text == "to" || toks_[k - 1].text == "or" || toks_[k - 1].text == "-" ||
             toks_[k - 1].text == "and")) {
          blocked_[k - 2] = true;
        }
      }
    }
    for (std::size_t k = 0; k < m; ++k) {
      if (toks_[k].kind == TokenKind::number || !contains(vocab().id_words, toks_[k].text)) continue;
      std::size_t n = k + 1;
      while (n < m && (toks_[n].text == "is" || toks_[n].text == "number" || toks_[n].text == ":" ||
                       toks_[n].text == "#" || toks_[n].text == "was" || toks_[n].text == "no")) {
        ++n;
      }
      while (n < m && (toks_[n].kind == TokenKind::number || toks_[n].text == "-")) blocked_[n++] = true;
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
      if (time_rule_.empty()) time_rule_ = "now";
      use(i, i + 1);
      return advance(1);
    }
    if (x == "born" || x == "birth" || x == "dob") {  // a date of birth is not a booking time
      not_a_time_ = true;
      return true;
    }
    // Greetings with a part-of-day word: "good morning", "good night" say nothing about a time.
    if (x == "good" && (part_word(w(i + 1)) != Part::none || w(i + 1) == "day")) {
      use(i, i + 2);
      return advance(2);
    }
    if (x == "ish" || (x == "or" && w(i + 1) == "so")) {  // "7ish", "noon-ish", "at 3 or so"
      approx_word_ = true;
      use(i, i + (x == "or" ? 2 : 1));
      return advance(x == "or" ? 2 : 1);
    }
    if (span_rule()) return true;
    if (x == "past" && (weekday_full(w(i + 1)) >= 0 || weekday_abbr(w(i + 1)) >= 0)) {  // "this past monday"
      invalid_ = true;
      return true;
    }
    if (x == "yesterday" || x == "ago") {  // the past is never a booking time
      invalid_ = true;
      return true;
    }
    if (x == "today") return set_date_rel(0, 1, "date.today");
    if (x == "tonight" || x == "tonite" || x == "tonights" || x == "tonight's") {
      part_ = Part::night;
      return set_date_rel(0, 1, "date.tonight");
    }
    if (x == "tomorrow" || x == "tmrw" || x == "tmr" || x == "tomorow" || x == "tomorrow's" || x == "tomorrows") {
      return set_date_rel(1, 1, "date.tomorrow");
    }
    if (x == "day" && w(i + 1) == "after" && w(i + 2) == "tomorrow") return set_date_rel(2, 3, "date.day_after_tomorrow");
    if (x == "midnight") {
      if (range_rule()) return true;
      set_clock(Clock{0, 0, 1, true, true}, "clock.midnight");
      use(i, i + 1);
      return advance(1);
    }
    if (x == "noon" || x == "midday" || (x == "mid" && w(i + 1) == "day")) {
      if (range_rule()) return true;
      const std::size_t len = x == "mid" ? 2 : 1;
      set_clock(Clock{12, 0, 2, true, false}, "clock.noon");
      use(i, i + len);
      return advance(len);
    }
    if (const Part p = part_word(x); p != Part::none) {
      part_ = p;
      if (i > 0 && w(i - 1) == "this") set_date(today_, "date.this_part_of_day");
      use(i, i + 1);
      return advance(1);
    }
    if (holiday_rule()) return true;
    if (x == "next" && w(i + 1) == "day") return set_date_rel(1, 2, "date.tomorrow");
    if (x == "next" || x == "this" || x == "coming" || x == "upcoming" || x == "last" || x == "final" || x == "first" || x == "second" || x == "third" ||
        x == "fourth") {
      if (weekday_rule(true)) return true;
    }
    if (weekday_full(x) >= 0 || weekday_abbr(x) >= 0) return weekday_rule(false);
    if (month_of(x) > 0) return month_rule();
    if (x == "half" || x == "quarter" || (x == "a" && w(i + 1) == "quarter")) return fraction_rule();
    if (x == "in" || x == "within" || x == "after") return relative_rule();
    if ((x == "a" || x == "an") && unit_len(i + 1) > 0) return quantity_rule(i, 1.0);
    if (x == "couple" || (x == "a" && w(i + 1) == "couple")) return quantity_rule_couple();
    return false;
  }

  bool advance(std::size_t n) {
    i_ += n;
    return true;
  }

  static Part part_word(std::string_view x) {
    const int p = lookup(vocab().parts_of_day, x);
    return p < 0 ? Part::none : static_cast<Part>(p);  // Part and PartCode share their values
  }

  bool measure_follows(std::size_t k) const { return k < toks_.size() && contains(vocab().measures, toks_[k].text); }

  // A clock time at k, without side effects: noon, midnight, H:MM, H [MM] [am/pm], 13-23, HHMM.
  std::pair<Clock, std::size_t> clock_at(std::size_t k) {
    if (w(k) == "noon" || w(k) == "midday") return {Clock{12, 0, 2, true, false}, 1};
    if (w(k) == "midnight") return {Clock{0, 0, 1, true, true}, 1};
    if (!is_num(k) || toks_[k].ordinal || decimal_[k] >= 0) return {Clock{}, 0};
    const std::int64_t v = val(k);
    if (w(k + 1) == ":" && is_num(k + 2) && toks_[k + 2].text.size() == 2) {
      const std::int64_t m = val(k + 2);
      if (v > 23 || m > 59) return {Clock{}, 0};
      Clock c{static_cast<int>(v), static_cast<int>(m), 0, v >= 13 || v == 0 || toks_[k].text.size() == 2, false};
      const std::size_t len = 3 + meridiem_after(k + 3, c);
      if (c.meridiem != 0 && v >= 1 && v <= 12) c.twenty_four = false;
      return {c, len};
    }
    if (v >= 1 && v <= 12) {
      Clock c{static_cast<int>(v), 0, 0, false, false};
      std::size_t len = 1;
      if (toks_[k].from_words && is_num(k + 1) && toks_[k + 1].from_words && !toks_[k + 1].ordinal && val(k + 1) >= 10 &&
          val(k + 1) <= 59) {
        c.minute = static_cast<int>(val(k + 1));  // "ten thirty"
        len = 2;
      }
      len += meridiem_after(k + len, c);
      return {c, len};
    }
    if (v >= 13 && v <= 23 && toks_[k].text.size() == 2 && !toks_[k].from_words) {
      return {Clock{static_cast<int>(v), 0, 0, true, false}, 1};
    }
    if (!toks_[k].from_words && (toks_[k].text.size() == 3 || toks_[k].text.size() == 4) && v < 2400 && v % 100 < 60) {
      Clock c{static_cast<int>(v / 100), static_cast<int>(v % 100), 0, toks_[k].text.size() == 4 && v / 100 > 12, false};
      return {c, 1 + meridiem_after(k + 1, c)};
    }
    return {Clock{}, 0};
  }

  // "from 9 to 10", "between 2 and 3 pm", "10 to 11 in the morning", "9am - 10am": the start.
  // Two bare hours joined by "to" are a range when the second is 1-4 hours after the first (or a
  // "from"/"between", a meridiem or minutes mark them); otherwise "ten to five" is 4:50.
  bool range_rule() {
    const std::size_t i = i_;
    auto [a, alen] = clock_at(i);
    if (alen == 0) return false;
    const std::size_t k = i + alen;
    const std::string_view before = i > 0 ? std::string_view(toks_[i - 1].text) : std::string_view{};
    const bool between = before == "between";
    const bool from = before == "from";
    const std::string_view conn = w(k);
    const bool connector = conn == "to" || conn == "till" || conn == "til" || conn == "until" || conn == "through" ||
                           conn == "thru" || conn == "-" || (conn == "and" && between);
    if (!connector) return false;
    // "15 to noon" is a quarter to twelve: a bare 13-23 starts no range.
    if (alen == 1 && a.twenty_four && a.hour >= 13 && !between && !from) return false;
    auto [b, blen] = clock_at(k + 1);
    if (blen == 0 || measure_follows(k + 1 + blen)) return false;
    const bool marked = between || from || a.meridiem != 0 || b.meridiem != 0 || a.minute != 0 || b.minute != 0 ||
                        a.twenty_four || b.twenty_four;
    if (!marked) {
      const int diff = ((b.hour % 12) - (a.hour % 12) + 12) % 12;
      if (diff < 1 || diff > 4) return false;
    }
    // The end's meridiem carries to the start: "2 to 3 pm" starts at 14:00, "11 to 1 pm" at 11:00.
    if (a.meridiem == 0 && !a.twenty_four && b.meridiem != 0) {
      const int ah = a.hour % 12;
      const int bh = b.hour % 12;
      a.meridiem = ah <= bh ? b.meridiem : (b.meridiem == 2 ? 1 : 2);
    }
    set_clock(a, "clock.range_start");
    range_ = true;
    use(i, k + 1 + blen);
    return advance(k + 1 + blen - i);
  }

  // Spans: "next week", "this week", "the week after next", "(this|next|the) weekend", "next month",
  // "this month". (A month alone, "in March", is read by month_rule.)
  bool span_rule() {
    const std::size_t i = i_;
    const std::string_view x = w(i);
    const std::string_view y = w(i + 1);
    const local_days monday = monday_of(today_);
    const auto weekend_from = [&](local_days week_monday) {
      const local_days sat = week_monday + days{5};
      const local_days first = std::max(sat, today_);
      set_span(first, static_cast<int>((week_monday + days{7} - first).count()), "span.weekend");
    };
    if (x == "the" && y == "week" && w(i + 2) == "after" && w(i + 3) == "next") {
      set_span(monday + days{14}, 7, "span.week");
      span_week_ = true;
      use(i, i + 4);
      return advance(4);
    }
    const bool this_ = x == "this" || x == "the" || x == "current";
    const bool next_ = x == "next" || x == "coming" || (x == "the" && y == "following");
    const std::size_t unit_at = (x == "the" && (y == "following" || y == "coming")) ? i + 2 : i + 1;
    const std::string_view unit = w(unit_at);
    if (!this_ && !next_) {
      if (x == "weekend" && i > 0 && (toks_[i - 1].text == "on" || toks_[i - 1].text == "over" ||
                                      toks_[i - 1].text == "for" || toks_[i - 1].text == "during")) {
        weekend_from(monday);
        use(i, i + 1);
        return advance(1);
      }
      return false;
    }
    const bool next = next_ || (x == "the" && y == "coming");
    if (unit == "week" && !(x == "the" && !next)) {
      if (next) set_span(monday + days{7}, 7, "span.week");
      else set_span(today_, static_cast<int>((monday + days{7} - today_).count()), "span.week");
      span_week_ = true;
    } else if (unit == "weekend" || unit == "weekends") {
      weekend_from(next ? monday + days{7} : monday);
    } else if (unit == "month" && !(x == "the" && !next)) {
      const date::year_month_day t{today_};
      date::year_month ym = t.year() / t.month();
      if (next) ym += date::months{1};
      const local_days first = next ? local_days{ym / date::day{1}} : today_;
      const local_days after{(ym + date::months{1}) / date::day{1}};
      set_span(first, static_cast<int>((after - first).count()), "span.month");
    } else {
      return false;
    }
    use(i, unit_at + 1);
    return advance(unit_at + 1 - i);
  }

  void set_span(local_days first, int n, std::string_view rule) {
    if (span_ || n <= 0) return;
    span_ = Span{year_month_day{first}, n};
    span_rule_ = rule;
  }
  void set_weekday(local_days d, int wd, std::string_view rule) {
    if (weekday_date_) return;
    weekday_date_ = d;
    weekday_said_ = wd;
    weekday_rule_ = rule;
  }

  bool set_date_rel(int offset, std::size_t len, std::string_view rule) {
    set_date(today_ + days{offset}, rule);
    use(i_, i_ + len);
    return advance(len);
  }
  void set_date(local_days d, std::string_view rule) {
    if (!date_) {
      date_ = d;
      date_rule_ = rule;
    }
  }
  // The first clock time said wins; a later one is a range's end (handled by range_rule) or a
  // second thought the call can ask about.
  void set_clock(const Clock& c, std::string_view rule) {
    if (clock_.hour >= 0) return;
    clock_ = c;
    time_rule_ = rule;
  }

  // ---- numbers: clock times, dates with numbers, quantities ------------------------------
  bool number_rules() {
    const std::size_t i = i_;
    if (blocked_[i]) return false;
    const std::int64_t v = val(i);
    if (decimal_[i] >= 0) {
      if (unit_len(i + 3) > 0) return quantity_rule(i + 2, decimal_[i], i);
      // "9.30" written the British way, with a cue: a clock time.
      if (toks_[i + 2].text.size() == 2 && v <= 23 && val(i + 2) < 60 &&
          (prev_is_cue(i) || w(i + 3) == "am" || w(i + 3) == "pm" || part_follows(i + 3))) {
        Clock c{static_cast<int>(v), static_cast<int>(val(i + 2)), 0, v >= 13, false};
        const std::size_t len = 3 + meridiem_after(i + 3, c);
        set_clock(c, "clock.h_dot_mm");
        use(i, i + len);
        return advance(len);
      }
      return false;
    }
    // numeric date m/d[/y]
    if (w(i + 1) == "/" && is_num(i + 2) && !toks_[i + 1].space_before && !toks_[i + 2].space_before) {
      if (decimal_[i + 2] >= 0) return false;  // "30/4.5": a lab value, not a date
      return numeric_date();
    }
    // ISO date yyyy-mm-dd
    if (v >= 1900 && v <= 2100 && w(i + 1) == "-" && is_num(i + 2) && w(i + 3) == "-" && is_num(i + 4)) {
      explicit_date(static_cast<int>(v), static_cast<unsigned>(val(i + 2)), static_cast<unsigned>(val(i + 4)), "date.iso");
      use(i, i + 5);
      return advance(5);
    }
    if (range_rule()) return true;
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
      set_clock(c, "clock.h_colon_mm");
      use(i, i + len);
      return advance(len);
    }
    // Ordinal + of + month / day of (next|this) month
    if (unit_len(i + 1) > 0 && quantity_rule(i, static_cast<double>(v))) return true;
    if (const std::size_t u = and_a_half_unit(i); u != 0 && quantity_rule(u - 1, static_cast<double>(v) + 0.5, i)) {
      return true;
    }
    if (const std::size_t u = three_quarters_unit(i); u != 0 && quantity_rule(u - 1, 0.75, i)) return true;
    // "first tuesday of october", "last monday in march"
    if (toks_[i].ordinal && v >= 1 && v <= 4 && (weekday_full(w(i + 1)) >= 0) && weekday_rule(true)) return true;
    if (w(i + 1) == "couple" || w(i + 1) == "few") return false;
    // "3 fridays from now"
    if (const int wd = weekday_full(w(i + 1));
        wd >= 0 && w(i + 2) == "from" && (w(i + 3) == "now" || w(i + 3) == "today") && v >= 1 && v <= 10) {
      local_days d = today_;
      for (std::int64_t k = 0; k < v; ++k) d = next_weekday_after(d, wd);
      set_date(d, "date.n_weekdays_from_now");
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
      set_clock(c, "clock.h_meridiem");
      use(i, i + len);
      return advance(len);
    }
    // HMM / HHMM written ("1030", "330 pm", "730 in the evening")
    if (!toks_[i].from_words && (toks_[i].text.size() == 3 || toks_[i].text.size() == 4) && v < 2400 && v % 100 < 60) {
      // A day word next to it also makes it a time: "1230 friday", "tomorrow 1030".
      auto day_word = [&](std::string_view x) {
        return weekday_full(x) >= 0 || x == "today" || x == "tomorrow" || x == "tonight";
      };
      const bool military = w(i + 1) == "h" || w(i + 1) == "hours" || w(i + 1) == "hrs";  // "1300 hours"
      const bool cue = military || (w(i + 1) == "am" || w(i + 1) == "pm") || prev_is_cue(i) || part_follows(i + 1) ||
                       day_word(toks_.size() > i + 1 ? std::string_view(toks_[i + 1].text) : "") ||
                       (i > 0 && day_word(toks_[i - 1].text));
      if (cue) {
        Clock c{static_cast<int>(v / 100), static_cast<int>(v % 100), 0, toks_[i].text.size() == 4 && v / 100 > 12, false};
        if (toks_[i].text.front() == '0' || military) c.twenty_four = true;
        std::size_t len = military ? 2 : 1 + meridiem_after(i + 1, c);
        set_clock(c, "clock.hhmm");
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
        set_clock(c, "clock.h_mm_words");
        use(i, i + len);
        return advance(len);
      }
    }
    if (v >= 13 && v <= 23 && prev_is_cue(i) && toks_[i].text.size() == 2) {
      set_clock(Clock{static_cast<int>(v), 0, 0, true, false}, "clock.hour_24");
      use(i, i + 1);
      return advance(1);
    }
    // Bare hour: decided at the end (needs "at" or a part of day nearby).
    if (v >= 1 && v <= 12 && !toks_[i].ordinal) bare_hours_.push_back(i);
    return false;
  }

  // A word before a number that makes it a clock time: "at 3", "around 7", "from 9", "make it 10"
  // ("like", "say", "maybe", "just" may sit between: "at like 3").
  bool prev_is_cue(std::size_t i) const {
    std::size_t k = i;
    while (k > 0 && contains(vocab().cue_fillers, toks_[k - 1].text)) --k;
    if (k == 0) return false;
    const std::string_view p = toks_[k - 1].text;
    if (contains(vocab().approximate, p) || contains(vocab().time_cues, p)) return true;
    // "make it 10", "move it to 3": the caller is naming a time.
    return p == "it" && k >= 2 && contains(vocab().naming_verbs, toks_[k - 2].text);
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
    set_clock(target, "clock.minutes_past_to");
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
      set_clock(target, "clock.half_quarter_past_to");
      use(i, k + 1 + len);
      return advance(k + 1 + len - i);
    }
    if (minutes == 30 && is_num(k) && val(k) >= 1 && val(k) <= 12) {  // British "half three" = 3:30
      Clock c{static_cast<int>(val(k)), 30, 0, false, false};
      std::size_t len = k + 1 - i;
      len += meridiem_after(k + 1, c);
      set_clock(c, "clock.half_h");
      use(i, i + len);
      return advance(len);
    }
    // "half an hour", "a quarter of an hour" as quantities
    if (w(i) == "half" && (w(i + 1) == "an" || w(i + 1) == "a") && unit_len(i + 2) > 0) return quantity_rule(i + 1, 0.5);
    if (w(k - 1) == "quarter" && w(k) == "of" && (w(k + 1) == "an" || w(k + 1) == "a") && unit_len(k + 2) > 0) {
      return quantity_rule(k + 1, 0.25);
    }
    if (w(k - 1) == "quarter" && w(k) == "hour") return quantity_rule(k - 1, 0.25);
    return false;
  }

  // Unit word at k: returns its length in minutes-scale code: 1 minute, 2 hour, 3 day, 4 week.
  // Unit word at k: 1 minute, 2 hour, 3 day, 4 week, 5 fortnight, 6 month, 7 year; 0 if none.
  int unit_len(std::size_t k) const { return std::max(0, lookup(vocab().time_units, w(k))); }
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
    return quantity_rule(k - 1, 2.0, i_);
  }

  // Quantity `q` whose unit word is at unit_at = q_at + 1 (q_at = the quantity token).
  bool quantity_rule(std::size_t q_at, double q, std::optional<std::size_t> first = std::nullopt) {
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
    } else if (w(end) == "on" && weekday_full(w(end + 1)) >= 0) {  // British "a week on tuesday"
      shift_other = true;
      end += 1;
    }
    if (!relative_to_now && !shift_other) return false;
    if (unit <= 2) {
      const auto mins = std::chrono::minutes{static_cast<long>(std::lround(q * (unit == 1 ? 1 : 60)))};
      if (shift_other) {
        minute_shift_ += mins;
      } else {
        exact_offset_ = exact_offset_.value_or(0min) + mins;
        if (time_rule_.empty()) time_rule_ = "offset.exact";
      }
    } else if (unit >= 6) {
      if (q > 240 || q < -240) return false;
      month_shift_ += static_cast<int>(std::lround(q * (unit == 6 ? 1 : 12)));
      if (date_rule_.empty()) date_rule_ = "offset.months";
    } else {
      if (q > 3660 || q < -3660) return false;
      const int d = static_cast<int>(std::lround(q * days_per(unit)));
      day_shift_ += d;
      if (date_rule_.empty()) date_rule_ = "offset.days";
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
    if (q > 3660) return false;
    if (unit <= 2) {
      exact_offset_ = exact_offset_.value_or(0min) +
                      std::chrono::minutes{static_cast<long>(std::lround(q * (unit == 1 ? 1 : 60)))};
      if (time_rule_.empty()) time_rule_ = "offset.exact";
    } else if (unit >= 6) {
      month_shift_ += static_cast<int>(std::lround(q * (unit == 6 ? 1 : 12)));
      if (date_rule_.empty()) date_rule_ = "offset.months";
    } else {
      day_shift_ += static_cast<int>(std::lround(q * days_per(unit)));
      if (date_rule_.empty()) date_rule_ = "offset.days";
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
    if (mod == "final") mod = "last";  // "final thursday in april"
    if (mod == "upcoming") mod = "coming";
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
      const std::string_view nx = w(at + 1);
      const std::string_view pv = at > 0 ? std::string_view(toks_[at - 1].text) : std::string_view{};
      const bool ok = nx == "," || nx == "." || nx == "at" || nx == "of" || nx == "next" || nx == "this" ||
                      nx == "the" || is_num(at + 1) || part_word(nx) != Part::none || month_of(nx) > 0 ||
                      pv == "on" || pv == "until" || pv == "by" || pv == "every" || pv == "this" || pv == "next";
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
        set_date(d, "date.nth_weekday_of_month");
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
    std::string_view rule = "date.weekday";
    local_days d;
    if (w(end) == "before" && w(end + 1) == "last") {  // "tuesday before last": in the past
      invalid_ = true;
      return true;
    }
    if (w(end) == "after" && w(end + 1) == "next") {  // "friday after next": the second one from today
      d = next_weekday_after(next_weekday_after(today_, wd), wd);
      set_weekday(d, wd, "date.weekday_after_next");
      use(i, end + 2);
      return advance(end + 2 - i);
    }
    if (next_week) {
      d = monday_of(today_) + days{7} + days{(wd + 6) % 7};
      rule = "date.next_weekday";
    } else if (this_week) {
      d = monday_of(today_) + days{(wd + 6) % 7};
      rule = "date.weekday_this_week";
    } else {
      d = next_weekday_after(today_, wd);
      if (!has_modifier && end == at + 1 && w(end) == "week") {  // British "friday week": a week on
        d += days{7};
        ++end;
        rule = "date.weekday_week";
      }
    }
    set_weekday(d, wd, rule);
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
    if (is_num(k) && val(k) >= 1 && toks_[k].text.size() <= 2 && val(k) <= 99 && !measure_follows(k + 1)) {
      const auto d = static_cast<unsigned>(val(k));
      std::size_t end = k + 1;
      const int year = year_after(end);
      month_day(m, d, year, "date.month_day");
      use(i, end);
      return advance(end - i);
    }
    // A month alone is a span ("in March", "sometime in may", "early june"); "may" only after "in".
    const std::string_view before = i > 0 ? std::string_view(toks_[i - 1].text) : std::string_view{};
    const bool cue = before == "in" || before == "during" || before == "early" || before == "late" || before == "mid" ||
                     before == "of" || before == "for";
    if (cue && (m != 5 || before == "in" || before == "during")) {
      std::size_t end = i + 1;
      const int year = year_after(end);
      const date::year_month_day t{today_};
      date::year y = year != 0 ? date::year{year} : t.year();
      if (year == 0 && date::month{static_cast<unsigned>(m)} < t.month()) y += date::years{1};
      const date::year_month ym{y, date::month{static_cast<unsigned>(m)}};
      local_days first{ym / date::day{1}};
      const local_days after_last{(ym + date::months{1}) / date::day{1}};
      if (first < today_) first = today_;
      if (first < after_last) set_span(first, static_cast<int>((after_last - first).count()), "span.month");
      use(i, end);
      return advance(end - i);
    }
    return false;
  }

  // A year after a date: "march 3, 2027", "the 28th of june in 2027". Advances `end` past it.
  int year_after(std::size_t& end) const {
    std::size_t y = end;
    if (w(y) == "," || w(y) == "in" || w(y) == "of") ++y;
    if (is_num(y) && val(y) >= 1900 && val(y) <= 2100 && toks_[y].text.size() == 4) {
      end = y + 1;
      return static_cast<int>(val(y));
    }
    if (is_num(y) && toks_[y].from_words && val(y) >= 1900 && val(y) <= 2100) {
      end = y + 1;
      return static_cast<int>(val(y));
    }
    return 0;
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
    if (const int m = month_of(w(k)); m > 0) {
      std::size_t end = k + 1;
      if (w(end) == ".") ++end;
      const int year = year_after(end);
      month_day(m, static_cast<unsigned>(d), year, "date.day_month");
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
      set_date(local_days{ymd}, "date.day_of_next_month");
      use(i, k + 2);
      return advance(k + 2 - i);
    }
    // A written ordinal alone: "24th", "on the 15th"
    if (toks_[i].ordinal && !(is_num(i + 1)) && unit_len(i + 1) == 0 && weekday_full(w(i + 1)) < 0) {
      const bool word_ordinal = toks_[i].from_words;
      const bool cue = i > 0 && (toks_[i - 1].text == "the" || toks_[i - 1].text == "on");
      if (!word_ordinal || cue) {
        day_of_month(static_cast<unsigned>(d), "date.ordinal_day");
        use(i, i + 1);
        return advance(1);
      }
    }
    return false;
  }

  void day_of_month(unsigned d, std::string_view rule) {
    const date::year_month_day t{today_};
    date::year_month ym = t.year() / t.month();
    for (int k = 0; k < 3; ++k) {
      const year_month_day c{ym.year(), ym.month(), date::day{d}};
      if (c.ok() && local_days{c} >= today_) {
        set_date(local_days{c}, rule);
        return;
      }
      ym += date::months{1};
    }
    invalid_ = true;
  }

  void month_day(int m, unsigned d, int year, std::string_view rule) {
    if (year != 0) {
      explicit_date(year, static_cast<unsigned>(m), d, rule);
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
        set_date(local_days{y}, rule);
        return;
      }
    }
    invalid_ = true;
  }

  void explicit_date(int y, unsigned m, unsigned d, std::string_view rule) {
    const year_month_day c{date::year{y}, date::month{m}, date::day{d}};
    if (!c.ok()) {
      invalid_ = true;
      return;
    }
    set_date(local_days{c}, rule);
  }

  bool numeric_date() {
    const std::size_t i = i_;
    std::int64_t a = val(i);
    std::int64_t b = val(i + 2);
    std::size_t end = i + 3;
    // year/month/day: "2012/8/10"
    if (a >= 1900 && a <= 2100 && toks_[i].text.size() == 4 && w(i + 3) == "/" && is_num(i + 4)) {
      explicit_date(static_cast<int>(a), static_cast<unsigned>(std::clamp<std::int64_t>(b, 0, 99)),
                    static_cast<unsigned>(std::clamp<std::int64_t>(val(i + 4), 0, 99)), "date.numeric_ymd");
      use(i, i + 5);
      return advance(5);
    }
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
    month_day(static_cast<int>(a), static_cast<unsigned>(b), year, "date.numeric");
    use(i, end);
    return advance(end - i);
  }

  // ---- named days (dates from the calendar room) --------------------------------------------
  bool holiday_rule() {
    const std::size_t i = i_;
    const PhraseMatch m = match_phrase(vocab().named_days, [&](std::size_t k) { return w(k); }, i);
    if (m.length == 0) return false;
    const auto named = static_cast<calendar::NamedDay>(m.value);
    const date::year_month_day t{today_};
    local_days d{calendar::date_of(named, t.year())};
    if (d < today_) d = local_days{calendar::date_of(named, t.year() + date::years{1})};
    set_date(d, "date.named_day");
    if (i > 0 && (toks_[i - 1].text == "next" || toks_[i - 1].text == "this")) used_[i - 1] = true;
    use(i, i + m.length);
    return advance(m.length);
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
      // Right after a date: "april 20 10", "friday 3".
      const bool after_day = (date_ || weekday_date_) && i > 0 && used_[i - 1] && toks_[i - 1].kind != TokenKind::punct;
      if (cue || before_part || alone || after_day) {
        clock_ = Clock{static_cast<int>(val(i)), 0, 0, false, false};
        time_rule_ = "clock.bare_hour";
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

  static std::optional<PartOfDay> public_part(Part p) {
    switch (p) {
      case Part::morning: return PartOfDay::morning;
      case Part::lunch:
      case Part::afternoon: return PartOfDay::afternoon;
      case Part::evening: return PartOfDay::evening;
      case Part::night: return PartOfDay::night;
      case Part::none: break;
    }
    return std::nullopt;
  }

  // "around 7", "at about 3", "7ish": an approximation word right before (or "ish" after) a time.
  bool approximate_said() const {
    if (approx_word_) return true;
    for (std::size_t k = 0; k + 1 < toks_.size(); ++k) {
      if (toks_[k].kind != TokenKind::word || !contains(vocab().approximate, toks_[k].text)) continue;
      std::size_t n = k + 1;
      if (n < toks_.size() && (toks_[n].text == "at" || toks_[n].text == "like")) ++n;
      if (n < toks_.size() && used_[n]) return true;
    }
    return false;
  }

  // A local time that does not exist (the spring-forward gap) moves to the first valid minute.
  date::local_seconds valid_local(date::local_seconds t, bool& moved) const {
    const auto info = ctx_.calendar->zone()->get_info(t);
    if (info.result != date::local_info::nonexistent) return t;
    moved = true;
    return ctx_.calendar->to_local(info.second.begin);
  }

  std::optional<HeardTime> resolve() {
    HeardTime h;
    h.said.part_of_day = part_ != Part::none;
    h.part = public_part(part_);
    h.said.range = range_;
    std::optional<local_days> day = date_ ? date_ : weekday_date_;
    std::string_view day_rule = date_ ? date_rule_ : weekday_date_ ? weekday_rule_ : date_rule_;
    // "next week on friday", "friday next week": the weekday inside the week said.
    if (!date_ && weekday_date_ && span_ && span_week_) {
      const local_days first{span_->first};
      const local_days d = first + (date::weekday{static_cast<unsigned>(weekday_said_)} - date::weekday{first});
      if (d < first + days{span_->days}) day = d;
    }
    if (date_ && weekday_said_ >= 0) {
      h.weekday_mismatch = date::weekday{*date_}.c_encoding() != static_cast<unsigned>(weekday_said_);
    }
    if (day_shift_ != 0 || month_shift_ != 0) {
      local_days base = day.value_or(today_);
      if (month_shift_ != 0) {
        const year_month_day b{base};
        const date::year_month ym = date::year_month{b.year(), b.month()} + date::months{month_shift_};
        const date::day last = year_month_day{ym / date::last}.day();
        base = local_days{ym / std::min(b.day(), last)};
      }
      day = base + days{day_shift_};
    }
    const bool explicit_day = day.has_value();
    h.said.date = explicit_day;
    h.date_rule = explicit_day ? day_rule : std::string_view{};
    if (exact_offset_ && !explicit_day && clock_.hour < 0) {
      // Elapsed time: add it to the instant, then read the wall clock (DST-correct).
      const auto then = date::floor<std::chrono::minutes>(ctx_.now) + *exact_offset_;
      h.when = When{date::local_seconds{ctx_.calendar->to_local(std::chrono::sys_seconds{then})}};
      h.said.time = true;
      h.said.approximate = approximate_said();
      h.rule = time_rule_;
      return h;
    }
    if (now_ && !explicit_day && clock_.hour < 0) {
      h.when = When{now_local_};
      h.said.time = true;
      h.rule = "now";
      return h;
    }
    const bool focus = !explicit_day && ctx_.focus_day.has_value();
    if (clock_.hour < 0) {
      if (!day) {
        if (span_) {
          h.span = span_;
          h.rule = span_rule_;
          return h;
        }
        // A part of day alone ("in the afternoon") is today's (or the focus day's); a meal alone
        // ("lunch") is an event, not a time.
        if (part_ == Part::none || part_ == Part::lunch) return std::nullopt;
        day = focus ? local_days{*ctx_.focus_day} : today_;
        h.rule = "part_of_day";
      } else {
        h.rule = day_rule;
      }
      h.past = *day < today_;
      h.when = When{DateOnly{year_month_day{*day}}};
      return h;
    }
    h.said.time = true;
    h.said.approximate = approximate_said();
    h.rule = time_rule_;
    if (!day && span_) {  // "next week at 3": the call asks which day
      h.span = span_;
      return h;
    }
    const local_days d = day ? *day : focus ? local_days{*ctx_.focus_day} : today_;
    auto at = [&](local_days dd) {
      const int h24 = hour24(clock_, dd);
      // "tonight at 2": the small hours after this evening.
      if (part_ == Part::night && date_rule_ == "date.tonight" && h24 < 5) dd += days{1};
      date::local_seconds t = dd + std::chrono::hours{h24} + std::chrono::minutes{clock_.minute};
      if (clock_.midnight) t += days{1};
      return t + minute_shift_;
    };
    date::local_seconds t = at(d);
    if (t < now_local_) {
      // A time said with a day (or on the day being discussed) that has passed is reported as
      // past; a bare time rolls to tomorrow ("at 3am" said at 04:30).
      if (explicit_day || focus) h.past = true;
      else t = at(d + days{1});
    }
    t = valid_local(t, h.dst_gap);
    h.when = When{t};
    return h;
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
  std::string text_;  // the utterance rewritten ("noonish" -> "noon ish"), when it had to be
  std::string_view time_rule_, date_rule_, weekday_rule_, span_rule_;
  std::optional<Span> span_;
  bool span_week_ = false;
  int weekday_said_ = -1;
  int month_shift_ = 0;
  bool range_ = false;
  bool approx_word_ = false;
  bool not_a_time_ = false;
  std::optional<std::chrono::minutes> exact_offset_;
  std::chrono::minutes minute_shift_{0};
  int day_shift_ = 0;
  bool now_ = false;
  bool invalid_ = false;
  std::vector<std::size_t> bare_hours_;
};

}  // namespace

std::optional<HeardTime> hear_datetime(std::string_view text, const TimeContext& ctx) {
  if (ctx.calendar == nullptr) return std::nullopt;
  Parser p(text, ctx);
  return p.run();
}

std::optional<When> extract_datetime(std::string_view text, const TimeContext& ctx) {
  auto h = hear_datetime(text, ctx);
  if (!h || !h->when || h->past) return std::nullopt;
  return h->when;
}

}  // namespace bella::understand
