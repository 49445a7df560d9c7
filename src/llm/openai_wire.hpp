// Chat Completions wire format, sans I/O: the request body per field and the reading of a reply.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bella/llm/llm_client.hpp"

namespace bella::llm {

/// "name", "phone", "time", "yes_no": the metric label and the structured-output schema name.
std::string_view field_name(Field field) noexcept;
/// The one key the model's JSON object carries for this field ("name", "phone", "datetime", "answer").
std::string_view answer_key(Field field) noexcept;

/// The strict JSON schema of the model's answer for `field`: one required key, null when the
/// utterance does not contain the value.
nlohmann::json answer_schema(Field field);

/// The short system prompt for `field`. For times it names the clinic's local date, weekday and zone.
std::string system_prompt(const LlmRequest& request);

/// The POST /chat/completions body: model, two messages, temperature 0, a small max_tokens, and
/// response_format {"type":"json_schema","json_schema":{"name","strict":true,"schema"}}.
nlohmann::json build_request(const LlmRequest& request, std::string_view model);

enum class ReplyKind {
  answer,     // a JSON object with a non-empty value for the field
  empty,      // well-formed, but the model found nothing (null / "" / "unclear")
  refused,    // message.refusal set, or finish_reason "content_filter"
  malformed,  // not a chat completion, or the content is not the schema's JSON
};

struct ParsedReply {
  ReplyKind kind = ReplyKind::malformed;
  /// Set only for ReplyKind::answer: the structured-output object, e.g. {"name":"Sarah Johnson"}.
  std::optional<nlohmann::json> value;
  /// True when the HTTP body itself was not a chat completion (a broken server, not a shy model).
  bool body_malformed = false;
};

/// Reads a 200 response body. The answer is JSON inside choices[0].message.content. Never throws.
ParsedReply parse_reply(Field field, std::string_view body);

}  // namespace bella::llm
