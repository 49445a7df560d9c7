// Test double: a SessionStore that answers from memory until told to fail, like Redis going down.
#pragma once
#include <atomic>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "store/fallback_store.hpp"
#include "store/memory_store.hpp"

namespace bella::testing {

/// Calls the inner memory store while `up`; throws Unavailable while down.
/// Counts calls so tests can see whether the primary was asked. Thread-safe.
class SwitchableSessionStore final : public store::SessionStore {
 public:
  explicit SwitchableSessionStore(store::MemoryStoreSettings settings = {}) : inner_(std::move(settings)) {}

  void set_up(bool up) { up_ = up; }
  /// The probe a FallbackSessionStore gets: healthy exactly when `up`.
  store::HealthProbe probe();

  Task<std::optional<std::string>> load(std::string key) override;
  Task<void> save(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<bool> claim(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<void> erase(std::string key) override;
  Task<std::size_t> erase_containing(std::string needle) override;
  [[nodiscard]] std::string_view backend() const override { return "redis"; }

  store::MemorySessionStore& inner() { return inner_; }
  [[nodiscard]] int calls() const { return calls_; }

 private:
  void check();
  store::MemorySessionStore inner_;
  std::atomic<bool> up_{true};
  std::atomic<int> calls_{0};
};

/// Runs one coroutine to completion on a private io_context and returns its result.
template <class T>
T run_task(std::function<Task<T>()> make) {
  asio::io_context ioc;
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(ioc, make(), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) out.emplace(std::move(v));
  });
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

inline void run_task_void(std::function<Task<void>()> make) {
  asio::io_context ioc;
  std::exception_ptr error;
  asio::co_spawn(ioc, make(), [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);
}

}  // namespace bella::testing
