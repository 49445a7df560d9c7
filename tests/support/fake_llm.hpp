// An LLM that answers what the test scripted (or is disabled), and counts the questions.
#pragma once
#include <atomic>
#include <optional>

#include <nlohmann/json.hpp>

#include "bella/llm/llm_client.hpp"

namespace bella::testing {

class FakeLlm final : public llm::LlmClient {
 public:
  explicit FakeLlm(bool enabled = false) : enabled_(enabled) {}
  Task<std::optional<nlohmann::json>> extract(const llm::LlmRequest&, std::chrono::milliseconds) override {
    ++asked_;
    co_return answer_;
  }
  [[nodiscard]] bool enabled() const override { return enabled_; }
  void answer(nlohmann::json j) { answer_ = std::move(j); }
  int asked() const { return asked_; }

 private:
  bool enabled_;
  std::optional<nlohmann::json> answer_;
  std::atomic<int> asked_{0};
};

}  // namespace bella::testing
