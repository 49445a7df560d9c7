// PORT MessageLog: the texts sent for appointments, as staff see them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bella/core/asio.hpp"
#include "bella/core/types.hpp"

namespace bella::notify {

struct MessageRecord {
  std::int64_t id = 0;
  std::int64_t appointment_id = 0;
  std::string kind;     // confirmation | rescheduled | cancelled | reminder
  std::string status;   // pending | sending | sent | delivered | failed | dropped
  std::optional<std::string> twilio_status;
  std::optional<int> error_code;
  std::optional<std::string> error;  // our reason (never the text or the number)
  int attempts = 0;
  TimePoint due_at{};
  std::optional<TimePoint> sent_at;
  TimePoint updated_at{};
};

/// Thread-safe; infrastructure faults are exceptions (bella::Unavailable).
class MessageLog {
 public:
  virtual ~MessageLog() = default;
  virtual Task<std::vector<MessageRecord>> for_appointment(std::int64_t appointment_id) = 0;
  /// Every text for any of one patient's appointments, newest first, at most `limit`.
  virtual Task<std::vector<MessageRecord>> for_user(std::int64_t user_id, std::size_t limit) = 0;
  /// Newest first; `before_id` pages on (id < before_id).
  virtual Task<std::vector<MessageRecord>> with_status(const std::string& status, std::size_t limit,
                                                       std::optional<std::int64_t> before_id) = 0;
};

}  // namespace bella::notify
