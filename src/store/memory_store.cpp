// In-memory SessionStore: a map plus an expiry index, so expiry and eviction are O(log n).
#include "store/memory_store.hpp"

#include <algorithm>

namespace bella::store {

MemorySessionStore::MemorySessionStore(MemoryStoreSettings settings) : settings_(std::move(settings)) {
  if (settings_.max_keys == 0) settings_.max_keys = 1;
  if (!settings_.now) settings_.now = [] { return std::chrono::steady_clock::now(); };
}

void MemorySessionStore::drop(std::map<std::string, Slot>::iterator it) {
  by_expiry_.erase(IndexKey{it->second.expires, it->second.seq, it->first});
  slots_.erase(it);
}

void MemorySessionStore::purge_expired(TimePoint now) {
  while (!by_expiry_.empty() && std::get<0>(*by_expiry_.begin()) <= now) {
    auto key = std::get<2>(*by_expiry_.begin());
    by_expiry_.erase(by_expiry_.begin());
    slots_.erase(key);
  }
}

void MemorySessionStore::insert(const std::string& key, std::string value, TimePoint expires) {
  if (auto it = slots_.find(key); it != slots_.end()) drop(it);
  while (slots_.size() >= settings_.max_keys && !by_expiry_.empty()) {
    auto victim = std::get<2>(*by_expiry_.begin());
    by_expiry_.erase(by_expiry_.begin());
    slots_.erase(victim);
  }
  const auto seq = next_seq_++;
  slots_.emplace(key, Slot{std::move(value), expires, seq});
  by_expiry_.emplace(expires, seq, key);
}

std::optional<std::string> MemorySessionStore::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return std::nullopt;
  if (it->second.expires <= settings_.now()) {
    drop(it);
    return std::nullopt;
  }
  return it->second.value;
}

void MemorySessionStore::put(const std::string& key, std::string value, std::chrono::seconds ttl) {
  std::lock_guard lock(mutex_);
  const auto now = settings_.now();
  purge_expired(now);
  insert(key, std::move(value), now + std::max(ttl, std::chrono::seconds(1)));
}

bool MemorySessionStore::put_if_absent(const std::string& key, std::string value, std::chrono::seconds ttl) {
  std::lock_guard lock(mutex_);
  const auto now = settings_.now();
  purge_expired(now);  // an expired claim no longer holds
  if (slots_.count(key) != 0) return false;
  insert(key, std::move(value), now + std::max(ttl, std::chrono::seconds(1)));
  return true;
}

void MemorySessionStore::remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(key); it != slots_.end()) drop(it);
}

std::size_t MemorySessionStore::size() {
  std::lock_guard lock(mutex_);
  purge_expired(settings_.now());
  return slots_.size();
}

std::vector<MemorySessionStore::Entry> MemorySessionStore::live_entries(TimePoint now) {
  purge_expired(now);
  std::vector<Entry> out;
  out.reserve(slots_.size());
  for (const auto& [key, slot] : slots_) {
    auto left = std::chrono::ceil<std::chrono::seconds>(slot.expires - now);
    out.push_back(Entry{key, slot.value, std::max(left, std::chrono::seconds(1))});
  }
  return out;
}

std::vector<MemorySessionStore::Entry> MemorySessionStore::snapshot() {
  std::lock_guard lock(mutex_);
  return live_entries(settings_.now());
}

std::vector<MemorySessionStore::Entry> MemorySessionStore::take_all() {
  std::lock_guard lock(mutex_);
  auto out = live_entries(settings_.now());
  slots_.clear();
  by_expiry_.clear();
  return out;
}

Task<std::optional<std::string>> MemorySessionStore::load(std::string key) { co_return get(key); }

Task<void> MemorySessionStore::save(std::string key, std::string value, std::chrono::seconds ttl) {
  put(key, std::move(value), ttl);
  co_return;
}

Task<bool> MemorySessionStore::claim(std::string key, std::string value, std::chrono::seconds ttl) {
  co_return put_if_absent(key, std::move(value), ttl);
}

std::size_t MemorySessionStore::remove_containing(const std::string& needle) {
  if (needle.empty()) return 0;
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto it = slots_.begin(); it != slots_.end();) {
    auto next = std::next(it);
    if (it->first.find(needle) != std::string::npos) {
      drop(it);
      ++n;
    }
    it = next;
  }
  return n;
}

Task<std::size_t> MemorySessionStore::erase_containing(std::string needle) { co_return remove_containing(needle); }

Task<void> MemorySessionStore::erase(std::string key) {
  remove(key);
  co_return;
}

}  // namespace bella::store
