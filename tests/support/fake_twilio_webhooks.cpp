// Test double: Bella's Twilio webhooks as canned TwiML, checking each request's signature.
#include "support/fake_twilio_webhooks.hpp"

#include <stdexcept>

#include "bella/http/message.hpp"

namespace bella::testing {

FakeTwilioWebhooks::FakeTwilioWebhooks(std::string server_base, std::string public_base, std::string auth_token)
    : server_base_(std::move(server_base)), public_base_(std::move(public_base)), auth_token_(std::move(auth_token)) {}

void FakeTwilioWebhooks::reply(std::string body, int status, std::string content_type) {
  replies_.push_back(twilio::HttpReply{.status = status, .content_type = std::move(content_type), .body = std::move(body)});
}

twilio::HttpReply FakeTwilioWebhooks::handle(const twilio::HttpPost& post) {
  if (post.url.rfind(server_base_, 0) != 0) throw std::runtime_error("connection refused: " + post.url);
  Seen s;
  s.target = post.url.substr(server_base_.size());
  s.params = http::parse_form(post.body);
  for (const auto& [name, value] : post.headers) {
    if (name == "Content-Type") s.content_type = value;
    if (name == "X-Twilio-Signature") {
      s.signed_ = true;
      s.signature_ok = twilio::validate(auth_token_, public_base_ + s.target, s.params, value);
    }
  }
  seen.push_back(std::move(s));
  if (replies_.empty()) return twilio::HttpReply{.status = 500, .content_type = "text/plain", .body = ""};
  auto r = std::move(replies_.front());
  replies_.pop_front();
  return r;
}

twilio::Transport FakeTwilioWebhooks::transport() {
  return [this](const twilio::HttpPost& post) { return handle(post); };
}

std::string param(const twilio::Params& params, std::string_view name) {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return "<absent>";
}

}  // namespace bella::testing
