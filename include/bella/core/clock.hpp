// PORT Clock: where "now" comes from. Thread-safe: now() may be called from any thread.
#pragma once
#include <chrono>

namespace bella {

using SysTime = std::chrono::sys_time<std::chrono::seconds>;

/// The source of "now". Pure code takes `now` as an argument; only turn/handler code reads a Clock.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::system_clock::time_point now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
};

/// A clock that started at a fixed instant and advances with real time. Production never uses it;
/// e2e tests set BELLA_FAKE_NOW so that "tomorrow at 3" means the same thing on every run.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::chrono::system_clock::time_point start)
      : offset_(start - std::chrono::system_clock::now()) {}
  [[nodiscard]] std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now() + offset_;
  }

 private:
  std::chrono::system_clock::duration offset_;
};

}  // namespace bella
