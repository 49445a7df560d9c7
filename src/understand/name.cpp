// Caller names: carrier phrases, fillers, titles, suffixes, spelled letters, casing, and the
// evidence that a turn is a name at all. Vocabulary comes from the language's Lexicon
// (src/understand/en/) and the ordinary-word table built from wcanadian (en/word_list.hpp).
#include <algorithm>
#include <array>

#include "bella/understand/extract.hpp"
#include "understand/en/word_list.hpp"
#include "understand/lexicon.hpp"
#include "understand/numbers.hpp"

namespace bella::understand {
namespace {

constexpr std::size_t kMaxNameBytes = 100;  // never return a longer name
constexpr std::size_t kMaxWordBytes = 40;

const Lexicon& vocab() { return english(); }
bool is_filler(std::string_view w) { return contains(vocab().fillers, w); }
bool is_title(std::string_view w) { return contains(vocab().titles, w); }
bool is_particle(std::string_view w) { return contains(vocab().particles, w); }
bool is_stop(std::string_view w) { return contains(vocab().non_name_words, w); }

// --- UTF-8 ---------------------------------------------------------------------------------
// Decodes one code point at s[i]; returns its length (0 for an invalid sequence).
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
  else return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;  // overlong
  return len;
}
// Letters a name may hold: ASCII, Latin-1 and Latin Extended letters, Greek, Cyrillic, CJK.
bool name_letter(char32_t cp) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '\'') return true;
  if (cp >= 0xC0 && cp <= 0x24F) return cp != 0xD7 && cp != 0xF7;
  return (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x400 && cp <= 0x4FF) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}
// A word made of valid UTF-8 name letters, short enough to be a name part.
bool name_word(std::string_view raw) {
  if (raw.empty() || raw.size() > kMaxWordBytes) return false;
  for (std::size_t i = 0; i < raw.size();) {
    char32_t cp = 0;
    const std::size_t len = decode(raw, i, cp);
    if (len == 0 || !name_letter(cp)) return false;
    i += len;
  }
  return true;
}

// --- Case helpers for Latin-1 Supplement letters (enough for French, Spanish, German...) -------
bool has_upper(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 'A' && c <= 'Z') return true;
    if (c == 0xC3 && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) return true;
    }
  }
  return false;
}
bool has_lower(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 'a' && c <= 'z') return true;
    if (c == 0xC3 && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x9F && d <= 0xBF && d != 0xB7) return true;
    }
  }
  return false;
}
std::string to_lower(std::string_view s) {
  std::string out(s);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c | 0x20);
    if (c == 0xC3 && i + 1 < out.size()) {
      const auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}
// Upper-cases the letter starting at byte i; returns the index after it.
std::size_t upper_at(std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 'a' && c <= 'z') {
    s[i] = static_cast<char>(c - 0x20);
    return i + 1;
  }
  if (c == 0xC3 && i + 1 < s.size()) {
    const auto d = static_cast<unsigned char>(s[i + 1]);
    if (d >= 0xA0 && d <= 0xBE && d != 0xB7) s[i + 1] = static_cast<char>(d - 0x20);
    return i + 2;
  }
  if (c >= 0xC0) {
    std::size_t k = i + 1;
    while (k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) ++k;
    return k;
  }
  return i + 1;
}

// Capitalises one all-lower or all-upper word part by part (hyphens, O'/D' apostrophes, Mc/Mac).
std::string capitalise(std::string_view raw) {
  std::string w = to_lower(raw);
  std::size_t i = 0;
  bool start = true;
  while (i < w.size()) {
    if (start) {
      const std::size_t part = i;
      i = upper_at(w, i);
      start = false;
      // O'Brien, D'Angelo: a one-letter prefix before an apostrophe.
      if (i + 1 < w.size() && w[i] == '\'' && i == part + 1) {
        i = upper_at(w, i + 1);
        continue;
      }
      const std::string_view rest(w.data() + part, w.size() - part);
      const std::size_t end = std::min(rest.find('-'), rest.size());
      const std::string lower_piece = to_lower(rest.substr(0, end));
      if (lower_piece.size() >= 4 && lower_piece.starts_with("mc")) {
        i = upper_at(w, part + 2);
      } else if (contains(vocab().mac_surnames, lower_piece)) {
        i = upper_at(w, part + 3);
      }
      continue;
    }
    if (w[i] == '-') {
      start = true;
      ++i;
      continue;
    }
    ++i;
  }
  return w;
}

std::string case_word(std::string_view raw, bool particle_position) {
  if (has_upper(raw) && has_lower(raw)) return std::string(raw);  // the transcript's own casing
  const std::string lower = to_lower(raw);
  if (particle_position && is_particle(lower)) return lower;
  return capitalise(raw);
}

// --- Suffixes and post-nominals ("Jr.", "III", "MD", "M.D.", "D.O.", "Ph. D.") ------------------
// Tokens a suffix spans at i (0 if none): letters joined by dots, spelling a listed suffix.
std::size_t suffix_at(const std::vector<Token>& toks, std::size_t i) {
  std::string letters;
  std::size_t k = i;
  std::size_t best = 0;
  for (int parts = 0; parts < 4 && k < toks.size() && toks[k].kind == TokenKind::word; ++parts) {
    letters += toks[k].text;
    ++k;
    const bool dot = k < toks.size() && toks[k].text == ".";
    if (contains(vocab().suffixes, letters)) best = dot ? k + 1 : k;
    if (!dot) break;
    ++k;
  }
  return best == 0 ? 0 : best - i;
}

// A spelled group: single letters joined by hyphens ("W-E-I") or three or more spaced single
// letters ("J O H N S O N").
struct Spelled {
  std::string letters;
  std::size_t end;
};
bool single_letter(const Token& t) {
  if (t.kind != TokenKind::word || t.text.empty() || t.text.size() > 2) return false;
  // One letter: ASCII, or one accented letter in two bytes. A stray byte (a lead byte alone, a
  // control character) is not a letter, or the spelled name would not be valid UTF-8.
  char32_t cp = 0;
  return decode(t.text, 0, cp) == t.text.size() && cp != '\'' && name_letter(cp);
}
std::optional<Spelled> spelled_at(const std::vector<Token>& toks, std::size_t i) {
  if (i >= toks.size() || !single_letter(toks[i])) return std::nullopt;
  Spelled s{std::string(toks[i].raw), i + 1};
  std::size_t count = 1;
  while (s.end + 1 < toks.size() && toks[s.end].text == "-" && !toks[s.end].space_before &&
         single_letter(toks[s.end + 1])) {
    s.letters += toks[s.end + 1].raw;
    s.end += 2;
    ++count;
  }
  if (count >= 2) return s;
  while (s.end < toks.size() && single_letter(toks[s.end]) && toks[s.end].space_before) {
    s.letters += toks[s.end].raw;
    ++s.end;
    ++count;
  }
  if (count < 3) return std::nullopt;
  return s;
}

// Name words from token i: raw words (hyphen-joined) and the index after them.
struct NameWords {
  std::vector<std::string> words;
  std::size_t end = 0;
  bool clean_end = true;  // stopped at the end, punctuation, a suffix or a spelled group
  bool spelled = false;   // spelled letters confirmed, replaced or added words
};

// A word glued to markup ("<b>Smith</b>", "&amp;", "x=1") is not a name word.
bool markup_next_to(const std::vector<Token>& toks, std::size_t i) {
  auto markup = [](std::string_view p) { return p == "<" || p == ">" || p == "&" || p == "/" || p == "=" || p == ";"; };
  if (i > 0 && !toks[i].space_before && markup(toks[i - 1].text)) return true;
  return i + 1 < toks.size() && !toks[i + 1].space_before && markup(toks[i + 1].text) && toks[i + 1].text != ";";
}

NameWords collect(const std::vector<Token>& toks, std::size_t i, std::size_t max_words) {
  NameWords out;
  // Titles first ("Dr.", "Mrs").
  while (i + 1 < toks.size() && toks[i].kind == TokenKind::word && is_title(toks[i].text)) {
    ++i;
    if (i < toks.size() && toks[i].text == ".") ++i;
  }
  while (i < toks.size()) {
    const Token& t = toks[i];
    if (t.kind == TokenKind::punct) {
      if (t.text == "(") {  // nickname in parentheses
        while (i < toks.size() && toks[i].text != ")") ++i;
        ++i;
        continue;
      }
      break;
    }
    if (t.kind != TokenKind::word || !name_word(t.raw) || markup_next_to(toks, i)) {
      out.clean_end = false;
      break;
    }
    if (spelled_at(toks, i)) break;
    const bool particle_here = !out.words.empty() && is_particle(t.text) && i + 1 < toks.size() &&
                               toks[i + 1].kind == TokenKind::word && !is_stop(toks[i + 1].text);
    if (!out.words.empty() && !particle_here) {
      if (const std::size_t s = suffix_at(toks, i); s != 0) {
        // A suffix word that would leave a lone given name is the surname ("John Senior", "Jack Ma");
        // generational suffixes never are ("John III").
        if (!(s == 1 && out.words.size() == 1 && !contains(vocab().generational, t.text))) break;
      }
    }
    if (!out.words.empty() && is_particle(t.text)) {
      // A particle only counts when a name word follows it (or it ends the name: "Yin Le").
      std::size_t k = i + 1;
      while (k < toks.size() && toks[k].kind == TokenKind::word && is_particle(toks[k].text)) ++k;
      if (k < toks.size() && toks[k].kind == TokenKind::word && is_stop(toks[k].text)) {
        out.clean_end = false;
        break;
      }
    } else if (is_stop(t.text) || (t.text.size() > 2 && t.text.ends_with("'s"))) {
      out.clean_end = false;
      break;
    }
    if (out.words.size() == max_words) {
      out.clean_end = false;
      break;
    }
    std::string word(t.raw);
    ++i;
    // Hyphenated: "Jean-François", "Gagnon-Pelletier".
    while (i + 1 < toks.size() && toks[i].text == "-" && !toks[i].space_before && !toks[i + 1].space_before &&
           toks[i + 1].kind == TokenKind::word && name_word(toks[i + 1].raw)) {
      word += "-";
      word += toks[i + 1].raw;
      i += 2;
    }
    out.words.push_back(std::move(word));
  }
  out.end = i;
  return out;
}

std::string format_name(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (!out.empty()) out.push_back(' ');
    const bool middle = k > 0 && k + 1 < words.size();
    out += case_word(words[k], middle);
  }
  return out;
}

// Skips suffixes and the commas between them ("Smith, Jr., MD").
std::size_t skip_suffixes(const std::vector<Token>& toks, std::size_t i) {
  while (true) {
    std::size_t k = i;
    while (k < toks.size() && toks[k].text == ",") ++k;
    const std::size_t s = suffix_at(toks, k);
    if (s == 0) return i;
    i = k + s;
  }
}

// Rest after the name: only punctuation, suffixes, spelled groups or courtesy words may follow.
bool tail_is_clean(const std::vector<Token>& toks, std::size_t i, std::vector<std::string>* spelled) {
  while (i < toks.size()) {
    const Token& t = toks[i];
    if (t.kind == TokenKind::punct || contains(vocab().name_tail_ok, t.text)) {
      ++i;
      continue;
    }
    if (auto s = spelled_at(toks, i)) {
      if (spelled) spelled->push_back(s->letters);
      i = s->end;
      continue;
    }
    if (const std::size_t s = suffix_at(toks, i); s != 0) {
      i += s;
      continue;
    }
    return false;
  }
  return true;
}

// A clause boundary after a bare name: the name may be followed by other content ("Dana Wu, my
// PIN is ...", "Ravi Iyer 4167 I forgot my card").
bool boundary_at(const std::vector<Token>& toks, std::size_t i) {
  if (i >= toks.size()) return true;
  const Token& t = toks[i];
  return t.kind == TokenKind::number || t.text == "," || t.text == "." || t.text == ";" || t.text == "!" ||
         t.text == "?" || t.text == "-" || (t.kind == TokenKind::word && (is_stop(t.text) || !name_word(t.raw)));
}

std::size_t skip_fillers(const std::vector<Token>& toks, std::size_t i) {
  while (i < toks.size() && (toks[i].kind == TokenKind::punct || is_filler(toks[i].text))) ++i;
  return i;
}

// A carrier phrase at i: its length (0 if none) and whether it is strong (may stand anywhere).
struct Carrier {
  std::size_t length = 0;
  bool strong = false;
};
Carrier carrier_at(const std::vector<Token>& toks, std::size_t i) {
  const PhraseMatch m = match_phrase(
      vocab().carriers, [&](std::size_t k) { return k < toks.size() ? std::string_view(toks[k].text) : ""; }, i);
  return Carrier{m.length, m.value == 2};
}

// Letter distance between two folded words (Levenshtein, small inputs).
std::size_t distance(std::string_view a, std::string_view b) {
  if (a.size() > 40 || b.size() > 40) return std::max(a.size(), b.size());
  std::array<std::size_t, 41> prev{};
  std::array<std::size_t, 41> cur{};
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    prev = cur;
  }
  return prev[b.size()];
}

// Spelled letters after heard words: they correct what ASR heard ("Shawn, S-E-A-N" -> Sean), or,
// after a lone given name, spell a different word, the surname ("John, J O H N S O N").
std::vector<std::string> apply_spelling(std::vector<std::string> words, const std::vector<std::string>& spelled) {
  if (spelled.empty()) return words;
  if (words.empty()) return spelled;
  if (spelled.size() == words.size()) {
    const std::size_t n = words.size();
    for (std::size_t k = 0; k < n; ++k) {
      const std::string heard = fold_letters(words[k]);
      const std::string letters = fold_letters(spelled[k]);
      if (heard == letters) continue;
      const bool extends = letters.size() >= heard.size() + 3 && letters.starts_with(heard);
      const bool far = distance(heard, letters) > std::max<std::size_t>(2, letters.size() / 2);
      if (words.size() == 1 && (extends || far)) {
        words.push_back(to_lower(spelled[k]));  // a surname spelled after the given name
      } else {
        words[k] = to_lower(spelled[k]);
      }
    }
  } else if (spelled.size() == 1 && fold_letters(words.back()) != fold_letters(spelled[0]) && words.size() >= 2) {
    words.back() = to_lower(spelled[0]);  // "last name is Ouellet, O-U-E-L-L-E-T"
  }
  return words;
}

// Name words with spelled groups after them, possibly interleaved: "Wei, W-E-I, Zhang, Z-H-A-N-G",
// "Sarah, S-A-R-A-H, Johnson", "Sarah Johnson, J-O-H-N-S-O-N".
NameWords collect_spelled(const std::vector<Token>& toks, std::size_t i, std::size_t max_words) {
  NameWords out;
  out.end = i;
  while (out.words.size() < max_words) {
    NameWords run = collect(toks, out.end, max_words - out.words.size());
    if (run.words.empty()) break;
    std::size_t e = skip_suffixes(toks, run.end);
    while (e < toks.size() && toks[e].kind == TokenKind::punct) ++e;
    std::vector<std::string> spelled;
    while (auto s = spelled_at(toks, e)) {
      spelled.push_back(s->letters);
      e = s->end;
      while (e < toks.size() && toks[e].kind == TokenKind::punct) ++e;
    }
    for (auto& w : apply_spelling(std::move(run.words), spelled)) out.words.push_back(std::move(w));
    out.clean_end = run.clean_end;
    out.spelled = out.spelled || !spelled.empty();
    if (spelled.empty()) {
      out.end = skip_suffixes(toks, run.end);
      break;
    }
    out.end = e;
  }
  return out;
}

// --- Evidence: is this a name at all? -------------------------------------------------------
enum class Support { strong_carrier, weak_carrier, none };

bool all_same(const std::vector<std::string>& words) {
  if (words.size() < 2) return false;
  const std::string first = fold_letters(words[0]);
  return std::all_of(words.begin(), words.end(), [&](const std::string& w) { return fold_letters(w) == first; });
}
en::WordClass word_class_of(const std::string& raw) {
  const std::string lower = to_lower(raw);
  std::string_view w = lower;
  if (const std::size_t dash = w.find('-'); dash != std::string_view::npos) w = w.substr(0, dash);
  for (char c : w) {
    if (static_cast<unsigned char>(c) >= 0x80) return en::WordClass::unlisted;  // accented: not an English word
  }
  return en::word_class(w);
}
// Ordinary words need evidence: a strong carrier takes any words but a repetition ("blah blah");
// otherwise some word must be name-like (a proper noun or unlisted word, or a word that is also a
// common name, e.g. Will, Rose, Baker); a lone bare word must be a proper noun or unlisted, or a
// word that is also a name written with its capital in a mixed-case transcript ("Will").
bool name_like(const std::vector<std::string>& words, Support support) {
  if (words.empty() || all_same(words)) return false;
  if (support == Support::strong_carrier) return true;
  std::size_t proper = 0;
  std::size_t ambiguous = 0;
  std::size_t ambiguous_capitalised = 0;
  std::size_t ordinary = 0;
  for (std::size_t k = 0; k < words.size(); ++k) {
    const std::string& w = words[k];
    if (k > 0 && is_particle(to_lower(w))) continue;
    switch (word_class_of(w)) {
      case en::WordClass::unlisted: ++proper; break;
      case en::WordClass::ambiguous:
        ++ambiguous;
        ambiguous_capitalised += has_upper(w) && has_lower(w) ? 1 : 0;
        break;
      case en::WordClass::ordinary: ++ordinary; break;
    }
  }
  // Several words: ordinary words no more than the proper nouns ("Fang Liu", "Robert Weir"), or a
  // given name (the first word) that is a proper noun or a name-word with at most one ordinary word
  // (surnames can be ordinary words: "Hope Solo", "Will Baker"). "gonna snow", "arriving
  // sometime", "people visiting Buñol towards" are not names.
  if (words.size() >= 2) {
    if (proper > 0 && ordinary <= proper) return true;
    const bool given_name_like = word_class_of(words.front()) != en::WordClass::ordinary;
    return given_name_like && proper + ambiguous > 0 && ordinary <= 1;
  }
  return proper > 0 || ambiguous_capitalised > 0;
}

std::optional<HeardName> finish(std::vector<std::string> words, std::string_view rule, Support support, bool spelled) {
  if (words.empty()) return std::nullopt;
  for (const std::string& w : words) {
    if (!name_word(w) && w.find('-') == std::string::npos) return std::nullopt;
  }
  if (!spelled && !name_like(words, support)) return std::nullopt;
  HeardName h;
  h.full = format_name(words);
  if (h.full.size() > kMaxNameBytes) return std::nullopt;
  h.given_only = words.size() == 1;
  h.carrier = support != Support::none;
  h.spelled = spelled;
  h.rule = rule;
  return h;
}

// "last name X, first name Y" / "my first name is Y and my last name is X".
std::optional<HeardName> labelled(const std::vector<Token>& toks) {
  bool any_spelled = false;
  std::vector<std::string> first;
  std::vector<std::string> last;
  for (std::size_t i = 0; i + 1 < toks.size(); ++i) {
    const bool is_first = (toks[i].text == "first" || toks[i].text == "given") && toks[i + 1].text == "name";
    const bool is_last = (toks[i].text == "last" || toks[i].text == "family") && toks[i + 1].text == "name";
    const bool is_surname = toks[i].text == "surname";
    if (!is_first && !is_last && !is_surname) continue;
    std::size_t k = i + (is_surname ? 1 : 2);
    if (k < toks.size() && (toks[k].text == "is" || toks[k].text == "'s")) ++k;
    while (k < toks.size() && toks[k].kind == TokenKind::punct) ++k;
    NameWords nw = collect(toks, k, 3);
    if (nw.words.empty()) return std::nullopt;
    (is_first ? first : last) = nw.words;
    std::size_t e = nw.end;
    while (e < toks.size() && toks[e].kind == TokenKind::punct) ++e;
    if (auto s = spelled_at(toks, e)) {
      std::vector<std::string>& target = is_first ? first : last;
      if (target.size() == 1 && fold_letters(target[0]) != fold_letters(s->letters)) target[0] = to_lower(s->letters);
      e = s->end;
      any_spelled = true;
    }
    i = e == 0 ? i : e - 1;
  }
  if (first.empty() || last.empty()) return std::nullopt;
  std::vector<std::string> all = first;
  all.insert(all.end(), last.begin(), last.end());
  return finish(all, "name.labelled_first_last", Support::strong_carrier, any_spelled);
}

}  // namespace

std::optional<HeardName> hear_name(std::string_view text) {
  const std::vector<Token> toks = tokenize(text);
  if (toks.empty()) return std::nullopt;
  if (auto l = labelled(toks)) return l;

  // 1. A carrier phrase at the start (after fillers), or a strong one anywhere.
  const std::size_t start = skip_fillers(toks, 0);
  auto after_carrier = [&](std::size_t at, Carrier carrier) -> std::optional<HeardName> {
    const Support support = carrier.strong ? Support::strong_carrier : Support::weak_carrier;
    std::size_t i = at + carrier.length;
    // Punctuation and hesitations between the carrier and the name ("my name is, uh, Lisa Wong").
    while (i < toks.size() && (toks[i].kind == TokenKind::punct || contains(vocab().hesitations, toks[i].text))) ++i;
    NameWords nw = collect_spelled(toks, i, 7);
    if (nw.words.empty()) {  // only spelled letters after the carrier ("my name is J-O-H-N S-M-I-T-H")
      std::vector<std::string> spelled;
      tail_is_clean(toks, i, &spelled);
      return finish(std::move(spelled), "name.carrier_spelled", support, true);
    }
    return finish(std::move(nw.words), carrier.strong ? "name.strong_carrier" : "name.weak_carrier", support,
                  nw.spelled);
  };
  const Carrier first = carrier_at(toks, start);
  if (first.length != 0) {
    if (auto h = after_carrier(start, first)) return h;
  }
  for (std::size_t i = start + std::max<std::size_t>(first.length, 1); i < toks.size(); ++i) {
    if (const Carrier c = carrier_at(toks, i); c.strong) return after_carrier(i, c);
  }
  if (first.length != 0) return std::nullopt;

  // 2. A bare name: name words at the start of the turn (optionally "Last, First"), then the end
  //    of the turn or a clause boundary.
  NameWords nw = collect(toks, start, 7);
  if (nw.words.empty()) {
    // Only spelled letters: "J-O-H-N S-M-I-T-H".
    std::vector<std::string> spelled;
    if (nw.end == start && tail_is_clean(toks, start, &spelled) && spelled.size() >= 2) {
      return finish(spelled, "name.spelled_only", Support::none, true);
    }
    return std::nullopt;
  }
  const std::size_t e = skip_suffixes(toks, nw.end);
  if (e < toks.size() && toks[e].text == ",") {
    NameWords given = collect(toks, e + 1, 3);
    // After the comma only given names come: a trailing suffix word is a suffix ("Doe, John MD").
    while (given.words.size() > 1 && contains(vocab().suffixes, to_lower(given.words.back()))) given.words.pop_back();
    const std::size_t ge = skip_suffixes(toks, given.end);
    if (!given.words.empty() && nw.words.size() <= 3 && tail_is_clean(toks, ge, nullptr)) {
      std::vector<std::string> all = given.words;
      all.insert(all.end(), nw.words.begin(), nw.words.end());
      return finish(all, "name.last_comma_first", Support::none, false);
    }
  }
  NameWords all = collect_spelled(toks, start, 7);
  if (tail_is_clean(toks, all.end, nullptr)) return finish(std::move(all.words), "name.bare", Support::none, all.spelled);
  if (boundary_at(toks, all.end) && (all.words.size() >= 2 || all.spelled)) {
    return finish(std::move(all.words), "name.bare_then_more", Support::none, all.spelled);
  }
  return std::nullopt;
}

std::optional<std::string> extract_name(std::string_view text) {
  auto h = hear_name(text);
  if (!h) return std::nullopt;
  return std::move(h->full);
}

std::optional<std::string> extract_surname(std::string_view text) {
  const std::vector<Token> toks = tokenize(text);
  std::size_t i = skip_fillers(toks, 0);
  auto w = [&](std::size_t k) -> std::string_view { return k < toks.size() ? std::string_view(toks[k].text) : ""; };
  // Carriers: "it's", "my last name is", "last name's", "the surname is", "family name", "that's".
  if (w(i) == "it's" || w(i) == "its" || w(i) == "that's") ++i;
  else if ((w(i) == "it" || w(i) == "that") && w(i + 1) == "is") i += 2;
  if (w(i) == "my" || w(i) == "the") ++i;
  if ((w(i) == "last" || w(i) == "family") && (w(i + 1) == "name" || w(i + 1) == "name's")) i += 2;
  else if (w(i) == "surname" || w(i) == "surname's") ++i;
  if (w(i) == "is") ++i;
  i = skip_fillers(toks, i);
  NameWords nw = collect_spelled(toks, i, 3);
  if (nw.words.empty()) {  // letters only: "G-A-R-C-I-A"
    std::vector<std::string> spelled;
    if (!tail_is_clean(toks, i, &spelled) || spelled.size() != 1) return std::nullopt;
    if (spelled[0].size() > kMaxNameBytes || !name_word(spelled[0])) return std::nullopt;
    return capitalise(spelled[0]);
  }
  if (!tail_is_clean(toks, nw.end, nullptr)) return std::nullopt;
  std::string out;
  for (std::size_t k = 0; k < nw.words.size(); ++k) {
    if (!out.empty()) out.push_back(' ');
    // Particles stay lower case before the rest of the surname ("de la Cruz").
    out += case_word(nw.words[k], k + 1 < nw.words.size());
  }
  if (out.size() > kMaxNameBytes) return std::nullopt;
  return out;
}

bool looks_like_name(std::string_view candidate) {
  const std::vector<Token> toks = tokenize(candidate);
  const NameWords nw = collect(toks, 0, 6);
  if (nw.words.empty()) return false;
  if (nw.end != toks.size()) {
    std::size_t e = nw.end;
    while (e < toks.size() && toks[e].kind == TokenKind::punct && toks[e].text == ".") ++e;
    if (e != toks.size()) return false;
  }
  return true;
}

}  // namespace bella::understand
