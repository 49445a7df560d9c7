// PORT BookingRepository: users and appointments, with overlap and call_sid rules enforced by storage.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bella/core/asio.hpp"
#include "bella/core/error.hpp"
#include "bella/core/types.hpp"

namespace bella::booking {

/// An appointment together with the user it belongs to, as returned by every appointment query.
struct Booking {
  Appointment appointment;
  User user;
  /// book() only: true when `call_sid` had already booked and this is that earlier appointment.
  bool replayed = false;
};

/// A half-open span of time [start, end) taken by a scheduled appointment.
struct BookedInterval {
  TimePoint start;
  TimePoint end;
};

struct NewAppointment {
  /// The patient. 0: the patient is found by (mobile, full_name, case-insensitive) or created, in
  /// the same transaction as the appointment (a refused booking creates nobody).
  std::int64_t user_id = 0;
  std::string full_name;                // with user_id 0
  PhoneE164 mobile;                     // with user_id 0
  TimePoint starts_at_utc{};
  std::chrono::minutes duration{30};
  std::optional<std::string> call_sid;  // idempotency key for the phone line
  std::optional<std::string> notes;
};

/// Keyset position for pagination: the last (starts_at_utc, id) of the previous page.
struct AppointmentCursor {
  TimePoint starts_at_utc{};
  std::int64_t id = 0;
};

struct AppointmentFilter {
  std::optional<TimePoint> from;                // starts_at_utc >= from
  std::optional<TimePoint> to;                  // starts_at_utc < to
  std::optional<AppointmentStatus> status;
  std::optional<PhoneE164> mobile;              // the user's mobile
  std::optional<std::int64_t> user_id;
  std::optional<AppointmentCursor> after;       // strictly after this position
  std::size_t limit = 50;                       // ordered by (starts_at_utc, id)
};

/// Fields to change; absent ones stay. A change of time or duration keeps the no-overlap rule.
struct AppointmentPatch {
  std::optional<TimePoint> starts_at_utc;
  std::optional<int> duration_minutes;
  std::optional<AppointmentStatus> status;
  std::optional<std::string> notes;
};

struct UserFilter {
  std::optional<PhoneE164> mobile;
  /// Name contains this (case-insensitive), or, when it holds 3+ digits, the mobile contains them.
  std::optional<std::string> search;
  std::optional<std::int64_t> after_id;         // keyset: id > after_id, ordered by id
  std::size_t limit = 50;
};

struct UserPatch {
  std::optional<std::string> full_name;
  std::optional<PhoneE164> mobile;
};

/// Whether an appointment may go from `from` to `to`: scheduled may become anything; cancelled,
/// completed and no_show are terminal (only "the same again" is allowed, as a no-op).
constexpr bool status_change_allowed(AppointmentStatus from, AppointmentStatus to) noexcept {
  return from == to || from == AppointmentStatus::scheduled;
}

/// Storage for users and appointments. Invariants the implementation must guarantee even when
/// several server processes race: scheduled appointments never overlap (Errc::conflict), a
/// call_sid books at most once (a repeat returns the first booking with `replayed`), a
/// (mobile, full_name) pair belongs to one user, names compared case-insensitively (Errc::conflict):
/// a household shares one mobile, each patient is a user of their own. Status changes follow
/// status_change_allowed and only scheduled appointments move (Errc::not_allowed). Unknown ids give
/// Errc::not_found. Names or mobiles that break a table constraint give Errc::invalid_input.
/// Infrastructure faults are exceptions (bella::Unavailable), never Results.
/// Thread-safe: every method may be called concurrently from any coroutine; arguments passed by
/// reference must stay alive until the returned awaitable completes.
class BookingRepository {
 public:
  virtual ~BookingRepository() = default;

  /// The user with this mobile and this name (case-insensitive), created if absent. Never renames:
  /// another name on a known mobile is another patient of that household.
  virtual Task<Result<User>> find_or_create_user(const std::string& full_name, const PhoneE164& mobile) = 0;
  /// The user with this mobile and this name (case-insensitive), if any.
  virtual Task<std::optional<User>> find_user(const std::string& full_name, const PhoneE164& mobile) = 0;
  virtual Task<Result<User>> get_user(std::int64_t id) = 0;
  /// A new user; Errc::conflict when this mobile already has a user of this name.
  virtual Task<Result<User>> create_user(const std::string& full_name, const PhoneE164& mobile) = 0;
  /// Errc::not_found, or Errc::conflict when the new (mobile, name) belongs to another user.
  virtual Task<Result<User>> update_user(std::int64_t id, const UserPatch& patch) = 0;
  virtual Task<std::vector<User>> list_users(const UserFilter& filter) = 0;

  /// Inserts a scheduled appointment, with its patient (see NewAppointment::user_id), in ONE
  /// transaction. Errc::conflict on overlap with a scheduled one; Errc::not_found for an unknown
  /// user; Errc::invalid_input for a name or mobile the table refuses. A call_sid that already
  /// booked returns that booking with `replayed = true` (whatever its time).
  virtual Task<Result<Booking>> book(const NewAppointment& appointment) = 0;
  virtual Task<Result<Booking>> get_appointment(std::int64_t id) = 0;
  /// The appointment booked by this call_sid, if any.
  virtual Task<std::optional<Booking>> booking_for_call_sid(const std::string& call_sid) = 0;
  virtual Task<std::vector<Booking>> list_appointments(const AppointmentFilter& filter) = 0;
  /// Reschedule / change status / notes, in one transaction. Errc::conflict on overlap,
  /// Errc::not_found, Errc::not_allowed for a status change status_change_allowed refuses or a
  /// new time or duration for an appointment that is not scheduled.
  virtual Task<Result<Booking>> update_appointment(std::int64_t id, const AppointmentPatch& patch) = 0;
  /// Sets status to cancelled and keeps the row (idempotent: cancelling a cancelled one changes
  /// nothing). `call_sid` records which call cancelled it: an appointment already cancelled by that
  /// call_sid comes back with `replayed = true`. Errc::not_found; Errc::not_allowed when completed
  /// or no_show.
  virtual Task<Result<Booking>> cancel(std::int64_t id, const std::optional<std::string>& call_sid) = 0;
  /// Scheduled appointments overlapping [from, to), ordered by start.
  virtual Task<std::vector<BookedInterval>> booked_between(TimePoint from, TimePoint to) = 0;
};

}  // namespace bella::booking
