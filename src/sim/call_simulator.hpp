// A simulated Twilio caller: posts signed voice webhooks and plays back the TwiML (bella-call).
#pragma once
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bella/core/error.hpp"
#include "twilio/signature.hpp"

namespace bella::twilio {


/// `prefix` + 32 lower-case hex digits from two 64-bit values, e.g. make_sid("CA", hi, lo).
std::string make_sid(std::string_view prefix, std::uint64_t hi, std::uint64_t lo);

/// Resolves a TwiML URL (absolute, "//host/...", "/path", "?query" or "relative") against the URL
/// of the document it came from, as Twilio does.
std::string resolve_url(std::string_view document_url, std::string_view ref);

struct HttpPost {
  std::string url;  // where to send it (the server's own address)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

/// Sends one POST and returns the reply; throws std::runtime_error when the server is unreachable.
using Transport = std::function<HttpReply(const HttpPost&)>;

struct CallerOptions {
  std::string url = "http://127.0.0.1:8000";  // where the server listens
  std::string public_base_url;                // what Twilio would call (signed over); empty = url
  std::string voice_path = "/twilio/voice";
  std::string from = "+14035550123";
  std::string to = "+15875550100";
  std::string auth_token;                     // empty: requests go unsigned
  std::string call_sid;                       // CA + 32 hex
  std::string account_sid;                    // AC + 32 hex
  double confidence = 0.9;
  int max_requests_without_input = 20;        // a Redirect loop ends the call
  bool echo_input = false;                    // print each line read (stdin is not a terminal)
};

/// Runs one call: POST {voice_path}, print what the caller hears, then read lines from `in`:
/// text -> SpeechResult + Confidence; empty line -> silence (SpeechResult= when the Gather has
/// actionOnEmptyResult, else Twilio falls through to the next verb); "#1234" -> Digits=1234.
/// Follows <Redirect>; stops at <Hangup/>, <Dial>, the end of the TwiML or end of input.
class CallSimulator {
 public:
  CallSimulator(CallerOptions options, Transport transport);

  /// 0 when the call ended normally (hang-up, transfer, end of input); 1 on an HTTP, transport
  /// or TwiML error (printed to `out`).
  int run(std::istream& in, std::ostream& out);

  /// The params every webhook carries (CallSid, AccountSid, From, To, CallStatus, Direction,
  /// ApiVersion, Caller, Called).
  [[nodiscard]] Params base_params(std::string_view call_status) const;

 private:
  /// POSTs `params` to the public URL `public_target`; returns the TwiML body or an error line.
  Result<std::string> post(const std::string& public_target, const Params& params, std::ostream& out);
  [[nodiscard]] std::string to_server_url(const std::string& public_target) const;

  CallerOptions options_;
  Transport transport_;
};

}  // namespace bella::twilio
