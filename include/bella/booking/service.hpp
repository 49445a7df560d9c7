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

/// The result of book(): a booking (possibly `replayed`), or an Error with what to offer instead.
struct BookOutcome {
  std::optional<Appointment> appointment;
  std::optional<User> user;
  bool replayed = false;
  std::optional<Error> error;                   // set iff the booking was not made
  /// Errc::conflict: up to 3 nearest free starts; Errc::outside_hours: the next opening (one entry).
  std::vector<std::chrono::sys_seconds> suggestions;
  /// Errc::outside_hours: the next opening, if any within the search horizon.
  std::optional<std::chrono::sys_seconds> next_opening;

  [[nodiscard]] bool ok() const { return !error.has_value(); }
};

/// Outcome of reschedule(): the updated booking, or conflict (with suggestions) / not_found /
/// outside_hours / invalid_input.
struct ChangeOutcome {
  std::optional<Booking> booking;
  std::optional<Error> error;
  std::vector<std::chrono::sys_seconds> suggestions;
  [[nodiscard]] bool ok() const { return !error.has_value(); }
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
  /// a time in the past or a bad duration, Errc::outside_hours (with next_opening), Errc::conflict
  /// (with up to 3 nearest free slots). A call_sid that already booked returns that booking, replayed.
  Task<BookOutcome> book(const BookRequest& request);
  Task<std::optional<User>> find_user_by_mobile(const std::string& mobile);
  /// Free starts of that local day in the clinic's zone, honouring hours, holidays and bookings
  /// (and not before now).
  Task<std::vector<std::chrono::sys_seconds>> free_slots(date::year_month_day local_day, std::chrono::minutes duration);
  /// Up to `n` free starts nearest to `wanted` (not before now).
  Task<std::vector<std::chrono::sys_seconds>> nearest_free(std::chrono::sys_seconds wanted, std::chrono::minutes duration,
                                                           std::size_t n);
  Task<Result<Booking>> cancel(std::int64_t appointment_id);
  /// Moves an appointment (and/or changes its duration); hours and overlap rules as for book().
  /// The appointment's own current slot does not count as taken.
  Task<ChangeOutcome> reschedule(std::int64_t appointment_id, std::chrono::sys_seconds start,
                                 std::optional<std::chrono::minutes> duration);

  [[nodiscard]] std::chrono::minutes default_duration() const { return default_duration_; }
  [[nodiscard]] const calendar::BusinessCalendar& calendar() const { return calendar_; }
  [[nodiscard]] const Clock& clock() const { return clock_; }
  [[nodiscard]] BookingRepository& repository() const { return repo_; }

 private:
  BookingRepository& repo_;
  const calendar::BusinessCalendar& calendar_;
  const Clock& clock_;
  std::chrono::minutes default_duration_;
};

}  // namespace bella::booking
