// COMPOSITION ROOT: the only file that names concrete classes. Builds the io_context, pools,
// stores and routes from Config, then runs until SIGTERM/SIGINT and drains.
#include "bella/app/app.hpp"

#include <csignal>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "bella/api/health.hpp"
#include "bella/db/pg_pool.hpp"
#include "bella/http/router.hpp"
#include "bella/http/server.hpp"
#include "bella/llm/openai_client.hpp"
#include "bella/obs/log.hpp"

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

  // --- LLM fallback (off without OPENAI_API_KEY: no thread, no I/O) ------------------------
  llm::OpenAiClient openai(llm::OpenAiSettings{.api_key = cfg.openai_api_key,
                                               .base_url = cfg.openai_base_url,
                                               .model = cfg.openai_model,
                                               .max_in_flight = cfg.llm_max_in_flight});
  [[maybe_unused]] llm::LlmClient& llm = openai;  // for the call flow: llm.extract(request, cfg.llm_timeout)
  spdlog::info("llm fallback enabled={} model={}", openai.enabled(), cfg.openai_model);

  // --- routes ----------------------------------------------------------------------------
  http::Router router;
  api::HealthDeps health{.probes = {}, .probe_deadline = cfg.ready_timeout};
  if (pg) health.probes.push_back({"postgres", [p = pg.get()](std::chrono::milliseconds d) { return p->ping(d); }});
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
  openai.stop();
  if (pg) pg->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace bella::app
