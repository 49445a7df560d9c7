// bella-load: a bounded HTTP load driver for a local bella. N keep-alive connections send GETs (or
// signed Twilio turns) as fast as answers come back; prints throughput and latency percentiles.
// Loopback only, bounded by request count and wall time: it stops by itself.
//
//   bella-load --port 8000 [--path /healthz] [--connections 32] [--requests 20000] [--seconds 20]
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bella/core/asio.hpp"

#include <boost/asio/ip/tcp.hpp>
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
};

struct Shared {
  std::atomic<long> issued{0};
  std::atomic<long> errors{0};
  std::chrono::steady_clock::time_point deadline;
};

asio::awaitable<void> worker(const Options& opt, Shared& shared, std::vector<double>& latencies_us) {
  auto exec = co_await asio::this_coro::executor;
  tcp::resolver resolver(exec);
  beast::tcp_stream stream(exec);
  beast::error_code ec;
  auto endpoints = co_await resolver.async_resolve(opt.host, opt.port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    ++shared.errors;
    co_return;
  }
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    ++shared.errors;
    co_return;
  }
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
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (opt.host != "127.0.0.1" && opt.host != "localhost" && opt.host != "::1") {
    std::fprintf(stderr, "bella-load only targets loopback\n");
    return 2;
  }
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
