// ConversationState <-> JSON. Times are stored as UTC ISO 8601 strings.
#include "bella/call/session.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bella/core/iso8601.hpp"

namespace bella::call {
namespace {

constexpr std::pair<Step, const char*> kSteps[] = {
    {Step::ask_name, "ask_name"},   {Step::ask_last_name, "ask_last_name"},
    {Step::offer_caller_id, "offer_caller_id"}, {Step::ask_mobile, "ask_mobile"},
    {Step::ask_time, "ask_time"},   {Step::offer_slot, "offer_slot"},           {Step::confirm, "confirm"},
    {Step::ask_change, "ask_change"}, {Step::booked, "booked"},                 {Step::ended, "ended"},
};

std::string iso(SysSeconds t) { return iso8601::format_utc(t); }

SysSeconds parse_iso(const std::string& s) {
  auto t = iso8601::parse_datetime(s);
  if (!t) throw std::invalid_argument("bad time in session: " + s);
  return *t;
}

std::string iso_day(date::year_month_day d) { return iso8601::format_date(d); }

date::year_month_day parse_day(const std::string& s) {
  auto d = iso8601::parse_date(s);
  if (!d) throw std::invalid_argument("bad day in session: " + s);
  return *d;
}

}  // namespace

const char* to_string(Step s) noexcept {
  for (const auto& [step, name] : kSteps)
    if (step == s) return name;
  return "ask_name";
}

std::optional<Step> parse_step(std::string_view s) noexcept {
  for (const auto& [step, name] : kSteps)
    if (s == name) return step;
  return std::nullopt;
}

nlohmann::json to_json(const ConversationState& s) {
  nlohmann::json j = {
      {"v", 1},
      {"call_sid", s.call_sid},
      {"step", to_string(s.step)},
      {"duration_minutes", s.duration_minutes},
      {"retries", s.retries},
      {"turn", s.turn},
      {"returning", s.returning},
      {"keypad", s.keypad},
      {"caller_id_offered", s.caller_id_offered},
      {"last_name_asked", s.last_name_asked},
      {"booking_failures", s.booking_failures},
      {"created_at", iso(s.created_at)},
  };
  if (s.name) j["name"] = *s.name;
  if (s.mobile) j["mobile"] = *s.mobile;
  if (s.caller_id) j["caller_id"] = *s.caller_id;
  if (s.start) j["start"] = iso(*s.start);
  if (s.day) j["day"] = iso_day(*s.day);
  if (!s.offered.empty()) {
    auto& arr = j["offered"] = nlohmann::json::array();
    for (auto t : s.offered) arr.push_back(iso(t));
  }
  if (s.appointment_id) j["appointment_id"] = *s.appointment_id;
  return j;
}

ConversationState state_from_json(const nlohmann::json& j) {
  ConversationState s;
  s.call_sid = j.at("call_sid").get<std::string>();
  auto step = parse_step(j.at("step").get<std::string>());
  if (!step) throw std::invalid_argument("unknown step in session");
  s.step = *step;
  s.duration_minutes = j.value("duration_minutes", 30);
  s.retries = j.value("retries", 0);
  s.turn = j.value("turn", 0);
  s.returning = j.value("returning", false);
  s.keypad = j.value("keypad", false);
  s.caller_id_offered = j.value("caller_id_offered", false);
  s.last_name_asked = j.value("last_name_asked", false);
  s.booking_failures = j.value("booking_failures", 0);
  s.created_at = parse_iso(j.at("created_at").get<std::string>());
  if (j.contains("name")) s.name = j["name"].get<std::string>();
  if (j.contains("mobile")) s.mobile = j["mobile"].get<std::string>();
  if (j.contains("caller_id")) s.caller_id = j["caller_id"].get<std::string>();
  if (j.contains("start")) s.start = parse_iso(j["start"].get<std::string>());
  if (j.contains("day")) s.day = parse_day(j["day"].get<std::string>());
  if (j.contains("offered"))
    for (const auto& t : j["offered"]) s.offered.push_back(parse_iso(t.get<std::string>()));
  if (j.contains("appointment_id")) s.appointment_id = j["appointment_id"].get<std::int64_t>();
  return s;
}

}  // namespace bella::call
