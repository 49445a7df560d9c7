// Router: matching, 404 vs 405 with Allow, HEAD, and the one catch.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "bella/http/router.hpp"
#include "obs/metrics.hpp"

namespace bella::http {
namespace {

Response run(const Router& router, Verb verb, std::string target) {
  asio::io_context ioc;
  Request req{verb, target, 11};
  Response out;
  RequestContext ctx;
  asio::co_spawn(ioc, [&]() -> Task<void> { out = co_await router.dispatch(req, ctx); }, asio::detached);
  ioc.run();
  return out;
}

Router sample() {
  Router r;
  r.add(Verb::get, "/things/{id}", [](const Request& req, RequestContext& ctx) -> Task<Response> {
    co_return make_response(req, Status::ok, std::string(ctx.param("id")), "text/plain");
  });
  r.add(Verb::delete_, "/things/{id}", [](const Request& req, RequestContext&) -> Task<Response> {
    co_return make_response(req, Status::no_content, "", "text/plain");
  });
  r.add(Verb::get, "/boom", [](const Request&, RequestContext&) -> Task<Response> {
    throw std::runtime_error("kaput");
    co_return Response{};
  });
  r.add(Verb::get, "/down", [](const Request&, RequestContext&) -> Task<Response> {
    throw Unavailable("postgres", "db down");
    co_return Response{};
  });
  return r;
}

TEST(Router, MatchesPathParametersAndDecodesThem) {
  auto res = run(sample(), Verb::get, "/things/a%20b?x=1");
  EXPECT_EQ(res.result(), Status::ok);
  EXPECT_EQ(res.body(), "a b");
}

TEST(Router, UnknownPathIs404Problem) {
  auto res = run(sample(), Verb::get, "/nope");
  EXPECT_EQ(res.result(), Status::not_found);
  EXPECT_EQ(res[Field::content_type], "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["status"], 404);
}

TEST(Router, WrongMethodIs405WithAllow) {
  auto res = run(sample(), Verb::post, "/things/7");
  EXPECT_EQ(res.result(), Status::method_not_allowed);
  EXPECT_EQ(res[Field::allow], "GET, DELETE");
}

TEST(Router, HeadUsesGetWithoutBody) {
  auto res = run(sample(), Verb::head, "/things/7");
  EXPECT_EQ(res.result(), Status::ok);
  EXPECT_TRUE(res.body().empty());
}

TEST(Router, ExceptionBecomes500ProblemWithoutDetailLeak) {
  auto res = run(sample(), Verb::get, "/boom");
  EXPECT_EQ(res.result(), Status::internal_server_error);
  EXPECT_EQ(res.body().find("kaput"), std::string::npos);
  EXPECT_FALSE(res["X-Request-Id"].empty());
}

TEST(Router, UnavailableBecomes503) {
  auto res = run(sample(), Verb::get, "/down");
  EXPECT_EQ(res.result(), Status::service_unavailable);
  EXPECT_EQ(res[Field::retry_after], "1");
}

TEST(Router, RequestIdIsTakenFromHeaderWhenSane) {
  Request req{Verb::get, "/", 11};
  req.set("X-Request-Id", "abc-123");
  EXPECT_EQ(request_id_for(req), "abc-123");
  req.set("X-Request-Id", std::string(200, 'x'));
  EXPECT_EQ(request_id_for(req).size(), 16u);
}

TEST(Form, DecodesPlusAndPercentAndKeepsEmptyValues) {
  auto form = parse_form("SpeechResult=&From=%2B14035550123&Text=it%27s+me&Text=again");
  ASSERT_EQ(form.size(), 4u);
  EXPECT_EQ(form[0].second, "");
  EXPECT_EQ(form[1].second, "+14035550123");
  EXPECT_EQ(form[2].second, "it's me");
  EXPECT_EQ(*form_value(form, "Text"), "it's me");
}

TEST(Router, MetricLabelsComeFromClosedSetsWhateverTheClientSends) {
  // Defect 4: every random method name became its own series; /metrics grew without bound.
  const Router router = sample();
  asio::io_context ioc;
  asio::co_spawn(
      ioc,
      [&]() -> Task<void> {
        for (int i = 0; i < 2000; ++i) {
          Request req{Verb::get, i % 2 ? "/nope/" + std::to_string(i) : "/things/" + std::to_string(i), 11};
          req.method_string("M" + std::to_string(i));
          RequestContext ctx;
          (void)co_await router.dispatch(req, ctx);
        }
      },
      asio::detached);
  ioc.run();
  const std::string text = obs::registry().render();
  std::size_t series = 0, other = 0;
  for (std::size_t at = text.find("\nbella_http_requests_total{"); at != std::string::npos;
       at = text.find("\nbella_http_requests_total{", at + 1)) {
    ++series;
    const auto eol = text.find('\n', at + 1);
    const auto line = text.substr(at + 1, eol - at - 1);
    if (line.find("method=\"other\"") != std::string::npos) ++other;
    EXPECT_EQ(line.find("method=\"M"), std::string::npos) << line;
  }
  EXPECT_GE(other, 2u);      // unknown methods: one "other" per route label and status
  EXPECT_LE(series, 40u) << "bella_http_requests_total has " << series << " series";
  EXPECT_LT(text.size(), 64u * 1024) << "/metrics grew to " << text.size() << " bytes";
}

}  // namespace
}  // namespace bella::http
