// PgBookingRepository: BookingRepository on PostgreSQL through PgPool (prepared statements).
#pragma once
#include "bella/booking/change_texts.hpp"
#include "bella/booking/repository.hpp"
#include "db/pg_pool.hpp"

namespace bella::db {

/// The exclusion constraint and unique indexes of db/migrations (0001, 0003) do the race-proof
/// work: SQLSTATE 23P01 -> Errc::conflict, 23505 on call_sid -> the earlier booking (replayed),
/// 23505 on (mobile, lower(full_name)) -> Errc::conflict, 23503 -> Errc::not_found, 23514 (a CHECK)
/// -> Errc::invalid_input. PostgreSQL's DETAIL (it quotes the row: names, numbers) never leaves.
/// Thread-safe (all state lives in PostgreSQL and the thread-safe pool).
class PgBookingRepository final : public booking::BookingRepository {
 public:
  /// Registers its prepared statements with `pool`; construct before serving traffic. With
  /// `texts`, every booking, move and cancel also queues its texts (table `messages`) in the same
  /// transaction, keyed by (appointment, kind, revision), and drops the superseded reminders.
  explicit PgBookingRepository(PgPool& pool, const booking::ChangeTexts* texts = nullptr);

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

 private:
  /// The change of update_appointment/cancel inside `tx`; `cancel_call_sid`: the cancelling call.
  Result<booking::Booking> change(pqxx::work& tx, std::int64_t id, const booking::AppointmentPatch& patch,
                                  const std::optional<std::string>& cancel_call_sid);

  PgPool& pool_;
  const booking::ChangeTexts* texts_;
};

}  // namespace bella::db
