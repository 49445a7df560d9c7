// The HTTP foundation over real sockets against the real bella binary: health, readiness both
// ways, routing errors, limits, keep-alive, slow clients, graceful drain and configuration errors.
#include <gtest/gtest.h>

#include <poll.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <future>
#include <memory>
#include <vector>
#include <thread>

#include "support/http_client.hpp"
#include "support/raw_socket.hpp"
#include "support/server_process.hpp"

namespace bella::testing {
namespace {

std::string env_or_fail(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) {
    ADD_FAILURE() << name << " is not set: run the tests through scripts/test, which starts PostgreSQL and Redis";
    return {};
  }
  return v;
}

/// A listening socket that never accepts or answers: connections hang, as with a stalled server.
class BlackHole {
 public:
  BlackHole() { fd_ = listen_loopback(16, port_); }
  ~BlackHole() {
    for (int c : accepted_) ::close(c);
    ::close(fd_);
  }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }

  /// Takes every connection already waiting (kept open, never answered); returns how many.
  int accept_pending() {
    int n = 0;
    while (accept_within(0)) ++n;
    return n;
  }
  /// Waits up to `timeout_ms` for one more connection: the signal that a client is now stuck here.
  bool accept_within(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return false;
    accepted_.push_back(c);
    return true;
  }

 private:
  int fd_ = -1;
  std::vector<int> accepted_;
  std::uint16_t port_ = 0;
};


TEST(ServerE2E, HealthzIsOkWithoutBackends) {
  ServerProcess server(EnvVars{});
  auto res = http_request(server.port(), "GET", "/healthz");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.json(), nlohmann::json({{"status", "ok"}}));
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  EXPECT_FALSE(res.header("X-Request-Id").empty());
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerE2E, RequestIdIsEchoedAndLogged) {
  ServerProcess server(EnvVars{});
  auto res = http_request(server.port(), "GET", "/healthz", {{"X-Request-Id", "trace-abc-123"}});
  EXPECT_EQ(res.header("X-Request-Id"), "trace-abc-123");
  EXPECT_TRUE(server.wait_for_output("request_id=trace-abc-123", std::chrono::seconds(5)));
  EXPECT_NE(server.output().find("duration_us="), std::string::npos);
}

TEST(ServerE2E, ReadyzIsOkWhenPostgresAndRedisAnswer) {
  const auto pg = env_or_fail("BELLA_TEST_DATABASE_URL");
  const auto redis = env_or_fail("BELLA_TEST_REDIS_URL");
  ServerProcess server(EnvVars{{"DATABASE_URL", pg}, {"REDIS_URL", redis}, {"METRICS_TOKEN", "t0ken"}});
  auto res = http_request(server.port(), "GET", "/readyz", {{"Authorization", "Bearer t0ken"}});
  EXPECT_EQ(res.status, 200u) << res.body;
  auto body = res.json();
  EXPECT_EQ(body["checks"]["postgres"]["status"], "ok");
  EXPECT_EQ(body["checks"]["redis"]["status"], "ok");
}

TEST(ServerE2E, ReadyzIs503NamingWhatIsDown) {
  const auto pg_port = closed_port();
  const auto redis_port = closed_port();
  ServerProcess server(EnvVars{{"DATABASE_URL", "postgresql://postgres@127.0.0.1:" + std::to_string(pg_port) + "/x"},
                               {"REDIS_URL", "redis://127.0.0.1:" + std::to_string(redis_port) + "/0"},
                               {"METRICS_TOKEN", "t0ken"}});
  auto res = http_request(server.port(), "GET", "/readyz", {{"Authorization", "Bearer t0ken"}});
  EXPECT_EQ(res.status, 503u);
  EXPECT_EQ(res.header("Content-Type"), "application/problem+json");
  auto body = res.json();
  EXPECT_EQ(body["checks"]["postgres"]["status"], "fail");
  EXPECT_EQ(body["checks"]["redis"]["status"], "fail");
  EXPECT_NE(body["detail"].get<std::string>().find("postgres"), std::string::npos);
  // Liveness does not depend on the backends.
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200u);
}

TEST(ServerE2E, ReadyzProbeHasADeadline) {
  BlackHole stalled;
  ServerProcess server(EnvVars{{"DATABASE_URL", "postgresql://postgres@127.0.0.1:" + std::to_string(stalled.port()) + "/x"},
                               {"READY_TIMEOUT_MS", "300"},
                               {"METRICS_TOKEN", "t0ken"}});
  auto res = http_request(server.port(), "GET", "/readyz", {{"Authorization", "Bearer t0ken"}});
  EXPECT_EQ(res.status, 503u);
  EXPECT_NE(res.json()["checks"]["postgres"]["error"].get<std::string>().find("no answer within 300 ms"),
            std::string::npos)
      << res.body;
}

TEST(ServerE2E, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  ServerProcess server(EnvVars{});
  auto missing = http_request(server.port(), "GET", "/nope");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(missing.json()["status"], 404);
  auto wrong = http_request(server.port(), "DELETE", "/healthz");
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(wrong.header("Allow"), "GET");
}

TEST(ServerE2E, OversizedBodyIs413) {
  ServerProcess server(EnvVars{{"MAX_BODY_BYTES", "2048"}});
  auto res = http_request(server.port(), "POST", "/healthz", {{"Content-Type", "text/plain"}}, std::string(10'000, 'x'));
  EXPECT_EQ(res.status, 413u);
  EXPECT_EQ(res.header("Content-Type"), "application/problem+json");
  // The server is still fine afterwards.
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200u);
}

TEST(ServerE2E, KeepAliveServesSeveralRequestsOnOneConnection) {
  ServerProcess server(EnvVars{});
  RawSocket sock(server.port());
  ASSERT_TRUE(sock.connected());
  ASSERT_TRUE(sock.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = sock.read_until("{\"status\":\"ok\"}");
  EXPECT_NE(first.find("HTTP/1.1 200"), std::string::npos);
  // Same socket, second and third request (pipelined).
  ASSERT_TRUE(sock.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto more = sock.read_until("HTTP/1.1 404");
  EXPECT_NE(more.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(more.find("HTTP/1.1 404"), std::string::npos);
  EXPECT_FALSE(sock.saw_eof());
}

TEST(ServerE2E, TricklingClientIsDropped) {
  ServerProcess server(EnvVars{{"READ_TIMEOUT_MS", "400"}});
  RawSocket sock(server.port());
  ASSERT_TRUE(sock.connected());
  // One byte every 100 ms: the request would take ~3 s, far past the 400 ms read deadline.
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: aaaaaaa\r\n\r\n";
  bool refused = false;
  for (char c : request) {
    if (!sock.send(std::string_view(&c, 1))) {
      refused = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto got = sock.read_until("HTTP/1.1");
  EXPECT_TRUE(refused || sock.saw_eof()) << "server kept a trickling connection open";
  EXPECT_EQ(got.find("200 OK"), std::string::npos) << "a trickled request must not be served";
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200u);
}

TEST(ServerE2E, ConnectionCapRefusesTheExtraConnection) {
  ServerProcess server(EnvVars{{"MAX_CONNECTIONS", "2"}});
  RawSocket a(server.port()), b(server.port());
  ASSERT_TRUE(a.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(a.read_until("\"ok\"}").find("200 OK"), std::string::npos);
  EXPECT_NE(b.read_until("\"ok\"}").find("200 OK"), std::string::npos);
  RawSocket c(server.port());
  auto third = c.read_all();  // the server closes after its 503
  EXPECT_NE(third.find("503"), std::string::npos) << third;
  // Defect 5: the 503 declared Content-Length 79 and sent 77 bytes.
  EXPECT_TRUE(content_length_matches(third)) << third;
  EXPECT_TRUE(c.saw_eof());
}

/// Opens `n` connections and sends each a keep-alive /healthz; counts the 200s and the 503s (a
/// connection left unanswered until the receive guard expires counts as neither).
struct Outcome {
  int ok = 0, busy = 0, silent = 0;
};
Outcome flood(std::uint16_t port, int n, std::vector<std::unique_ptr<RawSocket>>& held) {
  Outcome out;
  for (int i = 0; i < n; ++i) {
    auto s = std::make_unique<RawSocket>(port, std::chrono::milliseconds(3000));
    if (!s->connected() || !s->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) {
      ++out.silent;
      continue;
    }
    const auto got = s->read_until("}");  // the end of either JSON body
    if (got.find(" 200 ") != std::string::npos) {
      ++out.ok;
    } else if (got.find(" 503 ") != std::string::npos) {
      ++out.busy;
    } else {
      ++out.silent;
      if (out.silent >= 3) break;  // enough to fail; do not wait out every guard
    }
    held.push_back(std::move(s));  // kept open: each one holds a descriptor in the server
  }
  return out;
}

TEST(ServerE2E, RaisesItsSoftFileLimitToTheHardOneAtStart) {
  // Defect 6: Fargate's default soft nofile (1024 there, 200 here) capped connections far below
  // MAX_CONNECTIONS, and the extra clients timed out.
  ServerProcess server(ServerOptions{.env = {{"MAX_CONNECTIONS", "1024"}}, .nofile = std::pair{200ul, 4096ul}});
  EXPECT_NE(server.output().find("file descriptor limit"), std::string::npos) << server.output();
  EXPECT_NE(server.output().find("soft=4096"), std::string::npos) << server.output();
  std::vector<std::unique_ptr<RawSocket>> held;
  const auto o = flood(server.port(), 400, held);
  EXPECT_EQ(o.ok, 400) << o.busy << " refused, " << o.silent << " unanswered";
  held.clear();
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServerE2E, OutOfDescriptorsClientsGetAFast503NotATimeout) {
  // The hard limit is low too (a task definition without ulimits): past it accept() fails with
  // EMFILE; every extra client must still be answered, 503 at once, and the server recovers.
  ServerProcess server(ServerOptions{.env = {{"MAX_CONNECTIONS", "1024"}, {"METRICS_TOKEN", "t0ken"}},
                                     .nofile = std::pair{150ul, 150ul}});
  EXPECT_NE(server.output().find("MAX_CONNECTIONS cannot be reached"), std::string::npos) << server.output();
  std::vector<std::unique_ptr<RawSocket>> held;
  const auto o = flood(server.port(), 250, held);
  EXPECT_EQ(o.silent, 0) << o.ok << " served, " << o.busy << " refused";
  EXPECT_GT(o.ok, 50);
  EXPECT_GT(o.busy, 50);
  held.clear();
  // Descriptors are back: the server serves again (a few tries while it notices the closes).
  unsigned status = 0;
  for (int i = 0; i < 50 && status != 200u; ++i) {
    status = http_request(server.port(), "GET", "/healthz").status;
    if (status != 200u) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // retry interval
  }
  EXPECT_EQ(status, 200u);
  const auto metrics = http_request(server.port(), "GET", "/metrics", {{"Authorization", "Bearer t0ken"}});
  EXPECT_NE(metrics.body.find("bella_http_connections_refused_total{reason=\"nofile\"}"), std::string::npos);
  EXPECT_EQ(server.stop(), 0);
  const auto log = server.output();
  std::size_t warnings = 0;
  for (auto at = log.find("accept failed"); at != std::string::npos; at = log.find("accept failed", at + 1)) ++warnings;
  EXPECT_GE(warnings, 1u) << log;
  EXPECT_LT(warnings, 20u) << "one warning per refused connection: " << log;
}

TEST(ServerE2E, SigtermDrainsTheInFlightRequestAndExitsZero) {
  BlackHole stalled;  // /readyz will wait on it for READY_TIMEOUT_MS: an in-flight request
  ServerProcess server(EnvVars{{"DATABASE_URL", "postgresql://postgres@127.0.0.1:" + std::to_string(stalled.port()) + "/x"},
                               {"READY_TIMEOUT_MS", "1500"}});
  stalled.accept_pending();  // start-up's migration attempt
  auto in_flight = std::async(std::launch::async, [port = server.port()] { return http_request(port, "GET", "/readyz"); });
  // The probe's connection arriving at the black hole is the sign that /readyz is in flight.
  ASSERT_TRUE(stalled.accept_within(5000));
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_output("draining", std::chrono::seconds(5)));
  // New connections are no longer accepted while draining.
  RawSocket late(server.port());
  EXPECT_TRUE(!late.connected() || (late.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), late.read_until("\r\n\r\n").empty()));
  auto res = in_flight.get();
  EXPECT_EQ(res.status, 503u);  // answered, not cut off
  EXPECT_EQ(server.wait(), 0);
}

TEST(ServerE2E, IdleKeepAliveConnectionDoesNotDelayShutdown) {
  ServerProcess server(EnvVars{{"DRAIN_TIMEOUT_MS", "20000"}});
  RawSocket idle(server.port());
  ASSERT_TRUE(idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  idle.read_until("\"ok\"}");
  // The idle connection is closed at once: the server exits cleanly without reaching its 20 s
  // drain deadline (which it would log).
  EXPECT_EQ(server.stop(std::chrono::seconds(30)), 0);
  EXPECT_EQ(server.output().find("drain deadline passed"), std::string::npos) << server.output();
}

struct BadConfig {
  const char* variable;
  const char* value;
};

class ConfigErrorE2E : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrorE2E, StopsStartUpWithExitCode2NamingTheVariable) {
  const auto& bad = GetParam();
  auto [code, output] = ServerProcess::run_to_exit(ServerOptions{.env = {{bad.variable, bad.value}}});
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find(bad.variable), std::string::npos) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << "one line, got: " << output;
}

INSTANTIATE_TEST_SUITE_P(Variables, ConfigErrorE2E,
                         ::testing::Values(BadConfig{"PORT", "abc"}, BadConfig{"PORT", "70000"},
                                           BadConfig{"DATABASE_URL", "postgres://u@host:notaport/db"},
                                           BadConfig{"DATABASE_URL", "mysql://nope"},
                                           BadConfig{"REDIS_URL", "http://localhost"},
                                           BadConfig{"LOG_LEVEL", "loud"}, BadConfig{"LOG_FORMAT", "xml"},
                                           BadConfig{"BUSINESS_TZ", "Mars/Olympus"},
                                           BadConfig{"APPOINTMENT_MINUTES", "0"},
                                           BadConfig{"PUBLIC_BASE_URL", "ftp://x"},
                                           BadConfig{"BUSINESS_HOURS", "Mon-Fri 9 to 5"},
                                           BadConfig{"OPTIONAL_HOLIDAYS", "pancake_day"},
                                           BadConfig{"FRONT_DESK_NUMBER", "front desk"},
                                           BadConfig{"TWILIO_SPEECH_TIMEOUT", "auto"},
                                           BadConfig{"SMS_FROM", "clinic"},
                                           BadConfig{"TWILIO_MESSAGING_SERVICE_SID", "XX123"},
                                           BadConfig{"TWILIO_API_BASE_URL", "ftp://x"},
                                           BadConfig{"TWILIO_API_KEY_SID", "SK123"},
                                           BadConfig{"SMS_REMINDER_LEAD_MINUTES", "0"},
                                           BadConfig{"SMS_RETRY_BASE_MS", "60000"},
                                           BadConfig{"LLM_BREAKER_FAILURES", "0"},
                                           BadConfig{"LLM_BREAKER_COOLDOWN_MS", "soon"}),
                         [](const auto& param_info) {
                           std::string n = std::string(param_info.param.variable) + "_" + std::to_string(param_info.index);
                           return n;
                         });

}  // namespace
}  // namespace bella::testing
