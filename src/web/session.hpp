// Staff page sessions: signed, expiring cookies any instance can check without shared state, and
// the CSRF token derived from them. Plugs into the staff-route guard as api::BrowserSessions.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "api/auth.hpp"
#include "bella/core/clock.hpp"
#include "bella/http/message.hpp"

namespace bella::web {

struct SessionSettings {
  /// The staff API key; the signing key is derived from it, so rotating API_KEY ends every session.
  std::string api_key;
  /// STAFF_SESSION_HOURS.
  std::chrono::hours lifetime{12};
  /// PUBLIC_BASE_URL is https: the cookie is Secure (and named with the __Host- prefix).
  bool secure = false;
};

/// A session as the browser holds it: the cookie value and the CSRF token that goes with it.
struct IssuedSession {
  std::string cookie_value;
  std::string csrf_token;
  std::chrono::sys_seconds expires_at;
};

/// Cookie format: "<expiry unix seconds>.<nonce>.<mac>", mac = HMAC-SHA256(k, "s.<expiry>.<nonce>"),
/// CSRF token = HMAC-SHA256(k, "c.<expiry>.<nonce>"), k = HMAC-SHA256(API_KEY, label); every
/// comparison is constant-time. Thread-safe: immutable after construction.
class StaffSessions final : public api::BrowserSessions {
 public:
  StaffSessions(SessionSettings settings, const Clock& clock);

  [[nodiscard]] Verdict check(const http::Request& req) const override;

  /// A fresh session starting now.
  [[nodiscard]] IssuedSession issue() const;
  /// The live session the request's cookie names (expiry checked), or nothing.
  [[nodiscard]] std::optional<IssuedSession> current(const http::Request& req) const;

  /// Set-Cookie values that start / end a session.
  [[nodiscard]] std::string set_cookie(const IssuedSession& s) const;
  [[nodiscard]] std::string clear_cookie() const;
  [[nodiscard]] const std::string& cookie_name() const { return cookie_name_; }
  [[nodiscard]] bool enabled() const { return !key_.empty(); }
  /// The sign-in check: `given` is the API key (constant-time).
  [[nodiscard]] bool key_matches(std::string_view given) const { return api::api_key_matches(settings_.api_key, given); }

 private:
  [[nodiscard]] std::string mac(std::string_view kind, std::string_view session_id) const;
  [[nodiscard]] std::optional<IssuedSession> validate(std::string_view cookie_value) const;

  SessionSettings settings_;
  const Clock& clock_;
  std::string key_;  // empty when API_KEY is unset: no session is ever valid
  std::string cookie_name_;
};

/// The value of cookie `name` in the request's Cookie header(s), if present.
std::optional<std::string> cookie_value(const http::Request& req, std::string_view name);

}  // namespace bella::web
