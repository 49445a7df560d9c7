// PgPool against a real PostgreSQL: the queue deadline (a job that waited too long for a
// connection is not run) and the readiness probe's own connection (issue 14 point 7).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/pqxx>

#include "db/pg_pool.hpp"
#include "support/pg_test_db.hpp"

namespace bella::db {
namespace {

using namespace std::chrono_literals;
using testing::TestDatabase;

Task<void> hold_the_connection(PgPool& pool) {
  co_await pool.run([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("SELECT pg_sleep(3)");
  });
}

Task<bool> mark(PgPool& pool, std::atomic<bool>& ran) {
  co_await pool.run([&ran](pqxx::connection&) { ran = true; });
  co_return true;
}

Task<std::optional<std::string>> probe(PgPool& pool) { co_return co_await pool.ping(1500ms); }

TEST(PgPoolQueue, AJobThatWaitedPastTheQueueTimeoutIsNotRunAndTheProbeNeverWaitsForTheBusyPool) {
  TestDatabase db;
  asio::io_context ioc;  // outlives the pool, whose threads post back to it
  PgPool pool(PgSettings{.url = db.url(), .size = 1, .statement_timeout = 10s, .queue_timeout = 200ms});
  auto work = asio::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });
  // A failure that throws out of the body still stops and joins the io thread (never terminate()).
  struct Join {
    asio::io_context& ioc;
    std::thread& io;
    ~Join() {
      ioc.stop();
      if (io.joinable()) io.join();
    }
  } join{ioc, io};

  auto held = asio::co_spawn(ioc, hold_the_connection(pool), asio::use_future);
  std::this_thread::sleep_for(300ms);  // the only connection is now busy for about 3 s
  std::atomic<bool> ran{false};
  auto queued = asio::co_spawn(ioc, mark(pool, ran), asio::use_future);
  for (int i = 0; i < 100 && pool.queued() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(pool.queued(), 1u);

  // The probe has its own thread and connection: healthy while the pool's one connection is busy
  // (before, it queued behind the 3-second job and missed its 1.5-second deadline).
  EXPECT_EQ(asio::co_spawn(ioc, probe(pool), asio::use_future).get(), std::nullopt);

  held.get();
  EXPECT_THROW(queued.get(), Unavailable);  // it waited ~2.7 s > 200 ms for the connection
  EXPECT_FALSE(ran.load());                 // and was never run
  EXPECT_EQ(pool.queued(), 0u);
  // The pool itself is fine: the next job runs.
  std::atomic<bool> next{false};
  EXPECT_TRUE(asio::co_spawn(ioc, mark(pool, next), asio::use_future).get());
  EXPECT_TRUE(next.load());

  work.reset();
  pool.stop();
}

}  // namespace
}  // namespace bella::db
