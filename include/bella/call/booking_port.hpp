// call::Bookings over booking::BookingService: what the phone line needs from bookings.
#pragma once
#include "bella/booking/service.hpp"
#include "bella/call/turn.hpp"

namespace bella::call {

/// Thread-safe (the service is).
class ServiceBookings final : public Bookings {
 public:
  explicit ServiceBookings(booking::BookingService& service) : service_(service) {}

  Task<std::optional<std::string>> name_for_mobile(const std::string& e164) override;
  Task<EffectResult> check(const CheckSlot& slot, SysSeconds now) override;
  Task<EffectResult> book(const Book& book, const std::string& call_sid, SysSeconds now) override;

 private:
  booking::BookingService& service_;
};

}  // namespace bella::call
