// Service configuration, read from the environment only (12-factor). See README's table.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <date/tz.h>

#include "bella/calendar/calendar.hpp"
#include "store/redis_endpoint.hpp"

namespace bella::app {

/// A configuration value that cannot be used; `variable` names the environment variable.
struct ConfigError : std::runtime_error {
  ConfigError(std::string variable, const std::string& what)
      : std::runtime_error(variable + ": " + what), variable(std::move(variable)) {}
  std::string variable;
};

/// Parses redis://[[user]:password@]host[:port][/db] and rediss://… (user and password
/// percent-decoded). Throws std::invalid_argument saying what is wrong.
store::RedisEndpoint parse_redis_url(const std::string& url);

struct Config {
  // HTTP server
  std::string host = "0.0.0.0";
  std::uint16_t port = 8000;
  unsigned threads = 0;                                     // 0: one per core
  std::size_t max_connections = 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{10'000};           // whole request, once its first byte is in
  std::chrono::milliseconds keepalive_timeout{75'000};      // idle keep-alive; above the ALB's 60 s
  std::chrono::milliseconds drain_timeout{20'000};          // below ECS's 30 s stop timeout
  std::chrono::milliseconds ready_timeout{1'000};           // each /readyz probe

  // Backing services
  std::string database_url;                                 // empty: no PostgreSQL
  unsigned db_pool_size = 4;
  std::chrono::milliseconds db_statement_timeout{2'000};
  std::chrono::milliseconds db_queue_timeout{2'000};  // a job waiting longer for a connection fails
  std::chrono::milliseconds db_job_timeout{5'000};    // a started job running longer is ended
  std::string migrations_dir;                               // MIGRATIONS_DIR, else beside the binary
  std::optional<store::RedisEndpoint> redis;                // REDIS_URL; unset: memory session store
  std::chrono::milliseconds redis_timeout{250};
  std::string redis_ca_file;                                // extra CA for rediss://
  bool redis_tls_insecure = false;                          // self-signed test servers only
  std::chrono::milliseconds redis_probe_interval{1'000};    // degraded: how often to ask Redis

  // Twilio
  std::string public_base_url;                              // URL Twilio calls, for signatures
  std::string twilio_auth_token;                            // set: signatures enforced
  bool allow_unsigned_webhooks = false;                     // ALLOW_UNSIGNED_WEBHOOKS: no token, webhooks accepted anyway (dev only)
  std::string twilio_account_sid;
  std::string twilio_voice = "Polly.Joanna-Neural";
  std::string twilio_language = "en-CA";
  std::string twilio_speech_model = "phone_call";
  std::string twilio_speech_timeout = "2";
  int twilio_gather_timeout = 6;
  bool twilio_profanity_filter = false;
  bool twilio_enhanced = true;
  bool trusted_proxy = false;
  std::string front_desk_number;

  // Texts to patients (Twilio Messaging): on when TWILIO_ACCOUNT_SID and a sender are set
  std::string twilio_api_key_sid;                           // with its secret: Basic auth instead of the auth token
  std::string twilio_api_key_secret;
  std::string twilio_messaging_service_sid;                 // sender: a Messaging Service, or...
  std::string sms_from;                                     // ...an E.164 number
  std::string twilio_api_base_url = "https://api.twilio.com";
  std::string clinic_name = "The clinic";
  std::string clinic_phone;                                 // default: FRONT_DESK_NUMBER
  int sms_reminder_lead_minutes = 1440;
  std::chrono::milliseconds sms_poll_interval{2'000};
  std::chrono::milliseconds sms_retry_base{4'000};          // first retry after 50-100 % of this

  // LLM fallback
  std::string openai_api_key;                               // empty: fallback off
  std::string openai_base_url = "https://api.openai.com/v1";
  std::string openai_model = "gpt-4o-mini";
  std::chrono::milliseconds llm_timeout{1'500};
  unsigned llm_max_in_flight = 128;
  unsigned llm_breaker_failures = 5;                        // consecutive failures that open the breaker
  std::chrono::milliseconds llm_breaker_cooldown{30'000};  // open breaker: wait this long, then probe

  // Staff API
  std::string api_key;                                      // empty: API disabled (503)
  std::chrono::hours staff_session_hours{12};               // staff page sign-in lifetime

  // Clinic
  const date::time_zone* business_tz = nullptr;              // BUSINESS_TZ (America/Edmonton)
  calendar::OpeningHours business_hours;                    // BUSINESS_HOURS (Mon-Fri 09:00-17:00)
  calendar::HolidayOptions optional_holidays;               // OPTIONAL_HOLIDAYS, e.g. "heritage_day,boxing_day"
  int appointment_minutes = 30;
  /// APPOINTMENT_TYPES: what callers can book by phone, "name:minutes" comma-separated; the first
  /// is the default. Unset: "standard:<APPOINTMENT_MINUTES>".
  std::vector<std::pair<std::string, int>> appointment_types;
  std::chrono::seconds session_ttl{900};

  // Observability
  std::string metrics_token;                                // Bearer token for /metrics and /readyz detail
  std::string log_level = "info";
  std::string log_format = "json";

  // Tests only: the clock starts at this instant (BELLA_FAKE_NOW, ISO 8601 with offset) and runs
  // on from there. Production never sets it.
  std::optional<std::chrono::sys_seconds> fake_now;

  /// Reads every variable through `getenv`; throws ConfigError naming the first bad one.
  /// `executable` (the running binary's path) locates the default MIGRATIONS_DIR.
  static Config from_env(const std::function<const char*(const char*)>& getenv, const std::string& executable = {});
  static Config from_env();
};

}  // namespace bella::app
