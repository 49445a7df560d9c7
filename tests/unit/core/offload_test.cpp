// offload(): results, exceptions and captured state survive the trip to the pool and back.
#include <gtest/gtest.h>

#include <future>

#include <atomic>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "bella/core/offload.hpp"

namespace bella {
namespace {

TEST(Offload, ReturnsTheValueComputedOnThePoolAndResumesOnTheCaller) {
  asio::io_context ioc;
  asio::thread_pool pool(2);
  std::string got;
  std::thread::id pool_thread, resumed_on;
  const auto caller = std::this_thread::get_id();
  std::string captured(100, 'x');  // large enough to live on the heap
  asio::co_spawn(
      ioc,
      [&]() -> Task<void> {
        // Captures by reference: GCC 12 destroys non-trivial temporaries of a co_await expression
        // twice, so callers keep their lambdas' captures trivially destructible.
        got = co_await offload(pool.get_executor(), [&captured, &pool_thread] {
          pool_thread = std::this_thread::get_id();
          return captured + "!";
        });
        resumed_on = std::this_thread::get_id();
      },
      asio::detached);
  ioc.run();
  EXPECT_EQ(got, captured + "!");
  EXPECT_NE(pool_thread, caller);
  EXPECT_EQ(resumed_on, caller);
  pool.join();
}

TEST(Offload, RethrowsTheExceptionInTheCaller) {
  asio::io_context ioc;
  asio::thread_pool pool(1);
  std::string error;
  asio::co_spawn(
      ioc,
      [&]() -> Task<void> {
        try {
          co_await offload(pool.get_executor(), []() -> int { throw std::runtime_error("db down"); });
        } catch (const std::runtime_error& e) {
          error = e.what();
        }
      },
      asio::detached);
  ioc.run();
  EXPECT_EQ(error, "db down");
  pool.join();
}

TEST(Offload, DeadlineGivesUpWaitingButNotTheWork) {
  asio::io_context ioc;
  asio::thread_pool pool(1);
  std::optional<int> fast, slow;
  bool slow_answered = true;
  // The slow job cannot finish before the test releases it, which it does only after the caller
  // has given up: no race with the deadline, whatever the machine's speed.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> slow_ran{false};
  asio::co_spawn(
      ioc,
      [&]() -> Task<void> {
        fast = co_await offload_with_deadline(pool.get_executor(), [] { return 7; }, std::chrono::seconds(5));
        auto r = co_await offload_with_deadline(
            pool.get_executor(),
            [&released, &slow_ran] {
              released.wait();
              slow_ran = true;
              return 8;
            },
            std::chrono::milliseconds(20));
        slow_answered = r.has_value();
      },
      asio::detached);
  ioc.run();
  EXPECT_EQ(fast, 7);
  EXPECT_FALSE(slow_answered);
  release.set_value();
  pool.join();
  EXPECT_TRUE(slow_ran) << "the work itself still runs to completion";
}

}  // namespace
}  // namespace bella
