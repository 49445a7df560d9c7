// The retry policy of the outbox sender.
#include "notify/retry.hpp"

#include <algorithm>
#include <cmath>

namespace bella::notify {

Verdict classify(long http_status, bool transport_error) {
  if (transport_error || http_status == 0) return Verdict::retry;
  if (http_status >= 200 && http_status < 300) return Verdict::sent;
  if (http_status == 429 || http_status >= 500) return Verdict::retry;
  return Verdict::failed;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempts, double unit) {
  const double first = static_cast<double>(policy.first_delay.count());
  const double cap = static_cast<double>(policy.cap.count());
  const int doublings = std::clamp(attempts - 1, 0, 40);
  const double base = std::min(cap, first * std::ldexp(1.0, doublings));
  const double u = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(base * (0.5 + 0.5 * u)));
}

NextStep next_step(const RetryPolicy& policy, long http_status, bool transport_error, int attempts, double unit) {
  const Verdict v = classify(http_status, transport_error);
  if (v != Verdict::retry) return NextStep{.verdict = v};
  if (attempts >= policy.max_attempts) return NextStep{.verdict = Verdict::failed};
  return NextStep{.verdict = Verdict::retry, .delay = retry_delay(policy, attempts, unit)};
}

}  // namespace bella::notify
