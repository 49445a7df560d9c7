// FallbackSessionStore: degraded path without failing callers, probe, hand-back, logs' metrics.
#include <gtest/gtest.h>

#include "obs/metrics.hpp"
#include "store/fallback_store.hpp"
#include "support/switchable_session_store.hpp"

namespace bella::store {
namespace {

using namespace std::chrono_literals;
using bella::testing::run_task;
using bella::testing::run_task_void;
using bella::testing::SwitchableSessionStore;

double switches_to(const std::string& to) {
  return obs::registry().counter("bella_session_store_switches_total", "").value({{"to", to}});
}
double active(const std::string& backend) {
  return obs::registry().gauge("bella_session_store_backend", "").value({{"backend", backend}});
}

struct FallbackStore : ::testing::Test {
  SwitchableSessionStore redis;
  MemorySessionStore memory;
  FallbackSessionStore store{redis, memory, redis.probe()};
};

TEST_F(FallbackStore, UsesPrimaryWhileItAnswers) {
  auto got = run_task<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save("k", "v", 60s);
    co_return co_await store.load("k");
  });
  EXPECT_EQ(got, "v");
  EXPECT_EQ(redis.inner().get("k"), "v");
  EXPECT_EQ(memory.size(), 0u);
  EXPECT_EQ(store.backend(), "redis");
  EXPECT_EQ(active("redis"), 1);
  EXPECT_EQ(active("memory"), 0);
}

TEST_F(FallbackStore, FailingPrimaryDoesNotFailTheCallerAndSwitchesToMemory) {
  const double before = switches_to("memory");
  redis.set_up(false);
  auto got = run_task<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save("k", "v", 60s);  // throws inside, answered by memory
    co_return co_await store.load("k");
  });
  EXPECT_EQ(got, "v");
  EXPECT_EQ(memory.get("k"), "v");
  EXPECT_EQ(store.backend(), "memory");
  EXPECT_TRUE(store.degraded());
  EXPECT_EQ(switches_to("memory"), before + 1);  // one switch, not one per call
  EXPECT_EQ(active("memory"), 1);
  EXPECT_EQ(active("redis"), 0);
}

TEST_F(FallbackStore, FollowingCallsSkipThePrimaryWhileDegraded) {
  redis.set_up(false);
  run_task_void([&]() -> Task<void> { co_await store.save("a", "1", 60s); });
  const int calls = redis.calls();
  redis.set_up(true);  // back, but nobody probed yet: memory still answers
  run_task_void([&]() -> Task<void> {
    co_await store.save("b", "2", 60s);
    auto a = co_await store.load("a");
    EXPECT_EQ(a, "1");
  });
  EXPECT_EQ(redis.calls(), calls);
  EXPECT_FALSE(redis.inner().get("b").has_value());
}

TEST_F(FallbackStore, ClaimAndEraseFallBackWithTheSameSemantics) {
  redis.set_up(false);
  auto results = run_task<std::vector<bool>>([&]() -> Task<std::vector<bool>> {
    std::vector<bool> out;
    out.push_back(co_await store.claim("turn", "x", 30s));
    out.push_back(co_await store.claim("turn", "y", 30s));
    co_await store.erase("turn");
    out.push_back(co_await store.claim("turn", "z", 30s));
    co_return out;
  });
  EXPECT_EQ(results, (std::vector<bool>{true, false, true}));
}

TEST_F(FallbackStore, ATurnsPairedCallsFallBackWithTheSameSemantics) {
  // Up: both writes reach the primary (and this task's mirror).
  run_task_void([&]() -> Task<void> {
    std::vector<Write> writes{{"session", "s1", 900s}, {"reply", "r1", 900s}};
    co_await store.save_all(std::move(writes));
  });
  EXPECT_EQ(redis.inner().get("session"), "s1");
  EXPECT_EQ(redis.inner().get("reply"), "r1");
  redis.set_up(false);
  auto got = run_task<std::vector<ClaimedLoad>>([&]() -> Task<std::vector<ClaimedLoad>> {
    std::vector<ClaimedLoad> out;
    out.push_back(co_await store.claim_then_load("turn", "x", 30s, "session"));  // the mirror's session
    out.push_back(co_await store.claim_then_load("turn", "y", 30s, "session"));  // claimed already
    std::vector<Write> writes{{"session", "s2", 900s}, {"reply", "r2", 900s}};
    co_await store.save_all(std::move(writes));
    out.push_back(co_await store.claim_then_load("turn2", "z", 30s, "session"));
    co_return out;
  });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].claimed);
  EXPECT_EQ(got[0].value, "s1");
  EXPECT_FALSE(got[1].claimed);
  EXPECT_TRUE(got[2].claimed);
  EXPECT_EQ(got[2].value, "s2");  // memory's newer write wins over the mirror
  EXPECT_EQ(memory.get("reply"), "r2");
  EXPECT_TRUE(store.degraded());
}

TEST_F(FallbackStore, ProbeKeepsMemoryWhilePrimaryIsDown) {
  redis.set_up(false);
  run_task_void([&]() -> Task<void> { co_await store.save("k", "v", 60s); });
  EXPECT_FALSE(run_task<bool>([&] { return store.probe_once(); }));
  EXPECT_EQ(store.backend(), "memory");
  EXPECT_EQ(memory.get("k"), "v");
}

TEST_F(FallbackStore, ProbeSwitchesBackAndHandsLiveEntriesToPrimary) {
  const double before = switches_to("redis");
  redis.set_up(false);
  run_task_void([&]() -> Task<void> {
    co_await store.save("bella:call:CA1", "state", 900s);
    co_await store.save("short", "gone", 1s);
  });
  memory.remove("short");  // stands in for an entry that expired during the outage
  redis.set_up(true);
  EXPECT_TRUE(run_task<bool>([&] { return store.probe_once(); }));
  EXPECT_EQ(store.backend(), "redis");
  EXPECT_EQ(switches_to("redis"), before + 1);
  EXPECT_EQ(active("redis"), 1);
  EXPECT_EQ(redis.inner().get("bella:call:CA1"), "state");  // the call can continue on Redis
  EXPECT_FALSE(redis.inner().get("short").has_value());
  EXPECT_EQ(memory.size(), 0u);
  // And the next turn reads it back through the decorator, from the primary.
  const int calls = redis.calls();
  auto got = run_task<std::optional<std::string>>([&] { return store.load("bella:call:CA1"); });
  EXPECT_EQ(got, "state");
  EXPECT_EQ(redis.calls(), calls + 1);
}

TEST_F(FallbackStore, HandBackKeepsRemainingTtl) {
  std::chrono::steady_clock::time_point t{std::chrono::hours(5)};
  MemorySessionStore timed_memory(MemoryStoreSettings{.now = [&t] { return t; }});
  SwitchableSessionStore timed_redis(MemoryStoreSettings{.now = [&t] { return t; }});
  FallbackSessionStore timed{timed_redis, timed_memory, timed_redis.probe()};
  timed_redis.set_up(false);
  run_task_void([&]() -> Task<void> { co_await timed.save("k", "v", 100s); });
  t += 60s;
  timed_redis.set_up(true);
  EXPECT_TRUE(run_task<bool>([&] { return timed.probe_once(); }));
  t += 39s;
  EXPECT_EQ(timed_redis.inner().get("k"), "v");
  t += 1s;  // 100 s after the original save: expired in the primary too
  EXPECT_FALSE(timed_redis.inner().get("k").has_value());
}

TEST_F(FallbackStore, ProbeLoopSwitchesBackOnItsOwn) {
  asio::io_context ioc;  // declared first: the store's probe timer is bound to it and must die first
  FallbackSessionStore looping{redis, memory, redis.probe(), FallbackSettings{.probe_interval = 1ms}};
  redis.set_up(false);
  run_task_void([&]() -> Task<void> { co_await looping.save("k", "v", 60s); });
  ASSERT_EQ(looping.backend(), "memory");
  redis.set_up(true);
  looping.start(ioc.get_executor());
  // Wait (by polling, no time assertion) until the loop has switched, then stop it.
  asio::steady_timer poll(ioc);
  std::function<void(error_code)> check = [&](error_code) {
    if (!looping.degraded()) {
      looping.stop();
      return;
    }
    poll.expires_after(1ms);
    poll.async_wait(check);
  };
  check({});
  ioc.run();  // returns once the loop has left
  EXPECT_EQ(looping.backend(), "redis");
  EXPECT_EQ(redis.inner().get("k"), "v");
}

TEST_F(FallbackStore, SecondOutageSoonAfterTheFirstStillAnswersTheLatestWrite) {
  // Defect 9: v1 written while Redis is up (mirrored), v2 during outage 1 (memory), handed back on
  // recovery; outage 2 before any new write must answer v2, not the mirror's v1.
  auto got = run_task<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save("bella:call:CA1", "step1", 60s);
    redis.set_up(false);
    co_await store.save("bella:call:CA1", "step2", 60s);
    redis.set_up(true);
    (void)co_await store.probe_once();
    redis.set_up(false);
    co_return co_await store.load("bella:call:CA1");
  });
  EXPECT_EQ(got, "step2");
}

TEST_F(FallbackStore, EraseContainingRemovesTheCallEverywhere) {
  auto left = run_task<std::size_t>([&]() -> Task<std::size_t> {
    co_await store.save("bella:call:CA1", "s", 60s);
    co_await store.save("bella:turn:CA1:1", "r", 60s);
    co_await store.save("bella:call:CA2", "other", 60s);
    redis.set_up(false);
    co_await store.save("bella:turn:CA1:2", "during outage", 60s);
    co_return co_await store.erase_containing("CA1");
  });
  EXPECT_EQ(left, 1u);  // the memory entry; Redis was down
  redis.set_up(true);
  auto after = run_task<std::size_t>([&]() -> Task<std::size_t> {
    (void)co_await store.probe_once();
    co_return co_await store.erase_containing("CA1");
  });
  EXPECT_EQ(after, 2u);  // Redis's two, once it is back
  EXPECT_FALSE(redis.inner().get("bella:call:CA1"));
  EXPECT_FALSE(redis.inner().get("bella:turn:CA1:1"));
  EXPECT_FALSE(redis.inner().get("bella:turn:CA1:2"));
  EXPECT_EQ(redis.inner().get("bella:call:CA2"), "other");
  redis.set_up(false);
  auto stale = run_task<std::optional<std::string>>(
      [&]() -> Task<std::optional<std::string>> { co_return co_await store.load("bella:call:CA1"); });
  EXPECT_FALSE(stale) << "the mirror still had the erased session";
}

TEST_F(FallbackStore, ARedisThatRestartedEmptyGetsThisTasksSessionsBackWithoutOverwritingNewerOnes) {
  auto got = run_task<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save("bella:call:CA1", "before the outage", 60s);
    co_await store.save("bella:call:CA2", "mine, older", 60s);
    redis.set_up(false);
    (void)co_await store.load("bella:call:CA1");  // the outage is noticed
    redis.inner().take_all();                     // Redis restarts with nothing
    redis.inner().put("bella:call:CA2", "another task's, newer", 60s);
    redis.set_up(true);
    EXPECT_TRUE(co_await store.probe_once());
    co_return co_await store.load("bella:call:CA1");
  });
  EXPECT_EQ(got, "before the outage");
  EXPECT_EQ(redis.inner().get("bella:call:CA2"), "another task's, newer");
}

}  // namespace
}  // namespace bella::store
