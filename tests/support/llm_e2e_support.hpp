// Test support for the LLM e2e tests: run a child process (stub or bella) and talk plain HTTP to it.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace bella::test {

/// A child process whose stdout is collected line by line on a reader thread (so a chatty child
/// never blocks on a full pipe). Killed (SIGTERM, then SIGKILL) and reaped on destruction.
class ChildProcess {
 public:
  /// Starts `path` with `args`; `env` entries ("NAME=value") are added to this process's environment.
  ChildProcess(const std::string& path, const std::vector<std::string>& args,
               const std::vector<std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Waits for a stdout line containing "listening" and "port=N"; returns N. Throws on timeout/exit.
  std::uint16_t wait_for_port(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Every stdout line so far.
  std::vector<std::string> lines() const;

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

/// One blocking HTTP/1.1 request to 127.0.0.1:port (test threads only, never an io_context).
HttpReply http_call(std::uint16_t port, boost::beast::http::verb verb, const std::string& target,
                    const std::string& body = {}, const std::string& content_type = "application/json");

}  // namespace bella::test
