// MemorySessionStore: TTL expiry, claim semantics, bounded size and eviction order, with a hand clock.
#include <gtest/gtest.h>

#include "store/memory_store.hpp"
#include "support/switchable_session_store.hpp"

namespace bella::store {
namespace {

using namespace std::chrono_literals;
using bella::testing::run_task;

struct HandClock {
  std::chrono::steady_clock::time_point t{std::chrono::hours(1000)};
  MemoryStoreSettings settings(std::size_t max_keys = 10'000) {
    return MemoryStoreSettings{.max_keys = max_keys, .now = [this] { return t; }};
  }
};

TEST(MemoryStore, SaveThenLoadThroughThePort) {
  MemorySessionStore store;
  SessionStore& port = store;
  auto got = run_task<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await port.save("bella:call:CA1", "{\"step\":\"ask_name\"}", 900s);
    co_return co_await port.load("bella:call:CA1");
  });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "{\"step\":\"ask_name\"}");
  EXPECT_EQ(port.backend(), "memory");
}

TEST(MemoryStore, MissingKeyIsAbsent) {
  MemorySessionStore store;
  EXPECT_FALSE(store.get("nope").has_value());
}

TEST(MemoryStore, KeyExpiresAtItsTtl) {
  HandClock clock;
  MemorySessionStore store(clock.settings());
  store.put("k", "v", 10s);
  clock.t += 9s;
  EXPECT_EQ(store.get("k"), "v");
  clock.t += 1s;  // exactly at expiry: gone, as in Redis
  EXPECT_FALSE(store.get("k").has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST(MemoryStore, SaveReplacesValueAndRestartsTtl) {
  HandClock clock;
  MemorySessionStore store(clock.settings());
  store.put("k", "v1", 10s);
  clock.t += 8s;
  store.put("k", "v2", 10s);
  clock.t += 8s;
  EXPECT_EQ(store.get("k"), "v2");
  EXPECT_EQ(store.size(), 1u);
}

TEST(MemoryStore, ClaimSucceedsOnceWhileLive) {
  HandClock clock;
  MemorySessionStore store(clock.settings());
  EXPECT_TRUE(store.put_if_absent("turn", "a", 30s));
  EXPECT_FALSE(store.put_if_absent("turn", "b", 30s));
  EXPECT_EQ(store.get("turn"), "a");  // the loser did not overwrite
}

TEST(MemoryStore, ClaimRespectsExpiry) {
  HandClock clock;
  MemorySessionStore store(clock.settings());
  EXPECT_TRUE(store.put_if_absent("turn", "a", 30s));
  clock.t += 30s;
  EXPECT_TRUE(store.put_if_absent("turn", "b", 30s));
  EXPECT_EQ(store.get("turn"), "b");
}

TEST(MemoryStore, ClaimThroughPortAfterErase) {
  MemorySessionStore store;
  SessionStore& port = store;
  auto second = run_task<bool>([&]() -> Task<bool> {
    EXPECT_TRUE(co_await port.claim("turn", "a", 30s));
    co_await port.erase("turn");
    co_return co_await port.claim("turn", "b", 30s);
  });
  EXPECT_TRUE(second);
}

TEST(MemoryStore, BoundedSizeEvictsSoonestExpiring) {
  HandClock clock;
  MemorySessionStore store(clock.settings(3));
  store.put("long", "1", 100s);
  store.put("short", "2", 10s);
  store.put("mid", "3", 50s);
  store.put("new", "4", 60s);
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.get("short").has_value());
  EXPECT_EQ(store.get("long"), "1");
  EXPECT_EQ(store.get("mid"), "3");
  EXPECT_EQ(store.get("new"), "4");
}

TEST(MemoryStore, EvictionPrefersOldestOnEqualExpiry) {
  HandClock clock;
  MemorySessionStore store(clock.settings(2));
  store.put("first", "1", 10s);
  store.put("second", "2", 10s);
  store.put("third", "3", 10s);
  EXPECT_FALSE(store.get("first").has_value());
  EXPECT_EQ(store.get("second"), "2");
  EXPECT_EQ(store.get("third"), "3");
}

TEST(MemoryStore, FullStoreDropsExpiredKeysBeforeEvictingLiveOnes) {
  HandClock clock;
  MemorySessionStore store(clock.settings(2));
  store.put("old", "1", 5s);
  store.put("live", "2", 100s);
  clock.t += 5s;
  store.put("new", "3", 10s);  // "new" expires sooner than "live", but "old" is the one to go
  EXPECT_EQ(store.get("live"), "2");
  EXPECT_EQ(store.get("new"), "3");
}

TEST(MemoryStore, OverwritingAKeyInAFullStoreEvictsNothingElse) {
  HandClock clock;
  MemorySessionStore store(clock.settings(2));
  store.put("a", "1", 10s);
  store.put("b", "2", 20s);
  store.put("a", "3", 30s);
  EXPECT_EQ(store.get("a"), "3");
  EXPECT_EQ(store.get("b"), "2");
}

TEST(MemoryStore, DefaultBoundIsTenThousandKeys) {
  HandClock clock;
  MemorySessionStore store(MemoryStoreSettings{.now = [&clock] { return clock.t; }});
  for (int i = 0; i < 10'001; ++i) store.put("k" + std::to_string(i), "v", 900s);
  EXPECT_EQ(store.size(), 10'000u);
  EXPECT_FALSE(store.get("k0").has_value());
  EXPECT_TRUE(store.get("k10000").has_value());
}

TEST(MemoryStore, TakeAllReturnsLiveEntriesWithRemainingTtlAndEmpties) {
  HandClock clock;
  MemorySessionStore store(clock.settings());
  store.put("a", "1", 10s);
  store.put("b", "2", 100s);
  clock.t += 10s;  // a expired
  clock.t += 500ms;
  auto entries = store.take_all();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "b");
  EXPECT_EQ(entries[0].value, "2");
  EXPECT_EQ(entries[0].ttl_left, 90s);  // 89.5 s rounds up
  EXPECT_EQ(store.size(), 0u);
}

TEST(MemoryStore, ZeroTtlStillLivesOneSecond) {
  HandClock clock;
  MemorySessionStore store(clock.settings());
  store.put("k", "v", 0s);
  EXPECT_EQ(store.get("k"), "v");
  clock.t += 1s;
  EXPECT_FALSE(store.get("k").has_value());
}

}  // namespace
}  // namespace bella::store
