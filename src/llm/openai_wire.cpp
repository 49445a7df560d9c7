// Chat Completions request bodies and reply parsing for the four fields; pure, no I/O.
#include "llm/openai_wire.hpp"

#include <fmt/format.h>

namespace bella::llm {
namespace {

using nlohmann::json;

// One-key object schema in the subset strict structured outputs accept: every property required,
// no extra properties; "no value" is expressed as null rather than by omission.
json object_schema(std::string_view key, json property) {
  return json{{"type", "object"},
              {"properties", json{{std::string(key), std::move(property)}}},
              {"required", json::array({std::string(key)})},
              {"additionalProperties", false}};
}

}  // namespace

std::string_view field_name(Field field) noexcept {
  switch (field) {
    case Field::name: return "name";
    case Field::phone: return "phone";
    case Field::time: return "time";
    case Field::yes_no: return "yes_no";
  }
  return "unknown";
}

std::string_view answer_key(Field field) noexcept {
  switch (field) {
    case Field::name: return "name";
    case Field::phone: return "phone";
    case Field::time: return "datetime";
    case Field::yes_no: return "answer";
  }
  return "value";
}

json answer_schema(Field field) {
  switch (field) {
    case Field::name:
      return object_schema("name", json{{"type", json::array({"string", "null"})},
                                        {"description", "The caller's full name, or null if not stated."}});
    case Field::phone:
      return object_schema("phone", json{{"type", json::array({"string", "null"})},
                                         {"description", "The phone number as digits, or null if not stated."}});
    case Field::time:
      return object_schema("datetime",
                           json{{"type", json::array({"string", "null"})},
                                {"description", "Local start time as YYYY-MM-DDTHH:MM (24 h), or null."}});
    case Field::yes_no:
      return object_schema("answer", json{{"type", "string"}, {"enum", json::array({"yes", "no", "unclear"})}});
  }
  return json::object();
}

std::string system_prompt(const LlmRequest& request) {
  // Short on purpose: each token is latency inside the caller's 2 s turn.
  switch (request.field) {
    case Field::name:
      return "A caller is booking a clinic appointment. Extract the caller's own full name from what they said. "
             "Use null if no name is given.";
    case Field::phone:
      return "A caller is booking a clinic appointment. Extract the phone number they said, as digits "
             "(spoken words like 'four oh three' become 403). Use null if there is no complete number.";
    case Field::time:
      return fmt::format(
          "A caller is booking a clinic appointment. It is now {} in the {} time zone. Convert the appointment "
          "time they ask for to local time as YYYY-MM-DDTHH:MM (24 h). Use null if they give no day and time.",
          request.local_now, request.zone);
    case Field::yes_no:
      return "A caller was asked to confirm. Answer yes if they agree, no if they decline, unclear otherwise.";
  }
  return {};
}

json build_request(const LlmRequest& request, std::string_view model) {
  const std::string name(field_name(request.field));
  return json{
      {"model", std::string(model)},
      {"temperature", 0},
      {"max_tokens", 60},
      {"messages", json::array({json{{"role", "system"}, {"content", system_prompt(request)}},
                                json{{"role", "user"}, {"content", request.utterance}}})},
      {"response_format",
       json{{"type", "json_schema"},
            {"json_schema", json{{"name", name}, {"strict", true}, {"schema", answer_schema(request.field)}}}}},
  };
}

ParsedReply parse_reply(Field field, std::string_view body) {
  ParsedReply out;
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* message = nullptr;
  const json* choice = nullptr;
  if (doc.is_object()) {
    auto choices = doc.find("choices");
    if (choices != doc.end() && choices->is_array() && !choices->empty() && (*choices)[0].is_object()) {
      choice = &(*choices)[0];
      auto m = choice->find("message");
      if (m != choice->end() && m->is_object()) message = &*m;
    }
  }
  if (!message) {
    out.body_malformed = true;
    return out;
  }
  auto refusal = message->find("refusal");
  if (refusal != message->end() && refusal->is_string() && !refusal->get_ref<const std::string&>().empty()) {
    out.kind = ReplyKind::refused;
    return out;
  }
  auto finish = choice->find("finish_reason");
  if (finish != choice->end() && finish->is_string() && *finish == "content_filter") {
    out.kind = ReplyKind::refused;
    return out;
  }
  auto content = message->find("content");
  if (content == message->end() || !content->is_string()) return out;  // malformed
  const json answer = json::parse(content->get_ref<const std::string&>(), nullptr, false);
  if (!answer.is_object()) return out;
  auto value = answer.find(std::string(answer_key(field)));
  if (value == answer.end()) return out;
  if (value->is_null()) {
    out.kind = ReplyKind::empty;
    return out;
  }
  if (!value->is_string()) return out;
  const auto& text = value->get_ref<const std::string&>();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos ||
      (field == Field::yes_no && text == "unclear")) {
    out.kind = ReplyKind::empty;
    return out;
  }
  out.kind = ReplyKind::answer;
  out.value = json{{std::string(answer_key(field)), text}};
  return out;
}

}  // namespace bella::llm
