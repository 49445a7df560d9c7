// Environment -> Config. Every bad value stops start-up with a ConfigError naming the variable.
#include "bella/app/config.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <libpq-fe.h>

#include <date/tz.h>
#include <sstream>

#include "bella/calendar/calendar.hpp"
#include "bella/obs/log.hpp"

namespace bella::app {
namespace {

class Env {
 public:
  explicit Env(const std::function<const char*(const char*)>& getenv) : getenv_(getenv) {}

  [[nodiscard]] std::optional<std::string> raw(const char* name) const {
    const char* v = getenv_(name);
    if (!v) return std::nullopt;
    return std::string(v);
  }

  void str(const char* name, std::string& out) const {
    if (auto v = raw(name)) out = *v;
  }

  template <class Int>
  void integer(const char* name, Int& out, long long min, long long max) const {
    auto v = raw(name);
    if (!v || v->empty()) return;
    long long parsed = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
    if (ec != std::errc{} || ptr != v->data() + v->size())
      throw ConfigError(name, "'" + *v + "' is not a whole number");
    if (parsed < min || parsed > max)
      throw ConfigError(name, "'" + *v + "' is out of range " + std::to_string(min) + ".." + std::to_string(max));
    out = static_cast<Int>(parsed);
  }

  template <class Duration>
  void duration(const char* name, Duration& out, long long min, long long max) const {
    long long n = out.count();
    integer(name, n, min, max);
    out = Duration{n};
  }

  void boolean(const char* name, bool& out) const {
    auto v = raw(name);
    if (!v || v->empty()) return;
    if (*v == "1" || *v == "true" || *v == "yes" || *v == "on") out = true;
    else if (*v == "0" || *v == "false" || *v == "no" || *v == "off") out = false;
    else throw ConfigError(name, "'" + *v + "' is not a boolean (true/false)");
  }

  void oneof(const char* name, std::string& out, std::initializer_list<const char*> allowed) const {
    auto v = raw(name);
    if (!v || v->empty()) return;
    std::string list;
    for (const char* a : allowed) {
      if (*v == a) {
        out = *v;
        return;
      }
      list += list.empty() ? a : std::string(", ") + a;
    }
    throw ConfigError(name, "'" + *v + "' is not one of " + list);
  }

  void http_url(const char* name, std::string& out) const {
    auto v = raw(name);
    if (!v || v->empty()) return;
    std::string u = *v;
    if (!(u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0) || u.find_first_of(" \t\r\n") != std::string::npos)
      throw ConfigError(name, "must be an http:// or https:// URL");
    auto scheme_end = u.find("://") + 3;
    if (scheme_end >= u.size() || u[scheme_end] == '/') throw ConfigError(name, "has no host");
    while (!u.empty() && u.back() == '/') u.pop_back();
    out = u;
  }

 private:
  const std::function<const char*(const char*)>& getenv_;
};

/// A URL's error message that can be printed: quoted fragments of the URL (libpq quotes the token
/// it choked on, which may be part of the password) are dropped, the password itself is masked,
/// and the URL is shown with its password masked.
std::string printable_url_error(std::string message, const std::string& url, bool bare_userinfo_is_secret) {
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char q = message[i];
    if (q == '"' || q == '\'') {
      auto end = message.find(q, i + 1);
      if (end != std::string::npos) {
        out += "\"…\"";
        i = end;
        continue;
      }
    }
    out.push_back(q);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  std::string shown = obs::mask_url_password(url);
  if (bare_userinfo_is_secret && shown == url) {
    // redis://secret@host: the whole userinfo is the password.
    const auto scheme = url.find("://");
    const auto at = url.rfind('@');
    if (scheme != std::string::npos && at != std::string::npos && at > scheme + 3)
      shown = url.substr(0, scheme + 3) + "***" + url.substr(at);
  }
  return out + " in " + shown;
}

void check_database_url(const std::string& url) {
  if (url.empty()) return;
  const bool uri = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  std::string message = err ? err : "";
  if (err) PQfreemem(err);
  for (auto* o = opts; o && o->keyword; ++o) {
    // libpq parses the port lazily, at connect time; check it now so a typo stops start-up.
    if (std::string_view(o->keyword) == "port" && o->val) {
      std::string_view ports = o->val;
      bool ok = !ports.empty();
      for (char c : ports) ok = ok && (std::isdigit(static_cast<unsigned char>(c)) || c == ',');
      if (!ok) message = "invalid port '" + std::string(ports) + "'";
    }
  }
  if (opts) PQconninfoFree(opts);
  if (!message.empty() && opts) {
    throw ConfigError("DATABASE_URL", printable_url_error(message, url, false));
  }
  if (!opts || !uri) {
    throw ConfigError("DATABASE_URL", printable_url_error(
                                          message.empty() ? "must be a postgres:// or postgresql:// URL" : message, url,
                                          false));
  }
}

}  // namespace

RedisUrl parse_redis_url(const std::string& url) {
  RedisUrl out;
  std::string rest;
  if (url.rfind("redis://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("rediss://", 0) == 0) {
    out.tls = true;
    rest = url.substr(9);
  } else {
    throw std::invalid_argument("must start with redis:// or rediss://");
  }
  if (auto q = rest.find('?'); q != std::string::npos) rest.resize(q);
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (auto colon = userinfo.find(':'); colon != std::string::npos) {
      out.username = userinfo.substr(0, colon);
      out.password = userinfo.substr(colon + 1);
    } else {
      out.password = userinfo;  // redis://secret@host is a password, as redis-cli reads it
    }
  }
  std::string hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    std::string db = rest.substr(slash + 1);
    if (!db.empty()) {
      int n = 0;
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), n);
      if (ec != std::errc{} || p != db.data() + db.size() || n < 0) throw std::invalid_argument("bad database number");
      out.db = n;
    }
  }
  std::string port;
  if (!hostport.empty() && hostport.front() == '[') {  // [::1]:6379
    auto close = hostport.find(']');
    if (close == std::string::npos) throw std::invalid_argument("unclosed [ in host");
    out.host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') port = hostport.substr(close + 2);
  } else if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    out.host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  } else {
    out.host = hostport;
  }
  if (out.host.empty()) throw std::invalid_argument("has no host");
  if (!port.empty()) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc{} || p != port.data() + port.size() || n == 0 || n > 65535)
      throw std::invalid_argument("bad port '" + port + "'");
    out.port = static_cast<std::uint16_t>(n);
  }
  return out;
}

Config Config::from_env(const std::function<const char*(const char*)>& getenv) {
  Env env(getenv);
  Config c;
  env.str("HOST", c.host);
  if (c.host.empty()) throw ConfigError("HOST", "must not be empty");
  env.integer("PORT", c.port, 0, 65535);
  env.integer("THREADS", c.threads, 0, 256);
  env.integer("MAX_CONNECTIONS", c.max_connections, 1, 1'000'000);
  env.integer("MAX_BODY_BYTES", c.max_body_bytes, 1024, 64 * 1024 * 1024);
  env.duration("READ_TIMEOUT_MS", c.read_timeout, 100, 600'000);
  env.duration("KEEPALIVE_TIMEOUT_MS", c.keepalive_timeout, 100, 3'600'000);
  env.duration("DRAIN_TIMEOUT_MS", c.drain_timeout, 0, 600'000);
  env.duration("READY_TIMEOUT_MS", c.ready_timeout, 10, 60'000);

  env.str("DATABASE_URL", c.database_url);
  check_database_url(c.database_url);
  env.integer("DB_POOL_SIZE", c.db_pool_size, 1, 256);
  env.duration("DB_STATEMENT_TIMEOUT_MS", c.db_statement_timeout, 10, 600'000);
  env.str("MIGRATIONS_DIR", c.migrations_dir);
  env.str("REDIS_URL", c.redis_url);
  if (!c.redis_url.empty()) {
    try {
      (void)parse_redis_url(c.redis_url);
    } catch (const std::invalid_argument& e) {
      throw ConfigError("REDIS_URL", printable_url_error(e.what(), c.redis_url, true));
    }
  }
  env.duration("REDIS_TIMEOUT_MS", c.redis_timeout, 10, 60'000);

  env.http_url("PUBLIC_BASE_URL", c.public_base_url);
  env.str("TWILIO_AUTH_TOKEN", c.twilio_auth_token);
  env.str("TWILIO_ACCOUNT_SID", c.twilio_account_sid);
  env.str("TWILIO_VOICE", c.twilio_voice);
  env.str("TWILIO_LANGUAGE", c.twilio_language);
  env.str("TWILIO_SPEECH_MODEL", c.twilio_speech_model);
  env.str("TWILIO_SPEECH_TIMEOUT", c.twilio_speech_timeout);
  if (c.twilio_speech_timeout != "auto") {
    int n = 0;
    auto& s = c.twilio_speech_timeout;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || p != s.data() + s.size() || n < 1 || n > 60)
      throw ConfigError("TWILIO_SPEECH_TIMEOUT", "'" + s + "' must be 'auto' or whole seconds 1..60");
  } else if (!c.twilio_speech_model.empty()) {
    // Twilio error 13335: speechTimeout="auto" is refused together with a speechModel.
    throw ConfigError("TWILIO_SPEECH_TIMEOUT", "'auto' cannot be combined with TWILIO_SPEECH_MODEL (Twilio 13335)");
  }
  env.integer("TWILIO_GATHER_TIMEOUT", c.twilio_gather_timeout, 1, 60);
  env.boolean("TWILIO_PROFANITY_FILTER", c.twilio_profanity_filter);
  env.boolean("TWILIO_ENHANCED", c.twilio_enhanced);
  env.boolean("TRUSTED_PROXY", c.trusted_proxy);
  env.str("FRONT_DESK_NUMBER", c.front_desk_number);
  if (!c.front_desk_number.empty()) {
    const auto& n = c.front_desk_number;
    const bool e164 = n.size() >= 9 && n.size() <= 16 && n[0] == '+' &&
                      n.find_first_not_of("0123456789", 1) == std::string::npos;
    if (!e164) throw ConfigError("FRONT_DESK_NUMBER", "'" + n + "' is not an E.164 number like +14035550100");
  }

  env.str("OPENAI_API_KEY", c.openai_api_key);
  env.http_url("OPENAI_BASE_URL", c.openai_base_url);
  env.str("OPENAI_MODEL", c.openai_model);
  if (c.openai_model.empty()) throw ConfigError("OPENAI_MODEL", "must not be empty");
  env.duration("LLM_TIMEOUT_MS", c.llm_timeout, 50, 10'000);
  env.integer("LLM_MAX_IN_FLIGHT", c.llm_max_in_flight, 1, 10'000);
  env.integer("LLM_BREAKER_FAILURES", c.llm_breaker_failures, 1, 1'000);
  env.duration("LLM_BREAKER_COOLDOWN_MS", c.llm_breaker_cooldown, 100, 3'600'000);

  env.str("API_KEY", c.api_key);

  env.str("BUSINESS_TZ", c.business_tz);
  try {
    (void)date::locate_zone(c.business_tz);
  } catch (const std::exception&) {
    throw ConfigError("BUSINESS_TZ", "'" + c.business_tz + "' is not a known IANA time zone");
  }
  env.str("BUSINESS_HOURS", c.business_hours);
  try {
    (void)calendar::OpeningHours::parse(c.business_hours);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("BUSINESS_HOURS", e.what());
  }
  env.str("OPTIONAL_HOLIDAYS", c.optional_holidays);
  try {
    (void)calendar::HolidayOptions::parse(c.optional_holidays);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("OPTIONAL_HOLIDAYS", e.what());
  }
  env.integer("APPOINTMENT_MINUTES", c.appointment_minutes, 5, 480);
  env.duration("SESSION_TTL_SECONDS", c.session_ttl, 60, 86'400);

  env.str("METRICS_TOKEN", c.metrics_token);
  env.oneof("LOG_LEVEL", c.log_level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
  env.oneof("LOG_FORMAT", c.log_format, {"json", "text"});
  if (auto v = env.raw("BELLA_FAKE_NOW"); v && !v->empty()) {
    std::istringstream in(*v);
    std::chrono::sys_seconds t{};
    in >> date::parse("%FT%T%Ez", t);
    if (in.fail()) throw ConfigError("BELLA_FAKE_NOW", "'" + *v + "' is not YYYY-MM-DDTHH:MM:SS+HH:MM");
    c.fake_now = t;
  }
  return c;
}

Config Config::from_env() {
  return from_env([](const char* name) { return std::getenv(name); });
}

}  // namespace bella::app
