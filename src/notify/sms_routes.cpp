// Inbound texts and delivery callbacks. Signed like the voice webhooks; numbers and text never logged.
#include "notify/sms_routes.hpp"

#include <charconv>
#include <memory>

#include "bella/call/prompts.hpp"
#include "notify/inbound.hpp"
#include "obs/log.hpp"
#include "twilio/routes.hpp"
#include "twilio/twiml.hpp"
#include "notify/sender.hpp"

namespace bella::notify {
namespace {

bool e164(std::string_view n) {
  return n.size() >= 8 && n.size() <= 16 && n[0] == '+' && n[1] != '0' &&
         n.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

bool valid_message_sid(std::string_view sid) {
  if (sid.size() != 34 || (sid.substr(0, 2) != "SM" && sid.substr(0, 2) != "MM")) return false;
  for (char c : sid.substr(2))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool known_status(std::string_view s) {
  for (std::string_view k : {"accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed",
                             "canceled", "read", "receiving", "received"})
    if (s == k) return true;
  return false;
}

const char* keyword_name(Keyword k) {
  switch (k) {
    case Keyword::opt_out: return "opt_out";
    case Keyword::opt_in: return "opt_in";
    case Keyword::help: return "help";
    case Keyword::other: return "other";
  }
  return "other";
}

Task<http::Response> handle_inbound(const http::Request& req, PgOutbox& outbox, const SmsRouteSettings& s) {
  const auto form = http::parse_form(req.body());
  if (auto refused = twilio::refuse_unsigned(req, form, s.url, s.auth_token)) co_return std::move(*refused);
  const auto* from = http::form_value(form, "From");
  const auto* body = http::form_value(form, "Body");
  const auto* sid = http::form_value(form, "MessageSid");
  if (!from || !e164(*from)) {
    co_return twilio::twiml_response(req, message_twiml(""));
  }
  const Keyword k = classify_keyword(body ? std::string_view(*body) : std::string_view{});
  obs::info("text received", {{"message_sid", sid ? *sid : std::string("-")}, {"keyword", keyword_name(k)}});
  const std::string number = *from;
  switch (k) {
    case Keyword::opt_out:
      co_await outbox.opt_out(number);
      // Twilio answers STOP itself (and delivers nothing to an opted-out number).
      co_return twilio::twiml_response(req, message_twiml(""));
    case Keyword::opt_in:
      co_await outbox.opt_in(number);
      co_return twilio::twiml_response(req, message_twiml(""));
    case Keyword::help: {
      const std::string text = call::prompts::text_help(s.clinic_name, s.clinic_phone);
      co_return twilio::twiml_response(req, message_twiml(text));
    }
    case Keyword::other: break;
  }
  const std::string text = call::prompts::text_unread_reply(s.clinic_name, s.clinic_phone);
  co_return twilio::twiml_response(req, message_twiml(text));
}

Task<http::Response> handle_status(const http::Request& req, PgOutbox& outbox, const SmsRouteSettings& s) {
  const auto form = http::parse_form(req.body());
  if (auto refused = twilio::refuse_unsigned(req, form, s.url, s.auth_token)) co_return std::move(*refused);
  const auto* sid = http::form_value(form, "MessageSid");
  const auto* status = http::form_value(form, "MessageStatus");
  if (!sid || !valid_message_sid(*sid) || !status || !known_status(*status)) {
    co_return http::problem(req, http::Status::bad_request, "Bad Request", "MessageSid or MessageStatus is missing or malformed.");
  }
  std::optional<int> code;
  if (const auto* e = http::form_value(form, "ErrorCode"); e && !e->empty()) {
    int n = 0;
    auto [p, ec] = std::from_chars(e->data(), e->data() + e->size(), n);
    if (ec == std::errc{} && p == e->data() + e->size()) code = n;
  }
  const std::string message_sid = *sid, message_status = *status;
  const auto changed = co_await outbox.record_status(message_sid, message_status, code);
  obs::info("text status", {{"sid", message_sid}, {"status", message_status}, {"error_code", code.value_or(0)},
                            {"moved", changed.has_value()}});
  if (changed && (message_status == "delivered" || message_status == "undelivered" || message_status == "failed")) {
    count_message(changed->kind, message_status);
  }
  co_return twilio::twiml_response(req, message_twiml(""));
}

}  // namespace

std::string message_twiml(std::string_view text) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  if (text.empty()) return out + "<Response/>";
  out += "<Response><Message>";
  out += twilio::xml_escape(text);
  out += "</Message></Response>";
  return out;
}

void add_sms_routes(http::Router& router, PgOutbox& outbox, SmsRouteSettings settings) {
  auto shared = std::make_shared<const SmsRouteSettings>(std::move(settings));
  router.add(http::Verb::post, "/twilio/sms",
             [&outbox, shared](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
               co_return co_await handle_inbound(req, outbox, *shared);
             });
  router.add(http::Verb::post, "/twilio/sms/status",
             [&outbox, shared](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
               co_return co_await handle_status(req, outbox, *shared);
             });
}

}  // namespace bella::notify
