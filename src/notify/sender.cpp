// The outbox sender loop. Logs carry message ids, kinds and Twilio codes, never numbers or text.
#include "notify/sender.hpp"

#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace bella::notify {
namespace {

obs::Counter& messages_total() {
  static auto& c = obs::registry().counter("bella_messages_total", "Texts by kind and final status (sent, failed, dropped, delivered, undelivered)");
  return c;
}
obs::Gauge& depth_gauge() {
  static auto& g = obs::registry().gauge("bella_outbox_depth", "Texts due now and not yet handed to Twilio");
  return g;
}
obs::Gauge& oldest_gauge() {
  static auto& g = obs::registry().gauge("bella_outbox_oldest_due_seconds", "How long the oldest due text has waited");
  return g;
}

}  // namespace

void count_message(const std::string& kind, const std::string& status) {
  messages_total().inc({{"kind", kind}, {"status", status}});
}

OutboxSender::OutboxSender(asio::any_io_executor executor, PgOutbox& outbox, TwilioMessages& client,
                           const Clock& clock, Settings settings)
    : strand_(asio::make_strand(executor)),
      outbox_(outbox),
      client_(client),
      clock_(clock),
      settings_(std::move(settings)),
      timer_(strand_) {}

void OutboxSender::start() {
  depth_gauge().set(0);
  oldest_gauge().set(0);
  asio::co_spawn(strand_, run(), asio::detached);
}

void OutboxSender::stop(std::function<void()> stopped) {
  stopping_ = true;
  asio::post(strand_, [this, stopped = std::move(stopped)]() mutable {
    timer_.cancel();
    if (finished_) {
      if (stopped) stopped();
      return;
    }
    on_stopped_ = std::move(stopped);
  });
}

double OutboxSender::now() const {
  return std::chrono::duration<double>(clock_.now().time_since_epoch()).count();
}

double OutboxSender::jitter() {
  std::lock_guard lock(rng_mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

Task<void> OutboxSender::run() {
  obs::info("texts sender started",
            {{"poll_ms", settings_.poll_interval.count()}, {"lead_minutes", settings_.reminder_lead.count()}});
  while (!stopping_) {
    bool more = false;
    try {
      more = co_await pass();
    } catch (const std::exception& e) {
      obs::warn("texts sender pass failed", {{"error", e.what()}});
    }
    if (stopping_) break;
    if (more) continue;
    timer_.expires_after(settings_.poll_interval);
    error_code ec;
    co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  obs::info("texts sender stopped");
  finished_ = true;
  if (on_stopped_) {
    auto done = std::move(on_stopped_);
    on_stopped_ = nullptr;
    done();
  }
}

Task<bool> OutboxSender::pass() {
  const double t = now();
  const ClaimBatch batch = co_await outbox_.claim(t, settings_.batch, settings_.claim_lease);
  for (const auto& d : batch.dropped) {
    obs::info("text dropped", {{"message_id", d.id}, {"kind", d.kind}, {"reason", d.reason}});
    count_message(d.kind, "dropped");
  }
  for (const auto& c : batch.claims) {
    if (stopping_) {
      co_await outbox_.release(c.id);  // untried: back to pending for another instance or the next start
      continue;
    }
    co_await deliver(c);
  }
  if (stopping_) co_return false;
  const double after = now();
  const OutboxDepth depth = co_await outbox_.depth(after);
  depth_gauge().set(static_cast<double>(depth.due));
  oldest_gauge().set(depth.oldest_due_seconds);
  co_return batch.claims.size() + batch.dropped.size() >= settings_.batch;
}

Task<void> OutboxSender::deliver(const Claim& claim) {
  const SendOutcome out = co_await client_.send(claim.to, claim.body);
  const NextStep next = next_step(settings_.retry, out.http_status, out.transport_error, claim.attempts, jitter());
  switch (next.verdict) {
    case Verdict::sent: {
      const double t = now();
      const std::string twilio_status = out.status.empty() ? std::string("queued") : out.status;
      co_await outbox_.record_sent(claim.id, out.sid, twilio_status, t);
      obs::info("text sent", {{"message_id", claim.id}, {"kind", claim.kind}, {"attempt", claim.attempts},
                              {"sid", out.sid}, {"status", out.status}});
      count_message(claim.kind, "sent");
      break;
    }
    case Verdict::retry: {
      const double at = now() + std::chrono::duration<double>(next.delay).count();
      co_await outbox_.record_retry(claim.id, at, out.error_code, out.error);
      obs::warn("text retry", {{"message_id", claim.id}, {"kind", claim.kind}, {"attempt", claim.attempts},
                               {"http_status", out.http_status}, {"code", out.error_code},
                               {"retry_in_ms", next.delay.count()}, {"error", out.error}});
      break;
    }
    case Verdict::failed: {
      co_await outbox_.record_failed(claim.id, out.error_code, out.error);
      obs::warn("text failed", {{"message_id", claim.id}, {"kind", claim.kind}, {"attempt", claim.attempts},
                                {"http_status", out.http_status}, {"code", out.error_code}, {"error", out.error}});
      count_message(claim.kind, "failed");
      break;
    }
  }
}

}  // namespace bella::notify
