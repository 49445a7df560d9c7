// bella-call's pieces: form encoding, SIDs, URL resolution, verb descriptions, and whole calls
// against in-process canned webhooks that check every signature.
#include <gtest/gtest.h>

#include <sstream>

#include "bella/http/message.hpp"
#include "sim/call_simulator.hpp"
#include "sim/twiml_reader.hpp"
#include "support/fake_twilio_webhooks.hpp"
#include "twilio/twiml.hpp"

namespace bella::twilio {
namespace {

using testing::FakeTwilioWebhooks;
using testing::param;

TEST(FormEncode, PlusForSpacesAndPercentEscapes) {
  const Params p{{"SpeechResult", "Sarah & Tom = 100% +1 é"}, {"Empty", ""}, {"A b", "x~y_z.-"}};
  const std::string body = form_encode(p);
  EXPECT_EQ(body, "SpeechResult=Sarah+%26+Tom+%3D+100%25+%2B1+%C3%A9&Empty=&A+b=x~y_z.-");
  EXPECT_EQ(http::parse_form(body), p);
}

TEST(MakeSid, PrefixAnd32LowerHex) {
  EXPECT_EQ(make_sid("CA", 0x0123456789abcdefULL, 0xfedcba9876543210ULL), "CA0123456789abcdeffedcba9876543210");
  EXPECT_EQ(make_sid("AC", 0, 1), "AC00000000000000000000000000000001");
}

TEST(ResolveUrl, LikeTwilioResolvesTwimlUrls) {
  const std::string doc = "https://b.example.com/twilio/voice?x=1";
  EXPECT_EQ(resolve_url(doc, "/twilio/voice/collect"), "https://b.example.com/twilio/voice/collect");
  EXPECT_EQ(resolve_url(doc, "collect?s=2"), "https://b.example.com/twilio/collect?s=2");
  EXPECT_EQ(resolve_url(doc, "?s=2"), "https://b.example.com/twilio/voice?s=2");
  EXPECT_EQ(resolve_url(doc, "http://other:8000/x"), "http://other:8000/x");
  EXPECT_EQ(resolve_url(doc, "//c.example.com/y"), "https://c.example.com/y");
  EXPECT_EQ(resolve_url(doc, ""), doc);
  EXPECT_EQ(resolve_url("http://127.0.0.1:8000", "collect"), "http://127.0.0.1:8000/collect");
}

TEST(Describe, WhatTheCallerNotices) {
  Gather g;
  g.action = "/c";
  g.prompts = {"What's your name?"};
  g.hints = {"Sarah", "Tom"};
  const std::string doc =
      Twiml{}.say("Hi & welcome").gather(g).pause(2).dial("+14035550100").redirect("/v").hangup().str();
  auto verbs = parse_twiml(doc);
  ASSERT_TRUE(verbs.ok()) << verbs.error().message;
  std::vector<std::string> lines;
  for (const auto& v : *verbs)
    for (auto& l : describe(v)) lines.push_back(std::move(l));
  const std::vector<std::string> want = {
      "Bella: Hi & welcome",     "Bella: What's your name?",     "[listening: speech, hints Sarah,Tom]",
      "[pause 2 s]",             "[transfer to +14035550100]",   "[redirect to /v]",
      "[hangs up]",
  };
  EXPECT_EQ(lines, want);
  EXPECT_FALSE(parse_twiml(std::string{R"(<?xml version="1.0"?><Other/>)"}).ok());
}

std::string ask(std::string_view prompt, std::string_view action = "/twilio/voice/collect", bool on_empty = true) {
  Gather g;
  g.action = std::string{action};
  g.prompts = {std::string{prompt}};
  g.action_on_empty_result = on_empty;
  return Twiml{}.gather(g).str();
}

struct Call {
  CallerOptions options;
  FakeTwilioWebhooks server;
  std::ostringstream out;
  int exit_code = -1;

  explicit Call(std::string token = "secret")
      : server("http://127.0.0.1:8000", "https://bella.example.com", token) {
    options.url = "http://127.0.0.1:8000/";
    options.public_base_url = "https://bella.example.com";
    options.auth_token = std::move(token);
    options.call_sid = make_sid("CA", 1, 2);
    options.account_sid = make_sid("AC", 3, 4);
    options.from = "+14035550123";
  }
  void run(const std::string& typed) {
    std::istringstream in{typed};
    CallSimulator sim{options, server.transport()};
    exit_code = sim.run(in, out);
  }
};

TEST(CallSimulator, WholeSignedCall) {
  Call call;
  call.server.reply(ask("Hi, this is Bella. What's your name?"));
  call.server.reply(ask("Thanks Sarah. What's the best number?"));
  call.server.reply(ask("Sorry, I didn't catch that. Type it on the keypad."));
  call.server.reply(Twiml{}.say("One moment.").redirect("/twilio/voice/collect?step=confirm").str());
  call.server.reply(Twiml{}.say("You're booked for Tuesday at 3 PM. Goodbye!").hangup().str());
  call.run("Sarah Johnson & <Hangup/>\n\n#4035550123\n");

  EXPECT_EQ(call.exit_code, 0) << call.out.str();
  const auto& seen = call.server.seen;
  ASSERT_EQ(seen.size(), 5u) << call.out.str();
  for (const auto& s : seen) {
    EXPECT_TRUE(s.signed_);
    EXPECT_TRUE(s.signature_ok) << s.target;
    EXPECT_EQ(s.content_type, "application/x-www-form-urlencoded");
    EXPECT_EQ(param(s.params, "CallSid"), "CA00000000000000010000000000000002");
    EXPECT_EQ(param(s.params, "AccountSid"), "AC00000000000000030000000000000004");
    EXPECT_EQ(param(s.params, "From"), "+14035550123");
    EXPECT_EQ(param(s.params, "Caller"), "+14035550123");
    EXPECT_EQ(param(s.params, "Direction"), "inbound");
    EXPECT_EQ(param(s.params, "ApiVersion"), "2010-04-01");
    EXPECT_NE(param(s.params, "To"), "<absent>");
    EXPECT_NE(param(s.params, "Called"), "<absent>");
  }
  EXPECT_EQ(seen[0].target, "/twilio/voice");
  EXPECT_EQ(param(seen[0].params, "CallStatus"), "ringing");
  EXPECT_EQ(param(seen[0].params, "SpeechResult"), "<absent>");
  EXPECT_EQ(seen[1].target, "/twilio/voice/collect");
  EXPECT_EQ(param(seen[1].params, "CallStatus"), "in-progress");
  EXPECT_EQ(param(seen[1].params, "SpeechResult"), "Sarah Johnson & <Hangup/>");
  EXPECT_EQ(param(seen[1].params, "Confidence"), "0.9");
  EXPECT_EQ(param(seen[2].params, "SpeechResult"), "");  // silence, still signed and valid
  EXPECT_EQ(param(seen[2].params, "Confidence"), "<absent>");
  EXPECT_EQ(param(seen[3].params, "Digits"), "4035550123");
  EXPECT_EQ(param(seen[3].params, "SpeechResult"), "<absent>");
  EXPECT_EQ(seen[4].target, "/twilio/voice/collect?step=confirm");

  const std::string shown = call.out.str();
  for (std::string_view want : {"Bella: Hi, this is Bella. What's your name?", "[listening: speech]", "you> ",
                                "Bella: One moment.", "[redirect to /twilio/voice/collect?step=confirm]",
                                "Bella: You're booked for Tuesday at 3 PM. Goodbye!", "[hangs up]"})
    EXPECT_NE(shown.find(want), std::string::npos) << want << "\n" << shown;
}

TEST(CallSimulator, UnsignedWithoutAToken) {
  Call call{""};
  call.server.reply(Twiml{}.say("Hello").hangup().str());
  call.run("");
  EXPECT_EQ(call.exit_code, 0);
  ASSERT_EQ(call.server.seen.size(), 1u);
  EXPECT_FALSE(call.server.seen[0].signed_);
  EXPECT_NE(call.out.str().find("unsigned"), std::string::npos);
}

TEST(CallSimulator, SilenceFallsThroughWithoutActionOnEmptyResult) {
  // A Gather followed by a re-prompt and a Redirect, as TWILIO.md recommends.
  Gather g;
  g.action = "/twilio/voice/collect";
  g.action_on_empty_result = false;
  Call call;
  call.server.reply(Twiml{}.gather(g).say("Are you still there?").redirect("/twilio/voice").str());
  call.server.reply(Twiml{}.hangup().str());
  call.run("\n");
  EXPECT_EQ(call.exit_code, 0);
  ASSERT_EQ(call.server.seen.size(), 2u);
  EXPECT_EQ(call.server.seen[1].target, "/twilio/voice");
  EXPECT_EQ(param(call.server.seen[1].params, "SpeechResult"), "<absent>");
  EXPECT_NE(call.out.str().find("Bella: Are you still there?"), std::string::npos);
}

TEST(CallSimulator, EchoesPipedInputAsADialogue) {
  Call call;
  call.options.echo_input = true;
  call.server.reply(ask("Name?"));
  call.server.reply(ask("Again?"));
  call.server.reply(Twiml{}.hangup().str());
  call.run("Sarah\n\n");
  EXPECT_NE(call.out.str().find("you> Sarah\n"), std::string::npos) << call.out.str();
  EXPECT_NE(call.out.str().find("you> (silence)\n"), std::string::npos) << call.out.str();
}

TEST(CallSimulator, EndOfInputHangsUp) {
  Call call;
  call.server.reply(ask("Name?"));
  call.run("");
  EXPECT_EQ(call.exit_code, 0);
  EXPECT_EQ(call.server.seen.size(), 1u);
  EXPECT_NE(call.out.str().find("[end of input: caller hangs up]"), std::string::npos);
}

TEST(CallSimulator, ErrorsAreReportedLikeTwilio) {
  Call forbidden;
  forbidden.server.reply(R"({"title":"Forbidden","detail":"bad signature"})", 403, "application/problem+json");
  forbidden.run("");
  EXPECT_EQ(forbidden.exit_code, 1);
  EXPECT_NE(forbidden.out.str().find("HTTP 403"), std::string::npos);
  EXPECT_NE(forbidden.out.str().find("bad signature"), std::string::npos);

  Call junk;
  junk.server.reply(" " + Twiml{}.hangup().str());  // a byte before <?xml: Twilio's 12100
  junk.run("");
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_NE(junk.out.str().find("12100"), std::string::npos);

  Call loop;
  loop.options.max_requests_without_input = 3;
  for (int i = 0; i < 5; ++i) loop.server.reply(Twiml{}.redirect("/twilio/voice").str());
  loop.run("");
  EXPECT_EQ(loop.exit_code, 1);
  EXPECT_EQ(loop.server.seen.size(), 3u);

  Call unreachable;
  unreachable.options.url = "http://127.0.0.1:9";  // the fake refuses any other base
  unreachable.options.public_base_url = "http://127.0.0.1:9";
  unreachable.run("");
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.out.str().find("cannot reach"), std::string::npos);
}

TEST(CallSimulator, EndOfTwimlEndsTheCall) {
  Call call;
  call.server.reply(Twiml{}.say("Bye").str());
  call.run("");
  EXPECT_EQ(call.exit_code, 0);
  EXPECT_NE(call.out.str().find("[end of TwiML: Twilio hangs up]"), std::string::npos);
}

}  // namespace
}  // namespace bella::twilio
