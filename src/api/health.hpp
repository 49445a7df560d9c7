// GET /healthz (liveness, no I/O), GET /readyz (each configured dependency answers), GET /metrics.
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
};

void add_health_routes(http::Router& router, HealthDeps deps);

}  // namespace bella::api
