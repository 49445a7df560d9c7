// Tokenizer and spoken-number normaliser shared by every extractor ("four oh three", "double
// five", "twenty-first", "fifteen hundred" -> number tokens). Pure, no I/O.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bella::understand {

enum class TokenKind { word, number, punct };

/// One token of an utterance. `text` is lower-case ASCII for words (other UTF-8 bytes kept as
/// they are), the digit string for numbers ("0123", "55", "1500"), the character for punctuation.
struct Token {
  TokenKind kind = TokenKind::word;
  std::string text;
  std::string_view raw;         // the source span (first..last source token); for words, original case
  std::int64_t value = -1;      // numbers: numeric value of `text` (may overflow -> -1 for > 18 digits)
  bool ordinal = false;         // "third", "21st", "twenty-first"
  bool from_words = false;      // spoken ("twenty three") rather than written digits
  bool digit_wise = false;      // spoken digit by digit: "oh", "zero", "double five", single digit words
  bool space_before = false;    // whitespace preceded this token in the source
};

/// The letters of `s`, lower-case, with Latin-1 accents folded to their base letter ("Zoë O'Brien"
/// -> "zoeobrien"); everything else dropped. For comparing names regardless of case, accents,
/// spaces and punctuation (spoken vs spelled forms; the corpus's loose score).
std::string fold_letters(std::string_view s);

/// Bytes of an utterance the extractors read; the rest is ignored (a turn is never this long).
inline constexpr std::size_t kMaxUtteranceBytes = 2048;

/// Splits text into words (letters, non-ASCII bytes, inner apostrophes), digit runs and single
/// punctuation characters. Words are lower-cased; "o'clock", "o clock" become "oclock".
std::vector<Token> tokenize(std::string_view text);

/// Folds number words into number tokens:
///  - "zero", "oh"/"o" (only next to other digits: "four oh three", "oh one"), "one".."nineteen";
///  - tens with units: "twenty three", "twenty-three" -> 23;
///  - "double five" -> "55", "triple two" -> "222";
///  - "fifteen hundred" -> 1500, "eight hundred" -> 800, "one hundred and twenty" -> 120 (a hundred
///    absorbs a following tens/teen word or "and N", never a lone digit word, so that "eight
///    hundred five five five" stays 800 5 5 5), "two thousand twenty six" -> 2026;
///  - ordinals "first".."thirty-first", "twentieth", and written "1st"/"22nd"/"15th";
///  - "a"/"an" before hundred/thousand is not folded.
std::vector<Token> lex(std::string_view text);

/// Text form of lex(): tokens joined by single spaces, numbers as digits, ordinals with their
/// suffix ("21st"). E.g. "twenty three" -> "23", "the third" -> "the 3rd", "double five" -> "55".
std::string normalize_numbers(std::string_view text);

/// "st"/"nd"/"rd"/"th" for n.
std::string_view ordinal_suffix(std::int64_t n);

}  // namespace bella::understand
