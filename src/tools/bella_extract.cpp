// bella-extract: JSON lines in (stdin), JSON lines out (stdout), one reply per request line.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "bella/calendar/calendar.hpp"
#include "bella/understand/extract_line.hpp"

namespace {

void usage() {
  std::cerr << "usage: bella-extract [--llm]\n"
               "  reads {\"kind\":\"time|phone|name|yesno\",\"text\":\"...\",\"ref\":\"YYYY-MM-DDTHH:MM:SS\","
               "\"tz\":\"America/Edmonton\",\"from\":\"+1...\"} per line on stdin\n"
               "  env: BUSINESS_HOURS (Mon-Fri 09:00-17:00), BUSINESS_TZ (America/Edmonton), BUSINESS_HOLIDAYS\n";
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

}  // namespace

int main(int argc, char** argv) {
  bool use_llm = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--llm") {
      use_llm = true;
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

  // --- LLM layer hook -------------------------------------------------------------------------
  // TODO(llm): when the LlmClient (include/bella/llm/llm_client.hpp) has a concrete client, build
  // it here from OPENAI_* env and, for lines whose deterministic value is null, ask it and
  // validate its answer with normalize_phone / looks_like_name / extract_datetime.
  if (use_llm) {
    std::cerr << "bella-extract: --llm: the LLM layer is not wired yet; continuing with deterministic extractors only\n";
  }
  // ----------------------------------------------------------------------------------------------

  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::cout << extractor.run(line, now) << '\n' << std::flush;
  }
  return 0;
}
