// X-Twilio-Signature: sign, validate (port variants), bodySHA256 and the public URL of a request.
// Oracle: a signature made for a URL and parameters validates for them, and not for another token.
#include "fuzz_util.hpp"

#include "bella/http/message.hpp"
#include "twilio/signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto p = bella::fuzz::parts(data, size, 5);  // token, url, form body, signature header, host
  const std::string& token = p[0];
  const std::string& url = p[1];
  const auto params = bella::http::parse_form(p[2]);
  (void)bella::twilio::url_variants(url);
  (void)bella::twilio::validate(token, url, params, p[3]);
  (void)bella::twilio::validate_body(token, url, p[2], p[3]);
  if (!token.empty()) {
    const auto sig = bella::twilio::sign(token, url, params);
    if (!bella::twilio::validate(token, url, params, sig)) bella::fuzz::fail("own signature refused", url);
    if (bella::twilio::validate(token + "x", url, params, sig)) bella::fuzz::fail("signature valid for another token", url);
  }
  bella::http::Request req;
  req.method(bella::http::Verb::post);
  try {
    req.target(p[1].empty() ? std::string("/") : p[1]);
    req.set(bella::http::Field::host, p[4]);
    req.set("X-Forwarded-Host", p[4]);
    req.set("X-Forwarded-Proto", p[0]);
    req.set("X-Twilio-Signature", p[3]);
    req.set(bella::http::Field::content_type, p[3].size() % 2 ? "application/json" : "application/x-www-form-urlencoded");
  } catch (const std::exception&) {
    return 0;  // Beast refuses some bytes in a field value: not a request a server can receive
  }
  req.body() = p[2];
  for (bool proxy : {false, true}) {
    const bella::twilio::PublicUrlSettings s{.public_base_url = p[0], .trusted_proxy = proxy, .allow_unsigned = false};
    (void)bella::twilio::public_url(s, req);
    (void)bella::twilio::verify_request(s, token, req, params);
  }
  return 0;
}
