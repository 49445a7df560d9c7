// X-Twilio-Signature: computing and checking Twilio's request signatures, and the URL they cover.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bella/http/message.hpp"


namespace bella::twilio {

/// Decoded form parameters, in request order; a name may repeat.
using Params = std::vector<std::pair<std::string, std::string>>;

/// application/x-www-form-urlencoded as Twilio sends it: '+' for spaces, %XX (upper case) for
/// every byte but A-Z a-z 0-9 - _ . ~
std::string form_encode(const Params& params);

/// Base64(HMAC-SHA1(auth_token, url + name/value pairs)). Names are sorted byte-wise; a repeated
/// name contributes each of its distinct values in sorted order (as twilio-python/-node/-php do).
/// Signs `url` exactly as given: callers pick the port form.
std::string sign(std::string_view auth_token, std::string_view url, const Params& params);

/// True when `signature` matches `url` (as given, without its port, or with the scheme's standard
/// port added; the official libraries accept both forms) and `params`. Constant-time comparison.
/// An empty token or signature never validates.
bool validate(std::string_view auth_token, std::string_view url, const Params& params,
              std::string_view signature);

/// JSON-body variant: the URL carries bodySHA256=<hex SHA-256 of body>; the signature covers the
/// URL alone (no params) and the body must hash to that value. False when bodySHA256 is absent.
bool validate_body(std::string_view auth_token, std::string_view url, std::string_view body,
                   std::string_view signature);

/// The URL forms Twilio may have signed: as given with the standard port added when absent, and
/// with any port removed (what the official libraries try). Userinfo and IPv6 hosts are kept.
std::vector<std::string> url_variants(std::string_view url);

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// How a webhook's signature is checked: the public URL it covers, and what to do without a token.
struct PublicUrlSettings {
  std::string public_base_url;  // PUBLIC_BASE_URL, e.g. "https://bella.example.com" (no trailing '/')
  bool trusted_proxy = false;   // TRUSTED_PROXY: X-Forwarded-Proto/-Host come from our load balancer
  /// ALLOW_UNSIGNED_WEBHOOKS: without TWILIO_AUTH_TOKEN, webhooks are accepted unsigned (local
  /// development only). Otherwise a missing token refuses every webhook (403): fail closed.
  bool allow_unsigned = false;
};

/// The URL Twilio requested, to be signed over. With trusted_proxy: scheme from X-Forwarded-Proto
/// and host from X-Forwarded-Host (else Host), first value of each. Otherwise PUBLIC_BASE_URL, or
/// "http://" + Host when that is unset (local development). The raw request target is appended
/// byte for byte: re-serialising the query would change escapes and break signatures.
std::string public_url(const PublicUrlSettings& settings, const http::Request& req);

/// What a webhook handler calls: true when `req` carries an X-Twilio-Signature that validates
/// for public_url(settings, req) and the decoded `form` (or, for a JSON body whose URL carries
/// bodySHA256, for the URL and the body). A missing header never validates.
bool verify_request(const PublicUrlSettings& settings, std::string_view auth_token, const http::Request& req,
                    const Params& form);

}  // namespace bella::twilio
