// Fallback decorator: Redis else memory, probe loop, hand-back on recovery; logs and metrics per switch.
#include "store/fallback_store.hpp"

#include "obs/log.hpp"

#include <charconv>
#include <map>


#include "obs/metrics.hpp"

namespace bella::store {
namespace {

obs::Gauge& backend_gauge() {
  return obs::registry().gauge("bella_session_store_backend", "Active session store backend (1 = active)");
}
obs::Counter& switches() {
  return obs::registry().counter("bella_session_store_switches_total", "Session store backend switches");
}
obs::Counter& fallbacks() {
  return obs::registry().counter("bella_session_store_fallback_ops_total",
                                 "Session store calls answered from memory because Redis failed");
}

void set_gauge(std::string_view primary_name, bool degraded) {
  const std::string primary(primary_name);
  backend_gauge().set({{"backend", primary}}, degraded ? 0 : 1);
  backend_gauge().set({{"backend", "memory"}}, degraded ? 1 : 0);
}

}  // namespace

struct FallbackSessionStore::Loop {
  explicit Loop(asio::any_io_executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  std::atomic<bool> stopped{false};
};

FallbackSessionStore::FallbackSessionStore(SessionStore& primary, MemorySessionStore& memory, HealthProbe probe,
                                           FallbackSettings settings)
    : primary_(primary), memory_(memory), probe_(std::move(probe)), settings_(settings) {
  // Neither backend is "active" until the primary has answered (or failed) once: an instance
  // started with Redis down must not report redis in the meantime.
  backend_gauge().set({{"backend", std::string(primary_.backend())}}, 0);
  backend_gauge().set({{"backend", "memory"}}, 0);
  // Both series exist from the start (at 0), so dashboards and alerts see them before a switch.
  switches().inc({{"to", "memory"}}, 0);
  switches().inc({{"to", std::string(primary_.backend())}}, 0);
}

std::string_view FallbackSessionStore::backend() const {
  return degraded_.load() ? memory_.backend() : primary_.backend();
}

void FallbackSessionStore::confirm() {
  if (confirmed_.load()) return;
  std::lock_guard lock(switch_mutex_);
  if (confirmed_.exchange(true) || degraded_) return;
  set_gauge(primary_.backend(), false);
}

void FallbackSessionStore::degrade(const char* op, const std::string& why) {
  fallbacks().inc({{"op", op}});
  std::lock_guard lock(switch_mutex_);
  confirmed_ = true;
  if (degraded_.exchange(true)) {
    obs::debug("session store answered from memory", {{"op", op}, {"error", why}});
    return;
  }
  switches().inc({{"to", "memory"}});
  set_gauge(primary_.backend(), true);
  obs::warn("session store switched", {{"backend", "memory"}, {"from", primary_.backend()}, {"op", op}, {"error", why}});
}

void FallbackSessionStore::recover(std::size_t handed_back) {
  std::lock_guard lock(switch_mutex_);
  if (!degraded_.exchange(false)) return;
  switches().inc({{"to", std::string(primary_.backend())}});
  set_gauge(primary_.backend(), false);
  obs::info("session store switched", {{"backend", primary_.backend()}, {"from", "memory"}, {"handed_back", handed_back}});
}

Task<std::optional<std::string>> FallbackSessionStore::load(std::string key) {
  if (!degraded_) {
    std::string error;
    try {
      auto v = co_await primary_.load(key);
      confirm();
      co_return v;
    } catch (const std::exception& e) {
      error = e.what();
    }
    degrade("load", error);
  }
  co_return load_in_memory(key);
}

Task<void> FallbackSessionStore::save(std::string key, std::string value, std::chrono::seconds ttl) {
  if (!degraded_) {
    std::string error;
    try {
      co_await primary_.save(key, value, ttl);
      confirm();
      mirror_.put(key, std::move(value), ttl);
      co_return;
    } catch (const std::exception& e) {
      error = e.what();
    }
    degrade("save", error);
  }
  memory_.put(key, std::move(value), ttl);
}

Task<bool> FallbackSessionStore::claim(std::string key, std::string value, std::chrono::seconds ttl) {
  if (!degraded_) {
    std::string error;
    try {
      const bool claimed = co_await primary_.claim(key, value, ttl);
      confirm();
      if (claimed) mirror_.put(key, std::move(value), ttl);
      co_return claimed;
    } catch (const std::exception& e) {
      error = e.what();
    }
    degrade("claim", error);
  }
  co_return claim_in_memory(key, std::move(value), ttl);
}

std::optional<std::string> FallbackSessionStore::load_in_memory(const std::string& key) {
  if (auto v = memory_.get(key)) return v;
  return mirror_.get(key);
}

bool FallbackSessionStore::claim_in_memory(const std::string& key, std::string value, std::chrono::seconds ttl) {
  if (mirror_.get(key)) return false;  // claimed before Redis went away
  return memory_.put_if_absent(key, std::move(value), ttl);
}

Task<ClaimedLoad> FallbackSessionStore::claim_then_load(std::string claim_key, std::string claim_value,
                                                       std::chrono::seconds ttl, std::string load_key) {
  if (!degraded_) {
    std::string error;
    try {
      auto out = co_await primary_.claim_then_load(claim_key, claim_value, ttl, load_key);
      confirm();
      if (out.claimed) mirror_.put(claim_key, std::move(claim_value), ttl);
      co_return out;
    } catch (const std::exception& e) {
      error = e.what();
    }
    degrade("claim", error);
  }
  ClaimedLoad out;
  out.claimed = claim_in_memory(claim_key, std::move(claim_value), ttl);
  out.value = load_in_memory(load_key);
  co_return out;
}

Task<void> FallbackSessionStore::save_all(std::vector<Write> writes) {
  if (!degraded_) {
    std::string error;
    try {
      co_await primary_.save_all(writes);
      confirm();
      for (auto& w : writes) mirror_.put(w.key, std::move(w.value), w.ttl);
      co_return;
    } catch (const std::exception& e) {
      error = e.what();
    }
    degrade("save", error);
  }
  for (auto& w : writes) memory_.put(w.key, std::move(w.value), w.ttl);
}

Task<void> FallbackSessionStore::erase(std::string key) {
  if (!degraded_) {
    std::string error;
    try {
      co_await primary_.erase(key);
      confirm();
      mirror_.remove(key);
      co_return;
    } catch (const std::exception& e) {
      error = e.what();
    }
    degrade("erase", error);
  }
  memory_.remove(key);
  mirror_.remove(key);
}

Task<std::size_t> FallbackSessionStore::erase_containing(std::string needle) {
  // Memory and the mirror first (they never fail), then the primary when it is in use.
  std::size_t erased = memory_.remove_containing(needle);
  mirror_.remove_containing(needle);
  if (!degraded_) {
    std::string error;
    try {
      erased += co_await primary_.erase_containing(needle);
      confirm();
      co_return erased;
    } catch (const std::exception& e) {
      error = e.what();
    }
    degrade("erase", error);
  }
  co_return erased;
}

Task<std::string> FallbackSessionStore::hand_back(std::vector<MemorySessionStore::Entry> entries) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string error;
    try {
      co_await primary_.save(entries[i].key, entries[i].value, entries[i].ttl_left);
      // What was just written to the primary is now this task's last write: the mirror must say
      // so, or a second outage would answer from the mirror's older copy (a session one step back).
      mirror_.put(entries[i].key, entries[i].value, entries[i].ttl_left);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      // Keep what was not handed back where the next hand-back will find it.
      for (std::size_t j = i; j < entries.size(); ++j) {
        memory_.put(entries[j].key, std::move(entries[j].value), entries[j].ttl_left);
      }
      co_return error;
    }
  }
  co_return std::string();
}

Task<bool> FallbackSessionStore::probe_once() {
  if (!degraded_) co_return true;
  if (probing_.exchange(true)) co_return false;
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag = false; }
  } done{probing_};

  if (auto problem = co_await probe_(settings_.probe_deadline)) {
    obs::debug("session store probe failed", {{"backend", primary_.backend()}, {"error", *problem}});
    co_return false;
  }
  // First pass while still degraded: the bulk goes back; memory keeps answering meanwhile.
  auto first = memory_.snapshot();
  const auto first_count = first.size();
  std::map<std::string, std::string> sent;
  for (const auto& e : first) sent.emplace(e.key, e.value);
  if (auto error = co_await hand_back(std::move(first)); !error.empty()) {
    obs::warn("session store hand-back failed", {{"error", error}});
    co_return false;
  }
  // What this task wrote before the outage and did not change since lives in the mirror only. A
  // Redis that restarted empty lost it: restore it, but only where the key is absent (SET NX), so
  // a newer value another task wrote meanwhile is never overwritten.
  std::size_t restored = 0;
  for (auto& e : mirror_.snapshot()) {
    if (sent.count(e.key)) continue;
    std::string error;
    try {
      if (co_await primary_.claim(e.key, e.value, e.ttl_left)) ++restored;
    } catch (const std::exception& ex) {
      error = ex.what();
    }
    if (!error.empty()) {
      obs::warn("session store hand-back failed", {{"error", error}});
      co_return false;
    }
  }
  if (restored) obs::info("session store restored sessions the primary had lost", {{"keys", restored}});
  recover(first_count);
  // Second pass: only what changed in memory during the first (re-sending the rest could overwrite
  // a newer value a turn has saved in Redis since the switch); memory is empty afterwards.
  auto late = memory_.take_all();
  std::erase_if(late, [&sent](const MemorySessionStore::Entry& e) {
    auto it = sent.find(e.key);
    return it != sent.end() && it->second == e.value;
  });
  if (auto error = co_await hand_back(std::move(late)); !error.empty()) {
    degrade("hand_back", error);
    co_return false;
  }
  co_return true;
}

void FallbackSessionStore::start(asio::any_io_executor executor) {
  loop_ = std::make_shared<Loop>(executor);
  asio::co_spawn(executor, probe_loop(this, loop_), asio::detached);
}

void FallbackSessionStore::stop() {
  if (!loop_) return;
  loop_->stopped = true;
  asio::post(loop_->timer.get_executor(), [loop = loop_] { loop->timer.cancel(); });
}

Task<void> FallbackSessionStore::probe_loop(FallbackSessionStore* self, std::shared_ptr<Loop> loop) {
  while (!loop->stopped) {
    loop->timer.expires_after(self->settings_.probe_interval);
    error_code ec;
    co_await loop->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (loop->stopped) break;
    if (self->degraded_) {
      (void)co_await self->probe_once();
    } else if (!self->confirmed_) {
      // No call yet: find out which backend is really in use, so the gauge is right from start-up.
      if (auto problem = co_await self->probe_(self->settings_.probe_deadline)) {
        self->degrade("probe", *problem);
      } else {
        self->confirm();
      }
    }
  }
}

}  // namespace bella::store
