// Form decoder (application/x-www-form-urlencoded, what every Twilio webhook body is) and the
// request-target splitting. Oracle: decoding what form_encode wrote gives the pairs back.
#include "fuzz_util.hpp"

#include "bella/http/message.hpp"
#include "twilio/signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto form = bella::http::parse_form(in);
  (void)bella::http::form_value(form, "CallSid");
  (void)bella::http::target_path(in);
  (void)bella::http::target_query(in);
  (void)bella::http::url_decode(in, true);
  (void)bella::http::url_decode(in, false);
  const bella::twilio::Params params(form.begin(), form.end());
  const auto again = bella::http::parse_form(bella::twilio::form_encode(params));
  if (again.size() != form.size()) bella::fuzz::fail("form_encode/parse_form round trip changed the pair count");
  for (std::size_t i = 0; i < form.size(); ++i)
    if (again[i] != form[i]) bella::fuzz::fail("form_encode/parse_form round trip changed a pair", form[i].first);
  return 0;
}
