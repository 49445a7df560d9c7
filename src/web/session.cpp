// Signed session cookies and CSRF tokens for the staff page (no server-side state).
#include "web/session.hpp"

#include <charconv>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "bella/core/base64.hpp"

namespace bella::web {
namespace {

constexpr std::string_view kKeyLabel = "bella staff page session key v1";

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool state_changing(http::Verb v) { return v != http::Verb::get && v != http::Verb::head && v != http::Verb::options; }

}  // namespace

std::optional<std::string> cookie_value(const http::Request& req, std::string_view name) {
  auto range = req.equal_range(http::Field::cookie);
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view rest = it->value();
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      auto pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (trim(pair.substr(0, eq)) == name) return std::string(trim(pair.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

StaffSessions::StaffSessions(SessionSettings settings, const Clock& clock)
    : settings_(std::move(settings)),
      clock_(clock),
      key_(settings_.api_key.empty() ? std::string{} : hmac_sha256(settings_.api_key, kKeyLabel)),
      // __Host- cookies must be Secure, Path=/ and carry no Domain: the browser then refuses one set
      // by a sibling subdomain or over plain http.
      cookie_name_(settings_.secure ? "__Host-bella_staff" : "bella_staff") {}

std::string StaffSessions::mac(std::string_view kind, std::string_view session_id) const {
  const std::string data = std::string(kind) + "." + std::string(session_id);
  const auto raw = hmac_sha256(key_, data);
  return base64url(raw);
}

IssuedSession StaffSessions::issue() const {
  unsigned char nonce[18];
  if (RAND_bytes(nonce, sizeof nonce) != 1) throw std::runtime_error("RAND_bytes failed");
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const auto expires = now + std::chrono::duration_cast<std::chrono::seconds>(settings_.lifetime);
  const std::string id = std::to_string(expires.time_since_epoch().count()) + "." + base64url(std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce));
  return IssuedSession{.cookie_value = id + "." + mac("s", id), .csrf_token = mac("c", id), .expires_at = expires};
}

std::optional<IssuedSession> StaffSessions::validate(std::string_view value) const {
  if (key_.empty() || value.size() > 200) return std::nullopt;
  const auto last = value.rfind('.');
  if (last == std::string_view::npos) return std::nullopt;
  const auto id = value.substr(0, last);
  const auto first = id.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  if (!same(mac("s", id), value.substr(last + 1))) return std::nullopt;
  long long expiry = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + first, expiry);
  if (ec != std::errc{} || p != id.data() + first) return std::nullopt;
  const std::chrono::sys_seconds expires{std::chrono::seconds(expiry)};
  if (clock_.now() >= expires) return std::nullopt;
  return IssuedSession{.cookie_value = std::string(value), .csrf_token = mac("c", id), .expires_at = expires};
}

std::optional<IssuedSession> StaffSessions::current(const http::Request& req) const {
  auto value = cookie_value(req, cookie_name_);
  if (!value) return std::nullopt;
  return validate(*value);
}

api::BrowserSessions::Verdict StaffSessions::check(const http::Request& req) const {
  auto value = cookie_value(req, cookie_name_);
  if (!value) return Verdict::absent;
  auto session = validate(*value);
  if (!session) return Verdict::invalid;
  if (!state_changing(req.method())) return Verdict::valid;
  auto it = req.find("X-CSRF-Token");
  if (it == req.end() || !same(session->csrf_token, it->value())) return Verdict::csrf_missing;
  return Verdict::valid;
}

std::string StaffSessions::set_cookie(const IssuedSession& s) const {
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(settings_.lifetime).count();
  std::string c = cookie_name_ + "=" + s.cookie_value + "; Path=/; Max-Age=" + std::to_string(max_age) +
                  "; HttpOnly; SameSite=Strict";
  if (settings_.secure) c += "; Secure";
  return c;
}

std::string StaffSessions::clear_cookie() const {
  std::string c = cookie_name_ + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
  if (settings_.secure) c += "; Secure";
  return c;
}

}  // namespace bella::web
