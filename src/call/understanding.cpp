// One utterance -> Understood. The extractors run once: a time said without a date is read on the
// day under discussion (TimeContext::focus_day), so no second pass is needed.
#include "call/understanding.hpp"

#include <array>
#include <cctype>

#include "bella/understand/extract.hpp"
#include "bella/understand/intent.hpp"
#include "llm/validate.hpp"

namespace bella::call {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_phrase(const std::string& low, std::initializer_list<std::string_view> phrases) {
  for (auto p : phrases) {
    std::size_t pos = 0;
    while ((pos = low.find(p, pos)) != std::string::npos) {
      const bool left = pos == 0 || !std::isalpha(static_cast<unsigned char>(low[pos - 1]));
      const std::size_t end = pos + p.size();
      const bool right = end >= low.size() || !std::isalpha(static_cast<unsigned char>(low[end]));
      if (left && right) return true;
      pos = end;
    }
  }
  return false;
}

/// Words that say a name is being given ("my name is", "the name is", "it's", "this is").
bool name_carrier(const std::string& low) {
  return has_phrase(low, {"name is", "name's", "it's", "it is", "this is", "i'm", "i am", "call me", "spelled"});
}

/// "it's Jane, not Jan": the part before the negated old value.
std::string without_negated(std::string_view text) {
  const std::string low = lower(text);
  for (std::string_view cut : {", not ", " not "}) {
    auto pos = low.find(cut);
    if (pos != std::string::npos && pos > 0) return std::string(text.substr(0, pos));
  }
  return std::string(text);
}

bool is_yes_no_step(Step s) {
  return s == Step::offer_caller_id || s == Step::confirm || s == Step::confirm_cancel || s == Step::ask_go_on ||
         s == Step::offer_slot;
}

bool is_phone_step(Step s) { return s == Step::ask_mobile || s == Step::ask_lookup_mobile || s == Step::offer_caller_id; }

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok) {
      if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
      if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ok = false;
    }
    if (!ok) {
      out += kReplacement;
      ++i;  // resynchronise on the next byte
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

TurnInput sanitised(TurnInput input) {
  input.speech = valid_utf8(input.speech);
  input.from = valid_utf8(input.from);
  input.digits = valid_utf8(input.digits);
  return input;
}

std::optional<int> hear_position(std::string_view text) {
  const std::string low = lower(text);
  struct Word {
    std::string_view phrase;
    int position;
  };
  static constexpr std::array kWords = {
      Word{"first one", 0},   Word{"the first", 0},   Word{"1st", 0},         Word{"number one", 0},
      Word{"second one", 1},  Word{"the second", 1},  Word{"2nd", 1},         Word{"number two", 1},
      Word{"third one", 2},   Word{"the third", 2},   Word{"3rd", 2},         Word{"number three", 2},
      Word{"last one", -1},   Word{"the last", -1},   Word{"earlier one", 0}, Word{"the middle one", 1},
      Word{"first", 0},       Word{"second", 1},      Word{"third", 2},
  };
  for (const auto& w : kWords)
    if (has_phrase(low, {w.phrase})) return w.position;
  return std::nullopt;
}

namespace {

bool is_az(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A length phrase at `p` of `low` ending where a word ends, optionally followed by " long": the
// end of the phrase and the end of what it used (the phrase, " long" and the one character after,
// when there is one), trying the phrases, and each phrase's longer form, in order.
struct LengthMatch {
  std::size_t phrase_end = 0;
  std::size_t used_end = 0;
};

std::optional<LengthMatch> length_phrase_at(std::string_view low, std::size_t p) {
  auto ends_word = [&](std::size_t q) -> std::optional<LengthMatch> {
    // "( long)?([^a-z]|$)": with " long" first.
    if (low.substr(q, 5) == " long") {
      const std::size_t r = q + 5;
      if (r == low.size()) return LengthMatch{q, r};
      if (!is_az(low[r])) return LengthMatch{q, r + 1};
    }
    if (q == low.size()) return LengthMatch{q, q};
    if (!is_az(low[q])) return LengthMatch{q, q + 1};
    return std::nullopt;
  };
  auto literal = [&](std::string_view phrase) -> std::optional<LengthMatch> {
    if (low.substr(p, phrase.size()) != phrase) return std::nullopt;
    return ends_word(p + phrase.size());
  };
  // Longer form first where one phrase is the other plus a letter ("hours?", "an?").
  static constexpr std::string_view kPhrases[] = {
      "an hour and a half", "a hour and a half", "one and a half hours", "one and a half hour",
      "1.5 hours",          "1.5 hour",          "90 minutes",           "90 minute",
      "an hour",            "one hour",          "1 hour",               "two hours",
      "2 hours",            "half an hour"};
  for (const auto phrase : kPhrases)
    if (auto m = literal(phrase)) return m;
  // "\d{2,3} ?(minutes?|mins?)": three digits before two, the space before none.
  for (std::size_t digits = 3; digits >= 2; --digits) {
    if (p + digits > low.size()) continue;
    bool all = true;
    for (std::size_t k = p; k < p + digits; ++k) all = all && is_digit(low[k]);
    if (!all) continue;
    for (const std::size_t space : {std::size_t{1}, std::size_t{0}}) {
      const std::size_t u = p + digits + space;
      if (space == 1 && (u > low.size() || low[u - 1] != ' ')) continue;
      for (const std::string_view unit : {"minutes", "minute", "mins", "min"})
        if (low.substr(u, unit.size()) == unit)
          if (auto m = ends_word(u + unit.size())) return m;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> hear_length(std::string_view text, std::string* span) {
  const std::string low = lower(text);
  // The first length phrase that starts a word. A time offset ("in an hour", "an hour from now",
  // "an hour later") is not a length: the search goes on after it.
  std::size_t from = 0;
  while (from < low.size()) {
    std::optional<LengthMatch> m;
    std::size_t at = from;
    for (; at < low.size(); ++at) {
      if (at != from && is_az(low[at - 1])) continue;  // where the search resumes counts as a start
      if ((m = length_phrase_at(low, at))) break;
    }
    if (!m) return std::nullopt;
    const std::string_view what = std::string_view(low).substr(at, m->phrase_end - at);
    const std::string_view before = std::string_view(low).substr(0, at);
    const std::string_view after = std::string_view(low).substr(m->phrase_end);
    const bool offset_before = before.size() >= 3 && before.substr(before.size() - 3) == "in ";
    const bool offset_after = after.starts_with(" from now") || after.starts_with(" later") ||
                              after.starts_with(" after") || after.starts_with(" before") ||
                              after.starts_with(" ago") || after.starts_with(" from ");
    if (!offset_before && !offset_after) {
      int minutes = 0;
      const bool half = what.find("half") != std::string_view::npos;
      if (half && what.find("hour and") == std::string_view::npos && what.find("and a half") == std::string_view::npos)
        minutes = 30;
      else if (half || what.starts_with("1.5") || what.starts_with("90"))
        minutes = 90;
      else if (what.starts_with("two") || what.starts_with("2 hour"))
        minutes = 120;
      else if (what.find("hour") != std::string_view::npos)
        minutes = 60;
      else
        for (char c : what) {
          if (!is_digit(c)) break;
          minutes = minutes * 10 + (c - '0');
        }
      if (span) *span = std::string(text.substr(at, what.size()));
      return minutes;
    }
    from = m->used_end;
  }
  return std::nullopt;
}

Understood understand_utterance(const ConversationState& state, const TurnInput& input, SysSeconds now,
                                const calendar::BusinessCalendar& calendar) {
  Understood u;
  u.text = input.speech;
  u.keypad = !input.digits.empty();
  u.silence = input.speech.find_first_not_of(" \t\r\n.,") == std::string::npos && input.digits.empty();
  if (!input.digits.empty()) {
    // Keys: 1 = yes and 2 = no at a yes/no question (the prompts say so), the position of an
    // offer or an appointment, or a phone number.
    if (input.digits.size() == 1 && is_yes_no_step(state.step) && state.step != Step::offer_slot) {
      if (input.digits == "1") u.answer = understand::Confirmation{understand::YesNo::yes, {}};
      if (input.digits == "2") u.answer = understand::Confirmation{understand::YesNo::no, {}};
    } else if (input.digits.size() == 1 && (state.step == Step::offer_slot || state.step == Step::pick_appointment)) {
      const int k = input.digits[0] - '1';
      if (k >= 0 && k < 9) u.position = k;
      if (state.step == Step::offer_slot && state.offered.size() == 1 && input.digits == "1")
        u.answer = understand::Confirmation{understand::YesNo::yes, {}};
    } else {
      u.mobile = understand::normalize_phone(input.digits);
    }
  }
  if (input.speech.empty()) return u;
  const std::string low = lower(input.speech);

  u.intent = understand::detect_intent(input.speech);
  if (!u.mobile) u.mobile = understand::extract_phone(input.speech, input.from);

  std::string name_text = without_negated(input.speech);
  u.name = understand::hear_name(name_text);
  if (u.name && name_carrier(low)) u.name->carrier = true;
  if (state.step == Step::ask_last_name) u.surname = understand::extract_surname(input.speech);
  u.answer = understand::extract_yes_no(input.speech);
  u.position = hear_position(input.speech);
  u.later = has_phrase(low, {"later", "something later", "anything later", "after that"});
  u.another_day = has_phrase(low, {"another day", "different day", "other day", "a different day"});
  u.long_type = has_phrase(low, {"long appointment", "longer appointment", "long one", "longer one",
                                 "double appointment", "extended appointment"});

  std::string time_text = input.speech;
  std::string length_span;
  u.minutes = hear_length(input.speech, &length_span);
  if (u.minutes) {
    auto pos = time_text.find(length_span);
    if (pos != std::string::npos) time_text.erase(pos, length_span.size());
  }
  // A spoken phone number is digits, not a time: do not read "four oh three five five five…" as one.
  const bool number_said = u.mobile && !u.keypad;
  if (!number_said || state.step == Step::ask_time || state.step == Step::offer_slot) {
    understand::TimeContext ctx{now, &calendar, focus_day(state, calendar)};
    u.time = understand::hear_datetime(time_text, ctx);
  }
  // A position word ("the second one") is not a date ("the second").
  if (u.position && u.time && (state.step == Step::offer_slot || state.step == Step::pick_appointment) &&
      !u.time->said.time)
    u.time.reset();
  // A phone step hears a number, not a person's name in "this number".
  if (is_phone_step(state.step) && u.mobile && u.name && !u.name->carrier) u.name.reset();
  return u;
}

bool has_expected(const Understood& u, Expecting e) {
  switch (e) {
    case Expecting::name: return u.name.has_value();
    case Expecting::surname: return u.surname.has_value() || u.name.has_value();
    case Expecting::phone: return u.mobile.has_value();
    case Expecting::time: return u.time.has_value();
    case Expecting::yes_no:
      return u.answer.has_value() || u.time.has_value() || u.mobile.has_value() || u.position.has_value();
    case Expecting::nothing: return true;
  }
  return true;
}

Task<void> llm_fallback(llm::LlmClient& llm, const ConversationState& state, const TurnInput& input,
                        Understood& heard, SysSeconds now, const calendar::BusinessCalendar& calendar,
                        std::chrono::milliseconds timeout) {
  const understand::TimeContext ctx{now, &calendar, focus_day(state, calendar)};
  llm::Field field = llm::Field::name;
  switch (expecting(state)) {
    case Expecting::name: field = llm::Field::name; break;
    case Expecting::phone: field = llm::Field::phone; break;
    case Expecting::time: field = llm::Field::time; break;
    case Expecting::yes_no: field = llm::Field::yes_no; break;
    case Expecting::surname:  // a lone surname is one word: the parser's answer or none
    case Expecting::nothing: co_return;
  }
  // Named local: the request must outlive the awaited call (and no temporaries into coroutines).
  const llm::LlmRequest request = llm::make_request(field, input.speech, ctx);
  auto answer = co_await llm.extract(request, timeout);
  if (!answer) co_return;
  // Whatever the model said is checked exactly as parser output is.
  switch (field) {
    case llm::Field::name:
      if (auto name = llm::validate_name(*answer)) {
        understand::HeardName h;
        h.full = *name;
        h.given_only = name->find(' ') == std::string::npos;
        h.rule = "llm";
        heard.name = h;
      }
      break;
    case llm::Field::phone: heard.mobile = llm::validate_phone(*answer); break;
    case llm::Field::time:
      if (auto when = llm::validate_datetime(*answer, ctx)) {
        understand::HeardTime h;
        h.when = when;
        h.said.date = true;
        h.said.time = std::holds_alternative<date::local_seconds>(*when);
        h.rule = "llm";
        heard.time = h;
      }
      break;
    case llm::Field::yes_no: heard.answer = llm::validate_yes_no(*answer); break;
  }
}

}  // namespace bella::call
