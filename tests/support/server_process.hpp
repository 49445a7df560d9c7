// Spawns the real bella binary for e2e tests: env in, "listening ... port=N" out, SIGTERM, exit code.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace bella::testing {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

struct ServerOptions {
  /// Executable to run; defaults to the bella server built with the tests.
  std::string binary = BELLA_BINARY;
  /// Command-line arguments after the program name (bella itself takes only --version/--help).
  std::vector<std::string> args;
  /// Variables for the child. Unless `inherit_env`, the child sees only these plus PATH, and
  /// PORT=0, HOST=127.0.0.1, LOG_FORMAT=text when not given.
  EnvVars env;
  bool inherit_env = false;
  /// Give up waiting for the "listening" line after this long (a guard against hangs, not an assertion).
  std::chrono::milliseconds start_timeout{30'000};
  /// RLIMIT_NOFILE (soft, hard) for the child, e.g. Fargate's default {1024, 1024}; unset: inherited.
  std::optional<std::pair<unsigned long, unsigned long>> nofile;
};

/// When BELLA_TEST_LOG_DIR is set (scripts/test sets it), every bella's whole output is kept there,
/// one file per process, for the privacy check that reads the logs of the whole suite.
void keep_log(pid_t pid, const std::string& output);

/// One child process with its stdout+stderr captured. Not thread-safe except output()/wait_for_output().
class ServerProcess {
 public:
  /// Starts the process and waits for its "listening ... port=N" line. Throws std::runtime_error
  /// (with the captured output) if it exits first or never gets there.
  explicit ServerProcess(ServerOptions options);
  explicit ServerProcess(EnvVars env) : ServerProcess(ServerOptions{.env = std::move(env)}) {}
  /// Kills the process (SIGKILL) if it still runs.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  /// "http://127.0.0.1:N"
  [[nodiscard]] std::string base_url() const;

  /// Sends SIGTERM and waits for exit; returns the exit code (128+signal if killed by a signal).
  int stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
  /// Sends a signal without waiting.
  void signal(int sig) const;
  /// Waits for exit without signalling; returns the exit code as stop() does, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
  [[nodiscard]] bool running() const { return !exited_; }

  /// Everything the process wrote so far (stdout and stderr interleaved).
  [[nodiscard]] std::string output() const;
  /// Waits until `needle` appears in the output; false on timeout or when the process has exited.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout);

  /// Runs a process that is expected to exit by itself (e.g. a failing start-up) and returns its
  /// exit code and output. Does not wait for a "listening" line.
  static std::pair<int, std::string> run_to_exit(ServerOptions options);

 private:
  struct Spawned {};
  ServerProcess(ServerOptions options, Spawned);
  void spawn();
  void reader_loop(int fd);
  int reap(bool block);

  ServerOptions options_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool exited_ = false;
  int exit_code_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
  std::thread reader_;
};

/// Parses the port from a "listening host=... port=N" log line (text or JSON logs); 0 if absent.
std::uint16_t parse_listening_port(std::string_view output);

}  // namespace bella::testing
