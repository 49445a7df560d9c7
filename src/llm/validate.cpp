// Validation of LLM answers: nothing the model says is trusted more than a parser's output.
#include "llm/validate.hpp"

#include <cctype>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

#include "bella/core/iso8601.hpp"
#include "llm/openai_wire.hpp"

namespace bella::llm {
namespace {

// The answer's one string value, or nullptr.
const std::string* value_of(const nlohmann::json& answer, Field field) {
  if (!answer.is_object()) return nullptr;
  auto it = answer.find(std::string(answer_key(field)));
  if (it == answer.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

LlmRequest make_request(Field field, std::string utterance, const understand::TimeContext& ctx) {
  LlmRequest req{.field = field, .utterance = std::move(utterance), .local_now = {}, .zone = {}};
  if (field == Field::time && ctx.calendar) {
    const auto local = ctx.calendar->to_local(ctx.now);
    req.local_now = date::format("%A %Y-%m-%d %H:%M", std::chrono::time_point_cast<std::chrono::minutes>(local));
    req.zone = ctx.calendar->zone()->name();
  }
  return req;
}

std::optional<std::string> validate_phone(const nlohmann::json& answer) {
  const auto* v = value_of(answer, Field::phone);
  if (!v || v->size() > 40) return std::nullopt;
  return understand::normalize_phone(*v);
}

std::optional<std::string> validate_name(const nlohmann::json& answer) {
  const auto* v = value_of(answer, Field::name);
  if (!v || v->size() > 100) return std::nullopt;
  std::string name;
  for (char c : *v) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!name.empty() && name.back() != ' ') name.push_back(' ');
    } else {
      name.push_back(c);
    }
  }
  if (!name.empty() && name.back() == ' ') name.pop_back();
  if (name.empty() || !understand::looks_like_name(name)) return std::nullopt;
  return name;
}

std::optional<understand::Confirmation> validate_yes_no(const nlohmann::json& answer) {
  const auto* v = value_of(answer, Field::yes_no);
  if (!v) return std::nullopt;
  if (*v == "yes") return understand::Confirmation{understand::YesNo::yes, {}};
  if (*v == "no") return understand::Confirmation{understand::YesNo::no, {}};
  return std::nullopt;
}

std::optional<understand::When> validate_datetime(const nlohmann::json& answer, const understand::TimeContext& ctx) {
  const auto* v = value_of(answer, Field::time);
  if (!v || !ctx.calendar) return std::nullopt;
  const std::string_view s(*v);
  const auto ymd = iso8601::parse_date(s.substr(0, 10));
  if (!ymd) return std::nullopt;
  const auto today = ctx.calendar->local_day(ctx.now);
  if (s.size() == 10) {
    if (date::sys_days(*ymd) < date::sys_days(today)) return std::nullopt;
    return understand::When{understand::DateOnly{*ymd}};
  }
  int h = 0, m = 0;
  if (s.size() != 16 || s[10] != 'T' || s[13] != ':' || !digits(s, 11, 2, h) || !digits(s, 14, 2, m) || h > 23 ||
      m > 59) {
    return std::nullopt;
  }
  const date::local_seconds wall = date::local_days(*ymd) + std::chrono::hours(h) + std::chrono::minutes(m);
  // Re-resolve through the calendar: a time in a DST gap moves exactly as the parser's would.
  const auto instant = ctx.calendar->to_sys(wall);
  if (instant <= ctx.now) return std::nullopt;
  return understand::When{ctx.calendar->to_local(instant)};
}

}  // namespace bella::llm
