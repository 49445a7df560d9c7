// Staff page routes: the embedded files under /staff/, and the session a browser signs in for.
#include "web/routes.hpp"

#include <atomic>
#include <memory>

#include <date/date.h>
#include <nlohmann/json.hpp>

#include "bella/core/asio.hpp"

#include "web/assets.hpp"

namespace bella::web {
namespace {

using http::Request;
using http::RequestContext;
using http::Response;
using http::Status;
using Json = nlohmann::json;

std::string_view content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

// Headers every page response carries: no framing, no inline script, no sniffing, no referrer.
void harden(Response& res) {
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set(http::Field::cache_control, "no-cache");
}

Response asset_response(const Request& req, const Asset& a) {
  auto res = http::make_response(req, Status::ok, std::string(a.body), content_type_of(a.name));
  harden(res);
  if (req.method() == http::Verb::head) res.body().clear();
  return res;
}

Json session_json(const IssuedSession& s) {
  return {{"signed_in", true},
          {"csrf_token", s.csrf_token},
          {"expires_at", date::format("%Y-%m-%dT%H:%M:%SZ", s.expires_at)}};
}

// The key a sign-in posts: JSON {"api_key": ...} or a form field api_key.
std::optional<std::string> posted_key(const Request& req) {
  std::string_view type = req[http::Field::content_type];
  if (type.starts_with("application/json")) {
    auto body = Json::parse(req.body(), nullptr, false);
    if (body.is_object() && body.contains("api_key") && body["api_key"].is_string()) return body["api_key"].get<std::string>();
    return std::nullopt;
  }
  if (type.starts_with("application/x-www-form-urlencoded")) {
    auto form = http::parse_form(req.body());
    if (const auto* v = http::form_value(form, "api_key")) return *v;
  }
  return std::nullopt;
}

// GET /staff/session: the CSRF token of the cookie's live session (a reloaded page needs it), or 401.
Task<Response> handle_get_session(const Request& req, const StaffSessions& s) {
  auto current = s.current(req);
  if (!current) {
    auto res = http::problem(req, Status::unauthorized, "Not Signed In", "Sign in with the staff API key.");
    res.set(http::Field::cache_control, "no-store");
    co_return res;
  }
  auto res = http::json_response(req, Status::ok, session_json(*current));
  res.set(http::Field::cache_control, "no-store");
  co_return res;
}

// Wrong keys waiting out their delay in this process. Past the cap, sign-ins are answered 429 at
// once, before the key is looked at, so guessing in parallel gains nothing from the delay.
constexpr int kMaxWaitingSignIns = 16;
std::atomic<int> waiting_sign_ins{0};

struct Waiting {
  Waiting() { ++waiting_sign_ins; }
  ~Waiting() { --waiting_sign_ins; }
  Waiting(const Waiting&) = delete;
  Waiting& operator=(const Waiting&) = delete;
};

// POST /staff/session: the API key in, a signed session cookie out. A wrong key waits first.
Task<Response> handle_sign_in(const Request& req, const StaffSessions& s, const WebSettings& settings) {
  if (!s.enabled()) {
    co_return http::problem(req, Status::service_unavailable, "Staff API Disabled",
                            "Sign-in is disabled because API_KEY is not configured.");
  }
  if (waiting_sign_ins.load() >= kMaxWaitingSignIns) {
    auto res = http::problem(req, Status::too_many_requests, "Too Many Sign-Ins", "Too many sign-in attempts; try again in a moment.");
    res.set(http::Field::retry_after, "1");
    co_return res;
  }
  auto key = posted_key(req);
  if (!key || !s.key_matches(*key)) {
    const Waiting waiting;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(settings.wrong_key_delay);
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    const std::string message = "That key is not right. Check it and try again.";
    Json extra = {{"errors", Json::array({{{"field", "api_key"}, {"message", message}}})}};
    auto res = http::problem(req, Status::unauthorized, "Wrong Key", message, extra);
    res.set(http::Field::cache_control, "no-store");
    co_return res;
  }
  const auto issued = s.issue();
  auto res = http::json_response(req, Status::ok, session_json(issued));
  res.set(http::Field::set_cookie, s.set_cookie(issued));
  res.set(http::Field::cache_control, "no-store");
  co_return res;
}

// DELETE /staff/session: sign out (a live session must show its CSRF token); the cookie is cleared.
Task<Response> handle_sign_out(const Request& req, const StaffSessions& s) {
  if (s.check(req) == api::BrowserSessions::Verdict::csrf_missing) {
    co_return http::problem(req, Status::forbidden, "CSRF Token Required",
                            "Requests that change data need the X-CSRF-Token header of this session.");
  }
  auto res = http::make_response(req, Status::no_content, "", "text/plain");
  res.set(http::Field::set_cookie, s.clear_cookie());
  res.set(http::Field::cache_control, "no-store");
  co_return res;
}

// GET /staff/: index.html. The router treats /staff and /staff/ alike, but the page's relative
// URLs need the slash, so /staff is redirected.
Task<Response> handle_index(const Request& req, const Asset& index) {
  if (!http::target_path(req.target()).ends_with("/")) {
    auto res = http::make_response(req, Status::moved_permanently, "", "text/plain");
    res.set(http::Field::location, "/staff/");
    co_return res;
  }
  co_return asset_response(req, index);
}

Task<Response> handle_asset(const Request& req, const Asset& a) { co_return asset_response(req, a); }

}  // namespace

void add_web_routes(http::Router& router, const StaffSessions& sessions, WebSettings settings) {
  const StaffSessions* s = &sessions;
  auto cfg = std::make_shared<const WebSettings>(settings);
  for (const auto& asset : embedded_assets()) {
    const Asset* a = &asset;
    // GET /staff/ is index.html; every other file is GET /staff/<name>.
    if (a->name == "index.html")
      router.add(http::Verb::get, "/staff/", [a](const Request& req, RequestContext&) { return handle_index(req, *a); });
    else
      router.add(http::Verb::get, "/staff/" + std::string(a->name),
                 [a](const Request& req, RequestContext&) { return handle_asset(req, *a); });
  }
  router.add(http::Verb::get, "/staff/session", [s](const Request& req, RequestContext&) { return handle_get_session(req, *s); });
  router.add(http::Verb::post, "/staff/session",
             [s, cfg](const Request& req, RequestContext&) { return handle_sign_in(req, *s, *cfg); });
  router.add(http::Verb::delete_, "/staff/session", [s](const Request& req, RequestContext&) { return handle_sign_out(req, *s); });
}

}  // namespace bella::web
