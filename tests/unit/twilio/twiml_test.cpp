// TwiML writer: escaping of hostile speech, well-formedness under a strict parser, attributes.
#include <gtest/gtest.h>

#include "sim/twiml_reader.hpp"
#include "twilio/twiml.hpp"

namespace bella::twilio {
namespace {

constexpr std::string_view kProlog = R"(<?xml version="1.0" encoding="UTF-8"?>)";

XmlNode parsed(const std::string& doc) {
  auto root = parse_xml(doc);
  EXPECT_TRUE(root.ok()) << (root.ok() ? "" : root.error().message) << "\n" << doc;
  return root.ok() ? *root : XmlNode{};
}

std::string attr(const XmlNode& n, std::string_view name) {
  const std::string* v = n.attribute(name);
  return v == nullptr ? "<absent>" : *v;
}

TEST(Twiml, PrologIsTheFirstByteAndRootIsResponse) {
  const std::string doc = Twiml{}.say("Hello").hangup().str();
  EXPECT_EQ(doc.substr(0, kProlog.size()), kProlog);
  const XmlNode root = parsed(doc);
  EXPECT_EQ(root.name, "Response");
  ASSERT_EQ(root.elements().size(), 2u);
  EXPECT_EQ(root.elements()[0]->name, "Say");
  EXPECT_EQ(root.elements()[1]->name, "Hangup");
  EXPECT_EQ(kTwimlContentType, "text/xml");
}

TEST(Twiml, HostileSpeechIsEscapedAndStaysText) {
  const std::vector<std::string> hostile = {
      "Tom & Jerry",
      "<Hangup/>",
      "</Say><Hangup/><Say>",
      R"(O'Brien says "hi")",
      "&amp; &lt;",
      "]]> <![CDATA[x]]>",
      "<?xml version=\"1.0\"?>",
      "&#0; &bogus;",
  };
  for (const auto& h : hostile) {
    SCOPED_TRACE(h);
    const std::string doc = Twiml{}.say("You said " + h).redirect("/twilio/voice/collect?n=" + h).str();
    const XmlNode root = parsed(doc);
    ASSERT_EQ(root.elements().size(), 2u);  // no injected <Hangup/> or extra <Say>
    EXPECT_EQ(root.elements()[0]->inner_text(), "You said " + h);
    EXPECT_EQ(root.elements()[1]->inner_text(), "/twilio/voice/collect?n=" + h);
  }
}

TEST(Twiml, EscapesAllFiveCharacters) {
  EXPECT_EQ(xml_escape(R"(& < > " ')"), "&amp; &lt; &gt; &quot; &apos;");
}

TEST(Twiml, ControlCharactersAndBadUtf8AreStripped) {
  const std::string raw = std::string{"a\x01" "b\x1b[31mc\x7f" "d\tz\n"} + "\xC3\xA9" + "\xFF\xC3" + "\xEF\xBF\xBE" +
                          "\xED\xA0\x80" + "\xF0\x9F\x98\x80" + std::string(1, '\0') + "end";
  EXPECT_EQ(xml_clean(raw), "ab[31mcd\tz\n\xC3\xA9\xF0\x9F\x98\x80" "end");
  const XmlNode root = parsed(Twiml{}.say(raw).str());
  EXPECT_EQ(root.elements()[0]->inner_text(), "ab[31mcd\tz\n\xC3\xA9\xF0\x9F\x98\x80" "end");
  // Overlong encodings are invalid UTF-8 too.
  EXPECT_EQ(xml_clean("\xC0\xBC" "\xE0\x80\xBC" "x"), "x");
}

TEST(Twiml, SayCarriesVoiceAndItsLanguage) {
  const XmlNode root = parsed(Twiml{}.say("Hi").str());
  const XmlNode& say = *root.elements()[0];
  EXPECT_EQ(attr(say, "voice"), "Polly.Joanna-Neural");
  EXPECT_EQ(attr(say, "language"), "en-US");  // no Polly voice speaks en-CA
}

TEST(Twiml, SpeechGatherAttributes) {
  Gather g;
  g.action = "/twilio/voice/collect?a=1&b=2";
  g.prompts = {"What's your name?", "Take your time."};
  g.hints = {"Sarah", "O'Brien", "", "Jean-François"};
  const XmlNode root = parsed(Twiml{}.gather(g).say("Sorry, I didn't catch that.").redirect("/twilio/voice").str());
  ASSERT_EQ(root.elements().size(), 3u);
  const XmlNode& gather = *root.elements()[0];
  EXPECT_EQ(gather.name, "Gather");
  EXPECT_EQ(attr(gather, "input"), "speech");
  EXPECT_EQ(attr(gather, "action"), "/twilio/voice/collect?a=1&b=2");
  EXPECT_EQ(attr(gather, "method"), "POST");
  EXPECT_EQ(attr(gather, "timeout"), "5");
  EXPECT_EQ(attr(gather, "speechTimeout"), "2");
  EXPECT_EQ(attr(gather, "language"), "en-CA");
  EXPECT_EQ(attr(gather, "speechModel"), "phone_call");
  EXPECT_EQ(attr(gather, "enhanced"), "true");
  EXPECT_EQ(attr(gather, "profanityFilter"), "false");
  EXPECT_EQ(attr(gather, "hints"), "Sarah,O'Brien,Jean-François");
  EXPECT_EQ(attr(gather, "actionOnEmptyResult"), "true");
  EXPECT_EQ(attr(gather, "numDigits"), "<absent>");
  ASSERT_EQ(gather.elements().size(), 2u);
  EXPECT_EQ(gather.elements()[0]->name, "Say");
  EXPECT_EQ(gather.elements()[0]->inner_text(), "What's your name?");
  EXPECT_EQ(attr(*root.elements()[2], "method"), "POST");
}

TEST(Twiml, KeypadGatherAttributes) {
  Gather g;
  g.input = "dtmf speech";
  g.action = "/c";
  g.num_digits = 10;
  g.finish_on_key = "#";
  g.timeout = 10;
  g.speech_model = "numbers_and_commands";
  const XmlNode gather = *parsed(Twiml{}.gather(g).str()).elements()[0];
  EXPECT_EQ(attr(gather, "input"), "dtmf speech");
  EXPECT_EQ(attr(gather, "numDigits"), "10");
  EXPECT_EQ(attr(gather, "finishOnKey"), "#");
  EXPECT_EQ(attr(gather, "timeout"), "10");
  EXPECT_EQ(attr(gather, "speechModel"), "numbers_and_commands");
  EXPECT_EQ(attr(gather, "enhanced"), "<absent>");  // premium model exists for phone_call only
  EXPECT_TRUE(gather.elements().empty());

  g.input = "dtmf";
  const XmlNode dtmf = *parsed(Twiml{}.gather(g).str()).elements()[0];
  EXPECT_EQ(attr(dtmf, "speechModel"), "<absent>");
  EXPECT_EQ(attr(dtmf, "speechTimeout"), "<absent>");
  EXPECT_EQ(attr(dtmf, "numDigits"), "10");
}

TEST(Twiml, SettingsAreConfigurable) {
  VoiceSettings s;
  s.voice = "Polly.Gabrielle-Neural";
  s.say_language = "fr-CA";
  s.language = "fr-CA";
  s.speech_model = "";
  s.speech_timeout = "auto";
  s.timeout = 7;
  s.profanity_filter = true;
  Gather g;
  g.action = "/c";
  g.prompts = {"Bonjour"};
  const XmlNode root = parsed(Twiml{s}.gather(g).str());
  const XmlNode& gather = *root.elements()[0];
  EXPECT_EQ(attr(gather, "speechTimeout"), "auto");
  EXPECT_EQ(attr(gather, "speechModel"), "<absent>");
  EXPECT_EQ(attr(gather, "language"), "fr-CA");
  EXPECT_EQ(attr(gather, "timeout"), "7");
  EXPECT_EQ(attr(gather, "profanityFilter"), "true");
  EXPECT_EQ(attr(*gather.elements()[0], "voice"), "Polly.Gabrielle-Neural");
  EXPECT_EQ(attr(*gather.elements()[0], "language"), "fr-CA");
}

TEST(Twiml, AutoSpeechTimeoutNeverStandsNextToASpeechModel) {
  // A Gather may override the model: the document never pairs "auto" with one (Twilio 13335).
  VoiceSettings unchecked;
  unchecked.speech_timeout = "auto";
  Gather plain;
  plain.action = "/c";
  const XmlNode g = *parsed(Twiml{unchecked}.gather(plain).str()).elements()[0];
  EXPECT_EQ(attr(g, "speechModel"), "phone_call");
  EXPECT_EQ(attr(g, "speechTimeout"), "2");
}

TEST(Twiml, SayLanguageFollowsTheVoice) {
  EXPECT_EQ(say_language_for("Polly.Joanna-Neural", "en-CA"), "en-US");
  EXPECT_EQ(say_language_for("Polly.Gabrielle-Neural", "fr-CA"), "fr-CA");
  EXPECT_EQ(say_language_for("Google.fr-CA-Neural2-A", "en-CA"), "fr-CA");
  EXPECT_EQ(say_language_for("alice", "en-CA"), "en-CA");
}

TEST(Twiml, PauseDialHangup) {
  const XmlNode root = parsed(Twiml{}.pause(2).dial("+14035550100", 20, "+15875550100").hangup().str());
  ASSERT_EQ(root.elements().size(), 3u);
  EXPECT_EQ(attr(*root.elements()[0], "length"), "2");
  EXPECT_EQ(root.elements()[1]->name, "Dial");
  EXPECT_EQ(attr(*root.elements()[1], "timeout"), "20");
  EXPECT_EQ(attr(*root.elements()[1], "callerId"), "+15875550100");
  EXPECT_EQ(root.elements()[1]->inner_text(), "+14035550100");
  EXPECT_EQ(root.elements()[2]->name, "Hangup");
}

TEST(XmlParser, RejectsWhatTwilioRejects) {
  const std::string ok = std::string{kProlog} + "<Response><Say a=\"1\">x</Say></Response>";
  EXPECT_TRUE(parse_xml(ok).ok());
  const std::vector<std::string> bad = {
      " " + ok,                                                        // byte before <?xml
      "\xEF\xBB\xBF" + ok,                                            // BOM before <?xml
      "<Response></Response>",                                         // no prolog
      std::string{kProlog} + "<Response><Say>a & b</Say></Response>",  // raw &
      std::string{kProlog} + "<Response><Say>a < b</Say></Response>",  // raw <
      std::string{kProlog} + "<Response><Say a=\"<\">x</Say></Response>",
      std::string{kProlog} + "<Response><Say a=1>x</Say></Response>",
      std::string{kProlog} + "<Response><Say a=\"1\" a=\"2\">x</Say></Response>",
      std::string{kProlog} + "<Response><Say>x</Response></Say>",
      std::string{kProlog} + "<Response><Say>x</Say>",
      std::string{kProlog} + "<Response/><Response/>",
      std::string{kProlog} + "<Response><Say>&nbsp;</Say></Response>",
      std::string{kProlog} + "<Response><Say>\x01</Say></Response>",
      std::string{kProlog} + "<Response><Say>&#1;</Say></Response>",
      std::string{kProlog} + "<Response><Say a=\"1\"b=\"2\">x</Say></Response>",
  };
  for (const auto& doc : bad) {
    SCOPED_TRACE(doc);
    EXPECT_FALSE(parse_xml(doc).ok());
  }
}

TEST(XmlParser, DecodesReferencesAndKeepsStructure) {
  const auto root = parse_xml(std::string{kProlog} +
                              "\n<!-- c --><Response><Say v='a&quot;b'>&#72;&#x69; &amp; <break time=\"1s\"/>bye</Say></Response>\n");
  ASSERT_TRUE(root.ok()) << root.error().message;
  const XmlNode& say = *root->elements()[0];
  EXPECT_EQ(attr(say, "v"), "a\"b");
  EXPECT_EQ(say.inner_text(), "Hi & bye");
  ASSERT_EQ(say.elements().size(), 1u);
  EXPECT_EQ(say.elements()[0]->name, "break");
}

}  // namespace
}  // namespace bella::twilio
