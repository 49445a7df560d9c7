// call::Bookings over BookingService: the phone line's bookings adapter.
#pragma once
#include "bella/call/booking_port.hpp"
#include "booking/service.hpp"

namespace bella::booking {

/// Thread-safe (the service is).
class ServiceBookings final : public call::Bookings {
 public:
  explicit ServiceBookings(BookingService& service) : service_(service) {}

  Task<std::optional<std::string>> name_for_mobile(const std::string& e164) override;
  Task<call::EffectResult> check(const call::CheckSlot& slot, call::SysSeconds now) override;
  Task<call::EffectResult> book(const call::Book& book, const std::string& call_sid, call::SysSeconds now) override;

 private:
  BookingService& service_;
};

}  // namespace bella::booking
