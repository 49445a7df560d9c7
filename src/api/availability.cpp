// Staff route GET /availability: a local day's free slots in the clinic's zone.
#include "api/staff_common.hpp"
#include "bella/calendar/calendar.hpp"

namespace bella::api::staff {
namespace {

// GET /availability?date=YYYY-MM-DD[&duration_minutes=N]: hours, holidays, bookings and "now" honoured.
Task<Response> handle_availability(const Request& req, RequestContext&, const Context& ctx) {
  const auto q = query_of(req);
  FieldErrors errors;
  std::optional<date::year_month_day> day;
  if (const auto* v = q.get("date")) day = parse_date(*v);
  if (!day) errors.add("date", "is required as YYYY-MM-DD (the clinic's local day)");
  auto duration = ctx.service.default_duration();
  if (const auto* v = q.get("duration_minutes")) {
    auto n = parse_id(*v);
    if (!n || *n < 5 || *n > 480) errors.add("duration_minutes", "must be a whole number of minutes from 5 to 480");
    else duration = std::chrono::minutes(*n);
  }
  if (!errors.empty()) co_return errors.response(req);
  auto slots = co_await ctx.service.free_slots(*day, duration);
  Json items = Json::array();
  for (auto s : slots) items.push_back(slot_json(s, duration, ctx.zone()));
  Json body = {{"date", date::format("%Y-%m-%d", *day)},
               {"time_zone", ctx.zone()->name()},
               {"duration_minutes", duration.count()},
               {"slots", items}};
  if (auto holiday = calendar::alberta_holiday(*day, ctx.calendar.holidays())) body["holiday"] = *holiday;
  co_return http::json_response(req, Status::ok, body);
}

}  // namespace

void add_availability_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key) {
  router.add(http::Verb::get, "/availability", guarded(api_key, ctx, handle_availability));
}

}  // namespace bella::api::staff
