// BookingService: the one place bookings are made, for the phone line and the staff API alike.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

#include "bella/booking/repository.hpp"
#include "bella/core/clock.hpp"
#include "bella/core/error.hpp"

namespace bella::calendar {
class BusinessCalendar;
}

namespace bella::booking {

struct BookRequest {
  std::string full_name;
  std::string mobile;                           // E.164
  std::chrono::sys_seconds start;
  std::optional<std::chrono::minutes> duration; // default: the service's default duration
  std::optional<std::string> call_sid;          // phone line: idempotency key
  std::optional<std::string> notes;
};

/// Applies business rules (hours, holidays, not in the past, durations) in front of the repository,
/// which enforces the race-proof ones (no overlap, call_sid once).
/// Thread-safe: holds only references to thread-safe collaborators; call from any coroutine,
/// keeping reference arguments alive across the co_await.
class BookingService {
 public:
  BookingService(BookingRepository& repo, const calendar::BusinessCalendar& calendar, const Clock& clock,
                 std::chrono::minutes default_duration);

  /// Finds or creates the user by mobile (updating the name), then books. Errc::invalid_input for
  /// a time in the past or a bad duration, Errc::outside_hours (alternatives: the next opening),
  /// Errc::conflict (alternatives: up to kSuggestions nearest free starts). A call_sid that already
  /// booked returns that booking, replayed.
  Task<Result<Booking>> book(const BookRequest& request);
  Task<std::optional<User>> find_user_by_mobile(const std::string& mobile);
  /// Free starts of that local day in the clinic's zone, honouring hours, holidays and bookings
  /// (and not before now).
  Task<std::vector<std::chrono::sys_seconds>> free_slots(date::year_month_day local_day, std::chrono::minutes duration);
  /// Up to `n` free starts nearest to `wanted` (not before now).
  Task<std::vector<std::chrono::sys_seconds>> nearest_free(std::chrono::sys_seconds wanted, std::chrono::minutes duration,
                                                           std::size_t n);
  Task<Result<Booking>> cancel(std::int64_t appointment_id);
  /// Moves an appointment (and/or changes its duration); hours and overlap rules as for book().
  /// The appointment's own current slot does not count as taken. Errors as for book(), and
  /// Errc::not_found.
  Task<Result<Booking>> reschedule(std::int64_t appointment_id, std::chrono::sys_seconds start,
                                 std::optional<std::chrono::minutes> duration);

  [[nodiscard]] std::chrono::minutes default_duration() const { return default_duration_; }
  [[nodiscard]] const calendar::BusinessCalendar& calendar() const { return calendar_; }
  [[nodiscard]] const Clock& clock() const { return clock_; }
  [[nodiscard]] BookingRepository& repository() const { return repo_; }

 private:
  /// Errc::outside_hours, with the next opening after `start` as the alternative.
  [[nodiscard]] Error closed_at(std::chrono::sys_seconds start, std::chrono::minutes duration) const;

  BookingRepository& repo_;
  const calendar::BusinessCalendar& calendar_;
  const Clock& clock_;
  std::chrono::minutes default_duration_;
};

}  // namespace bella::booking
