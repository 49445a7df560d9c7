// Redis connection run loop over Asio (plain TCP or TLS), RESP by hiredis's reader/formatter.
#include "store/redis_client.hpp"

#include "obs/log.hpp"

#include <array>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

namespace bella::store {

namespace {

using tcp = asio::ip::tcp;

std::string endpoint_name(const RedisEndpoint& u) {
  return (u.tls ? "rediss://" : "redis://") + u.host + ":" + std::to_string(u.port) + "/" + std::to_string(u.db);
}

}  // namespace

// ------------------------------------------------------------------------------------------
struct RedisClient::Request {
  explicit Request(const asio::strand<asio::any_io_executor>& ex) : timer(ex) {}
  std::string payload;        // one command, or several (a pipeline)
  std::size_t expected = 1;   // how many replies the payload's commands get
  asio::steady_timer timer;   // doubles as the "replies arrived" signal: cancelled on completion
  std::vector<resp::Value> replies;
  std::string error;
  bool done = false;

  /// Takes one reply; true once the request has all it expects (the reader then moves on to the
  /// next request, even if this one already timed out: the replies keep their order).
  bool receive(resp::Value v) {
    replies.push_back(std::move(v));
    if (replies.size() < expected) return false;
    if (!done) {
      done = true;
      timer.cancel();
    }
    return true;
  }
  void fail(const std::string& why) {
    if (done) return;
    done = true;
    error = why;
    timer.cancel();
  }
};

/// One socket (plain or TLS) plus its parser; a new one per connection attempt, so that loops of
/// an old connection can tell they are stale.
class RedisClient::Connection {
 public:
  using Tls = asio::ssl::stream<tcp::socket>;

  Connection(const asio::strand<asio::any_io_executor>& ex, asio::ssl::context* tls) : resolver_(ex) {
    if (tls) {
      tls_.emplace(ex, *tls);
    } else {
      tcp_.emplace(ex);
    }
  }

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *tcp_; }
  tcp::resolver& resolver() { return resolver_; }
  Tls* tls() { return tls_ ? &*tls_ : nullptr; }

  Task<std::size_t> read_some(asio::mutable_buffer b, error_code& ec) {
    if (tls_) co_return co_await tls_->async_read_some(b, asio::redirect_error(use_awaitable, ec));
    co_return co_await tcp_->async_read_some(b, asio::redirect_error(use_awaitable, ec));
  }

  Task<void> write(asio::const_buffer b, error_code& ec) {
    if (tls_) {
      co_await asio::async_write(*tls_, b, asio::redirect_error(use_awaitable, ec));
    } else {
      co_await asio::async_write(*tcp_, b, asio::redirect_error(use_awaitable, ec));
    }
  }

  // No TLS close_notify: the peer may be gone, and Redis does not need it.
  void close() {
    closed = true;
    resolver_.cancel();
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  resp::Parser parser;
  bool closed = false;

 private:
  tcp::resolver resolver_;
  std::optional<Tls> tls_;
  std::optional<tcp::socket> tcp_;
};

// ------------------------------------------------------------------------------------------
RedisClient::RedisClient(asio::any_io_executor executor, RedisSettings settings)
    : strand_(asio::make_strand(executor)),
      settings_(std::move(settings)),
      wake_writer_(strand_),
      wait_timer_(strand_),
      health_timer_(strand_) {
  if (settings_.url.tls) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1);
    if (settings_.tls_insecure) {
      tls_->set_verify_mode(asio::ssl::verify_none);
    } else {
      tls_->set_default_verify_paths();
      if (!settings_.ca_file.empty()) {
        error_code ec;
        tls_->load_verify_file(settings_.ca_file, ec);
        // Config checked the file is readable; a file that is not a certificate stops start-up here.
        if (ec) throw std::invalid_argument("CA file " + settings_.ca_file + ": " + ec.message());
      }
      tls_->set_verify_mode(asio::ssl::verify_peer);
    }
  }
}

RedisClient::~RedisClient() = default;

bool RedisClient::connected() const { return state_.load() == State::connected; }

void RedisClient::start() {
  state_ = State::connecting;
  auto self = shared_from_this();
  asio::co_spawn(strand_, run_loop(self), asio::detached);
  if (settings_.health_check_interval.count() > 0) asio::co_spawn(strand_, health_loop(self), asio::detached);
}

void RedisClient::stop() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    if (self->state_ == State::stopped) return;
    self->state_ = State::stopped;
    self->reset("redis client stopped");
    self->wait_timer_.cancel();
    self->health_timer_.cancel();
    self->fail_all("redis client stopped");
  });
}

Task<resp::Value> RedisClient::exec_argv(std::vector<std::string> argv, std::chrono::milliseconds deadline) {
  auto req = std::make_shared<Request>(strand_);
  req->payload = resp::format_command(argv);
  auto self = shared_from_this();
  auto replies = co_await asio::co_spawn(strand_, exec_on_strand(self, req, deadline), use_awaitable);
  co_return std::move(replies.front());
}

Task<std::vector<resp::Value>> RedisClient::pipeline(std::vector<std::vector<std::string>> commands) {
  if (commands.empty()) co_return std::vector<resp::Value>{};
  auto req = std::make_shared<Request>(strand_);
  for (const auto& argv : commands) req->payload += resp::format_command(argv);
  req->expected = commands.size();
  auto self = shared_from_this();
  co_return co_await asio::co_spawn(strand_, exec_on_strand(self, req, settings_.timeout), use_awaitable);
}

Task<std::vector<resp::Value>> RedisClient::exec_on_strand(std::shared_ptr<RedisClient> /*self*/, std::shared_ptr<Request> req,
                                              std::chrono::milliseconds deadline) {
  // Fail fast while down: the fallback store should switch at once, not after a deadline.
  if (state_ == State::stopped) throw Unavailable("redis", "redis client stopped");
  if (state_ == State::down) throw Unavailable("redis", "redis not connected: " + last_error_);
  to_write_.push_back(req);
  wake_writer_.cancel();
  req->timer.expires_after(deadline);
  error_code ec;
  if (!req->done) co_await req->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!req->done) {
    req->done = true;
    // A late reply would be taken for the next request's: only a fresh connection is safe.
    if (state_ == State::connected) reset("operation timed out");
    throw Unavailable("redis", "redis did not answer within " + std::to_string(deadline.count()) + " ms");
  }
  if (!req->error.empty()) throw Unavailable("redis", req->error);
  for (const auto& reply : req->replies)
    if (reply.is_error()) throw Unavailable("redis", "redis replied " + reply.text);
  co_return std::move(req->replies);
}

Task<std::optional<std::string>> RedisClient::ping(std::chrono::milliseconds deadline) {
  try {
    std::vector<std::string> argv{"PING"};
    auto v = co_await exec_argv(std::move(argv), deadline);
    if (v.type == resp::Value::Type::status && v.text == "PONG") co_return std::nullopt;
    co_return "unexpected answer to PING: " + v.text;
  } catch (const std::exception& e) {
    co_return std::string(e.what());
  }
}

void RedisClient::reset(const std::string& why) {
  if (conn_ && !conn_->closed) {
    last_error_ = why;
    conn_->close();
  }
  wake_writer_.cancel();
}

void RedisClient::fail_all(const std::string& why) {
  for (auto& r : to_write_) r->fail(why);
  for (auto& r : in_flight_) r->fail(why);
  to_write_.clear();
  in_flight_.clear();
}

Task<std::shared_ptr<RedisClient::Connection>> RedisClient::connect() {
  auto conn = std::make_shared<Connection>(strand_, tls_.get());
  conn_ = conn;
  const auto& url = settings_.url;
  // The watchdog closes the socket (and cancels resolving), which fails whatever step is pending.
  auto watchdog = std::make_shared<asio::steady_timer>(strand_, settings_.connect_timeout);
  watchdog->async_wait([conn](error_code ec) {
    if (!ec && !conn->closed) conn->close();
  });
  struct CancelWatchdog {
    std::shared_ptr<asio::steady_timer> t;
    ~CancelWatchdog() { t->cancel(); }
  } cancel_watchdog{watchdog};
  auto step_failed = [&](const char* step, const error_code& ec) {
    if (conn->closed) return Unavailable("redis", std::string(step) + ": no answer within " +
                                        std::to_string(settings_.connect_timeout.count()) + " ms");
    return Unavailable("redis", std::string(step) + ": " + ec.message());
  };

  error_code ec;
  auto endpoints = co_await conn->resolver().async_resolve(url.host, std::to_string(url.port),
                                                           asio::redirect_error(use_awaitable, ec));
  if (ec || conn->closed) throw step_failed("resolve", ec);
  co_await asio::async_connect(conn->socket(), endpoints, asio::redirect_error(use_awaitable, ec));
  if (ec || conn->closed) throw step_failed("connect", ec);
  conn->socket().set_option(tcp::no_delay(true), ec);

  if (auto* tls = conn->tls()) {
    error_code not_ip;
    (void)asio::ip::make_address(url.host, not_ip);
    if (not_ip) {  // SNI takes host names only
      SSL_ctrl(tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url.host.c_str()));
    }
    if (!settings_.tls_insecure) tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
    co_await tls->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
    if (ec || conn->closed) throw step_failed("tls handshake", ec);
  }

  // AUTH and SELECT go out as one pipeline before any caller's request.
  std::string hello;
  int expected = 0;
  if (!url.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!url.username.empty()) auth.push_back(url.username);
    auth.push_back(url.password);
    hello += resp::format_command(auth);
    ++expected;
  }
  if (url.db != 0) {
    std::vector<std::string> select{"SELECT", std::to_string(url.db)};
    hello += resp::format_command(select);
    ++expected;
  }
  if (expected > 0) {
    co_await conn->write(asio::buffer(hello), ec);
    if (ec || conn->closed) throw step_failed("auth/select write", ec);
    std::array<char, 4096> buf{};
    for (int got = 0; got < expected;) {
      auto v = conn->parser.next();
      if (!v) {
        auto n = co_await conn->read_some(asio::buffer(buf), ec);
        if (ec || conn->closed) throw step_failed("auth/select read", ec);
        conn->parser.feed(std::string_view(buf.data(), n));
        continue;
      }
      // The reply text never echoes the password, so it is safe in the log.
      if (v->is_error()) throw Unavailable("redis", "auth/select refused: " + v->text);
      ++got;
    }
  }
  co_return conn;
}

Task<void> RedisClient::run_loop(std::shared_ptr<RedisClient> self) {
  bool was_up = true;  // log the first failure at warn, repeats at debug
  while (state_ != State::stopped) {
    state_ = State::connecting;
    std::shared_ptr<Connection> conn;
    std::string error;
    try {
      conn = co_await connect();
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (state_ == State::stopped) break;
    if (conn) {
      state_ = State::connected;
      obs::info("redis connected", {{"endpoint", endpoint_name(settings_.url)}});
      was_up = true;
      asio::co_spawn(strand_, writer(self, conn), asio::detached);
      co_await reader(conn);
      error = last_error_;
    }
    if (conn_) conn_->close();
    conn_.reset();
    if (state_ == State::stopped) break;
    state_ = State::down;
    last_error_ = error;
    fail_all("redis connection lost: " + error);
    if (was_up) {
      obs::warn("redis unavailable", {{"endpoint", endpoint_name(settings_.url)},
                                      {"error", error},
                                      {"retry_ms", settings_.reconnect_wait.count()}});
    } else {
      obs::debug("redis still unavailable", {{"error", error}});
    }
    was_up = false;
    wait_timer_.expires_after(settings_.reconnect_wait);
    error_code ec;
    co_await wait_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  fail_all("redis client stopped");
}

Task<void> RedisClient::writer(std::shared_ptr<RedisClient> /*self*/, std::shared_ptr<Connection> conn) {
  std::string buf;
  while (conn_ == conn && !conn->closed) {
    if (to_write_.empty()) {
      wake_writer_.expires_at(std::chrono::steady_clock::time_point::max());
      error_code ec;
      co_await wake_writer_.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    // Everything queued goes out in one write: the pipeline.
    buf.clear();
    for (auto& r : to_write_) {
      if (r->done) continue;  // timed out before it was sent
      buf += r->payload;
      in_flight_.push_back(r);
    }
    to_write_.clear();
    if (buf.empty()) continue;
    error_code ec;
    co_await conn->write(asio::buffer(buf), ec);
    if (ec) {
      if (conn_ == conn) reset("write: " + ec.message());
      co_return;
    }
  }
}

Task<void> RedisClient::reader(std::shared_ptr<Connection> conn) {
  std::array<char, 16 * 1024> buf{};
  for (;;) {
    error_code ec;
    const auto n = co_await conn->read_some(asio::buffer(buf), ec);
    if (ec) {
      if (!conn->closed) reset(ec == asio::error::eof ? "connection closed by server" : "read: " + ec.message());
      co_return;
    }
    try {
      conn->parser.feed(std::string_view(buf.data(), n));
      while (auto v = conn->parser.next()) {
        if (in_flight_.empty()) {  // RESP2 has no pushes: a reply nobody asked for means lost sync
          reset("reply without a request");
          co_return;
        }
        if (in_flight_.front()->receive(std::move(*v))) in_flight_.pop_front();
      }
    } catch (const resp::ProtocolError& e) {
      reset(e.what());
      co_return;
    }
  }
}

Task<void> RedisClient::health_loop(std::shared_ptr<RedisClient> self) {
  while (state_ != State::stopped) {
    health_timer_.expires_after(settings_.health_check_interval);
    error_code ec;
    co_await health_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (state_ != State::connected) continue;
    // A half-open connection only shows itself when asked: the PING's deadline resets it.
    auto req = std::make_shared<Request>(strand_);
    std::vector<std::string> argv{"PING"};
    req->payload = resp::format_command(argv);
    try {
      (void)co_await exec_on_strand(self, req, settings_.timeout);
    } catch (const Unavailable& e) {
      if (state_ != State::stopped) obs::warn("redis health check failed", {{"error", e.what()}});
    }
  }
}

}  // namespace bella::store
