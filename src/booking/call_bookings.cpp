// The phone line's bookings: households, upcoming appointments, free slots, book/cancel/move.
#include "booking/call_bookings.hpp"

#include <algorithm>
#include <stdexcept>

#include "bella/calendar/calendar.hpp"

namespace bella::booking {

using call::Done;
using call::Refusal;
using call::SlotRefused;
using call::SysSeconds;
using calendar::kLookAheadDays;
using calendar::kSuggestions;

namespace {

constexpr std::size_t kMaxRows = 20;  // patients on one phone, upcoming appointments read back

Done done_of(const Booking& b) {
  return Done{.appointment_id = b.appointment.id,
              .patient_id = b.user.id,
              .start = std::chrono::floor<std::chrono::seconds>(b.appointment.starts_at_utc),
              .minutes = b.appointment.duration_minutes};
}

}  // namespace

std::optional<Refusal> ServiceBookings::rules_refuse(SysSeconds start, int minutes, SysSeconds now) const {
  if (start < now) return Refusal::past;
  if (start >= now + date::days{kLookAheadDays}) return Refusal::too_far;
  if (minutes <= 0 || minutes > 8 * 60 || !service_.calendar().is_open(start, std::chrono::minutes(minutes)))
    return Refusal::closed;
  return std::nullopt;
}

Task<SlotRefused> ServiceBookings::refused(Refusal why, SysSeconds start, int minutes, SysSeconds now) {
  SlotRefused out{.why = why, .alternatives = {}};
  if (why == Refusal::too_far || minutes <= 0 || minutes > 8 * 60) co_return out;
  // A past time: the next free slots from now on. Otherwise the free slots nearest the wanted one.
  const SysSeconds wanted = why == Refusal::past ? now : start;
  out.alternatives = co_await service_.nearest_free(wanted, std::chrono::minutes(minutes), kSuggestions, now);
  co_return out;
}

Task<std::vector<call::Patient>> ServiceBookings::patients_for_mobile(const std::string& e164) {
  const auto users = co_await service_.users_for_mobile(e164);
  std::vector<call::Patient> out;
  out.reserve(users.size());
  for (const auto& u : users) out.push_back(call::Patient{.id = u.id, .name = u.full_name, .mobile = u.mobile});
  co_return out;
}

Task<std::vector<call::Upcoming>> ServiceBookings::upcoming_for_mobile(const std::string& e164, SysSeconds now) {
  AppointmentFilter filter;
  filter.mobile = e164;
  filter.status = AppointmentStatus::scheduled;
  filter.from = now;
  filter.limit = kMaxRows;
  const auto rows = co_await service_.repository().list_appointments(filter);
  std::vector<call::Upcoming> out;
  out.reserve(rows.size());
  for (const auto& b : rows)
    out.push_back(call::Upcoming{.appointment_id = b.appointment.id,
                                 .patient_id = b.user.id,
                                 .patient_name = b.user.full_name,
                                 .start = std::chrono::floor<std::chrono::seconds>(b.appointment.starts_at_utc),
                                 .minutes = b.appointment.duration_minutes});
  co_return out;
}

Task<std::vector<SysSeconds>> ServiceBookings::free_slots(const call::SlotQuery& query, SysSeconds now) {
  std::vector<SysSeconds> out;
  const SysSeconds from = std::max(query.from, now);
  const SysSeconds to = std::min(query.to, now + date::days{kLookAheadDays});
  if (query.max <= 0 || query.minutes <= 0 || query.minutes > 8 * 60 || from >= to) co_return out;
  const std::chrono::minutes duration{query.minutes};
  const auto& cal = service_.calendar();
  // One read of the window's bookings (a slot starting just before `to` may run past it).
  const auto rows = co_await service_.repository().booked_between(from, to + duration);
  std::vector<calendar::Interval> booked;
  booked.reserve(rows.size());
  for (const auto& b : rows)
    booked.push_back(calendar::Interval{std::chrono::floor<std::chrono::seconds>(b.start),
                                        std::chrono::floor<std::chrono::seconds>(b.end)});
  const auto first = date::sys_days{cal.local_day(from)};
  const auto last = date::sys_days{cal.local_day(to - std::chrono::seconds(1))};
  for (auto day = first; day <= last && out.size() < static_cast<std::size_t>(query.max); day += date::days{1}) {
    for (const auto slot : cal.free_slots(date::year_month_day{day}, duration, booked)) {
      if (slot < from || slot >= to) continue;
      out.push_back(slot);
      if (out.size() >= static_cast<std::size_t>(query.max)) break;
    }
  }
  co_return out;
}

Task<std::optional<SlotRefused>> ServiceBookings::check(SysSeconds start, int minutes, SysSeconds now) {
  if (auto why = rules_refuse(start, minutes, now)) co_return co_await refused(*why, start, minutes, now);
  const auto taken = co_await service_.repository().booked_between(start, start + std::chrono::minutes(minutes));
  if (taken.empty()) co_return std::nullopt;
  co_return co_await refused(Refusal::taken, start, minutes, now);
}

Task<std::variant<Done, SlotRefused>> ServiceBookings::book(const call::NewBooking& booking, SysSeconds now) {
  if (auto why = rules_refuse(booking.start, booking.minutes, now)) {
    // A retried turn whose booking went through (before the time passed) gets that booking.
    if (!booking.call_sid.empty()) {
      if (auto earlier = co_await service_.repository().booking_for_call_sid(booking.call_sid))
        co_return done_of(*earlier);
    }
    co_return co_await refused(*why, booking.start, booking.minutes, now);
  }
  BookRequest request;
  request.user_id = booking.patient_id;
  request.full_name = storable_name(booking.name);
  request.mobile = booking.mobile;
  request.start = booking.start;
  request.duration = std::chrono::minutes(booking.minutes);
  if (!booking.call_sid.empty()) request.call_sid = booking.call_sid;
  request.now = now;
  auto outcome = co_await service_.book(request);
  if (!outcome.ok() && outcome.error().code == Errc::not_found && request.user_id) {
    // The patient picked on this call is gone (merged or deleted by staff): book by name and mobile.
    request.user_id.reset();
    outcome = co_await service_.book(request);
  }
  if (outcome.ok()) co_return done_of(*outcome);
  const Error& error = outcome.error();
  switch (error.code) {
    case Errc::conflict: co_return SlotRefused{.why = Refusal::taken, .alternatives = error.alternatives};
    case Errc::outside_hours: co_return co_await refused(Refusal::closed, booking.start, booking.minutes, now);
    default: break;
  }
  // Not a time the caller can change: a name or number the table refuses. Not an outage either.
  throw std::invalid_argument("booking refused: " + error.message);
}

Task<std::optional<Done>> ServiceBookings::cancel(std::int64_t appointment_id, const std::string& call_sid,
                                                  SysSeconds now) {
  auto current = co_await service_.repository().get_appointment(appointment_id);
  if (!current) co_return std::nullopt;
  const auto status = current->appointment.status;
  if (status == AppointmentStatus::completed || status == AppointmentStatus::no_show) co_return std::nullopt;
  if (status == AppointmentStatus::scheduled && current->appointment.starts_at_utc < now) co_return std::nullopt;
  const std::optional<std::string> sid = call_sid.empty() ? std::nullopt : std::optional<std::string>(call_sid);
  auto cancelled = co_await service_.repository().cancel(appointment_id, sid);
  if (!cancelled) co_return std::nullopt;
  // Already cancelled before: Done only when this very call did it (a retried turn).
  if (status == AppointmentStatus::cancelled && !cancelled->replayed) co_return std::nullopt;
  co_return done_of(*cancelled);
}

Task<std::variant<Done, SlotRefused>> ServiceBookings::reschedule(std::int64_t appointment_id, SysSeconds start,
                                                                  int minutes, const std::string& call_sid,
                                                                  SysSeconds now) {
  (void)call_sid;  // a move is idempotent by its target: the same move again finds it done
  const SlotRefused gone{.why = Refusal::taken, .alternatives = {}};
  auto current = co_await service_.repository().get_appointment(appointment_id);
  if (!current) co_return gone;
  const auto& a = current->appointment;
  if (a.status == AppointmentStatus::scheduled && a.starts_at_utc == start && a.duration_minutes == minutes)
    co_return done_of(*current);
  if (a.status != AppointmentStatus::scheduled || a.starts_at_utc < now) co_return gone;
  if (auto why = rules_refuse(start, minutes, now)) co_return co_await refused(*why, start, minutes, now);
  AppointmentPatch patch;
  patch.starts_at_utc = start;
  patch.duration_minutes = minutes;
  auto moved = co_await service_.repository().update_appointment(appointment_id, patch);
  if (moved) co_return done_of(*moved);
  switch (moved.error().code) {
    case Errc::conflict: co_return co_await refused(Refusal::taken, start, minutes, now);
    case Errc::not_found:
    case Errc::not_allowed: co_return gone;
    default: break;
  }
  throw std::invalid_argument("move refused: " + moved.error().message);
}

}  // namespace bella::booking
