// ConversationState <-> JSON. Times are stored as UTC ISO 8601 strings. Version 2 (tasks,
// households); a version-1 document is refused, so a session written before a deploy restarts.
#include "bella/call/session.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bella/core/iso8601.hpp"

namespace bella::call {
namespace {

constexpr int kVersion = 2;

constexpr std::pair<Step, const char*> kSteps[] = {
    {Step::ask_name, "ask_name"},
    {Step::ask_last_name, "ask_last_name"},
    {Step::offer_caller_id, "offer_caller_id"},
    {Step::ask_mobile, "ask_mobile"},
    {Step::ask_time, "ask_time"},
    {Step::offer_slot, "offer_slot"},
    {Step::confirm, "confirm"},
    {Step::ask_change, "ask_change"},
    {Step::booked, "booked"},
    {Step::ended, "ended"},
    {Step::ask_lookup_mobile, "ask_lookup_mobile"},
    {Step::ask_who, "ask_who"},
    {Step::pick_appointment, "pick_appointment"},
    {Step::confirm_cancel, "confirm_cancel"},
    {Step::ask_go_on, "ask_go_on"},
};

constexpr std::pair<Purpose, const char*> kTasks[] = {
    {Purpose::book, "book"}, {Purpose::cancel, "cancel"}, {Purpose::reschedule, "reschedule"}, {Purpose::look_up, "look_up"}};

std::string iso(SysSeconds t) { return iso8601::format_utc(t); }

SysSeconds parse_iso(const std::string& s) {
  auto t = iso8601::parse_datetime(s);
  if (!t) throw std::invalid_argument("bad time in session");
  return *t;
}

date::year_month_day parse_day(const std::string& s) {
  auto d = iso8601::parse_date(s);
  if (!d) throw std::invalid_argument("bad day in session");
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

const char* to_string(Purpose t) noexcept {
  for (const auto& [task, name] : kTasks)
    if (task == t) return name;
  return "book";
}

nlohmann::json to_json(const ConversationState& s) {
  nlohmann::json j = {
      {"v", kVersion},
      {"call_sid", s.call_sid},
      {"step", to_string(s.step)},
      {"task", to_string(s.task)},
      {"duration_minutes", s.duration_minutes},
      {"type", s.type},
      {"retries", s.retries},
      {"failures", s.failures},
      {"turn", s.turn},
      {"returning", s.returning},
      {"looked_up", s.looked_up},
      {"caller_id_offered", s.caller_id_offered},
      {"last_name_asked", s.last_name_asked},
      {"save_failures", s.save_failures},
      {"created_at", iso(s.created_at)},
  };
  if (s.name) j["name"] = *s.name;
  if (s.mobile) j["mobile"] = *s.mobile;
  if (s.caller_id) j["caller_id"] = *s.caller_id;
  if (s.patient_id) j["patient_id"] = *s.patient_id;
  if (s.target) j["target"] = *s.target;
  if (s.start) j["start"] = iso(*s.start);
  if (s.day) j["day"] = iso8601::format_date(*s.day);
  auto& offered = j["offered"] = nlohmann::json::array();
  for (auto t : s.offered) offered.push_back(iso(t));
  auto& household = j["household"] = nlohmann::json::array();
  for (const auto& p : s.household) household.push_back({{"id", p.id}, {"name", p.name}});
  auto& upcoming = j["upcoming"] = nlohmann::json::array();
  for (const auto& a : s.upcoming)
    upcoming.push_back({{"id", a.id},
                        {"patient_id", a.patient_id},
                        {"patient_name", a.patient_name},
                        {"start", iso(a.start)},
                        {"minutes", a.minutes}});
  if (s.appointment_id) j["appointment_id"] = *s.appointment_id;
  return j;
}

ConversationState state_from_json(const nlohmann::json& j) {
  if (j.value("v", 0) != kVersion) throw std::invalid_argument("session of another version");
  ConversationState s;
  s.call_sid = j.at("call_sid").get<std::string>();
  auto step = parse_step(j.at("step").get<std::string>());
  if (!step) throw std::invalid_argument("unknown step in session");
  s.step = *step;
  const auto task = j.at("task").get<std::string>();
  bool task_known = false;
  for (const auto& [t, name] : kTasks)
    if (task == name) s.task = t, task_known = true;
  if (!task_known) throw std::invalid_argument("unknown task in session");
  s.duration_minutes = j.at("duration_minutes").get<int>();
  s.type = j.at("type").get<std::string>();
  s.retries = j.at("retries").get<int>();
  s.failures = j.at("failures").get<int>();
  s.turn = j.at("turn").get<int>();
  s.returning = j.at("returning").get<bool>();
  s.looked_up = j.at("looked_up").get<bool>();
  s.caller_id_offered = j.at("caller_id_offered").get<bool>();
  s.last_name_asked = j.at("last_name_asked").get<bool>();
  s.save_failures = j.at("save_failures").get<int>();
  s.created_at = parse_iso(j.at("created_at").get<std::string>());
  if (j.contains("name")) s.name = j["name"].get<std::string>();
  if (j.contains("mobile")) s.mobile = j["mobile"].get<std::string>();
  if (j.contains("caller_id")) s.caller_id = j["caller_id"].get<std::string>();
  if (j.contains("patient_id")) s.patient_id = j["patient_id"].get<std::int64_t>();
  if (j.contains("target")) s.target = j["target"].get<std::int64_t>();
  if (j.contains("start")) s.start = parse_iso(j["start"].get<std::string>());
  if (j.contains("day")) s.day = parse_day(j["day"].get<std::string>());
  for (const auto& t : j.at("offered")) s.offered.push_back(parse_iso(t.get<std::string>()));
  for (const auto& p : j.at("household"))
    s.household.push_back(KnownPatient{p.at("id").get<std::int64_t>(), p.at("name").get<std::string>()});
  for (const auto& a : j.at("upcoming"))
    s.upcoming.push_back(KnownAppointment{a.at("id").get<std::int64_t>(), a.at("patient_id").get<std::int64_t>(),
                                          a.at("patient_name").get<std::string>(),
                                          parse_iso(a.at("start").get<std::string>()), a.at("minutes").get<int>()});
  if (j.contains("appointment_id")) s.appointment_id = j["appointment_id"].get<std::int64_t>();
  return s;
}

}  // namespace bella::call
