// spdlog set-up: a JSON formatter that lifts key=value tokens into fields, or plain text.
#include "obs/log.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace bella::obs {
namespace {

void json_escape(std::string_view in, spdlog::memory_buf_t& out) {
  for (unsigned char c : in) {
    switch (c) {
      case '"': out.append(std::string_view("\\\"")); break;
      case '\\': out.append(std::string_view("\\\\")); break;
      case '\n': out.append(std::string_view("\\n")); break;
      case '\r': out.append(std::string_view("\\r")); break;
      case '\t': out.append(std::string_view("\\t")); break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

bool is_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

/// {"ts":"…","level":"info","msg":"request","method":"GET",…}: trailing `key=value` tokens of the
/// message become fields, so log queries can filter on them.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    // Peel key=value tokens off the end while they parse.
    while (true) {
      auto sp = text.rfind(' ');
      if (sp == std::string_view::npos) break;
      auto tok = text.substr(sp + 1);
      auto eq = tok.find('=');
      if (eq == std::string_view::npos || !is_key(tok.substr(0, eq))) break;
      fields.emplace_back(tok.substr(0, eq), tok.substr(eq + 1));
      text = text.substr(0, sp);
    }
    auto ts = std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time);
    fmt::format_to(std::back_inserter(dest), "{{\"ts\":\"{:%Y-%m-%dT%H:%M:%S}Z\",\"level\":\"",
                   std::chrono::time_point_cast<std::chrono::milliseconds>(ts));
    auto level = spdlog::level::to_string_view(msg.level);
    dest.append(level.data(), level.data() + level.size());
    dest.append(std::string_view("\",\"msg\":\""));
    json_escape(text, dest);
    dest.push_back('"');
    for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
      dest.append(std::string_view(",\""));
      json_escape(it->first, dest);
      dest.append(std::string_view("\":"));
      const auto v = it->second;
      bool numeric = !v.empty() && v.size() < 16 && v.find_first_not_of("0123456789") == std::string_view::npos &&
                     (v.size() == 1 || v[0] != '0');
      if (numeric) {
        dest.append(v.data(), v.data() + v.size());
      } else {
        dest.push_back('"');
        json_escape(v, dest);
        dest.push_back('"');
      }
    }
    dest.append(std::string_view("}\n"));
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

void setup_logging(std::string_view format, std::string_view level) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("bella", sink);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
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

}  // namespace bella::obs
