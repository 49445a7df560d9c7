// PORT call::Bookings: what the phone line needs from bookings.
#pragma once
#include <optional>
#include <string>

#include "bella/call/flow.hpp"
#include "bella/core/asio.hpp"

namespace bella::call {

/// PORT: what a call needs from bookings. Implemented over booking::BookingService in
/// src/booking/call_bookings.cpp; faked in unit tests. Thread-safe.
class Bookings {
 public:
  virtual ~Bookings() = default;
  /// The name of the user whose mobile is `e164`, for greeting a returning caller.
  virtual Task<std::optional<std::string>> name_for_mobile(const std::string& e164) = 0;
  /// SlotFree, or SlotTaken with the nearest free alternatives (never throws on a conflict).
  virtual Task<EffectResult> check(const CheckSlot& slot, SysSeconds now) = 0;
  /// Booked (idempotent on call_sid), SlotTaken on a conflict, BookFailed when nothing could be written.
  virtual Task<EffectResult> book(const Book& book, const std::string& call_sid, SysSeconds now) = 0;
};

}  // namespace bella::call
