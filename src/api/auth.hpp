// X-API-Key guard for the staff API: constant-time compare; no key configured means disabled (503).
#pragma once
#include <string>
#include <string_view>

#include "bella/http/router.hpp"

namespace bella::api {

/// Compares without leaking where the strings differ or how long the expected key is (both sides
/// are hashed with SHA-256 first, then compared with CRYPTO_memcmp).
bool api_key_matches(std::string_view expected, std::string_view given) noexcept;

/// The other way a staff request may prove itself: the staff page's signed session cookie
/// (implemented in src/web/; the handlers never see cookies). Thread-safe: check() is const and
/// may run on any thread.
class BrowserSessions {
 public:
  enum class Verdict {
    absent,        // no session cookie: fall back to "X-API-Key required" (401)
    valid,         // a live session, and for a state-changing method the right CSRF token
    invalid,       // a cookie that is forged, expired or signed with another key (401)
    csrf_missing,  // a live session on a state-changing request without the right token (403)
  };
  virtual ~BrowserSessions() = default;
  [[nodiscard]] virtual Verdict check(const http::Request& req) const = 0;
};

/// Wraps a staff handler: empty `api_key` -> 503 problem (never open); an X-API-Key header is
/// checked as given (wrong -> 401); without one, a valid browser session (when `sessions` is set)
/// is accepted, a session without its CSRF token on a non-GET request -> 403, anything else -> 401.
/// Backend failures pass through as bella::Unavailable, which the router answers with 503.
http::Handler require_api_key(std::string api_key, http::Handler inner, const BrowserSessions* sessions = nullptr);

}  // namespace bella::api
