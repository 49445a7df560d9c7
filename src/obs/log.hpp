// Logging set-up (spdlog; json or text) and PII redaction for log lines.
#pragma once
#include <string>
#include <string_view>

namespace bella::obs {

/// Installs the default logger on stdout. `format` is "json" or "text"; `level` a spdlog level name.
void setup_logging(std::string_view format, std::string_view level);

/// "+14035550123" -> "+1*******123": enough to tell callers apart in a trace, not to dial them.
std::string redact_phone(std::string_view e164);
/// "Sarah Johnson" -> "S**** J******".
std::string redact_name(std::string_view name);
/// Caller speech: only its length reaches the log at info level.
std::string redact_speech(std::string_view text);

}  // namespace bella::obs
