// Circuit breaker for the LLM fallback: stop calling a failing service, probe it again later.
#pragma once
#include <chrono>
#include <functional>
#include <mutex>

namespace bella::llm {

enum class BreakerState { closed = 0, half_open = 1, open = 2 };  // values are the gauge's

struct BreakerSettings {
  /// Consecutive failures that open the breaker.
  unsigned failure_threshold = 5;
  /// How long an open breaker refuses calls before letting one probe through.
  std::chrono::milliseconds cooldown{30'000};
};

/// closed -> open after `failure_threshold` consecutive failures -> half-open once `cooldown` has
/// passed (exactly one probe at a time is let through) -> closed on the probe's success, open again
/// (new cool-down) on its failure. The clock is injected so tests can drive it without sleeping.
/// Thread-safe: every method may be called from any thread.
class CircuitBreaker {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;
  using OnChange = std::function<void(BreakerState)>;

  explicit CircuitBreaker(BreakerSettings settings, Now now = &std::chrono::steady_clock::now,
                          OnChange on_change = {});

  /// May a call go out now? In half-open state only the single probe gets true; the caller that
  /// got true MUST then report on_success() or on_failure() (or release() if it never called).
  [[nodiscard]] bool allow();
  void on_success();
  void on_failure();
  /// The caller that got allow()==true did not make the call after all (e.g. refused by a cap).
  void release();

  [[nodiscard]] BreakerState state() const;

 private:
  void set_state(BreakerState s);  // mutex held

  BreakerSettings settings_;
  Now now_;
  OnChange on_change_;
  mutable std::mutex mutex_;
  BreakerState state_ = BreakerState::closed;
  unsigned failures_ = 0;
  bool probe_out_ = false;
  std::chrono::steady_clock::time_point opened_at_{};
};

}  // namespace bella::llm
