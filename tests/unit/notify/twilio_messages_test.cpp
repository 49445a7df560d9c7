// The Messages API request form and how its answers are read.
#include <gtest/gtest.h>

#include "notify/twilio_messages.hpp"

namespace bella::notify {
namespace {

std::string field(const twilio::Params& p, const std::string& name) {
  for (const auto& [k, v] : p)
    if (k == name) return v;
  return "<absent>";
}

TEST(TwilioMessagesForm, FromNumberOrMessagingServiceAndTheStatusCallback) {
  Settings s;
  s.from = "+15875550100";
  s.status_callback_url = "https://bella.example.com/twilio/sms/status";
  auto form = message_form(s, "+14035550123", "Hello & bye");
  EXPECT_EQ(field(form, "To"), "+14035550123");
  EXPECT_EQ(field(form, "From"), "+15875550100");
  EXPECT_EQ(field(form, "MessagingServiceSid"), "<absent>");
  EXPECT_EQ(field(form, "Body"), "Hello & bye");
  EXPECT_EQ(field(form, "StatusCallback"), "https://bella.example.com/twilio/sms/status");
  s.messaging_service_sid = "MG0123456789abcdef0123456789abcdef";
  s.status_callback_url.clear();
  form = message_form(s, "+14035550123", "x");
  EXPECT_EQ(field(form, "MessagingServiceSid"), "MG0123456789abcdef0123456789abcdef");
  EXPECT_EQ(field(form, "From"), "<absent>");
  EXPECT_EQ(field(form, "StatusCallback"), "<absent>");
}

TEST(TwilioMessagesAnswer, SidAndStatusOnSuccessCodeOnlyOnError) {
  SendOutcome ok{.http_status = 201};
  read_answer(R"({"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","to":"+14035550123"})", ok);
  EXPECT_EQ(ok.sid, "SM0123456789abcdef0123456789abcdef");
  EXPECT_EQ(ok.status, "queued");
  SendOutcome bad{.http_status = 400};
  read_answer(R"({"code":21211,"message":"The 'To' number +14035550123 is not a valid phone number.","status":400})", bad);
  EXPECT_EQ(bad.error_code, 21211);
  EXPECT_EQ(bad.error.find("+1403"), std::string::npos) << "Twilio's message quotes the number: " << bad.error;
  SendOutcome junk{.http_status = 502};
  read_answer("<html>bad gateway</html>", junk);
  EXPECT_EQ(junk.error_code, 0);
  EXPECT_FALSE(junk.error.empty());
}

}  // namespace
}  // namespace bella::notify
