// Plain domain values shared by every room.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace bella {

using TimePoint = std::chrono::sys_time<std::chrono::seconds>;

/// A phone number in E.164 form, e.g. "+14035550123".
using PhoneE164 = std::string;

struct User {
  std::int64_t id = 0;
  std::string full_name;
  PhoneE164 mobile;
  TimePoint created_at{};
  TimePoint updated_at{};
};

enum class AppointmentStatus { scheduled, cancelled, completed, no_show };

const char* to_string(AppointmentStatus s) noexcept;
std::optional<AppointmentStatus> parse_status(std::string_view s) noexcept;

struct Appointment {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  TimePoint starts_at_utc{};
  int duration_minutes = 30;
  AppointmentStatus status = AppointmentStatus::scheduled;
  std::optional<std::string> call_sid;
  std::optional<std::string> notes;
  TimePoint created_at{};
  TimePoint updated_at{};

  [[nodiscard]] TimePoint ends_at_utc() const { return starts_at_utc + std::chrono::minutes(duration_minutes); }
};

}  // namespace bella
