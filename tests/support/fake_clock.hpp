// A clock that says what the test tells it.
#pragma once
#include <atomic>
#include <chrono>

#include "bella/core/clock.hpp"

namespace bella::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::sys_seconds t) : now_(t.time_since_epoch().count()) {}
  [[nodiscard]] std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(now_.load()));
  }
  void set(std::chrono::sys_seconds t) { now_ = t.time_since_epoch().count(); }
  void advance(std::chrono::seconds d) { now_ += d.count(); }

 private:
  std::atomic<long long> now_;
};

}  // namespace bella::testing
