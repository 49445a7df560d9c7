// PORT SessionStore: short-lived per-call state (conversation sessions, answered turns).
#pragma once
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bella/core/asio.hpp"
#include "bella/core/error.hpp"

namespace bella::store {

/// One write of SessionStore::save_all().
struct Write {
  std::string key;
  std::string value;
  std::chrono::seconds ttl{0};
};

/// What SessionStore::claim_then_load() found.
struct ClaimedLoad {
  bool claimed = false;              // claim()'s answer
  std::optional<std::string> value;  // load()'s answer
};

/// A key-value store with per-key TTL. A backend that cannot answer (Redis down, timed out) throws
/// bella::Unavailable; FallbackSessionStore catches it. Keys are full keys ("bella:call:<CallSid>").
/// Thread-safe: every method may be called concurrently from any coroutine.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  /// The value, or nullopt when absent or expired.
  virtual Task<std::optional<std::string>> load(std::string key) = 0;
  /// Sets the value with a TTL (SET key value EX ttl) in one round trip.
  virtual Task<void> save(std::string key, std::string value, std::chrono::seconds ttl) = 0;
  /// Sets the value only if the key is absent (SET NX EX); true when this caller claimed it.
  /// Used to claim a call's turn before acting on it.
  virtual Task<bool> claim(std::string key, std::string value, std::chrono::seconds ttl) = 0;
  virtual Task<void> erase(std::string key) = 0;
  /// Erases every key that contains `needle` (letters and digits only, e.g. a CallSid: a call's
  /// session and every stored reply of its turns, whatever their key prefix); returns how many.
  /// Used when a call ends, so nothing the caller said outlives the call.
  virtual Task<std::size_t> erase_containing(std::string needle) = 0;

  /// A webhook turn's two round trips (issue 14): claim the turn and read the session together,
  /// then write the session and the turn's reply together. A backend that can pipeline (Redis)
  /// overrides these; the defaults make one call after another.

  /// claim(claim_key, claim_value, ttl), then load(load_key), in one round trip.
  virtual Task<ClaimedLoad> claim_then_load(std::string claim_key, std::string claim_value, std::chrono::seconds ttl,
                                            std::string load_key) {
    ClaimedLoad out;
    out.claimed = co_await claim(std::move(claim_key), std::move(claim_value), ttl);
    out.value = co_await load(std::move(load_key));
    co_return out;
  }
  /// save() of each write, in order, in one round trip. Pass a named vector (GCC 12 mishandles
  /// brace-initialised temporaries passed to coroutines).
  virtual Task<void> save_all(std::vector<Write> writes) {
    for (auto& w : writes) co_await save(std::move(w.key), std::move(w.value), w.ttl);
  }

  /// "redis" or "memory": which backend answers now (for logs, metrics and /readyz).
  [[nodiscard]] virtual std::string_view backend() const = 0;
};

}  // namespace bella::store
