// Caller names: carrier phrases, fillers, titles, spelled letters and casing rules.
#include <algorithm>
#include <array>

#include "bella/understand/extract.hpp"
#include "understand/numbers.hpp"

namespace bella::understand {
namespace {

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view w) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

constexpr std::array<std::string_view, 24> kFillers{
    "um", "uh", "umm", "uhm", "er", "erm", "yeah", "yes", "yep", "hi", "hello", "hey", "so", "well", "oh", "okay",
    "ok", "sure", "good", "morning", "afternoon", "evening", "there", "alright"};
constexpr std::array<std::string_view, 14> kTitles{"mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "prof",
                                                   "professor", "sir", "madam", "mx", "rev", "reverend"};
constexpr std::array<std::string_view, 16> kSuffixes{"jr", "sr", "junior", "senior", "ii", "iii", "iv", "v",
                                                     "phd", "md", "cpa", "esq", "dds", "rn", "mba", "jd"};
constexpr std::array<std::string_view, 20> kParticles{"van", "der", "den", "de", "la", "le", "da", "das", "dos", "do",
                                                      "du", "von", "ben", "bin", "al", "del", "della", "di", "ter", "y"};
// Common words that are not names (names that are also words, e.g. "will", "may", "king",
// "grace", are deliberately absent).
constexpr auto kStopWords = std::to_array<std::string_view>({
    "a", "an", "the", "and", "or", "but", "for", "to", "of", "in", "on", "at", "with", "from", "about", "by", "is",
    "are", "was", "were", "be", "been", "i", "i'm", "im", "i'd", "i'll", "i've", "me", "my", "mine", "you", "your",
    "he", "she", "it", "it's", "its", "we", "they", "them", "him", "her", "his", "our", "their", "this", "that",
    "these", "those", "there", "here", "what", "who", "whom", "why", "how", "when", "where", "which", "yes", "yeah",
    "yep", "no", "nope", "not", "sure", "okay", "ok", "hi", "hello", "hey", "thanks", "thank", "please", "sorry", "um",
    "uh", "just", "calling", "looking", "trying", "wondering", "hoping", "interested", "going", "want", "wanted",
    "would", "could", "can", "should", "like", "need", "book", "booking", "schedule", "appointment", "call", "talk",
    "speak", "know", "think", "have", "has", "don't", "does", "did", "get", "make", "today", "tomorrow", "tonight",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "am", "pm", "anybody", "somebody",
    "someone", "anyone", "nobody", "son", "daughter", "wife", "husband", "mom", "dad", "kid", "child", "friend",
    "company", "business", "called", "data", "scientist", "head", "manager", "patient", "fine", "great", "also",
    "still", "only", "really", "very", "back", "again", "some", "any", "time", "name", "number", "phone", "email",
    "available", "free", "busy", "speaking", "good", "well", "glad", "happy", "new", "ready", "sick", "doing", "actually", "so", "first", "last", "null", "none", "unknown", "anonymous", "n/a", "here's", "that's", "there's", "one"});

bool is_stop(std::string_view w) { return in(kStopWords, w); }

bool is_letter_word(const Token& t) {
  if (t.kind != TokenKind::word || t.text.empty()) return false;
  return true;  // tokenizer words hold only letters, non-ASCII bytes and inner apostrophes
}

// --- UTF-8 case helpers for Latin-1 Supplement letters (enough for French, Spanish, German...) ---
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

constexpr std::array<std::string_view, 30> kMacNames{
    "macdonald", "macleod",   "mackenzie", "macmillan", "macgregor", "macintyre", "mackay",    "maclean",
    "macpherson", "macarthur", "macneil",   "macaulay",  "maclachlan", "macrae",   "macdougall", "macfarlane",
    "mackinnon", "macinnes",  "maclennan", "macaskill", "mackintosh", "macneill", "macphail",  "macdonnell",
    "maccallum", "maccormack", "macdougal", "macewan",  "maclaren",  "macisaac"};

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
      const std::string_view piece = rest.substr(0, end);
      std::string lower_piece = to_lower(piece);
      if (piece.size() >= 4 && lower_piece.starts_with("mc")) {
        i = upper_at(w, part + 2);
      } else if (in(kMacNames, lower_piece)) {
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
  if (particle_position && in(kParticles, lower)) return lower;
  return capitalise(raw);
}

// A spelled group: single letters joined by hyphens ("W-E-I"), as one string "wei"-ish raw.
struct Spelled {
  std::string letters;  // raw letters concatenated
  std::size_t end;      // token index after the group
};
std::optional<Spelled> spelled_at(const std::vector<Token>& toks, std::size_t i) {
  auto single_letter = [](const Token& t) {
    if (t.kind != TokenKind::word) return false;
    if (t.text.size() == 1) return true;
    return t.text.size() == 2 && static_cast<unsigned char>(t.text[0]) >= 0xC0;  // one accented letter
  };
  if (i >= toks.size() || !single_letter(toks[i])) return std::nullopt;
  Spelled s{std::string(toks[i].raw), i + 1};
  std::size_t count = 1;
  while (s.end + 1 < toks.size() && toks[s.end].text == "-" && !toks[s.end].space_before &&
         single_letter(toks[s.end + 1])) {
    s.letters += toks[s.end + 1].raw;
    s.end += 2;
    ++count;
  }
  if (count < 2) return std::nullopt;
  return s;
}

// Collects name words from token i. Returns words (raw, with hyphen joins) and the index after.
struct NameWords {
  std::vector<std::string> words;
  std::size_t end = 0;
  bool clean_end = true;  // stopped at the end, punctuation, a suffix or a spelled group
};

NameWords collect(const std::vector<Token>& toks, std::size_t i, std::size_t max_words) {
  NameWords out;
  // Titles first ("Dr.", "Mrs").
  while (i < toks.size() && toks[i].kind == TokenKind::word && in(kTitles, toks[i].text) && i + 1 < toks.size()) {
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
    if (!is_letter_word(t)) {
      out.clean_end = false;
      break;
    }
    if (spelled_at(toks, i)) break;
    if (in(kSuffixes, t.text) && !out.words.empty()) break;
    const bool particle = in(kParticles, t.text);
    if (!out.words.empty() && particle) {
      // A particle only counts when a name word follows it.
      std::size_t k = i + 1;
      while (k < toks.size() && toks[k].kind == TokenKind::word && in(kParticles, toks[k].text)) ++k;
      if (k < toks.size() && toks[k].kind == TokenKind::word && is_stop(toks[k].text)) {
        out.clean_end = false;
        break;
      }
      // Otherwise it is followed by a name word, or it ends the name and is the surname ("Yin Le").
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
           toks[i + 1].kind == TokenKind::word) {
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

// Rest after the name: only punctuation, suffixes, spelled groups or a nickname may follow.
bool tail_is_clean(const std::vector<Token>& toks, std::size_t i, std::vector<std::string>* spelled) {
  while (i < toks.size()) {
    const Token& t = toks[i];
    if (t.kind == TokenKind::punct || t.text == "here" || t.text == "speaking" || t.text == "calling" ||
        t.text == "thanks" || t.text == "please") {
      ++i;
      continue;
    }
    if (auto s = spelled_at(toks, i)) {
      if (spelled) spelled->push_back(s->letters);
      i = s->end;
      continue;
    }
    if (in(kSuffixes, t.text)) {
      ++i;
      continue;
    }
    return false;
  }
  return true;
}

std::size_t skip_fillers(const std::vector<Token>& toks, std::size_t i) {
  while (i < toks.size() && (toks[i].kind == TokenKind::punct || in(kFillers, toks[i].text))) ++i;
  return i;
}

bool near_name(std::string_view w) {  // "name" with one typo ("aame", "nane", "nam")
  if (w == "name") return true;
  if (w.size() == 4) {
    int diff = 0;
    for (std::size_t k = 0; k < 4; ++k) diff += w[k] != "name"[k];
    return diff == 1;
  }
  return w == "nam";
}

// Length of a carrier phrase at i (0 if none). `strong` carriers may appear mid-sentence.
std::size_t carrier_at(const std::vector<Token>& toks, std::size_t i, bool strong_only) {
  auto w = [&](std::size_t k) -> std::string_view { return k < toks.size() ? std::string_view(toks[k].text) : ""; };
  if ((w(i) == "my" || w(i) == "mi" || w(i) == "the") && near_name(w(i + 1))) {
    if (w(i + 2) == "is" || w(i + 2) == "si" || w(i + 2) == "'s") return 3;
    return 2;
  }
  if ((w(i) == "my" || w(i) == "mi") && w(i + 1) == "name's") return 2;
  if (w(i) == "name's") return 1;
  if (w(i) == "name" && w(i + 1) == "is") return 2;
  if (w(i) == "you" && w(i + 1) == "can" && w(i + 2) == "call" && w(i + 3) == "me") return 4;
  if (w(i) == "call" && w(i + 1) == "me") return 2;
  if (strong_only) return 0;
  if (w(i) == "i" && w(i + 1) == "am") return 2;
  if (w(i) == "i'm" || w(i) == "im" || w(i) == "it's" || w(i) == "its") return 1;
  if ((w(i) == "it" || w(i) == "this") && w(i + 1) == "is") return 2;
  return 0;
}

// Uses spelled letters when they disagree with what ASR heard, word for word.
std::vector<std::string> apply_spelling(std::vector<std::string> words, const std::vector<std::string>& spelled) {
  if (spelled.empty()) return words;
  if (words.empty()) {
    return spelled;
  }
  if (spelled.size() == words.size()) {
    for (std::size_t k = 0; k < words.size(); ++k) {
      if (fold_letters(words[k]) != fold_letters(spelled[k])) words[k] = to_lower(spelled[k]);
    }
  } else if (spelled.size() == 1 && fold_letters(words.back()) != fold_letters(spelled[0]) && words.size() >= 2) {
    words.back() = to_lower(spelled[0]);  // "last name is Ouellet, O-U-E-L-L-E-T"
  }
  return words;
}

// Name words with spelled groups after them, possibly interleaved: "Wei, W-E-I, Zhang, Z-H-A-N-G",
// "Sarah, S-A-R-A-H, Johnson", "Sarah Johnson, J-O-H-N-S-O-N". Each run of words takes the spelled
// groups that follow it (apply_spelling); more name words are read only after a spelled group.
NameWords collect_spelled(const std::vector<Token>& toks, std::size_t i, std::size_t max_words) {
  NameWords out;
  out.end = i;
  while (out.words.size() < max_words) {
    NameWords run = collect(toks, out.end, max_words - out.words.size());
    if (run.words.empty()) break;
    std::size_t e = run.end;
    while (e < toks.size() && toks[e].kind == TokenKind::punct) ++e;
    std::vector<std::string> spelled;
    while (auto s = spelled_at(toks, e)) {
      spelled.push_back(s->letters);
      e = s->end;
      while (e < toks.size() && toks[e].kind == TokenKind::punct) ++e;
    }
    for (auto& w : apply_spelling(std::move(run.words), spelled)) out.words.push_back(std::move(w));
    out.clean_end = run.clean_end;
    if (spelled.empty()) {
      out.end = run.end;
      break;
    }
    out.end = e;
  }
  return out;
}

std::optional<std::string> finish(std::vector<std::string> words) {
  if (words.empty()) return std::nullopt;
  return format_name(words);
}

// "last name X, first name Y" / "my first name is Y and my last name is X".
std::optional<std::string> labelled(const std::vector<Token>& toks) {
  std::vector<std::string> first;
  std::vector<std::string> last;
  std::vector<std::string> spelled;
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
    }
    i = e == 0 ? i : e - 1;
  }
  if (first.empty() || last.empty()) return std::nullopt;
  std::vector<std::string> all = first;
  all.insert(all.end(), last.begin(), last.end());
  return finish(all);
}

}  // namespace

std::optional<std::string> extract_name(std::string_view text) {
  const std::vector<Token> toks = tokenize(text);
  if (toks.empty()) return std::nullopt;
  if (auto l = labelled(toks)) return l;

  // 1. A carrier phrase at the start (after fillers), or a strong one anywhere.
  std::size_t start = skip_fillers(toks, 0);
  std::size_t carrier = carrier_at(toks, start, false);
  if (carrier == 0) {
    for (std::size_t i = start; i < toks.size() && carrier == 0; ++i) {
      if ((carrier = carrier_at(toks, i, true)) != 0) start = i;
    }
  }
  if (carrier != 0) {
    std::size_t i = start + carrier;
    // Punctuation and hesitations between the carrier and the name ("my name is, uh, Lisa Wong").
    while (i < toks.size() && (toks[i].kind == TokenKind::punct || toks[i].text == "um" || toks[i].text == "uh" ||
                               toks[i].text == "umm" || toks[i].text == "er" || toks[i].text == "erm")) {
      ++i;
    }
    NameWords nw = collect_spelled(toks, i, 5);
    if (nw.words.empty()) {  // only spelled letters after the carrier ("my name is J-O-H-N S-M-I-T-H")
      std::vector<std::string> spelled;
      tail_is_clean(toks, i, &spelled);
      return finish(std::move(spelled));
    }
    // "I'm calling about ..." style sentences stop at a stop word immediately: nothing.
    return finish(std::move(nw.words));
  }

  // 2. A bare name: the whole turn is 2-7 name words (optionally "Last, First").
  NameWords nw = collect(toks, start, 7);
  if (nw.words.empty()) {
    // Only spelled letters: "J-O-H-N S-M-I-T-H".
    std::vector<std::string> spelled;
    if (nw.end == start && tail_is_clean(toks, start, &spelled) && spelled.size() >= 2) return finish(spelled);
    return std::nullopt;
  }
  std::size_t e = nw.end;
  if (e < toks.size() && toks[e].text == "," && nw.words.size() == 1) {
    NameWords given = collect(toks, e + 1, 2);
    if (!given.words.empty() && !in(kSuffixes, to_lower(given.words[0])) && tail_is_clean(toks, given.end, nullptr)) {
      std::vector<std::string> all = given.words;
      all.push_back(nw.words[0]);
      return finish(all);
    }
  }
  NameWords all = collect_spelled(toks, start, 7);
  if (all.words.size() < 2 || !tail_is_clean(toks, all.end, nullptr)) return std::nullopt;
  return finish(std::move(all.words));
}

std::optional<std::string> extract_surname(std::string_view text) {
  const std::vector<Token> toks = tokenize(text);
  std::size_t i = skip_fillers(toks, 0);
  auto w = [&](std::size_t k) -> std::string_view { return k < toks.size() ? std::string_view(toks[k].text) : ""; };
  // Carriers: "it's", "my last name is", "last name's", "the surname is", "family name", "that's".
  if (const std::size_t c = carrier_at(toks, i, false); c != 0) i += c;
  if (w(i) == "my" || w(i) == "the") ++i;
  if ((w(i) == "last" || w(i) == "family") && (w(i + 1) == "name" || w(i + 1) == "name's")) i += 2;
  else if (w(i) == "surname" || w(i) == "surname's") ++i;
  else if (w(i) == "that's") ++i;
  if (w(i) == "is") ++i;
  i = skip_fillers(toks, i);
  NameWords nw = collect_spelled(toks, i, 3);
  if (nw.words.empty()) {  // letters only: "G-A-R-C-I-A"
    std::vector<std::string> spelled;
    if (!tail_is_clean(toks, i, &spelled) || spelled.size() != 1) return std::nullopt;
    return capitalise(spelled[0]);
  }
  if (!tail_is_clean(toks, nw.end, nullptr)) return std::nullopt;
  std::string out;
  for (std::size_t k = 0; k < nw.words.size(); ++k) {
    if (!out.empty()) out.push_back(' ');
    // Particles stay lower case before the rest of the surname ("de la Cruz").
    out += case_word(nw.words[k], k + 1 < nw.words.size());
  }
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

// Provisional (issue 12 records the evidence in the extractor itself).
std::optional<HeardName> hear_name(std::string_view text) {
  auto name = extract_name(text);
  if (!name) return std::nullopt;
  HeardName h;
  h.full = *name;
  h.given_only = name->find(' ') == std::string::npos;
  h.rule = "provisional";
  return h;
}

}  // namespace bella::understand
