// String forms of the domain enums.
#include "bella/core/types.hpp"

namespace bella {

const char* to_string(AppointmentStatus s) noexcept {
  switch (s) {
    case AppointmentStatus::scheduled: return "scheduled";
    case AppointmentStatus::cancelled: return "cancelled";
    case AppointmentStatus::completed: return "completed";
    case AppointmentStatus::no_show: return "no_show";
  }
  return "scheduled";
}

std::optional<AppointmentStatus> parse_status(std::string_view s) noexcept {
  if (s == "scheduled") return AppointmentStatus::scheduled;
  if (s == "cancelled") return AppointmentStatus::cancelled;
  if (s == "completed") return AppointmentStatus::completed;
  if (s == "no_show") return AppointmentStatus::no_show;
  return std::nullopt;
}

}  // namespace bella
