// Staff route GET /schedule: one local day as the front desk sees it (opening hours, closed or
// holiday, every appointment, free slots) plus counts for that day's week, in one call.
#include "bella/calendar/calendar.hpp"
#include "staff_common.hpp"

namespace bella::api::staff {
namespace {

constexpr std::size_t kMaxDayRows = 1000;
constexpr std::size_t kMaxWeekRows = 5000;

std::string day_string(date::year_month_day d) { return date::format("%Y-%m-%d", d); }

// Why a day has no opening spans: a holiday's name, "closed" for a weekday without hours, or null.
Json closed_reason(const Context& ctx, date::year_month_day day, const std::optional<std::string>& holiday) {
  if (holiday) return "holiday";
  const auto wd = date::weekday{date::sys_days{day}}.c_encoding();
  if (ctx.calendar.hours().by_weekday[wd].empty()) return "closed";
  return nullptr;
}

// The zone's abbreviation at an instant ("MST", "MDT"), so the page can name the zone on every time.
std::string zone_abbrev(const Context& ctx, TimePoint t) { return ctx.zone()->get_info(t).abbrev; }

// GET /schedule?date=YYYY-MM-DD[&duration_minutes=N]: the day (default: the clinic's today) and its week.
Task<Response> handle_schedule(const Request& req, RequestContext&, const Context& ctx) {
  const auto q = query_of(req);
  FieldErrors errors;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(ctx.service.clock().now());
  const auto today = ctx.calendar.local_day(now);
  std::optional<date::year_month_day> day = today;
  if (const auto* v = q.get("date")) {
    day = parse_date(*v);
    if (!day) errors.add("date", "must be a date as YYYY-MM-DD (the clinic's local day)");
  }
  auto duration = ctx.service.default_duration();
  if (const auto* v = q.get("duration_minutes")) {
    auto n = parse_id(*v);
    if (!n || *n < 5 || *n > 480) errors.add("duration_minutes", "must be a whole number of minutes from 5 to 480");
    else duration = std::chrono::minutes(*n);
  }
  if (!errors.empty()) co_return errors.response(req);

  const auto* zone = ctx.zone();
  const auto day_start = ctx.calendar.to_sys(date::local_days{*day});
  const auto day_end = ctx.calendar.to_sys(date::local_days{*day} + date::days{1});
  const auto holiday = calendar::alberta_holiday(*day, ctx.calendar.holidays());

  Json hours = Json::array();
  for (const auto& span : ctx.calendar.spans(*day)) hours.push_back(slot_json(span.start, std::chrono::duration_cast<std::chrono::minutes>(span.end - span.start), zone));

  booking::AppointmentFilter filter;
  filter.from = day_start;
  filter.to = day_end;
  filter.limit = kMaxDayRows;
  auto rows = co_await ctx.repo.list_appointments(filter);
  Json appointments = Json::array();
  for (const auto& b : rows) appointments.push_back(booking_json(b, zone));

  auto slots = co_await ctx.service.free_slots(*day, duration);
  Json free = Json::array();
  for (auto s : slots) free.push_back(slot_json(s, duration, zone));

  // The week (Monday to Sunday) holding the day: scheduled appointments per day.
  const auto monday = date::sys_days{*day} - (date::weekday{date::sys_days{*day}} - date::Monday);
  booking::AppointmentFilter week_filter;
  week_filter.from = ctx.calendar.to_sys(date::local_days{monday.time_since_epoch()});
  week_filter.to = ctx.calendar.to_sys(date::local_days{(monday + date::days{7}).time_since_epoch()});
  week_filter.status = AppointmentStatus::scheduled;
  week_filter.limit = kMaxWeekRows;
  auto week_rows = co_await ctx.repo.list_appointments(week_filter);
  Json week = Json::array();
  for (int i = 0; i < 7; ++i) {
    const date::year_month_day d{monday + date::days{i}};
    long long count = 0;
    for (const auto& b : week_rows)
      if (ctx.calendar.local_day(b.appointment.starts_at_utc) == d) ++count;
    const auto h = calendar::alberta_holiday(d, ctx.calendar.holidays());
    week.push_back({{"date", day_string(d)},
                    {"weekday", date::format("%a", date::weekday{date::sys_days{d}})},
                    {"open", !ctx.calendar.spans(d).empty()},
                    {"holiday", h ? Json(*h) : Json(nullptr)},
                    {"scheduled", count}});
  }

  Json body = {{"date", day_string(*day)},
               {"today", day_string(today)},
               {"now", utc_iso(now)},
               {"time_zone", zone->name()},
               {"time_zone_abbrev", zone_abbrev(ctx, day_start + std::chrono::hours(12))},
               {"weekday", date::format("%A", date::weekday{date::sys_days{*day}})},
               {"open", !hours.empty()},
               {"holiday", holiday ? Json(*holiday) : Json(nullptr)},
               {"closed_reason", hours.empty() ? closed_reason(ctx, *day, holiday) : Json(nullptr)},
               {"slot_minutes", duration.count()},
               {"opening_hours", hours},
               {"appointments", appointments},
               {"free_slots", free},
               {"week", week}};
  co_return http::json_response(req, Status::ok, body);
}

}  // namespace

void add_schedule_routes(http::Router& router, const std::shared_ptr<Context>& ctx, const std::string& api_key) {
  router.add(http::Verb::get, "/schedule", guarded(api_key, ctx, handle_schedule));
}

}  // namespace bella::api::staff
