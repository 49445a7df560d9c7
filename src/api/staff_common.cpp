// Staff API helpers: time formats, JSON shapes, body and query decoding, cursors, problem responses.
#include "api/staff_common.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "api/auth.hpp"
#include "bella/core/base64.hpp"
#include "bella/calendar/calendar.hpp"

namespace bella::api {

void add_staff_routes(http::Router& router, const StaffApiDeps& deps) {
  auto ctx = std::make_shared<staff::Context>(
      staff::Context{deps.service, deps.repository, deps.calendar, deps.normalize_phone, deps.messages,
                     deps.browser_sessions});
  staff::add_appointment_routes(router, ctx, deps.api_key);
  staff::add_user_routes(router, ctx, deps.api_key);
  staff::add_availability_routes(router, ctx, deps.api_key);
  staff::add_message_routes(router, ctx, deps.api_key);
  staff::add_schedule_routes(router, ctx, deps.api_key);
}

}  // namespace bella::api

namespace bella::api::staff {

const date::time_zone* Context::zone() const { return calendar.zone(); }

http::Handler guarded(const std::string& api_key, std::shared_ptr<Context> ctx, StaffHandler fn) {
  const auto* sessions = ctx->browser_sessions;
  return require_api_key(
      api_key, [ctx = std::move(ctx), fn](const Request& req, RequestContext& rc) { return fn(req, rc, *ctx); }, sessions);
}

std::optional<std::int64_t> parse_id(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

Json user_json(const User& u) {
  return {{"id", u.id},
          {"full_name", u.full_name},
          {"mobile", u.mobile},
          {"created_at", utc_iso(u.created_at)},
          {"updated_at", utc_iso(u.updated_at)}};
}

Json message_json(const notify::MessageRecord& m, const date::time_zone* zone) {
  Json j{{"id", m.id},
         {"appointment_id", m.appointment_id},
         {"kind", m.kind},
         {"status", m.status},
         {"twilio_status", m.twilio_status ? Json(*m.twilio_status) : Json(nullptr)},
         {"error_code", m.error_code ? Json(*m.error_code) : Json(nullptr)},
         {"error", m.error ? Json(*m.error) : Json(nullptr)},
         {"attempts", m.attempts},
         {"due_at", utc_iso(m.due_at)},
         {"due_at_local", local_iso(m.due_at, zone)},
         {"sent_at", m.sent_at ? Json(utc_iso(*m.sent_at)) : Json(nullptr)},
         {"sent_at_local", m.sent_at ? Json(local_iso(*m.sent_at, zone)) : Json(nullptr)},
         {"updated_at", utc_iso(m.updated_at)},
         {"updated_at_local", local_iso(m.updated_at, zone)}};
  return j;
}

Json booking_json(const booking::Booking& b, const date::time_zone* zone) {
  const auto& a = b.appointment;
  Json j = {{"id", a.id},
            {"user_id", a.user_id},
            {"user", {{"id", b.user.id}, {"full_name", b.user.full_name}, {"mobile", b.user.mobile}}},
            {"starts_at", utc_iso(a.starts_at_utc)},
            {"starts_at_local", local_iso(a.starts_at_utc, zone)},
            {"ends_at", utc_iso(a.ends_at_utc())},
            {"ends_at_local", local_iso(a.ends_at_utc(), zone)},
            {"time_zone", zone->name()},
            {"duration_minutes", a.duration_minutes},
            {"status", to_string(a.status)},
            {"call_sid", a.call_sid ? Json(*a.call_sid) : Json(nullptr)},
            {"notes", a.notes ? Json(*a.notes) : Json(nullptr)},
            {"created_at", utc_iso(a.created_at)},
            {"updated_at", utc_iso(a.updated_at)}};
  return j;
}

Json slot_json(TimePoint start, std::chrono::minutes duration, const date::time_zone* zone) {
  return {{"starts_at", utc_iso(start)},
          {"starts_at_local", local_iso(start, zone)},
          {"ends_at", utc_iso(start + duration)},
          {"ends_at_local", local_iso(start + duration, zone)}};
}

http::Response FieldErrors::response(const http::Request& req, const Json& extra) const {
  Json body = extra.is_object() ? extra : Json::object();
  body["errors"] = errors_;
  return http::problem(req, http::Status::unprocessable_entity, "Validation Failed",
                       "One or more fields are invalid; see errors.", body);
}

std::variant<Json, http::Response> json_body(const http::Request& req) {
  std::string_view type = req[http::Field::content_type];
  const auto semi = type.find(';');
  std::string media(type.substr(0, semi));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media != "application/json" && !(media.starts_with("application/") && media.ends_with("+json"))) {
    auto res = http::problem(req, http::Status::unsupported_media_type, "Unsupported Media Type",
                             "Send the body as application/json.");
    res.set(http::Field::accept, "application/json");
    return res;
  }
  Json body = Json::parse(req.body(), nullptr, false);
  if (body.is_discarded()) return http::problem(req, http::Status::bad_request, "Malformed JSON", "The body is not valid JSON.");
  if (!body.is_object()) return http::problem(req, http::Status::bad_request, "Malformed JSON", "The body must be a JSON object.");
  return body;
}

const std::string* Query::get(std::string_view name) const { return http::form_value(params, name); }

Query query_of(const http::Request& req) {
  // '+' stays '+' in a query value: "mobile=+1403…" typed by hand must not become a space.
  Query q;
  std::string_view rest = http::target_query(req.target());
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) q.params.emplace_back(http::url_decode(pair, false), "");
    else q.params.emplace_back(http::url_decode(pair.substr(0, eq), false), http::url_decode(pair.substr(eq + 1), false));
  }
  return q;
}


std::string encode_cursor(std::string_view kind, long long a, long long b) {
  return base64url(std::string(kind) + ":" + std::to_string(a) + ":" + std::to_string(b));
}

std::optional<std::pair<long long, long long>> decode_cursor(std::string_view kind, std::string_view cursor) {
  if (cursor.size() > 100) return std::nullopt;
  auto raw = from_base64url(cursor);
  if (!raw) return std::nullopt;
  std::string_view s = *raw;
  if (!s.starts_with(kind) || s.size() <= kind.size() || s[kind.size()] != ':') return std::nullopt;
  s.remove_prefix(kind.size() + 1);
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  long long a = 0, b = 0;
  auto [p1, e1] = std::from_chars(s.data(), s.data() + colon, a);
  auto [p2, e2] = std::from_chars(s.data() + colon + 1, s.data() + s.size(), b);
  if (e1 != std::errc{} || p1 != s.data() + colon || e2 != std::errc{} || p2 != s.data() + s.size()) return std::nullopt;
  return std::make_pair(a, b);
}

void read_limit(const Query& q, std::size_t& out, FieldErrors& errors) {
  out = kDefaultLimit;
  const auto* v = q.get("limit");
  if (!v) return;
  auto n = parse_id(*v);
  if (!n || *n > static_cast<std::int64_t>(kMaxLimit)) {
    errors.add("limit", "must be a whole number from 1 to " + std::to_string(kMaxLimit));
    return;
  }
  out = static_cast<std::size_t>(*n);
}

http::Response not_found(const http::Request& req, std::string_view what) {
  return http::problem(req, http::Status::not_found, "Not Found", std::string(what) + " was not found.");
}

http::Response conflict(const http::Request& req, std::string_view detail, const std::vector<std::chrono::sys_seconds>& slots,
                        std::chrono::minutes duration, const date::time_zone* zone) {
  Json suggested = Json::array();
  for (auto s : slots) suggested.push_back(slot_json(s, duration, zone));
  return http::problem(req, http::Status::conflict, "Slot Taken", detail, {{"suggested_slots", suggested}});
}

}  // namespace bella::api::staff
