// A pool of libpqxx connections on its own threads: blocking SQL never runs on the io_context.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <pqxx/pqxx>

#include "bella/core/asio.hpp"
#include "bella/core/error.hpp"
#include "bella/core/offload.hpp"

namespace bella::db {

struct PgSettings {
  std::string url;                                   // postgres://…
  unsigned size = 4;                                 // threads == connections
  std::chrono::milliseconds statement_timeout{2000}; // set on every connection
  std::chrono::seconds connect_timeout{2};
  std::chrono::milliseconds queue_timeout{2000};      // a job not started by then fails (DB_QUEUE_TIMEOUT_MS)
  std::chrono::milliseconds job_timeout{5000};        // a started job still running then fails (DB_JOB_TIMEOUT_MS)
};


/// An SQL error no caller handled (a bug or an unexpected constraint), without PostgreSQL's DETAIL
/// and CONTEXT lines: safe to log.
struct DatabaseError : std::runtime_error {
  DatabaseError(std::string state, const std::string& message)
      : std::runtime_error("postgres error" + (state.empty() ? std::string() : " " + state) + ": " + message),
        sqlstate(std::move(state)) {}
  std::string sqlstate;
};

/// The first line of a libpq/libpqxx message ("ERROR:  …"), without DETAIL/HINT/CONTEXT.
std::string first_line(const char* what);

/// Thread-safe. Each job runs on a pool thread with a connection leased for its duration.
class PgPool {
 public:
  explicit PgPool(PgSettings settings);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  /// Runs `fn(pqxx::connection&)` on a pool thread and resumes the caller with its result.
  /// A broken connection becomes Unavailable (and is reopened next time).
  /// Connection loss (also SQLSTATE classes 08 and 57P, libpq's "Could not obtain client
  /// encoding" on a dead connection, and a commit in doubt) drops every idle connection too, since
  /// after a server restart they are all dead; a statement timeout (57014) is also Unavailable but
  /// keeps the connection. A pooled connection found dead (the server restarted while it was idle)
  /// is replaced before use, and a job that loses a pooled connection is run ONCE more on a fresh
  /// one: every job must therefore be one transaction or idempotent (a commit in doubt is never
  /// retried). Other SQL errors reach the caller as DatabaseError without PostgreSQL's DETAIL
  /// (which quotes rows: names, phone numbers).
  /// `fn` is taken by reference (GCC 12 mishandles by-value coroutine arguments): await the
  /// result in the same expression, `co_await pool.run(…)`, so that `fn` outlives the job.
  ///
  /// A job that waited `queue_timeout` for a free connection is not run: it throws Unavailable
  /// (the caller's turn goes on without the database instead of waiting behind a stuck pool).
  /// A started job has `job_timeout` from its start, its one retry included: past that, a
  /// watchdog shuts its connection's socket down, so the blocked libpq call returns, the
  /// connection is dropped and the job throws Unavailable. statement_timeout bounds a slow
  /// statement on a live server; this bounds everything else (a frozen server or host, a network
  /// that stopped answering), so a turn never waits on PostgreSQL longer than queue_timeout +
  /// job_timeout.
  template <class F>
  auto run(F&& fn) -> Task<std::invoke_result_t<F&, pqxx::connection&>> {
    const auto queued_at = enqueue();
    co_return co_await offload(pool_.get_executor(), [this, &f = fn, queued_at]() {
      begin_job(queued_at);
      const auto deadline = std::chrono::steady_clock::now() + settings_.job_timeout;
      for (int attempt = 1;; ++attempt) {
        Lease lease(*this);
        const bool retry = attempt == 1 && lease.reused();
        JobWatch watch(*this, lease, deadline);
        try {
          return f(lease.connection());
        } catch (const pqxx::in_doubt_error& e) {
          watch.rethrow_if_timed_out(lease);
          lease.discard();
          throw Unavailable("postgres", first_line(e.what()));
        } catch (const pqxx::broken_connection& e) {
          watch.rethrow_if_timed_out(lease);
          lease.discard();
          if (retry) continue;
          throw Unavailable("postgres", first_line(e.what()));
        } catch (const pqxx::sql_error& e) {
          watch.rethrow_if_timed_out(lease);
          if (connection_lost(e, lease)) {
            if (retry && lease.discarded()) continue;
            throw Unavailable("postgres", first_line(e.what()));
          }
          throw DatabaseError(e.sqlstate(), first_line(e.what()));
        } catch (const pqxx::failure& e) {
          watch.rethrow_if_timed_out(lease);
          if (lease.connection().is_open()) throw DatabaseError("", first_line(e.what()));
          lease.discard();
          if (retry) continue;
          throw Unavailable("postgres", first_line(e.what()));
        }
      }
    });
  }

  /// Registers a prepared statement; every connection (present and future) prepares it before
  /// its next use, so statements survive reconnects. Call before serving traffic.
  void prepare(std::string name, std::string sql);

  /// SELECT 1 within `deadline`: nullopt when healthy, else the reason. Runs on a thread and a
  /// connection of its own, so a readiness probe never takes a booking's connection, and a
  /// busy pool does not make the task look dead. One probe at a time: while one is still blocked
  /// (PostgreSQL frozen), the next reports that at once.
  Task<std::optional<std::string>> ping(std::chrono::milliseconds deadline);

  [[nodiscard]] unsigned size() const { return settings_.size; }
  /// Connections currently leased (for the metrics gauge).
  [[nodiscard]] unsigned in_use() const;
  /// Jobs waiting for a connection (the bella_db_pool_queue gauge).
  [[nodiscard]] unsigned queued() const { return queued_.load(); }

  /// Stops the threads once their current jobs finish. Jobs still queued never run: they are
  /// destroyed here, and the coroutines awaiting them are handed back to their executors to be
  /// destroyed there (app: the io_context's destroy_pending()), while what they refer to exists.
  void stop();

 private:
  class Lease {
   public:
    explicit Lease(PgPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    pqxx::connection& connection();
    void discard();
    /// True when the connection came from the idle list (it may have died while idle).
    [[nodiscard]] bool reused() const { return reused_; }
    [[nodiscard]] bool discarded() const { return discard_; }

   private:
    PgPool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool discard_ = false;
    bool reused_ = false;
  };

  /// Shuts down the sockets of jobs past their deadline (run()). One thread, asleep until the
  /// nearest deadline; arming and disarming take its mutex, so a socket is never shut down after
  /// its job let the connection go.
  class Watchdog {
   public:
    Watchdog();
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    std::uint64_t arm(int fd, std::chrono::steady_clock::time_point deadline);
    /// Disarms; true when the deadline had fired.
    bool disarm(std::uint64_t ticket);

   private:
    struct Entry {
      int fd;
      std::chrono::steady_clock::time_point deadline;
      bool fired;
    };
    void loop();
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::uint64_t, Entry> entries_;
    std::uint64_t next_ = 1;
    std::chrono::steady_clock::time_point wake_at_ = std::chrono::steady_clock::time_point::max();
    bool stop_ = false;
    std::thread thread_;
  };

  /// A job's deadline on its lease's socket, for the time the job runs.
  class JobWatch {
   public:
    JobWatch(PgPool& pool, Lease& lease, std::chrono::steady_clock::time_point deadline);
    ~JobWatch();
    JobWatch(const JobWatch&) = delete;
    JobWatch& operator=(const JobWatch&) = delete;
    /// When the watchdog ended the job: drops the connection and throws Unavailable (no retry).
    void rethrow_if_timed_out(Lease& lease);

   private:
    PgPool& pool_;
    std::uint64_t ticket_ = 0;
    bool fired_ = false;
  };

  std::unique_ptr<pqxx::connection> open() const;
  /// False when an idle connection has something to read (a FATAL from a shutting-down server,
  /// or EOF): an idle connection has nothing to say unless it is dead.
  static bool idle_alive(pqxx::connection& conn);
  /// Classifies an SQL error: true (and the lease discarded) when it means the connection is gone.
  static bool connection_lost(const pqxx::sql_error& e, Lease& lease);
  void prepare_pending(pqxx::connection& conn);
  void drop_idle();
  /// Counts a job into the queue; returns when it was queued.
  std::chrono::steady_clock::time_point enqueue();
  /// On the pool thread: counts the job out of the queue; throws Unavailable when it waited too long.
  void begin_job(std::chrono::steady_clock::time_point queued_at);
  bool probe_once();  // ping()'s job, on probe_
  std::string conninfo_;
  PgSettings settings_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::vector<std::pair<std::string, std::string>> statements_;  // name, sql
  std::map<const pqxx::connection*, std::size_t> prepared_;       // statements prepared per connection
  unsigned leased_ = 0;
  std::atomic<unsigned> queued_{0};
  std::atomic<bool> probing_{false};
  std::unique_ptr<pqxx::connection> probe_conn_;  // touched only on probe_
  /// A thread pool whose queued jobs can be destroyed before the pool is (shutdown() is the first
  /// half of its destructor).
  class Threads final : public asio::thread_pool {
   public:
    using asio::thread_pool::thread_pool;
    void drop_queued() { shutdown(); }
  };
  Watchdog watchdog_;  // before the threads: destroyed after them
  Threads pool_;
  Threads probe_{1};
};

}  // namespace bella::db
