// Every metric family Bella exports, registered at start-up so scrapes and alerts see each one
// (at zero) before the code that moves it first runs. The rooms register the same names where
// they count; Registry::get returns the family registered here (a type mismatch throws).
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bella/core/version.hpp"
#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"

namespace bella::obs {
namespace {

// /proc/self/stat after the command name: field 3 is the state; utime=14, stime=15, starttime=22.
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> out;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream rest(line.substr(close + 2));
  for (std::string f; rest >> f;) out.push_back(f);
  return out;  // out[0] is field 3
}

double stat_field(const std::vector<std::string>& f, std::size_t field_number) {
  const std::size_t i = field_number - 3;
  if (i >= f.size()) return 0;
  try {
    return std::stod(f[i]);
  } catch (const std::exception&) {
    return 0;
  }
}

double ticks_per_second() {
  static const double t = static_cast<double>(sysconf(_SC_CLK_TCK));
  return t > 0 ? t : 100;
}

double statm_pages(int index) {
  std::ifstream in("/proc/self/statm");
  double v = 0;
  for (int i = 0; i <= index && in >> v; ++i) {
  }
  return v * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n > 0 ? n - 1 : 0;  // the iterator's own descriptor
}

double start_time_seconds() {
  double boot = 0;
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      in >> boot;
      break;
    }
    std::string ignored;
    std::getline(in, ignored);
  }
  return boot + stat_field(stat_fields(), 22) / ticks_per_second();
}

void zero(Counter& c, const Labels& labels = {}) { c.inc(labels, 0); }

}  // namespace

void register_metrics() {
  auto& r = registry();

  // --- HTTP --------------------------------------------------------------------------------------
  auto& requests = r.counter("bella_http_requests_total", "HTTP requests by route, method and status");
  for (const char* route : {"/twilio/voice", "/twilio/voice/collect"})
    for (const char* status : {"200", "403", "500"}) zero(requests, {{"route", route}, {"method", "POST"}, {"status", status}});
  r.histogram("bella_http_request_duration_seconds", "HTTP request latency by route", kHttpLatencyBounds);
  r.gauge("bella_http_connections", "Open HTTP connections").add({}, 0);
  auto& refused = r.counter("bella_http_connections_refused_total",
                            "Connections answered 503 at once: over MAX_CONNECTIONS, or out of file descriptors");
  for (const char* reason : {"max_connections", "nofile"}) zero(refused, {{"reason", reason}});
  auto& unsigned_hooks =
      r.counter("bella_twilio_webhooks_refused_total", "Twilio webhooks refused (403) by their signature check");
  for (const char* reason : {"no_token", "no_signature", "bad_signature"}) zero(unsigned_hooks, {{"reason", reason}});

  // --- PostgreSQL pool (the pool sets the size when DATABASE_URL is set) --------------------------
  r.gauge("bella_db_pool_in_use", "PostgreSQL connections leased").add({}, 0);
  r.gauge("bella_db_pool_size", "PostgreSQL pool size").add({}, 0);
  r.gauge("bella_db_pool_queue", "PostgreSQL jobs waiting for a connection").add({}, 0);
  zero(r.counter("bella_db_pool_queue_timeouts_total",
                 "PostgreSQL jobs not run: no connection free within DB_QUEUE_TIMEOUT_MS"));
  zero(r.counter("bella_db_job_timeouts_total", "PostgreSQL jobs ended by the pool after DB_JOB_TIMEOUT_MS"));

  // --- calls and understanding ------------------------------------------------------------------
  zero(r.counter("bella_calls_started_total", "Calls answered"));
  zero(r.counter("bella_calls_booked_total", "Calls that ended with a booking"));
  zero(r.counter("bella_calls_abandoned_total", "Calls we ended without a booking (retries exhausted)"));
  auto& retries = r.counter("bella_call_retries_total", "No-match or silent turns, by step");
  for (const char* step : {"ask_name", "ask_last_name", "offer_caller_id", "ask_mobile", "ask_time", "offer_slot",
                           "confirm", "ask_change"})
    zero(retries, {{"step", step}});
  zero(r.counter("bella_call_turn_replays_total", "Repeated webhook turns answered from the stored reply"));
  auto& layer = r.counter("bella_extraction_total", "Which layer understood the expected field (parser, llm, none)");
  for (const char* field : {"name", "surname", "phone", "time", "yes_no"})
    for (const char* l : {"parser", "llm", "none"}) zero(layer, {{"field", field}, {"layer", l}});

  // --- bookings -----------------------------------------------------------------------------------
  auto& bookings = r.counter("bella_bookings_total", "Booking attempts by outcome");
  for (const char* outcome : {"booked", "replayed", "conflict", "outside_hours", "invalid", "error"})
    zero(bookings, {{"outcome", outcome}});

  // --- sessions (the fallback store sets the backend gauge once it knows) --------------------------
  r.gauge("bella_session_store_backend", "Active session store backend (1 = active)");
  auto& switches = r.counter("bella_session_store_switches_total", "Session store backend switches");
  for (const char* to : {"redis", "memory"}) zero(switches, {{"to", to}});
  auto& fallback_ops =
      r.counter("bella_session_store_fallback_ops_total", "Session store calls answered from memory because Redis failed");
  for (const char* op : {"load", "save", "claim", "erase"}) zero(fallback_ops, {{"op", op}});
  zero(r.counter("bella_sessions_deleted_total", "Call sessions deleted by Twilio's call status callback when the call ended"));

  // --- LLM fallback -------------------------------------------------------------------------------
  auto& llm = r.counter("bella_llm_requests_total", "LLM fallback calls by field and outcome");
  for (const char* field : {"name", "phone", "time", "yes_no"})
    for (const char* outcome : {"success", "timeout", "error", "refused", "malformed", "overloaded", "breaker_open"})
      zero(llm, {{"field", field}, {"outcome", outcome}});
  r.histogram("bella_llm_latency_seconds", "LLM fallback call latency", kLlmLatencyBounds);
  r.gauge("bella_llm_breaker_state", "LLM breaker: 0 closed, 1 half-open, 2 open").add({}, 0);

  // --- which build, and the process (names as the Prometheus client libraries export them) ------
  r.gauge("bella_build_info", "Build of this process (always 1)")
      .set({{"version", std::string(version())}, {"commit", std::string(commit())}}, 1);
  r.sampled("process_cpu_seconds_total", "Total user and system CPU time spent in seconds", "counter", [] {
    const auto f = stat_fields();
    return (stat_field(f, 14) + stat_field(f, 15)) / ticks_per_second();
  });
  r.sampled("process_resident_memory_bytes", "Resident memory size in bytes", "gauge", [] { return statm_pages(1); });
  r.sampled("process_virtual_memory_bytes", "Virtual memory size in bytes", "gauge", [] { return statm_pages(0); });
  r.sampled("process_open_fds", "Number of open file descriptors", "gauge", open_fds);
  r.sampled("process_max_fds", "Maximum number of open file descriptors", "gauge", [] {
    rlimit lim{};
    return getrlimit(RLIMIT_NOFILE, &lim) == 0 ? static_cast<double>(lim.rlim_cur) : 0.0;
  });
  static const double started = start_time_seconds();
  r.sampled("process_start_time_seconds", "Start time of the process since unix epoch in seconds", "gauge",
            [] { return started; });
}

}  // namespace bella::obs
