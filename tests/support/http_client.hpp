// A tiny blocking HTTP/1.1 client for tests (Beast): request(method, target, headers, body).
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bella::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  unsigned status = 0;
  Headers headers;  // names as sent by the server
  std::string body;

  /// The first header with this name (case-insensitive), or "".
  [[nodiscard]] std::string header(std::string_view name) const;
  /// The body parsed as JSON; throws nlohmann::json::parse_error if it is not.
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(body); }
};

/// One keep-alive connection to host:port, reopened when the server closed it. Each call blocks
/// until the whole response is read or `timeout` passes (then throws std::runtime_error).
/// Not thread-safe: use one client per thread.
class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
  explicit HttpClient(std::uint16_t port) : HttpClient("127.0.0.1", port) {}
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends one request. Adds Host, and Content-Length when there is a body; Content-Type is
  /// application/json for a non-empty body unless given in `headers`. Throws on network errors.
  HttpResponse request(std::string_view method, std::string target, const Headers& headers = {},
                       std::string body = {});

  HttpResponse get(std::string target, const Headers& headers = {}) { return request("GET", std::move(target), headers); }
  HttpResponse post(std::string target, std::string body, const Headers& headers = {}) {
    return request("POST", std::move(target), headers, std::move(body));
  }
  /// Drops the connection (the next request opens a fresh one).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One request on a fresh connection, closed afterwards.
HttpResponse http_request(std::uint16_t port, std::string_view method, std::string target, const Headers& headers = {},
                          std::string body = {});

}  // namespace bella::testing
