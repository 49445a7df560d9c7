// The outbox's retry policy: what each Twilio answer leads to, and how long each wait is.
#include <gtest/gtest.h>

#include "notify/retry.hpp"

namespace bella::notify {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, ClassifiesTwilioAnswers) {
  EXPECT_EQ(classify(201, false), Verdict::sent);
  EXPECT_EQ(classify(200, false), Verdict::sent);
  EXPECT_EQ(classify(429, false), Verdict::retry);
  EXPECT_EQ(classify(500, false), Verdict::retry);
  EXPECT_EQ(classify(503, false), Verdict::retry);
  EXPECT_EQ(classify(0, true), Verdict::retry);     // refused, reset, timed out
  EXPECT_EQ(classify(400, false), Verdict::failed);  // 21610, 21211, 21614, 21408 come as 400
  EXPECT_EQ(classify(401, false), Verdict::failed);
  EXPECT_EQ(classify(404, false), Verdict::failed);
}

TEST(RetryPolicy, FirstRetryWithinFiveSecondsThenDoublingUpToTenMinutes) {
  const RetryPolicy p;
  EXPECT_LE(retry_delay(p, 1, 0.999), milliseconds(5'000));
  EXPECT_GE(retry_delay(p, 1, 0.0), milliseconds(1'000));
  for (int n = 1; n < 8; ++n) {
    EXPECT_EQ(retry_delay(p, n + 1, 0.0).count(), std::min<long long>(2 * retry_delay(p, n, 0.0).count(), 300'000))
        << "attempt " << n;
  }
  EXPECT_EQ(retry_delay(p, 30, 1.0), milliseconds(600'000));
  EXPECT_LE(retry_delay(p, 1000, 0.999), milliseconds(600'000));
}

TEST(RetryPolicy, JitterSpreadsTheWaitBetweenHalfAndAll) {
  const RetryPolicy p;
  EXPECT_EQ(retry_delay(p, 3, 0.0), milliseconds(8'000));
  EXPECT_EQ(retry_delay(p, 3, 0.5), milliseconds(12'000));
  EXPECT_LT(retry_delay(p, 3, 0.999), milliseconds(16'000));
}

TEST(RetryPolicy, AtMostEightAttemptsThenFailed) {
  const RetryPolicy p;
  for (int attempts = 1; attempts < 8; ++attempts) {
    auto s = next_step(p, 500, false, attempts, 0.5);
    EXPECT_EQ(s.verdict, Verdict::retry) << attempts;
    EXPECT_GT(s.delay.count(), 0);
  }
  EXPECT_EQ(next_step(p, 500, false, 8, 0.5).verdict, Verdict::failed);
  EXPECT_EQ(next_step(p, 0, true, 8, 0.5).verdict, Verdict::failed);
  EXPECT_EQ(next_step(p, 400, false, 1, 0.5).verdict, Verdict::failed);  // never retried
  EXPECT_EQ(next_step(p, 201, false, 8, 0.5).verdict, Verdict::sent);
}

}  // namespace
}  // namespace bella::notify
