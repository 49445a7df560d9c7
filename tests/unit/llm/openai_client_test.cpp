// OpenAiClient without a key: disabled, and extract() answers nullopt without any I/O.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "llm/openai_client.hpp"
#include "obs/metrics.hpp"

namespace bella::llm {
namespace {

TEST(OpenAiClient, WithoutKeyIsDisabledAndAnswersNothing) {
  // An unroutable base URL: any attempt at I/O would hang until the deadline, not return at once.
  OpenAiClient client(OpenAiSettings{.api_key = "", .base_url = "http://192.0.2.1:9/v1"});
  EXPECT_FALSE(client.enabled());
  const auto before = obs::registry().render();
  asio::io_context ioc;
  std::optional<nlohmann::json> out = nlohmann::json{{"sentinel", true}};
  const LlmRequest req{.field = Field::name, .utterance = "sarah", .local_now = {}, .zone = {}};
  asio::co_spawn(ioc, [&]() -> Task<void> { out = co_await client.extract(req, std::chrono::hours(1)); },
                 asio::detached);
  // Returns without a timer ever being armed: run() has nothing left once the coroutine finishes.
  ioc.run();
  EXPECT_FALSE(out.has_value());
  EXPECT_EQ(client.in_flight(), 0u);
  // No call was counted: the fallback is simply off.
  EXPECT_EQ(obs::registry().render(), before);
}

}  // namespace
}  // namespace bella::llm
