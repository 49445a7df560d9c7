// Understanding one utterance for the session's current step: the deterministic extractors, the
// intent detector, positions ("the second one"), lengths ("I need an hour"), and the LLM fallback
// for the one field the step expects. Pure except llm_fallback.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "bella/calendar/calendar.hpp"
#include "bella/call/flow.hpp"
#include "bella/core/asio.hpp"
#include "bella/llm/llm_client.hpp"

namespace bella::call {

struct TurnInput {
  std::string call_sid;
  std::string from;                  // caller ID as Twilio sent it (may be "anonymous")
  std::string speech;                // SpeechResult (may be empty)
  std::string digits;                // Digits (keypad)
  std::optional<int> turn;           // the turn number carried in the Gather's action URL
};

/// `s` as valid UTF-8: every invalid sequence (bad lead byte, truncated or overlong sequence,
/// surrogate, code point above U+10FFFF) becomes U+FFFD. Webhook text is caller-controlled and the
/// session is stored as JSON, which must be valid UTF-8.
std::string valid_utf8(std::string_view s);

/// The input with its text fields made valid UTF-8 (the boundary of the call room).
TurnInput sanitised(TurnInput input);

/// "the first one" = 0, "the second" = 1, "the third" = 2, "the last one" = -1.
std::optional<int> hear_position(std::string_view text);

/// A length asked for, in minutes ("I need an hour" = 60, "45 minutes" = 45), or nothing; a time
/// offset ("in an hour", "an hour from now") is not a length. `span` receives the matched text.
std::optional<int> hear_length(std::string_view text, std::string* span = nullptr);

/// Understands an utterance with the deterministic parsers only.
Understood understand_utterance(const ConversationState& state, const TurnInput& input, SysSeconds now,
                                const calendar::BusinessCalendar& calendar);

/// True when the step's expected field was understood.
bool has_expected(const Understood& u, Expecting e);

/// Asks the LLM for the expected field when the parsers found nothing; its answer is validated
/// like parser output. Never throws (a failed or slow LLM leaves `heard` as it was).
Task<void> llm_fallback(llm::LlmClient& llm, const ConversationState& state, const TurnInput& input,
                        Understood& heard, SysSeconds now, const calendar::BusinessCalendar& calendar,
                        std::chrono::milliseconds timeout);

}  // namespace bella::call
