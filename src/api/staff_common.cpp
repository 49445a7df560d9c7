// Staff API helpers: time formats, JSON shapes, body and query decoding, cursors, problem responses.
#include "staff_common.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

#include <phonenumbers/phonenumberutil.h>

#include "bella/api/auth.hpp"
#include "bella/calendar/calendar.hpp"

namespace bella::api {

std::optional<std::string> normalize_phone_ca(std::string_view text) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const auto* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (text.size() > 40) return std::nullopt;
  if (util->Parse(std::string(text), "CA", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (!util->IsValidNumber(number)) return std::nullopt;
  std::string out;
  util->Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

std::optional<TimePoint> parse_iso8601(std::string_view text) { return staff::parse_iso_datetime(text); }

void add_staff_routes(http::Router& router, const StaffApiDeps& deps) {
  auto ctx = std::make_shared<staff::Context>(
      staff::Context{deps.service, deps.repository, deps.calendar, deps.normalize_phone ? deps.normalize_phone : normalize_phone_ca,
                     deps.browser_sessions});
  staff::add_appointment_routes(router, ctx, deps.api_key);
  staff::add_user_routes(router, ctx, deps.api_key);
  staff::add_availability_routes(router, ctx, deps.api_key);
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

std::string utc_iso(TimePoint t) { return date::format("%Y-%m-%dT%H:%M:%SZ", t); }

std::string local_iso(TimePoint t, const date::time_zone* zone) {
  const auto info = zone->get_info(t);
  const auto local = date::local_seconds{t.time_since_epoch() + info.offset};
  auto off = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  const char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  char tail[8];
  std::snprintf(tail, sizeof tail, "%c%02d:%02d", sign, static_cast<int>(off / 60), static_cast<int>(off % 60));
  return date::format("%Y-%m-%dT%H:%M:%S", local) + tail;
}

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<date::year_month_day> parse_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d))
    return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<TimePoint> parse_iso_datetime(std::string_view s) {
  if (s.size() < 17) return std::nullopt;
  auto day = parse_date(s.substr(0, 10));
  if (!day || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm)) return std::nullopt;
  std::size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, i + 1, 2, ss)) return std::nullopt;
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {  // fractions are accepted and dropped
      ++i;
      const auto start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start) return std::nullopt;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  if (i >= s.size()) return std::nullopt;  // no offset: ambiguous, refused
  int offset_min = 0;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    offset_min = 0;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh = 0, om = 0;
    const auto rest = s.substr(i + 1);
    if (rest.size() == 5 && rest[2] == ':' && digits(rest, 0, 2, oh) && digits(rest, 3, 2, om)) {
    } else if (rest.size() == 4 && digits(rest, 0, 2, oh) && digits(rest, 2, 2, om)) {
    } else if (rest.size() == 2 && digits(rest, 0, 2, oh)) {
    } else {
      return std::nullopt;
    }
    if (oh > 18 || om > 59) return std::nullopt;
    offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const auto local = date::sys_days{*day} + std::chrono::hours(hh) + std::chrono::minutes(mm) + std::chrono::seconds(ss);
  return TimePoint{local - std::chrono::minutes(offset_min)};
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

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url(std::string_view in) {
  std::string out;
  unsigned val = 0;
  int bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kB64[(val >> bits) & 0x3f]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kB64[((val << 8) >> (bits + 8)) & 0x3f]);
  return out;
}

std::optional<std::string> unb64url(std::string_view in) {
  std::string out;
  unsigned val = 0;
  int bits = -8;
  for (char c : in) {
    const char* p = std::strchr(kB64, c);
    if (!p || c == '\0') return std::nullopt;
    val = (val << 6) + static_cast<unsigned>(p - kB64);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xff));
      bits -= 8;
    }
  }
  return out;
}
}  // namespace

std::string encode_cursor(std::string_view kind, long long a, long long b) {
  return b64url(std::string(kind) + ":" + std::to_string(a) + ":" + std::to_string(b));
}

std::optional<std::pair<long long, long long>> decode_cursor(std::string_view kind, std::string_view cursor) {
  if (cursor.size() > 100) return std::nullopt;
  auto raw = unb64url(cursor);
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
