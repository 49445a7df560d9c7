// Environment -> Config. Every bad value stops start-up with a ConfigError naming the variable.
#include "app/config.hpp"

#include <algorithm>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include <curl/curl.h>
#include <libpq-fe.h>

#include <date/tz.h>

#include "bella/calendar/calendar.hpp"
#include "bella/core/iso8601.hpp"
#include "obs/log.hpp"

namespace bella::app {
namespace {

/// The parts of a URL, parsed by libcurl's URL API (user and password percent-decoded).
struct ParsedUrl {
  std::string scheme;
  std::string host;  // without the brackets of an IPv6 literal
  std::optional<std::uint16_t> port;
  std::optional<std::string> user;
  std::optional<std::string> password;
  std::string path;
};

/// Throws std::invalid_argument with libcurl's reason.
ParsedUrl parse_url(const std::string& text) {
  if (text.find_first_of(" \t\r\n") != std::string::npos) throw std::invalid_argument("contains white space");
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> h(curl_url(), &curl_url_cleanup);
  if (!h) throw std::runtime_error("curl_url: out of memory");
  if (CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME); rc != CURLUE_OK)
    throw std::invalid_argument(curl_url_strerror(rc));
  auto part = [&](CURLUPart what, unsigned flags) -> std::optional<std::string> {
    char* out = nullptr;
    if (curl_url_get(h.get(), what, &out, flags) != CURLUE_OK || !out) return std::nullopt;
    std::string value(out);
    curl_free(out);
    return value;
  };
  ParsedUrl u;
  u.scheme = part(CURLUPART_SCHEME, 0).value_or("");
  u.host = part(CURLUPART_HOST, 0).value_or("");
  if (u.host.size() >= 2 && u.host.front() == '[' && u.host.back() == ']') u.host = u.host.substr(1, u.host.size() - 2);
  if (u.host.empty()) throw std::invalid_argument("has no host");
  if (auto port = part(CURLUPART_PORT, 0)) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), n);
    if (ec != std::errc{} || end != port->data() + port->size() || n == 0 || n > 65535)
      throw std::invalid_argument("bad port '" + *port + "'");
    u.port = static_cast<std::uint16_t>(n);
  }
  u.user = part(CURLUPART_USER, CURLU_URLDECODE);
  u.password = part(CURLUPART_PASSWORD, CURLU_URLDECODE);
  u.path = part(CURLUPART_PATH, 0).value_or("");
  return u;
}

/// "standard:30,long:60" -> [(standard, 30), (long, 60)]. Names are lower-case words; lengths
/// 5..480 minutes and distinct (a caller picks a type by its length).
std::vector<std::pair<std::string, int>> parse_appointment_types(std::string_view spec, int default_minutes) {
  std::vector<std::pair<std::string, int>> out;
  auto trim = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  if (trim(spec).empty()) return {{"standard", default_minutes}};
  const char* name = "APPOINTMENT_TYPES";
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) throw ConfigError(name, "'" + std::string(item) + "' is not name:minutes");
    const std::string type(trim(item.substr(0, colon)));
    const std::string_view digits = trim(item.substr(colon + 1));
    if (type.empty() || !std::all_of(type.begin(), type.end(), [](char ch) { return std::islower(static_cast<unsigned char>(ch)) || ch == '_'; }))
      throw ConfigError(name, "'" + type + "' is not a lower-case name");
    int minutes = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), minutes);
    if (ec != std::errc{} || p != digits.data() + digits.size() || minutes < 5 || minutes > 480)
      throw ConfigError(name, "'" + std::string(digits) + "' is not a length of 5..480 minutes");
    for (const auto& [n, m] : out)
      if (n == type || m == minutes) throw ConfigError(name, "types must have distinct names and lengths");
    out.emplace_back(type, minutes);
  }
  return out;
}

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
    try {
      const ParsedUrl parsed = parse_url(u);
      if (parsed.scheme != "http" && parsed.scheme != "https") throw std::invalid_argument("");
    } catch (const std::invalid_argument& e) {
      const std::string why = e.what();
      throw ConfigError(name, why.empty() || why == "Unsupported URL scheme" ? "must be an http:// or https:// URL" : why);
    }
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) throw ConfigError(name, "must be an http:// or https:// URL");
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

/// The migrations installed beside the binary: <bindir>/../share/bella/db/migrations (the package
/// and the container), or <bindir>/share/bella/db/migrations (a build tree, where CMake copies them).
std::string default_migrations_dir(const std::string& executable) {
  namespace fs = std::filesystem;
  if (executable.empty()) return {};
  const fs::path bindir = fs::path(executable).parent_path();
  for (const fs::path& candidate : {bindir / "../share/bella/db/migrations", bindir / "share/bella/db/migrations"}) {
    std::error_code ec;
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
  }
  return (bindir / "../share/bella/db/migrations").lexically_normal().string();
}

}  // namespace

store::RedisEndpoint parse_redis_url(const std::string& url) {
  const ParsedUrl u = parse_url(url);
  store::RedisEndpoint out;
  if (u.scheme == "rediss") out.tls = true;
  else if (u.scheme != "redis") throw std::invalid_argument("must start with redis:// or rediss://");
  out.host = u.host;
  if (u.port) out.port = *u.port;
  if (u.password) {
    out.username = u.user.value_or("");
    out.password = *u.password;
  } else if (u.user) {
    out.password = *u.user;  // redis://secret@host is a password, as redis-cli reads it
  }
  std::string_view db = u.path;
  if (!db.empty() && db.front() == '/') db.remove_prefix(1);
  if (!db.empty()) {
    int n = 0;
    auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), n);
    if (ec != std::errc{} || p != db.data() + db.size() || n < 0) throw std::invalid_argument("bad database number");
    out.db = n;
  }
  return out;
}

Config Config::from_env(const std::function<const char*(const char*)>& getenv, const std::string& executable) {
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
  env.duration("DB_QUEUE_TIMEOUT_MS", c.db_queue_timeout, 10, 600'000);
  env.duration("DB_JOB_TIMEOUT_MS", c.db_job_timeout, 10, 600'000);
  env.str("MIGRATIONS_DIR", c.migrations_dir);
  if (c.migrations_dir.empty()) c.migrations_dir = default_migrations_dir(executable);
  if (auto url = env.raw("REDIS_URL"); url && !url->empty()) {
    try {
      c.redis = parse_redis_url(*url);
    } catch (const std::invalid_argument& e) {
      throw ConfigError("REDIS_URL", printable_url_error(e.what(), *url, true));
    }
  }
  env.duration("REDIS_TIMEOUT_MS", c.redis_timeout, 10, 60'000);
  env.str("REDIS_CA_FILE", c.redis_ca_file);
  if (!c.redis_ca_file.empty() && !std::ifstream(c.redis_ca_file)) throw ConfigError("REDIS_CA_FILE", "cannot read '" + c.redis_ca_file + "'");
  env.boolean("REDIS_TLS_INSECURE", c.redis_tls_insecure);
  env.duration("REDIS_PROBE_INTERVAL_MS", c.redis_probe_interval, 10, 60'000);

  env.http_url("PUBLIC_BASE_URL", c.public_base_url);
  env.str("TWILIO_AUTH_TOKEN", c.twilio_auth_token);
  env.boolean("ALLOW_UNSIGNED_WEBHOOKS", c.allow_unsigned_webhooks);
  env.str("TWILIO_ACCOUNT_SID", c.twilio_account_sid);
  env.str("TWILIO_VOICE", c.twilio_voice);
  if (c.twilio_voice.empty()) throw ConfigError("TWILIO_VOICE", "must not be empty");
  env.str("TWILIO_LANGUAGE", c.twilio_language);
  if (c.twilio_language.empty()) throw ConfigError("TWILIO_LANGUAGE", "must not be empty");
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
    if (!e164) throw ConfigError("FRONT_DESK_NUMBER", "'" + n + "' is not an E.164 number ('+', country code, number: +1 and 10 digits here)");
  }

  env.str("TWILIO_API_KEY_SID", c.twilio_api_key_sid);
  env.str("TWILIO_API_KEY_SECRET", c.twilio_api_key_secret);
  if (c.twilio_api_key_sid.empty() != c.twilio_api_key_secret.empty())
    throw ConfigError(c.twilio_api_key_sid.empty() ? "TWILIO_API_KEY_SID" : "TWILIO_API_KEY_SECRET",
                      "TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together");
  env.str("TWILIO_MESSAGING_SERVICE_SID", c.twilio_messaging_service_sid);
  if (!c.twilio_messaging_service_sid.empty() && c.twilio_messaging_service_sid.rfind("MG", 0) != 0)
    throw ConfigError("TWILIO_MESSAGING_SERVICE_SID", "must start with MG");
  env.str("SMS_FROM", c.sms_from);
  if (!c.sms_from.empty()) {
    const auto& n = c.sms_from;
    const bool e164 = n.size() >= 9 && n.size() <= 16 && n[0] == '+' &&
                      n.find_first_not_of("0123456789", 1) == std::string::npos;
    if (!e164) throw ConfigError("SMS_FROM", "'" + n + "' is not an E.164 number ('+', country code, number: +1 and 10 digits here)");
  }
  env.http_url("TWILIO_API_BASE_URL", c.twilio_api_base_url);
  env.str("CLINIC_NAME", c.clinic_name);
  if (c.clinic_name.empty() || c.clinic_name.size() > 60) throw ConfigError("CLINIC_NAME", "must be 1 to 60 characters");
  env.str("CLINIC_PHONE", c.clinic_phone);
  if (c.clinic_phone.empty()) c.clinic_phone = c.front_desk_number;
  env.integer("SMS_REMINDER_LEAD_MINUTES", c.sms_reminder_lead_minutes, 1, 30 * 1440);
  env.duration("SMS_POLL_INTERVAL_MS", c.sms_poll_interval, 50, 10'000);
  env.duration("SMS_RETRY_BASE_MS", c.sms_retry_base, 50, 5'000);
  if (!c.twilio_account_sid.empty() && (!c.sms_from.empty() || !c.twilio_messaging_service_sid.empty())) {
    if (c.twilio_auth_token.empty() && c.twilio_api_key_sid.empty())
      throw ConfigError("TWILIO_AUTH_TOKEN", "texts need TWILIO_AUTH_TOKEN or TWILIO_API_KEY_SID/TWILIO_API_KEY_SECRET");
    if (c.clinic_phone.empty())
      throw ConfigError("CLINIC_PHONE", "texts tell patients which number to call: set CLINIC_PHONE (or FRONT_DESK_NUMBER)");
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
  env.duration("STAFF_SESSION_HOURS", c.staff_session_hours, 1, 24 * 30);

  std::string zone = "America/Edmonton";
  env.str("BUSINESS_TZ", zone);
  try {
    c.business_tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    throw ConfigError("BUSINESS_TZ", "'" + zone + "' is not a known IANA time zone");
  }
  std::string hours = "Mon-Fri 09:00-17:00";
  env.str("BUSINESS_HOURS", hours);
  try {
    c.business_hours = calendar::OpeningHours::parse(hours);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("BUSINESS_HOURS", e.what());
  }
  std::string holidays;
  env.str("OPTIONAL_HOLIDAYS", holidays);
  try {
    c.optional_holidays = calendar::HolidayOptions::parse(holidays);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("OPTIONAL_HOLIDAYS", e.what());
  }
  env.integer("APPOINTMENT_MINUTES", c.appointment_minutes, 5, 480);
  c.appointment_types = parse_appointment_types(env.raw("APPOINTMENT_TYPES").value_or(""), c.appointment_minutes);
  env.duration("SESSION_TTL_SECONDS", c.session_ttl, 60, 86'400);

  env.str("METRICS_TOKEN", c.metrics_token);
  env.oneof("LOG_LEVEL", c.log_level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
  env.oneof("LOG_FORMAT", c.log_format, {"json", "text"});
  if (auto v = env.raw("BELLA_FAKE_NOW"); v && !v->empty()) {
    auto t = iso8601::parse_datetime(*v);
    if (!t) throw ConfigError("BELLA_FAKE_NOW", "'" + *v + "' is not YYYY-MM-DDTHH:MM:SS+HH:MM");
    c.fake_now = *t;
  }
  return c;
}

Config Config::from_env() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return from_env([](const char* name) { return std::getenv(name); }, ec ? std::string{} : self.string());
}

}  // namespace bella::app
