// A session store in a map that records what it was asked (keys, values and TTLs) and how many
// round trips that took, can be made to fail, and lets a test plant another copy's claim.
#pragma once
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bella/core/error.hpp"
#include "bella/store/session_store.hpp"

namespace bella::testing {

class FakeSessionStore final : public store::SessionStore {
 public:
  struct Entry {
    std::string value;
    std::chrono::seconds ttl{0};
  };

  Task<std::optional<std::string>> load(std::string key) override {
    std::lock_guard lock(mu_);
    begin_round_trip();
    co_return get_locked(key);
  }
  Task<void> save(std::string key, std::string value, std::chrono::seconds ttl) override {
    std::lock_guard lock(mu_);
    begin_round_trip();
    map_[key] = Entry{std::move(value), ttl};
    co_return;
  }
  Task<bool> claim(std::string key, std::string value, std::chrono::seconds ttl) override {
    std::lock_guard lock(mu_);
    begin_round_trip();
    co_return claim_locked(key, std::move(value), ttl);
  }
  // One round trip each, as Redis pipelines them.
  Task<store::ClaimedLoad> claim_then_load(std::string claim_key, std::string claim_value, std::chrono::seconds ttl,
                                           std::string load_key) override {
    std::lock_guard lock(mu_);
    begin_round_trip();
    store::ClaimedLoad out;
    out.claimed = claim_locked(claim_key, std::move(claim_value), ttl);
    out.value = get_locked(load_key);
    co_return out;
  }
  Task<void> save_all(std::vector<store::Write> writes) override {
    std::lock_guard lock(mu_);
    begin_round_trip();
    for (auto& w : writes) map_[w.key] = Entry{std::move(w.value), w.ttl};
    co_return;
  }
  Task<void> erase(std::string key) override {
    std::lock_guard lock(mu_);
    begin_round_trip();
    erased_.push_back(key);
    map_.erase(key);
    co_return;
  }
  Task<std::size_t> erase_containing(std::string needle) override {
    std::lock_guard lock(mu_);
    begin_round_trip();
    std::size_t n = 0;
    for (auto it = map_.begin(); it != map_.end();) {
      if (!needle.empty() && it->first.find(needle) != std::string::npos) {
        erased_.push_back(it->first);
        it = map_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    co_return n;
  }
  [[nodiscard]] std::string_view backend() const override { return "fake"; }

  std::optional<Entry> get(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void put(const std::string& key, std::string value, std::chrono::seconds ttl = std::chrono::seconds(900)) {
    std::lock_guard lock(mu_);
    map_[key] = Entry{std::move(value), ttl};
  }
  std::vector<Entry> claims() const {
    std::lock_guard lock(mu_);
    return claims_;
  }
  std::vector<std::string> erased() const {
    std::lock_guard lock(mu_);
    return erased_;
  }
  void set_down(bool down) { down_ = down; }
  /// Calls made so far: one round trip each (claim_then_load and save_all included).
  int round_trips() const {
    std::lock_guard lock(mu_);
    return round_trips_;
  }

 private:
  void begin_round_trip() {
    ++round_trips_;
    if (down_) throw Unavailable("redis", "fake store is down");
  }
  std::optional<std::string> get_locked(const std::string& key) const {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second.value;
  }
  bool claim_locked(const std::string& key, std::string value, std::chrono::seconds ttl) {
    claims_.push_back(Entry{value, ttl});
    if (map_.contains(key)) return false;
    map_[key] = Entry{std::move(value), ttl};
    return true;
  }
  mutable std::mutex mu_;
  std::map<std::string, Entry> map_;
  std::vector<Entry> claims_;
  std::vector<std::string> erased_;
  bool down_ = false;
  int round_trips_ = 0;
};

}  // namespace bella::testing
