// One long-lived Redis connection with its own run loop: connect (TLS, AUTH, SELECT), pipelined
// requests matched FIFO to replies, per-operation deadline, PING health check, reconnect after a wait.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "bella/core/asio.hpp"
#include "bella/core/error.hpp"
#include "store/redis_endpoint.hpp"
#include "store/resp.hpp"

namespace bella::store {


struct RedisSettings {
  RedisEndpoint url;
  std::chrono::milliseconds timeout{250};              // per operation (REDIS_TIMEOUT_MS)
  std::chrono::milliseconds connect_timeout{1'000};    // resolve + TCP + TLS + AUTH/SELECT
  std::chrono::milliseconds reconnect_wait{1'000};     // pause before the next attempt
  std::chrono::milliseconds health_check_interval{2'000};  // PING while idle-or-busy; 0: off
  std::string ca_file;                                 // REDIS_CA_FILE: extra CA for rediss:// (the
                                                       // constructor throws std::invalid_argument if unusable)
  bool tls_insecure = false;                           // REDIS_TLS_INSECURE: skip verification
};

/// Thread-safe: exec() and ping() may be called from any coroutine on any thread; all connection
/// state lives on one strand. Call start() once, and stop() before destroying the client (then let
/// the io_context run until the loops have left).
class RedisClient : public std::enable_shared_from_this<RedisClient> {
 public:
  RedisClient(asio::any_io_executor executor, RedisSettings settings);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// Spawns the run loop (connect, read, write, reconnect) and the health check.
  void start();
  /// Closes the connection, fails queued requests and ends the loops. Idempotent.
  void stop();

  /// Sends one command and returns its reply. Throws Unavailable on an error reply, when not
  /// connected, or after the deadline (the connection is then reset, since a late reply would
  /// otherwise be matched to the next request).
  template <class... A>
  Task<resp::Value> exec(const A&... args) {
    std::vector<std::string> argv;
    argv.reserve(sizeof...(A));
    (argv.emplace_back(args), ...);
    return exec_argv(std::move(argv), settings_.timeout);
  }
  /// The same with an explicit deadline. Pass a named vector, never `exec_argv({...}, d)`: GCC 12
  /// mishandles brace-initialised temporaries passed to coroutines (see HELPER-RULES).
  Task<resp::Value> exec_argv(std::vector<std::string> argv, std::chrono::milliseconds deadline);

  /// Sends the commands in one write and returns their replies in order, within exec()'s
  /// deadline for the whole pipeline: one round trip. Throws as exec() does, also when any one
  /// reply is an error. Pass a named vector (GCC 12, as above).
  Task<std::vector<resp::Value>> pipeline(std::vector<std::vector<std::string>> commands);

  /// The deadline exec() uses (REDIS_TIMEOUT_MS).
  [[nodiscard]] std::chrono::milliseconds timeout() const { return settings_.timeout; }
  /// Readiness probe: PING within `deadline`; nullopt when healthy, else the reason.
  Task<std::optional<std::string>> ping(std::chrono::milliseconds deadline);

  /// True while a connection is established (the snapshot may be stale by the time it is read).
  [[nodiscard]] bool connected() const;

 private:
  struct Request;
  class Connection;
  enum class State { connecting, connected, down, stopped };

  // `self` keeps the client alive while the coroutine runs. (No lambda captures it: GCC 12 destroys
  // the captures of a lambda handed to co_spawn twice, so awaitables are spawned directly.)
  Task<std::vector<resp::Value>> exec_on_strand(std::shared_ptr<RedisClient> self, std::shared_ptr<Request> req,
                                   std::chrono::milliseconds deadline);
  Task<void> run_loop(std::shared_ptr<RedisClient> self);
  Task<void> health_loop(std::shared_ptr<RedisClient> self);
  Task<std::shared_ptr<Connection>> connect();
  Task<void> writer(std::shared_ptr<RedisClient> self, std::shared_ptr<Connection> conn);
  Task<void> reader(std::shared_ptr<Connection> conn);
  void reset(const std::string& why);
  void fail_all(const std::string& why);

  asio::strand<asio::any_io_executor> strand_;
  RedisSettings settings_;
  std::unique_ptr<asio::ssl::context> tls_;
  // Everything below is touched only on strand_.
  std::atomic<State> state_{State::down};
  std::shared_ptr<Connection> conn_;
  std::deque<std::shared_ptr<Request>> to_write_;   // queued, not yet on the wire
  std::deque<std::shared_ptr<Request>> in_flight_;  // written, awaiting replies in order
  asio::steady_timer wake_writer_;
  asio::steady_timer wait_timer_;                   // reconnect wait
  asio::steady_timer health_timer_;
  std::string last_error_ = "not connected yet";
};

}  // namespace bella::store
