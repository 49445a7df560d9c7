// iso8601's hand-written formatting against date::format, the library it replaced on the hot path.
#include <gtest/gtest.h>

#include <random>

#include "bella/core/iso8601.hpp"

namespace bella::iso8601 {
namespace {

TEST(Iso8601, FormattingMatchesDateFormatAcrossTheRange) {
  const date::time_zone* edmonton = date::locate_zone("America/Edmonton");
  std::mt19937_64 rng(8601);
  // Random seconds from year 1 to 9998, plus the edges and the DST change of 2030.
  std::vector<long long> at = {0, -1, 86'399, 86'400, 951'782'400 /* 2000-02-29 */, 1'899'363'600,
                               253'402'300'799 /* 9999-12-31T23:59:59 */, -62'135'596'800 /* 0001-01-01 */};
  for (int i = 0; i < 20'000; ++i)
    at.push_back(static_cast<long long>(rng() % 315'000'000'000ULL) - 62'000'000'000LL);
  for (const long long s : at) {
    const TimePoint t{std::chrono::seconds(s)};
    ASSERT_EQ(format_utc(t), date::format("%Y-%m-%dT%H:%M:%SZ", t)) << s;
    const date::year_month_day d{date::floor<date::days>(t)};
    ASSERT_EQ(format_date(d), date::format("%Y-%m-%d", d)) << s;
    if (s >= 0 && s < 4'102'444'800 /* 2100 */) {
      const auto info = edmonton->get_info(t);
      const auto local = date::local_seconds{t.time_since_epoch() + info.offset};
      ASSERT_EQ(format_local(t, edmonton).substr(0, 19), date::format("%Y-%m-%dT%H:%M:%S", local)) << s;
    }
  }
  // Daylight time begins at 2030-03-10T09:00:00Z: the second before and the one at it.
  EXPECT_EQ(format_local(TimePoint{std::chrono::seconds(1'899'363'599)}, edmonton), "2030-03-10T01:59:59-07:00");
  EXPECT_EQ(format_local(TimePoint{std::chrono::seconds(1'899'363'600)}, edmonton), "2030-03-10T03:00:00-06:00");
  // Years past 9999 still come out whole (through date::format).
  EXPECT_EQ(format_utc(TimePoint{std::chrono::seconds(253'402'300'800)}), "10000-01-01T00:00:00Z");
}

}  // namespace
}  // namespace bella::iso8601
