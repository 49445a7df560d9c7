// Staff routes for /appointments: list (filters, cursor), get, book, reschedule/update, cancel.

#include "api/staff_common.hpp"
#include "booking/service.hpp"
#include "bella/calendar/calendar.hpp"
#include "obs/log.hpp"

namespace bella::api::staff {
namespace {

std::string appointment_location(std::int64_t id) { return "/appointments/" + std::to_string(id); }

// Validates an optional string member: absent/null -> nullopt, wrong type or too long -> error.
std::optional<std::string> optional_text(const Json& body, const char* field, std::size_t max, FieldErrors& errors,
                                         bool& present) {
  present = body.contains(field);
  if (!present || body[field].is_null()) return std::nullopt;
  if (!body[field].is_string()) {
    errors.add(field, "must be a string");
    return std::nullopt;
  }
  auto s = body[field].get<std::string>();
  if (s.size() > max) errors.add(field, "must be at most " + std::to_string(max) + " characters");
  return s;
}

std::optional<std::chrono::minutes> read_duration(const Json& body, FieldErrors& errors) {
  if (!body.contains("duration_minutes") || body["duration_minutes"].is_null()) return std::nullopt;
  const auto& v = body["duration_minutes"];
  if (!v.is_number_integer() || v.get<long long>() < 5 || v.get<long long>() > 480) {
    errors.add("duration_minutes", "must be a whole number of minutes from 5 to 480");
    return std::nullopt;
  }
  return std::chrono::minutes(v.get<long long>());
}

std::optional<TimePoint> read_start(const Json& body, FieldErrors& errors, bool required) {
  if (!body.contains("starts_at") || body["starts_at"].is_null()) {
    if (required) errors.add("starts_at", "is required (ISO 8601 with offset, e.g. 2026-12-01T09:30:00-07:00)");
    return std::nullopt;
  }
  const auto& v = body["starts_at"];
  std::optional<TimePoint> t;
  if (v.is_string()) t = parse_iso_datetime(v.get<std::string>());
  if (!t) errors.add("starts_at", "must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T09:30:00-07:00");
  return t;
}

// Maps a refused booking/reschedule to its response.
Response refused(const Request& req, const Error& error, std::chrono::minutes duration, const Context& ctx) {
  const auto& suggestions = error.alternatives;
  switch (error.code) {
    case Errc::conflict:
      return conflict(req, "The requested time overlaps another appointment.", suggestions, duration, ctx.zone());
    case Errc::outside_hours: {
      FieldErrors errors;
      errors.add("starts_at", "is outside the clinic's opening hours");
      Json extra = Json::object();
      if (!suggestions.empty()) extra["next_opening"] = slot_json(suggestions.front(), duration, ctx.zone());
      return errors.response(req, extra);
    }
    case Errc::invalid_input: {
      FieldErrors errors;
      const bool about_time = error.message.find("past") != std::string::npos;
      errors.add(about_time ? "starts_at" : "body", error.message);
      return errors.response(req);
    }
    case Errc::not_found: return not_found(req, "The appointment");
    case Errc::not_allowed: return http::problem(req, Status::conflict, "Not Allowed", error.message);
    default: return http::problem(req, Status::unprocessable_entity, "Not Booked", error.message);
  }
}

// GET /appointments: filtered, ordered by start, keyset-paginated with an opaque cursor.
Task<Response> handle_list_appointments(const Request& req, RequestContext&, const Context& ctx) {
  const auto q = query_of(req);
  FieldErrors errors;
  booking::AppointmentFilter filter;
  read_limit(q, filter.limit, errors);
  for (const char* name : {"from", "to"}) {
    const auto* v = q.get(name);
    if (!v) continue;
    std::optional<TimePoint> t = parse_iso_datetime(*v);
    if (!t) {
      // A bare date means that day's local midnight in the clinic's zone.
      if (auto day = parse_date(*v)) t = ctx.calendar.to_sys(date::local_days{*day});
    }
    if (!t) errors.add(name, "must be an ISO 8601 date-time with offset or a YYYY-MM-DD date");
    else (std::string_view(name) == "from" ? filter.from : filter.to) = *t;
  }
  if (const auto* v = q.get("status")) {
    if (auto s = parse_status(*v)) filter.status = *s;
    else errors.add("status", "must be one of scheduled, cancelled, completed, no_show");
  }
  if (const auto* v = q.get("mobile")) {
    if (auto m = ctx.normalize_phone(*v)) filter.mobile = *m;
    else errors.add("mobile", "is not a valid phone number");
  }
  if (const auto* v = q.get("cursor")) {
    // A cursor this API wrote holds a real start (years 1970..9999) and an id: anything else,
    // tampered (LLONG_MAX, negative, …), is refused here rather than by PostgreSQL's to_timestamp.
    constexpr long long kMaxStart = 253'402'300'799;  // 9999-12-31T23:59:59Z
    auto c = decode_cursor("a", *v);
    if (c && c->first >= 0 && c->first <= kMaxStart && c->second >= 0)
      filter.after = booking::AppointmentCursor{TimePoint(std::chrono::seconds(c->first)), c->second};
    else errors.add("cursor", "is not a cursor returned by this API");
  }
  if (!errors.empty()) co_return errors.response(req);
  const std::size_t page = filter.limit;
  filter.limit = page + 1;  // one extra row tells whether there is a next page
  auto rows = co_await ctx.repo.list_appointments(filter);
  const auto* zone = ctx.zone();
  co_return http::json_response(
      req, Status::ok,
      page_json(rows, page, [zone](const booking::Booking& b) { return booking_json(b, zone); },
                [](const booking::Booking& b) {
                  return encode_cursor("a", b.appointment.starts_at_utc.time_since_epoch().count(), b.appointment.id);
                }));
}

// GET /appointments/{id}
Task<Response> handle_get_appointment(const Request& req, RequestContext& rc, const Context& ctx) {
  auto id = parse_id(rc.param("id"));
  if (!id) co_return not_found(req, "The appointment");
  auto found = co_await ctx.repo.get_appointment(*id);
  if (!found) co_return not_found(req, "The appointment");
  auto body = booking_json(*found, ctx.zone());
  if (ctx.messages) {
    const std::int64_t appointment_id = *id;
    const auto records = co_await ctx.messages->for_appointment(appointment_id);
    Json texts = Json::array();
    for (const auto& m : records) texts.push_back(message_json(m, ctx.zone()));
    body["messages"] = std::move(texts);
  }
  co_return http::json_response(req, Status::ok, body);
}

// POST /appointments: the patient (by user_id, else found or created by name and mobile, never
// renamed) and the appointment in one transaction; 201 with Location. A refusal creates nobody.
Task<Response> handle_post_appointment(const Request& req, RequestContext&, const Context& ctx) {
  auto parsed = json_body(req);
  if (auto* res = std::get_if<Response>(&parsed)) co_return std::move(*res);
  const Json& body = std::get<Json>(parsed);
  FieldErrors errors;
  booking::BookRequest request;
  // The patient: user_id when given (a household member staff picked), else name and mobile
  // (found case-insensitively, or created: another name on a known mobile is a new patient).
  if (body.contains("user_id") && !body["user_id"].is_null()) {
    const auto& v = body["user_id"];
    if (v.is_number_integer() && v.get<long long>() > 0) request.user_id = v.get<std::int64_t>();
    else errors.add("user_id", "must be a positive whole number");
  }
  if (!request.user_id) {
    if (!body.contains("full_name") || !body["full_name"].is_string()) {
      errors.add("full_name", "is required (a string) unless user_id is given");
    } else {
      request.full_name = body["full_name"].get<std::string>();
      while (!request.full_name.empty() && std::isspace(static_cast<unsigned char>(request.full_name.back()))) request.full_name.pop_back();
      while (!request.full_name.empty() && std::isspace(static_cast<unsigned char>(request.full_name.front()))) request.full_name.erase(0, 1);
      if (auto problem = booking::name_problem(request.full_name)) errors.add("full_name", *problem);
    }
    if (!body.contains("mobile") || !body["mobile"].is_string()) {
      errors.add("mobile", "is required (a string) unless user_id is given");
    } else if (auto m = ctx.normalize_phone(body["mobile"].get<std::string>())) {
      request.mobile = *m;
    } else {
      errors.add("mobile", "is not a valid phone number");
    }
  }
  if (auto t = read_start(body, errors, true)) request.start = *t;
  request.duration = read_duration(body, errors);
  bool has_notes = false;
  request.notes = optional_text(body, "notes", kMaxNotesLength, errors, has_notes);
  if (!errors.empty()) co_return errors.response(req);

  auto outcome = co_await ctx.service.book(request);
  const auto duration = request.duration.value_or(ctx.service.default_duration());
  if (!outcome.ok() && outcome.error().code == Errc::not_found) {
    FieldErrors unknown;
    unknown.add("user_id", "is not a user of this clinic");
    co_return unknown.response(req);
  }
  if (!outcome.ok()) co_return refused(req, outcome.error(), duration, ctx);
  const booking::Booking& b = *outcome;
  auto res = http::json_response(req, Status::created, booking_json(b, ctx.zone()));
  res.set(http::Field::location, appointment_location(b.appointment.id));
  co_return res;
}

// PATCH /appointments/{id}: reschedule (starts_at, duration_minutes), status, notes.
Task<Response> handle_patch_appointment(const Request& req, RequestContext& rc, const Context& ctx) {
  auto id = parse_id(rc.param("id"));
  if (!id) co_return not_found(req, "The appointment");
  auto parsed = json_body(req);
  if (auto* res = std::get_if<Response>(&parsed)) co_return std::move(*res);
  const Json& body = std::get<Json>(parsed);
  FieldErrors errors;
  const auto start = read_start(body, errors, false);
  const auto duration = read_duration(body, errors);
  booking::AppointmentPatch patch;
  if (body.contains("status")) {
    std::optional<AppointmentStatus> s;
    if (body["status"].is_string()) s = parse_status(body["status"].get<std::string>());
    if (s) patch.status = *s;
    else errors.add("status", "must be one of scheduled, cancelled, completed, no_show");
  }
  bool has_notes = false;
  auto notes = optional_text(body, "notes", kMaxNotesLength, errors, has_notes);
  if (has_notes) patch.notes = notes.value_or("");
  const bool reschedule = body.contains("starts_at") || body.contains("duration_minutes");
  if (errors.empty() && !reschedule && !patch.status && !has_notes)
    errors.add("body", "give at least one of starts_at, duration_minutes, status, notes");
  if (!errors.empty()) co_return errors.response(req);

  std::optional<booking::Booking> result;
  if (reschedule) {
    auto current = co_await ctx.repo.get_appointment(*id);
    if (!current) co_return not_found(req, "The appointment");
    const auto new_start = start.value_or(current->appointment.starts_at_utc);
    auto changed = co_await ctx.service.reschedule(*id, new_start, duration);
    const auto minutes = duration.value_or(std::chrono::minutes(current->appointment.duration_minutes));
    if (!changed.ok()) co_return refused(req, changed.error(), minutes, ctx);
    result = std::move(changed.value());
  }
  if (patch.status || has_notes) {
    auto updated = co_await ctx.repo.update_appointment(*id, patch);
    if (!updated) {
      // Terminal statuses stay terminal (409 Not Allowed); unknown id 404.
      const auto minutes = std::chrono::minutes(result ? result->appointment.duration_minutes : 30);
      co_return refused(req, updated.error(), minutes, ctx);
    }
    result = std::move(updated.value());
  }
  co_return http::json_response(req, Status::ok, booking_json(*result, ctx.zone()));
}

// DELETE /appointments/{id}: cancels and keeps the row; answers with the cancelled appointment.
Task<Response> handle_delete_appointment(const Request& req, RequestContext& rc, const Context& ctx) {
  auto id = parse_id(rc.param("id"));
  if (!id) co_return not_found(req, "The appointment");
  auto cancelled = co_await ctx.service.cancel(*id);
  if (!cancelled) co_return refused(req, cancelled.error(), std::chrono::minutes(30), ctx);
  obs::info("appointment cancelled", {{"appointment_id", *id}});
  co_return http::json_response(req, Status::ok, booking_json(*cancelled, ctx.zone()));
}

}  // namespace

void add_appointment_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key) {
  router.add(http::Verb::get, "/appointments", guarded(api_key, ctx, handle_list_appointments));
  router.add(http::Verb::post, "/appointments", guarded(api_key, ctx, handle_post_appointment));
  router.add(http::Verb::get, "/appointments/{id}", guarded(api_key, ctx, handle_get_appointment));
  router.add(http::Verb::patch, "/appointments/{id}", guarded(api_key, ctx, handle_patch_appointment));
  router.add(http::Verb::delete_, "/appointments/{id}", guarded(api_key, ctx, handle_delete_appointment));
}

}  // namespace bella::api::staff
