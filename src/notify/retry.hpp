// What to do after one attempt to hand a text to Twilio: pure, so the policy is unit-tested alone.
#pragma once
#include <chrono>

namespace bella::notify {

struct RetryPolicy {
  std::chrono::milliseconds first_delay{4'000};  // before the first retry (with jitter: 50-100 % of it)
  std::chrono::milliseconds cap{600'000};        // no wait is longer than 10 minutes
  int max_attempts = 8;                          // then the text is failed
};

enum class Verdict { sent, retry, failed };

/// 2xx: sent. 429, 5xx, no answer at all (connection refused, timeout): retry. Any other status
/// (4xx such as 21610 opted out, 21211 invalid To, 21614 not a mobile, 21408 region): failed at once.
Verdict classify(long http_status, bool transport_error);

/// The wait before attempt `attempts + 1`, after `attempts` (>= 1) failed ones: first_delay doubled
/// per attempt, capped, then scaled to 50-100 % by `unit` (a random draw in [0, 1)) so that
/// instances retrying together spread out.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempts, double unit);

struct NextStep {
  Verdict verdict = Verdict::failed;
  std::chrono::milliseconds delay{0};  // Verdict::retry only
};

/// classify(), with retries turned into `failed` once `attempts` reached the policy's maximum.
NextStep next_step(const RetryPolicy& policy, long http_status, bool transport_error, int attempts, double unit);

}  // namespace bella::notify
