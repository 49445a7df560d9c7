// BookingService: hours, holidays and "not in the past" checks, then the repository's race-proof insert.
#include "booking/service.hpp"


#include "bella/calendar/calendar.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace bella::booking {
namespace {

using calendar::kSuggestions;
constexpr std::chrono::minutes kMaxDuration{8 * 60};

std::vector<calendar::Interval> to_calendar(const std::vector<BookedInterval>& booked) {
  std::vector<calendar::Interval> out;
  out.reserve(booked.size());
  for (const auto& b : booked) out.push_back(calendar::Interval{b.start, b.end});
  return out;
}

obs::Counter& bookings_counter() {
  static auto& c = obs::registry().counter("bella_bookings_total", "Booking attempts by outcome");
  return c;
}

Error invalid(std::string message) { return Error{Errc::invalid_input, std::move(message)}; }

}  // namespace

BookingService::BookingService(BookingRepository& repo, const calendar::BusinessCalendar& calendar, const Clock& clock,
                               std::chrono::minutes default_duration)
    : repo_(repo), calendar_(calendar), clock_(clock), default_duration_(default_duration) {}

Error BookingService::closed_at(std::chrono::sys_seconds start, std::chrono::minutes duration) const {
  Error closed{Errc::outside_hours, "the clinic is closed at the requested time"};
  if (auto next = calendar_.next_opening(start, duration)) closed.alternatives.push_back(*next);
  return closed;
}

Task<std::vector<std::chrono::sys_seconds>> BookingService::nearest_free(std::chrono::sys_seconds wanted,
                                                                        std::chrono::minutes duration, std::size_t n) {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  // nearest_free looks at wanted's day and up to kLookAheadDays on; fetch that window's bookings
  // (a day of margin on each side for the zone's offset).
  const auto from = std::min(wanted, now) - date::days{1};
  const auto to = std::max(wanted, now) + date::days{calendar::kLookAheadDays + 2};
  const auto booked = to_calendar(co_await repo_.booked_between(from, to));
  co_return calendar_.nearest_free(wanted, duration, booked, n, now);
}

Task<Result<Booking>> BookingService::book(const BookRequest& request) {
  const auto duration = request.duration.value_or(default_duration_);
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());

  if (duration <= std::chrono::minutes(0) || duration > kMaxDuration)
    co_return invalid("duration must be between 1 and " + std::to_string(kMaxDuration.count()) + " minutes");
  if (request.full_name.empty()) co_return invalid("full_name must not be empty");
  if (request.mobile.empty()) co_return invalid("mobile must not be empty");

  if (request.start < now) {
    bookings_counter().inc({{"outcome", "invalid"}});
    co_return invalid("the requested time is in the past");
  }
  if (!calendar_.is_open(request.start, duration)) {
    bookings_counter().inc({{"outcome", "outside_hours"}});
    co_return closed_at(request.start, duration);
  }

  auto user = co_await repo_.find_or_create_user(request.full_name, request.mobile);
  if (!user) co_return user.error();
  NewAppointment n;
  n.user_id = user->id;
  n.starts_at_utc = request.start;
  n.duration = duration;
  n.call_sid = request.call_sid;
  n.notes = request.notes;
  auto booked = co_await repo_.book(n);
  if (!booked) {
    Error refused = booked.error();
    const bool conflict = refused.code == Errc::conflict;
    if (conflict) refused.alternatives = co_await nearest_free(request.start, duration, kSuggestions);
    bookings_counter().inc({{"outcome", conflict ? "conflict" : "error"}});
    obs::info("booking refused", {{"reason", refused.message}, {"mobile", obs::redact_phone(request.mobile)}});
    co_return refused;
  }
  bookings_counter().inc({{"outcome", booked->replayed ? "replayed" : "booked"}});
  obs::info("booked", {{"appointment_id", booked->appointment.id},
                       {"user_id", booked->user.id},
                       {"replayed", booked->replayed},
                       {"mobile", obs::redact_phone(request.mobile)}});
  co_return booked;
}

Task<std::optional<User>> BookingService::find_user_by_mobile(const std::string& mobile) {
  co_return co_await repo_.find_user_by_mobile(mobile);
}

Task<std::vector<std::chrono::sys_seconds>> BookingService::free_slots(date::year_month_day local_day,
                                                                      std::chrono::minutes duration) {
  const auto spans = calendar_.spans(local_day);
  if (spans.empty()) co_return std::vector<std::chrono::sys_seconds>{};
  const auto booked = to_calendar(co_await repo_.booked_between(spans.front().start, spans.back().end));
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  auto slots = calendar_.free_slots(local_day, duration, booked);
  std::erase_if(slots, [&](auto s) { return s < now; });
  co_return slots;
}

Task<Result<Booking>> BookingService::cancel(std::int64_t appointment_id) {
  co_return co_await repo_.cancel(appointment_id);
}

Task<Result<Booking>> BookingService::reschedule(std::int64_t appointment_id, std::chrono::sys_seconds start,
                                                 std::optional<std::chrono::minutes> duration) {
  auto current = co_await repo_.get_appointment(appointment_id);
  if (!current) co_return current.error();
  const auto minutes = duration.value_or(std::chrono::minutes(current->appointment.duration_minutes));
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  if (minutes <= std::chrono::minutes(0) || minutes > kMaxDuration)
    co_return invalid("duration must be between 1 and " + std::to_string(kMaxDuration.count()) + " minutes");
  if (start < now) co_return invalid("the requested time is in the past");
  if (!calendar_.is_open(start, minutes)) co_return closed_at(start, minutes);
  AppointmentPatch patch;
  patch.starts_at_utc = start;
  patch.duration_minutes = static_cast<int>(minutes.count());
  auto updated = co_await repo_.update_appointment(appointment_id, patch);
  if (!updated && updated.error().code == Errc::conflict) {
    Error refused = updated.error();
    refused.alternatives = co_await nearest_free(start, minutes, kSuggestions);
    co_return refused;
  }
  co_return updated;
}

}  // namespace bella::booking
