// Staff routes for /users: list (mobile filter, cursor), get with appointments, create, update.
#include "api/staff_common.hpp"
#include "booking/service.hpp"

namespace bella::api::staff {
namespace {

// full_name and mobile from a body; `required` for POST, optional for PATCH.
void read_user_fields(const Json& body, const Context& ctx, bool required, booking::UserPatch& out, FieldErrors& errors) {
  if (body.contains("full_name")) {
    if (!body["full_name"].is_string()) {
      errors.add("full_name", "must be a string");
    } else {
      std::string name = body["full_name"].get<std::string>();
      while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
      while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.erase(0, 1);
      // Checked before any SQL: the table's CHECKs would refuse it with the row in the error.
      if (auto problem = booking::name_problem(name)) errors.add("full_name", *problem);
      else out.full_name = name;
    }
  } else if (required) {
    errors.add("full_name", "is required (a string)");
  }
  if (body.contains("mobile")) {
    std::optional<std::string> m;
    if (body["mobile"].is_string()) m = ctx.normalize_phone(body["mobile"].get<std::string>());
    if (m) out.mobile = *m;
    else errors.add("mobile", "is not a valid phone number");
  } else if (required) {
    errors.add("mobile", "is required (a string)");
  }
}

// GET /users: ordered by id, optional mobile filter (every patient of that household) and name/phone search (q), cursor pagination.
Task<Response> handle_list_users(const Request& req, RequestContext&, const Context& ctx) {
  const auto q = query_of(req);
  FieldErrors errors;
  booking::UserFilter filter;
  read_limit(q, filter.limit, errors);
  if (const auto* v = q.get("mobile")) {
    if (auto m = ctx.normalize_phone(*v)) filter.mobile = *m;
    else errors.add("mobile", "is not a valid phone number");
  }
  if (const auto* v = q.get("q")) {
    if (v->size() > kMaxNameLength) errors.add("q", "must be at most 200 characters");
    else if (!v->empty()) filter.search = *v;
  }
  if (const auto* v = q.get("cursor")) {
    if (auto c = decode_cursor("u", *v); c && c->first >= 0) filter.after_id = c->first;
    else errors.add("cursor", "is not a cursor returned by this API");
  }
  if (!errors.empty()) co_return errors.response(req);
  const std::size_t page = filter.limit;
  filter.limit = page + 1;
  auto rows = co_await ctx.repo.list_users(filter);
  co_return http::json_response(req, Status::ok,
                                page_json(rows, page, user_json, [](const User& u) { return encode_cursor("u", u.id, 0); }));
}

// GET /users/{id}: the user with their appointments (latest 200 by start).
Task<Response> handle_get_user(const Request& req, RequestContext& rc, const Context& ctx) {
  auto id = parse_id(rc.param("id"));
  if (!id) co_return not_found(req, "The user");
  auto user = co_await ctx.repo.get_user(*id);
  if (!user) co_return not_found(req, "The user");
  booking::AppointmentFilter filter;
  filter.user_id = *id;
  filter.limit = kMaxLimit;
  auto rows = co_await ctx.repo.list_appointments(filter);
  Json j = user_json(*user);
  j["appointments"] = Json::array();
  for (const auto& b : rows) j["appointments"].push_back(booking_json(b, ctx.zone()));
  co_return http::json_response(req, Status::ok, j);
}

// A refusal of the repository on a user write: 409 (this name on this mobile exists), 422, 404.
Response user_refused(const Request& req, const Error& error, std::optional<std::int64_t> existing) {
  if (error.code == Errc::not_found) return not_found(req, "The user");
  if (error.code == Errc::invalid_input) {
    FieldErrors errors;
    errors.add("body", error.message);
    return errors.response(req);
  }
  Json extra = Json::object();
  if (existing) extra["existing_user_id"] = *existing;
  return http::problem(req, Status::conflict, "Patient Exists", error.message, extra);
}

// POST /users: 201 with Location. A mobile may have several patients (a household): another name
// on a known mobile is another patient; the same name (case-insensitive) and mobile is 409 with
// the existing patient's id.
Task<Response> handle_post_user(const Request& req, RequestContext&, const Context& ctx) {
  auto parsed = json_body(req);
  if (auto* res = std::get_if<Response>(&parsed)) co_return std::move(*res);
  FieldErrors errors;
  booking::UserPatch fields;
  read_user_fields(std::get<Json>(parsed), ctx, true, fields, errors);
  if (!errors.empty()) co_return errors.response(req);
  auto created = co_await ctx.repo.create_user(*fields.full_name, *fields.mobile);
  if (!created) {
    std::optional<std::int64_t> existing;
    if (created.error().code == Errc::conflict) {
      if (auto found = co_await ctx.repo.find_user(*fields.full_name, *fields.mobile)) existing = found->id;
    }
    co_return user_refused(req, created.error(), existing);
  }
  auto res = http::json_response(req, Status::created, user_json(*created));
  res.set(http::Field::location, "/users/" + std::to_string(created->id));
  co_return res;
}

// PATCH /users/{id}: full_name and/or mobile.
Task<Response> handle_patch_user(const Request& req, RequestContext& rc, const Context& ctx) {
  auto id = parse_id(rc.param("id"));
  if (!id) co_return not_found(req, "The user");
  auto parsed = json_body(req);
  if (auto* res = std::get_if<Response>(&parsed)) co_return std::move(*res);
  FieldErrors errors;
  booking::UserPatch patch;
  read_user_fields(std::get<Json>(parsed), ctx, false, patch, errors);
  if (errors.empty() && !patch.full_name && !patch.mobile) errors.add("body", "give full_name and/or mobile");
  if (!errors.empty()) co_return errors.response(req);
  auto updated = co_await ctx.repo.update_user(*id, patch);
  if (!updated) co_return user_refused(req, updated.error(), std::nullopt);
  co_return http::json_response(req, Status::ok, user_json(*updated));
}

}  // namespace

void add_user_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key) {
  router.add(http::Verb::get, "/users", guarded(api_key, ctx, handle_list_users));
  router.add(http::Verb::post, "/users", guarded(api_key, ctx, handle_post_user));
  router.add(http::Verb::get, "/users/{id}", guarded(api_key, ctx, handle_get_user));
  router.add(http::Verb::patch, "/users/{id}", guarded(api_key, ctx, handle_patch_user));
}

}  // namespace bella::api::staff
