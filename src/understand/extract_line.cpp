// bella-extract's JSON-lines protocol: parse one request, run one extractor, format the reply.
#include "understand/extract_line.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bella/understand/extract.hpp"
#include "understand/phone_explained.hpp"

namespace bella::understand {
namespace {

using nlohmann::json;

std::string error_line(std::string_view message) { return json{{"error", message}}.dump(); }

// "YYYY-MM-DDTHH:MM[:SS]" -> local time, or nothing.
std::optional<date::local_seconds> parse_ref(std::string_view s) {
  if (s.size() != 16 && s.size() != 19) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    out = 0;
    for (std::size_t k = pos; k < pos + len; ++k) {
      if (s[k] < '0' || s[k] > '9') return false;
      out = out * 10 + (s[k] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) || s[10] != 'T' ||
      !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi)) {
    return std::nullopt;
  }
  if (s.size() == 19 && (s[16] != ':' || !num(17, 2, sec))) return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return date::local_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{sec};
}

}  // namespace

std::string format_local_minute(date::local_seconds t) {
  return date::format("%Y-%m-%dT%H:%M", date::floor<std::chrono::minutes>(t));
}

LineExtractor::LineExtractor(calendar::OpeningHours hours, calendar::HolidayOptions holidays, std::string default_zone)
    : hours_(std::move(hours)), holidays_(holidays), default_zone_(std::move(default_zone)) {}

LineExtractor::~LineExtractor() = default;

const calendar::BusinessCalendar& LineExtractor::calendar_for(const std::string& zone) {
  auto it = calendars_.find(zone);
  if (it == calendars_.end()) {
    const date::time_zone* z = date::locate_zone(zone);  // throws std::runtime_error if unknown
    it = calendars_.emplace(zone, std::make_unique<calendar::BusinessCalendar>(z, hours_, holidays_)).first;
  }
  return *it->second;
}

std::string LineExtractor::run(std::string_view line, std::chrono::sys_seconds now) {
  json in;
  try {
    in = json::parse(line);
  } catch (const json::parse_error&) {
    return error_line("malformed JSON");
  }
  if (!in.is_object()) return error_line("expected a JSON object");
  if (!in.contains("kind") || !in["kind"].is_string()) return error_line("missing string field \"kind\"");
  if (!in.contains("text") || !in["text"].is_string()) return error_line("missing string field \"text\"");
  for (const char* optional_field : {"ref", "tz", "from"}) {
    if (in.contains(optional_field) && !in[optional_field].is_string() && !in[optional_field].is_null()) {
      return error_line(std::string("field \"") + optional_field + "\" must be a string");
    }
  }
  const std::string kind = in["kind"].get<std::string>();
  const std::string text = in["text"].get<std::string>();
  auto field = [&](const char* name) {
    return in.contains(name) && in[name].is_string() ? in[name].get<std::string>() : std::string{};
  };

  json value = nullptr;
  json why = json::object();
  if (kind == "time") {
    std::string zone = field("tz");
    if (zone.empty()) zone = default_zone_;
    const calendar::BusinessCalendar* cal = nullptr;
    try {
      cal = &calendar_for(zone);
    } catch (const std::exception&) {
      return error_line("unknown time zone \"" + zone + "\"");
    }
    std::chrono::sys_seconds at = now;
    if (const std::string ref = field("ref"); !ref.empty()) {
      const auto local = parse_ref(ref);
      if (!local) return error_line("\"ref\" must be YYYY-MM-DDTHH:MM:SS");
      at = cal->to_sys(*local);
    }
    const TimeContext ctx{at, cal};
    const auto heard = hear_datetime(text, ctx);
    auto when_json = [](const When& when) -> json {
      if (const auto* t = std::get_if<date::local_seconds>(&when)) return format_local_minute(*t);
      return json{{"date", date::format("%F", std::get<DateOnly>(when).day)}};
    };
    if (heard && heard->when && !heard->past) value = when_json(*heard->when);  // = extract_datetime
    if (heard) {
      why["rule"] = std::string(heard->rule);
      if (!heard->date_rule.empty()) why["date_rule"] = std::string(heard->date_rule);
      why["said"] = json{{"date", heard->said.date},
                         {"time", heard->said.time},
                         {"part_of_day", heard->said.part_of_day},
                         {"approximate", heard->said.approximate},
                         {"range", heard->said.range}};
      if (heard->span) why["span"] = json{{"first", date::format("%F", heard->span->first)}, {"days", heard->span->days}};
      if (heard->past && heard->when) why["past"] = when_json(*heard->when);
      if (heard->weekday_mismatch) why["weekday_mismatch"] = true;
      if (heard->dst_gap) why["dst_gap"] = true;
    }
  } else if (kind == "phone") {
    std::string_view rule;
    if (auto p = extract_phone_explained(text, field("from"), rule)) value = *p;
    if (!rule.empty()) why["rule"] = std::string(rule);
  } else if (kind == "name") {
    if (auto n = hear_name(text)) {
      value = n->full;
      why["rule"] = std::string(n->rule);
      why["carrier"] = n->carrier;
      why["spelled"] = n->spelled;
      why["given_only"] = n->given_only;
    }
  } else if (kind == "yesno") {
    if (auto c = extract_yes_no(text)) {
      value = c->answer == YesNo::yes ? "yes" : "no";
      why["rule"] = c->answer == YesNo::yes ? "yesno.affirmation" : "yesno.negation_first";
    }
  } else {
    return error_line("unknown kind \"" + kind + "\" (time, phone, name, yesno)");
  }
  json out{{"value", value}};
  if (explain_) {
    if (!why.contains("rule")) why["rule"] = nullptr;
    out.update(why);
  }
  return out.dump();
}

}  // namespace bella::understand
