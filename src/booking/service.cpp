// BookingService: hours, holidays and "not in the past" checks, then the repository's race-proof insert.
#include "bella/booking/service.hpp"


#include "bella/calendar/calendar.hpp"
#include "bella/obs/log.hpp"
#include "bella/obs/metrics.hpp"

namespace bella::booking {
namespace {

constexpr std::size_t kSuggestions = 3;
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

Task<std::vector<std::chrono::sys_seconds>> BookingService::nearest_free(std::chrono::sys_seconds wanted,
                                                                        std::chrono::minutes duration, std::size_t n) {
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  // nearest_free looks at wanted's day and up to 14 days on; fetch the bookings of that window.
  const auto from = std::min(wanted, now) - std::chrono::hours(24);
  const auto to = std::max(wanted, now) + std::chrono::hours(24 * 16);
  const auto booked = to_calendar(co_await repo_.booked_between(from, to));
  co_return calendar_.nearest_free(wanted, duration, booked, n, now);
}

Task<BookOutcome> BookingService::book(const BookRequest& request) {
  BookOutcome out;
  const auto duration = request.duration.value_or(default_duration_);
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());

  if (duration <= std::chrono::minutes(0) || duration > kMaxDuration) {
    out.error = invalid("duration must be between 1 and " + std::to_string(kMaxDuration.count()) + " minutes");
  } else if (request.full_name.empty()) {
    out.error = invalid("full_name must not be empty");
  } else if (request.mobile.empty()) {
    out.error = invalid("mobile must not be empty");
  }
  if (out.error) co_return out;

  const bool past = request.start < now;
  const bool open = calendar_.is_open(request.start, duration);
  if (past || !open) {
    if (past) {
      out.error = invalid("the requested time is in the past");
    } else {
      out.error = Error{Errc::outside_hours, "the clinic is closed at the requested time"};
      out.next_opening = calendar_.next_opening(request.start, duration);
      if (out.next_opening) out.suggestions.push_back(*out.next_opening);
    }
    bookings_counter().inc({{"outcome", past ? "invalid" : "outside_hours"}});
    co_return out;
  }

  auto user = co_await repo_.find_or_create_user(request.full_name, request.mobile);
  if (!user) {
    out.error = user.error();
    co_return out;
  }
  NewAppointment n;
  n.user_id = user->id;
  n.starts_at_utc = request.start;
  n.duration = duration;
  n.call_sid = request.call_sid;
  n.notes = request.notes;
  auto booked = co_await repo_.book(n);
  if (!booked) {
    out.error = booked.error();
    if (booked.error().code == Errc::conflict) out.suggestions = co_await nearest_free(request.start, duration, kSuggestions);
    bookings_counter().inc({{"outcome", booked.error().code == Errc::conflict ? "conflict" : "error"}});
    obs::info("booking refused", {{"reason", booked.error().message}, {"mobile", obs::redact_phone(request.mobile)}});
    co_return out;
  }
  out.appointment = booked->appointment;
  out.user = booked->user;
  out.replayed = booked->replayed;
  bookings_counter().inc({{"outcome", out.replayed ? "replayed" : "booked"}});
  obs::info("booked", {{"appointment_id", out.appointment->id},
                       {"user_id", out.user->id},
                       {"replayed", out.replayed},
                       {"mobile", obs::redact_phone(request.mobile)}});
  co_return out;
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

Task<ChangeOutcome> BookingService::reschedule(std::int64_t appointment_id, std::chrono::sys_seconds start,
                                               std::optional<std::chrono::minutes> duration) {
  ChangeOutcome out;
  auto current = co_await repo_.get_appointment(appointment_id);
  if (!current) {
    out.error = current.error();
    co_return out;
  }
  const auto minutes = duration.value_or(std::chrono::minutes(current->appointment.duration_minutes));
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  if (minutes <= std::chrono::minutes(0) || minutes > kMaxDuration) {
    out.error = invalid("duration must be between 1 and " + std::to_string(kMaxDuration.count()) + " minutes");
  } else if (start < now) {
    out.error = invalid("the requested time is in the past");
  } else if (!calendar_.is_open(start, minutes)) {
    out.error = Error{Errc::outside_hours, "the clinic is closed at the requested time"};
    if (auto next = calendar_.next_opening(start, minutes)) out.suggestions.push_back(*next);
  }
  if (out.error) co_return out;
  AppointmentPatch patch;
  patch.starts_at_utc = start;
  patch.duration_minutes = static_cast<int>(minutes.count());
  auto updated = co_await repo_.update_appointment(appointment_id, patch);
  if (!updated) {
    out.error = updated.error();
    if (updated.error().code == Errc::conflict) out.suggestions = co_await nearest_free(start, minutes, kSuggestions);
    co_return out;
  }
  out.booking = std::move(updated.value());
  co_return out;
}

}  // namespace bella::booking
