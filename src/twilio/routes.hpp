// POST /twilio/voice and POST /twilio/voice/collect: form -> signature -> call turn -> TwiML.
#pragma once
#include <memory>
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

/// Renders a call Reply as TwiML; `next_turn` goes into the Gather's action URL.
std::string render_reply(const call::Reply& reply, int next_turn, const WebhookSettings& settings);

void add_twilio_routes(http::Router& router, call::CallHandler& calls, WebhookSettings settings);

}  // namespace bella::twilio
