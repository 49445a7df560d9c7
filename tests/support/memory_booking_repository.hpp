// MemoryBookingRepository: the BookingRepository double for unit tests, same rules as PostgreSQL's.
#pragma once
#include <mutex>
#include <vector>

#include "bella/booking/repository.hpp"
#include "bella/core/clock.hpp"

namespace bella::testing {

/// Same semantics as PgBookingRepository: overlap of scheduled appointments -> Errc::conflict,
/// a repeated call_sid returns the first booking with `replayed`, (mobile, lower(name)) unique,
/// terminal statuses stay (Errc::not_allowed), names with control characters or over 200 bytes ->
/// Errc::invalid_input (the table's CHECK), unknown id -> Errc::not_found. Timestamps come from `clock` (or stay at the epoch without one).
/// Thread-safe (one mutex); the awaitables complete without suspending.
class MemoryBookingRepository final : public booking::BookingRepository {
 public:
  explicit MemoryBookingRepository(const Clock* clock = nullptr) : clock_(clock) {}

  Task<Result<User>> find_or_create_user(const std::string& full_name, const PhoneE164& mobile) override;
  Task<std::optional<User>> find_user(const std::string& full_name, const PhoneE164& mobile) override;
  Task<Result<User>> get_user(std::int64_t id) override;
  Task<Result<User>> create_user(const std::string& full_name, const PhoneE164& mobile) override;
  Task<Result<User>> update_user(std::int64_t id, const booking::UserPatch& patch) override;
  Task<std::vector<User>> list_users(const booking::UserFilter& filter) override;

  Task<Result<booking::Booking>> book(const booking::NewAppointment& appointment) override;
  Task<Result<booking::Booking>> get_appointment(std::int64_t id) override;
  Task<std::optional<booking::Booking>> booking_for_call_sid(const std::string& call_sid) override;
  Task<std::vector<booking::Booking>> list_appointments(const booking::AppointmentFilter& filter) override;
  Task<Result<booking::Booking>> update_appointment(std::int64_t id, const booking::AppointmentPatch& patch) override;
  Task<Result<booking::Booking>> cancel(std::int64_t id, const std::optional<std::string>& call_sid) override;
  Task<std::vector<booking::BookedInterval>> booked_between(TimePoint from, TimePoint to) override;

  /// Test inspection: every appointment row (any status), in id order.
  std::vector<Appointment> appointments() const;
  std::vector<User> users() const;
  /// Makes every following call throw `Unavailable` (to test degraded paths).
  void set_unavailable(bool down);

 private:
  TimePoint now() const;
  void check_up() const;
  booking::Booking joined(const Appointment& a) const;            // mutex held
  bool overlaps(const Appointment& a) const;                      // mutex held
  const User* user_by_id(std::int64_t id) const;                  // mutex held
  const User* user_by_name(const std::string& name, const PhoneE164& mobile) const;  // mutex held
  Result<User> insert_user(const std::string& full_name, const PhoneE164& mobile);    // mutex held
  Result<booking::Booking> change(std::int64_t id, const booking::AppointmentPatch& patch);  // mutex held

  const Clock* clock_;
  mutable std::mutex mutex_;
  std::vector<User> users_;
  std::vector<Appointment> appointments_;
  std::vector<std::optional<std::string>> cancelled_by_;  // per appointment (index id - 1)
  bool down_ = false;
};

}  // namespace bella::testing
