// Phone numbers: spoken/written digits -> E.164 via libphonenumber plus a dated NPA table.
#include <algorithm>
#include <array>

#include <phonenumbers/phonenumberutil.h>

#include "bella/understand/extract.hpp"
#include "understand/lexicon.hpp"
#include "understand/numbers.hpp"
#include "understand/phone_explained.hpp"

namespace bella::understand {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// In-service NANP area codes that matter to a Canadian clinic, as a second source of truth next
// to libphonenumber's metadata (Debian's 8.12.57 predates the newer overlays, e.g. 354, 382,
// 428, 683, 879, 942, 257). Source: CNA (Canadian Numbering Administrator) area-code map and
// NANPA NPA assignments, as of 2025. Canada's geographic NPAs plus the NANP toll-free codes.
constexpr auto kInServiceNpas = std::to_array<int>({
    // Alberta
    368, 403, 587, 780, 825,
    // British Columbia
    236, 250, 257, 604, 672, 778,
    // Manitoba
    204, 431, 584,
    // New Brunswick
    428, 506,
    // Newfoundland and Labrador
    709, 879,
    // Nova Scotia / Prince Edward Island
    782, 902,
    // Ontario
    226, 249, 289, 343, 365, 382, 416, 437, 519, 548, 613, 647, 683, 705, 742, 753, 807, 905, 942,
    // Quebec
    263, 354, 367, 418, 438, 450, 468, 514, 579, 581, 819, 873,
    // Saskatchewan
    306, 474, 639,
    // Yukon, Northwest Territories, Nunavut
    867,
    // Toll-free (NANP-wide)
    800, 833, 844, 855, 866, 877, 888});

bool structurally_valid(std::string_view ten) {
  if (ten.size() != 10) return false;
  for (char c : ten) {
    if (c < '0' || c > '9') return false;
  }
  auto n11 = [](std::string_view three) { return three[1] == '1' && three[2] == '1'; };
  return ten[0] >= '2' && ten[3] >= '2' && !n11(ten.substr(0, 3)) && !n11(ten.substr(3, 3));
}

const PhoneNumberUtil& util() {
  static const PhoneNumberUtil* instance = PhoneNumberUtil::GetInstance();
  return *instance;
}

// Ten national digits -> E.164 when valid.
std::optional<std::string> validate_national(std::string_view ten) {
  if (!structurally_valid(ten)) return std::nullopt;
  const int npa = (ten[0] - '0') * 100 + (ten[1] - '0') * 10 + (ten[2] - '0');
  std::string e164 = "+1" + std::string(ten);
  if (npa_in_service_table(npa)) return e164;
  PhoneNumber number;
  if (util().Parse(e164, "CA", &number) != i18n::phonenumbers::PhoneNumberUtil::ErrorType::NO_PARSING_ERROR) return std::nullopt;
  if (!util().IsValidNumber(number)) return std::nullopt;
  return e164;
}

// A digit string (with "+" flag) -> E.164 if it is a NANP number.
std::optional<std::string> from_digits(std::string_view digits, bool plus) {
  if (plus) {
    if (digits.size() != 11 || digits[0] != '1') return std::nullopt;
    return validate_national(digits.substr(1));
  }
  if (digits.size() == 11 && digits[0] == '1') return validate_national(digits.substr(1));
  if (digits.size() == 10) return validate_national(digits);
  return std::nullopt;
}

bool is_word(const Token& t, std::string_view w) { return t.kind == TokenKind::word && t.text == w; }

const Lexicon& vocab() { return english(); }

// Words and marks that may sit inside a spoken number without ending it ("/" does not: a run with
// slashes is a date).
bool is_joiner(const Token& t) {
  if (t.kind == TokenKind::punct) {
    return t.text == "-" || t.text == "." || t.text == "(" || t.text == ")" || t.text == "," || t.text == "+";
  }
  return t.kind == TokenKind::word && contains(vocab().phone_joiners, t.text);
}

bool is_correction(const Token& t) { return t.kind == TokenKind::word && contains(vocab().corrections, t.text); }

// What the words before a number say it is.
enum class Label { none, mobile, other_line, identifier };

struct Run {
  std::string digits;
  // The same run with "four hundred three" read as 403 rather than 400 3 (lex() keeps a lone digit
  // after "hundred" apart so that "eight hundred five five five" is 800 555); tried second.
  std::string hundreds_joined;
  bool plus = false;
  bool corrects_previous = false;  // a correction word came between this run and the previous one
  Label label = Label::none;       // "my cell is", "work line", "member ID"
  bool dated = false;              // next to a month name or am/pm: a date or a time, not a phone
  bool negated = false;            // "not 403 555 0100, it's 0199": the next run replaces this one
};

std::vector<Run> digit_runs(const std::vector<Token>& toks) {
  std::vector<Run> runs;
  Run cur;
  bool in_run = false;
  bool pending_plus = false;
  bool pending_correction = false;
  Label pending_label = Label::none;
  auto close = [&]() {
    if (in_run && !cur.digits.empty()) runs.push_back(cur);
    cur = Run{};
    in_run = false;
  };
  auto number_at = [&](std::size_t k) { return k < toks.size() && toks[k].kind == TokenKind::number; };
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const Token& t = toks[i];
    // Transcription homophones of digits, only between digits: "four oh three for five five..."
    if (t.kind == TokenKind::word && in_run && number_at(i + 1) && lookup(vocab().digit_homophones, t.text) >= 0) {
      const int d = lookup(vocab().digit_homophones, t.text);
      cur.digits.push_back(static_cast<char>('0' + d));
      cur.hundreds_joined.push_back(static_cast<char>('0' + d));
      continue;
    }
    if (t.kind == TokenKind::number) {
      if (!in_run) {
        cur = Run{};
        cur.plus = pending_plus;
        cur.corrects_previous = pending_correction || (!runs.empty() && runs.back().negated);
        cur.negated = i > 0 && toks[i - 1].kind == TokenKind::word && toks[i - 1].text == "not";
        cur.label = pending_label;
        cur.dated = i > 0 && toks[i - 1].kind == TokenKind::word && lookup(vocab().months, toks[i - 1].text) > 0;
        pending_plus = false;
        pending_correction = false;
        pending_label = Label::none;
        in_run = true;
      }
      const bool after_hundred = i > 0 && toks[i - 1].kind == TokenKind::number && toks[i - 1].from_words &&
                                 !toks[i - 1].digit_wise && toks[i - 1].text.size() == 3 &&
                                 toks[i - 1].text.ends_with("00");
      if (after_hundred && t.from_words && t.text.size() == 1 && !cur.hundreds_joined.empty()) {
        cur.hundreds_joined.back() = t.text[0];
      } else {
        cur.hundreds_joined += t.text;
      }
      cur.digits += t.text;
      continue;
    }
    if (is_word(t, "plus") || (t.kind == TokenKind::punct && t.text == "+")) {
      if (in_run && !cur.digits.empty()) close();
      pending_plus = true;
      continue;
    }
    if (in_run && is_joiner(t)) continue;
    if (!in_run && t.kind == TokenKind::punct) continue;  // "(", "+" before digits
    // "area code" keeps an open run going; otherwise a word ends the run.
    if (is_word(t, "area") || is_word(t, "code")) continue;
    if (in_run && t.kind == TokenKind::word && (t.text == "am" || t.text == "pm" || t.text == "oclock")) cur.dated = true;
    if (in_run && t.kind == TokenKind::punct && t.text == ":") cur.dated = true;  // "10:30"
    if (is_correction(t)) pending_correction = true;
    if (t.kind == TokenKind::word) {
      if (contains(vocab().mobile_words, t.text)) pending_label = Label::mobile;
      else if (contains(vocab().other_line_words, t.text)) pending_label = Label::other_line;
      else if (contains(vocab().id_words, t.text) && t.text != "extension" && t.text != "ext") pending_label = Label::identifier;
    }
    close();
    if (!is_word(t, "plus")) pending_plus = false;
  }
  close();
  return runs;
}

std::optional<std::string> from_run(const Run& r) {
  if (r.dated || r.label == Label::identifier) return std::nullopt;
  if (auto e = from_digits(r.digits, r.plus)) return e;
  if (r.hundreds_joined != r.digits) return from_digits(r.hundreds_joined, r.plus);
  return std::nullopt;
}

}  // namespace

bool npa_in_service_table(int npa) {
  return std::find(kInServiceNpas.begin(), kInServiceNpas.end(), npa) != kInServiceNpas.end();
}

std::optional<std::string> normalize_phone(std::string_view text) {
  std::string digits;
  bool plus = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+') {
      if (!digits.empty()) return std::nullopt;
      plus = true;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t') {
      continue;
    } else {
      return std::nullopt;
    }
  }
  return from_digits(digits, plus);
}

bool wants_callers_number(std::string_view text) {
  const std::vector<Token> toks = tokenize(text);
  auto has_seq = [&](std::initializer_list<std::string_view> seq) {
    for (std::size_t i = 0; i + seq.size() <= toks.size(); ++i) {
      std::size_t k = 0;
      for (std::string_view w : seq) {
        if (toks[i + k].text != w) break;
        ++k;
      }
      if (k == seq.size()) return true;
    }
    return false;
  };
  return has_seq({"this", "number"}) || has_seq({"same", "number"}) || has_seq({"this", "phone"}) ||
         has_seq({"calling", "from"}) || has_seq({"calling", "on"}) || has_seq({"call", "from"}) ||
         has_seq({"this", "one"}) || has_seq({"current", "number"}) || has_seq({"number", "you", "have"}) ||
         has_seq({"the", "one", "i'm", "on"}) || has_seq({"number", "i'm", "on"}) || has_seq({"my", "cell"}) ||
         has_seq({"caller", "id"}) || has_seq({"that", "number"}) || has_seq({"same", "one"});
}

std::optional<std::string> extract_phone_explained(std::string_view text, std::string_view caller_from,
                                                   std::string_view& rule) {
  rule = {};
  const std::vector<Token> toks = lex(text);
  const std::vector<Run> runs = digit_runs(toks);
  // Two numbers without a correction: the one called a cell/mobile, else the first one not called
  // a work/home line, else the first ("780-555-0111 or my work line 587-555-0123" -> the first).
  if (std::none_of(runs.begin(), runs.end(), [](const Run& r) { return r.corrects_previous; })) {
    std::vector<std::pair<const Run*, std::string>> valid;
    for (const Run& r : runs) {
      if (auto e = from_run(r)) valid.emplace_back(&r, *e);
    }
    if (valid.size() >= 2) {
      for (const auto& [r, e] : valid) {
        if (r->label == Label::mobile) return rule = "phone.two_numbers_mobile", e;
      }
      for (const auto& [r, e] : valid) {
        if (r->label != Label::other_line) return rule = "phone.two_numbers_first", e;
      }
      rule = "phone.two_numbers_first";
      return valid.front().second;
    }
  }
  std::string carried;  // digits of earlier runs that a later run may continue or correct
  bool carried_plus = false;
  for (const Run& r : runs) {
    if (r.corrects_previous && !carried.empty()) {
      // A correction: the new digits either restate the whole number or replace its tail.
      if (auto whole = from_digits(r.digits, r.plus)) return rule = "phone.correction_whole", whole;
      if (r.digits.size() < carried.size()) {
        const std::string fixed = carried.substr(0, carried.size() - r.digits.size()) + r.digits;
        if (auto e = from_digits(fixed, carried_plus)) return rule = "phone.correction_tail", e;
      }
      carried = r.digits;
      carried_plus = r.plus;
      continue;
    }
    if (auto e = from_run(r)) {
      // Prefer a later correction of this number if one follows.
      carried = r.digits;
      carried_plus = r.plus;
      const auto next = std::find_if(runs.begin(), runs.end(), [&](const Run& x) { return &x > &r; });
      if (next != runs.end() && next->corrects_previous) continue;
      rule = "phone.digits";
      return e;
    }
    carried = r.digits;
    carried_plus = r.plus;
  }
  // A valid number followed by a correction that did not produce a valid number: keep the first.
  for (const Run& r : runs) {
    if (auto e = from_run(r)) return rule = "phone.digits_before_correction", e;
  }
  // Groups split by words ("area code 403 and the number is 555 0123"): join neighbouring runs.
  for (std::size_t first = 0; first < runs.size(); ++first) {
    if (runs[first].digits.size() < 3) continue;
    std::string joined = runs[first].digits;
    for (std::size_t next = first + 1; next < runs.size() && joined.size() < 10; ++next) {
      if (runs[next].digits.size() < 3 || runs[next].plus) break;
      joined += runs[next].digits;
      if (auto e = from_digits(joined, runs[first].plus)) return rule = "phone.joined_groups", e;
    }
  }
  // No attempt at digits ("the one I'm calling from" holds a lone "one"): the caller's own number.
  const bool spoke_digits = std::any_of(runs.begin(), runs.end(), [](const Run& r) { return r.digits.size() >= 3; });
  if (!spoke_digits && !caller_from.empty() && wants_callers_number(text)) {
    rule = "phone.callers_number";
    return normalize_phone(caller_from);
  }
  return std::nullopt;
}

std::optional<std::string> extract_phone(std::string_view text, std::string_view caller_from) {
  std::string_view rule;
  return extract_phone_explained(text, caller_from, rule);
}

}  // namespace bella::understand
