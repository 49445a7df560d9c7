// What the operator relies on, against the real bella binary: keep-alive outliving the read
// deadline, /readyz and /metrics detail for the operator only, /version and --version, every
// metric docs/OPERATIONS.md names, gauges right from start-up, structured JSON logs carrying the
// request and the call, and config errors that never print a password.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/http_client.hpp"
#include "support/raw_socket.hpp"
#include "support/server_process.hpp"
#include "twilio/signature.hpp"

namespace bella::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "metrics-token-for-tests-0123456789";

Headers bearer() { return {{"Authorization", std::string("Bearer ") + kToken}}; }

std::string scrape(std::uint16_t port) {
  auto res = http_request(port, "GET", "/metrics", bearer());
  EXPECT_EQ(res.status, 200u) << res.body;
  return res.body;
}

/// The value of the sample `series` (name plus labels exactly as rendered), or NaN if absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nan("");
}

TEST(OpsE2E, IdleKeepAliveConnectionOutlivesTheReadDeadlineAndClosesAfterTheKeepAliveTime) {
  ServerProcess server(EnvVars{{"READ_TIMEOUT_MS", "200"}, {"KEEPALIVE_TIMEOUT_MS", "4000"}});
  RawSocket kept(server.port());
  ASSERT_TRUE(kept.connected());
  ASSERT_NE(kept.healthz(), "");  // now idle, kept alive
  // A fresh connection that sends nothing is dropped after the read deadline...
  RawSocket silent(server.port());
  ASSERT_TRUE(silent.connected());
  ASSERT_TRUE(silent.wait_closed()) << "a silent new connection must be closed at READ_TIMEOUT_MS";
  // ...while the idle keep-alive connection, idle since before it opened, still serves.
  EXPECT_NE(kept.healthz(), "") << "the keep-alive connection was closed at the read deadline";
  // And then it is closed by the server once it has been idle for the keep-alive time.
  EXPECT_TRUE(kept.wait_closed()) << "the idle keep-alive connection was never closed";
}

TEST(OpsE2E, ReadyzGivesTheLoadBalancerOnlyItsStatus) {
  ServerProcess server(EnvVars{{"DATABASE_URL", "postgresql://bella@127.0.0.1:" + std::to_string(closed_port()) + "/x"},
                               {"METRICS_TOKEN", kToken},
                               {"API_KEY", "staff-key-for-tests-0123456789"}});
  auto plain = http_request(server.port(), "GET", "/readyz");
  EXPECT_EQ(plain.status, 503u);
  EXPECT_EQ(plain.body.find("postgres"), std::string::npos) << plain.body;
  EXPECT_EQ(plain.body.find("127.0.0.1"), std::string::npos) << plain.body;
  EXPECT_FALSE(plain.json().contains("checks"));
  for (const Headers& h : {bearer(), Headers{{"X-API-Key", "staff-key-for-tests-0123456789"}}}) {
    auto detailed = http_request(server.port(), "GET", "/readyz", h);
    EXPECT_EQ(detailed.status, 503u);
    EXPECT_EQ(detailed.json()["checks"]["postgres"]["status"], "fail") << detailed.body;
  }
  auto wrong = http_request(server.port(), "GET", "/readyz", {{"Authorization", "Bearer nope"}});
  EXPECT_FALSE(wrong.json().contains("checks"));
}

TEST(OpsE2E, MetricsNeedTheOperatorsCredentials) {
  {
    ServerProcess server(EnvVars{{"METRICS_TOKEN", kToken}});
    EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 401u);
    EXPECT_EQ(http_request(server.port(), "GET", "/metrics", {{"Authorization", "Bearer wrong"}}).status, 401u);
    EXPECT_EQ(http_request(server.port(), "GET", "/metrics", bearer()).status, 200u);
  }
  {
    ServerProcess server(EnvVars{});  // no token, no staff key: closed, never open
    EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 503u);
  }
}

TEST(OpsE2E, VersionIsPublicAndNamesTheBuildOnly) {
  ServerProcess server(EnvVars{});
  auto res = http_request(server.port(), "GET", "/version");
  ASSERT_EQ(res.status, 200u);
  auto body = res.json();
  EXPECT_EQ(body.size(), 2u) << res.body;
  EXPECT_TRUE(std::regex_match(body["version"].get<std::string>(), std::regex(R"(\d+\.\d+\.\d+)"))) << res.body;
  EXPECT_FALSE(body["commit"].get<std::string>().empty());

  auto [code, out] = ServerProcess::run_to_exit(ServerOptions{.args = {"--version"}});
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("bella " + body["version"].get<std::string>()), std::string::npos) << out;
  EXPECT_EQ(out.find("listening"), std::string::npos) << "--version must not start the server: " << out;
}

/// Metric names in the PromQL of docs/OPERATIONS.md's alert table (backticked expressions).
std::set<std::string> documented_alert_metrics() {
  std::ifstream in(std::string(BELLA_SOURCE_DIR) + "/docs/OPERATIONS.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const auto start = doc.find("### Alerts");
  EXPECT_NE(start, std::string::npos) << "docs/OPERATIONS.md has no '### Alerts' section";
  const auto end = doc.find("\n## ", start);
  const std::string section = doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::set<std::string> names;
  const std::regex code("`([^`]+)`");
  const std::regex metric(R"(\b((?:bella|process)_[a-z0-9_]+)\b)");
  for (std::sregex_iterator it(section.begin(), section.end(), code), e; it != e; ++it) {
    const std::string expr = (*it)[1];
    for (std::sregex_iterator m(expr.begin(), expr.end(), metric), me; m != me; ++m) {
      std::string n = (*m)[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0 &&
            n.find("_seconds") != std::string::npos)
          n.resize(n.size() - s.size());
      }
      names.insert(n);
    }
  }
  return names;
}

/// Every `# TYPE name type` of a scrape.
std::map<std::string, std::string> families(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    std::istringstream l(line.substr(7));
    std::string name, type;
    l >> name >> type;
    out[name] = type;
  }
  return out;
}

TEST(OpsE2E, EveryMetricInTheDocumentedAlertsIsExportedFromStartUp) {
  ServerProcess server(EnvVars{{"METRICS_TOKEN", kToken}});
  const auto text = scrape(server.port());
  const auto fams = families(text);
  const auto documented = documented_alert_metrics();
  EXPECT_GE(documented.size(), 5u);
  for (const auto& name : documented) EXPECT_TRUE(fams.count(name)) << name << " is in OPERATIONS.md's alerts but not in /metrics";
  // Also the table of metrics: every name in its first column.
  std::ifstream in(std::string(BELLA_SOURCE_DIR) + "/docs/OPERATIONS.md");
  const std::regex row(R"(^\| `((?:bella|process)_[a-z0-9_]+)`)");
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    ++rows;
    EXPECT_TRUE(fams.count(m[1])) << m[1] << " is in OPERATIONS.md's metric table but not in /metrics";
  }
  EXPECT_GE(rows, 10);
}

TEST(OpsE2E, CountersAreAtZeroAndProcessAndBuildMetricsExistBeforeAnyCall) {
  ServerProcess server(EnvVars{{"METRICS_TOKEN", kToken}});
  const auto text = scrape(server.port());
  for (const auto& [name, type] : families(text)) {
    if (type != "counter") continue;
    const bool has_sample = text.find("\n" + name + " ") != std::string::npos || text.find("\n" + name + "{") != std::string::npos;
    EXPECT_TRUE(has_sample) << "counter " << name << " has no sample before it first moves";
  }
  EXPECT_EQ(sample(text, "bella_calls_started_total"), 0);
  EXPECT_EQ(sample(text, "bella_calls_booked_total"), 0);
  EXPECT_EQ(sample(text, "bella_bookings_total{outcome=\"error\"}"), 0);
  EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(sample(text, "process_open_fds"), 2);
  EXPECT_GE(sample(text, "process_cpu_seconds_total"), 0);
  EXPECT_GT(sample(text, "process_start_time_seconds"), 1.6e9);
  const std::regex build(R"(bella_build_info\{commit="[^"]+",version="\d+\.\d+\.\d+"\} 1)");
  EXPECT_TRUE(std::regex_search(text, build)) << text.substr(0, 2000);
}

TEST(OpsE2E, SessionBackendGaugeNeverSaysRedisWhenRedisIsDownAtStart) {
  ServerProcess server(EnvVars{{"METRICS_TOKEN", kToken},
                               {"REDIS_URL", "redis://127.0.0.1:" + std::to_string(closed_port()) + "/0"},
                               {"REDIS_PROBE_INTERVAL_MS", "100"}});
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  bool memory = false;
  while (!memory && std::chrono::steady_clock::now() < deadline) {
    const auto text = scrape(server.port());
    EXPECT_NE(sample(text, "bella_session_store_backend{backend=\"redis\"}"), 1) << "redis reported while down";
    memory = sample(text, "bella_session_store_backend{backend=\"memory\"}") == 1;
    if (!memory) std::this_thread::sleep_for(50ms);  // polling interval, not a synchronisation
  }
  EXPECT_TRUE(memory) << "the gauge never switched to memory without a call";
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    try {
      lines.push_back(nlohmann::json::parse(line));
    } catch (const std::exception&) {
      ADD_FAILURE() << "not a JSON line: " << line;
    }
  }
  return lines;
}

TEST(OpsE2E, JsonLogLinesAreObjectsCarryingTheRequestAndTheCall) {
  // An unreachable LLM with a breaker that opens on the first failure: the LLM room logs inside
  // the webhook request, and must carry the request's and the call's fields too.
  ServerProcess server(ServerOptions{.env = {{"LOG_FORMAT", "json"},
                                             {"LOG_LEVEL", "info"},
                                             {"TZ", "America/Edmonton"},
                                             {"OPENAI_API_KEY", "sk-test"},
                                             {"OPENAI_BASE_URL", "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1"},
                                             {"LLM_BREAKER_FAILURES", "1"},
                                             {"ALLOW_UNSIGNED_WEBHOOKS", "true"}}});
  const std::string sid = "CA0123456789abcdef0123456789abcdef";
  const std::string form = "CallSid=" + sid + "&From=%2B14035550123&To=%2B14035550100&AccountSid=AC0";
  HttpClient client(server.port());
  auto start = client.post("/twilio/voice", form, {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(start.status, 200u) << start.body;
  auto turn = client.post("/twilio/voice/collect?turn=1", form + "&SpeechResult=um%2C%20what%20was%20the%20question",
                          {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Request-Id", "req-turn-1"}});
  ASSERT_EQ(turn.status, 200u) << turn.body;
  ASSERT_TRUE(server.wait_for_output("\"path\":\"/twilio/voice/collect\"", 10s)) << server.output();
  EXPECT_EQ(server.stop(), 0);

  const std::regex ts(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical"};
  bool saw_turn = false, saw_breaker = false;
  for (const auto& line : json_lines(server.output())) {
    ASSERT_TRUE(line.is_object());
    EXPECT_TRUE(std::regex_match(line.value("ts", ""), ts)) << line.dump();
    EXPECT_TRUE(levels.count(line.value("level", ""))) << line.dump();
    const std::string msg = line.value("msg", "");
    for (const char* key : {"call_sid=", "request_id=", "turn=", "status="})
      EXPECT_EQ(msg.find(key), std::string::npos) << "a field inside msg: " << line.dump();
    if (line.contains("request_id") && line["request_id"] == "req-turn-1") {
      EXPECT_EQ(line.value("call_sid", ""), sid) << line.dump();
      EXPECT_EQ(line.value("turn", -1), 1) << line.dump();
      if (line["msg"] == "turn") saw_turn = true;
      if (line["msg"] == "llm breaker opened") saw_breaker = true;
    }
    if (line.contains("call_sid")) {
      EXPECT_TRUE(line.contains("request_id")) << line.dump();
      EXPECT_TRUE(line.contains("turn")) << line.dump();
    }
    if (line.value("msg", "") == "request" && line.value("path", "").rfind("/twilio/", 0) == 0) {
      EXPECT_EQ(line.value("call_sid", ""), sid) << line.dump();
      EXPECT_TRUE(line["status"].is_number()) << line.dump();
      EXPECT_TRUE(line["duration_us"].is_number()) << line.dump();
    }
    EXPECT_EQ(line.dump().find("4035550123"), std::string::npos) << "a phone number in the log: " << line.dump();
  }
  EXPECT_TRUE(saw_turn) << server.output();
  EXPECT_TRUE(saw_breaker) << "no 'llm breaker opened' line carrying the request: " << server.output();
}

TEST(OpsE2E, ConfigErrorsNeverPrintAPassword) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"DATABASE_URL", "postgresql://bella:hunter2sec%zz@db.example:5432/bella"},
      {"DATABASE_URL", "postgresql://bella:hunter2sec@db.example:notaport/bella"},
      {"DATABASE_URL", "postgresql://bella@db.example:5432/bella?password=hunter2sec&bogus_option=1"},
      {"REDIS_URL", "redis://:hunter2sec@cache.example:99999/0"},
      {"REDIS_URL", "redis://hunter2sec@cache.example:bad/0"},
  };
  for (const auto& [name, value] : bad) {
    auto [code, out] = ServerProcess::run_to_exit(ServerOptions{.env = {{name, value}}});
    EXPECT_EQ(code, 2) << out;
    EXPECT_NE(out.find(name), std::string::npos) << out;
    EXPECT_EQ(out.find("hunter2"), std::string::npos) << "password printed: " << out;
  }
}

std::size_t count_of(const std::string& hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

const Headers kForm{{"Content-Type", "application/x-www-form-urlencoded"}};

TEST(OpsE2E, WebhooksWithoutATokenAreRefusedAndTheirWarningIsRateLimited) {
  // Defect 3 (fail closed) and 8 (one warning per refused webhook, without limit).
  ServerProcess server(EnvVars{{"METRICS_TOKEN", kToken}});
  const std::string form = "CallSid=CA0123456789abcdef0123456789abcdef&From=anonymous&To=anonymous";
  HttpClient client(server.port());
  for (int i = 0; i < 200; ++i) {
    const auto res = client.post(i % 2 ? "/twilio/voice" : "/twilio/voice/collect?turn=1", form, kForm);
    ASSERT_EQ(res.status, 403u) << res.body;
  }
  EXPECT_EQ(sample(scrape(server.port()), "bella_twilio_webhooks_refused_total{reason=\"no_token\"}"), 200);
  EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 200u);  // no dependency configured
  EXPECT_EQ(server.stop(), 0);
  const auto out = server.output();
  EXPECT_NE(out.find("every Twilio webhook is refused"), std::string::npos) << out;
  EXPECT_LT(count_of(out, "twilio webhook refused"), 20u) << out;
  EXPECT_NE(out.find("suppressed="), std::string::npos) << out;
}

TEST(OpsE2E, UnsignedWebhooksNeedAnExplicitSettingThatIsWarnedAndReportedByReadyz) {
  ServerProcess server(EnvVars{{"ALLOW_UNSIGNED_WEBHOOKS", "true"}, {"METRICS_TOKEN", kToken}});
  const auto res = http_request(server.port(), "POST", "/twilio/voice",
                                {{"Content-Type", "application/x-www-form-urlencoded"}},
                                "CallSid=CA0123456789abcdef0123456789abcdef&From=anonymous&To=anonymous");
  EXPECT_EQ(res.status, 200u) << res.body;
  const auto ready = http_request(server.port(), "GET", "/readyz", bearer());
  EXPECT_EQ(ready.status, 200u) << ready.body;
  EXPECT_EQ(ready.json()["checks"]["webhook_signatures"]["status"], "warn") << ready.body;
  EXPECT_NE(server.output().find("ALLOW_UNSIGNED_WEBHOOKS=true"), std::string::npos) << server.output();
  EXPECT_EQ(server.stop(), 0);
}

/// Keys in the test Redis whose name contains `needle` (redis-cli --scan).
std::size_t redis_keys_with(const std::string& needle) {
  const char* url = std::getenv("BELLA_TEST_REDIS_URL");
  if (!url) return 0;
  const std::string cmd = std::string("redis-cli -u '") + url + "' --scan --pattern '*" + needle + "*'";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return 0;
  std::string out;
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  ::pclose(pipe);
  return static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
}

TEST(OpsE2E, ASignedCompletedCallStatusDeletesTheSessionAndItsRepliesAtOnce) {
  const char* redis = std::getenv("BELLA_TEST_REDIS_URL");
  ASSERT_TRUE(redis) << "run through scripts/test (BELLA_TEST_REDIS_URL)";
  constexpr const char* kTwilioToken = "twilio-token-for-tests";
  constexpr const char* kBase = "https://bella.example.test";
  ServerProcess server(EnvVars{{"REDIS_URL", redis}, {"TWILIO_AUTH_TOKEN", kTwilioToken}, {"PUBLIC_BASE_URL", kBase}});
  const std::string sid = "CA" + std::string("5ab1e0") + std::to_string(::getpid()) + "0000000000000000000000000";
  const std::string call_sid = sid.substr(0, 34);
  HttpClient client(server.port());
  auto post = [&](const std::string& target, twilio::Params params) {
    Headers h = kForm;
    h.emplace_back("X-Twilio-Signature", twilio::sign(kTwilioToken, kBase + target, params));
    return client.post(target, twilio::form_encode(params), h);
  };
  const twilio::Params call{{"CallSid", call_sid}, {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
                            {"From", "anonymous"}, {"To", "anonymous"}, {"CallStatus", "in-progress"}};
  ASSERT_EQ(post("/twilio/voice", call).status, 200u);
  auto turn = call;
  turn.emplace_back("SpeechResult", "my name is Sarah Johnson");
  ASSERT_EQ(post("/twilio/voice/collect?turn=1", turn).status, 200u);
  EXPECT_GE(redis_keys_with(call_sid), 2u) << "the session and the turns' replies are in Redis";

  auto ended = call;
  ended[4].second = "completed";
  ended.emplace_back("CallDuration", "42");
  // Unsigned: refused, and nothing is deleted.
  EXPECT_EQ(client.post("/twilio/voice/status", twilio::form_encode(ended), kForm).status, 403u);
  EXPECT_GE(redis_keys_with(call_sid), 2u);
  // A status that is not the end of the call deletes nothing either.
  auto ringing = call;
  ringing[4].second = "ringing";
  EXPECT_EQ(post("/twilio/voice/status", ringing).status, 204u);
  EXPECT_GE(redis_keys_with(call_sid), 2u);
  EXPECT_EQ(post("/twilio/voice/status", ended).status, 204u);
  EXPECT_EQ(redis_keys_with(call_sid), 0u) << "the call's keys outlived its completed status callback";
  EXPECT_EQ(server.stop(), 0);
}

TEST(OpsE2E, BellaCallSignsWithTheTokenFileScriptsRunWrites) {
  constexpr const char* kTwilioToken = "local-dev-token-0123456789abcdef";
  ServerProcess server(EnvVars{{"TWILIO_AUTH_TOKEN", kTwilioToken}});
  const auto file = std::filesystem::temp_directory_path() / ("bella-dev-token-" + std::to_string(::getpid()));
  std::ofstream(file) << kTwilioToken << "\n";
  auto run = [&](const std::string& args) {
    const std::string cmd = std::string(BELLA_CALL_BINARY) + " --url " + server.base_url() + " " + args +
                            " < /dev/null 2>&1";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf{};
    while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  };
  const auto [signed_code, signed_out] = run("--token-file " + file.string());
  EXPECT_EQ(signed_code, 0) << signed_out;
  EXPECT_NE(signed_out.find("Bella:"), std::string::npos) << signed_out;
  const auto [unsigned_code, unsigned_out] = run("--token-file /dev/null");
  EXPECT_EQ(unsigned_code, 2) << unsigned_out;
  std::filesystem::remove(file);
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace bella::testing
