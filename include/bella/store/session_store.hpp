// PORT SessionStore: short-lived per-call state (conversation sessions, answered turns).
#pragma once
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bella/core/asio.hpp"
#include "bella/core/error.hpp"

namespace bella::store {

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

  /// "redis" or "memory": which backend answers now (for logs, metrics and /readyz).
  [[nodiscard]] virtual std::string_view backend() const = 0;
};

}  // namespace bella::store
