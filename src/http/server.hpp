// The HTTP/1.1 server: accept loop, per-connection sessions, limits, and graceful drain.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>

#include "bella/core/asio.hpp"
#include "bella/http/router.hpp"

namespace bella::http {

struct ServerLimits {
  std::size_t max_connections = 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  /// Deadline for reading one whole request (a trickling client is dropped): on a new connection
  /// from accept, on a kept-alive one from the request's first byte.
  std::chrono::milliseconds read_timeout{10'000};
  /// How long a kept-alive connection may sit idle between requests. Above the load balancer's
  /// idle timeout (ALB: 60 s), so the balancer closes first and never sends a request onto a
  /// connection Bella is closing (AWS documents that race as a cause of intermittent 502s).
  std::chrono::milliseconds keepalive_timeout{75'000};
};

/// Owns the acceptor and tracks live connections so that drain() can let in-flight requests
/// finish while idle keep-alive connections are closed. Thread-safe.
class Server {
 public:
  Server(asio::io_context& ioc, const Router& router, ServerLimits limits);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and listens; returns the bound port (useful with port 0). Throws on failure.
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  /// Starts the accept loop on the io_context.
  void start();
  /// Stops accepting, closes idle connections, and calls `done` once every connection is gone or
  /// `deadline` passes (then the remaining ones are closed). Safe to call from any thread, once.
  void drain(std::chrono::milliseconds deadline, std::function<void()> done);

  [[nodiscard]] std::size_t connections() const { return live_.load(); }

  struct Connection;  // per-socket state shared with the session coroutine

 private:
  Task<void> accept_loop();
  Task<void> session(std::shared_ptr<Connection> conn);
  void forget(std::uint64_t id);
  void finish_drain_if_idle();
  void on_drain_deadline(error_code ec);
  std::size_t reserve_spare_fd();
  void refuse_pending_after_emfile();

  asio::io_context& ioc_;
  const Router& router_;
  ServerLimits limits_;
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<std::size_t> live_{0};
  std::atomic<bool> draining_{false};
  std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> conns_;
  std::function<void()> drained_;
  asio::strand<asio::io_context::executor_type> drain_strand_;  // the drain timer's only home
  std::unique_ptr<asio::steady_timer> drain_timer_;
  int spare_fd_ = -1;  // held in reserve: given up to answer 503 when accept() fails with EMFILE
};

}  // namespace bella::http
