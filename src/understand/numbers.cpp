// Tokenizer and number-word folding for the deterministic extractors.
#include "understand/numbers.hpp"

#include "understand/lexicon.hpp"

#include <array>
#include <cstddef>

namespace bella::understand {
namespace {

bool is_ascii_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_word_byte(unsigned char c) { return is_ascii_alpha(c) || c >= 0x80; }
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Right single quotation mark U+2019 (ASR often produces it for apostrophes).
bool is_curly_apostrophe(std::string_view s, std::size_t i) {
  return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
         static_cast<unsigned char>(s[i + 2]) == 0x99;
}

// U+00A0 no-break space, U+2009 thin space, U+202F narrow no-break space: their length, or 0.
std::size_t unicode_space(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0U; };
  if (at(i) == 0xC2 && at(i + 1) == 0xA0) return 2;
  if (at(i) == 0xE2 && at(i + 1) == 0x80 && (at(i + 2) == 0x89 || at(i + 2) == 0xAF)) return 3;
  return 0;
}

int unit_value(std::string_view w) { return lookup(english().number_units, w); }  // 0..19
int tens_value(std::string_view w) { return lookup(english().number_tens, w); }   // 20..90
int ordinal_value(std::string_view w) { return lookup(english().number_ordinals, w); }

Token make_number(std::int64_t value, std::string digits, std::string_view raw, bool space_before) {
  Token t;
  t.kind = TokenKind::number;
  t.value = value;
  t.text = std::move(digits);
  t.raw = raw;
  t.from_words = true;
  t.space_before = space_before;
  return t;
}

std::string_view span(std::string_view a, std::string_view b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return std::string_view(a.data(), static_cast<std::size_t>(b.data() + b.size() - a.data()));
}

bool is_digitish_word(const Token& t) {
  return t.kind == TokenKind::word && (unit_value(t.text) >= 0 || tens_value(t.text) >= 0);
}

}  // namespace

std::string_view ordinal_suffix(std::int64_t n) {
  const auto last2 = n % 100;
  if (last2 >= 11 && last2 <= 13) return "th";
  switch (n % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
  }
}

std::vector<Token> tokenize(std::string_view s) {
  // A caller's turn is a few sentences: only the first kMaxUtteranceBytes are read (cut at a UTF-8
  // character boundary), which bounds the time any input can take.
  if (s.size() > kMaxUtteranceBytes) {
    std::size_t cut = kMaxUtteranceBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut);
  }
  std::vector<Token> out;
  out.reserve(s.size() / 3 + 2);
  std::size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (is_space(c)) {
      space = true;
      ++i;
      continue;
    }
    if (const std::size_t u = unicode_space(s, i); u != 0) {  // no-break and thin spaces
      space = true;
      i += u;
      continue;
    }
    Token t;
    t.space_before = space;
    space = false;
    const std::size_t start = i;
    if (is_digit(c)) {
      while (i < s.size() && is_digit(static_cast<unsigned char>(s[i]))) ++i;
      t.kind = TokenKind::number;
      t.text = std::string(s.substr(start, i - start));
      t.value = t.text.size() <= 18 ? std::stoll(t.text) : -1;
    } else if (is_word_byte(c) && !is_curly_apostrophe(s, i)) {
      while (i < s.size()) {
        const auto d = static_cast<unsigned char>(s[i]);
        if (unicode_space(s, i) != 0) break;
        if (is_curly_apostrophe(s, i)) {
          // An apostrophe inside a word: keep it (as ASCII) when a letter follows.
          if (i + 3 < s.size() && is_word_byte(static_cast<unsigned char>(s[i + 3])) && !is_curly_apostrophe(s, i + 3)) {
            t.text.push_back('\'');
            i += 3;
            continue;
          }
          break;
        }
        if (d == '\'' && i + 1 < s.size() && is_word_byte(static_cast<unsigned char>(s[i + 1]))) {
          t.text.push_back('\'');
          ++i;
          continue;
        }
        if (!is_word_byte(d)) break;
        t.text.push_back(d < 0x80 ? static_cast<char>(d | 0x20) : static_cast<char>(d));
        ++i;
      }
      t.kind = TokenKind::word;
    } else {
      // One punctuation character (a whole UTF-8 sequence for non-ASCII punctuation).
      i += is_curly_apostrophe(s, i) ? 3 : 1;
      t.kind = TokenKind::punct;
      t.text = std::string(s.substr(start, i - start));
      if (t.text != "'" && is_curly_apostrophe(t.text, 0)) t.text = "'";
    }
    t.raw = s.substr(start, i - start);
    // "o'clock" / "o clock" / "oclock" -> "oclock"
    if (t.kind == TokenKind::word && (t.text == "o'clock" || t.text == "oclock")) t.text = "oclock";
    if (t.kind == TokenKind::word && t.text == "clock" && !out.empty() && out.back().kind == TokenKind::word &&
        out.back().text == "o") {
      out.back().text = "oclock";
      out.back().raw = span(out.back().raw, t.raw);
      continue;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Token> lex(std::string_view text) {
  std::vector<Token> in = tokenize(text);
  std::vector<Token> out;
  out.reserve(in.size());
  const std::size_t n = in.size();
  auto word_at = [&](std::size_t k) -> std::string_view {
    return k < n && in[k].kind == TokenKind::word ? std::string_view(in[k].text) : std::string_view{};
  };

  for (std::size_t i = 0; i < n; ++i) {
    Token& t = in[i];
    // Written ordinals: "21" + "st" with no space.
    if (t.kind == TokenKind::number && i + 1 < n && !in[i + 1].space_before && in[i + 1].kind == TokenKind::word) {
      const std::string& suf = in[i + 1].text;
      if (suf == "st" || suf == "nd" || suf == "rd" || suf == "th") {
        t.ordinal = true;
        t.raw = span(t.raw, in[i + 1].raw);
        out.push_back(std::move(t));
        ++i;
        continue;
      }
    }
    if (t.kind != TokenKind::word) {
      out.push_back(std::move(t));
      continue;
    }
    const std::string_view w = t.text;

    // double / triple X
    if ((w == "double" || w == "triple") && i + 1 < n) {
      const Token& nx = in[i + 1];
      std::string digit;
      if (nx.kind == TokenKind::word) {
        const int u = unit_value(nx.text);
        if (u >= 0 && u <= 9) digit = std::to_string(u);
        if (nx.text == "oh" || nx.text == "o") digit = "0";
      } else if (nx.kind == TokenKind::number && nx.text.size() == 1) {
        digit = nx.text;
      }
      if (!digit.empty()) {
        const int times = w == "double" ? 2 : 3;
        std::string digits;
        for (int k = 0; k < times; ++k) digits += digit;
        Token num = make_number(std::stoll(digits), digits, span(t.raw, nx.raw), t.space_before);
        num.digit_wise = true;
        out.push_back(std::move(num));
        ++i;
        continue;
      }
    }

    // "oh"/"o" as zero: only when a digit is next to it.
    if (w == "oh" || w == "o") {
      const bool prev_digit = !out.empty() && out.back().kind == TokenKind::number;
      const bool next_digit = i + 1 < n && !in[i + 1].text.empty() &&
                              ((in[i + 1].kind == TokenKind::number) || is_digitish_word(in[i + 1]) ||
                               in[i + 1].text == "oh" || in[i + 1].text == "o" || in[i + 1].text == "double" ||
                               in[i + 1].text == "triple");
      if (prev_digit || next_digit) {
        Token num = make_number(0, "0", t.raw, t.space_before);
        num.digit_wise = true;
        out.push_back(std::move(num));
        continue;
      }
    }

    // Ordinal words alone ("third", "twentieth").
    if (const int ord = ordinal_value(w); ord >= 0) {
      Token num = make_number(ord, std::to_string(ord), t.raw, t.space_before);
      num.ordinal = true;
      out.push_back(std::move(num));
      continue;
    }

    int unit = unit_value(w);
    const int tens = tens_value(w);
    if (unit < 0 && tens < 0) {
      out.push_back(std::move(t));
      continue;
    }
    // Cardinal phrase starting here.
    std::size_t j = i + 1;
    std::int64_t value = unit >= 0 ? unit : tens;
    std::string_view last_raw = t.raw;
    bool ordinal = false;
    bool digit_wise = unit >= 0 && unit <= 9;
    auto skip_hyphen = [&](std::size_t k) { return k < n && in[k].kind == TokenKind::punct && in[k].text == "-" ? k + 1 : k; };
    if (tens >= 0) {
      const std::size_t k = skip_hyphen(j);
      if (const int u = unit_value(word_at(k)); u >= 1 && u <= 9) {
        value += u;
        last_raw = in[k].raw;
        j = k + 1;
      } else if (const int o = ordinal_value(word_at(k)); o >= 1 && o <= 9) {
        value += o;
        ordinal = true;
        last_raw = in[k].raw;
        j = k + 1;
      }
    }
    // hundred / thousand
    auto absorb_below_hundred = [&](std::int64_t base) {
      std::size_t k = j;
      if (word_at(k) == "and") ++k;
      const bool had_and = k != j;
      const int u = unit_value(word_at(k));
      const int tv = tens_value(word_at(k));
      if (tv >= 0) {
        std::int64_t add = tv;
        std::size_t m = skip_hyphen(k + 1);
        last_raw = in[k].raw;
        if (const int u2 = unit_value(word_at(m)); u2 >= 1 && u2 <= 9) {
          add += u2;
          last_raw = in[m].raw;
          k = m;
        }
        j = k + 1;
        return base + add;
      }
      if (u >= 10 || (u >= 1 && had_and)) {
        last_raw = in[k].raw;
        j = k + 1;
        return base + u;
      }
      return base;
    };
    if (!ordinal && word_at(j) == "hundred" && value >= 1 && value <= 99) {
      value *= 100;
      last_raw = in[j].raw;
      ++j;
      digit_wise = false;
      value = absorb_below_hundred(value);
    }
    if (!ordinal && word_at(j) == "thousand" && value >= 1 && value <= 999) {
      value *= 1000;
      last_raw = in[j].raw;
      ++j;
      digit_wise = false;
      if (const int h = unit_value(word_at(j)); h >= 1 && h <= 9 && word_at(j + 1) == "hundred") {
        value += h * 100;
        last_raw = in[j + 1].raw;
        j += 2;
      }
      value = absorb_below_hundred(value);
    }
    if (tens >= 0 || value >= 10) digit_wise = false;
    Token num = make_number(value, std::to_string(value), span(t.raw, last_raw), t.space_before);
    num.ordinal = ordinal;
    num.digit_wise = digit_wise;
    out.push_back(std::move(num));
    i = j - 1;
  }
  return out;
}

std::string normalize_numbers(std::string_view text) {
  std::string out;
  for (const Token& t : lex(text)) {
    if (!out.empty()) out.push_back(' ');
    out += t.text;
    if (t.kind == TokenKind::number && t.ordinal && t.value >= 0) out += ordinal_suffix(t.value);
  }
  return out;
}

std::string fold_letters(std::string_view s) {
  // U+00C0..U+00FF after the 0xC3 lead byte: 0x80..0xBF; upper and lower case share a base letter.
  static constexpr std::string_view kBase = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 'a' && c <= 'z') {
      out.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c | 0x20));
    } else if (c == 0xC3 && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      if (d == 0x9F) {
        out += "ss";  // ß has no case pair at 0xBF
      } else if (d >= 0x80 && d <= 0xBF) {
        const char base = kBase[(d - 0x80) % 0x20];
        if (base >= 'a' && base <= 'z') out.push_back(base);
      }
      ++i;
    }
  }
  return out;
}

}  // namespace bella::understand
