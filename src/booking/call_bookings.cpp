// Maps booking outcomes onto the call flow's effect results.
#include "booking/call_bookings.hpp"

#include "bella/calendar/calendar.hpp"

namespace bella::booking {

using call::Booked;
using call::BookFailed;
using call::EffectResult;
using call::SlotFree;
using call::SlotTaken;
using call::SysSeconds;

using calendar::kSuggestions;

Task<std::optional<std::string>> ServiceBookings::name_for_mobile(const std::string& e164) {
  auto user = co_await service_.find_user_by_mobile(e164);
  if (!user) co_return std::nullopt;
  co_return user->full_name;
}

Task<EffectResult> ServiceBookings::check(const call::CheckSlot& slot, SysSeconds now) {
  (void)now;  // the service reads its own clock for "not before now"
  const std::chrono::minutes duration{slot.minutes};
  auto taken = co_await service_.repository().booked_between(slot.start, slot.start + duration);
  if (taken.empty()) co_return SlotFree{};
  auto alternatives = co_await service_.nearest_free(slot.start, duration, kSuggestions);
  co_return SlotTaken{std::move(alternatives)};
}

Task<EffectResult> ServiceBookings::book(const call::Book& book, const std::string& call_sid, SysSeconds now) {
  (void)now;
  const BookRequest request{.full_name = book.name,
                                     .mobile = book.mobile,
                                     .start = book.start,
                                     .duration = std::chrono::minutes(book.minutes),
                                     .call_sid = call_sid,
                                     .notes = std::nullopt};
  auto outcome = co_await service_.book(request);
  if (outcome.ok()) co_return Booked{outcome->appointment.id, outcome->appointment.starts_at_utc};
  switch (outcome.error().code) {
    case Errc::conflict:
    case Errc::outside_hours: co_return SlotTaken{outcome.error().alternatives};
    case Errc::invalid_input: {
      // The time passed while the caller was confirming: offer the nearest free times instead.
      const std::chrono::minutes duration{book.minutes};
      co_return SlotTaken{co_await service_.nearest_free(book.start, duration, kSuggestions)};
    }
    default: co_return BookFailed{};
  }
}

}  // namespace bella::booking
