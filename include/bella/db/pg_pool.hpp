// A pool of libpqxx connections on its own threads: blocking SQL never runs on the io_context.
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <pqxx/pqxx>

#include "bella/core/asio.hpp"
#include "bella/core/offload.hpp"

namespace bella::db {

struct PgSettings {
  std::string url;                                   // postgres://…
  unsigned size = 4;                                 // threads == connections
  std::chrono::milliseconds statement_timeout{2000}; // set on every connection
  std::chrono::seconds connect_timeout{2};
};

/// Thrown when PostgreSQL cannot be reached or the connection broke mid-statement. The router
/// answers it with 503; the broken connection is dropped and reopened on next use.
struct DatabaseUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Thread-safe. Each job runs on a pool thread with a connection leased for its duration.
class PgPool {
 public:
  explicit PgPool(PgSettings settings);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  /// Runs `fn(pqxx::connection&)` on a pool thread and resumes the caller with its result.
  /// A broken connection becomes DatabaseUnavailable (and is reopened next time).
  template <class F>
  auto run(F fn) -> Task<std::invoke_result_t<F&, pqxx::connection&>> {
    co_return co_await offload(pool_.get_executor(), [this, f = std::move(fn)]() mutable {
      Lease lease(*this);
      try {
        return f(lease.connection());
      } catch (const pqxx::broken_connection& e) {
        lease.discard();
        throw DatabaseUnavailable(e.what());
      }
    });
  }

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
    void discard() { discard_ = true; }

   private:
    PgPool& pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool discard_ = false;
  };

  std::unique_ptr<pqxx::connection> open() const;
  std::string conninfo_;
  PgSettings settings_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  unsigned leased_ = 0;
  asio::thread_pool pool_;
};

}  // namespace bella::db
