// Log helpers: URL password masking, level names as LOG_LEVEL spells them, sampled metrics.
#include <gtest/gtest.h>

#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace bella::obs {
namespace {

TEST(Log, MasksThePasswordOfAUrlAndNothingElse) {
  EXPECT_EQ(mask_url_password("postgresql://bella:s3cret@db:5432/bella?sslmode=verify-full"),
            "postgresql://bella:***@db:5432/bella?sslmode=verify-full");
  EXPECT_EQ(mask_url_password("rediss://:tok/en@cache:6379/0"), "rediss://:***@cache:6379/0");
  EXPECT_EQ(mask_url_password("postgresql://bella:p@ss@db/x"), "postgresql://bella:***@db/x");
  EXPECT_EQ(mask_url_password("postgresql://bella@db/x"), "postgresql://bella@db/x");
  EXPECT_EQ(mask_url_password("redis://127.0.0.1:6379/0"), "redis://127.0.0.1:6379/0");
  EXPECT_EQ(mask_url_password("not a url"), "not a url");
  EXPECT_EQ(mask_url_password("postgresql://db/x?password=s3cret&sslmode=require"),
            "postgresql://db/x?password=***&sslmode=require");
}

TEST(Log, LevelNamesAreTheOnesLogLevelTakes) {
  EXPECT_EQ(level_name(Level::warn), "warn");
  EXPECT_EQ(level_name(Level::error), "error");
  EXPECT_EQ(level_name(Level::critical), "critical");
}

TEST(Log, AnnotateOutsideARequestDoesNothing) {
  annotate("call_sid", "CA00");  // no strand runs here: must neither crash nor bind anything
  SUCCEED();
}

TEST(Metrics, SampledFamilyIsReadAtRenderTime) {
  Registry r;
  double v = 1;
  r.sampled("process_test_value", "A test value", "gauge", [&v] { return v; });
  EXPECT_NE(r.render().find("process_test_value 1\n"), std::string::npos);
  v = 2.5;
  EXPECT_NE(r.render().find("process_test_value 2.5\n"), std::string::npos);
  EXPECT_NE(r.render().find("# TYPE process_test_value gauge"), std::string::npos);
  EXPECT_THROW(r.sampled("process_bad", "x", "histogram", [] { return 0.0; }), std::invalid_argument);
}

}  // namespace
}  // namespace bella::obs
