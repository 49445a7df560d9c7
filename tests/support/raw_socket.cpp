// RawSocket: blocking BSD sockets with a receive timeout.
#include "support/raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace bella::testing {

RawSocket::RawSocket(std::uint16_t port, std::chrono::milliseconds recv_timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{static_cast<time_t>(recv_timeout.count() / 1000), static_cast<suseconds_t>((recv_timeout.count() % 1000) * 1000)};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawSocket::send(std::string_view data) {
  return fd_ >= 0 && ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

std::string RawSocket::read_until(std::string_view needle, int times) {
  std::string out;
  char buf[4096];
  while (fd_ >= 0) {
    int seen = 0;
    for (auto p = out.find(needle); p != std::string::npos; p = out.find(needle, p + 1)) ++seen;
    if (seen >= times) break;
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = n == 0;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string RawSocket::read_all() {
  std::string out;
  char buf[4096];
  while (fd_ >= 0) {
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = n == 0 || errno == ECONNRESET;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string RawSocket::healthz() {
  if (!send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) return {};
  std::string out;
  char buf[2048];
  while (out.find("{\"status\":\"ok\"}") == std::string::npos) {
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return {};
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

bool RawSocket::wait_closed() {
  char buf[256];
  while (fd_ >= 0) {
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
  return false;
}

namespace {
/// A TCP socket bound to 127.0.0.1 at a free port (written to `port`); -1 on failure.
int bind_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}
}  // namespace

std::uint16_t closed_port() {
  std::uint16_t port = 0;
  const int fd = bind_loopback(port);
  if (fd >= 0) ::close(fd);
  return port;
}

int listen_loopback(int backlog, std::uint16_t& port) {
  const int fd = bind_loopback(port);
  if (fd >= 0 && ::listen(fd, backlog) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool content_length_matches(std::string_view response) {
  const auto end = response.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  const std::string_view head = response.substr(0, end);
  const std::string_view body = response.substr(end + 4);
  for (std::size_t at = 0; at < head.size();) {
    auto eol = head.find("\r\n", at);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(at, eol - at);
    at = eol + 2;
    constexpr std::string_view kName = "content-length:";
    if (line.size() < kName.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < kName.size(); ++i)
      same = same && (line[i] | 0x20) == kName[i];
    if (!same) continue;
    line.remove_prefix(kName.size());
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
    return ec == std::errc{} && n == body.size();
  }
  return false;
}

}  // namespace bella::testing
