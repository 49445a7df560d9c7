// TwilioMessages: POST /2010-04-01/Accounts/{sid}/Messages.json over the shared curl_multi loop.
#pragma once
#include <memory>
#include <string>

#include "bella/core/asio.hpp"
#include "notify/settings.hpp"
#include "twilio/signature.hpp"

namespace bella::net {
class CurlMultiLoop;
}

namespace bella::notify {

/// What Twilio answered to one send (never the text or the number, so it may be logged whole).
struct SendOutcome {
  long http_status = 0;          // 0: no answer (refused, reset, timed out)
  bool transport_error = false;
  bool timed_out = false;
  std::string sid;               // the message resource's sid on success
  std::string status;            // its status on success (queued, accepted...)
  int error_code = 0;            // Twilio's "code" on an error answer (21610...)
  std::string error;             // short reason
};

/// The form a send posts (To, From or MessagingServiceSid, Body, StatusCallback).
twilio::Params message_form(const Settings& settings, const std::string& to, const std::string& body);
/// Reads Twilio's JSON answer (sid/status, or code/message) into `out`.
void read_answer(const std::string& json_body, SendOutcome& out);

/// Thread-safe. Owns its own curl_multi thread (started only when texts are enabled).
class TwilioMessages {
 public:
  explicit TwilioMessages(Settings settings);
  ~TwilioMessages();
  TwilioMessages(const TwilioMessages&) = delete;
  TwilioMessages& operator=(const TwilioMessages&) = delete;

  /// One POST, within settings.send_timeout; the caller resumes on its own executor.
  Task<SendOutcome> send(const std::string& to, const std::string& body);
  /// Aborts outstanding sends (they answer with a transport error) and joins the curl thread.
  void stop();

 private:
  Settings settings_;
  std::string url_;
  std::string authorization_;
  std::unique_ptr<net::CurlMultiLoop> loop_;
};

}  // namespace bella::notify
