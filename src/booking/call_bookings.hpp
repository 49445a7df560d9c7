// call::Bookings over BookingService: the phone line's bookings adapter.
#pragma once
#include "bella/call/booking_port.hpp"
#include "booking/service.hpp"

namespace bella::booking {

/// The phone line's view of bookings. Refusals are judged in this order: past (start before
/// `now`), too_far (after now + kLookAheadDays), closed (hours, holidays, a duration the clinic
/// cannot hold), taken (another scheduled appointment, from PostgreSQL): a closed or past time is
/// never reported as taken. Alternatives are free in PostgreSQL at that moment, at most
/// kSuggestions, earliest first. A reschedule of an appointment that is no longer scheduled or has
/// started (cancelled by staff during the call) is refused as `taken` with no alternatives.
/// Thread-safe (the service is). Infrastructure failures propagate as bella::Unavailable.
class ServiceBookings final : public call::Bookings {
 public:
  explicit ServiceBookings(BookingService& service) : service_(service) {}

  Task<std::vector<call::Patient>> patients_for_mobile(const std::string& e164) override;
  Task<std::vector<call::Upcoming>> upcoming_for_mobile(const std::string& e164, call::SysSeconds now) override;
  Task<std::vector<call::SysSeconds>> free_slots(const call::SlotQuery& query, call::SysSeconds now) override;
  Task<std::optional<call::SlotRefused>> check(call::SysSeconds start, int minutes, call::SysSeconds now) override;
  Task<std::variant<call::Done, call::SlotRefused>> book(const call::NewBooking& booking, call::SysSeconds now) override;
  Task<std::optional<call::Done>> cancel(std::int64_t appointment_id, const std::string& call_sid,
                                         call::SysSeconds now) override;
  Task<std::variant<call::Done, call::SlotRefused>> reschedule(std::int64_t appointment_id, call::SysSeconds start,
                                                               int minutes, const std::string& call_sid,
                                                               call::SysSeconds now) override;

 private:
  /// The refusal for a time that is past, too far or closed (no database), or nothing.
  [[nodiscard]] std::optional<call::Refusal> rules_refuse(call::SysSeconds start, int minutes, call::SysSeconds now) const;
  /// The refusal with its alternatives (free slots from PostgreSQL).
  Task<call::SlotRefused> refused(call::Refusal why, call::SysSeconds start, int minutes, call::SysSeconds now);

  BookingService& service_;
};

}  // namespace bella::booking
