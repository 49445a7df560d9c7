// BookingService: hours, holidays and "not in the past" checks, then the repository's race-proof insert.
#include "booking/service.hpp"


#include "bella/calendar/calendar.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace bella::booking {
namespace {

using calendar::kSuggestions;
constexpr std::chrono::minutes kMaxDuration{8 * 60};

std::vector<calendar::Interval> to_calendar(const std::vector<BookedInterval>& booked) {
  std::vector<calendar::Interval> out;
  out.reserve(booked.size());
  for (const auto& b : booked) out.push_back(calendar::Interval{b.start, b.end});
  return out;
}

obs::Counter& bookings_counter() {
  static auto& c = obs::registry().counter("bella_bookings_total", "Booking attempts by outcome");
  return c;
}

Error invalid(std::string message) { return Error{Errc::invalid_input, std::move(message)}; }

constexpr std::size_t kMaxNameChars = 200;  // the users table's CHECK (characters, not bytes)

// Length in bytes of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  char32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  const char32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// C0, DEL and C1 controls (U+0080..U+009F, two bytes in UTF-8: C2 80..C2 9F).
bool control_at(std::string_view s, std::size_t i, std::size_t len) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (len == 1) return c < 0x20 || c == 0x7F;
  return len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
}

}  // namespace

std::optional<std::string> name_problem(std::string_view name) {
  if (name.empty()) return std::string("must not be empty");
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size();) {
    const auto len = utf8_sequence(name, i);
    if (len == 0) return std::string("must be valid UTF-8");
    if (control_at(name, i, len)) return std::string("must not contain control characters");
    i += len;
    ++chars;
  }
  if (chars > kMaxNameChars) return "must be at most " + std::to_string(kMaxNameChars) + " characters";
  return std::nullopt;
}

std::string storable_name(std::string_view name) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size() && chars < kMaxNameChars;) {
    const auto len = utf8_sequence(name, i);
    if (len == 0) {
      ++i;
      continue;
    }
    const bool space = control_at(name, i, len) || name[i] == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') {
        out.push_back(' ');
        ++chars;
      }
    } else {
      out.append(name.substr(i, len));
      ++chars;
    }
    i += len;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

BookingService::BookingService(BookingRepository& repo, const calendar::BusinessCalendar& calendar, const Clock& clock,
                               std::chrono::minutes default_duration)
    : repo_(repo), calendar_(calendar), clock_(clock), default_duration_(default_duration) {}

Error BookingService::closed_at(std::chrono::sys_seconds start, std::chrono::minutes duration) const {
  Error closed{Errc::outside_hours, "the clinic is closed at the requested time"};
  if (auto next = calendar_.next_opening(start, duration)) closed.alternatives.push_back(*next);
  return closed;
}

Task<std::vector<std::chrono::sys_seconds>> BookingService::nearest_free(std::chrono::sys_seconds wanted,
                                                                        std::chrono::minutes duration, std::size_t n) {
  co_return co_await nearest_free(wanted, duration, n, std::chrono::floor<std::chrono::seconds>(clock_.now()));
}

Task<std::vector<std::chrono::sys_seconds>> BookingService::nearest_free(std::chrono::sys_seconds wanted,
                                                                        std::chrono::minutes duration, std::size_t n,
                                                                        std::chrono::sys_seconds now) {
  // nearest_free looks at wanted's local day, then the days after it until it has n. Read the
  // bookings of wanted's day and the next one first, and a wider window only when those days hold
  // fewer than n free slots: a full calendar has thousands of rows, and the nearest free slots are
  // nearly always on the wanted day. The read is by overlap, so an appointment that began the day
  // before and runs into the window is in it.
  const date::local_days day{calendar_.local_day(wanted)};
  const auto from = calendar_.to_sys(date::local_seconds{day});
  std::vector<std::chrono::sys_seconds> out;
  for (int days_after = 1;; days_after = std::min(days_after * 4, calendar::kLookAheadDays)) {
    const auto to = calendar_.to_sys(date::local_seconds{day + date::days{days_after + 1}});
    const auto booked = to_calendar(co_await repo_.booked_between(from, to));
    out = calendar_.nearest_free(wanted, duration, booked, n, now, days_after);
    if (out.size() >= n || days_after >= calendar::kLookAheadDays) co_return out;
  }
}

std::optional<Error> BookingService::rules_refuse(std::chrono::sys_seconds start, std::chrono::minutes duration,
                                                  std::chrono::sys_seconds now) const {
  if (duration <= std::chrono::minutes(0) || duration > kMaxDuration)
    return invalid("duration must be between 1 and " + std::to_string(kMaxDuration.count()) + " minutes");
  if (start < now) return invalid("the requested time is in the past");
  if (!calendar_.is_open(start, duration)) return closed_at(start, duration);
  return std::nullopt;
}

Task<Result<Booking>> BookingService::book(const BookRequest& request) {
  const auto duration = request.duration.value_or(default_duration_);
  const auto now = request.now.value_or(std::chrono::floor<std::chrono::seconds>(clock_.now()));

  if (!request.user_id) {
    if (auto problem = name_problem(request.full_name)) co_return invalid("full_name " + *problem);
    if (request.mobile.empty()) co_return invalid("mobile must not be empty");
  }
  if (auto refused = rules_refuse(request.start, duration, now)) {
    // A retried phone turn whose booking went through before the time passed gets that booking.
    if (request.call_sid) {
      if (auto earlier = co_await repo_.booking_for_call_sid(*request.call_sid)) {
        earlier->replayed = true;
        co_return *earlier;
      }
    }
    bookings_counter().inc({{"outcome", refused->code == Errc::outside_hours ? "outside_hours" : "invalid"}});
    co_return *refused;
  }

  NewAppointment n;
  n.user_id = request.user_id.value_or(0);
  if (!request.user_id) {
    n.full_name = request.full_name;
    n.mobile = request.mobile;
  }
  n.starts_at_utc = request.start;
  n.duration = duration;
  n.call_sid = request.call_sid;
  n.notes = request.notes;
  auto booked = co_await repo_.book(n);
  if (!booked) {
    Error refused = booked.error();
    const bool conflict = refused.code == Errc::conflict;
    if (conflict) refused.alternatives = co_await nearest_free(request.start, duration, kSuggestions, now);
    bookings_counter().inc({{"outcome", conflict ? "conflict" : "error"}});
    obs::info("booking refused", {{"reason", refused.message}, {"mobile", obs::redact_phone(request.mobile)}});
    co_return refused;
  }
  bookings_counter().inc({{"outcome", booked->replayed ? "replayed" : "booked"}});
  obs::info("booked", {{"appointment_id", booked->appointment.id},
                       {"user_id", booked->user.id},
                       {"replayed", booked->replayed},
                       {"mobile", obs::redact_phone(booked->user.mobile)}});
  co_return booked;
}

Task<std::vector<User>> BookingService::users_for_mobile(const std::string& mobile) {
  UserFilter filter;
  filter.mobile = mobile;
  filter.limit = 20;
  co_return co_await repo_.list_users(filter);
}

Task<std::vector<std::chrono::sys_seconds>> BookingService::free_slots(date::year_month_day local_day,
                                                                      std::chrono::minutes duration) {
  const auto spans = calendar_.spans(local_day);
  if (spans.empty()) co_return std::vector<std::chrono::sys_seconds>{};
  const auto booked = to_calendar(co_await repo_.booked_between(spans.front().start, spans.back().end));
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  auto slots = calendar_.free_slots(local_day, duration, booked);
  std::erase_if(slots, [&](auto s) { return s < now; });
  co_return slots;
}

Task<Result<Booking>> BookingService::cancel(std::int64_t appointment_id) {
  co_return co_await repo_.cancel(appointment_id, std::nullopt);
}

Task<Result<Booking>> BookingService::reschedule(std::int64_t appointment_id, std::chrono::sys_seconds start,
                                                 std::optional<std::chrono::minutes> duration) {
  auto current = co_await repo_.get_appointment(appointment_id);
  if (!current) co_return current.error();
  const auto status = current->appointment.status;
  if (status != AppointmentStatus::scheduled)
    co_return Error{Errc::not_allowed, std::string("a ") + to_string(status) + " appointment cannot be moved"};
  const auto minutes = duration.value_or(std::chrono::minutes(current->appointment.duration_minutes));
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  if (auto refused = rules_refuse(start, minutes, now)) co_return *refused;
  AppointmentPatch patch;
  patch.starts_at_utc = start;
  patch.duration_minutes = static_cast<int>(minutes.count());
  auto updated = co_await repo_.update_appointment(appointment_id, patch);
  if (!updated && updated.error().code == Errc::conflict) {
    Error refused = updated.error();
    refused.alternatives = co_await nearest_free(start, minutes, kSuggestions, now);
    co_return refused;
  }
  co_return updated;
}

}  // namespace bella::booking
