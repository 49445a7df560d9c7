// Accept loop and HTTP sessions. The session knows bytes; the router knows paths.
#include "http/server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <boost/beast/core/flat_buffer.hpp>
#include "obs/log.hpp"
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "obs/metrics.hpp"

namespace bella::http {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct Server::Connection {
  Connection(tcp::socket socket, std::uint64_t id_) : stream(std::move(socket)), id(id_) {}
  beast::tcp_stream stream;
  std::uint64_t id;
  bool busy = false;     // a request is being handled: drain waits for it
  bool closing = false;  // drain asked us to close after the current response
};

namespace {
obs::Gauge& connections_gauge() {
  static auto& g = obs::registry().gauge("bella_http_connections", "Open HTTP connections");
  return g;
}
}  // namespace

Server::Server(asio::io_context& ioc, const Router& router, ServerLimits limits)
    : ioc_(ioc), router_(router), limits_(limits), acceptor_(asio::make_strand(ioc)), drain_strand_(asio::make_strand(ioc)) {}

Server::~Server() {
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

std::uint16_t Server::listen(const std::string& host, std::uint16_t port) {
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive);
  tcp::endpoint ep = results.begin()->endpoint();
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint().port();
}

void Server::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

namespace {

// Over the cap: a complete, self-describing 503 whose Content-Length is computed from its body.
constexpr std::string_view kBusyBody =
    "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"\"}";

const std::string& busy_response() {
  static const std::string r =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nConnection: close\r\n"
      "Retry-After: 1\r\nContent-Length: " +
      std::to_string(kBusyBody.size()) + "\r\n\r\n" + std::string(kBusyBody);
  return r;
}

/// Writes the 503 without waiting (a fresh socket's send buffer takes it whole) and closes. The
/// request bytes already received are read first: closing with unread data would send a reset,
/// which can make the client drop the 503 it has not read yet.
void refuse_fd(int fd) {
  const auto& busy = busy_response();
  (void)!::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  char sink[4096];
  for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
  }
  ::close(fd);
}

obs::Counter& refused_counter() {
  static auto& c = obs::registry().counter("bella_http_connections_refused_total",
                                           "Connections answered 503 at once: over MAX_CONNECTIONS, or out of file descriptors");
  return c;
}

// One line per second at most for refused connections and failed accepts: a flood of them must not
// become a flood of log lines.
obs::LogLimiter& refused_log() {
  static obs::LogLimiter l(std::chrono::seconds(1), 1);
  return l;
}

}  // namespace

std::size_t Server::reserve_spare_fd() {
  if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  return spare_fd_ >= 0 ? 1 : 0;
}

void Server::refuse_pending_after_emfile() {
  // Out of descriptors: the pending connections would sit in the backlog until their clients time
  // out. Give the spare descriptor up, take each pending connection, answer it 503, and re-reserve.
  if (spare_fd_ >= 0) {
    ::close(spare_fd_);
    spare_fd_ = -1;
  }
  int refused = 0;
  for (int i = 0; i < 64; ++i) {
    const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    refuse_fd(fd);
    ++refused;
  }
  reserve_spare_fd();
  if (refused) refused_counter().inc({{"reason", "nofile"}}, refused);
}

Task<void> Server::accept_loop() {
  reserve_spare_fd();
  {
    error_code ignored;
    acceptor_.native_non_blocking(true, ignored);  // the EMFILE path accepts without waiting
  }
  while (!draining_) {
    error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::make_strand(ioc_), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      const bool out_of_fds = ec == asio::error::no_descriptors || ec.value() == ENFILE;
      if (out_of_fds) refuse_pending_after_emfile();
      if (auto suppressed = refused_log().admit())
        obs::warn("accept failed", {{"error", ec.message()}, {"suppressed", *suppressed}});
      // Back off briefly instead of spinning (after EMFILE the backlog has just been answered).
      asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(out_of_fds ? 5 : 50));
      co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (live_.load() >= limits_.max_connections) {
      // Over the cap: refuse cheaply. The load balancer retries on another task.
      error_code released;
      const int fd = socket.release(released);
      if (!released) refuse_fd(fd);
      refused_counter().inc({{"reason", "max_connections"}});
      if (auto suppressed = refused_log().admit())
        obs::warn("connection refused: at max_connections",
                  {{"max_connections", limits_.max_connections}, {"suppressed", *suppressed}});
      continue;
    }
    std::shared_ptr<Connection> conn;
    {
      std::lock_guard lock(mutex_);
      conn = std::make_shared<Connection>(std::move(socket), next_id_++);
      conns_.emplace(conn->id, conn);
    }
    connections_gauge().set(static_cast<double>(++live_));
    auto exec = conn->stream.get_executor();
    asio::co_spawn(exec, session(std::move(conn)), asio::detached);
  }
}

Task<void> Server::session(std::shared_ptr<Connection> conn) {
  beast::flat_buffer buffer;
  std::string remote;
  {
    error_code ec;
    auto ep = conn->stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  try {
    bool kept_alive = false;
    while (!conn->closing) {
      beast::http::request_parser<beast::http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
      parser.body_limit(limits_.max_body_bytes);
      error_code ec;
      if (kept_alive && buffer.size() == 0) {
        // Idle between requests: wait up to the keep-alive time for the next request's first
        // byte; only then does the (shorter) read deadline start.
        conn->stream.expires_after(limits_.keepalive_timeout);
        const std::size_t n =
            co_await conn->stream.async_read_some(buffer.prepare(1024), asio::redirect_error(use_awaitable, ec));
        if (ec) break;  // the client left, the idle time ran out, or drain closed the connection
        buffer.commit(n);
      }
      kept_alive = true;
      conn->stream.expires_after(limits_.read_timeout);
      co_await beast::http::async_read(conn->stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec == beast::http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
        break;  // the client left, trickled past the deadline, or drain closed an idle connection
      }
      Request req;
      Response res;
      bool close_after = false;
      if (ec == beast::http::error::body_limit) {
        req = parser.release();
        res = problem(req, Status::payload_too_large, "Payload Too Large",
                      "The request body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes.");
        close_after = true;  // the rest of the body is still on the wire
      } else if (ec == beast::http::error::header_limit) {
        res = problem(req, Status::request_header_fields_too_large, "Request Header Fields Too Large");
        close_after = true;
      } else if (ec) {
        res = problem(req, Status::bad_request, "Bad Request", "Malformed HTTP request.");
        close_after = true;
      } else {
        req = parser.release();
        conn->busy = true;
        RequestContext ctx{.params = {}, .request_id = request_id_for(req), .remote = remote};
        res = co_await router_.dispatch(req, ctx);
        conn->busy = false;
      }
      if (close_after) {
        const std::string request_id = request_id_for(req);
        res.set("X-Request-Id", request_id);
        obs::info("request", {{"request_id", request_id},
                              {"method", std::string(req.method_string())},
                              {"path", std::string(target_path(req.target()))},
                              {"status", res.result_int()}});
      }
      const bool keep = !close_after && res.keep_alive() && !draining_ && !conn->closing;
      res.keep_alive(keep);
      res.prepare_payload();
      conn->stream.expires_after(limits_.read_timeout);
      co_await beast::http::async_write(conn->stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !keep) break;
    }
  } catch (const std::exception& e) {
    obs::error("session error", {{"error", e.what()}});
  }
  error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn->stream.close();
  forget(conn->id);
}

void Server::forget(std::uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    conns_.erase(id);
  }
  connections_gauge().set(static_cast<double>(--live_));
  if (draining_) finish_drain_if_idle();
}

void Server::finish_drain_if_idle() {
  std::function<void()> done;
  {
    std::lock_guard lock(mutex_);
    if (!conns_.empty() || !drained_) return;
    done = std::move(drained_);
    drained_ = nullptr;
  }
  // The timer lives on its own strand: cancel it there, never from this (session) thread directly.
  asio::post(drain_strand_, [this] {
    if (drain_timer_) drain_timer_->cancel();
  });
  done();
}

void Server::on_drain_deadline(error_code ec) {
  if (ec) return;  // cancelled: every connection closed in time
  std::vector<std::shared_ptr<Connection>> stragglers;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : conns_)
      if (auto c = weak.lock()) stragglers.push_back(std::move(c));
  }
  if (!stragglers.empty()) obs::warn("drain deadline passed; closing open connections", {{"connections", stragglers.size()}});
  for (auto& c : stragglers) {
    asio::post(c->stream.get_executor(), [c] {
      error_code ignored;
      c->stream.socket().cancel(ignored);
    });
  }
  std::function<void()> d;
  {
    std::lock_guard lock(mutex_);
    d = std::move(drained_);
    drained_ = nullptr;
  }
  if (d) d();
}

void Server::drain(std::chrono::milliseconds deadline, std::function<void()> done) {
  if (draining_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    error_code ignored;
    acceptor_.close(ignored);
  });
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex_);
    // The timer is created, and its wait queued on drain_strand_, before drained_ is set: whoever
    // sees drained_ (finish_drain_if_idle on a session's thread) finds a timer whose wait is queued
    // ahead of its cancel on the same strand. Only drain_strand_ touches the timer afterwards.
    drain_timer_ = std::make_unique<asio::steady_timer>(drain_strand_, deadline);
    asio::post(drain_strand_, [this] { drain_timer_->async_wait([this](error_code ec) { on_drain_deadline(ec); }); });
    drained_ = std::move(done);
    for (auto& [id, weak] : conns_)
      if (auto c = weak.lock()) live.push_back(std::move(c));
  }
  // Idle connections close now; busy ones finish their response, then close.
  for (auto& c : live) {
    asio::post(c->stream.get_executor(), [c] {
      c->closing = true;
      // The connection may have closed itself meanwhile: never the throwing overload here.
      error_code ignored;
      if (!c->busy) c->stream.socket().cancel(ignored);
    });
  }
  finish_drain_if_idle();
}

}  // namespace bella::http
