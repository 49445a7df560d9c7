// Chat Completions request building and reply parsing, without I/O.
#include <gtest/gtest.h>

#include "llm/openai_wire.hpp"

namespace bella::llm {
namespace {

using nlohmann::json;

std::string reply_with_content(const std::string& content) {
  return json{{"choices", json::array({json{{"index", 0},
                                            {"message", json{{"role", "assistant"}, {"content", content}, {"refusal", nullptr}}},
                                            {"finish_reason", "stop"}}})}}
      .dump();
}

TEST(OpenAiWire, RequestCarriesModelMessagesAndStrictSchema) {
  const LlmRequest req{.field = Field::name, .utterance = "it's sarah johnson", .local_now = {}, .zone = {}};
  const json body = build_request(req, "gpt-4o-mini");
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["temperature"], 0);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["messages"][1]["content"], "it's sarah johnson");
  const json& rf = body["response_format"];
  EXPECT_EQ(rf["type"], "json_schema");
  EXPECT_EQ(rf["json_schema"]["name"], "name");
  EXPECT_EQ(rf["json_schema"]["strict"], true);
  const json& schema = rf["json_schema"]["schema"];
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["required"], json::array({"name"}));
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_TRUE(schema["properties"].contains("name"));
}

TEST(OpenAiWire, EachFieldHasItsOwnSchemaKey) {
  EXPECT_EQ(answer_schema(Field::phone)["required"], json::array({"phone"}));
  EXPECT_EQ(answer_schema(Field::time)["required"], json::array({"datetime"}));
  EXPECT_EQ(answer_schema(Field::yes_no)["required"], json::array({"answer"}));
  EXPECT_EQ(answer_schema(Field::yes_no)["properties"]["answer"]["enum"], json::array({"yes", "no", "unclear"}));
  const LlmRequest req{.field = Field::yes_no, .utterance = "sure", .local_now = {}, .zone = {}};
  EXPECT_EQ(build_request(req, "m")["response_format"]["json_schema"]["name"], "yes_no");
}

TEST(OpenAiWire, TimePromptNamesLocalDateWeekdayAndZone) {
  const LlmRequest req{.field = Field::time,
                       .utterance = "the day after tomorrow at three",
                       .local_now = "Tuesday 2026-03-03 14:05",
                       .zone = "America/Edmonton"};
  const std::string prompt = build_request(req, "m")["messages"][0]["content"];
  EXPECT_NE(prompt.find("Tuesday 2026-03-03 14:05"), std::string::npos);
  EXPECT_NE(prompt.find("America/Edmonton"), std::string::npos);
  EXPECT_NE(prompt.find("YYYY-MM-DDTHH:MM"), std::string::npos);
  // The utterance stays in the user message, never inside our instructions.
  EXPECT_EQ(prompt.find("three"), std::string::npos);
}

TEST(OpenAiWire, ParsesTheJsonInsideMessageContent) {
  const auto r = parse_reply(Field::name, reply_with_content(R"({"name":"Sarah Johnson"})"));
  EXPECT_EQ(r.kind, ReplyKind::answer);
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value, (json{{"name", "Sarah Johnson"}}));
}

TEST(OpenAiWire, KeepsOnlyTheFieldKey) {
  const auto r = parse_reply(Field::time, reply_with_content(R"({"datetime":"2026-03-05T14:00","extra":1})"));
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value, (json{{"datetime", "2026-03-05T14:00"}}));
}

TEST(OpenAiWire, NullBlankOrUnclearIsEmpty) {
  EXPECT_EQ(parse_reply(Field::name, reply_with_content(R"({"name":null})")).kind, ReplyKind::empty);
  EXPECT_EQ(parse_reply(Field::phone, reply_with_content(R"({"phone":"  "})")).kind, ReplyKind::empty);
  EXPECT_EQ(parse_reply(Field::yes_no, reply_with_content(R"({"answer":"unclear"})")).kind, ReplyKind::empty);
  EXPECT_FALSE(parse_reply(Field::yes_no, reply_with_content(R"({"answer":"unclear"})")).value);
}

TEST(OpenAiWire, RefusalIsRecognised) {
  const std::string body = R"({"choices":[{"index":0,"message":{"role":"assistant","content":null,
                               "refusal":"I can't help with that."},"finish_reason":"stop"}]})";
  const auto r = parse_reply(Field::name, body);
  EXPECT_EQ(r.kind, ReplyKind::refused);
  EXPECT_FALSE(r.value);
  const std::string filtered = R"({"choices":[{"message":{"content":""},"finish_reason":"content_filter"}]})";
  EXPECT_EQ(parse_reply(Field::name, filtered).kind, ReplyKind::refused);
}

TEST(OpenAiWire, MalformedBodyIsFlaggedAsSuch) {
  for (const char* body : {"", "{not json", "[]", R"({"choices":[]})", R"({"choices":[{"text":"x"}]})"}) {
    const auto r = parse_reply(Field::name, body);
    EXPECT_EQ(r.kind, ReplyKind::malformed) << body;
    EXPECT_TRUE(r.body_malformed) << body;
  }
}

TEST(OpenAiWire, MalformedContentIsNotAnAnswer) {
  for (const char* content : {"Sarah Johnson", "{\"name\":", "[\"Sarah\"]", R"({"nom":"Sarah"})",
                              R"({"name":42})", R"({"name":{"first":"Sarah"}})"}) {
    const auto r = parse_reply(Field::name, reply_with_content(content));
    EXPECT_EQ(r.kind, ReplyKind::malformed) << content;
    EXPECT_FALSE(r.body_malformed) << content;
    EXPECT_FALSE(r.value) << content;
  }
  const std::string null_content = R"({"choices":[{"message":{"content":null}}]})";
  EXPECT_EQ(parse_reply(Field::name, null_content).kind, ReplyKind::malformed);
}

}  // namespace
}  // namespace bella::llm
