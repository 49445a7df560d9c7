// COMPOSITION ROOT: the only file that names concrete classes. Builds the io_context, pools,
// stores and routes from Config, then runs until SIGTERM/SIGINT and drains.
#include "bella/app/app.hpp"

#include <csignal>
#include <thread>

#include <date/date.h>
#include <date/tz.h>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "bella/api/health.hpp"
#include "bella/api/staff.hpp"
#include "bella/booking/service.hpp"
#include "bella/calendar/calendar.hpp"
#include "bella/core/clock.hpp"
#include "bella/db/migrate.hpp"
#include "bella/db/pg_booking_repository.hpp"
#include "bella/db/pg_pool.hpp"
#include "bella/http/router.hpp"
#include "bella/http/server.hpp"
#include "bella/obs/log.hpp"
#include "bella/understand/extract.hpp"

namespace bella::app {
namespace {

// BELLA_FAKE_NOW (tests only): an ISO 8601 instant with offset where the clock starts.
std::unique_ptr<Clock> make_clock(const Config& cfg) {
  if (cfg.fake_now.empty()) return std::make_unique<SystemClock>();
  const auto start = api::parse_iso8601(cfg.fake_now);
  if (!start) throw ConfigError("BELLA_FAKE_NOW", "'" + cfg.fake_now + "' is not ISO 8601 with an offset");
  return std::make_unique<OffsetClock>(*start);
}

calendar::OpeningHours parse_hours(const Config& cfg) {
  try {
    return calendar::OpeningHours::parse(cfg.business_hours);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("BUSINESS_HOURS", e.what());
  }
}

calendar::HolidayOptions parse_holidays(const Config& cfg) {
  try {
    return calendar::HolidayOptions::parse(cfg.optional_holidays);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("OPTIONAL_HOLIDAYS", e.what());
  }
}

}  // namespace

int run(const Config& cfg) {
  obs::setup_logging(cfg.log_format, cfg.log_level);
  const unsigned threads = cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(threads));

  // --- backing services ------------------------------------------------------------------
  std::unique_ptr<db::PgPool> pg;
  if (!cfg.database_url.empty()) {
    pg = std::make_unique<db::PgPool>(db::PgSettings{.url = cfg.database_url,
                                                      .size = cfg.db_pool_size,
                                                      .statement_timeout = cfg.db_statement_timeout,
                                                      .connect_timeout = std::chrono::seconds(2)});
  }

  // --- bookings (staff API and phone line share one service) -------------------------------
  // Migrations run before serving; a failure throws and stops start-up with a non-zero exit.
  if (pg) db::migrate(cfg.database_url, cfg.migrations_dir);
  const auto clock = make_clock(cfg);
  const calendar::BusinessCalendar business_calendar(date::locate_zone(cfg.business_tz), parse_hours(cfg),
                                                     parse_holidays(cfg));
  std::unique_ptr<db::PgBookingRepository> bookings_repo;
  std::unique_ptr<booking::BookingService> bookings;
  if (pg) {
    bookings_repo = std::make_unique<db::PgBookingRepository>(*pg);
    bookings = std::make_unique<booking::BookingService>(*bookings_repo, business_calendar, *clock,
                                                         std::chrono::minutes(cfg.appointment_minutes));
  }

  // --- routes ----------------------------------------------------------------------------
  http::Router router;
  api::HealthDeps health{.probes = {}, .probe_deadline = cfg.ready_timeout};
  if (pg) health.probes.push_back({"postgres", [p = pg.get()](std::chrono::milliseconds d) { return p->ping(d); }});
  api::add_health_routes(router, std::move(health));
  if (bookings) {
    api::add_staff_routes(router, api::StaffApiDeps{.service = *bookings,
                                                    .repository = *bookings_repo,
                                                    .calendar = business_calendar,
                                                    .normalize_phone = understand::normalize_phone,
                                                    .api_key = cfg.api_key});
  }

  // --- serve -----------------------------------------------------------------------------
  http::Server server(ioc, router,
                      http::ServerLimits{.max_connections = cfg.max_connections,
                                         .max_body_bytes = cfg.max_body_bytes,
                                         .max_header_bytes = cfg.max_header_bytes,
                                         .read_timeout = cfg.read_timeout});
  const auto port = server.listen(cfg.host, cfg.port);
  server.start();
  spdlog::info("listening host={} port={} threads={}", cfg.host, port, threads);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  std::function<void(error_code, int)> on_signal;
  bool draining = false;
  on_signal = [&](error_code ec, int sig) {
    if (ec) return;
    if (draining) {
      spdlog::warn("second signal {}: stopping now", sig);
      ioc.stop();
      return;
    }
    draining = true;
    spdlog::info("signal {}: draining drain_timeout_ms={}", sig, cfg.drain_timeout.count());
    server.drain(cfg.drain_timeout, [&ioc] { ioc.stop(); });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : workers) t.join();
  if (pg) pg->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace bella::app
