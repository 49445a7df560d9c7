// Base64 (RFC 4648): the one codec for Basic auth, Twilio's signatures, the staff page's cookie
// and the staff API's cursors.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace bella {

/// Standard alphabet with '=' padding (§4): HTTP Basic credentials, X-Twilio-Signature.
std::string base64(std::string_view bytes);

/// URL- and filename-safe alphabet without padding (§5): opaque tokens in URLs and cookies.
std::string base64url(std::string_view bytes);

/// The bytes of an unpadded base64url text; nullopt when a character is outside the alphabet
/// ('=' included). Trailing bits that do not make a whole byte are ignored.
std::optional<std::string> from_base64url(std::string_view text);

}  // namespace bella
