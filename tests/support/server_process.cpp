// ServerProcess: fork/exec with a pipe for output, a reader thread, and waitpid-based shutdown.
#include "server_process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>

extern char** environ;

namespace bella::testing {

std::uint16_t parse_listening_port(std::string_view out) {
  for (std::size_t at = out.find("listening"); at != std::string_view::npos; at = out.find("listening", at + 1)) {
    auto line_end = out.find('\n', at);
    auto line = out.substr(at, line_end == std::string_view::npos ? std::string_view::npos : line_end - at);
    for (std::string_view key : {std::string_view("port="), std::string_view("\"port\":\""), std::string_view("\"port\":")}) {
      auto p = line.find(key);
      if (p == std::string_view::npos) continue;
      p += key.size();
      unsigned value = 0;
      bool any = false;
      while (p < line.size() && line[p] >= '0' && line[p] <= '9') {
        value = value * 10 + static_cast<unsigned>(line[p] - '0');
        any = true;
        ++p;
      }
      if (any && value > 0 && value < 65536) return static_cast<std::uint16_t>(value);
    }
  }
  return 0;
}

ServerProcess::ServerProcess(ServerOptions options, Spawned) : options_(std::move(options)) { spawn(); }

ServerProcess::ServerProcess(ServerOptions options) : ServerProcess(std::move(options), Spawned{}) {
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    port_ = parse_listening_port(output_);
    if (port_ != 0) return;
    if (eof_ || std::chrono::steady_clock::now() >= deadline) break;
    changed_.wait_until(lock, deadline);
  }
  std::string out = output_;
  lock.unlock();
  const int code = reap(false) ;
  std::string why = exited_ ? "exited with code " + std::to_string(code) : "did not report a listening port";
  if (!exited_) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  if (reader_.joinable()) reader_.join();
  throw std::runtime_error("bella " + why + "; output:\n" + out);
}

ServerProcess::~ServerProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  if (reader_.joinable()) reader_.join();
  if (options_.binary == BELLA_BINARY) keep_log(pid_, output());
}

void keep_log(pid_t pid, const std::string& output) {
  const char* dir = std::getenv("BELLA_TEST_LOG_DIR");
  if (!dir || !*dir || output.empty()) return;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = test ? std::string(test->test_suite_name()) + "." + test->name() : "outside-a-test";
  for (auto& c : name)
    if (c == '/') c = '_';
  std::ofstream(std::string(dir) + "/" + name + "." + std::to_string(pid) + ".log", std::ios::binary) << output;
}

std::string ServerProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void ServerProcess::spawn() {
  std::map<std::string, std::string> env;
  if (options_.inherit_env) {
    for (char** e = environ; e && *e; ++e) {
      std::string_view kv(*e);
      auto eq = kv.find('=');
      if (eq != std::string_view::npos) env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
  } else {
    if (const char* path = std::getenv("PATH")) env["PATH"] = path;
    // The server under test runs with the same sanitizer settings as the test itself.
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
      if (const char* v = std::getenv(name)) env[name] = v;
    env["PORT"] = "0";
    env["HOST"] = "127.0.0.1";
    env["LOG_FORMAT"] = "text";
  }
  for (const auto& [k, v] : options_.env) env[k] = v;
  std::vector<std::string> flat;
  for (const auto& [k, v] : env) flat.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : flat) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string binary = options_.binary;
  std::vector<std::string> args = options_.args;
  std::vector<char*> argv{binary.data()};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto nofile = options_.nofile;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // Child: only async-signal-safe calls from here on.
    if (nofile) {
      const rlimit rl{static_cast<rlim_t>(nofile->first), static_cast<rlim_t>(nofile->second)};
      ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::execve(binary.c_str(), argv.data(), envp.data());
    static constexpr char kMsg[] = "execve failed\n";
    (void)!::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    ::_exit(127);
  }
  ::close(fds[1]);
  reader_ = std::thread([this, fd = fds[0]] { reader_loop(fd); });
}

void ServerProcess::reader_loop(int fd) {
  char buf[4096];
  while (true) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    output_.append(buf, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  eof_ = true;
  changed_.notify_all();
}

int ServerProcess::reap(bool block) {
  if (exited_) return exit_code_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  }
  return exit_code_;
}

void ServerProcess::signal(int sig) const {
  if (!exited_ && pid_ > 0) ::kill(pid_, sig);
}

int ServerProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exited_) {
    reap(false);
    if (exited_) break;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (reader_.joinable()) reader_.join();
  return exit_code_;
}

int ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  signal(SIGTERM);
  int code = wait(timeout);
  if (code == -1) {
    ::kill(pid_, SIGKILL);
    reap(true);
    if (reader_.joinable()) reader_.join();
    return -1;
  }
  return code;
}

std::string ServerProcess::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

bool ServerProcess::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (output_.find(needle) == std::string::npos) {
    if (eof_ || std::chrono::steady_clock::now() >= deadline) return output_.find(needle) != std::string::npos;
    changed_.wait_until(lock, deadline);
  }
  return true;
}

std::pair<int, std::string> ServerProcess::run_to_exit(ServerOptions options) {
  const auto timeout = options.start_timeout;
  ServerProcess p(std::move(options), Spawned{});
  int code = p.wait(timeout);
  if (code == -1) {
    ::kill(p.pid_, SIGKILL);
    p.reap(true);
    if (p.reader_.joinable()) p.reader_.join();
  }
  return {code, p.output()};
}

}  // namespace bella::testing
