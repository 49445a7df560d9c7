// PgOutbox: the `messages` outbox, opt-outs and status callbacks in PostgreSQL (through PgPool).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/pg_pool.hpp"
#include "bella/notify/message_log.hpp"

namespace bella::notify {

/// A text claimed for sending by this instance (status 'sending' until recorded).
struct Claim {
  std::int64_t id = 0;
  std::string kind;
  PhoneE164 to;
  std::string body;
  int attempts = 0;  // including this one
};

struct Dropped {
  std::int64_t id = 0;
  std::string kind;
  std::string reason;  // opted_out | too_late
};

struct ClaimBatch {
  std::vector<Claim> claims;
  std::vector<Dropped> dropped;  // due texts not sent: the number opted out, or the visit began
};

struct OutboxDepth {
  long long due = 0;            // pending or claimed texts whose time has come
  double oldest_due_seconds = 0;  // how long the oldest of them has waited
};

struct StatusChange {
  std::string row_status;  // the message row's status after the callback
  std::string kind;
};

/// Instants are "now" from the service's Clock (seconds since the epoch, fractional), never the
/// database's, so a shifted test clock and the outbox agree. Thread-safe.
class PgOutbox final : public MessageLog {
 public:
  explicit PgOutbox(db::PgPool& pool);

  /// Claims up to `limit` due texts with FOR UPDATE SKIP LOCKED (several instances never claim
  /// the same row); claims that lapsed (`lease` passed without a result) are taken again.
  Task<ClaimBatch> claim(double now, std::size_t limit, std::chrono::seconds lease);
  /// Gives back a claim that was not tried (shutting down): pending again, the attempt not counted.
  Task<void> release(std::int64_t id);
  Task<void> record_sent(std::int64_t id, const std::string& sid, const std::string& twilio_status, double now);
  Task<void> record_retry(std::int64_t id, double next_attempt, int error_code, const std::string& error);
  Task<void> record_failed(std::int64_t id, int error_code, const std::string& error);
  Task<OutboxDepth> depth(double now);

  Task<void> opt_out(const PhoneE164& mobile);
  Task<void> opt_in(const PhoneE164& mobile);
  [[nodiscard]] Task<bool> opted_out(const PhoneE164& mobile);
  /// Records a status callback once per (sid, status) and moves the message's row forward only
  /// (never back: a late 'sent' after 'delivered' changes nothing). Returns the row's new status
  /// when the callback moved it, for the metrics.
  Task<std::optional<StatusChange>> record_status(const std::string& sid, const std::string& status,
                                                 std::optional<int> error_code);

  Task<std::vector<MessageRecord>> for_appointment(std::int64_t appointment_id) override;
  Task<std::vector<MessageRecord>> for_user(std::int64_t user_id, std::size_t limit) override;
  Task<std::vector<MessageRecord>> with_status(const std::string& status, std::size_t limit,
                                               std::optional<std::int64_t> before_id) override;

 private:
  db::PgPool& pool_;
};

}  // namespace bella::notify
