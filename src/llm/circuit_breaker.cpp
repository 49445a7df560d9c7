// Circuit breaker state machine (closed / open / half-open) behind the LLM client.
#include "llm/circuit_breaker.hpp"

#include <utility>

namespace bella::llm {

CircuitBreaker::CircuitBreaker(BreakerSettings settings, Now now, OnChange on_change)
    : settings_(settings), now_(std::move(now)), on_change_(std::move(on_change)) {
  if (settings_.failure_threshold == 0) settings_.failure_threshold = 1;
}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case BreakerState::closed:
      return true;
    case BreakerState::open:
      if (now_() - opened_at_ < settings_.cooldown) return false;
      set_state(BreakerState::half_open);
      probe_out_ = true;
      return true;
    case BreakerState::half_open:
      // One probe at a time: a struggling service gets one request, not a burst.
      if (probe_out_) return false;
      probe_out_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::on_success() {
  std::lock_guard lock(mutex_);
  failures_ = 0;
  probe_out_ = false;
  if (state_ != BreakerState::closed) set_state(BreakerState::closed);
}

void CircuitBreaker::on_failure() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case BreakerState::closed:
      if (++failures_ >= settings_.failure_threshold) {
        opened_at_ = now_();
        set_state(BreakerState::open);
      }
      break;
    case BreakerState::half_open:
      probe_out_ = false;
      opened_at_ = now_();
      set_state(BreakerState::open);
      break;
    case BreakerState::open:
      // A call that went out before the breaker opened failed late: the cool-down already runs.
      break;
  }
}

void CircuitBreaker::release() {
  std::lock_guard lock(mutex_);
  if (state_ == BreakerState::half_open) probe_out_ = false;
}

BreakerState CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void CircuitBreaker::set_state(BreakerState s) {
  state_ = s;
  if (s == BreakerState::closed) failures_ = 0;
  if (on_change_) on_change_(s);
}

}  // namespace bella::llm
