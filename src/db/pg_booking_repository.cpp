// SQL behind BookingRepository. One short transaction per call; constraint violations become Errc.
#include "db/pg_booking_repository.hpp"

#include <spdlog/spdlog.h>

#include "obs/log.hpp"

namespace bella::db {
namespace {

using booking::Booking;

constexpr const char* kUserCols =
    "u.id, u.full_name, u.mobile, floor(extract(epoch FROM u.created_at))::bigint,"
    " floor(extract(epoch FROM u.updated_at))::bigint";
constexpr const char* kApptCols =
    "a.id, a.user_id, floor(extract(epoch FROM a.starts_at_utc))::bigint, a.duration_minutes, a.status, a.call_sid,"
    " a.notes, floor(extract(epoch FROM a.created_at))::bigint, floor(extract(epoch FROM a.updated_at))::bigint";

std::string user_select(const std::string& where) {
  return std::string("SELECT ") + kUserCols + " FROM users u " + where;
}
std::string booking_select(const std::string& from_where) {
  return std::string("SELECT ") + kApptCols + ", " + kUserCols + " FROM " + from_where;
}

TimePoint epoch(const pqxx::field& f) { return TimePoint(std::chrono::seconds(f.as<long long>())); }
long long secs(TimePoint t) { return t.time_since_epoch().count(); }

User user_from(const pqxx::row& r, pqxx::row::size_type at = 0) {
  User u;
  u.id = r[at].as<std::int64_t>();
  u.full_name = r[at + 1].as<std::string>();
  u.mobile = r[at + 2].as<std::string>();
  u.created_at = epoch(r[at + 3]);
  u.updated_at = epoch(r[at + 4]);
  return u;
}

Booking booking_from(const pqxx::row& r) {
  Booking b;
  auto& a = b.appointment;
  a.id = r[0].as<std::int64_t>();
  a.user_id = r[1].as<std::int64_t>();
  a.starts_at_utc = epoch(r[2]);
  a.duration_minutes = r[3].as<int>();
  a.status = parse_status(r[4].as<std::string>()).value_or(AppointmentStatus::scheduled);
  if (!r[5].is_null()) a.call_sid = r[5].as<std::string>();
  if (!r[6].is_null()) a.notes = r[6].as<std::string>();
  a.created_at = epoch(r[7]);
  a.updated_at = epoch(r[8]);
  b.user = user_from(r, 9);
  return b;
}

// NULL-able parameters: libpqxx 6 sends a null const char* as SQL NULL.
const char* nullable(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }
std::optional<std::string> opt_num(const std::optional<long long>& v) {
  return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}

bool is(const pqxx::sql_error& e, const char* state) { return e.sqlstate() == state; }
bool mentions(const pqxx::sql_error& e, const char* what) { return std::string(e.what()).find(what) != std::string::npos; }

constexpr int kRaceRetries = 5;

// A CHECK on users refused the name (or mobile). The message names no value: PostgreSQL's own
// text carries "DETAIL: Failing row contains (…)" with the patient's name and number.
Error refused_name() { return Error{Errc::invalid_input, "the name or mobile breaks a table constraint"}; }

// Inserts racing for one range wait on each other's exclusion-index entries and deadlock
// (PostgreSQL aborts all but one after deadlock_timeout, often past statement_timeout). A
// transaction lock per UTC day of the start serialises them first; the exclusion constraint
// stays the guarantee, the lock only makes losers fail fast with 23P01.
constexpr int kDayLockClass = 0x62656c;  // "bel"
int day_key(TimePoint t) { return static_cast<int>(t.time_since_epoch().count() / 86'400); }

const std::string kBookingJoin = "appointments a JOIN users u ON u.id = a.user_id ";

// Queues the change's texts in `tx` (the change's own transaction). A repeated key is a no-op.
void queue_texts(pqxx::work& tx, const booking::ChangeTexts& texts, const booking::BookingChange& change, int revision) {
  for (const auto& t : texts.texts_for(change)) {
    const auto drop = opt_num(t.drop_after ? std::optional<long long>(secs(*t.drop_after)) : std::nullopt);
    tx.exec_prepared("msg_queue", change.after.appointment.id, t.kind, revision, t.to, t.body, secs(t.due),
                     nullable(drop));
  }
}

}  // namespace

PgBookingRepository::PgBookingRepository(PgPool& pool, const booking::ChangeTexts* texts)
    : pool_(pool), texts_(texts) {
  pool_.prepare("msg_queue",
                "INSERT INTO messages (appointment_id, kind, revision, to_number, body, due_at, next_attempt_at,"
                " drop_after) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::bigint), to_timestamp($6::bigint),"
                " to_timestamp($7::bigint)) ON CONFLICT ON CONSTRAINT messages_once DO NOTHING");
  pool_.prepare("msg_drop_reminders",
                "UPDATE messages SET status = 'dropped', last_error = 'superseded', updated_at = now()"
                " WHERE appointment_id = $1 AND kind = 'reminder' AND status = 'pending'");
  pool_.prepare("appt_before",
                "SELECT floor(extract(epoch FROM starts_at_utc))::bigint, status, duration_minutes, cancel_call_sid"
                " FROM appointments WHERE id = $1 FOR UPDATE");
  pool_.prepare("appt_bump_revision", "UPDATE appointments SET revision = revision + 1 WHERE id = $1 RETURNING revision");
  pool_.prepare("user_by_name", user_select("WHERE u.mobile = $1 AND lower(u.full_name) = lower($2)"));
  pool_.prepare("user_by_id", user_select("WHERE u.id = $1"));
  // A patient is a (mobile, name) pair: a known pair is returned as it is (never renamed), another
  // name on a known mobile is a new patient. The no-op update makes RETURNING yield the known row.
  pool_.prepare("user_upsert",
                std::string("INSERT INTO users AS u (full_name, mobile) VALUES ($1, $2)"
                            " ON CONFLICT (mobile, lower(full_name)) DO UPDATE SET updated_at = u.updated_at"
                            " RETURNING ") + kUserCols);
  pool_.prepare("user_insert",
                std::string("INSERT INTO users AS u (full_name, mobile) VALUES ($1, $2) RETURNING ") + kUserCols);
  pool_.prepare("user_update",
                std::string("UPDATE users AS u SET full_name = COALESCE($2, u.full_name), mobile = COALESCE($3, u.mobile),"
                            " updated_at = now() WHERE u.id = $1 RETURNING ") + kUserCols);
  // Filters with optional parameters ("$1 IS NULL OR …") get a generic plan after five runs, and
  // that plan cannot use an index for the optional column: with a mobile, every list would scan
  // the table. A mobile (the phone line's question on every call) has statements of its own that
  // start from users_mobile_name_key.
  pool_.prepare("user_list", user_select("WHERE u.id > $2::bigint AND $1::text IS NULL ORDER BY u.id LIMIT $3::bigint"));
  pool_.prepare("user_list_mobile", user_select("WHERE u.mobile = $1 AND u.id > $2::bigint ORDER BY u.id LIMIT $3::bigint"));
  // Staff search: $4 is a LIKE pattern for the name (wildcards escaped by the caller), $5 one for the
  // mobile's digits (NULL when the text has fewer than 3 digits).
  pool_.prepare("user_search", user_select("WHERE ($1::text IS NULL OR u.mobile = $1) AND u.id > $2::bigint"
                                           " AND (u.full_name ILIKE $4 OR ($5::text IS NOT NULL AND u.mobile LIKE $5))"
                                           " ORDER BY u.id LIMIT $3::bigint"));
  pool_.prepare("appt_by_id", booking_select(kBookingJoin + "WHERE a.id = $1"));
  pool_.prepare("appt_by_call_sid", booking_select(kBookingJoin + "WHERE a.call_sid = $1"));
  pool_.prepare("appt_update",
                booking_select("up a JOIN users u ON u.id = a.user_id").insert(
                    0, "WITH up AS (UPDATE appointments SET"
                       " starts_at_utc = COALESCE(to_timestamp($2::bigint), starts_at_utc),"
                       " duration_minutes = COALESCE($3::integer, duration_minutes),"
                       " status = COALESCE($4::text, status), notes = COALESCE($5::text, notes),"
                       " cancel_call_sid = COALESCE($6::text, cancel_call_sid), updated_at = now()"
                       " WHERE id = $1 RETURNING *) "));
  const std::string appt_filter =
      "($1::bigint IS NULL OR a.starts_at_utc >= to_timestamp($1::bigint))"
      " AND ($2::bigint IS NULL OR a.starts_at_utc < to_timestamp($2::bigint))"
      " AND ($3::text IS NULL OR a.status = $3::text)"
      " AND ($5::bigint IS NULL OR a.user_id = $5::bigint)"
      " AND ($6::bigint IS NULL OR (a.starts_at_utc, a.id) > (to_timestamp($6::bigint), $7::bigint))";
  const std::string appt_order = " ORDER BY a.starts_at_utc, a.id LIMIT $8::bigint";
  pool_.prepare("appt_list", booking_select(kBookingJoin + "WHERE $4::text IS NULL AND " + appt_filter + appt_order));
  // The patients on the mobile, then each one's appointments through appointments_user_idx. The
  // shape, not the statistics, picks that plan: a join left to the planner walks appointments
  // in time order or scans them whenever its statistics say the table is small (a new clinic's
  // database until autovacuum's first ANALYZE), and the generic plan is kept.
  pool_.prepare("appt_list_mobile",
                booking_select("on_mobile u CROSS JOIN LATERAL (SELECT * FROM appointments a WHERE a.user_id = u.id AND " +
                               appt_filter + appt_order + ") a" + appt_order)
                    .insert(0, "WITH on_mobile AS MATERIALIZED (SELECT * FROM users WHERE mobile = $4::text) "));
  pool_.prepare("appt_lock_day", "SELECT pg_advisory_xact_lock(" + std::to_string(kDayLockClass) + ", $1::integer)");
  // A booking in one statement, so one round trip and (outside a transaction) one implicit
  // transaction: the replay check, the day lock, the patient (found or created) and the
  // appointment. $1 start (epoch s), $2 minutes, $3 call_sid, $4 notes, $5 day key, $6 full name,
  // $7 mobile, $8 known patient id (0: by $6/$7).
  // - `prior`: this call_sid's booking, if a retried turn already made it. Then nothing is locked
  //   or written, and the last SELECT returns that row with replayed = true.
  // - `lock`: one row once the day's lock is held; the writes below read from it, so they run
  //   after the lock is taken (a volatile function: the CTE is never inlined).
  // - `who`: the patient, upserted (never renamed: the no-op update returns the known row) or
  //   read by id. The WITH statements cannot see each other's writes, so the patient's columns
  //   come from here, not from a join with users.
  // The exclusion constraint still decides conflicts (23P01); no row back means no patient with id $8.
  pool_.prepare("appt_book",
                std::string("WITH prior AS MATERIALIZED (SELECT id FROM appointments WHERE call_sid = $3::text),"
                            " lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(") +
                    std::to_string(kDayLockClass) +
                    ", $5::integer) WHERE NOT EXISTS (SELECT FROM prior)),"
                    " ins_user AS (INSERT INTO users AS u (full_name, mobile) SELECT $6::text, $7::text FROM lock"
                    "   WHERE $8::bigint = 0"
                    "   ON CONFLICT (mobile, lower(full_name)) DO UPDATE SET updated_at = u.updated_at RETURNING u.*),"
                    " who AS (SELECT * FROM ins_user UNION ALL"
                    "   SELECT u.* FROM users u, lock WHERE $8::bigint <> 0 AND u.id = $8::bigint),"
                    " ins AS (INSERT INTO appointments (user_id, starts_at_utc, duration_minutes, call_sid, notes)"
                    "   SELECT who.id, to_timestamp($1::bigint), $2::integer, $3::text, $4::text FROM who RETURNING *)"
                    " SELECT " + kApptCols + ", " + kUserCols + ", false FROM ins a JOIN who u ON u.id = a.user_id"
                    " UNION ALL SELECT " + kApptCols + ", " + kUserCols + ", true"
                    " FROM prior p JOIN appointments a ON a.id = p.id JOIN users u ON u.id = a.user_id");
  pool_.prepare("appt_booked_between",
                "SELECT floor(extract(epoch FROM starts_at_utc))::bigint,"
                " floor(extract(epoch FROM starts_at_utc))::bigint + duration_minutes * 60 FROM appointments"
                " WHERE status = 'scheduled' AND appointment_span(starts_at_utc, duration_minutes) &&"
                " tstzrange(to_timestamp($1::bigint), to_timestamp($2::bigint), '[)') ORDER BY starts_at_utc");
}

Task<Result<User>> PgBookingRepository::find_or_create_user(const std::string& full_name, const PhoneE164& mobile) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<User> {
    try {
      pqxx::nontransaction tx(c);  // one statement: autocommit, no BEGIN/COMMIT round trips
      return user_from(tx.exec_prepared1("user_upsert", full_name, mobile));
    } catch (const pqxx::sql_error& e) {
      if (is(e, "23514")) return refused_name();
      throw;
    }
  });
}

Task<std::optional<User>> PgBookingRepository::find_user(const std::string& full_name, const PhoneE164& mobile) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> std::optional<User> {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_prepared("user_by_name", mobile, full_name);
    if (r.empty()) return std::nullopt;
    return user_from(r[0]);
  });
}

Task<Result<User>> PgBookingRepository::get_user(std::int64_t id) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<User> {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_prepared("user_by_id", id);
    if (r.empty()) return Error{Errc::not_found, "no user with id " + std::to_string(id)};
    return user_from(r[0]);
  });
}

Task<Result<User>> PgBookingRepository::create_user(const std::string& full_name, const PhoneE164& mobile) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<User> {
    try {
      pqxx::nontransaction tx(c);
      return user_from(tx.exec_prepared1("user_insert", full_name, mobile));
    } catch (const pqxx::sql_error& e) {
      if (is(e, "23505")) return Error{Errc::conflict, "a user with this name and mobile already exists"};
      if (is(e, "23514")) return refused_name();
      throw;
    }
  });
}

Task<Result<User>> PgBookingRepository::update_user(std::int64_t id, const booking::UserPatch& patch) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<User> {
    try {
      pqxx::nontransaction tx(c);
      auto r = tx.exec_prepared("user_update", id, nullable(patch.full_name), nullable(patch.mobile));
      if (r.empty()) return Error{Errc::not_found, "no user with id " + std::to_string(id)};
      return user_from(r[0]);
    } catch (const pqxx::sql_error& e) {
      if (is(e, "23505")) return Error{Errc::conflict, "another user has this name and mobile"};
      if (is(e, "23514")) return refused_name();
      throw;
    }
  });
}

Task<std::vector<User>> PgBookingRepository::list_users(const booking::UserFilter& filter) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result r;
    if (filter.search) {
      std::string name = "%", digits;
      for (char ch : *filter.search) {
        if (ch == '%' || ch == '_' || ch == '\\') name.push_back('\\');
        name.push_back(ch);
        if (ch >= '0' && ch <= '9') digits.push_back(ch);
      }
      name.push_back('%');
      std::optional<std::string> mobile;
      if (digits.size() >= 3) mobile = "%" + digits + "%";
      r = tx.exec_prepared("user_search", nullable(filter.mobile), filter.after_id.value_or(0),
                           static_cast<long long>(filter.limit), name, nullable(mobile));
    } else {
      r = tx.exec_prepared(filter.mobile ? "user_list_mobile" : "user_list", nullable(filter.mobile),
                           filter.after_id.value_or(0), static_cast<long long>(filter.limit));
    }
    std::vector<User> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(user_from(row));
    return out;
  });
}

Task<Result<Booking>> PgBookingRepository::book(const booking::NewAppointment& n) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<Booking> {
    // ONE transaction: appt_book does the replay check, the patient and the appointment in one
    // statement (autocommit). Texts to queue make it an explicit transaction with their inserts.
    // A refused booking rolls back, so it creates nobody.
    for (int attempt = 1;; ++attempt) try {
      auto book_in = [&](pqxx::transaction_base& tx) -> std::optional<Booking> {
        auto r = tx.exec_prepared("appt_book", secs(n.starts_at_utc), static_cast<int>(n.duration.count()),
                                  nullable(n.call_sid), nullable(n.notes), day_key(n.starts_at_utc), n.full_name,
                                  n.mobile, n.user_id);
        if (r.empty()) return std::nullopt;
        auto b = booking_from(r[0]);
        b.replayed = r[0][14].as<bool>();
        return b;
      };
      std::optional<Booking> made;
      if (texts_) {
        pqxx::work tx(c);
        made = book_in(tx);
        if (made && !made->replayed)
          queue_texts(tx, *texts_, booking::BookingChange{.kind = booking::ChangeKind::booked, .after = *made}, 1);
        tx.commit();
      } else {
        pqxx::nontransaction tx(c);
        made = book_in(tx);
      }
      if (!made) return Error{Errc::not_found, "no user with id " + std::to_string(n.user_id)};
      return *made;
    } catch (const pqxx::sql_error& e) {
      // Racing inserts on one range can wait on each other's exclusion-index entries; PostgreSQL
      // then aborts one with a deadlock. Retrying settles it: the winner has committed by then.
      // A copy of this turn racing the first (a Twilio retry) fails on call_sid, or on the range
      // when the range index is checked first: the next attempt finds the winner's row as `prior`.
      if ((is(e, "40P01") || is(e, "40001")) && attempt < kRaceRetries) continue;
      if (is(e, "23505") && mentions(e, "call_sid") && n.call_sid && attempt < kRaceRetries) continue;
      if (is(e, "23P01") && n.call_sid && attempt == 1) continue;
      if (is(e, "23P01")) return Error{Errc::conflict, "the time overlaps another appointment"};
      if (is(e, "23503")) return Error{Errc::not_found, "no user with id " + std::to_string(n.user_id)};
      if (is(e, "23514")) return Error{Errc::invalid_input, "the booking breaks a table constraint"};
      throw;
    }
  });
}

Task<Result<Booking>> PgBookingRepository::get_appointment(std::int64_t id) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<Booking> {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_prepared("appt_by_id", id);
    if (r.empty()) return Error{Errc::not_found, "no appointment with id " + std::to_string(id)};
    return booking_from(r[0]);
  });
}

Task<std::optional<Booking>> PgBookingRepository::booking_for_call_sid(const std::string& call_sid) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> std::optional<Booking> {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_prepared("appt_by_call_sid", call_sid);
    if (r.empty()) return std::nullopt;
    return booking_from(r[0]);
  });
}

Task<std::vector<Booking>> PgBookingRepository::list_appointments(const booking::AppointmentFilter& f) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    auto t = [](const std::optional<TimePoint>& tp) {
      return opt_num(tp ? std::optional<long long>(secs(*tp)) : std::nullopt);
    };
    const auto from = t(f.from), to = t(f.to);
    const std::optional<std::string> status =
        f.status ? std::optional<std::string>(to_string(*f.status)) : std::nullopt;
    const auto user = opt_num(f.user_id ? std::optional<long long>(*f.user_id) : std::nullopt);
    const auto after_t = opt_num(f.after ? std::optional<long long>(secs(f.after->starts_at_utc)) : std::nullopt);
    const auto after_id = opt_num(f.after ? std::optional<long long>(f.after->id) : std::nullopt);
    pqxx::nontransaction tx(c);
    auto r = tx.exec_prepared(f.mobile ? "appt_list_mobile" : "appt_list", nullable(from), nullable(to),
                              nullable(status), nullable(f.mobile),
                              nullable(user), nullable(after_t), nullable(after_id), static_cast<long long>(f.limit));
    std::vector<Booking> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(booking_from(row));
    return out;
  });
}

Result<Booking> PgBookingRepository::change(pqxx::work& tx, std::int64_t id, const booking::AppointmentPatch& p,
                                            const std::optional<std::string>& cancel_call_sid) {
  // The row as it stands, locked: the transition rules and the texts depend on it.
  auto row = tx.exec_prepared("appt_before", id);
  if (row.empty()) return Error{Errc::not_found, "no appointment with id " + std::to_string(id)};
  const long long before_start = row[0][0].as<long long>();
  const auto before_status = parse_status(row[0][1].as<std::string>()).value_or(AppointmentStatus::scheduled);
  const int before_minutes = row[0][2].as<int>();
  if (p.status && !booking::status_change_allowed(before_status, *p.status))
    return Error{Errc::not_allowed,
                 std::string("a ") + to_string(before_status) + " appointment cannot become " + to_string(*p.status)};
  const bool moves = (p.starts_at_utc && secs(*p.starts_at_utc) != before_start) ||
                     (p.duration_minutes && *p.duration_minutes != before_minutes);
  if (moves && before_status != AppointmentStatus::scheduled)
    return Error{Errc::not_allowed, std::string("a ") + to_string(before_status) + " appointment cannot be moved"};
  if (p.status == before_status && !moves && !p.notes) {
    // The same status again (a repeated cancel): nothing changes, no text is queued.
    auto same = booking_from(tx.exec_prepared1("appt_by_id", id));
    same.replayed = cancel_call_sid && !row[0][3].is_null() && row[0][3].as<std::string>() == *cancel_call_sid;
    return same;
  }
  if (p.starts_at_utc) tx.exec_prepared("appt_lock_day", day_key(*p.starts_at_utc));
  else if (p.duration_minutes) tx.exec_prepared("appt_lock_day", day_key(TimePoint(std::chrono::seconds(before_start))));

  const auto start = opt_num(p.starts_at_utc ? std::optional<long long>(secs(*p.starts_at_utc)) : std::nullopt);
  const auto minutes = opt_num(p.duration_minutes ? std::optional<long long>(*p.duration_minutes) : std::nullopt);
  const std::optional<std::string> status = p.status ? std::optional<std::string>(to_string(*p.status)) : std::nullopt;
  auto r = tx.exec_prepared("appt_update", id, nullable(start), nullable(minutes), nullable(status), nullable(p.notes),
                            nullable(cancel_call_sid));
  if (r.empty()) return Error{Errc::not_found, "no appointment with id " + std::to_string(id)};
  auto changed = booking_from(r[0]);
  if (texts_) {
    const auto& a = changed.appointment;
    const bool was_scheduled = before_status == AppointmentStatus::scheduled;
    const bool is_scheduled = a.status == AppointmentStatus::scheduled;
    std::optional<booking::ChangeKind> kind;
    if (was_scheduled && a.status == AppointmentStatus::cancelled) kind = booking::ChangeKind::cancelled;
    else if (!was_scheduled && is_scheduled) kind = booking::ChangeKind::booked;
    else if (is_scheduled && secs(a.starts_at_utc) != before_start) kind = booking::ChangeKind::rescheduled;
    // Cancelled, moved, completed, no-show: the old reminder must not go out.
    if (kind || (was_scheduled && !is_scheduled)) tx.exec_prepared("msg_drop_reminders", id);
    if (kind) {
      const int revision = tx.exec_prepared1("appt_bump_revision", id)[0].as<int>();
      queue_texts(tx, *texts_, booking::BookingChange{.kind = *kind, .after = changed}, revision);
    }
  }
  return changed;
}

Task<Result<Booking>> PgBookingRepository::update_appointment(std::int64_t id, const booking::AppointmentPatch& p) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<Booking> {
    for (int attempt = 1;; ++attempt) try {
      pqxx::work tx(c);
      auto out = change(tx, id, p, std::nullopt);
      if (out) tx.commit();
      return out;
    } catch (const pqxx::sql_error& e) {
      if ((is(e, "40P01") || is(e, "40001")) && attempt < kRaceRetries) continue;
      if (is(e, "23P01")) return Error{Errc::conflict, "the time overlaps another appointment"};
      if (is(e, "23514")) return Error{Errc::invalid_input, "the change breaks a table constraint"};
      throw;
    }
  });
}

Task<Result<Booking>> PgBookingRepository::cancel(std::int64_t id, const std::optional<std::string>& call_sid) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> Result<Booking> {
    booking::AppointmentPatch patch;
    patch.status = AppointmentStatus::cancelled;
    for (int attempt = 1;; ++attempt) try {
      pqxx::work tx(c);
      auto out = change(tx, id, patch, call_sid);
      if (out) tx.commit();
      return out;
    } catch (const pqxx::sql_error& e) {
      if ((is(e, "40P01") || is(e, "40001")) && attempt < kRaceRetries) continue;
      throw;
    }
  });
}

Task<std::vector<booking::BookedInterval>> PgBookingRepository::booked_between(TimePoint from, TimePoint to) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    auto r = tx.exec_prepared("appt_booked_between", secs(from), secs(to));
    std::vector<booking::BookedInterval> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back({epoch(row[0]), epoch(row[1])});
    return out;
  });
}

}  // namespace bella::db
