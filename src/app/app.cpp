// COMPOSITION ROOT: the only file that names concrete classes. Builds the io_context, pools,
// stores and routes from Config, then runs until SIGTERM/SIGINT and drains.
#include "bella/app/app.hpp"

#include <csignal>
#include <cstdlib>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "bella/api/health.hpp"
#include "bella/db/pg_pool.hpp"
#include "bella/http/router.hpp"
#include "bella/http/server.hpp"
#include "bella/obs/log.hpp"
#include "bella/store/fallback_store.hpp"
#include "bella/store/memory_store.hpp"
#include "bella/store/redis_client.hpp"
#include "bella/store/redis_store.hpp"

namespace bella::app {

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

  // --- session store (store/): Redis with memory fallback, or memory only -------------------
  const auto env = [](const char* name) -> const char* { return std::getenv(name); };
  store::MemorySessionStore memory_sessions;
  std::shared_ptr<store::RedisClient> redis;
  std::unique_ptr<store::RedisSessionStore> redis_sessions;
  std::unique_ptr<store::FallbackSessionStore> fallback_sessions;
  if (!cfg.redis_url.empty()) {
    redis = std::make_shared<store::RedisClient>(ioc.get_executor(), store::redis_settings_from(cfg, env));
    redis->start();
    redis_sessions = std::make_unique<store::RedisSessionStore>(redis);
    fallback_sessions = std::make_unique<store::FallbackSessionStore>(
        *redis_sessions, memory_sessions, [redis](std::chrono::milliseconds d) { return redis->ping(d); },
        store::fallback_settings_from(cfg, env));
    fallback_sessions->start(ioc.get_executor());
  }
  store::SessionStore& sessions =
      fallback_sessions ? static_cast<store::SessionStore&>(*fallback_sessions) : memory_sessions;
  spdlog::info("session store backend={}", sessions.backend());
  // --- end session store ---------------------------------------------------------------------

  // --- routes ----------------------------------------------------------------------------
  http::Router router;
  api::HealthDeps health{.probes = {}, .probe_deadline = cfg.ready_timeout};
  if (pg) health.probes.push_back({"postgres", [p = pg.get()](std::chrono::milliseconds d) { return p->ping(d); }});
  if (redis) health.probes.push_back({"redis", [redis](std::chrono::milliseconds d) { return redis->ping(d); }});
  api::add_health_routes(router, std::move(health));

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
  if (fallback_sessions) fallback_sessions->stop();
  if (redis) redis->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace bella::app
