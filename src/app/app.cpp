// COMPOSITION ROOT: the only file that names concrete classes. Builds the io_context, pools,
// stores and routes from Config, then runs until SIGTERM/SIGINT and drains.
#include "app/app.hpp"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <thread>

#include <sys/resource.h>

#include <boost/asio/signal_set.hpp>

#include "api/health.hpp"
#include "api/staff.hpp"
#include "bella/calendar/calendar.hpp"
#include "bella/core/error.hpp"
#include "bella/core/version.hpp"
#include "bella/http/router.hpp"
#include "bella/llm/llm_client.hpp"
#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"
#include "bella/understand/extract.hpp"
#include "booking/call_bookings.hpp"
#include "booking/service.hpp"
#include "call/turn.hpp"
#include "db/migrate.hpp"
#include "db/pg_booking_repository.hpp"
#include "db/pg_pool.hpp"
#include "http/server.hpp"
#include "llm/openai_client.hpp"
#include "obs/log.hpp"
#include "store/fallback_store.hpp"
#include "store/memory_store.hpp"
#include "store/redis_client.hpp"
#include "store/redis_store.hpp"
#include "twilio/routes.hpp"
#include "notify/pg_outbox.hpp"
#include "notify/sender.hpp"
#include "notify/settings.hpp"
#include "notify/sms_routes.hpp"
#include "notify/text_planner.hpp"
#include "notify/twilio_messages.hpp"
#include "web/routes.hpp"
#include "web/session.hpp"

namespace bella::app {
namespace {

/// The io_context, whose pending handlers can be destroyed before the objects they refer to.
/// ioc.stop() (a drain that ran out of time, a second signal) leaves coroutines suspended: a turn
/// waiting on a frozen Redis, an idle keep-alive connection, the store's probe loop. Their frames
/// refer to the stores, the pools and the server declared after the io_context, so ~io_context
/// would destroy them after those are gone. destroy_pending() is the first half of that destructor
/// (execution_context::shutdown: every service abandons its queued operations), run while
/// everything is still alive; the services themselves live on until ~io_context.
class IoContext final : public asio::io_context {
 public:
  using asio::io_context::io_context;
  void destroy_pending() { shutdown(); }
};

/// Without a database: nobody is known, nothing is free or bookable (every booking is an outage).
class NoBookings final : public call::Bookings {
 public:
  Task<std::vector<call::Patient>> patients_for_mobile(const std::string&) override { co_return std::vector<call::Patient>{}; }
  Task<std::vector<call::Upcoming>> upcoming_for_mobile(const std::string&, call::SysSeconds) override {
    co_return std::vector<call::Upcoming>{};
  }
  Task<std::vector<call::SysSeconds>> free_slots(const call::SlotQuery&, call::SysSeconds) override {
    co_return std::vector<call::SysSeconds>{};
  }
  Task<std::optional<call::SlotRefused>> check(call::SysSeconds, int, call::SysSeconds) override {
    co_return std::nullopt;
  }
  Task<std::variant<call::Done, call::SlotRefused>> book(const call::NewBooking&, call::SysSeconds) override {
    throw Unavailable("postgres", "no DATABASE_URL");
  }
  Task<std::optional<call::Done>> cancel(std::int64_t, const std::string&, call::SysSeconds) override {
    throw Unavailable("postgres", "no DATABASE_URL");
  }
  Task<std::variant<call::Done, call::SlotRefused>> reschedule(std::int64_t, call::SysSeconds, int, const std::string&,
                                                               call::SysSeconds) override {
    throw Unavailable("postgres", "no DATABASE_URL");
  }
};

std::vector<call::AppointmentType> appointment_types(const Config& cfg) {
  std::vector<call::AppointmentType> out;
  for (const auto& [name, minutes] : cfg.appointment_types) out.push_back({name, minutes});
  return out;
}

notify::Settings texts_settings(const Config& cfg) {
  std::string base = cfg.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  notify::Settings s;
  s.account_sid = cfg.twilio_account_sid;
  s.auth_token = cfg.twilio_auth_token;
  s.api_key_sid = cfg.twilio_api_key_sid;
  s.api_key_secret = cfg.twilio_api_key_secret;
  s.from = cfg.sms_from;
  s.messaging_service_sid = cfg.twilio_messaging_service_sid;
  s.api_base_url = cfg.twilio_api_base_url;
  s.status_callback_url = base.empty() ? std::string() : base + "/twilio/sms/status";
  s.clinic_name = cfg.clinic_name;
  s.clinic_phone = cfg.clinic_phone;
  s.reminder_lead = std::chrono::minutes(cfg.sms_reminder_lead_minutes);
  s.poll_interval = cfg.sms_poll_interval;
  s.retry.first_delay = cfg.sms_retry_base;
  return s;
}

/// Raises the soft RLIMIT_NOFILE to the hard limit (Fargate's default soft limit, 1024, is below
/// MAX_CONNECTIONS plus the pools' sockets), and says when MAX_CONNECTIONS still cannot be reached.
void raise_nofile_limit(std::size_t max_connections) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  const rlim_t before = rl.rlim_cur;
  // An unlimited hard limit is not a valid soft one for NOFILE (the kernel caps it at nr_open).
  const rlim_t target = rl.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : rl.rlim_max;
  if (rl.rlim_cur < target) {
    rlimit raised{target, rl.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl.rlim_cur = target;
  }
  obs::info("file descriptor limit", {{"soft_before", before}, {"soft", rl.rlim_cur}, {"hard", rl.rlim_max}});
  // Beside the connections: the listener, PostgreSQL and Redis sockets, the log, a spare, slack.
  constexpr rlim_t kReserve = 64;
  if (rl.rlim_cur < max_connections + kReserve) {
    obs::warn("MAX_CONNECTIONS cannot be reached under the file descriptor limit; connections past it get a fast 503",
              {{"max_connections", max_connections}, {"nofile", rl.rlim_cur}});
  }
}

}  // namespace

int run(const Config& cfg) {
  obs::setup_logging(cfg.log_format, cfg.log_level);
  raise_nofile_limit(cfg.max_connections);
  // Every documented metric exists (at zero) from start-up, before the code that moves it runs.
  obs::register_metrics();
  const unsigned threads = cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
  IoContext ioc(static_cast<int>(threads));

  // --- time and the clinic's calendar ---------------------------------------------------------
  std::unique_ptr<Clock> clock;
  if (cfg.fake_now) {
    clock = std::make_unique<OffsetClock>(*cfg.fake_now);
    obs::warn("BELLA_FAKE_NOW is set: the clock is shifted (tests only)");
  } else {
    clock = std::make_unique<SystemClock>();
  }
  const calendar::BusinessCalendar calendar(cfg.business_tz, cfg.business_hours, cfg.optional_holidays);

  // --- PostgreSQL: migrations first (a failure stops start-up), then the pool -----------------
  std::unique_ptr<db::PgPool> pg;
  std::unique_ptr<db::PgBookingRepository> repository;
  std::unique_ptr<booking::BookingService> bookings;
  // Texts to patients: the planner decides them inside each booking change's transaction.
  const notify::Settings texts = texts_settings(cfg);
  std::unique_ptr<notify::TextPlanner> text_planner;
  std::unique_ptr<notify::PgOutbox> outbox;
  std::unique_ptr<notify::TwilioMessages> twilio_messages;
  std::unique_ptr<notify::OutboxSender> text_sender;
  // A migration that fails stops start-up. PostgreSQL being unreachable does not: the task serves
  // (/readyz says why it is not ready) and retries the migrations until they are applied.
  std::atomic<bool> migrated{cfg.database_url.empty()};
  std::jthread migrator;
  if (!cfg.database_url.empty()) {
    try {
      db::migrate(cfg.database_url, cfg.migrations_dir);
      migrated = true;
    } catch (const Unavailable& e) {
      obs::error("PostgreSQL unreachable at start-up; retrying migrations in the background", {{"error", e.what()}});
      migrator = std::jthread([&cfg, &migrated](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any wake;
        std::unique_lock lock(m);
        while (true) {
          wake.wait_for(lock, stop, std::chrono::seconds(2), [] { return false; });
          if (stop.stop_requested()) return;
          try {
            db::migrate(cfg.database_url, cfg.migrations_dir);
            migrated = true;
            return;
          } catch (const Unavailable&) {
            // still unreachable: try again
          } catch (const std::exception& failure) {
            obs::critical("migrations failed", {{"error", failure.what()}});
            std::_Exit(1);
          }
        }
      });
    }
  }
  if (!cfg.database_url.empty()) {
    pg = std::make_unique<db::PgPool>(db::PgSettings{.url = cfg.database_url,
                                                      .size = cfg.db_pool_size,
                                                      .statement_timeout = cfg.db_statement_timeout,
                                                      .connect_timeout = std::chrono::seconds(2),
                                                      .queue_timeout = cfg.db_queue_timeout,
                                                      .job_timeout = cfg.db_job_timeout});
    if (texts.enabled()) {
      text_planner = std::make_unique<notify::TextPlanner>(
          notify::PlannerSettings{.clinic_name = texts.clinic_name,
                                  .clinic_phone = texts.clinic_phone,
                                  .reminder_lead = texts.reminder_lead,
                                  .zone = cfg.business_tz},
          *clock);
    }
    repository = std::make_unique<db::PgBookingRepository>(*pg, text_planner.get());
    outbox = std::make_unique<notify::PgOutbox>(*pg);
    bookings = std::make_unique<booking::BookingService>(*repository, calendar, *clock,
                                                         std::chrono::minutes(cfg.appointment_minutes));
  } else {
    obs::warn("DATABASE_URL is not set: bookings are unavailable");
  }
  obs::info("texts", {{"enabled", texts.enabled() && pg != nullptr},
                      {"sender", texts.messaging_service_sid.empty() ? "from" : "messaging_service"}});

  // --- sessions: Redis with a memory fallback, or memory alone ----------------------------------
  store::MemorySessionStore memory;
  std::shared_ptr<store::RedisClient> redis;
  std::unique_ptr<store::RedisSessionStore> redis_store;
  std::unique_ptr<store::FallbackSessionStore> fallback;
  store::SessionStore* sessions = &memory;
  if (cfg.redis) {
    redis = std::make_shared<store::RedisClient>(ioc.get_executor(),
                                                 store::RedisSettings{.url = *cfg.redis,
                                                                      .timeout = cfg.redis_timeout,
                                                                      .ca_file = cfg.redis_ca_file,
                                                                      .tls_insecure = cfg.redis_tls_insecure});
    redis->start();
    redis_store = std::make_unique<store::RedisSessionStore>(redis);
    fallback = std::make_unique<store::FallbackSessionStore>(
        *redis_store, memory, [r = redis](std::chrono::milliseconds d) { return r->ping(d); },
        store::FallbackSettings{.probe_interval = cfg.redis_probe_interval, .probe_deadline = cfg.redis_timeout});
    fallback->start(ioc.get_executor());
    sessions = fallback.get();
  } else {
    obs::warn("REDIS_URL is not set: call sessions live in this process's memory only");
    obs::registry().gauge("bella_session_store_backend", "").set({{"backend", "memory"}}, 1);
  }

  // --- LLM fallback (off without OPENAI_API_KEY: no thread, no I/O) -----------------------------
  llm::OpenAiClient openai(llm::OpenAiSettings{.api_key = cfg.openai_api_key,
                                               .base_url = cfg.openai_base_url,
                                               .model = cfg.openai_model,
                                               .max_in_flight = cfg.llm_max_in_flight,
                                               .breaker = {.failure_threshold = cfg.llm_breaker_failures,
                                                           .cooldown = cfg.llm_breaker_cooldown}});
  llm::LlmClient& llm = openai;
  obs::info("llm fallback", {{"enabled", openai.enabled()}, {"model", cfg.openai_model}});

  // --- the phone line ---------------------------------------------------------------------------
  NoBookings no_bookings;
  std::unique_ptr<booking::ServiceBookings> call_bookings;
  if (bookings) call_bookings = std::make_unique<booking::ServiceBookings>(*bookings);
  call::CallHandler calls(*sessions, call_bookings ? static_cast<call::Bookings&>(*call_bookings) : no_bookings, llm,
                          calendar, *clock,
                          call::TurnSettings{.session_ttl = cfg.session_ttl,
                                             .types = appointment_types(cfg),
                                             .front_desk = !cfg.front_desk_number.empty(),
                                             .llm_timeout = cfg.llm_timeout,
                                             .replay_wait = std::chrono::milliseconds(5000)});
  const twilio::VoiceSettings voice{.voice = cfg.twilio_voice,
                                    .say_language = twilio::say_language_for(cfg.twilio_voice, cfg.twilio_language),
                                    .language = cfg.twilio_language,
                                    .speech_model = cfg.twilio_speech_model,
                                    .speech_timeout = cfg.twilio_speech_timeout,
                                    .timeout = cfg.twilio_gather_timeout,
                                    .profanity_filter = cfg.twilio_profanity_filter,
                                    .enhanced = cfg.twilio_enhanced};
  // Fail closed: without a token the webhooks are refused, unless unsigned ones are allowed explicitly.
  const bool unsigned_webhooks = cfg.twilio_auth_token.empty() && cfg.allow_unsigned_webhooks;
  if (unsigned_webhooks) {
    obs::warn("ALLOW_UNSIGNED_WEBHOOKS=true and TWILIO_AUTH_TOKEN is not set: webhook signatures are NOT checked "
              "(local development only)");
  } else if (cfg.twilio_auth_token.empty()) {
    obs::warn("TWILIO_AUTH_TOKEN is not set: every Twilio webhook is refused (403); set the token, or "
              "ALLOW_UNSIGNED_WEBHOOKS=true for local development");
  }
  const twilio::PublicUrlSettings webhook_url{.public_base_url = cfg.public_base_url,
                                              .trusted_proxy = cfg.trusted_proxy,
                                              .allow_unsigned = cfg.allow_unsigned_webhooks};

  // --- routes -----------------------------------------------------------------------------------
  http::Router router;
  api::HealthDeps health{.probes = {},
                         .probe_deadline = cfg.ready_timeout,
                         .metrics_token = cfg.metrics_token,
                         .api_key = cfg.api_key,
                         .warnings = {}};
  if (unsigned_webhooks)
    health.warnings.emplace_back("webhook_signatures", "not checked: ALLOW_UNSIGNED_WEBHOOKS=true without TWILIO_AUTH_TOKEN");
  if (pg) health.probes.push_back({"postgres", [p = pg.get()](std::chrono::milliseconds d) { return p->ping(d); }});
  if (pg) {
    health.probes.push_back({"migrations", [&migrated](std::chrono::milliseconds) -> Task<std::optional<std::string>> {
                               if (migrated) co_return std::nullopt;
                               co_return std::string("not applied yet: PostgreSQL was unreachable at start-up");
                             }});
  }
  if (redis) health.probes.push_back({"redis", [r = redis](std::chrono::milliseconds d) { return r->ping(d); }});
  api::add_health_routes(router, std::move(health));
  // The staff page: its cookie sessions are one more way through the staff-route guard.
  const web::StaffSessions staff_sessions(web::SessionSettings{.api_key = cfg.api_key,
                                                               .lifetime = cfg.staff_session_hours,
                                                               .secure = cfg.public_base_url.starts_with("https://")},
                                          *clock);
  web::add_web_routes(router, staff_sessions, web::WebSettings{});
  if (bookings) {
    api::add_staff_routes(router, api::StaffApiDeps{.service = *bookings,
                                                    .repository = *repository,
                                                    .calendar = calendar,
                                                    .normalize_phone = understand::normalize_phone,
                                                    .api_key = cfg.api_key,
                                                    .messages = outbox.get(),
                                                    .browser_sessions = &staff_sessions});
  }
  twilio::add_twilio_routes(router, calls,
                            twilio::WebhookSettings{.voice = voice,
                                                    .url = webhook_url,
                                                    .auth_token = cfg.twilio_auth_token,
                                                    .front_desk_number = cfg.front_desk_number});
  // Twilio's call status callback: an ended call's session and replies are deleted at once.
  twilio::add_call_status_route(router, *sessions,
                                twilio::WebhookSettings{.voice = voice,
                                                        .url = webhook_url,
                                                        .auth_token = cfg.twilio_auth_token,
                                                        .front_desk_number = {}});

  if (outbox) {
    notify::add_sms_routes(router, *outbox,
                           notify::SmsRouteSettings{.url = webhook_url,
                                                    .auth_token = cfg.twilio_auth_token,
                                                    .clinic_name = texts.clinic_name,
                                                    .clinic_phone = texts.clinic_phone});
  }

  // --- serve ------------------------------------------------------------------------------------
  http::Server server(ioc, router,
                      http::ServerLimits{.max_connections = cfg.max_connections,
                                         .max_body_bytes = cfg.max_body_bytes,
                                         .max_header_bytes = cfg.max_header_bytes,
                                         .read_timeout = cfg.read_timeout,
                                         .keepalive_timeout = cfg.keepalive_timeout});
  const auto port = server.listen(cfg.host, cfg.port);
  server.start();
  obs::info("listening", {{"host", cfg.host}, {"port", port}, {"threads", threads}, {"version", std::string(version())}, {"commit", std::string(commit())}});
  if (outbox && texts.enabled()) {
    twilio_messages = std::make_unique<notify::TwilioMessages>(texts);
    text_sender = std::make_unique<notify::OutboxSender>(ioc.get_executor(), *outbox, *twilio_messages, *clock, texts);
    text_sender->start();
  }

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  std::function<void(error_code, int)> on_signal;
  bool draining = false;
  on_signal = [&](error_code ec, int sig) {
    if (ec) return;
    if (draining) {
      obs::warn("second signal: stopping now", {{"signal", sig}});
      ioc.stop();
      return;
    }
    draining = true;
    obs::info("draining", {{"signal", sig}, {"drain_timeout_ms", cfg.drain_timeout.count()}});
    server.drain(cfg.drain_timeout, [&] {
      // Background loops end with their clients; then the io_context runs out of work. The texts
      // sender first records the text it has in hand.
      std::function<void()> finish = [&fallback, &redis, &ioc] {
        if (fallback) fallback->stop();
        if (redis) redis->stop();
        ioc.stop();
      };
      if (text_sender) text_sender->stop(finish);
      else finish();
    });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : workers) t.join();
  // The pools first: a job that finishes now posts its coroutine's resumption to the io_context,
  // where destroy_pending() finds it.
  openai.stop();
  if (twilio_messages) twilio_messages->stop();
  if (pg) pg->stop();
  ioc.destroy_pending();
  obs::info("stopped");
  return 0;
}

}  // namespace bella::app
