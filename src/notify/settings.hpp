// Settings of the notify room (texts to patients), filled from Config in app.cpp.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

#include "notify/retry.hpp"

namespace bella::notify {

struct Settings {
  // Twilio REST credentials: the account SID, and its auth token or an API key pair.
  std::string account_sid;
  std::string auth_token;
  std::string api_key_sid;       // set (with its secret): Basic auth uses it instead of the account
  std::string api_key_secret;
  std::string from;              // SMS_FROM: E.164 sender, or...
  std::string messaging_service_sid;  // ...a Messaging Service (wins when both are set)
  std::string api_base_url = "https://api.twilio.com";
  std::string status_callback_url;    // {PUBLIC_BASE_URL}/twilio/sms/status; empty: none
  // Wording
  std::string clinic_name = "The clinic";
  std::string clinic_phone;
  // When
  std::chrono::minutes reminder_lead{1440};
  std::chrono::milliseconds poll_interval{2'000};  // the sender looks for due texts this often
  std::chrono::milliseconds send_timeout{10'000};  // one POST to Twilio
  std::chrono::seconds claim_lease{30};            // a claim not finished by then is taken again (after a crash)
  std::size_t batch = 20;                          // texts claimed at once
  RetryPolicy retry;

  /// Texts go out only with an account SID and a sender.
  [[nodiscard]] bool enabled() const { return !account_sid.empty() && (!from.empty() || !messaging_service_sid.empty()); }
};

}  // namespace bella::notify
