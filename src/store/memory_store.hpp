// SessionStore in process memory: per-key TTL, bounded size; for tests, no-Redis runs and fallback.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <vector>

#include "bella/store/session_store.hpp"

namespace bella::store {

struct MemoryStoreSettings {
  std::size_t max_keys = 10'000;
  /// Time source; tests inject a function they advance by hand instead of sleeping.
  std::function<std::chrono::steady_clock::time_point()> now = [] { return std::chrono::steady_clock::now(); };
};

/// Thread-safe: a mutex guards the map; no method blocks beyond that short critical section.
/// Expired keys are absent to every method. When full, a write first drops expired keys, then
/// evicts the key expiring soonest (oldest write on ties).
class MemorySessionStore final : public SessionStore {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Entry {
    std::string key;
    std::string value;
    std::chrono::seconds ttl_left;  // rounded up, at least 1 s
  };

  explicit MemorySessionStore(MemoryStoreSettings settings = {});

  Task<std::optional<std::string>> load(std::string key) override;
  Task<void> save(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<bool> claim(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<void> erase(std::string key) override;
  Task<std::size_t> erase_containing(std::string needle) override;
  [[nodiscard]] std::string_view backend() const override { return "memory"; }

  // Synchronous forms of the above (the coroutines call these).
  std::optional<std::string> get(const std::string& key);
  void put(const std::string& key, std::string value, std::chrono::seconds ttl);
  bool put_if_absent(const std::string& key, std::string value, std::chrono::seconds ttl);
  void remove(const std::string& key);
  std::size_t remove_containing(const std::string& needle);

  /// Live keys right now (expired ones are not counted).
  [[nodiscard]] std::size_t size();
  /// Removes and returns every live entry, atomically (used when the fallback hands keys back).
  std::vector<Entry> take_all();
  /// The live entries, left in place.
  std::vector<Entry> snapshot();

 private:
  struct Slot {
    std::string value;
    TimePoint expires;
    std::uint64_t seq;
  };
  using IndexKey = std::tuple<TimePoint, std::uint64_t, std::string>;  // soonest expiry first

  void purge_expired(TimePoint now);        // mutex held
  void insert(const std::string& key, std::string value, TimePoint expires);  // mutex held
  void drop(std::map<std::string, Slot>::iterator it);  // mutex held
  std::vector<Entry> live_entries(TimePoint now);  // mutex held

  MemoryStoreSettings settings_;
  std::mutex mutex_;
  std::map<std::string, Slot> slots_;
  std::set<IndexKey> by_expiry_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace bella::store
