// X-API-Key guard for the staff API: constant-time compare; no key configured means disabled (503).
#pragma once
#include <string>
#include <string_view>

#include "bella/http/router.hpp"

namespace bella::api {

/// Compares without leaking where the strings differ or how long the expected key is (both sides
/// are hashed with SHA-256 first, then compared with CRYPTO_memcmp).
bool api_key_matches(std::string_view expected, std::string_view given) noexcept;

/// Wraps a staff handler: empty `api_key` -> 503 problem (never open); missing or wrong
/// X-API-Key -> 401 problem. Backend failures pass through as bella::Unavailable, which the
/// router answers with 503.
http::Handler require_api_key(std::string api_key, http::Handler inner);

}  // namespace bella::api
