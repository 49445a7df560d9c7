// X-Twilio-Signature: HMAC-SHA1 over URL + sorted params, port variants, bodySHA256, public URL.
#include "twilio/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "bella/core/base64.hpp"

namespace bella::twilio {
namespace {

/// Every name/value pair after the URL: names sorted byte-wise, each name's distinct values sorted.
/// Sorting pairs (not concatenated strings) matters: "Reason" must precede "ReasonConferenceEnded".
/// Built once per request, whichever URL variants are then signed with it.
std::string sorted_params(const Params& params) {
  std::vector<std::pair<std::string_view, std::string_view>> sorted;
  sorted.reserve(params.size());
  for (const auto& [name, value] : params) sorted.emplace_back(name, value);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::size_t size = 0;
  for (const auto& [name, value] : sorted) size += name.size() + value.size();
  std::string s;
  s.reserve(size);
  for (const auto& [name, value] : sorted) s.append(name).append(value);
  return s;
}

/// Base64 HMAC-SHA1 of url + tail under the auth token. OpenSSL's one-shot HMAC() looks the
/// algorithm up on every call (about half its cost here); the MAC is fetched once and each thread
/// keeps a context. Any failure of that path falls back to HMAC().
std::string hmac_sha1_base64(std::string_view key, std::string_view url, std::string_view tail) {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // process lifetime
  struct CtxFree {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MAC_CTX, CtxFree> ctx{mac ? EVP_MAC_CTX_new(mac) : nullptr};
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t len = 0;
  char digest[] = "SHA1";
  const OSSL_PARAM settings[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  if (ctx && EVP_MAC_init(ctx.get(), k, key.size(), settings) == 1 &&
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(url.data()), url.size()) == 1 &&
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(tail.data()), tail.size()) == 1 &&
      EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) == 1)
    return base64(std::string_view(reinterpret_cast<const char*>(out.data()), len));
  std::string msg{url};
  msg.append(tail);
  unsigned int n = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out.data(), &n);
  return base64(std::string_view(reinterpret_cast<const char*>(out.data()), n));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  // The length of a Base64 SHA-1 digest is public; only the content comparison must not leak.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct UrlParts {
  std::string_view scheme;     // "https"
  std::string_view userinfo;   // "user:pass@" including '@', or empty
  std::string_view host;       // "example.com" or "[::1]"
  std::string_view port;       // "443" (without ':'), or empty
  std::string_view rest;       // path, query and fragment
  bool ok = false;
};

UrlParts split_url(std::string_view url) {
  UrlParts p;
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return p;
  p.scheme = url.substr(0, sep);
  std::string_view after = url.substr(sep + 3);
  const auto auth_end = std::min(after.find_first_of("/?#"), after.size());
  std::string_view authority = after.substr(0, auth_end);
  p.rest = after.substr(auth_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    p.userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  std::size_t colon = std::string_view::npos;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return p;
    if (close + 1 < authority.size() && authority[close + 1] == ':') colon = close + 1;
  } else {
    colon = authority.rfind(':');
  }
  p.host = authority.substr(0, colon);
  if (colon != std::string_view::npos) p.port = authority.substr(colon + 1);
  p.ok = !p.host.empty();
  return p;
}

std::string_view standard_port(std::string_view scheme) {
  if (scheme == "https") return "443";
  if (scheme == "http") return "80";
  return {};
}

std::string join(const UrlParts& p, std::string_view port) {
  std::string s;
  s.append(p.scheme).append("://").append(p.userinfo).append(p.host);
  if (!port.empty()) s.append(":").append(port);
  s.append(p.rest);
  return s;
}

std::string_view first_list_value(std::string_view v) {
  v = v.substr(0, v.find(','));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

std::string_view header(const http::Request& req, std::string_view name) {
  auto it = req.find(name);
  return it == req.end() ? std::string_view{} : std::string_view{it->value().data(), it->value().size()};
}

}  // namespace

std::string sign(std::string_view auth_token, std::string_view url, const Params& params) {
  return hmac_sha1_base64(auth_token, url, sorted_params(params));
}

std::vector<std::string> url_variants(std::string_view url) {
  const UrlParts p = split_url(url);
  if (!p.ok) return {std::string{url}};
  std::vector<std::string> out;
  // With port: as given when a port is present, else the scheme's standard port added.
  if (!p.port.empty()) {
    out.emplace_back(url);
    out.push_back(join(p, {}));
  } else {
    out.emplace_back(url);
    if (auto std_port = standard_port(p.scheme); !std_port.empty()) out.push_back(join(p, std_port));
  }
  return out;
}

bool validate(std::string_view auth_token, std::string_view url, const Params& params,
              std::string_view signature) {
  if (auth_token.empty() || signature.empty()) return false;
  bool any = false;
  const std::string tail = sorted_params(params);
  // Every variant is checked (no early exit) so the timing does not tell which form matched.
  for (const auto& candidate : url_variants(url))
    any = equal_constant_time(hmac_sha1_base64(auth_token, candidate, tail), signature) || any;
  return any;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * digest.size());
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

bool validate_body(std::string_view auth_token, std::string_view url, std::string_view body,
                   std::string_view signature) {
  std::string_view query = url.substr(0, url.find('#'));
  const auto q = query.find('?');
  if (q == std::string_view::npos) return false;
  const auto form = http::parse_form(query.substr(q + 1));
  const std::string* expected = http::form_value(form, "bodySHA256");
  if (expected == nullptr) return false;
  std::string want = *expected;
  std::transform(want.begin(), want.end(), want.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool signed_ok = validate(auth_token, url, {}, signature);
  return equal_constant_time(sha256_hex(body), want) && signed_ok;
}

std::string public_url(const PublicUrlSettings& settings, const http::Request& req) {
  std::string_view base = settings.public_base_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  const std::string_view target{req.target().data(), req.target().size()};
  const UrlParts configured = split_url(base);

  if (settings.trusted_proxy) {
    std::string_view proto = first_list_value(header(req, "X-Forwarded-Proto"));
    std::string_view host = first_list_value(header(req, "X-Forwarded-Host"));
    if (host.empty()) host = header(req, "Host");
    if (proto.empty()) proto = configured.ok ? configured.scheme : std::string_view{"http"};
    if (host.empty() && configured.ok) return std::string{base} + std::string{target};
    return std::string{proto} + "://" + std::string{host} + std::string{target};
  }
  if (!base.empty()) return std::string{base} + std::string{target};
  return "http://" + std::string{header(req, "Host")} + std::string{target};
}

bool verify_request(const PublicUrlSettings& settings, std::string_view auth_token, const http::Request& req,
                    const Params& form) {
  const std::string_view signature = header(req, "X-Twilio-Signature");
  if (signature.empty()) return false;
  const std::string url = public_url(settings, req);
  const std::string_view type = header(req, "Content-Type");
  if (type.rfind("application/json", 0) == 0 && url.find("bodySHA256=") != std::string::npos)
    return validate_body(auth_token, url, req.body(), signature);
  return validate(auth_token, url, form, signature);
}

std::string form_encode(const Params& params) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto encode = [&](std::string_view s) {
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.' || c == '~') {
        out += ch;
      } else if (c == ' ') {
        out += '+';
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 0x0F];
      }
    }
  };
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    encode(name);
    out += '=';
    encode(value);
  }
  return out;
}

}  // namespace bella::twilio
