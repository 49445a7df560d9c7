#include "support/fake_bookings.hpp"

#include <algorithm>
#include <utility>

#include "bella/core/error.hpp"

namespace bella::testing {

using call::SysSeconds;
using std::chrono::minutes;

void FakeBookings::check_up(const char* what) const {
  {
    std::lock_guard lock(calls_mu_);
    calls_.emplace_back(what);
  }
  if (down_) throw Unavailable("postgres", "fake database is down");
}

std::vector<std::string> FakeBookings::take_calls() {
  std::lock_guard lock(calls_mu_);
  return std::exchange(calls_, {});
}

std::int64_t FakeBookings::add_patient(std::string name, std::string mobile) {
  std::lock_guard lock(mu_);
  const auto id = next_id_++;
  patients_.push_back(call::Patient{id, std::move(name), std::move(mobile)});
  return id;
}

std::int64_t FakeBookings::add_appointment(std::int64_t patient_id, SysSeconds start, int mins) {
  std::lock_guard lock(mu_);
  const auto id = next_id_++;
  rows_.push_back(Row{id, patient_id, start, mins, false, {}});
  return id;
}

std::vector<call::Patient> FakeBookings::patients() const {
  std::lock_guard lock(mu_);
  return patients_;
}

std::vector<FakeBookings::Row> FakeBookings::rows() const {
  std::lock_guard lock(mu_);
  return rows_;
}

bool FakeBookings::overlaps(SysSeconds start, int mins, std::optional<std::int64_t> except) const {
  for (const auto& r : rows_) {
    if (r.cancelled || (except && r.id == *except)) continue;
    if (start < r.start + minutes(r.minutes) && r.start < start + minutes(mins)) return true;
  }
  return false;
}

std::vector<SysSeconds> FakeBookings::free(SysSeconds from, SysSeconds to, int mins, int max, SysSeconds now,
                                           std::optional<std::int64_t> except) const {
  std::vector<SysSeconds> out;
  const auto first = date::year_month_day{date::floor<date::days>(cal_.to_local(std::max(from, now)))};
  for (int i = 0; i <= calendar::kLookAheadDays && static_cast<int>(out.size()) < max; ++i) {
    const auto d = date::year_month_day{date::sys_days{first} + date::days{i}};
    for (auto t : cal_.free_slots(d, minutes(mins), {})) {
      if (t < from || t <= now || t >= to || overlaps(t, mins, except)) continue;
      out.push_back(t);
      if (static_cast<int>(out.size()) >= max) break;
    }
  }
  return out;
}

std::optional<call::SlotRefused> FakeBookings::refuse(SysSeconds start, int mins, SysSeconds now,
                                                      std::optional<std::int64_t> except) const {
  call::SlotRefused r;
  if (start <= now) r.why = call::Refusal::past;
  else if (start >= now + std::chrono::hours(24 * calendar::kLookAheadDays)) r.why = call::Refusal::too_far;
  else if (!cal_.is_open(start, minutes(mins))) r.why = call::Refusal::closed;
  else if (overlaps(start, mins, except)) r.why = call::Refusal::taken;
  else return std::nullopt;
  r.alternatives = free(std::max(start, now), now + std::chrono::hours(24 * calendar::kLookAheadDays), mins,
                        static_cast<int>(calendar::kSuggestions), now, except);
  return r;
}

Task<std::vector<call::Patient>> FakeBookings::patients_for_mobile(const std::string& e164) {
  check_up("patients_for_mobile");
  std::lock_guard lock(mu_);
  std::vector<call::Patient> out;
  for (const auto& p : patients_)
    if (p.mobile == e164) out.push_back(p);
  co_return out;
}

Task<std::vector<call::Upcoming>> FakeBookings::upcoming_for_mobile(const std::string& e164, SysSeconds now) {
  check_up("upcoming_for_mobile");
  std::lock_guard lock(mu_);
  std::vector<call::Upcoming> out;
  for (const auto& r : rows_) {
    if (r.cancelled || r.start <= now) continue;
    for (const auto& p : patients_)
      if (p.id == r.patient_id && p.mobile == e164)
        out.push_back(call::Upcoming{r.id, p.id, p.name, r.start, r.minutes});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  co_return out;
}

Task<std::vector<SysSeconds>> FakeBookings::free_slots(const call::SlotQuery& q, SysSeconds now) {
  check_up("free_slots");
  std::lock_guard lock(mu_);
  co_return free(q.from, q.to, q.minutes, q.max, now, std::nullopt);
}

Task<std::optional<call::SlotRefused>> FakeBookings::check(SysSeconds start, int mins, SysSeconds now) {
  check_up("check");
  std::lock_guard lock(mu_);
  co_return refuse(start, mins, now, std::nullopt);
}

Task<std::variant<call::Done, call::SlotRefused>> FakeBookings::book(const call::NewBooking& b, SysSeconds now) {
  check_up("book");
  std::lock_guard lock(mu_);
  for (const auto& r : rows_)
    if (!b.call_sid.empty() && r.call_sid == b.call_sid) co_return call::Done{r.id, r.patient_id, r.start, r.minutes};
  if (auto refused = refuse(b.start, b.minutes, now, std::nullopt)) co_return *refused;
  std::int64_t patient = 0;
  if (b.patient_id) patient = *b.patient_id;
  for (const auto& p : patients_)
    if (!patient && p.mobile == b.mobile && p.name == b.name) patient = p.id;
  if (!patient) {
    patient = next_id_++;
    patients_.push_back(call::Patient{patient, b.name, b.mobile});  // a new patient, never a rename
  }
  const auto id = next_id_++;
  rows_.push_back(Row{id, patient, b.start, b.minutes, false, b.call_sid});
  ++writes_;
  co_return call::Done{id, patient, b.start, b.minutes};
}

Task<std::optional<call::Done>> FakeBookings::cancel(std::int64_t id, const std::string&, SysSeconds now) {
  check_up("cancel");
  std::lock_guard lock(mu_);
  for (auto& r : rows_) {
    if (r.id != id || r.start <= now) continue;
    r.cancelled = true;
    ++writes_;
    co_return call::Done{r.id, r.patient_id, r.start, r.minutes};
  }
  co_return std::nullopt;
}

Task<std::variant<call::Done, call::SlotRefused>> FakeBookings::reschedule(std::int64_t id, SysSeconds start, int mins,
                                                                           const std::string&, SysSeconds now) {
  check_up("reschedule");
  std::lock_guard lock(mu_);
  if (auto refused = refuse(start, mins, now, id)) co_return *refused;
  for (auto& r : rows_) {
    if (r.id != id || r.cancelled) continue;
    r.start = start;
    r.minutes = mins;
    ++writes_;
    co_return call::Done{r.id, r.patient_id, r.start, r.minutes};
  }
  co_return call::SlotRefused{call::Refusal::taken, {}};
}

}  // namespace bella::testing
