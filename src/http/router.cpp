// Route matching, the single catch that turns exceptions into problem responses, and the access log.
#include "bella/http/router.hpp"

#include "obs/log.hpp"

#include <random>


#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"

namespace bella::http {
namespace {

// The non-empty segments of a path, as views into it.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

struct HttpMetrics {
  obs::Counter& requests = obs::registry().counter("bella_http_requests_total",
                                                   "HTTP requests by route, method and status");
  obs::Histogram& latency = obs::registry().histogram(
      "bella_http_request_duration_seconds", "HTTP request latency by route",
      obs::kHttpLatencyBounds);
};

/// The method as a metric label: the methods HTTP defines, anything else "other" (a client can send
/// any token as a method; one series each would grow /metrics without bound).
std::string_view method_label(Verb v) {
  switch (v) {
    case Verb::get: return "GET";
    case Verb::head: return "HEAD";
    case Verb::post: return "POST";
    case Verb::put: return "PUT";
    case Verb::delete_: return "DELETE";
    case Verb::patch: return "PATCH";
    case Verb::options: return "OPTIONS";
    case Verb::connect: return "CONNECT";
    case Verb::trace: return "TRACE";
    default: return "other";
  }
}

HttpMetrics& http_metrics() {
  static HttpMetrics m;
  return m;
}

}  // namespace

void Router::add(Verb verb, std::string pattern, Handler handler) {
  std::vector<std::string> segments;
  for (const auto seg : split_path(pattern)) segments.emplace_back(seg);
  routes_.push_back(Route{verb, std::move(pattern), std::move(segments), std::move(handler)});
}

bool Router::match(const Route& r, const std::vector<std::string_view>& segs,
                   std::vector<std::pair<std::string, std::string>>& params) {
  if (segs.size() != r.segments.size()) return false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& want = r.segments[i];
    const bool placeholder = want.size() > 2 && want.front() == '{' && want.back() == '}';
    if (!placeholder && want != segs[i]) return false;
  }
  params.clear();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& want = r.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}')
      params.emplace_back(want.substr(1, want.size() - 2), url_decode(segs[i], false));
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(std::string(beast_http::to_string(r.verb)), r.pattern);
  return out;
}

Task<Response> Router::dispatch(Request& req, RequestContext& ctx) const {
  const auto started = std::chrono::steady_clock::now();
  if (ctx.request_id.empty()) ctx.request_id = request_id_for(req);
  // Every line logged while this request is handled carries its id, whichever room logs it.
  const auto executor = co_await asio::this_coro::executor;
  obs::LogFields bound = {{"request_id", ctx.request_id}};
  const std::uint64_t log_binding = obs::bind_request(executor, std::move(bound));
  const std::string_view path = target_path(req.target());
  const auto segments = split_path(path);  // once, not once per route
  const Route* found = nullptr;
  std::string allow;
  for (const auto& r : routes_) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!match(r, segments, params)) continue;
    if (!allow.empty()) allow += ", ";
    allow += std::string(beast_http::to_string(r.verb));
    if (!found && r.verb == req.method()) {
      found = &r;
      ctx.params = std::move(params);
    }
  }
  if (!found && req.method() == Verb::head) {  // HEAD is GET without the body
    for (const auto& r : routes_) {
      std::vector<std::pair<std::string, std::string>> params;
      if (r.verb == Verb::get && match(r, segments, params)) {
        found = &r;
        ctx.params = std::move(params);
        break;
      }
    }
  }

  Response res;
  const std::string route_label = found ? found->pattern : allow.empty() ? "other" : "method_not_allowed";
  if (!found && allow.empty()) {
    res = problem(req, Status::not_found, "Not Found", "No route for this path.");
  } else if (!found) {
    res = problem(req, Status::method_not_allowed, "Method Not Allowed",
                  std::string(req.method_string()) + " is not allowed here.");
    res.set(Field::allow, allow);
  } else {
    std::exception_ptr failure;
    bool unavailable = false;
    try {
      res = co_await found->handler(req, ctx);
    } catch (const Unavailable& e) {
      // The one place a backend outage becomes HTTP: 503 with Retry-After, detail only in the log.
      unavailable = true;
      obs::warn("request unavailable", {{"method", std::string(req.method_string())}, {"path", std::string(path)}, {"error", e.what()}});
    } catch (const std::exception& e) {
      failure = std::current_exception();
      obs::error("request failed", {{"method", std::string(req.method_string())}, {"path", std::string(path)}, {"error", e.what()}});
    } catch (...) {
      failure = std::current_exception();
      obs::error("request failed", {{"method", std::string(req.method_string())}, {"path", std::string(path)}, {"error", "unknown exception"}});
    }
    if (unavailable) {
      res = problem(req, Status::service_unavailable, "Service Unavailable",
                    "A backing service is unavailable; try again shortly.");
      res.set(Field::retry_after, "1");
    } else if (failure) {
      res = problem(req, Status::internal_server_error, "Internal Server Error",
                    "The request failed; it has been logged with its request id.");
    }
  }
  if (req.method() == Verb::head) res.body().clear();
  res.set("X-Request-Id", ctx.request_id);

  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  const auto status = static_cast<unsigned>(res.result_int());
  obs::info("request", {{"method", std::string(req.method_string())},
                        {"path", found ? found->pattern : std::string(path)},
                        {"status", status},
                        {"duration_us", micros}});
  auto& m = http_metrics();
  m.requests.inc({{"route", route_label}, {"method", std::string(method_label(req.method()))},
                  {"status", std::to_string(status)}});
  m.latency.observe({{"route", route_label}}, static_cast<double>(micros) / 1e6);
  obs::unbind_request(log_binding);
  co_return res;
}

std::string request_id_for(const Request& req) {
  auto it = req.find("X-Request-Id");
  if (it != req.end()) {
    std::string_view v = it->value();
    bool sane = !v.empty() && v.size() <= 64;
    for (char c : v) sane = sane && c > 0x20 && c < 0x7f;
    if (sane) return std::string(v);
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  auto bits = rng();
  for (auto& c : id) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

}  // namespace bella::http
