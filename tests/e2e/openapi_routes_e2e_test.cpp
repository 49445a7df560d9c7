// docs/openapi.yaml and the router agree (reads the spec from the source tree, hence the e2e tier): every documented route exists, every route is documented.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "api/health.hpp"
#include "api/staff.hpp"
#include "bella/calendar/calendar.hpp"
#include "bella/understand/extract.hpp"
#include "support/memory_booking_repository.hpp"

namespace bella::api {
namespace {

using RouteSet = std::set<std::pair<std::string, std::string>>;

// Reads "  /path:" then "    get:" lines; enough for our hand-written, two-space-indented file.
RouteSet documented_routes() {
  std::ifstream in(BELLA_SOURCE_DIR "/docs/openapi.yaml");
  EXPECT_TRUE(in) << "docs/openapi.yaml is missing";
  RouteSet out;
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ') {
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths) continue;
    if (line.rfind("  /", 0) == 0 && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
      // The webhooks are registered by twilio::add_twilio_routes (checked by the e2e tests and the
      // response validator), not by the routes built here.
      if (path.rfind("/twilio/", 0) == 0) path.clear();
    } else if (path.empty()) {
      continue;
    } else if (line.rfind("    ", 0) == 0 && line.size() > 5 && line[4] != ' ' && line.back() == ':') {
      std::string verb = line.substr(4, line.size() - 5);
      static const std::set<std::string> kVerbs{"get", "post", "put", "patch", "delete"};
      if (!kVerbs.count(verb)) continue;
      for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace(verb, path);
    }
  }
  return out;
}

TEST(OpenApi, DocumentsExactlyTheRegisteredRoutes) {
  testing::MemoryBookingRepository repo;
  SystemClock clock;
  const calendar::BusinessCalendar cal(date::locate_zone("America/Edmonton"),
                                       calendar::OpeningHours::parse("Mon-Fri 09:00-17:00"));
  booking::BookingService service(repo, cal, clock, std::chrono::minutes(30));
  http::Router router;
  add_health_routes(router, HealthDeps{});
  add_staff_routes(router, StaffApiDeps{.service = service, .repository = repo, .calendar = cal,
                                        .normalize_phone = understand::normalize_phone, .api_key = "k"});
  RouteSet registered;
  for (const auto& r : router.routes()) registered.insert(r);
  const RouteSet documented = documented_routes();
  for (const auto& r : documented) EXPECT_TRUE(registered.count(r)) << "documented but not routed: " << r.first << " " << r.second;
  for (const auto& r : registered) EXPECT_TRUE(documented.count(r)) << "routed but not documented: " << r.first << " " << r.second;
  EXPECT_GE(documented.size(), 13u);
}

}  // namespace
}  // namespace bella::api
