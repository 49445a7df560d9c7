// PORT call::Bookings: what the phone line needs from bookings.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bella/call/session.hpp"
#include "bella/core/asio.hpp"

namespace bella::call {

/// A patient on file. Several patients may share one mobile (a household).
struct Patient {
  std::int64_t id = 0;
  std::string name;
  std::string mobile;  // E.164
};

/// A scheduled appointment that has not started yet.
struct Upcoming {
  std::int64_t appointment_id = 0;
  std::int64_t patient_id = 0;
  std::string patient_name;
  SysSeconds start{};
  int minutes = 30;
};

/// Why a wanted time cannot be had, in the caller's terms (never "taken" for a closed or past time).
enum class Refusal {
  taken,     // another appointment overlaps it
  closed,    // outside opening hours, a holiday or a closed day
  past,      // already started or past
  too_far,   // beyond calendar::kLookAheadDays
};

/// A refusal with what to offer instead: free slots from PostgreSQL at that moment, nearest
/// first, at most calendar::kSuggestions (maybe empty).
struct SlotRefused {
  Refusal why = Refusal::taken;
  std::vector<SysSeconds> alternatives;
};

/// An appointment as it stands after a successful book, cancel or reschedule.
struct Done {
  std::int64_t appointment_id = 0;
  std::int64_t patient_id = 0;
  SysSeconds start{};
  int minutes = 30;
};

struct NewBooking {
  std::optional<std::int64_t> patient_id;  // a known patient (household pick); else name + mobile
  std::string name;
  std::string mobile;                      // E.164
  SysSeconds start{};
  int minutes = 30;
  std::string call_sid;                    // idempotency key
};

/// What to look for in the calendar: free starts of `minutes` in [from, to), at most `max`,
/// earliest first, within opening hours and not before now.
struct SlotQuery {
  SysSeconds from{};
  SysSeconds to{};
  int minutes = 30;
  int max = 3;
};

/// PORT: what a call needs from bookings. Implemented over booking::BookingService in
/// src/booking/call_bookings.cpp; faked in unit tests (tests/support). Thread-safe.
/// Infrastructure failures (database down) throw bella::Unavailable; every other outcome is a value.
/// Writes are idempotent per (call_sid, appointment): a retried turn gets the same answer.
class Bookings {
 public:
  virtual ~Bookings() = default;

  /// The patients whose mobile is `e164`, oldest first (empty for an unknown number).
  virtual Task<std::vector<Patient>> patients_for_mobile(const std::string& e164) = 0;

  /// Upcoming scheduled appointments of every patient on `e164`, earliest first.
  virtual Task<std::vector<Upcoming>> upcoming_for_mobile(const std::string& e164, SysSeconds now) = 0;

  /// Free starts for the query, from PostgreSQL at this moment.
  virtual Task<std::vector<SysSeconds>> free_slots(const SlotQuery& query, SysSeconds now) = 0;

  /// Nothing when `minutes` at `start` is free and bookable now; otherwise why not, with alternatives.
  virtual Task<std::optional<SlotRefused>> check(SysSeconds start, int minutes, SysSeconds now) = 0;

  /// Books in one transaction (patient found or created, appointment inserted). A different name on
  /// a known mobile is a new patient, never a rename. A call_sid that already booked returns that
  /// booking.
  virtual Task<std::variant<Done, SlotRefused>> book(const NewBooking& booking, SysSeconds now) = 0;

  /// Cancels a scheduled appointment. Nothing when there is no such upcoming appointment; an
  /// appointment this call_sid already cancelled returns Done again.
  virtual Task<std::optional<Done>> cancel(std::int64_t appointment_id, const std::string& call_sid,
                                           SysSeconds now) = 0;

  /// Moves a scheduled appointment in one transaction: on a refusal the old slot is kept. The
  /// appointment's own slot does not count as taken. Repeating a done move returns Done.
  virtual Task<std::variant<Done, SlotRefused>> reschedule(std::int64_t appointment_id, SysSeconds start,
                                                           int minutes, const std::string& call_sid,
                                                           SysSeconds now) = 0;
};

}  // namespace bella::call
