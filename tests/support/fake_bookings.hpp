// call::Bookings in memory, for unit tests of the call room: patients and appointments a test
// plants, free slots from the calendar minus the appointments, and a switch that makes every call
// throw bella::Unavailable (the database is down).
#pragma once
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "bella/calendar/calendar.hpp"
#include "bella/call/booking_port.hpp"

namespace bella::testing {

class FakeBookings final : public call::Bookings {
 public:
  struct Row {
    std::int64_t id = 0;
    std::int64_t patient_id = 0;
    call::SysSeconds start{};
    int minutes = 30;
    bool cancelled = false;
    std::string call_sid;
  };

  explicit FakeBookings(const calendar::BusinessCalendar& cal) : cal_(cal) {}

  std::int64_t add_patient(std::string name, std::string mobile);
  std::int64_t add_appointment(std::int64_t patient_id, call::SysSeconds start, int minutes = 30);

  std::vector<call::Patient> patients() const;
  std::vector<Row> rows() const;
  void set_down(bool down) { down_ = down; }
  int writes() const { return writes_; }
  /// The port's methods called since the last take_calls(), in order (each one is at least one
  /// PostgreSQL statement in the real adapter), down or not.
  std::vector<std::string> take_calls();

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
  void check_up(const char* what) const;
  std::optional<call::SlotRefused> refuse(call::SysSeconds start, int minutes, call::SysSeconds now,
                                          std::optional<std::int64_t> except) const;
  std::vector<call::SysSeconds> free(call::SysSeconds from, call::SysSeconds to, int minutes, int max,
                                     call::SysSeconds now, std::optional<std::int64_t> except) const;
  bool overlaps(call::SysSeconds start, int minutes, std::optional<std::int64_t> except) const;

  const calendar::BusinessCalendar& cal_;
  mutable std::mutex mu_;
  std::vector<call::Patient> patients_;
  std::vector<Row> rows_;
  std::int64_t next_id_ = 1;
  std::atomic<bool> down_{false};
  std::atomic<int> writes_{0};
  mutable std::mutex calls_mu_;
  mutable std::vector<std::string> calls_;
};

}  // namespace bella::testing
