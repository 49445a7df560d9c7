// GET /healthz (liveness, no I/O), GET /readyz (each configured dependency answers), GET /metrics,
// GET /version. Detail (which dependency failed and why, every metric) is for the operator only.
#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bella/core/asio.hpp"
#include "bella/http/router.hpp"

namespace bella::api {

/// One readiness check: resolves to nullopt when healthy, else a short reason. Must honour `deadline`.
struct ReadinessProbe {
  std::string name;  // "postgres", "redis"
  std::function<Task<std::optional<std::string>>(std::chrono::milliseconds deadline)> check;
};

struct HealthDeps {
  std::vector<ReadinessProbe> probes;
  std::chrono::milliseconds probe_deadline{1000};
  /// Operator credentials: `Authorization: Bearer <metrics_token>` or `X-API-Key: <api_key>`.
  /// With neither configured, /metrics answers 503 and /readyz gives its status only.
  std::string metrics_token;
  std::string api_key;
  /// Settings the operator must know about although they do not make the task unready (name,
  /// reason), e.g. unsigned webhooks allowed: shown in `checks` with status "warn".
  std::vector<std::pair<std::string, std::string>> warnings;
};

/// True when the request carries one of the operator credentials (constant-time compares).
bool operator_authorized(const http::Request& req, const std::string& metrics_token, const std::string& api_key);

void add_health_routes(http::Router& router, HealthDeps deps);

}  // namespace bella::api
