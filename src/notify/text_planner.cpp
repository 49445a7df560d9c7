// Which texts a booking change sends, and when.
#include "notify/text_planner.hpp"

#include "bella/call/prompts.hpp"

namespace bella::notify {

std::vector<booking::OutgoingText> TextPlanner::texts_for(const booking::BookingChange& change) const {
  const auto& a = change.after.appointment;
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const auto start = a.starts_at_utc;
  std::vector<booking::OutgoingText> out;
  if (start <= now) return out;  // nothing to tell about a visit that has begun
  const auto local = settings_.zone->to_local(start);
  const auto& clinic = settings_.clinic_name;
  const auto& phone = settings_.clinic_phone;
  auto text = [&](const char* kind, std::string body, TimePoint due) {
    out.push_back(booking::OutgoingText{
        .kind = kind, .to = change.after.user.mobile, .body = std::move(body), .due = due, .drop_after = start});
  };
  switch (change.kind) {
    case booking::ChangeKind::booked: text("confirmation", call::prompts::text_confirmation(clinic, local, phone), now); break;
    case booking::ChangeKind::rescheduled: text("rescheduled", call::prompts::text_rescheduled(clinic, local, phone), now); break;
    case booking::ChangeKind::cancelled: text("cancelled", call::prompts::text_cancelled(clinic, local, phone), now); return out;
  }
  // Booked inside the lead time: the confirmation is the reminder.
  const TimePoint remind_at = start - std::chrono::duration_cast<std::chrono::seconds>(settings_.reminder_lead);
  if (remind_at > now) text("reminder", call::prompts::text_reminder(clinic, local, phone), remind_at);
  return out;
}

}  // namespace bella::notify
