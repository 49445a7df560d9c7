// Health, readiness, version and metrics routes.
#include "api/health.hpp"

#include <memory>

#include "api_reference.hpp"
#include "api/auth.hpp"
#include "bella/core/version.hpp"
#include "obs/metrics.hpp"

namespace bella::api {

bool operator_authorized(const http::Request& req, const std::string& metrics_token, const std::string& api_key) {
  bool ok = false;
  if (!metrics_token.empty()) {
    if (auto it = req.find(http::Field::authorization); it != req.end()) {
      constexpr std::string_view kBearer = "Bearer ";
      std::string_view v = it->value();
      if (v.size() > kBearer.size() && v.substr(0, kBearer.size()) == kBearer)
        ok = api_key_matches(metrics_token, v.substr(kBearer.size())) || ok;
    }
  }
  if (!api_key.empty()) {
    if (auto it = req.find("X-API-Key"); it != req.end()) ok = api_key_matches(api_key, it->value()) || ok;
  }
  return ok;
}

void add_health_routes(http::Router& router, HealthDeps deps) {
  // GET /healthz: the process is alive and its loop turns. No I/O: the ALB calls it every few seconds.
  router.add(http::Verb::get, "/healthz", [](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
    co_return http::make_response(req, http::Status::ok, R"({"status":"ok"})", "application/json");
  });

  // GET /version: which build answers. Public on purpose: version and commit only, nothing else.
  router.add(http::Verb::get, "/version", [](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
    co_return http::json_response(req, http::Status::ok,
                                  {{"version", std::string(version())}, {"commit", std::string(commit())}});
  });

  // GET /readyz: every configured dependency answers within its deadline; else 503. The load
  // balancer sees only the status; which dependency failed and why (host names, driver errors)
  // is shown to the operator's credentials only.
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
    for (const auto& [name, why] : shared->warnings) checks[name] = {{"status", "warn"}, {"error", why}};
    const bool detail = operator_authorized(req, shared->metrics_token, shared->api_key);
    if (failed.empty()) {
      nlohmann::json body = {{"status", "ok"}};
      if (detail) body["checks"] = checks;
      co_return http::json_response(req, http::Status::ok, body);
    }
    if (!detail) co_return http::problem(req, http::Status::service_unavailable, "Not Ready");
    std::string names;
    for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
    auto res = http::problem(req, http::Status::service_unavailable, "Not Ready", "Unavailable: " + names,
                             {{"checks", checks}});
    co_return res;
  });

  // GET /docs/: the API reference, one self-contained HTML page (no CDN, works offline).
  router.add(http::Verb::get, "/docs", [](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
    const auto page = api_reference_html();
    if (page.empty()) co_return http::problem(req, http::Status::not_found, "Not Found", "This build has no docs/api.html.");
    auto res = http::make_response(req, http::Status::ok, std::string(page), "text/html; charset=utf-8");
    co_return res;
  });

  // GET /metrics: Prometheus text exposition format, for the operator's scraper only.
  router.add(http::Verb::get, "/metrics", [shared](const http::Request& req, http::RequestContext&) -> Task<http::Response> {
    if (shared->metrics_token.empty() && shared->api_key.empty()) {
      co_return http::problem(req, http::Status::service_unavailable, "Metrics Disabled",
                              "Set METRICS_TOKEN to scrape /metrics.");
    }
    if (!operator_authorized(req, shared->metrics_token, shared->api_key)) {
      auto res = http::problem(req, http::Status::unauthorized, "Unauthorized",
                               "Send Authorization: Bearer <METRICS_TOKEN>.");
      res.set(http::Field::www_authenticate, "Bearer realm=\"bella-metrics\"");
      co_return res;
    }
    co_return http::make_response(req, http::Status::ok, obs::registry().render(),
                                  "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace bella::api
