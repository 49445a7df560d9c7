// The e2e helpers themselves: spawn bella on port 0, talk HTTP, SIGTERM drains to exit code 0.
#include <gtest/gtest.h>

#include <csignal>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace bella::testing {
namespace {

TEST(ServerProcess, StartsOnAFreePortServesAndStopsCleanly) {
  ServerProcess server(EnvVars{});
  ASSERT_NE(server.port(), 0);
  HttpClient client(server.port());
  auto res = client.get("/healthz");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.json()["status"], "ok");
  EXPECT_EQ(res.header("content-type"), "application/json");
  // Keep-alive: a second request on the same client.
  EXPECT_EQ(client.get("/nope").status, 404u);
  EXPECT_EQ(server.stop(), 0) << server.output();
}

TEST(ServerProcess, ReportsAFailedStartWithItsExitCodeAndOutput) {
  auto [code, out] = ServerProcess::run_to_exit(ServerOptions{.env = {{"PORT", "not-a-port"}}});
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("PORT"), std::string::npos) << out;
}

TEST(ServerProcess, ParsesTextAndJsonListeningLines) {
  EXPECT_EQ(parse_listening_port("[info] listening host=127.0.0.1 port=4321 threads=2\n"), 4321);
  EXPECT_EQ(parse_listening_port(R"({"msg":"listening","host":"127.0.0.1","port":"5555"})"), 5555);
  EXPECT_EQ(parse_listening_port("nothing here"), 0);
}

}  // namespace
}  // namespace bella::testing
