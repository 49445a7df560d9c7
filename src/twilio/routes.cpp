// Twilio voice webhooks. Twilio hears any non-200 as "an application error has occurred", so after
// the signature check every failure is answered with polite TwiML, never an HTTP error.
#include "twilio/routes.hpp"

#include "bella/call/prompts.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

#include <algorithm>
#include <charconv>


namespace bella::twilio {
namespace {

constexpr std::string_view kCollectPath = "/twilio/voice/collect";

std::string collect_url(int turn) { return std::string(kCollectPath) + "?turn=" + std::to_string(turn); }

std::vector<std::string> split_hints(std::string_view hints) {
  std::vector<std::string> out;
  while (!hints.empty()) {
    auto comma = hints.find(',');
    auto part = hints.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    hints = comma == std::string_view::npos ? std::string_view{} : hints.substr(comma + 1);
  }
  return out;
}

bool valid_call_sid(std::string_view sid) {
  if (sid.size() != 34 || sid.substr(0, 2) != "CA") return false;
  for (char c : sid.substr(2))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<int> turn_from_query(std::string_view target) {
  for (const auto& [k, v] : http::parse_form(http::target_query(target))) {
    if (k != "turn") continue;
    int n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc{} && p == v.data() + v.size() && n > 0) return n;
  }
  return std::nullopt;
}

/// Checks the signature; on failure returns the 403 to send.
std::optional<http::Response> refuse_unsigned(const http::Request& req, const Params& form,
                                              const WebhookSettings& settings) {
  return refuse_unsigned(req, form, settings.url, settings.auth_token);
}

struct Parsed {
  call::TurnInput input;
  std::optional<http::Response> error;
};

Parsed parse(const http::Request& req, const WebhookSettings& settings) {
  Parsed out;
  const auto form = http::parse_form(req.body());
  const auto* sid = http::form_value(form, "CallSid");
  const auto turn = turn_from_query(req.target());
  // Every line of this request (whichever room logs it) names the call and the turn.
  if (sid && valid_call_sid(*sid)) obs::annotate("call_sid", *sid);
  if (turn) obs::annotate("turn", *turn);
  else if (http::target_path(req.target()) != kCollectPath) obs::annotate("turn", 0);
  if (auto refused = refuse_unsigned(req, form, settings)) {
    out.error = std::move(refused);
    return out;
  }
  if (!sid || !valid_call_sid(*sid)) {
    out.error = http::problem(req, http::Status::bad_request, "Bad Request", "CallSid is missing or malformed.");
    return out;
  }
  auto value = [&](std::string_view name) {
    const auto* v = http::form_value(form, name);
    return v ? *v : std::string{};
  };
  out.input = call::TurnInput{.call_sid = *sid,
                              .from = value("From"),
                              .speech = value("SpeechResult"),
                              .digits = value("Digits"),
                              .turn = turn};
  return out;
}

}  // namespace

http::Response twiml_response(const http::Request& req, std::string body) {
  return http::make_response(req, http::Status::ok, std::move(body), kTwimlContentType);
}

std::optional<http::Response> refuse_unsigned(const http::Request& req, const Params& form,
                                              const PublicUrlSettings& url, const std::string& auth_token) {
  // Anyone can send these requests: one line per second at most, with the count of the rest.
  static obs::LogLimiter refusals(std::chrono::seconds(1), 1);
  static auto& refused = obs::registry().counter("bella_twilio_webhooks_refused_total",
                                                 "Twilio webhooks refused (403) by their signature check");
  const std::string path(http::target_path(req.target()));
  if (auth_token.empty()) {
    if (url.allow_unsigned) return std::nullopt;
    refused.inc({{"reason", "no_token"}});
    if (auto suppressed = refusals.admit())
      obs::warn("twilio webhook refused: TWILIO_AUTH_TOKEN is not set", {{"path", path}, {"suppressed", *suppressed}});
    return http::problem(req, http::Status::forbidden, "Forbidden",
                         "Webhook signatures cannot be checked: TWILIO_AUTH_TOKEN is not set.");
  }
  if (verify_request(url, auth_token, req, form)) return std::nullopt;
  const bool present = req.find("X-Twilio-Signature") != req.end();
  refused.inc({{"reason", present ? "bad_signature" : "no_signature"}});
  if (auto suppressed = refusals.admit())
    obs::warn("twilio signature rejected", {{"path", path}, {"present", present}, {"suppressed", *suppressed}});
  return http::problem(req, http::Status::forbidden, "Forbidden", "Invalid or missing X-Twilio-Signature.");
}

std::string render_reply(const call::Reply& reply, int next_turn, const WebhookSettings& settings) {
  Twiml doc(settings.voice);
  std::vector<std::string> lines;
  for (const auto& p : reply.lines) lines.push_back(call::prompts::render(p));
  if (reply.listen == call::Reply::Listen::none) {
    for (const auto& line : lines) doc.say(line);
  } else {
    Gather g;
    g.action = collect_url(next_turn);
    g.prompts = std::move(lines);
    g.hints = split_hints(call::prompts::hints(reply.hints));
    if (reply.listen == call::Reply::Listen::yes_no) {
      // One key answers: 1 = yes, 2 = no.
      g.input = "dtmf speech";
      g.num_digits = 1;
    } else if (reply.listen == call::Reply::Listen::phone) {
      // A phone number: 10 or 11 keys, ended by '#' (numDigits would cut an 11-digit entry short).
      g.input = "dtmf speech";
      g.finish_on_key = "#";
      g.timeout = 10;
    }
    doc.gather(g);
  }
  if (reply.transfer && !settings.front_desk_number.empty()) doc.dial(settings.front_desk_number);
  if (reply.hangup || (reply.transfer && settings.front_desk_number.empty())) doc.hangup();
  return doc.str();
}

namespace {

using Step = Task<std::string> (call::CallHandler::*)(const call::TurnInput&, const call::Render&);

/// One webhook: form -> signature -> the call step -> TwiML; a failure becomes `fallback` TwiML.
http::Handler webhook(call::CallHandler& calls, std::shared_ptr<const WebhookSettings> shared, Step step,
                      call::Reply (*fallback)(const WebhookSettings&), const char* what) {
  return [&calls, shared, step, fallback, what](const http::Request& req,
                                                http::RequestContext&) -> Task<http::Response> {
    auto parsed = parse(req, *shared);
    if (parsed.error) co_return std::move(*parsed.error);
    const call::Render render = [shared](const call::Reply& r, int next) { return render_reply(r, next, *shared); };
    try {
      co_return twiml_response(req, co_await (calls.*step)(parsed.input, render));
    } catch (const std::exception& e) {
      obs::error("webhook failed", {{"step", what}, {"call_sid", parsed.input.call_sid}, {"error", e.what()}});
    }
    co_return twiml_response(req, render_reply(fallback(*shared), parsed.input.turn.value_or(0), *shared));
  };
}

call::Reply sorry_goodbye(const WebhookSettings& settings) {
  return call::Reply{.lines = {call::Prompt{call::PromptId::trouble_on_our_side}},
                     .listen = call::Reply::Listen::none,
                     .hints = call::prompts::Hints::none,
                     .hangup = true,
                     .transfer = !settings.front_desk_number.empty()};
}

// Nothing advanced and the turn's claim was released: ask for the same turn again.
call::Reply say_again(const WebhookSettings&) {
  return call::Reply{.lines = {call::Prompt{call::PromptId::say_again}},
                     .listen = call::Reply::Listen::speech,
                     .hints = call::prompts::Hints::none,
                     .hangup = false,
                     .transfer = false};
}

}  // namespace

void add_twilio_routes(http::Router& router, call::CallHandler& calls, WebhookSettings settings) {
  auto shared = std::make_shared<const WebhookSettings>(std::move(settings));
  // POST /twilio/voice: a call comes in; greet and ask the first question.
  router.add(http::Verb::post, "/twilio/voice",
             webhook(calls, shared, &call::CallHandler::start, sorry_goodbye, "call start"));
  // POST /twilio/voice/collect?turn=N: what the caller said (or silence) for turn N.
  router.add(http::Verb::post, std::string(kCollectPath),
             webhook(calls, shared, &call::CallHandler::collect, say_again, "call turn"));
}

void add_call_status_route(http::Router& router, store::SessionStore& sessions, WebhookSettings settings) {
  auto shared = std::make_shared<const WebhookSettings>(std::move(settings));
  router.add(http::Verb::post, "/twilio/voice/status",
             [&sessions, shared](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
               const auto form = http::parse_form(req.body());
               const auto* sid = http::form_value(form, "CallSid");
               if (sid && valid_call_sid(*sid)) obs::annotate("call_sid", *sid);
               if (auto refused = refuse_unsigned(req, form, shared->url, shared->auth_token))
                 co_return std::move(*refused);
               if (!sid || !valid_call_sid(*sid))
                 co_return http::problem(req, http::Status::bad_request, "Bad Request", "CallSid is missing or malformed.");
               const auto* status = http::form_value(form, "CallStatus");
               static constexpr std::string_view kEnded[] = {"completed", "busy", "failed", "no-answer", "canceled"};
               const bool ended =
                   status && std::find(std::begin(kEnded), std::end(kEnded), *status) != std::end(kEnded);
               if (ended) {
                 // What the caller said lives in the session and the stored replies: gone now, not
                 // in SESSION_TTL_SECONDS.
                 const std::string needle = *sid;
                 const std::size_t erased = co_await sessions.erase_containing(needle);
                 static auto& deleted = obs::registry().counter(
                     "bella_sessions_deleted_total", "Call sessions deleted by Twilio's call status callback when the call ended");
                 deleted.inc();
                 obs::info("call ended: session deleted", {{"call_status", *status}, {"keys", erased}});
               }
               auto res = http::make_response(req, http::Status::no_content, "", "");
               res.erase(http::Field::content_type);
               co_return res;
             });
}

}  // namespace bella::twilio
