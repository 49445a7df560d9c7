// Replies patients text back: the carrier keywords (STOP, START, HELP...) recognised as Twilio does.
#pragma once
#include <string_view>

namespace bella::notify {

enum class Keyword { opt_out, opt_in, help, other };

/// The whole message, trimmed and case-insensitive, must be the keyword (as Twilio matches them):
/// STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, ARRET/ARRÊT -> opt_out; START, UNSTOP, YES ->
/// opt_in; HELP, INFO, AIDE -> help; anything else -> other.
Keyword classify_keyword(std::string_view body);

}  // namespace bella::notify
