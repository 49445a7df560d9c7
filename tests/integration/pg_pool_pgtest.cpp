// PgPool against a real PostgreSQL: the queue deadline (a job that waited too long for a
// connection is not run), the job deadline (a job whose server stopped answering is ended) and the
// readiness probe's own connection (issue 14 point 7).
#include <gtest/gtest.h>

#include <signal.h>

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

/// An io_context run on a thread of its own; stopped and joined however the test body ends (a
/// failure that throws out of it never reaches terminate()).
struct IoThread {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  std::thread thread{[this] { ioc.run(); }};
  ~IoThread() {
    work.reset();
    ioc.stop();
    if (thread.joinable()) thread.join();
  }
};

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

Task<int> backend_pid(PgPool& pool) {
  co_return co_await pool.run([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  });
}

TEST(PgPoolQueue, AJobThatWaitedPastTheQueueTimeoutIsNotRunAndTheProbeNeverWaitsForTheBusyPool) {
  TestDatabase db;
  IoThread io;  // outlives the pool, whose threads post back to it
  asio::io_context& ioc = io.ioc;
  PgPool pool(PgSettings{.url = db.url(), .size = 1, .statement_timeout = 10s, .queue_timeout = 200ms});

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

  pool.stop();
}

// A started job whose server stops answering (its backend process stopped: to the client, a frozen
// server or a silent network) fails after job_timeout instead of waiting for ever, and the pool
// goes on with a fresh connection.
TEST(PgPoolJob, AJobWhoseServerStopsAnsweringEndsAtItsDeadline) {
  TestDatabase db;
  IoThread io;
  asio::io_context& ioc = io.ioc;
  PgPool pool(PgSettings{.url = db.url(), .size = 1, .statement_timeout = 30s, .job_timeout = 500ms});

  const int pid = asio::co_spawn(ioc, backend_pid(pool), asio::use_future).get();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  // Whatever happens below, the backend is continued after 8 s (a pool without the deadline would
  // wait until then, and the test fails on the time instead of hanging).
  std::promise<void> done;
  std::thread resume([pid, f = done.get_future()]() mutable {
    f.wait_for(8s);
    ::kill(pid, SIGCONT);
  });
  struct Resume {
    std::promise<void>& done;
    std::thread& t;
    ~Resume() {
      done.set_value();
      t.join();
    }
  } resume_guard{done, resume};

  const auto t0 = std::chrono::steady_clock::now();
  auto stuck = asio::co_spawn(ioc, backend_pid(pool), asio::use_future);
  try {
    stuck.get();
    ADD_FAILURE() << "the job on the stopped backend returned";
  } catch (const Unavailable& e) {
    EXPECT_NE(std::string(e.what()).find("no answer within 500 ms"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);  // 500 ms, with room for a loaded box

  // The next job gets a fresh connection (another backend) and runs.
  const int next = asio::co_spawn(ioc, backend_pid(pool), asio::use_future).get();
  EXPECT_GT(next, 0);
  EXPECT_NE(next, pid);

  pool.stop();
}

}  // namespace
}  // namespace bella::db
