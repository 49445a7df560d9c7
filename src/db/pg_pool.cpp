// PgPool: connections are opened lazily, one per worker at most, and reopened after a failure.
#include "bella/db/pg_pool.hpp"

#include <spdlog/spdlog.h>

#include "bella/obs/metrics.hpp"

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

}  // namespace

PgPool::PgPool(PgSettings settings)
    : conninfo_(with_connect_timeout(settings.url, settings.connect_timeout)),
      settings_(std::move(settings)),
      pool_(settings_.size) {
  obs::registry().gauge("bella_db_pool_size", "PostgreSQL pool size").set(settings_.size);
}

PgPool::~PgPool() { stop(); }

void PgPool::stop() {
  pool_.stop();
  pool_.join();
}

unsigned PgPool::in_use() const {
  std::lock_guard lock(mutex_);
  return leased_;
}

std::unique_ptr<pqxx::connection> PgPool::open() const {
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_);
    pqxx::nontransaction tx(*conn);
    tx.exec("SET statement_timeout = " + std::to_string(settings_.statement_timeout.count()));
    tx.exec("SET TIME ZONE 'UTC'");
    return conn;
  } catch (const pqxx::broken_connection& e) {
    throw DatabaseUnavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
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
    }
  }
  try {
    if (!conn_ || !conn_->is_open()) conn_ = pool_.open();
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
  if (!discard_ && conn_->is_open()) pool_.idle_.push_back(std::move(conn_));
}

pqxx::connection& PgPool::Lease::connection() { return *conn_; }

Task<std::optional<std::string>> PgPool::ping(std::chrono::milliseconds deadline) {
  try {
    auto answered = co_await offload_with_deadline(
        pool_.get_executor(),
        [this]() -> bool {
          Lease lease(*this);
          try {
            pqxx::nontransaction tx(lease.connection());
            return tx.exec1("SELECT 1")[0].as<int>() == 1;
          } catch (const pqxx::broken_connection& e) {
            lease.discard();
            throw DatabaseUnavailable(e.what());
          }
        },
        deadline);
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
