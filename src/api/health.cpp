// Health, readiness and metrics routes.
#include "api/health.hpp"

#include <memory>

#include "obs/metrics.hpp"

namespace bella::api {

void add_health_routes(http::Router& router, HealthDeps deps) {
  // GET /healthz: the process is alive and its loop turns. No I/O: the ALB calls it every few seconds.
  router.add(http::Verb::get, "/healthz", [](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
    co_return http::make_response(req, http::Status::ok, R"({"status":"ok"})", "application/json");
  });

  // GET /readyz: every configured dependency answers within its deadline; else 503 naming it.
  auto shared = std::make_shared<HealthDeps>(std::move(deps));
  router.add(http::Verb::get, "/readyz", [shared](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
    nlohmann::json checks = nlohmann::json::object();
    std::vector<std::string> failed;
    for (const auto& probe : shared->probes) {
      std::optional<std::string> problem;
      try {
        problem = co_await probe.check(shared->probe_deadline);
      } catch (const std::exception& e) {
        problem = e.what();
      }
      if (problem) {
        checks[probe.name] = {{"status", "fail"}, {"error", *problem}};
        failed.push_back(probe.name);
      } else {
        checks[probe.name] = {{"status", "ok"}};
      }
    }
    if (failed.empty()) co_return http::json_response(req, http::Status::ok, {{"status", "ok"}, {"checks", checks}});
    std::string names;
    for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
    auto res = http::problem(req, http::Status::service_unavailable, "Not Ready", "Unavailable: " + names,
                             {{"checks", checks}});
    co_return res;
  });

  // GET /metrics: Prometheus text exposition format.
  router.add(http::Verb::get, "/metrics", [](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
    co_return http::make_response(req, http::Status::ok, obs::registry().render(),
                                  "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace bella::api
