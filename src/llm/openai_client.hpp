// LlmClient over the OpenAI Chat Completions API (or any compatible server), via libcurl's multi API.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "bella/llm/llm_client.hpp"
#include "llm/circuit_breaker.hpp"

namespace bella::net {
class CurlMultiLoop;
}

namespace bella::llm {

struct OpenAiSettings {
  std::string api_key;                            // empty: the fallback is off, no thread, no I/O
  std::string base_url = "https://api.openai.com/v1";
  std::string model = "gpt-4o-mini";
  unsigned max_in_flight = 128;                   // over the cap: no answer, immediately
  BreakerSettings breaker{};
  CircuitBreaker::Now now = &std::chrono::steady_clock::now;  // the breaker's clock
};

/// POSTs {base_url}/chat/completions with a strict JSON-schema response format per field. All
/// transfers run on one curl_multi thread; each completion is posted back to the executor of the
/// coroutine awaiting it, which is also resumed at the deadline if curl has not answered by then.
/// Thread-safe. stop() (or the destructor) must run before the io_contexts awaiting it are destroyed.
class OpenAiClient final : public LlmClient {
 public:
  explicit OpenAiClient(OpenAiSettings settings);
  ~OpenAiClient() override;
  OpenAiClient(const OpenAiClient&) = delete;
  OpenAiClient& operator=(const OpenAiClient&) = delete;

  Task<std::optional<nlohmann::json>> extract(const LlmRequest& request, std::chrono::milliseconds deadline) override;
  [[nodiscard]] bool enabled() const override { return enabled_; }

  /// Aborts outstanding transfers (their callers get nullopt) and joins the curl thread. Idempotent.
  void stop();

  [[nodiscard]] BreakerState breaker_state() const { return breaker_.state(); }
  [[nodiscard]] unsigned in_flight() const { return in_flight_.load(); }

  struct Call;  // one extract(): shared by the coroutine, its deadline timer and the curl thread

 private:
  // The work lives in plain functions: GCC 12 miscompiles some temporaries inside coroutines.
  std::shared_ptr<Call> start(const LlmRequest& request, std::chrono::milliseconds deadline,
                              const asio::any_io_executor& ex);
  std::optional<nlohmann::json> conclude(Field field, std::chrono::milliseconds deadline, Call& call);

  OpenAiSettings settings_;
  bool enabled_;
  std::string url_;
  CircuitBreaker breaker_;
  std::atomic<unsigned> in_flight_{0};
  std::unique_ptr<net::CurlMultiLoop> loop_;
};

}  // namespace bella::llm
