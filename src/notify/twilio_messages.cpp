// The Twilio Messages API client: one form POST per text, HTTP Basic auth, JSON answer.
#include "notify/twilio_messages.hpp"

#include <nlohmann/json.hpp>

#include "bella/core/base64.hpp"
#include "net/async_post.hpp"
#include "net/curl_multi_loop.hpp"
#include "twilio/signature.hpp"

namespace bella::notify {
namespace {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

twilio::Params message_form(const Settings& settings, const std::string& to, const std::string& body) {
  twilio::Params form{{"To", to}};
  if (!settings.messaging_service_sid.empty()) form.emplace_back("MessagingServiceSid", settings.messaging_service_sid);
  else form.emplace_back("From", settings.from);
  form.emplace_back("Body", body);
  if (!settings.status_callback_url.empty()) form.emplace_back("StatusCallback", settings.status_callback_url);
  return form;
}

void read_answer(const std::string& json_body, SendOutcome& out) {
  const auto j = nlohmann::json::parse(json_body, nullptr, false);
  if (!j.is_object()) {
    if (out.error.empty()) out.error = "answer is not JSON";
    return;
  }
  if (j.contains("sid") && j["sid"].is_string()) out.sid = j["sid"].get<std::string>();
  if (j.contains("status") && j["status"].is_string()) out.status = j["status"].get<std::string>();
  if (j.contains("code") && j["code"].is_number_integer()) out.error_code = j["code"].get<int>();
  // Twilio's "message" may quote the number ("The 'To' number +1... is not valid"): keep only the code.
  if (out.http_status >= 300) out.error = "twilio answered " + std::to_string(out.http_status) +
                                          (out.error_code ? " code " + std::to_string(out.error_code) : std::string());
}

TwilioMessages::TwilioMessages(Settings settings) : settings_(std::move(settings)) {
  url_ = trim_slash(settings_.api_base_url) + "/2010-04-01/Accounts/" + settings_.account_sid + "/Messages.json";
  const bool key = !settings_.api_key_sid.empty() && !settings_.api_key_secret.empty();
  authorization_ = "Authorization: Basic " + base64(key ? settings_.api_key_sid + ":" + settings_.api_key_secret
                                                        : settings_.account_sid + ":" + settings_.auth_token);
  if (settings_.enabled()) loop_ = std::make_unique<net::CurlMultiLoop>();
}

TwilioMessages::~TwilioMessages() { stop(); }

void TwilioMessages::stop() {
  if (loop_) loop_->stop();
}

Task<SendOutcome> TwilioMessages::send(const std::string& to, const std::string& body) {
  SendOutcome out;
  if (!loop_) {
    out.transport_error = true;
    out.error = "texts are not enabled";
    co_return out;
  }
  net::CurlPost post;
  post.url = url_;
  post.body = twilio::form_encode(message_form(settings_, to, body));
  post.headers = {authorization_, "Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  post.timeout = settings_.send_timeout;
  const net::CurlResult r = co_await net::perform(*loop_, post);
  out.http_status = r.curl_code == 0 ? r.http_status : 0;
  out.transport_error = r.curl_code != 0;
  out.timed_out = r.timed_out;
  if (out.transport_error) out.error = r.error.empty() ? "transport error" : r.error;
  else read_answer(r.body, out);
  if (!out.transport_error && out.http_status >= 200 && out.http_status < 300 && out.sid.empty()) {
    out.error = "answer without a sid";
  }
  co_return out;
}

}  // namespace bella::notify
