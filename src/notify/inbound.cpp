// Carrier keywords in a patient's reply.
#include "notify/inbound.hpp"

#include <array>
#include <string>

namespace bella::notify {

Keyword classify_keyword(std::string_view body) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '.' || c == '!'; };
  while (!body.empty() && space(body.front())) body.remove_prefix(1);
  while (!body.empty() && space(body.back())) body.remove_suffix(1);
  if (body.size() > 16) return Keyword::other;
  std::string word;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(body[i]);
    // Ê / ê in UTF-8 (C3 8A / C3 AA): ARRÊT is how a French keyboard writes ARRET.
    if (c == 0xC3 && i + 1 < body.size() &&
        (static_cast<unsigned char>(body[i + 1]) == 0x8A || static_cast<unsigned char>(body[i + 1]) == 0xAA)) {
      word.push_back('E');
      ++i;
      continue;
    }
    word.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c));
  }
  static constexpr std::array<std::string_view, 7> kOut = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL",
                                                           "END",  "QUIT",    "ARRET"};
  static constexpr std::array<std::string_view, 3> kIn = {"START", "UNSTOP", "YES"};
  static constexpr std::array<std::string_view, 3> kHelp = {"HELP", "INFO", "AIDE"};
  for (auto k : kOut)
    if (word == k) return Keyword::opt_out;
  for (auto k : kIn)
    if (word == k) return Keyword::opt_in;
  for (auto k : kHelp)
    if (word == k) return Keyword::help;
  return Keyword::other;
}

}  // namespace bella::notify
