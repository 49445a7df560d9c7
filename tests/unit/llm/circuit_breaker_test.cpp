// CircuitBreaker state machine, driven by an injected clock (no sleeping).
#include <gtest/gtest.h>

#include <vector>

#include "llm/circuit_breaker.hpp"

namespace bella::llm {
namespace {

using namespace std::chrono_literals;

struct Harness {
  std::chrono::steady_clock::time_point t{std::chrono::seconds(1000)};
  std::vector<BreakerState> changes;
  CircuitBreaker breaker{BreakerSettings{.failure_threshold = 3, .cooldown = 10s}, [this] { return t; },
                         [this](BreakerState s) { changes.push_back(s); }};
};

TEST(CircuitBreaker, StartsClosedAndAllowsCalls) {
  Harness h;
  EXPECT_EQ(h.breaker.state(), BreakerState::closed);
  EXPECT_TRUE(h.breaker.allow());
  EXPECT_TRUE(h.breaker.allow());
}

TEST(CircuitBreaker, OpensAfterThresholdConsecutiveFailures) {
  Harness h;
  h.breaker.on_failure();
  h.breaker.on_failure();
  EXPECT_EQ(h.breaker.state(), BreakerState::closed);
  h.breaker.on_failure();
  EXPECT_EQ(h.breaker.state(), BreakerState::open);
  EXPECT_FALSE(h.breaker.allow());
  EXPECT_EQ(h.changes, std::vector<BreakerState>{BreakerState::open});
}

TEST(CircuitBreaker, SuccessResetsTheFailureCount) {
  Harness h;
  h.breaker.on_failure();
  h.breaker.on_failure();
  h.breaker.on_success();
  h.breaker.on_failure();
  h.breaker.on_failure();
  EXPECT_EQ(h.breaker.state(), BreakerState::closed);
}

TEST(CircuitBreaker, StaysOpenUntilTheCooldownHasPassed) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.breaker.on_failure();
  h.t += 9999ms;
  EXPECT_FALSE(h.breaker.allow());
  EXPECT_EQ(h.breaker.state(), BreakerState::open);
  h.t += 1ms;
  EXPECT_TRUE(h.breaker.allow());
  EXPECT_EQ(h.breaker.state(), BreakerState::half_open);
}

TEST(CircuitBreaker, HalfOpenLetsExactlyOneProbeThrough) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.breaker.on_failure();
  h.t += 10s;
  EXPECT_TRUE(h.breaker.allow());
  EXPECT_FALSE(h.breaker.allow());
  EXPECT_FALSE(h.breaker.allow());
}

TEST(CircuitBreaker, ProbeSuccessClosesTheBreaker) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.breaker.on_failure();
  h.t += 10s;
  ASSERT_TRUE(h.breaker.allow());
  h.breaker.on_success();
  EXPECT_EQ(h.breaker.state(), BreakerState::closed);
  EXPECT_TRUE(h.breaker.allow());
  EXPECT_TRUE(h.breaker.allow());
  EXPECT_EQ(h.changes, (std::vector<BreakerState>{BreakerState::open, BreakerState::half_open, BreakerState::closed}));
}

TEST(CircuitBreaker, ProbeFailureReopensWithAFreshCooldown) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.breaker.on_failure();
  h.t += 10s;
  ASSERT_TRUE(h.breaker.allow());
  h.breaker.on_failure();
  EXPECT_EQ(h.breaker.state(), BreakerState::open);
  h.t += 5s;
  EXPECT_FALSE(h.breaker.allow());
  h.t += 5s;
  EXPECT_TRUE(h.breaker.allow());
  EXPECT_EQ(h.breaker.state(), BreakerState::half_open);
}

TEST(CircuitBreaker, ReleasedProbeLetsTheNextCallerProbe) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.breaker.on_failure();
  h.t += 10s;
  ASSERT_TRUE(h.breaker.allow());
  EXPECT_FALSE(h.breaker.allow());
  h.breaker.release();
  EXPECT_TRUE(h.breaker.allow());
}

TEST(CircuitBreaker, LateFailureWhileOpenDoesNotExtendTheCooldown) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.breaker.on_failure();
  h.t += 6s;
  h.breaker.on_failure();  // a call that went out before the breaker opened
  h.t += 4s;
  EXPECT_TRUE(h.breaker.allow());
}

}  // namespace
}  // namespace bella::llm
