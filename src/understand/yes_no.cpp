// Yes/no/correction intent for confirmations; negation is looked for before affirmation.
#include <array>

#include "bella/understand/extract.hpp"
#include "understand/lexicon.hpp"
#include "understand/numbers.hpp"

namespace bella::understand {
namespace {

bool is_yes_word(std::string_view w) { return contains(english().yes_words, w); }
bool is_no_word(std::string_view w) { return contains(english().no_words, w); }

// The source text after token i (punctuation and leading conjunctions trimmed).
std::string rest_after(std::string_view text, const std::vector<Token>& toks, std::size_t i) {
  std::size_t k = i + 1;
  while (k < toks.size() && (toks[k].kind == TokenKind::punct || toks[k].text == "but" || toks[k].text == "and" ||
                             toks[k].text == "so" || toks[k].text == "actually" || toks[k].text == "sorry")) {
    ++k;
  }
  if (k >= toks.size()) return {};
  const char* start = toks[k].raw.data();
  std::string_view rest = text.substr(static_cast<std::size_t>(start - text.data()));
  while (!rest.empty() && (rest.back() == '.' || rest.back() == ' ' || rest.back() == '!' || rest.back() == ',')) {
    rest.remove_suffix(1);
  }
  return std::string(rest);
}

}  // namespace

std::optional<Confirmation> extract_yes_no(std::string_view text) {
  const std::vector<Token> toks = tokenize(text);
  std::optional<std::size_t> yes_at;
  std::optional<std::size_t> no_at;
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.kind != TokenKind::word) continue;
    const std::string_view w = t.text;
    // "not sure", "not certain": unsure, neither yes nor no.
    if (w == "not" && i + 1 < toks.size() && (toks[i + 1].text == "sure" || toks[i + 1].text == "certain")) {
      ++i;
      continue;
    }
    if (!no_at && is_no_word(w)) {
      // "no problem", "not a problem" are agreement, not refusal.
      if (i + 1 < toks.size() && (toks[i + 1].text == "problem" || toks[i + 1].text == "worries")) {
        if (!yes_at) yes_at = i + 1;
        continue;
      }
      if (w == "not" && i + 2 < toks.size() && toks[i + 1].text == "a" && toks[i + 2].text == "problem") continue;
      no_at = i;
    }
    if (w == "that's" && i + 1 < toks.size() && toks[i + 1].text == "it" && !yes_at) yes_at = i + 1;
    if (!yes_at && is_yes_word(w)) {
      // "please" only agrees on its own or after a yes word ("yes please"); "sounds" needs "good".
      if (w == "please" && toks.size() > 1) continue;
      if (w == "sounds" && !(i + 1 < toks.size() && (toks[i + 1].text == "good" || toks[i + 1].text == "great"))) continue;
      yes_at = i;
    }
    auto next_is = [&](std::string_view x) { return i + 1 < toks.size() && toks[i + 1].text == x; };
    if (!yes_at && ((w == "go" && next_is("ahead")) || (w == "book" && next_is("it")) || (w == "please" && next_is("do")) ||
                    (w == "of" && next_is("course")) || (w == "uh" && next_is("huh")) || (w == "think" && next_is("so")) ||
                    w == "works" || w == "mhm" || w == "mmhmm" || (w == "mm" && i + 2 < toks.size() && toks[i + 2].text == "hmm"))) {
      yes_at = i;
    }
    if (w == "do" && i + 1 < toks.size() && toks[i + 1].text == "it" && !yes_at) yes_at = i + 1;
  }
  if (no_at && (!yes_at || *no_at <= *yes_at + 3)) {
    // "yes ... no" within a few words reads as a correction; a negation first always wins.
    if (!yes_at || *no_at < *yes_at || *no_at - *yes_at <= 3) {
      return Confirmation{YesNo::no, rest_after(text, toks, *no_at)};
    }
  }
  if (yes_at) {
    std::size_t end = *yes_at;
    // Swallow the rest of an agreement phrase ("that's right", "sounds good").
    while (end + 1 < toks.size() && toks[end + 1].kind == TokenKind::word &&
           (is_yes_word(toks[end + 1].text) || toks[end + 1].text == "that's" || toks[end + 1].text == "is" ||
            toks[end + 1].text == "it" || toks[end + 1].text == "that")) {
      ++end;
    }
    return Confirmation{YesNo::yes, rest_after(text, toks, end)};
  }
  if (no_at) return Confirmation{YesNo::no, rest_after(text, toks, *no_at)};
  return std::nullopt;
}

}  // namespace bella::understand
