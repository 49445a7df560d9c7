// Build-time tool: turns Debian's wcanadian word list (/usr/share/dict/canadian-english) into a
// C++ table of ordinary English words (src/understand/en/word_list.hpp). Run by CMake; the server
// never reads /usr/share/dict.
//
//   make_word_list <canadian-english> <out.cpp>
//
// A word listed only in lower case is ordinary ("blah", "wonderful"); one listed both in lower
// case and capitalised is ambiguous ("will"/"Will", "rose"/"Rose", "baker"/"Baker"); one listed
// only capitalised ("Dana", "Nguyen") is a proper noun and is left out (like any unlisted word).
#include <cctype>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_word_list <word list> <out.cpp>\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "make_word_list: cannot read " << argv[1] << " (Debian package wcanadian)\n";
    return 1;
  }
  std::set<std::string> lower;
  std::set<std::string> capital;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.size() > 24) continue;
    bool letters = true;
    for (char c : line) letters = letters && std::isalpha(static_cast<unsigned char>(c)) != 0;
    if (!letters) continue;  // possessives, accented entries
    std::string low = line;
    for (char& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    (std::isupper(static_cast<unsigned char>(line[0])) != 0 ? capital : lower).insert(low);
  }
  std::ofstream out(argv[2]);
  out << "// Generated at build time by src/understand/en/make_word_list.cpp from Debian's wcanadian\n"
         "// (/usr/share/dict/canadian-english). Do not edit.\n"
         "#include \"understand/en/word_list.hpp\"\n\n#include <algorithm>\n#include <cstring>\n#include <iterator>\n\n"
         "namespace bella::understand::en {\nnamespace {\n";
  auto emit = [&](const char* name, bool ambiguous) {
    out << "const char* const " << name << "[] = {\n";
    std::size_t n = 0;
    for (const auto& w : lower) {
      if ((capital.count(w) > 0) != ambiguous) continue;
      out << '"' << w << "\",";
      if (++n % 12 == 0) out << '\n';
    }
    out << "};\n";
    return n;
  };
  const std::size_t ordinary = emit("kOrdinary", false);
  const std::size_t ambiguous = emit("kAmbiguous", true);
  out << "bool in(const char* const* first, const char* const* last, std::string_view w) {\n"
         "  const auto it = std::lower_bound(first, last, w, [](const char* a, std::string_view b) { return std::string_view(a) < b; });\n"
         "  return it != last && std::string_view(*it) == w;\n}\n"
         "}  // namespace\n\n"
         "WordClass word_class(std::string_view lower_word) {\n"
         "  if (in(std::begin(kOrdinary), std::end(kOrdinary), lower_word)) return WordClass::ordinary;\n"
         "  if (in(std::begin(kAmbiguous), std::end(kAmbiguous), lower_word)) return WordClass::ambiguous;\n"
         "  return WordClass::unlisted;\n}\n\n"
         "std::size_t word_list_size() { return "
      << ordinary + ambiguous << "; }\n\n}  // namespace bella::understand::en\n";
  return out ? 0 : 1;
}
