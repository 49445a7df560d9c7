// Route table: {verb, path pattern, handler}. 404 vs 405, the one catch, the access log line.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bella/core/asio.hpp"
#include "bella/core/error.hpp"
#include "bella/http/message.hpp"

namespace bella::http {

/// What a handler gets besides the request: path parameters and the request id.
struct RequestContext {
  /// Values of `{name}` segments, in pattern order.
  std::vector<std::pair<std::string, std::string>> params;
  std::string request_id;
  /// Remote address as seen by the socket (not X-Forwarded-For).
  std::string remote;

  [[nodiscard]] std::string_view param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return {};
  }
};

using Handler = std::function<Task<Response>(const Request&, RequestContext&)>;


class Router {
 public:
  /// `pattern` is a path such as "/appointments/{id}"; `{name}` matches one non-empty segment.
  /// `route_label` names the route in metrics; it defaults to the pattern.
  void add(Verb verb, std::string pattern, Handler handler);

  /// Finds the route, runs it, and turns any exception into a problem response. Never throws.
  /// Logs one access line and records the request metric.
  Task<Response> dispatch(Request& req, RequestContext& ctx) const;

  /// Every (verb, pattern) pair, for documentation checks.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    Verb verb;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  /// True when `segs` (a request path's segments) fit the route's pattern; then `params` holds
  /// its placeholders' values, URL-decoded.
  static bool match(const Route& r, const std::vector<std::string_view>& segs,
                    std::vector<std::pair<std::string, std::string>>& params);
  std::vector<Route> routes_;
};

/// A request id from X-Request-Id when it is sane (printable, ≤ 64 chars), else a fresh random one.
std::string request_id_for(const Request& req);

}  // namespace bella::http
