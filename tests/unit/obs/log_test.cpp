// Log helpers: URL password masking, level names as LOG_LEVEL spells them, sampled metrics.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

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

bool valid_utf8_text(std::string_view s) {
  // A strict decoder, independent of the one under test: nlohmann's strict dump throws on bad UTF-8.
  try {
    (void)nlohmann::json(std::string(s)).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

std::string logged(std::string_view format, const std::function<void()>& write) {
  setup_logging(format, "info");
  ::testing::internal::CaptureStdout();
  write();
  std::fflush(stdout);
  return ::testing::internal::GetCapturedStdout();
}

TEST(Log, RawInvalidBytesAreEscapedAndEveryJsonLineStaysValid) {
  // Defect 8: a request path with raw 0xFF bytes must not break the line's UTF-8 or JSON.
  const std::string path = "/x\xff\xfe/\xc3(\xed\xa0\x80" "caf\xc3\xa9";
  const auto out = logged("json", [&] {
    info("request", {{"path", path}, {path, 1}, {"nested", {{"v", path}}}});
    warn(path);
  });
  std::size_t lines = 0;
  for (std::size_t at = 0; at < out.size();) {
    const auto eol = out.find('\n', at);
    const std::string line = out.substr(at, eol - at);
    at = eol + 1;
    ++lines;
    EXPECT_TRUE(valid_utf8_text(line)) << line;
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line;
    if (j["msg"] == "request") {
      EXPECT_EQ(j["path"], "/x\\xFF\\xFE/\\xC3(\\xED\\xA0\\x80caf\xc3\xa9");  // é kept, the rest escaped
      EXPECT_EQ(j["nested"]["v"], j["path"]);
    }
  }
  EXPECT_EQ(lines, 2u) << out;
  const auto text = logged("text", [&] { info("request", {{"path", path}}); });
  EXPECT_TRUE(valid_utf8_text(text)) << text;
  EXPECT_NE(text.find("/x\\xFF\\xFE/"), std::string::npos) << text;
  setup_logging("text", "off");
}

TEST(Log, EscapeInvalidUtf8LeavesValidTextAlone) {
  EXPECT_EQ(escape_invalid_utf8("Sarah \xe2\x80\x94 ok \xf0\x9f\x98\x80"), "Sarah \xe2\x80\x94 ok \xf0\x9f\x98\x80");
  EXPECT_EQ(escape_invalid_utf8("\xc0\xaf"), "\\xC0\\xAF");          // overlong '/'
  EXPECT_EQ(escape_invalid_utf8("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(escape_invalid_utf8("ab\xe2\x80"), "ab\\xE2\\x80");       // truncated
}

TEST(Log, LimiterLetsABurstThroughPerIntervalAndCountsTheRest) {
  LogLimiter limiter(std::chrono::seconds(1), 2);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(limiter.admit(t0), 0u);
  EXPECT_EQ(limiter.admit(t0), 0u);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.admit(t0 + std::chrono::milliseconds(i % 999)));
  EXPECT_EQ(limiter.admit(t0 + std::chrono::seconds(1)), 1000u);  // the next window says what it dropped
  EXPECT_EQ(limiter.admit(t0 + std::chrono::seconds(1)), 0u);
  EXPECT_FALSE(limiter.admit(t0 + std::chrono::milliseconds(1500)));
}

}  // namespace
}  // namespace bella::obs
