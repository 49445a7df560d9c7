// extract_phone with the name of the rule that produced the number (bella-extract --explain).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace bella::understand {

/// Same answer as extract_phone; `rule` names the rule that produced it (static storage).
std::optional<std::string> extract_phone_explained(std::string_view text, std::string_view caller_from,
                                                   std::string_view& rule);

}  // namespace bella::understand
