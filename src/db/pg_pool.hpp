// A pool of libpqxx connections on its own threads: blocking SQL never runs on the io_context.
#pragma once
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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
};


/// Thread-safe. Each job runs on a pool thread with a connection leased for its duration.
class PgPool {
 public:
  explicit PgPool(PgSettings settings);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  /// Runs `fn(pqxx::connection&)` on a pool thread and resumes the caller with its result.
  /// A broken connection becomes Unavailable (and is reopened next time).
  /// Connection loss (also SQLSTATE classes 08 and 57P, and a commit in doubt) drops every idle
  /// connection too, since after a server restart they are all dead; a statement timeout
  /// (57014) is also Unavailable but keeps the connection.
  /// `fn` is taken by reference (GCC 12 mishandles by-value coroutine arguments): await the
  /// result in the same expression, `co_await pool.run(…)`, so that `fn` outlives the job.
  template <class F>
  auto run(F&& fn) -> Task<std::invoke_result_t<F&, pqxx::connection&>> {
    co_return co_await offload(pool_.get_executor(), [this, &f = fn]() {
      Lease lease(*this);
      try {
        return f(lease.connection());
      } catch (const pqxx::broken_connection& e) {
        lease.discard();
        throw Unavailable("postgres", e.what());
      } catch (const pqxx::in_doubt_error& e) {
        lease.discard();
        throw Unavailable("postgres", e.what());
      } catch (const pqxx::sql_error& e) {
        if (!connection_lost(e, lease)) throw;
        throw Unavailable("postgres", e.what());
      } catch (const pqxx::failure& e) {
        if (lease.connection().is_open()) throw;
        lease.discard();
        throw Unavailable("postgres", e.what());
      }
    });
  }

  /// Registers a prepared statement; every connection (present and future) prepares it before
  /// its next use, so statements survive reconnects. Call before serving traffic.
  void prepare(std::string name, std::string sql);

  /// SELECT 1 within `deadline`: nullopt when healthy, else the reason.
  Task<std::optional<std::string>> ping(std::chrono::milliseconds deadline);

  [[nodiscard]] unsigned size() const { return settings_.size; }
  /// Connections currently leased (for the metrics gauge).
  [[nodiscard]] unsigned in_use() const;

  /// Stops the threads after queued jobs finish.
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

   private:
    PgPool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool discard_ = false;
  };

  std::unique_ptr<pqxx::connection> open() const;
  /// Classifies an SQL error: true (and the lease discarded) when it means the connection is gone.
  static bool connection_lost(const pqxx::sql_error& e, Lease& lease);
  void prepare_pending(pqxx::connection& conn);
  void drop_idle();
  std::string conninfo_;
  PgSettings settings_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::vector<std::pair<std::string, std::string>> statements_;  // name, sql
  std::map<const pqxx::connection*, std::size_t> prepared_;       // statements prepared per connection
  unsigned leased_ = 0;
  asio::thread_pool pool_;
};

}  // namespace bella::db
