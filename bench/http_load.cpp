// bella-load: a bounded HTTP load driver for a local bella. Loopback only, bounded by request
// count and wall time: it stops by itself.
//
// GET mode: N keep-alive connections send GETs as fast as answers come back; prints throughput
// and latency percentiles.
//   bella-load --port 8000 [--path /healthz] [--connections 32] [--requests 20000] [--seconds 20]
//
// Fallback mode (--calls N): N phone calls are walked through Twilio webhooks (signed when
// --token is given, over --public-base) up to the time question; then all N answer at once with
// an utterance the parsers cannot read (--utterance), so each turn waits on the LLM fallback.
// Meanwhile one more connection polls /healthz back to back. Prints the wall time of the N turns
// and the /healthz latencies measured while they were in flight.
//   bella-load --port 8000 --calls 100 [--token T --public-base https://host] [--seconds 30]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bella/core/asio.hpp"
#include "sim/call_simulator.hpp"
#include "twilio/signature.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8000";
  std::string path = "/healthz";
  int connections = 32;
  long requests = 20'000;
  int seconds = 20;
  // fallback mode
  int calls = 0;
  std::string token;
  std::string public_base;
  std::string utterance = "the day after my sister's wedding";
};

struct Shared {
  std::atomic<long> issued{0};
  std::atomic<long> errors{0};
  std::chrono::steady_clock::time_point deadline;
};

/// Resolves and connects `stream` to the target; false on failure.
asio::awaitable<bool> connect(beast::tcp_stream& stream, const Options& opt) {
  tcp::resolver resolver(stream.get_executor());
  beast::error_code ec;
  auto endpoints = co_await resolver.async_resolve(opt.host, opt.port, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

asio::awaitable<void> worker(const Options& opt, Shared& shared, std::vector<double>& latencies_us) {
  auto exec = co_await asio::this_coro::executor;
  beast::tcp_stream stream(exec);
  if (!co_await connect(stream, opt)) {
    ++shared.errors;
    co_return;
  }
  beast::error_code ec;
  beast::flat_buffer buffer;
  http::request<http::empty_body> req{http::verb::get, opt.path, 11};
  req.set(http::field::host, opt.host);
  req.keep_alive(true);
  while (shared.issued.fetch_add(1) < opt.requests && std::chrono::steady_clock::now() < shared.deadline) {
    const auto t0 = std::chrono::steady_clock::now();
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    http::response<http::string_body> res;
    if (!ec) co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || res.result_int() >= 500) {
      ++shared.errors;
      if (ec) co_return;
      continue;
    }
    latencies_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  auto idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(idx), v.end());
  return v[idx];
}


// ---- fallback mode -------------------------------------------------------------------------------

/// Shared by the calls' thread and the /healthz prober's thread (its own io_context, so that the
/// probe's latency is not queued behind the driver's own work).
struct CallRun {
  std::atomic<int> started{0};       // calls that reached the time question
  std::atomic<int> answered{0};      // time turns answered (HTTP 200)
  std::atomic<int> failed{0};
  std::atomic<int> in_flight{0};     // time turns sent and not yet answered
  std::atomic<bool> released{false}; // every call is at the time question: send the time turns
  std::vector<double> turn_ms;       // calls' thread only
  std::vector<double> health_us;     // prober's thread only
  std::chrono::steady_clock::time_point start;
  std::uint64_t seed = std::random_device{}();  // fresh CallSids each run (a repeat would be replayed)
  std::atomic<std::chrono::steady_clock::rep> t0{0}, t1{0};
};

std::chrono::steady_clock::rep ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

/// POSTs one webhook on `stream`; `reply` gets the body. False on a transport error or non-200.
asio::awaitable<bool> post_turn(beast::tcp_stream& stream, beast::flat_buffer& buffer, const Options& opt,
                                const std::string& target, const bella::twilio::Params& params, std::string& reply) {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, opt.host);
  req.set(http::field::content_type, "application/x-www-form-urlencoded");
  if (!opt.token.empty()) {
    req.set("X-Twilio-Signature", bella::twilio::sign(opt.token, opt.public_base + target, params));
  }
  req.keep_alive(true);
  req.body() = bella::twilio::form_encode(params);
  req.prepare_payload();
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(opt.seconds));
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  http::response<http::string_body> res;
  if (!ec) co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || res.result_int() != 200) co_return false;
  reply = std::move(res.body());
  co_return true;
}

/// The next webhook path: the Gather's action, made relative to the public base URL.
std::string next_target(const std::string& twiml, const Options& opt) {
  const auto a = twiml.find("action=\"");
  if (a == std::string::npos) return "/twilio/voice/collect";
  const auto b = twiml.find('"', a + 8);
  std::string url = twiml.substr(a + 8, b - a - 8);
  for (std::size_t p; (p = url.find("&amp;")) != std::string::npos;) url.replace(p, 5, "&");
  if (!opt.public_base.empty() && url.rfind(opt.public_base, 0) == 0) url.erase(0, opt.public_base.size());
  return url;
}

asio::awaitable<void> one_call(const Options& opt, CallRun& run, int index) {
  auto exec = co_await asio::this_coro::executor;
  beast::tcp_stream stream(exec);
  if (!co_await connect(stream, opt)) {
    ++run.failed;
    co_return;
  }
  beast::error_code ec;
  beast::flat_buffer buffer;
  char from[16];
  std::snprintf(from, sizeof from, "+1403555%04d", index % 10000);
  const std::string sid = bella::twilio::make_sid("CA", run.seed, static_cast<std::uint64_t>(index) + 1);
  bella::twilio::Params base = {{"CallSid", sid},         {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
                                {"From", from},           {"To", "+15875550100"},
                                {"CallStatus", "in-progress"}, {"Direction", "inbound"},
                                {"ApiVersion", "2010-04-01"}};
  std::string reply;
  std::string target = "/twilio/voice";
  bool ok = co_await post_turn(stream, buffer, opt, target, base, reply);
  const std::string answers[] = {"my name is Sarah Johnson", "yes"};
  for (const auto& said : answers) {
    if (!ok) break;
    target = next_target(reply, opt);
    auto params = base;
    params.emplace_back("SpeechResult", said);
    params.emplace_back("Confidence", "0.9");
    ok = co_await post_turn(stream, buffer, opt, target, params, reply);
  }
  if (!ok) {
    ++run.failed;
    co_return;
  }
  ++run.started;
  asio::steady_timer wait(exec);
  while (!run.released && std::chrono::steady_clock::now() < run.start + std::chrono::seconds(opt.seconds)) {
    wait.expires_after(std::chrono::milliseconds(5));
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  target = next_target(reply, opt);
  auto params = base;
  params.emplace_back("SpeechResult", opt.utterance);
  params.emplace_back("Confidence", "0.9");
  const auto t = std::chrono::steady_clock::now();
  ++run.in_flight;
  ok = co_await post_turn(stream, buffer, opt, target, params, reply);
  --run.in_flight;
  run.turn_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  if (ok) {
    ++run.answered;
  } else {
    ++run.failed;
  }
  if (run.answered + run.failed == opt.calls) run.t1 = ticks();
}

/// Releases the time turns once every call is at the time question, then polls /healthz until
/// they are all answered.
asio::awaitable<void> health_probe(const Options& opt, CallRun& run) {
  auto exec = co_await asio::this_coro::executor;
  beast::tcp_stream stream(exec);
  if (!co_await connect(stream, opt)) co_return;
  beast::error_code ec;
  asio::steady_timer wait(exec);
  const auto deadline = run.start + std::chrono::seconds(opt.seconds);
  while (run.started + run.failed < opt.calls && std::chrono::steady_clock::now() < deadline) {
    wait.expires_after(std::chrono::milliseconds(5));
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  run.t0 = ticks();
  run.released = true;
  beast::flat_buffer buffer;
  http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, opt.host);
  req.keep_alive(true);
  // Let the time turns go out first: measure while they wait on the LLM, not before.
  wait.expires_after(std::chrono::milliseconds(20));
  co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  while (run.answered + run.failed < opt.calls && std::chrono::steady_clock::now() < deadline) {
    const auto t = std::chrono::steady_clock::now();
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    http::response<http::string_body> res;
    if (!ec) co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    // Only samples taken while most of the turns are still out count.
    if (run.in_flight.load() * 10 >= opt.calls * 9) {
      run.health_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count());
    }
  }
}

int run_fallback(const Options& opt) {
  CallRun run;
  run.start = std::chrono::steady_clock::now();
  asio::io_context probe_ioc(1);
  asio::co_spawn(probe_ioc, health_probe(opt, run), asio::detached);
  std::thread prober([&probe_ioc] { probe_ioc.run(); });
  asio::io_context ioc(1);
  for (int i = 0; i < opt.calls; ++i) asio::co_spawn(ioc, one_call(opt, run, i), asio::detached);
  ioc.run();
  prober.join();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::duration(run.t1.load() - run.t0.load())).count();
  std::printf("fallback calls=%d at_time_question=%d answered=%d failed=%d wall_s=%.3f\n", opt.calls,
              run.started.load(), run.answered.load(), run.failed.load(), wall);
  std::printf("time turn ms p50=%.0f max=%.0f\n", percentile(run.turn_ms, 50),
              run.turn_ms.empty() ? 0.0 : *std::max_element(run.turn_ms.begin(), run.turn_ms.end()));
  std::printf("healthz during them: n=%zu latency_us p50=%.0f p99=%.0f max=%.0f\n", run.health_us.size(),
              percentile(run.health_us, 50), percentile(run.health_us, 99),
              run.health_us.empty() ? 0.0 : *std::max_element(run.health_us.begin(), run.health_us.end()));
  return run.failed == 0 && run.answered == opt.calls ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host") opt.host = v;
    else if (k == "--port") opt.port = v;
    else if (k == "--path") opt.path = v;
    else if (k == "--connections") opt.connections = std::clamp(std::atoi(v.c_str()), 1, 1024);
    else if (k == "--requests") opt.requests = std::clamp(std::atol(v.c_str()), 1L, 10'000'000L);
    else if (k == "--seconds") opt.seconds = std::clamp(std::atoi(v.c_str()), 1, 600);
    else if (k == "--calls") opt.calls = std::clamp(std::atoi(v.c_str()), 1, 1000);
    else if (k == "--token") opt.token = v;
    else if (k == "--public-base") opt.public_base = v;
    else if (k == "--utterance") opt.utterance = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (opt.host != "127.0.0.1" && opt.host != "localhost" && opt.host != "::1") {
    std::fprintf(stderr, "bella-load only targets loopback\n");
    return 2;
  }
  if (opt.calls > 0) return run_fallback(opt);
  asio::io_context ioc(1);
  Shared shared;
  shared.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.seconds);
  std::vector<std::vector<double>> per_worker(static_cast<std::size_t>(opt.connections));
  const auto start = std::chrono::steady_clock::now();
  for (auto& lat : per_worker) asio::co_spawn(ioc, worker(opt, shared, lat), asio::detached);
  ioc.run();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : per_worker) all.insert(all.end(), v.begin(), v.end());
  std::printf("path=%s connections=%d ok=%zu errors=%ld seconds=%.2f rps=%.0f\n", opt.path.c_str(), opt.connections,
              all.size(), shared.errors.load(), elapsed, static_cast<double>(all.size()) / elapsed);
  std::printf("latency_us p50=%.0f p90=%.0f p99=%.0f max=%.0f\n", percentile(all, 50), percentile(all, 90),
              percentile(all, 99), all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()));
  return shared.errors.load() == 0 ? 0 : 1;
}
