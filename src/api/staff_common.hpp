// Shared pieces of the staff routes: JSON shapes, ISO 8601 times, 422 field errors, cursors.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "api/staff.hpp"
#include "bella/core/iso8601.hpp"
#include "bella/http/message.hpp"

namespace bella::api::staff {

using Json = nlohmann::json;
using http::Request;
using http::RequestContext;
using http::Response;
using http::Status;

constexpr std::size_t kMaxLimit = 200;
constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxNameLength = 200;
constexpr std::size_t kMaxNotesLength = 2000;

// The API's time formats are the project's ISO 8601 (bella/core/iso8601.hpp), under short names.
inline std::string utc_iso(TimePoint t) { return iso8601::format_utc(t); }
inline std::string local_iso(TimePoint t, const date::time_zone* zone) { return iso8601::format_local(t, zone); }
inline std::optional<TimePoint> parse_iso_datetime(std::string_view s) { return iso8601::parse_datetime(s); }
inline std::optional<date::year_month_day> parse_date(std::string_view s) { return iso8601::parse_date(s); }
/// A positive decimal id.
std::optional<std::int64_t> parse_id(std::string_view s);

Json user_json(const User& u);
Json booking_json(const booking::Booking& b, const date::time_zone* zone);
/// A text as staff see it: kind, status, times, error code; never the number or the words.
Json message_json(const notify::MessageRecord& m, const date::time_zone* zone);
Json slot_json(TimePoint start, std::chrono::minutes duration, const date::time_zone* zone);

/// Collects per-field validation errors for one 422 response.
class FieldErrors {
 public:
  void add(std::string field, std::string message) { errors_.push_back({{"field", std::move(field)}, {"message", std::move(message)}}); }
  [[nodiscard]] bool empty() const { return errors_.empty(); }
  [[nodiscard]] http::Response response(const http::Request& req, const Json& extra = Json::object()) const;

 private:
  Json errors_ = Json::array();
};

/// The body as a JSON object, or the 415/400 response to send instead.
std::variant<Json, http::Response> json_body(const http::Request& req);

/// Decoded query parameters (first value per name).
struct Query {
  std::vector<std::pair<std::string, std::string>> params;
  [[nodiscard]] const std::string* get(std::string_view name) const;
};
Query query_of(const http::Request& req);

/// Opaque cursors: base64url of "<kind>:<a>:<b>".
std::string encode_cursor(std::string_view kind, long long a, long long b);
std::optional<std::pair<long long, long long>> decode_cursor(std::string_view kind, std::string_view cursor);

/// A list response: {"items": the first `page` rows, "next_cursor": the cursor of the last row shown
/// when `rows` holds more (the query asks for page + 1 rows), else null}.
template <class Row, class ToJson, class CursorOf>
Json page_json(const std::vector<Row>& rows, std::size_t page, ToJson to_json, CursorOf cursor_of) {
  Json items = Json::array();
  for (std::size_t i = 0; i < rows.size() && i < page; ++i) items.push_back(to_json(rows[i]));
  Json next = nullptr;
  if (rows.size() > page) next = cursor_of(rows[page - 1]);
  return Json{{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

/// Reads `limit` (1..200, default 50) into `out`, or adds a field error.
void read_limit(const Query& q, std::size_t& out, FieldErrors& errors);

http::Response not_found(const http::Request& req, std::string_view what);
http::Response conflict(const http::Request& req, std::string_view detail, const std::vector<std::chrono::sys_seconds>& slots,
                        std::chrono::minutes duration, const date::time_zone* zone);

/// Everything the handlers need; owned by the routes through a shared_ptr.
struct Context {
  booking::BookingService& service;
  booking::BookingRepository& repo;
  const calendar::BusinessCalendar& calendar;
  PhoneNormalizer normalize_phone;
  notify::MessageLog* messages = nullptr;  // texts sent for appointments; null: none recorded
  const BrowserSessions* browser_sessions = nullptr;
  [[nodiscard]] const date::time_zone* zone() const;
};

/// A staff route's handler: the request and the routes' shared Context.
using StaffHandler = Task<Response> (*)(const Request&, RequestContext&, const Context&);
/// `fn` behind the X-API-Key guard (require_api_key), holding `ctx` for as long as the route lives.
http::Handler guarded(const std::string& api_key, std::shared_ptr<Context> ctx, StaffHandler fn);

// Route groups (one .cpp each).
void add_appointment_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key);
void add_user_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key);
void add_message_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key);
void add_availability_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key);
void add_schedule_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key);

}  // namespace bella::api::staff
