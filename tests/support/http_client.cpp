// HttpClient: Beast over a private io_context; async operations with a deadline, run to completion.
#include "http_client.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <strings.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace bella::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return {};
}

struct HttpClient::Impl {
  Impl(std::string h, std::uint16_t p, std::chrono::milliseconds t) : host(std::move(h)), port(p), timeout(t) {}
  asio::io_context ioc;
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the io_context until `done` or the deadline; stream expiry cancels hung operations.
  void run() {
    ioc.restart();
    ioc.run();
  }

  void connect() {
    stream = std::make_unique<beast::tcp_stream>(ioc);
    buffer.clear();
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port));
    beast::error_code ec;
    stream->expires_after(timeout);
    stream->async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) {
      stream.reset();
      throw std::runtime_error("connect to " + host + ":" + std::to_string(port) + " failed: " + ec.message());
    }
  }

  // One exchange on the current connection; returns false if the connection turned out stale.
  bool exchange(bhttp::request<bhttp::string_body>& req, bhttp::response<bhttp::string_body>& res, bool fresh,
                beast::error_code& ec) {
    stream->expires_after(timeout);
    bhttp::async_write(*stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (!ec) {
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      parser.header_limit(1024 * 1024);
      stream->expires_after(timeout);
      bhttp::async_read(*stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
      run();
      if (!ec) res = parser.release();
    }
    if (!ec) return true;
    stream.reset();
    // A keep-alive connection the server closed while idle: retry once on a fresh one.
    const bool stale = !fresh && (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
                                  ec == asio::error::broken_pipe || ec == asio::error::eof);
    return !stale ? true : false;
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(host), port, timeout)) {}

HttpClient::~HttpClient() = default;

void HttpClient::close() {
  if (impl_->stream) {
    beast::error_code ignored;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    impl_->stream.reset();
  }
}

namespace {

// With BELLA_RECORD_RESPONSES set (scripts/test sets it), every response a test receives is
// appended as one JSON line, and docs/validate-responses.mjs checks them all against
// docs/openapi.yaml after the suite: the spec is held to what the server really answers.
void record_response(std::string_view method, std::string_view target, const HttpResponse& res) {
  static const char* path = std::getenv("BELLA_RECORD_RESPONSES");
  if (!path || !*path) return;
  static std::mutex mutex;
  nlohmann::json line = {{"method", std::string(method)},
                         {"target", std::string(target)},
                         {"status", res.status},
                         {"content_type", res.header("Content-Type")},
                         {"body", res.body}};
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex);
  if (std::FILE* f = std::fopen(path, "a")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
}

}  // namespace

HttpResponse HttpClient::request(std::string_view method, std::string target, const Headers& headers,
                                 std::string body) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, impl_->host + ":" + std::to_string(impl_->port));
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req.insert(k, v);
    if (::strcasecmp(k.c_str(), "content-type") == 0) has_type = true;
  }
  if (!body.empty() && !has_type) req.set(bhttp::field::content_type, "application/json");
  req.body() = std::move(body);
  if (!req.body().empty() || method == "POST" || method == "PUT" || method == "PATCH") req.prepare_payload();
  req.keep_alive(true);

  bhttp::response<bhttp::string_body> res;
  beast::error_code ec;
  bool fresh = false;
  if (!impl_->stream) {
    impl_->connect();
    fresh = true;
  }
  if (!impl_->exchange(req, res, fresh, ec)) {
    impl_->connect();
    ec = {};
    impl_->exchange(req, res, true, ec);
  }
  if (ec) throw std::runtime_error(std::string(method) + " " + std::string(req.target()) + " failed: " + ec.message());
  if (!res.keep_alive()) close();

  HttpResponse out;
  out.status = res.result_int();
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  record_response(method, req.target(), out);
  return out;
}

HttpResponse http_request(std::uint16_t port, std::string_view method, std::string target, const Headers& headers,
                          std::string body) {
  HttpClient client("127.0.0.1", port);
  auto res = client.request(method, std::move(target), headers, std::move(body));
  client.close();
  return res;
}

}  // namespace bella::testing
