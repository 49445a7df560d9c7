// X-API-Key check for the staff routes.
#include "api/auth.hpp"

#include <memory>

#include <openssl/crypto.h>
#include <openssl/sha.h>


namespace bella::api {

bool api_key_matches(std::string_view expected, std::string_view given) noexcept {
  if (expected.empty()) return false;
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

http::Handler require_api_key(std::string api_key, http::Handler inner, const BrowserSessions* sessions) {
  auto key = std::make_shared<const std::string>(std::move(api_key));
  return [key, inner = std::move(inner), sessions](const http::Request& req, http::RequestContext& ctx) -> Task<http::Response> {
    if (key->empty()) {
      // Fail closed: an unset API_KEY must never leave the API open.
      auto res = http::problem(req, http::Status::service_unavailable, "Staff API Disabled",
                               "The staff API is disabled because API_KEY is not configured.");
      co_return res;
    }
    auto it = req.find("X-API-Key");
    auto verdict = BrowserSessions::Verdict::absent;
    if (it == req.end() && sessions) verdict = sessions->check(req);
    if (verdict == BrowserSessions::Verdict::csrf_missing) {
      auto res = http::problem(req, http::Status::forbidden, "CSRF Token Required",
                               "Requests that change data need the X-CSRF-Token header of this session.");
      co_return res;
    }
    const bool by_session = verdict == BrowserSessions::Verdict::valid;
    if (!by_session && (it == req.end() || !api_key_matches(*key, it->value()))) {
      auto res = http::problem(req, http::Status::unauthorized, "Unauthorized",
                               "A valid X-API-Key header is required.");
      res.set(http::Field::www_authenticate, "ApiKey header=\"X-API-Key\"");
      co_return res;
    }
    co_return co_await inner(req, ctx);
  };
}

}  // namespace bella::api
