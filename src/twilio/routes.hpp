// POST /twilio/voice and POST /twilio/voice/collect: form -> signature -> call turn -> TwiML.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "bella/http/router.hpp"
#include "call/turn.hpp"
#include "twilio/signature.hpp"
#include "twilio/twiml.hpp"

namespace bella::twilio {

struct WebhookSettings {
  VoiceSettings voice;
  PublicUrlSettings url;
  std::string auth_token;         // empty: signatures are not checked (local development only)
  std::string front_desk_number;  // empty: no transfer
};

/// The check every Twilio webhook (voice and messaging) passes first: nullopt when the request may
/// proceed (validly signed, or no auth token configured), else the 403 to answer.
std::optional<http::Response> refuse_unsigned(const http::Request& req, const Params& form,
                                              const PublicUrlSettings& url, const std::string& auth_token);
/// 200 with Content-Type text/xml.
http::Response twiml_response(const http::Request& req, std::string body);

/// Renders a call Reply as TwiML; `next_turn` goes into the Gather's action URL.
std::string render_reply(const call::Reply& reply, int next_turn, const WebhookSettings& settings);

void add_twilio_routes(http::Router& router, call::CallHandler& calls, WebhookSettings settings);

}  // namespace bella::twilio
