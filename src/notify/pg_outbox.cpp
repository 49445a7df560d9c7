// SQL of the outbox: claims with SKIP LOCKED, results, opt-outs, status callbacks, staff queries.
#include "notify/pg_outbox.hpp"

namespace bella::notify {
namespace {

constexpr const char* kRecordCols =
    "m.id, m.appointment_id, m.kind, m.status, m.twilio_status, m.error_code, m.last_error, m.attempts,"
    " floor(extract(epoch FROM m.due_at))::bigint, floor(extract(epoch FROM m.sent_at))::bigint,"
    " floor(extract(epoch FROM m.updated_at))::bigint";

TimePoint epoch(const pqxx::field& f) { return TimePoint(std::chrono::seconds(f.as<long long>())); }

MessageRecord record_from(const pqxx::row& r) {
  MessageRecord m;
  m.id = r[0].as<std::int64_t>();
  m.appointment_id = r[1].as<std::int64_t>();
  m.kind = r[2].as<std::string>();
  m.status = r[3].as<std::string>();
  if (!r[4].is_null()) m.twilio_status = r[4].as<std::string>();
  if (!r[5].is_null()) m.error_code = r[5].as<int>();
  if (!r[6].is_null()) m.error = r[6].as<std::string>();
  m.attempts = r[7].as<int>();
  m.due_at = epoch(r[8]);
  if (!r[9].is_null()) m.sent_at = epoch(r[9]);
  m.updated_at = epoch(r[10]);
  return m;
}

// Twilio's final statuses map onto the row's own: delivered, or failed (undelivered, failed).
const char* row_status_for(const std::string& twilio_status) {
  if (twilio_status == "delivered" || twilio_status == "read") return "delivered";
  if (twilio_status == "undelivered" || twilio_status == "failed") return "failed";
  return nullptr;
}

}  // namespace

PgOutbox::PgOutbox(db::PgPool& pool) : pool_(pool) {
  pool_.prepare("outbox_due",
                "SELECT m.id, m.kind, m.to_number, m.body, m.attempts,"
                " (m.drop_after IS NOT NULL AND m.drop_after <= to_timestamp($1::double precision)),"
                " EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.mobile = m.to_number)"
                " FROM messages m WHERE (m.status = 'pending' AND m.next_attempt_at <= to_timestamp($1::double precision))"
                " OR (m.status = 'sending' AND m.claimed_until <= to_timestamp($1::double precision))"
                " ORDER BY m.next_attempt_at, m.id LIMIT $2::bigint FOR UPDATE SKIP LOCKED");
  pool_.prepare("outbox_take",
                "UPDATE messages SET status = 'sending', attempts = attempts + 1,"
                " claimed_until = to_timestamp($2::double precision), updated_at = now() WHERE id = $1");
  pool_.prepare("outbox_release",
                "UPDATE messages SET status = 'pending', attempts = attempts - 1, claimed_until = NULL, updated_at = now()"
                " WHERE id = $1 AND status = 'sending'");
  pool_.prepare("outbox_drop",
                "UPDATE messages SET status = 'dropped', last_error = $2, claimed_until = NULL, updated_at = now()"
                " WHERE id = $1");
  // A status callback may have come before this answer was recorded: keep the furthest status.
  pool_.prepare("outbox_sent",
                "UPDATE messages m SET status = CASE WHEN m.status = 'sending' THEN 'sent' ELSE m.status END,"
                " twilio_sid = $2, twilio_status = CASE WHEN twilio_status_rank($3) >= twilio_status_rank(m.twilio_status)"
                " OR m.twilio_status IS NULL THEN $3 ELSE m.twilio_status END,"
                " sent_at = to_timestamp($4::double precision), claimed_until = NULL, error_code = NULL,"
                " last_error = NULL, updated_at = now() WHERE m.id = $1");
  pool_.prepare("outbox_replay_events",
                "SELECT status, error_code FROM message_status_events WHERE message_sid = $1"
                " ORDER BY twilio_status_rank(status)");
  pool_.prepare("outbox_retry",
                "UPDATE messages SET status = 'pending', next_attempt_at = to_timestamp($2::double precision),"
                " claimed_until = NULL, error_code = $3, last_error = $4, updated_at = now()"
                " WHERE id = $1 AND status = 'sending'");
  pool_.prepare("outbox_failed",
                "UPDATE messages SET status = 'failed', claimed_until = NULL, error_code = $2, last_error = $3,"
                " updated_at = now() WHERE id = $1 AND status = 'sending'");
  pool_.prepare("outbox_depth",
                "SELECT count(*), coalesce(extract(epoch FROM to_timestamp($1::double precision) - min(next_attempt_at)), 0)"
                "::double precision FROM messages WHERE status IN ('pending', 'sending')"
                " AND next_attempt_at <= to_timestamp($1::double precision)");
  pool_.prepare("optout_add", "INSERT INTO sms_opt_outs (mobile) VALUES ($1) ON CONFLICT DO NOTHING");
  pool_.prepare("optout_remove", "DELETE FROM sms_opt_outs WHERE mobile = $1");
  pool_.prepare("optout_has", "SELECT 1 FROM sms_opt_outs WHERE mobile = $1");
  pool_.prepare("status_event",
                "INSERT INTO message_status_events (message_sid, status, error_code) VALUES ($1, $2, $3::integer)"
                " ON CONFLICT DO NOTHING");
  // Only forward: a status of higher rank than the one recorded; the row's own status follows
  // Twilio's final ones, and never leaves 'delivered'/'failed' for another.
  pool_.prepare("status_apply",
                "UPDATE messages m SET twilio_status = $2,"
                " status = CASE WHEN $3::text IS NOT NULL AND m.status IN ('sent', 'sending') THEN $3::text ELSE m.status END,"
                " error_code = coalesce($4::integer, m.error_code), updated_at = now()"
                " WHERE m.twilio_sid = $1 AND (m.twilio_status IS NULL"
                " OR twilio_status_rank($2) > twilio_status_rank(m.twilio_status)) RETURNING m.status, m.kind");
  pool_.prepare("msg_for_appt",
                std::string("SELECT ") + kRecordCols + " FROM messages m WHERE m.appointment_id = $1 ORDER BY m.id");
  pool_.prepare("msg_for_user",
                std::string("SELECT ") + kRecordCols +
                    " FROM messages m JOIN appointments a ON a.id = m.appointment_id WHERE a.user_id = $1"
                    " ORDER BY m.id DESC LIMIT $2::bigint");
  pool_.prepare("msg_with_status",
                std::string("SELECT ") + kRecordCols +
                    " FROM messages m WHERE m.status = $1 AND ($2::bigint IS NULL OR m.id < $2::bigint)"
                    " ORDER BY m.id DESC LIMIT $3::bigint");
}

Task<ClaimBatch> PgOutbox::claim(double now, std::size_t limit, std::chrono::seconds lease) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    ClaimBatch batch;
    pqxx::work tx(c);
    auto rows = tx.exec_prepared("outbox_due", now, static_cast<long long>(limit));
    const double until = now + static_cast<double>(lease.count());
    for (const auto& r : rows) {
      const auto id = r[0].as<std::int64_t>();
      const bool too_late = r[5].as<bool>();
      const bool opted_out = r[6].as<bool>();
      if (too_late || opted_out) {
        const char* reason = opted_out ? "opted_out" : "too_late";
        tx.exec_prepared("outbox_drop", id, reason);
        batch.dropped.push_back(Dropped{.id = id, .kind = r[1].as<std::string>(), .reason = reason});
        continue;
      }
      tx.exec_prepared("outbox_take", id, until);
      batch.claims.push_back(Claim{.id = id,
                                   .kind = r[1].as<std::string>(),
                                   .to = r[2].as<std::string>(),
                                   .body = r[3].as<std::string>(),
                                   .attempts = r[4].as<int>() + 1});
    }
    tx.commit();
    return batch;
  });
}

Task<void> PgOutbox::record_sent(std::int64_t id, const std::string& sid, const std::string& twilio_status, double now) {
  co_await pool_.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared("outbox_sent", id, sid, twilio_status, now);
    // Callbacks that arrived before this answer was recorded: apply them now, in rank order.
    for (const auto& e : tx.exec_prepared("outbox_replay_events", sid)) {
      const auto status = e[0].as<std::string>();
      const char* row = row_status_for(status);
      std::optional<std::string> code;
      if (!e[1].is_null()) code = e[1].as<std::string>();
      tx.exec_prepared("status_apply", sid, status, row, code ? code->c_str() : nullptr);
    }
    tx.commit();
  });
}

Task<void> PgOutbox::release(std::int64_t id) {
  co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit
    tx.exec_prepared("outbox_release", id);
  });
}

Task<void> PgOutbox::record_retry(std::int64_t id, double next_attempt, int error_code, const std::string& error) {
  co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit
    const std::string code = std::to_string(error_code);
    tx.exec_prepared("outbox_retry", id, next_attempt, error_code ? code.c_str() : nullptr, error);
  });
}

Task<void> PgOutbox::record_failed(std::int64_t id, int error_code, const std::string& error) {
  co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit
    const std::string code = std::to_string(error_code);
    tx.exec_prepared("outbox_failed", id, error_code ? code.c_str() : nullptr, error);
  });
}

Task<OutboxDepth> PgOutbox::depth(double now) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit, no BEGIN/ROLLBACK
    auto r = tx.exec_prepared1("outbox_depth", now);
    return OutboxDepth{.due = r[0].as<long long>(), .oldest_due_seconds = r[1].as<double>()};
  });
}

Task<void> PgOutbox::opt_out(const PhoneE164& mobile) {
  co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit
    tx.exec_prepared("optout_add", mobile);
  });
}

Task<void> PgOutbox::opt_in(const PhoneE164& mobile) {
  co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit
    tx.exec_prepared("optout_remove", mobile);
  });
}

Task<bool> PgOutbox::opted_out(const PhoneE164& mobile) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit, no BEGIN/ROLLBACK
    return !tx.exec_prepared("optout_has", mobile).empty();
  });
}

Task<std::optional<StatusChange>> PgOutbox::record_status(const std::string& sid, const std::string& status,
                                                          std::optional<int> error_code) {
  co_return co_await pool_.run([&](pqxx::connection& c) -> std::optional<StatusChange> {
    pqxx::work tx(c);
    const std::string code = error_code ? std::to_string(*error_code) : std::string();
    const char* code_param = error_code ? code.c_str() : nullptr;
    auto inserted = tx.exec_prepared("status_event", sid, status, code_param);
    std::optional<StatusChange> changed;
    if (inserted.affected_rows() > 0) {
      auto r = tx.exec_prepared("status_apply", sid, status, row_status_for(status), code_param);
      if (!r.empty()) changed = StatusChange{.row_status = r[0][0].as<std::string>(), .kind = r[0][1].as<std::string>()};
    }
    tx.commit();
    return changed;
  });
}

Task<std::vector<MessageRecord>> PgOutbox::for_appointment(std::int64_t appointment_id) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit, no BEGIN/ROLLBACK
    std::vector<MessageRecord> out;
    for (const auto& r : tx.exec_prepared("msg_for_appt", appointment_id)) out.push_back(record_from(r));
    return out;
  });
}

Task<std::vector<MessageRecord>> PgOutbox::for_user(std::int64_t user_id, std::size_t limit) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit, no BEGIN/ROLLBACK
    std::vector<MessageRecord> out;
    for (const auto& r : tx.exec_prepared("msg_for_user", user_id, static_cast<long long>(limit))) out.push_back(record_from(r));
    return out;
  });
}

Task<std::vector<MessageRecord>> PgOutbox::with_status(const std::string& status, std::size_t limit,
                                                       std::optional<std::int64_t> before_id) {
  co_return co_await pool_.run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: autocommit, no BEGIN/ROLLBACK
    const std::string before = before_id ? std::to_string(*before_id) : std::string();
    std::vector<MessageRecord> out;
    for (const auto& r : tx.exec_prepared("msg_with_status", status, before_id ? before.c_str() : nullptr,
                                          static_cast<long long>(limit)))
      out.push_back(record_from(r));
    return out;
  });
}

}  // namespace bella::notify
