// spdlog set-up: one formatter that writes a line's message and fields as a JSON object (or as
// text), plus the request-scoped fields bound to the strand that logs.
#include "obs/log.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <typeinfo>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace bella::obs {

namespace {

using Strand = asio::strand<asio::io_context::executor_type>;

// Every bound request. A log line looks for the one whose strand runs on this thread: at most one
// does, since a connection's strand handles one request at a time.
struct Binding {
  Strand strand;
  LogFields fields;
};

struct Bindings {
  std::mutex mutex;
  std::uint64_t next = 1;
  std::map<std::uint64_t, Binding> live;

  static Bindings& get() {
    static Bindings b;
    return b;
  }
  Binding* current() {  // mutex held
    for (auto& [id, b] : live)
      if (b.strand.running_in_this_thread()) return &b;
    return nullptr;
  }
};

}  // namespace

namespace {

spdlog::level::level_enum to_spdlog(Level l) {
  switch (l) {
    case Level::trace: return spdlog::level::trace;
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::critical: return spdlog::level::critical;
  }
  return spdlog::level::info;
}

std::string_view spdlog_level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

// The fields of the line being logged on this thread (spdlog formats synchronously, on the
// logging thread): handed to the formatter beside the message, never inside it.
thread_local const LogFields* t_fields = nullptr;

/// 2026-03-03T15:04:05.123Z: RFC 3339, UTC whatever TZ says, milliseconds.
void append_timestamp(std::chrono::system_clock::time_point t, spdlog::memory_buf_t& out) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ((ms % 1000) + 1000) % 1000);
}

void append(spdlog::memory_buf_t& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

std::string dump(const LogFields& v) { return v.dump(-1, ' ', false, LogFields::error_handler_t::replace); }

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when the byte there does not start one
/// (stray continuation, overlong form, surrogate, above U+10FFFF, truncated).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) n = 3;
  else if (c == 0xED) n = 3, hi = 0x9F;
  else if (c >= 0xEE && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else if (c == 0xF4) n = 4, hi = 0x8F;
  else return 0;
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

/// The line's fields with every string (keys too) made valid UTF-8.
LogFields sanitized(const LogFields& v) {
  if (v.is_string()) {
    const auto& str = v.get_ref<const std::string&>();
    return valid_utf8(str) ? v : LogFields(escape_invalid_utf8(str));
  }
  if (v.is_object()) {
    LogFields out = LogFields::object();
    for (const auto& [k, item] : v.items()) out[valid_utf8(k) ? k : escape_invalid_utf8(k)] = sanitized(item);
    return out;
  }
  if (v.is_array()) {
    LogFields out = LogFields::array();
    for (const auto& item : v) out.push_back(sanitized(item));
    return out;
  }
  return v;
}

/// JSON: {"ts":…,"level":…,"msg":…, request fields…, line fields…} (a line field wins over a
/// request field of the same name). Text: `ts level msg key=value…`, strings unquoted unless they
/// hold a space.
class Formatter final : public spdlog::formatter {
 public:
  explicit Formatter(bool json) : json_(json) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    LogFields line = LogFields::object();
    {
      auto& bindings = Bindings::get();
      std::lock_guard lock(bindings.mutex);
      if (auto* b = bindings.current())
        for (const auto& [k, v] : b->fields.items()) line[k] = v;
    }
    if (t_fields && t_fields->is_object())
      for (const auto& [k, v] : t_fields->items()) line[k] = v;
    // Request paths, headers and driver errors carry outside bytes: the line stays valid UTF-8.
    line = sanitized(line);
    const std::string_view raw(msg.payload.data(), msg.payload.size());
    const std::string text = valid_utf8(raw) ? std::string(raw) : escape_invalid_utf8(raw);
    if (json_) {
      append(dest, "{\"ts\":\"");
      append_timestamp(msg.time, dest);
      append(dest, "\",\"level\":\"");
      append(dest, spdlog_level_name(msg.level));
      append(dest, "\",\"msg\":");
      append(dest, dump(LogFields(text)));
      for (const auto& [k, v] : line.items()) {
        if (k == "ts" || k == "level" || k == "msg") continue;
        append(dest, ",");
        append(dest, dump(LogFields(k)));
        append(dest, ":");
        append(dest, dump(v));
      }
      append(dest, "}\n");
      return;
    }
    append_timestamp(msg.time, dest);
    append(dest, " ");
    append(dest, spdlog_level_name(msg.level));
    append(dest, " ");
    append(dest, text);
    for (const auto& [k, v] : line.items()) {
      append(dest, " ");
      append(dest, k);
      append(dest, "=");
      if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        append(dest, s.find_first_of(" \t\n\"=") == std::string::npos && !s.empty() ? s : dump(v));
      } else {
        append(dest, dump(v));
      }
    }
    append(dest, "\n");
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<Formatter>(json_);
  }

 private:
  bool json_;
};

}  // namespace

std::uint64_t bind_request(const asio::any_io_executor& executor, LogFields fields) {
  // Asio 1.18's any_executor::target<T>() casts without checking the type: check it first.
  if (!executor || executor.target_type() != typeid(Strand)) return 0;
  const auto* strand = executor.target<Strand>();
  if (!strand) return 0;
  if (!fields.is_object()) fields = LogFields::object();
  auto& bindings = Bindings::get();
  std::lock_guard lock(bindings.mutex);
  const auto id = bindings.next++;
  bindings.live.emplace(id, Binding{*strand, std::move(fields)});
  return id;
}

void unbind_request(std::uint64_t binding) {
  if (binding == 0) return;
  auto& bindings = Bindings::get();
  std::lock_guard lock(bindings.mutex);
  bindings.live.erase(binding);
}

void annotate(std::string_view key, LogFields value) {
  auto& bindings = Bindings::get();
  std::lock_guard lock(bindings.mutex);
  if (auto* b = bindings.current()) b->fields[std::string(key)] = std::move(value);
}

std::string_view level_name(Level level) { return spdlog_level_name(to_spdlog(level)); }

std::string escape_invalid_utf8(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (const auto n = utf8_sequence(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i++]);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
  }
  return out;
}

std::optional<std::uint64_t> LogLimiter::admit(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (window_ == std::chrono::steady_clock::time_point{} || now - window_ >= interval_) {
    window_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= burst_) {
    ++suppressed_;
    return std::nullopt;
  }
  ++in_window_;
  const auto dropped = suppressed_;
  suppressed_ = 0;
  return dropped;
}

void log(Level level, std::string_view msg, const LogFields& fields) {
  auto logger = spdlog::default_logger_raw();
  const auto lvl = to_spdlog(level);
  if (!logger || !logger->should_log(lvl)) return;
  const LogFields* outer = t_fields;
  t_fields = &fields;
  logger->log(lvl, spdlog::string_view_t(msg.data(), msg.size()));
  t_fields = outer;
}

void setup_logging(std::string_view format, std::string_view level) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("bella", sink);
  logger->set_formatter(std::make_unique<Formatter>(format == "json"));
  // spdlog spells warn "warning" and error "err"; LOG_LEVEL uses the short names.
  auto lvl = spdlog::level::info;
  if (level == "trace") lvl = spdlog::level::trace;
  else if (level == "debug") lvl = spdlog::level::debug;
  else if (level == "warn") lvl = spdlog::level::warn;
  else if (level == "error") lvl = spdlog::level::err;
  else if (level == "critical") lvl = spdlog::level::critical;
  else if (level == "off") lvl = spdlog::level::off;
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::trace);  // one line per request; containers read stdout line by line
  spdlog::set_default_logger(logger);
}

std::string redact_phone(std::string_view e164) {
  if (e164.size() <= 5) return std::string(e164.size(), '*');
  std::string out(e164);
  for (std::size_t i = 2; i + 3 < out.size(); ++i) out[i] = '*';
  return out;
}

std::string redact_name(std::string_view name) {
  std::string out(name);
  bool start = true;
  for (auto& c : out) {
    if (c == ' ' || c == '-') {
      start = true;
    } else if (start) {
      start = false;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      c = '*';
    } else {
      c = '\0';  // continuation bytes of a multi-byte letter are dropped below
    }
  }
  std::erase(out, '\0');
  return out;
}

std::string redact_speech(std::string_view text) { return fmt::format("<{} chars>", text.size()); }

namespace {

// libpq also takes the password as a query parameter: ?password=… (and &password=…).
std::string mask_password_parameter(std::string out) {
  for (const char* key : {"?password=", "&password="}) {
    for (auto at = out.find(key); at != std::string::npos; at = out.find(key, at + 1)) {
      const auto start = at + std::string_view(key).size();
      const auto end = out.find('&', start);
      out.replace(start, end == std::string::npos ? std::string::npos : end - start, "***");
    }
  }
  return out;
}

std::string mask_userinfo_password(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto auth_start = scheme + 3;
  // The authority ends at the first '/', '?' or '#' after the LAST '@' (a password may hold '/').
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < auth_start) return std::string(url);
  const auto colon = url.find(':', auth_start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);  // user only
  std::string out(url.substr(0, colon + 1));
  out += "***";
  out += url.substr(at);
  return out;
}

}  // namespace

std::string mask_url_password(std::string_view url) { return mask_password_parameter(mask_userinfo_password(url)); }

}  // namespace bella::obs
