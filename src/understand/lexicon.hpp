// The words of one language, as data: the grammar code (datetime.cpp, name.cpp, phone.cpp,
// yes_no.cpp) looks words up here and holds no vocabulary of its own. English lives in
// src/understand/en/; a French (fr-CA) table set would add src/understand/fr/ and its grammar.
#pragma once
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace bella::understand {

/// A word or a space-separated phrase of lower-case tokens, with the value it stands for.
struct Phrase {
  std::string_view words;
  int value = 0;
};

/// Part-of-day codes used in Lexicon::parts_of_day.
enum class PartCode { morning = 1, lunch, afternoon, evening, night };

struct Lexicon {
  // ---- numbers ----
  std::span<const Phrase> number_units;     // "zero".."nineteen" -> 0..19
  std::span<const Phrase> number_tens;      // "twenty".."ninety" -> 20..90
  std::span<const Phrase> number_ordinals;  // "first".."thirty-first" parts -> 1..90
  // ---- dates and times ----
  std::span<const Phrase> weekdays;         // value 0..6, Sunday = 0 (full names and plurals)
  std::span<const Phrase> weekday_abbrevs;  // "tue", "thurs": need a cue next to them (they are words too)
  std::span<const Phrase> months;           // value 1..12, full names and abbreviations
  std::span<const Phrase> named_days;       // value = calendar::NamedDay
  std::span<const Phrase> parts_of_day;     // value = PartCode
  std::span<const std::string_view> approximate;  // "around", "about": before a time
  std::span<const std::string_view> time_cues;    // "at", "by", "from": a number after them is a time
  std::span<const std::string_view> cue_fillers;  // "like", "just": may sit between a cue and the time
  std::span<const std::string_view> naming_verbs; // "make", "move": "make it 10"
  std::span<const Phrase> time_units;             // 1 minute, 2 hour, 3 day, 4 week, 5 fortnight, 6 month, 7 year
  std::span<const std::string_view> measures;     // words after a number that make it a quantity
  std::span<const std::string_view> id_words;     // words before a number that make it an identifier
  std::span<const std::string_view> meals;        // an event without a time ("lunch", "dinner")
  // ---- phone numbers ----
  std::span<const Phrase> digit_homophones;        // "to"/"too" = 2, "for" = 4, "ate" = 8 (between digits)
  std::span<const std::string_view> phone_joiners; // "dash": inside a spoken number
  std::span<const std::string_view> corrections;   // "sorry", "no": the digits after replace earlier ones
  std::span<const std::string_view> mobile_words;  // "cell", "mobile"
  std::span<const std::string_view> other_line_words;  // "work", "home", "office", "landline"
  // ---- yes / no ----
  std::span<const std::string_view> yes_words;  // "yes", "yeah", "correct", "sure"
  std::span<const std::string_view> no_words;   // "no", "nope", "wrong", "don't": a negation first wins
  // ---- names ----
  std::span<const std::string_view> fillers;
  std::span<const std::string_view> hesitations;    // "um", "uh": may sit between a carrier and the name
  std::span<const std::string_view> titles;
  std::span<const std::string_view> suffixes;       // generational suffixes and post-nominals
  std::span<const std::string_view> generational;   // "jr", "iii": never a surname
  std::span<const std::string_view> particles;      // "van", "de", "la": lower case inside a name
  std::span<const std::string_view> mac_surnames;   // Mac- surnames cased MacX
  std::span<const std::string_view> non_name_words; // function words, yes/no, call vocabulary
  std::span<const Phrase> carriers;                 // value 1 = weak (start of turn only), 2 = strong
  std::span<const std::string_view> name_tail_ok;   // "here", "speaking": may follow a bare name
};

/// English (Canada).
const Lexicon& english();

/// The value of the single word `w` in `table`, or -1.
int lookup(std::span<const Phrase> table, std::string_view w);
/// True when `w` is in `list`.
bool contains(std::span<const std::string_view> list, std::string_view w);

/// The longest phrase of `table` matching words[i..]; its value and length in words (0 = none).
struct PhraseMatch {
  int value = -1;
  std::size_t length = 0;
};
template <class WordAt>
PhraseMatch match_phrase(std::span<const Phrase> table, WordAt word_at, std::size_t i) {
  PhraseMatch best;
  for (const Phrase& p : table) {
    std::size_t n = 0;
    std::string_view rest = p.words;
    bool ok = true;
    while (!rest.empty()) {
      const std::size_t sp = rest.find(' ');
      const std::string_view part = rest.substr(0, sp);
      if (word_at(i + n) != part) {
        ok = false;
        break;
      }
      ++n;
      rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    }
    if (ok && n > best.length) best = PhraseMatch{p.value, n};
  }
  return best;
}

}  // namespace bella::understand
