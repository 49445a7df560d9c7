// How Bella listens: the Gather attributes for each kind of ask, and sentences from the table.
#include <gtest/gtest.h>

#include "twilio/routes.hpp"

namespace bella::call {
namespace {

std::string rendered(Reply::Listen listen, std::vector<Prompt> lines = {Prompt{PromptId::ask_mobile}}) {
  Reply r;
  r.lines = std::move(lines);
  r.listen = listen;
  return twilio::render_reply(r, 4, twilio::WebhookSettings{});
}

TEST(Listen, YesNoTakesOneKeyFromTheFirstAsk) {
  const auto doc = rendered(Reply::Listen::yes_no, {Prompt{PromptId::confirm_cancel}});
  EXPECT_NE(doc.find(R"(input="dtmf speech")"), std::string::npos) << doc;
  EXPECT_NE(doc.find(R"(numDigits="1")"), std::string::npos) << doc;
}

TEST(Listen, PhoneNumbersTakeKeysEndedByPound) {
  const auto doc = rendered(Reply::Listen::phone);
  EXPECT_NE(doc.find(R"(input="dtmf speech")"), std::string::npos) << doc;
  EXPECT_NE(doc.find(R"(finishOnKey="#")"), std::string::npos) << doc;
  EXPECT_EQ(doc.find("numDigits"), std::string::npos) << doc;  // 10 or 11 keys
  EXPECT_NE(doc.find("You can say it or type it"), std::string::npos) << doc;
}

TEST(Listen, NamesAndTimesAreSpeechOnly) {
  const auto doc = rendered(Reply::Listen::speech, {Prompt{PromptId::ask_name}});
  EXPECT_NE(doc.find(R"(input="speech")"), std::string::npos) << doc;
  EXPECT_NE(doc.find("first and last name"), std::string::npos) << doc;
}

}  // namespace
}  // namespace bella::call
