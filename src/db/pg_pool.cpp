// PgPool: connections are opened lazily, one per worker at most, and reopened after a failure.
#include "db/pg_pool.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include "obs/metrics.hpp"

namespace bella::db {
namespace {

// libpq accepts connect_timeout in both URI and key=value forms.
std::string with_connect_timeout(const std::string& url, std::chrono::seconds timeout) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  const bool uri = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
  if (!uri) return url + " connect_timeout=" + std::to_string(timeout.count());
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=" + std::to_string(timeout.count());
}

obs::Gauge& in_use_gauge() {
  static auto& g = obs::registry().gauge("bella_db_pool_in_use", "PostgreSQL connections leased");
  return g;
}

obs::Gauge& queue_gauge() {
  static auto& g = obs::registry().gauge("bella_db_pool_queue", "PostgreSQL jobs waiting for a connection");
  return g;
}

obs::Counter& queue_timeouts() {
  static auto& c = obs::registry().counter("bella_db_pool_queue_timeouts_total",
                                           "PostgreSQL jobs not run: no connection free within DB_QUEUE_TIMEOUT_MS");
  return c;
}

obs::Counter& job_timeouts() {
  static auto& c = obs::registry().counter("bella_db_job_timeouts_total",
                                           "PostgreSQL jobs ended by the pool after DB_JOB_TIMEOUT_MS");
  return c;
}

}  // namespace

PgPool::Watchdog::Watchdog() : thread_([this] { loop(); }) {}

PgPool::Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::uint64_t PgPool::Watchdog::arm(int fd, std::chrono::steady_clock::time_point deadline) {
  std::uint64_t ticket = 0;
  bool sooner = false;
  {
    std::lock_guard lock(mu_);
    ticket = next_++;
    entries_.emplace(ticket, Entry{fd, deadline, false});
    // Wake the thread only when it sleeps past this deadline (it is idle, or this is sooner): jobs
    // arm in deadline order, so under load it wakes about once per job_timeout, not per job.
    sooner = deadline < wake_at_;
    if (sooner) wake_at_ = deadline;
  }
  if (sooner) cv_.notify_one();
  return ticket;
}

bool PgPool::Watchdog::disarm(std::uint64_t ticket) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(ticket);
  if (it == entries_.end()) return false;
  const bool fired = it->second.fired;
  entries_.erase(it);
  return fired;
}

void PgPool::Watchdog::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto next = std::chrono::steady_clock::time_point::max();
    const auto now = std::chrono::steady_clock::now();
    for (auto& [ticket, e] : entries_) {
      if (e.fired) continue;
      if (e.deadline <= now) {
        // The job's libpq call blocks on this socket; shutting it down makes the call fail at
        // once. The fd stays open (libpq closes it when the connection is dropped).
        ::shutdown(e.fd, SHUT_RDWR);
        e.fired = true;
        job_timeouts().inc();
      } else {
        next = std::min(next, e.deadline);
      }
    }
    wake_at_ = next;
    if (next == std::chrono::steady_clock::time_point::max()) cv_.wait(lock);
    else cv_.wait_until(lock, next);
  }
}

PgPool::JobWatch::JobWatch(PgPool& pool, Lease& lease, std::chrono::steady_clock::time_point deadline)
    : pool_(pool) {
  auto& conn = lease.connection();
  const int fd = conn.is_open() ? conn.sock() : -1;
  if (fd >= 0) ticket_ = pool_.watchdog_.arm(fd, deadline);
}

PgPool::JobWatch::~JobWatch() {
  if (ticket_) pool_.watchdog_.disarm(ticket_);
}

void PgPool::JobWatch::rethrow_if_timed_out(Lease& lease) {
  if (ticket_) {
    fired_ = pool_.watchdog_.disarm(ticket_) || fired_;
    ticket_ = 0;
  }
  if (!fired_) return;
  lease.discard();
  throw Unavailable("postgres", "no answer within " + std::to_string(pool_.settings_.job_timeout.count()) + " ms");
}

std::string first_line(const char* what) {
  std::string s = what ? what : "";
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

bool PgPool::idle_alive(pqxx::connection& conn) {
  if (!conn.is_open()) return false;
  const int fd = conn.sock();
  if (fd < 0) return false;
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  const int ready = ::poll(&p, 1, 0);
  return ready == 0;  // readable, hung up or in error: dead (or about to be)
}

PgPool::PgPool(PgSettings settings)
    : conninfo_(with_connect_timeout(settings.url, settings.connect_timeout)),
      settings_(std::move(settings)),
      pool_(settings_.size) {
  obs::registry().gauge("bella_db_pool_size", "PostgreSQL pool size").set(settings_.size);
}

PgPool::~PgPool() { stop(); }

void PgPool::stop() {
  for (Threads* threads : {&pool_, &probe_}) {
    threads->stop();
    threads->join();
    threads->drop_queued();
  }
}

std::chrono::steady_clock::time_point PgPool::enqueue() {
  queue_gauge().set(++queued_);
  return std::chrono::steady_clock::now();
}

void PgPool::begin_job(std::chrono::steady_clock::time_point queued_at) {
  queue_gauge().set(--queued_);
  const auto waited = std::chrono::steady_clock::now() - queued_at;
  if (waited > settings_.queue_timeout) {
    queue_timeouts().inc();
    throw Unavailable("postgres", "no connection free within " + std::to_string(settings_.queue_timeout.count()) + " ms");
  }
}

unsigned PgPool::in_use() const {
  std::lock_guard lock(mutex_);
  return leased_;
}

void PgPool::prepare(std::string name, std::string sql) {
  std::lock_guard lock(mutex_);
  statements_.emplace_back(std::move(name), std::move(sql));
}

void PgPool::prepare_pending(pqxx::connection& conn) {
  std::vector<std::pair<std::string, std::string>> todo;
  {
    std::lock_guard lock(mutex_);
    auto& done = prepared_[&conn];
    for (auto i = done; i < statements_.size(); ++i) todo.push_back(statements_[i]);
    done = statements_.size();
  }
  for (const auto& [name, sql] : todo) conn.prepare(name, sql);
}

void PgPool::drop_idle() {
  std::lock_guard lock(mutex_);
  for (const auto& c : idle_) prepared_.erase(c.get());
  idle_.clear();
}

bool PgPool::connection_lost(const pqxx::sql_error& e, Lease& lease) {
  const std::string& state = e.sqlstate();
  // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now.
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || !lease.connection().is_open()) {
    lease.discard();
    return true;
  }
  // 57014: statement_timeout fired. The connection is fine; the database is slow.
  return state == "57014";
}

std::unique_ptr<pqxx::connection> PgPool::open() const {
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_);
    pqxx::nontransaction tx(*conn);
    tx.exec("SET statement_timeout = " + std::to_string(settings_.statement_timeout.count()));
    tx.exec("SET TIME ZONE 'UTC'");
    return conn;
  } catch (const pqxx::failure& e) {
    throw Unavailable("postgres", std::string("cannot connect to PostgreSQL: ") + e.what());
  }
}

PgPool::Lease::Lease(PgPool& pool) : pool_(pool) {
  {
    std::lock_guard lock(pool_.mutex_);
    ++pool_.leased_;
    in_use_gauge().set(pool_.leased_);
    if (!pool_.idle_.empty()) {
      conn_ = std::move(pool_.idle_.back());
      pool_.idle_.pop_back();
      reused_ = true;
    }
  }
  try {
    if (conn_ && !idle_alive(*conn_)) {
      // Died while idle (PostgreSQL restarted): its siblings are dead too. A fresh one instead.
      pool_.drop_idle();
      reused_ = false;
      std::lock_guard lock(pool_.mutex_);
      pool_.prepared_.erase(conn_.get());
      conn_.reset();
    }
    if (!conn_ || !conn_->is_open()) {
      if (conn_) {
        std::lock_guard lock(pool_.mutex_);
        pool_.prepared_.erase(conn_.get());
      }
      conn_ = pool_.open();
    }
    pool_.prepare_pending(*conn_);
  } catch (const pqxx::failure& e) {
    std::lock_guard lock(pool_.mutex_);
    --pool_.leased_;
    in_use_gauge().set(pool_.leased_);
    if (conn_) pool_.prepared_.erase(conn_.get());
    conn_.reset();
    throw Unavailable("postgres", std::string("cannot prepare statements: ") + e.what());
  } catch (...) {
    std::lock_guard lock(pool_.mutex_);
    --pool_.leased_;
    in_use_gauge().set(pool_.leased_);
    conn_.reset();
    throw;
  }
}

PgPool::Lease::~Lease() {
  if (!conn_) return;
  std::lock_guard lock(pool_.mutex_);
  --pool_.leased_;
  in_use_gauge().set(pool_.leased_);
  if (!discard_ && conn_->is_open()) {
    pool_.idle_.push_back(std::move(conn_));
  } else {
    pool_.prepared_.erase(conn_.get());
  }
}

void PgPool::Lease::discard() {
  if (discard_) return;
  discard_ = true;
  // After a restart every idle connection is dead too: reopen them lazily instead of failing on each.
  pool_.drop_idle();
}

pqxx::connection& PgPool::Lease::connection() { return *conn_; }

bool PgPool::probe_once() {
  struct Done {
    std::atomic<bool>& probing;
    ~Done() { probing = false; }
  } done{probing_};
  for (int attempt = 1;; ++attempt) {
    const bool retry = attempt == 1 && probe_conn_ != nullptr;  // an old connection may have died
    try {
      if (!probe_conn_) probe_conn_ = open();
      pqxx::nontransaction tx(*probe_conn_);
      return tx.exec1("SELECT 1")[0].as<int>() == 1;
    } catch (const pqxx::broken_connection& e) {
      probe_conn_.reset();
      if (retry) continue;
      throw Unavailable("postgres", first_line(e.what()));
    } catch (const pqxx::failure& e) {
      // "Could not obtain client encoding": libpqxx's words for a connection that died.
      if (probe_conn_ && probe_conn_->is_open()) throw DatabaseError("", first_line(e.what()));
      probe_conn_.reset();
      if (retry) continue;
      throw Unavailable("postgres", first_line(e.what()));
    }
  }
}

Task<std::optional<std::string>> PgPool::ping(std::chrono::milliseconds deadline) {
  if (probing_.exchange(true)) co_return std::string("the previous probe has not answered yet");
  try {
    auto answered = co_await offload_with_deadline(probe_.get_executor(), [this] { return probe_once(); }, deadline);
    if (!answered) co_return "no answer within " + std::to_string(deadline.count()) + " ms";
    if (!*answered) co_return std::string("unexpected answer to SELECT 1");
    co_return std::nullopt;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    co_return msg;
  }
}

}  // namespace bella::db
