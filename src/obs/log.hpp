// Structured logging (spdlog underneath; json or text) and PII redaction for log lines.
//
// A line is a message plus fields, built as a JSON object by the caller and never parsed back out
// of text: obs::info("request", {{"method", "GET"}, {"status", 200}}). Fields bound to a request
// (request_id, and on the phone line call_sid and turn) are added to every line logged while that
// request is being handled, whichever room logs it (see bind_request).
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>

#include "bella/core/asio.hpp"

namespace bella::obs {

/// A line's fields, in the order given. Values are JSON: numbers stay numbers.
using LogFields = nlohmann::ordered_json;

enum class Level { trace, debug, info, warn, error, critical };

/// Installs the default logger on stdout. `format` is "json" or "text"; `level` one of LOG_LEVEL's
/// names (trace debug info warn error critical off).
void setup_logging(std::string_view format, std::string_view level);

/// Logs `msg` with `fields` (an object, or null for none). Thread-safe.
void log(Level level, std::string_view msg, const LogFields& fields = nullptr);
inline void trace(std::string_view msg, const LogFields& f = nullptr) { log(Level::trace, msg, f); }
inline void debug(std::string_view msg, const LogFields& f = nullptr) { log(Level::debug, msg, f); }
inline void info(std::string_view msg, const LogFields& f = nullptr) { log(Level::info, msg, f); }
inline void warn(std::string_view msg, const LogFields& f = nullptr) { log(Level::warn, msg, f); }
inline void error(std::string_view msg, const LogFields& f = nullptr) { log(Level::error, msg, f); }
inline void critical(std::string_view msg, const LogFields& f = nullptr) { log(Level::critical, msg, f); }

/// Binds fields to the request being handled on the current Asio strand (each connection has its
/// own strand, and handles one request at a time): every line logged from code running on that
/// strand until unbind_request() carries them, so rooms that know nothing of requests (LLM,
/// booking, session store) still log the request id and CallSid. Returns 0 (nothing bound) when
/// `executor` is not a strand. A plain handle rather than an RAII object in the coroutine frame:
/// GCC 12 mis-destroys such frame locals (see include/bella/core/offload.hpp).
std::uint64_t bind_request(const asio::any_io_executor& executor, LogFields fields);
void unbind_request(std::uint64_t binding);

/// Adds (or replaces) a field of the current request's binding, e.g. annotate("call_sid", sid).
/// Does nothing outside a request.
void annotate(std::string_view key, LogFields value);

/// Rate limit for a line that outside input can repeat at will (a refused connection, an unsigned
/// webhook): at most `burst` lines per `interval`. Thread-safe.
///   if (auto suppressed = limiter.admit()) obs::warn("...", {{"suppressed", *suppressed}});
class LogLimiter {
 public:
  LogLimiter(std::chrono::milliseconds interval, unsigned burst) : interval_(interval), burst_(burst) {}
  /// nullopt: drop this line. Else log it, with the number of lines dropped since the last one
  /// let through.
  std::optional<std::uint64_t> admit(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  std::mutex mutex_;
  std::chrono::milliseconds interval_;
  unsigned burst_;
  std::chrono::steady_clock::time_point window_{};
  unsigned in_window_ = 0;
  std::uint64_t suppressed_ = 0;
};

/// `s` with every byte that is not part of valid UTF-8 written as the text \xHH (so a log line
/// stays valid UTF-8 and valid JSON, and the operator still sees which bytes came in).
std::string escape_invalid_utf8(std::string_view s);

/// Level names as LOG_LEVEL spells them ("warn", not "warning").
std::string_view level_name(Level level);

/// "+14035550123" -> "+1*******123": enough to tell callers apart in a trace, not to dial them.
std::string redact_phone(std::string_view e164);
/// "Sarah Johnson" -> "S**** J******".
std::string redact_name(std::string_view name);
/// Caller speech: only its length reaches the log at info level.
std::string redact_speech(std::string_view text);
/// "postgresql://bella:s3cret@db:5432/bella" -> "postgresql://bella:***@db:5432/bella": any URL
/// with a password, for error messages and logs.
std::string mask_url_password(std::string_view url);

}  // namespace bella::obs
