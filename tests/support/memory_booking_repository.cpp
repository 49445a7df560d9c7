// MemoryBookingRepository: vectors under one mutex, mirroring the SQL constraints.
#include "memory_booking_repository.hpp"

#include <algorithm>
#include <cctype>

#include "db/pg_pool.hpp"

namespace bella::testing {

using booking::Booking;

namespace {
std::string lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The users table's CHECKs: 1..200 characters (bytes here, a stricter bound), no control characters.
bool fits_name_check(const std::string& name) {
  if (name.empty() || name.size() > 200) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// The SQL's rule: name contains the text (ASCII case-insensitive), or the mobile contains its 3+ digits.
bool matches_search(const User& u, const std::string& text) {
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  if (lower(u.full_name).find(lower(text)) != std::string::npos) return true;
  std::string digits;
  for (char c : text)
    if (c >= '0' && c <= '9') digits.push_back(c);
  return digits.size() >= 3 && u.mobile.find(digits) != std::string::npos;
}
}  // namespace

TimePoint MemoryBookingRepository::now() const {
  return clock_ ? std::chrono::floor<std::chrono::seconds>(clock_->now()) : TimePoint{};
}

void MemoryBookingRepository::check_up() const {
  std::lock_guard lock(mutex_);
  if (down_) throw Unavailable("postgres", "memory repository set unavailable");
}

void MemoryBookingRepository::set_unavailable(bool down) {
  std::lock_guard lock(mutex_);
  down_ = down;
}

const User* MemoryBookingRepository::user_by_id(std::int64_t id) const {
  for (const auto& u : users_)
    if (u.id == id) return &u;
  return nullptr;
}

Booking MemoryBookingRepository::joined(const Appointment& a) const {
  Booking b;
  b.appointment = a;
  if (const auto* u = user_by_id(a.user_id)) b.user = *u;
  return b;
}

bool MemoryBookingRepository::overlaps(const Appointment& a) const {
  if (a.status != AppointmentStatus::scheduled) return false;
  for (const auto& o : appointments_) {
    if (o.id == a.id || o.status != AppointmentStatus::scheduled) continue;
    if (a.starts_at_utc < o.ends_at_utc() && o.starts_at_utc < a.ends_at_utc()) return true;
  }
  return false;
}

const User* MemoryBookingRepository::user_by_name(const std::string& name, const PhoneE164& mobile) const {
  for (const auto& u : users_)
    if (u.mobile == mobile && lower_ascii(u.full_name) == lower_ascii(name)) return &u;
  return nullptr;
}

Result<User> MemoryBookingRepository::insert_user(const std::string& full_name, const PhoneE164& mobile) {
  if (!fits_name_check(full_name)) return Error{Errc::invalid_input, "the name breaks a table constraint"};
  User u;
  u.id = static_cast<std::int64_t>(users_.size()) + 1;
  u.full_name = full_name;
  u.mobile = mobile;
  u.created_at = u.updated_at = now();
  users_.push_back(u);
  return u;
}

Task<Result<User>> MemoryBookingRepository::find_or_create_user(const std::string& full_name, const PhoneE164& mobile) {
  check_up();
  std::lock_guard lock(mutex_);
  if (const auto* u = user_by_name(full_name, mobile)) co_return *u;
  co_return insert_user(full_name, mobile);
}

Task<std::optional<User>> MemoryBookingRepository::find_user(const std::string& full_name, const PhoneE164& mobile) {
  check_up();
  std::lock_guard lock(mutex_);
  if (const auto* u = user_by_name(full_name, mobile)) co_return *u;
  co_return std::nullopt;
}

Task<Result<User>> MemoryBookingRepository::get_user(std::int64_t id) {
  check_up();
  std::lock_guard lock(mutex_);
  if (const auto* u = user_by_id(id)) co_return *u;
  co_return Error{Errc::not_found, "no user with id " + std::to_string(id)};
}

Task<Result<User>> MemoryBookingRepository::create_user(const std::string& full_name, const PhoneE164& mobile) {
  check_up();
  std::lock_guard lock(mutex_);
  if (user_by_name(full_name, mobile)) co_return Error{Errc::conflict, "a user with this name and mobile already exists"};
  co_return insert_user(full_name, mobile);
}

Task<Result<User>> MemoryBookingRepository::update_user(std::int64_t id, const booking::UserPatch& patch) {
  check_up();
  std::lock_guard lock(mutex_);
  User* target = nullptr;
  for (auto& u : users_)
    if (u.id == id) target = &u;
  if (!target) co_return Error{Errc::not_found, "no user with id " + std::to_string(id)};
  if (patch.full_name && !fits_name_check(*patch.full_name))
    co_return Error{Errc::invalid_input, "the name breaks a table constraint"};
  const std::string name = patch.full_name.value_or(target->full_name);
  const PhoneE164 mobile = patch.mobile.value_or(target->mobile);
  if (const auto* other = user_by_name(name, mobile); other && other->id != id)
    co_return Error{Errc::conflict, "another user has this name and mobile"};
  if (patch.full_name) target->full_name = *patch.full_name;
  if (patch.mobile) target->mobile = *patch.mobile;
  target->updated_at = now();
  co_return *target;
}

Task<std::vector<User>> MemoryBookingRepository::list_users(const booking::UserFilter& filter) {
  check_up();
  std::lock_guard lock(mutex_);
  std::vector<User> out;
  for (const auto& u : users_) {
    if (filter.mobile && u.mobile != *filter.mobile) continue;
    if (filter.after_id && u.id <= *filter.after_id) continue;
    if (filter.search && !matches_search(u, *filter.search)) continue;
    if (out.size() >= filter.limit) break;
    out.push_back(u);
  }
  co_return out;
}

Task<Result<Booking>> MemoryBookingRepository::book(const booking::NewAppointment& n) {
  check_up();
  std::lock_guard lock(mutex_);
  if (n.call_sid) {
    for (const auto& a : appointments_) {
      if (a.call_sid == n.call_sid) {
        auto b = joined(a);
        b.replayed = true;
        co_return b;
      }
    }
  }
  std::int64_t user_id = n.user_id;
  bool created = false;
  if (user_id == 0) {
    if (const auto* u = user_by_name(n.full_name, n.mobile)) {
      user_id = u->id;
    } else {
      auto made = insert_user(n.full_name, n.mobile);
      if (!made) co_return made.error();
      user_id = made->id;
      created = true;
    }
  }
  if (!user_by_id(user_id)) co_return Error{Errc::not_found, "no user with id " + std::to_string(user_id)};
  Appointment a;
  a.id = static_cast<std::int64_t>(appointments_.size()) + 1;
  a.user_id = user_id;
  a.starts_at_utc = n.starts_at_utc;
  a.duration_minutes = static_cast<int>(n.duration.count());
  a.call_sid = n.call_sid;
  a.notes = n.notes;
  a.created_at = a.updated_at = now();
  if (overlaps(a)) {
    if (created) users_.pop_back();  // one transaction: a refused booking creates nobody
    co_return Error{Errc::conflict, "the time overlaps another appointment"};
  }
  appointments_.push_back(a);
  cancelled_by_.emplace_back();
  co_return joined(a);
}

Task<Result<Booking>> MemoryBookingRepository::get_appointment(std::int64_t id) {
  check_up();
  std::lock_guard lock(mutex_);
  for (const auto& a : appointments_)
    if (a.id == id) co_return joined(a);
  co_return Error{Errc::not_found, "no appointment with id " + std::to_string(id)};
}

Task<std::optional<Booking>> MemoryBookingRepository::booking_for_call_sid(const std::string& call_sid) {
  check_up();
  std::lock_guard lock(mutex_);
  for (const auto& a : appointments_)
    if (a.call_sid == call_sid) co_return joined(a);
  co_return std::nullopt;
}

Task<std::vector<Booking>> MemoryBookingRepository::list_appointments(const booking::AppointmentFilter& f) {
  check_up();
  std::lock_guard lock(mutex_);
  std::vector<Appointment> sorted = appointments_;
  std::sort(sorted.begin(), sorted.end(), [](const Appointment& x, const Appointment& y) {
    return std::tie(x.starts_at_utc, x.id) < std::tie(y.starts_at_utc, y.id);
  });
  std::vector<Booking> out;
  for (const auto& a : sorted) {
    if (f.from && a.starts_at_utc < *f.from) continue;
    if (f.to && a.starts_at_utc >= *f.to) continue;
    if (f.status && a.status != *f.status) continue;
    if (f.user_id && a.user_id != *f.user_id) continue;
    if (f.mobile) {
      const auto* u = user_by_id(a.user_id);
      if (!u || u->mobile != *f.mobile) continue;
    }
    if (f.after && std::tie(a.starts_at_utc, a.id) <= std::tie(f.after->starts_at_utc, f.after->id)) continue;
    if (out.size() >= f.limit) break;
    out.push_back(joined(a));
  }
  co_return out;
}

Result<Booking> MemoryBookingRepository::change(std::int64_t id, const booking::AppointmentPatch& p) {
  for (auto& a : appointments_) {
    if (a.id != id) continue;
    if (p.status && !booking::status_change_allowed(a.status, *p.status))
      return Error{Errc::not_allowed, std::string("a ") + to_string(a.status) + " appointment cannot become " +
                                          to_string(*p.status)};
    const bool moves = (p.starts_at_utc && *p.starts_at_utc != a.starts_at_utc) ||
                       (p.duration_minutes && *p.duration_minutes != a.duration_minutes);
    if (moves && a.status != AppointmentStatus::scheduled)
      return Error{Errc::not_allowed, std::string("a ") + to_string(a.status) + " appointment cannot be moved"};
    Appointment changed = a;
    if (p.starts_at_utc) changed.starts_at_utc = *p.starts_at_utc;
    if (p.duration_minutes) changed.duration_minutes = *p.duration_minutes;
    if (p.status) changed.status = *p.status;
    if (p.notes) changed.notes = *p.notes;
    if (overlaps(changed)) return Error{Errc::conflict, "the time overlaps another appointment"};
    changed.updated_at = now();
    a = changed;
    return joined(a);
  }
  return Error{Errc::not_found, "no appointment with id " + std::to_string(id)};
}

Task<Result<Booking>> MemoryBookingRepository::update_appointment(std::int64_t id, const booking::AppointmentPatch& p) {
  check_up();
  std::lock_guard lock(mutex_);
  co_return change(id, p);
}

Task<Result<Booking>> MemoryBookingRepository::cancel(std::int64_t id, const std::optional<std::string>& call_sid) {
  check_up();
  std::lock_guard lock(mutex_);
  const bool was_cancelled = id >= 1 && id <= static_cast<std::int64_t>(appointments_.size()) &&
                             appointments_[static_cast<std::size_t>(id - 1)].status == AppointmentStatus::cancelled;
  booking::AppointmentPatch patch;
  patch.status = AppointmentStatus::cancelled;
  auto out = change(id, patch);
  if (!out) co_return out;
  auto& by = cancelled_by_[static_cast<std::size_t>(id - 1)];
  if (!was_cancelled) by = call_sid;
  else out->replayed = call_sid && by == call_sid;
  co_return out;
}

Task<std::vector<booking::BookedInterval>> MemoryBookingRepository::booked_between(TimePoint from, TimePoint to) {
  check_up();
  std::lock_guard lock(mutex_);
  std::vector<booking::BookedInterval> out;
  for (const auto& a : appointments_)
    if (a.status == AppointmentStatus::scheduled && a.starts_at_utc < to && from < a.ends_at_utc())
      out.push_back({a.starts_at_utc, a.ends_at_utc()});
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.start < y.start; });
  co_return out;
}

std::vector<Appointment> MemoryBookingRepository::appointments() const {
  std::lock_guard lock(mutex_);
  return appointments_;
}

std::vector<User> MemoryBookingRepository::users() const {
  std::lock_guard lock(mutex_);
  return users_;
}

}  // namespace bella::testing
