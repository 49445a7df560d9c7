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
/// proceed, else the 403 to answer. With a token: the X-Twilio-Signature must validate (form
/// parameters, or the bodySHA256 URL and the body for a JSON body). Without one: refused unless
/// url.allow_unsigned (ALLOW_UNSIGNED_WEBHOOKS=true). Refusals are logged at warn, rate-limited.
std::optional<http::Response> refuse_unsigned(const http::Request& req, const Params& form,
                                              const PublicUrlSettings& url, const std::string& auth_token);
/// 200 with Content-Type text/xml.
http::Response twiml_response(const http::Request& req, std::string body);

/// Renders a call Reply as TwiML; `next_turn` goes into the Gather's action URL.
std::string render_reply(const call::Reply& reply, int next_turn, const WebhookSettings& settings);

void add_twilio_routes(http::Router& router, call::CallHandler& calls, WebhookSettings settings);

/// POST /twilio/voice/status: Twilio's call status callback (the number's "Call status changes"
/// URL). When the call has ended (completed, busy, failed, no-answer, canceled) the call's session
/// and every stored reply are deleted from `sessions` at once, instead of living out their TTL.
void add_call_status_route(http::Router& router, store::SessionStore& sessions, WebhookSettings settings);

}  // namespace bella::twilio
