// POST /twilio/sms (patients' replies) and POST /twilio/sms/status (delivery callbacks).
#pragma once
#include <string>

#include "bella/http/router.hpp"
#include "twilio/signature.hpp"
#include "notify/pg_outbox.hpp"

namespace bella::notify {

struct SmsRouteSettings {
  twilio::PublicUrlSettings url;  // the URL Twilio signed
  std::string auth_token;         // empty: signatures not checked (local development only)
  std::string clinic_name;
  std::string clinic_phone;
};

/// STOP (and its synonyms) records an opt-out, START an opt-in, HELP answers with the clinic's
/// phone; any other text gets a short <Message> pointing to the phone line. Status callbacks are
/// recorded once per (MessageSid, MessageStatus) and never move a message backwards.
/// `outbox` must outlive the router.
void add_sms_routes(http::Router& router, PgOutbox& outbox, SmsRouteSettings settings);

/// `<Response><Message>text</Message></Response>`, or an empty `<Response/>` for empty text.
std::string message_twiml(std::string_view text);

}  // namespace bella::notify
