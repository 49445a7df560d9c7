// OpenAiClient against the local Chat Completions stub: request shape, every scripted reply, the
// breaker, the in-flight cap, and 100 concurrent slow fallbacks on one io_context.
#include <gtest/gtest.h>

#include <atomic>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdio>
#include <memory>
#include <thread>

#include "api/health.hpp"
#include "bella/http/router.hpp"
#include "http/server.hpp"
#include "llm/openai_client.hpp"
#include "obs/metrics.hpp"
#include "support/llm_e2e_support.hpp"

#ifndef BELLA_STUB_OPENAI_STUB
#error "BELLA_STUB_OPENAI_STUB must name the openai_stub executable"
#endif

namespace bella::llm {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Verb = boost::beast::http::verb;

constexpr const char* kKey = "test-key";

double requests(std::string_view field, std::string_view outcome) {
  return obs::registry()
      .counter("bella_llm_requests_total", "LLM fallback calls by field and outcome")
      .value({{"field", std::string(field)}, {"outcome", std::string(outcome)}});
}

double breaker_gauge() {
  return obs::registry().gauge("bella_llm_breaker_state", "LLM breaker: 0 closed, 1 half-open, 2 open").value();
}

class LlmClientE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    stub_ = std::make_unique<test::ChildProcess>(BELLA_STUB_OPENAI_STUB, std::vector<std::string>{"--key", kKey});
    port_ = stub_->wait_for_port();
  }

  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  OpenAiSettings settings(unsigned max_in_flight = 64, BreakerSettings breaker = {}) {
    return OpenAiSettings{.api_key = kKey, .base_url = base_url(), .model = "gpt-4o-mini",
                          .max_in_flight = max_in_flight, .breaker = breaker,
                          .now = [this] { return std::chrono::steady_clock::now() + skew(); }};
  }

  /// Moves the breaker's clock forward (instead of sleeping through a cool-down).
  void advance(std::chrono::milliseconds by) {
    skew_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(by).count();
  }
  [[nodiscard]] std::chrono::steady_clock::duration skew() const { return std::chrono::steady_clock::duration(skew_.load()); }

  void script(const json& s) const {
    auto r = test::http_call(port_, Verb::post, "/__script", s.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void script_replies(const json& replies) const { script(json{{"replies", replies}}); }

  json received() const { return json::parse(test::http_call(port_, Verb::get, "/__requests").body); }

  std::optional<json> extract(OpenAiClient& client, const LlmRequest& req, std::chrono::milliseconds deadline) {
    std::optional<json> out;
    ioc_.restart();
    asio::co_spawn(ioc_, [&]() -> Task<void> { out = co_await client.extract(req, deadline); }, asio::detached);
    ioc_.run();
    return out;
  }

  static LlmRequest name_request() {
    return LlmRequest{.field = Field::name, .utterance = "uh it's sarah johnson", .local_now = {}, .zone = {}};
  }

  std::atomic<std::chrono::steady_clock::rep> skew_{0};
  std::unique_ptr<test::ChildProcess> stub_;
  std::uint16_t port_ = 0;
  // Outlives the clients declared in test bodies: a call that timed out still holds a timer bound
  // to this io_context until its transfer ends on the curl thread.
  asio::io_context ioc_;
};

TEST_F(LlmClientE2e, SendsModelSchemaAndBearerKey) {
  script_replies(json::array({json{{"kind", "success"}, {"content", json{{"datetime", "2026-03-05T15:00"}}}}}));
  OpenAiClient client(settings());
  const LlmRequest req{.field = Field::time, .utterance = "thursday at three", .local_now = "Tuesday 2026-03-03 14:05",
                       .zone = "America/Edmonton"};
  auto out = extract(client, req, 1500ms);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, (json{{"datetime", "2026-03-05T15:00"}}));

  const json got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["path"], "/v1/chat/completions");
  EXPECT_EQ(got[0]["authorization"], "Bearer test-key");
  EXPECT_EQ(got[0]["content_type"], "application/json");
  const json& body = got[0]["body"];
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["name"], "time");
  EXPECT_EQ(body["response_format"]["json_schema"]["strict"], true);
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"]["required"], json::array({"datetime"}));
  EXPECT_EQ(body["messages"][1]["content"], "thursday at three");
  const std::string system = body["messages"][0]["content"];
  EXPECT_NE(system.find("Tuesday 2026-03-03 14:05"), std::string::npos);
  EXPECT_NE(system.find("America/Edmonton"), std::string::npos);
}

TEST_F(LlmClientE2e, BaseUrlWithoutV1AndTrailingSlashWorks) {
  script_replies(json::array({json{{"kind", "success"}, {"content", json{{"name", "Sarah Johnson"}}}}}));
  auto s = settings();
  s.base_url = "http://127.0.0.1:" + std::to_string(port_) + "/";
  OpenAiClient client(s);
  auto out = extract(client, name_request(), 1500ms);
  ASSERT_TRUE(out);
  EXPECT_EQ(received()[0]["path"], "/chat/completions");
}

TEST_F(LlmClientE2e, SuccessReturnsTheStructuredObject) {
  script_replies(json::array({json{{"kind", "success"}, {"content", json{{"name", "Sarah Johnson"}}}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "success");
  auto out = extract(client, name_request(), 1500ms);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, (json{{"name", "Sarah Johnson"}}));
  EXPECT_EQ(requests("name", "success"), before + 1);
}

TEST_F(LlmClientE2e, NullAnswerIsNoAnswer) {
  script_replies(json::array({json{{"kind", "success"}, {"content", json{{"name", nullptr}}}}}));
  OpenAiClient client(settings());
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(client.breaker_state(), BreakerState::closed);
}

TEST_F(LlmClientE2e, SlowReplyTimesOutAtTheDeadline) {
  // The stub holds the reply for 30 s; the caller must be back at its 300 ms deadline.
  script_replies(json::array({json{{"kind", "success"}, {"delay_ms", 30'000}, {"content", json{{"name", "Late"}}}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "timeout");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(extract(client, name_request(), 300ms));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf("[ measure  ] slow stub, deadline 300 ms: caller resumed after %lld ms\n",
              static_cast<long long>(ms.count()));
  EXPECT_EQ(requests("name", "timeout"), before + 1);
  // The cancel reaches the curl thread asynchronously: give it a moment (the stub would hold for 30 s).
  for (int i = 0; i < 500 && client.in_flight() != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(client.in_flight(), 0u) << "the timed-out transfer must be cancelled and its slot freed";
}

TEST_F(LlmClientE2e, Http500IsAnError) {
  script_replies(json::array({json{{"kind", "status"}, {"status", 500}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "error");
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(requests("name", "error"), before + 1);
}

TEST_F(LlmClientE2e, Http429IsAnError) {
  script_replies(json::array({json{{"kind", "status"}, {"status", 429}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "error");
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(requests("name", "error"), before + 1);
}

TEST_F(LlmClientE2e, MalformedBodyIsNoAnswer) {
  script_replies(json::array({json{{"kind", "malformed"}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "malformed");
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(requests("name", "malformed"), before + 1);
}

TEST_F(LlmClientE2e, MalformedContentIsNoAnswer) {
  script_replies(json::array({json{{"kind", "success"}, {"content", "Sarah Johnson, I think"}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "malformed");
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(requests("name", "malformed"), before + 1);
}

TEST_F(LlmClientE2e, RefusalIsNoAnswer) {
  script_replies(json::array({json{{"kind", "refusal"}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "refused");
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(requests("name", "refused"), before + 1);
  EXPECT_EQ(client.breaker_state(), BreakerState::closed) << "a refusal is an answer from a working service";
}

TEST_F(LlmClientE2e, ConnectionResetIsAnError) {
  script_replies(json::array({json{{"kind", "reset"}}}));
  OpenAiClient client(settings());
  const double before = requests("name", "error");
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(requests("name", "error"), before + 1);
}

TEST_F(LlmClientE2e, WrongKeyIsRejectedByTheStub) {
  script_replies(json::array({json{{"kind", "success"}, {"content", json{{"name", "Sarah Johnson"}}}}}));
  auto s = settings();
  s.api_key = "wrong-key";
  OpenAiClient client(s);
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(received()[0]["authorization"], "Bearer wrong-key");
}

TEST_F(LlmClientE2e, BreakerOpensThenProbesAndCloses) {
  // (Not "reset" here: on a reused keep-alive connection curl transparently retries a reset once.)
  script_replies(json::array({json{{"kind", "status"}, {"status", 500}}, json{{"kind", "status"}, {"status", 429}}}));
  OpenAiClient client(settings(64, BreakerSettings{.failure_threshold = 2, .cooldown = 300ms}));
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(client.breaker_state(), BreakerState::closed);
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(client.breaker_state(), BreakerState::open);
  EXPECT_EQ(breaker_gauge(), 2);

  // Open: refused locally, the stub sees nothing.
  const double open_before = requests("name", "breaker_open");
  script(json{{"default", json{{"kind", "success"}, {"content", json{{"name", "Sarah Johnson"}}}}}});
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  EXPECT_EQ(requests("name", "breaker_open"), open_before + 1);
  EXPECT_EQ(received().size(), 2u);

  // After the cool-down one probe goes out; it succeeds and the breaker closes.
  advance(400ms);
  auto out = extract(client, name_request(), 1500ms);
  ASSERT_TRUE(out);
  EXPECT_EQ(received().size(), 3u);
  EXPECT_EQ(client.breaker_state(), BreakerState::closed);
  EXPECT_EQ(breaker_gauge(), 0);
}

TEST_F(LlmClientE2e, HalfOpenLetsOneProbeThroughAndReopensOnItsFailure) {
  script_replies(json::array({json{{"kind", "status"}, {"status", 503}},
                              json{{"kind", "status"}, {"status", 500}, {"delay_ms", 200}}}));
  OpenAiClient client(settings(64, BreakerSettings{.failure_threshold = 1, .cooldown = 200ms}));
  EXPECT_FALSE(extract(client, name_request(), 1500ms));
  ASSERT_EQ(client.breaker_state(), BreakerState::open);
  advance(300ms);

  // Two callers at once: the first is the probe, the second is refused while the probe is out.
  const double open_before = requests("name", "breaker_open");
  asio::io_context ioc;
  std::optional<json> a, b;
  const auto req = name_request();
  asio::co_spawn(ioc, [&]() -> Task<void> { a = co_await client.extract(req, 1500ms); }, asio::detached);
  asio::co_spawn(ioc, [&]() -> Task<void> { b = co_await client.extract(req, 1500ms); }, asio::detached);
  ioc.run();
  EXPECT_FALSE(a);
  EXPECT_FALSE(b);
  EXPECT_EQ(requests("name", "breaker_open"), open_before + 1);
  EXPECT_EQ(received().size(), 2u);
  EXPECT_EQ(client.breaker_state(), BreakerState::open) << "a failed probe reopens the breaker";
}

TEST_F(LlmClientE2e, OverTheInFlightCapIsRefusedAtOnce) {
  script(json{{"default", json{{"kind", "success"}, {"delay_ms", 300}, {"content", json{{"name", "Sarah Johnson"}}}}}});
  OpenAiClient client(settings(/*max_in_flight=*/2));
  const double overloaded_before = requests("name", "overloaded");
  asio::io_context ioc;
  std::vector<std::optional<json>> out(3);
  const auto req = name_request();
  for (auto& slot : out) {
    asio::co_spawn(ioc, [&]() -> Task<void> { slot = co_await client.extract(req, 1500ms); }, asio::detached);
  }
  ioc.run();
  EXPECT_TRUE(out[0]);
  EXPECT_TRUE(out[1]);
  EXPECT_FALSE(out[2]);
  EXPECT_EQ(requests("name", "overloaded"), overloaded_before + 1);
  EXPECT_EQ(received().size(), 2u);
  EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(LlmClientE2e, StopAnswersOutstandingCallersWithNothing) {
  script(json{{"default", json{{"kind", "success"}, {"delay_ms", 30'000}, {"content", json{{"name", "Late"}}}}}});
  OpenAiClient client(settings());
  asio::io_context ioc;
  std::optional<json> out = json{{"sentinel", true}};
  bool finished = false;
  const auto req = name_request();
  asio::co_spawn(ioc, [&]() -> Task<void> {
    out = co_await client.extract(req, 20s);
    finished = true;
  }, asio::detached);
  std::thread runner([&] { ioc.run(); });
  for (int i = 0; i < 3000 && received().empty(); ++i) std::this_thread::sleep_for(10ms);  // poll, bounded
  ASSERT_FALSE(received().empty());
  client.stop();
  runner.join();
  EXPECT_TRUE(finished);
  EXPECT_FALSE(out);
}

// 100 fallbacks in flight at once, each answered after 2 s, while the same io_context (one
// thread) keeps answering /healthz. Concurrency is shown by what the stub saw, not by a stopwatch:
// it held all 100 requests before it answered the first.
TEST_F(LlmClientE2e, HundredSlowFallbacksRunConcurrentlyOffTheLoop) {
  constexpr int kCalls = 100;
  script(json{{"default", json{{"kind", "success"}, {"delay_ms", 2000}, {"content", json{{"name", "Sarah Johnson"}}}}}});
  OpenAiClient client(settings(/*max_in_flight=*/128));

  asio::io_context ioc(1);
  http::Router router;
  api::add_health_routes(router, api::HealthDeps{});
  http::Server server(ioc, router, http::ServerLimits{});
  const auto health_port = server.listen("127.0.0.1", 0);
  server.start();

  std::vector<std::optional<json>> out(kCalls);
  std::atomic<int> done{0};
  const auto req = name_request();
  const auto t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point t_end;
  for (auto& slot : out) {
    asio::co_spawn(ioc, [&]() -> Task<void> {
      slot = co_await client.extract(req, 6000ms);
      if (++done == kCalls) t_end = std::chrono::steady_clock::now();
    }, asio::detached);
  }
  auto guard = asio::make_work_guard(ioc);
  std::thread loop([&] { ioc.run(); });

  // Probe /healthz on the same io_context while the 100 calls are out; note when the stub has
  // them all and whether any had been answered by then.
  std::vector<double> health_ms;
  int answered_when_all_arrived = -1;
  while (done.load() < kCalls) {
    // All received first, then none answered yet: at that second moment both held.
    if (answered_when_all_arrived < 0 && received().size() == static_cast<std::size_t>(kCalls))
      answered_when_all_arrived = done.load();
    const auto h0 = std::chrono::steady_clock::now();
    auto r = test::http_call(health_port, Verb::get, "/healthz");
    health_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - h0).count());
    EXPECT_EQ(r.status, 200);
    std::this_thread::sleep_for(10ms);
  }
  guard.reset();
  ioc.stop();
  loop.join();

  int ok = 0;
  for (const auto& o : out) ok += o && *o == json{{"name", "Sarah Johnson"}};
  const double wall = std::chrono::duration<double>(t_end - t0).count();
  std::sort(health_ms.begin(), health_ms.end());
  const double p50 = health_ms.empty() ? 0 : health_ms[health_ms.size() / 2];
  const double max = health_ms.empty() ? 0 : health_ms.back();
  std::printf("[ measure  ] %d/%d fallbacks answered after 2 s each: wall %.3f s; /healthz on the same "
              "io_context during them: n=%zu p50=%.2f ms max=%.2f ms\n",
              ok, kCalls, wall, health_ms.size(), p50, max);
  EXPECT_EQ(ok, kCalls);
  EXPECT_EQ(received().size(), static_cast<std::size_t>(kCalls));
  EXPECT_EQ(answered_when_all_arrived, 0) << "the stub must hold all " << kCalls << " requests at once";
}

}  // namespace
}  // namespace bella::llm
