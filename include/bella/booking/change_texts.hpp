// PORT ChangeTexts: which texts a booking change sends. The repository writes them to the outbox
// in the same transaction as the change.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "bella/booking/repository.hpp"

namespace bella::booking {

enum class ChangeKind { booked, rescheduled, cancelled };

struct BookingChange {
  ChangeKind kind = ChangeKind::booked;
  Booking after;  // the appointment as it is once the change is made
};

/// One text to queue: the repository adds the appointment id and its revision (the outbox key).
struct OutgoingText {
  std::string kind;                  // confirmation | rescheduled | cancelled | reminder
  PhoneE164 to;
  std::string body;
  TimePoint due{};
  std::optional<TimePoint> drop_after;  // not sent at or after this instant
};

/// Decides the texts of a change. Called on a database thread inside the change's transaction:
/// thread-safe, no I/O, no blocking.
class ChangeTexts {
 public:
  virtual ~ChangeTexts() = default;
  [[nodiscard]] virtual std::vector<OutgoingText> texts_for(const BookingChange& change) const = 0;
};

}  // namespace bella::booking
