// TextPlanner: the texts each booking change sends (ChangeTexts), worded by the prompts table.
#pragma once
#include <chrono>
#include <string>

#include <date/tz.h>

#include "bella/booking/change_texts.hpp"
#include "bella/core/clock.hpp"

namespace bella::notify {

struct PlannerSettings {
  std::string clinic_name;
  std::string clinic_phone;
  std::chrono::minutes reminder_lead{1440};
  const date::time_zone* zone = nullptr;  // the clinic's
};

/// booked: a confirmation now and a reminder `reminder_lead` before the start (none when that
/// moment has already passed); rescheduled: a notice now and a new reminder; cancelled: a notice.
/// Every text is dropped once the appointment has started. Thread-safe (reads only the clock).
class TextPlanner final : public booking::ChangeTexts {
 public:
  TextPlanner(PlannerSettings settings, const Clock& clock) : settings_(std::move(settings)), clock_(clock) {}
  [[nodiscard]] std::vector<booking::OutgoingText> texts_for(const booking::BookingChange& change) const override;

 private:
  PlannerSettings settings_;
  const Clock& clock_;
};

}  // namespace bella::notify
