// Ordinary English words, from Debian's wcanadian list turned into a table at build time
// (make_word_list.cpp). Used by the name extractor: a turn made only of ordinary words is not a
// name unless something else says it is (a carrier phrase, spelling).
#pragma once
#include <cstddef>
#include <string_view>

namespace bella::understand::en {

enum class WordClass {
  ordinary,   // listed only in lower case: "wonderful", "blah"
  ambiguous,  // listed in lower case and capitalised: "will"/"Will", "baker"/"Baker", "hope"/"Hope"
  unlisted,   // a proper noun of the list ("Dana", "Nguyen") or not listed at all ("Iyer")
};

/// The class of a lower-case ASCII word.
WordClass word_class(std::string_view lower_word);

/// Number of words in the table (for tests).
std::size_t word_list_size();

}  // namespace bella::understand::en
