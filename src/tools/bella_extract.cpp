// bella-extract: JSON lines in (stdin), JSON lines out (stdout), one reply per request line.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include <sstream>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "bella/calendar/calendar.hpp"
#include "bella/core/asio.hpp"
#include "llm/openai_client.hpp"
#include "llm/validate.hpp"
#include "understand/extract_line.hpp"

namespace {

void usage() {
  std::cerr << "usage: bella-extract [--llm] [--explain]\n"
               "  reads {\"kind\":\"time|phone|name|yesno\",\"text\":\"...\",\"ref\":\"YYYY-MM-DDTHH:MM:SS\","
               "\"tz\":\"America/Edmonton\",\"from\":\"+1...\"} per line on stdin\n"
               "  --explain: each reply also names the rule that produced the value and what was heard\n"
               "  env: BUSINESS_HOURS (Mon-Fri 09:00-17:00), BUSINESS_TZ (America/Edmonton), BUSINESS_HOLIDAYS\n";
}

/// The LLM layer for one request line whose deterministic answer was null: the model's answer,
/// validated exactly as parser output is, as the JSON value to print (or nullopt).
std::optional<nlohmann::json> ask_llm(bella::llm::OpenAiClient& client, const nlohmann::json& in,
                                      const bella::calendar::OpeningHours& hours,
                                      const bella::calendar::HolidayOptions& holidays, const std::string& default_zone,
                                      std::chrono::milliseconds timeout) {
  namespace llm = bella::llm;
  const std::string kind = in.value("kind", "");
  const std::string text = in.value("text", "");
  const std::string zone_name = in.value("tz", default_zone);
  const bella::calendar::BusinessCalendar calendar(date::locate_zone(zone_name), hours, holidays);
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (const std::string ref = in.value("ref", ""); !ref.empty()) {
    std::istringstream ss(ref);
    date::local_seconds local{};
    ss >> date::parse("%FT%T", local);
    if (!ss.fail()) now = calendar.to_sys(local);
  }
  const bella::understand::TimeContext ctx{now, &calendar};
  llm::Field field = llm::Field::name;
  if (kind == "time") field = llm::Field::time;
  else if (kind == "phone") field = llm::Field::phone;
  else if (kind == "yesno") field = llm::Field::yes_no;
  else if (kind != "name") return std::nullopt;
  const llm::LlmRequest request = llm::make_request(field, text, ctx);
  std::optional<nlohmann::json> answer;
  boost::asio::io_context ioc;
  boost::asio::co_spawn(
      ioc, [&]() -> bella::Task<void> { answer = co_await client.extract(request, timeout); }, boost::asio::detached);
  ioc.run();
  if (!answer) return std::nullopt;
  switch (field) {
    case llm::Field::name:
      if (auto v = llm::validate_name(*answer)) return nlohmann::json(*v);
      break;
    case llm::Field::phone:
      if (auto v = llm::validate_phone(*answer)) return nlohmann::json(*v);
      break;
    case llm::Field::yes_no:
      if (auto v = llm::validate_yes_no(*answer))
        return nlohmann::json(v->answer == bella::understand::YesNo::yes ? "yes" : "no");
      break;
    case llm::Field::time:
      if (auto v = llm::validate_datetime(*answer, ctx)) {
        if (const auto* t = std::get_if<date::local_seconds>(&*v)) return nlohmann::json(bella::understand::format_local_minute(*t));
        return nlohmann::json{{"date", date::format("%F", std::get<bella::understand::DateOnly>(*v).day)}};
      }
      break;
  }
  return std::nullopt;
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

}  // namespace

int main(int argc, char** argv) {
  bool use_llm = false;
  bool explain = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--llm") {
      use_llm = true;
    } else if (arg == "--explain") {
      explain = true;
    } else if (arg == "-h" || arg == "--help") {
      usage();
      return 0;
    } else {
      std::cerr << "bella-extract: unknown argument " << arg << "\n";
      usage();
      return 2;
    }
  }

  bella::calendar::OpeningHours hours;
  bella::calendar::HolidayOptions holidays;
  try {
    hours = bella::calendar::OpeningHours::parse(env_or("BUSINESS_HOURS", "Mon-Fri 09:00-17:00"));
    holidays = bella::calendar::HolidayOptions::parse(env_or("BUSINESS_HOLIDAYS", ""));
  } catch (const std::exception& e) {
    std::cerr << "bella-extract: " << e.what() << "\n";
    return 2;
  }
  bella::understand::LineExtractor extractor(hours, holidays, env_or("BUSINESS_TZ", "America/Edmonton"));
  extractor.set_explain(explain);

  // --- LLM layer: only for lines the deterministic extractors answered with null ---------------
  const char* key = std::getenv("OPENAI_API_KEY");
  bella::llm::OpenAiClient client(bella::llm::OpenAiSettings{
      .api_key = use_llm && key ? key : "",
      .base_url = env_or("OPENAI_BASE_URL", "https://api.openai.com/v1"),
      .model = env_or("OPENAI_MODEL", "gpt-4o-mini"),
      .max_in_flight = 4});
  if (use_llm && !client.enabled()) std::cerr << "bella-extract: --llm needs OPENAI_API_KEY; deterministic only\n";
  const std::chrono::milliseconds llm_timeout{std::atoi(env_or("LLM_TIMEOUT_MS", "1500").c_str())};
  const std::string default_zone = env_or("BUSINESS_TZ", "America/Edmonton");

  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::string out = extractor.run(line, now);
    if (client.enabled()) {
      const auto in = nlohmann::json::parse(line, nullptr, false);
      const auto got = nlohmann::json::parse(out, nullptr, false);
      if (in.is_object() && got.is_object() && got.contains("value") && got["value"].is_null()) {
        if (auto v = ask_llm(client, in, hours, holidays, default_zone, llm_timeout)) {
          nlohmann::json reply{{"value", *v}};
          if (explain) reply["rule"] = "llm";
          out = reply.dump();
        }
      }
    }
    std::cout << out << '\n' << std::flush;
  }
  client.stop();
  return 0;
}
