// LLM answers -> the same types the deterministic parsers produce, validated as parser output is.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bella/llm/llm_client.hpp"
#include "bella/understand/extract.hpp"

namespace bella::llm {

/// The request for `field`; for times it carries the clinic's local "now" ("Tuesday 2026-03-03
/// 14:05") and zone name from `ctx` so the model resolves "tomorrow" in the clinic's zone.
LlmRequest make_request(Field field, std::string utterance, const understand::TimeContext& ctx);

/// {"phone": "..."} -> E.164, only if understand::normalize_phone accepts it (libphonenumber).
std::optional<std::string> validate_phone(const nlohmann::json& answer);

/// {"name": "..."} -> the name with whitespace collapsed, only if understand::looks_like_name.
std::optional<std::string> validate_name(const nlohmann::json& answer);

/// {"answer": "yes"|"no"} -> a Confirmation (rest empty); anything else is no answer.
std::optional<understand::Confirmation> validate_yes_no(const nlohmann::json& answer);

/// {"datetime": "YYYY-MM-DDTHH:MM"} (local, 24 h) -> a local time re-resolved through the
/// calendar (to_sys then to_local, so a DST-gap time moves as the parser's would), strictly after
/// ctx.now. {"datetime": "YYYY-MM-DD"} -> DateOnly, today or later in the clinic's zone.
/// Anything else (other formats, impossible dates, the past) is no answer.
std::optional<understand::When> validate_datetime(const nlohmann::json& answer, const understand::TimeContext& ctx);

}  // namespace bella::llm
