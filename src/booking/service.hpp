// BookingService: the one place bookings are made, for the phone line and the staff API alike.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
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
  std::optional<std::int64_t> user_id;          // a known patient; else found by (mobile, name) or created
  std::string full_name;                        // with no user_id
  std::string mobile;                           // E.164, with no user_id
  std::chrono::sys_seconds start;
  std::optional<std::chrono::minutes> duration; // default: the service's default duration
  std::optional<std::string> call_sid;          // phone line: idempotency key
  std::optional<std::string> notes;
  std::optional<std::chrono::sys_seconds> now;  // "not in the past" is judged at this instant (default: the clock)
};

/// Why a patient's name cannot be stored (empty, over 200 characters, control characters such as
/// NUL, invalid UTF-8), or nothing when it can. The API answers 422 with it before any SQL.
std::optional<std::string> name_problem(std::string_view name);

/// A name heard on the phone made storable: control characters become spaces, runs of spaces one,
/// invalid UTF-8 is dropped, at most 200 characters (whole code points). May return "".
std::string storable_name(std::string_view name);

/// Applies business rules (hours, holidays, not in the past, durations) in front of the repository,
/// which enforces the race-proof ones (no overlap, call_sid once).
/// Thread-safe: holds only references to thread-safe collaborators; call from any coroutine,
/// keeping reference arguments alive across the co_await.
class BookingService {
 public:
  BookingService(BookingRepository& repo, const calendar::BusinessCalendar& calendar, const Clock& clock,
                 std::chrono::minutes default_duration);

  /// Books for the patient given by user_id, else the one with this mobile and name (created when
  /// absent: never renamed), in one transaction with the appointment. Errc::invalid_input for a
  /// time in the past, a bad duration or name, Errc::outside_hours (alternatives: the next opening),
  /// Errc::conflict (alternatives: up to kSuggestions nearest free starts), Errc::not_found for an
  /// unknown user_id. A call_sid that already booked returns that booking, replayed.
  Task<Result<Booking>> book(const BookRequest& request);
  /// The patients on a mobile (a household), oldest first.
  Task<std::vector<User>> users_for_mobile(const std::string& mobile);
  /// Free starts of that local day in the clinic's zone, honouring hours, holidays and bookings
  /// (and not before now).
  Task<std::vector<std::chrono::sys_seconds>> free_slots(date::year_month_day local_day, std::chrono::minutes duration);
  /// Up to `n` free starts nearest to `wanted` (not before now).
  Task<std::vector<std::chrono::sys_seconds>> nearest_free(std::chrono::sys_seconds wanted, std::chrono::minutes duration,
                                                           std::size_t n);
  /// The same, with "not before" judged at `now`.
  Task<std::vector<std::chrono::sys_seconds>> nearest_free(std::chrono::sys_seconds wanted, std::chrono::minutes duration,
                                                           std::size_t n, std::chrono::sys_seconds now);
  /// Cancels (idempotent). Errc::not_found; Errc::not_allowed for a completed or no-show one.
  Task<Result<Booking>> cancel(std::int64_t appointment_id);
  /// Moves an appointment (and/or changes its duration); hours and overlap rules as for book().
  /// The appointment's own current slot does not count as taken; one transaction, so a refused
  /// move keeps the old slot. Errors as for book(), Errc::not_found, and Errc::not_allowed when the
  /// appointment is not scheduled (cancelled, completed, no-show).
  Task<Result<Booking>> reschedule(std::int64_t appointment_id, std::chrono::sys_seconds start,
                                 std::optional<std::chrono::minutes> duration);

  /// Errc::invalid_input for a duration outside 1..480 minutes or a start before `now`, or
  /// Errc::outside_hours with the next opening; nothing when the time is bookable (ignoring
  /// other bookings).
  [[nodiscard]] std::optional<Error> rules_refuse(std::chrono::sys_seconds start, std::chrono::minutes duration,
                                                  std::chrono::sys_seconds now) const;

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
