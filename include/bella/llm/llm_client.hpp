// PORT LlmClient: the last-resort extractor, asked only after the deterministic parsers fail.
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bella/core/asio.hpp"

namespace bella::llm {

enum class Field { name, phone, time, yes_no };

struct LlmRequest {
  Field field;
  std::string utterance;
  /// For times: the clinic's local "now" as "Tuesday 2026-03-03 14:05" and the IANA zone.
  std::string local_now;
  std::string zone;
};

/// Thread-safe. Answers within `deadline` or returns nullopt (timeout, error, refusal, breaker open,
/// malformed output). The returned JSON is the structured-output object as the model produced it
/// (e.g. {"name": "Sarah Johnson"}, {"phone": "403 555 0123"}, {"datetime": "2026-03-05T14:00"},
/// {"answer": "yes"}): callers MUST validate it exactly as parser output is validated.
class LlmClient {
 public:
  virtual ~LlmClient() = default;
  virtual Task<std::optional<nlohmann::json>> extract(const LlmRequest& request, std::chrono::milliseconds deadline) = 0;
  /// False when no API key is configured (the fallback is off).
  [[nodiscard]] virtual bool enabled() const = 0;
};

}  // namespace bella::llm

