// OutboxSender: the loop each instance runs to send due texts from the outbox.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <random>
#include <mutex>

#include "bella/core/asio.hpp"
#include "bella/core/clock.hpp"
#include "notify/settings.hpp"
#include "notify/pg_outbox.hpp"
#include "notify/twilio_messages.hpp"

namespace bella::notify {

/// bella_messages_total{kind, status}: one increment per text reaching a final status.
void count_message(const std::string& kind, const std::string& status);

/// Every poll_interval (at once again after a full batch): claim due texts, send each, record
/// Twilio's answer (sent / retry with backoff / failed), refresh the outbox gauges. A database
/// outage is waited out. Runs on its own strand of the io_context; never blocks it.
class OutboxSender {
 public:
  OutboxSender(asio::any_io_executor executor, PgOutbox& outbox, TwilioMessages& client, const Clock& clock,
               Settings settings);
  void start();
  /// Ends the loop after the text in hand (recorded, so no claim is left to lapse), then calls
  /// `stopped` on the sender's strand. Safe from any thread; call once.
  void stop(std::function<void()> stopped = {});

 private:
  Task<void> run();
  Task<bool> pass();  // true when a full batch was claimed (more may be due)
  Task<void> deliver(const Claim& claim);
  double now() const;
  double jitter();

  asio::strand<asio::any_io_executor> strand_;
  PgOutbox& outbox_;
  TwilioMessages& client_;
  const Clock& clock_;
  Settings settings_;
  asio::steady_timer timer_;
  std::atomic<bool> stopping_{false};
  bool finished_ = false;                // strand only
  std::function<void()> on_stopped_;     // strand only
  std::mutex rng_mutex_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace bella::notify
