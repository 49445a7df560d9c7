// Degraded-mode decorator: sessions go to Redis, or to memory while Redis fails, and back.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "bella/store/session_store.hpp"
#include "store/memory_store.hpp"

namespace bella::store {

/// Same shape as api::ReadinessProbe::check: nullopt when the primary answers within `deadline`.
using HealthProbe = std::function<Task<std::optional<std::string>>(std::chrono::milliseconds deadline)>;

struct FallbackSettings {
  std::chrono::milliseconds probe_interval{1'000};  // how often a degraded store asks the primary (REDIS_PROBE_INTERVAL_MS)
  std::chrono::milliseconds probe_deadline{250};    // REDIS_TIMEOUT_MS
};

/// Uses `primary` (Redis) until one of its calls throws; that call and the following ones are
/// answered by `memory` (logged at warn, counted), so the caller's turn never fails for it. A probe
/// loop PINGs the primary while degraded and switches back when it answers.
///
/// Switching back hands the memory entries that are still live to the primary (SET EX with their
/// remaining TTL), then clears memory, so a call that started during the outage continues on this
/// instance; and restores this task's mirrored writes where the primary has no value (SET NX: a
/// Redis that restarted empty), never overwriting one. What it cannot cover: another instance never saw those entries while Redis was down,
/// so a turn routed there during the outage started afresh, and a session saved in Redis before the
/// outage by another task is invisible while degraded (this task's own writes are mirrored in memory). A write that races the
/// final hand-back (decided "degraded" just before the switch) can still land in cleared memory.
///
/// Thread-safe. Call start() once; call stop() before destruction and keep the store alive until
/// the io_context has stopped (the probe loop refers to it).
class FallbackSessionStore final : public SessionStore {
 public:
  FallbackSessionStore(SessionStore& primary, MemorySessionStore& memory, HealthProbe probe,
                       FallbackSettings settings = {});

  Task<std::optional<std::string>> load(std::string key) override;
  Task<void> save(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<bool> claim(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<void> erase(std::string key) override;
  Task<std::size_t> erase_containing(std::string needle) override;
  /// The primary's single round trip while it answers; memory's answers (as claim() and load()
  /// give them) once it does not.
  Task<ClaimedLoad> claim_then_load(std::string claim_key, std::string claim_value, std::chrono::seconds ttl,
                                    std::string load_key) override;
  Task<void> save_all(std::vector<Write> writes) override;
  /// primary's name ("redis") or "memory" while degraded.
  [[nodiscard]] std::string_view backend() const override;

  /// Spawns the probe loop on `executor`.
  void start(asio::any_io_executor executor);
  void stop();

  /// One probe step (the loop calls it every probe_interval): when degraded and the primary
  /// answers, hands memory entries back and switches. True when the primary is active afterwards.
  Task<bool> probe_once();

  [[nodiscard]] bool degraded() const { return degraded_.load(); }

 private:
  struct Loop;
  void confirm();
  void degrade(const char* op, const std::string& why);
  void recover(std::size_t handed_back);
  // What claim() and load() answer while degraded (memory, then this task's mirror).
  std::optional<std::string> load_in_memory(const std::string& key);
  bool claim_in_memory(const std::string& key, std::string value, std::chrono::seconds ttl);
  Task<std::string> hand_back(std::vector<MemorySessionStore::Entry> entries);  // "" or the error
  static Task<void> probe_loop(FallbackSessionStore* self, std::shared_ptr<Loop> loop);

  SessionStore& primary_;
  MemorySessionStore& memory_;
  // Write-through copy of what this task wrote while Redis was healthy, read while degraded so
  // a call in progress survives Redis dying. Never handed back (another task may have newer data).
  MemorySessionStore mirror_;
  HealthProbe probe_;
  FallbackSettings settings_;
  std::atomic<bool> degraded_{false};
  std::atomic<bool> confirmed_{false};  // the primary answered or failed once (the gauge is known)
  std::atomic<bool> probing_{false};
  std::mutex switch_mutex_;  // one transition at a time, so logs and metrics match the state
  std::shared_ptr<Loop> loop_;
};

}  // namespace bella::store
