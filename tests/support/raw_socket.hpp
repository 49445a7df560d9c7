// A raw loopback TCP connection, for what an HTTP client library would not do: trickle a request,
// pipeline, hold a connection idle, read a response byte for byte or wait for the server to close.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace bella::testing {

class RawSocket {
 public:
  /// Connects to 127.0.0.1:`port`; every read waits at most `recv_timeout` (a guard, not an assertion).
  explicit RawSocket(std::uint16_t port, std::chrono::milliseconds recv_timeout = std::chrono::seconds(10));
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] int fd() const { return fd_; }
  bool send(std::string_view data);
  /// Reads until `needle` has been seen `times` times, EOF, or the receive timeout.
  std::string read_until(std::string_view needle, int times = 1);
  /// Reads until the server closes the connection (or the receive timeout); everything read.
  std::string read_all();
  /// One GET /healthz on this connection and its whole response ("" when the connection is gone).
  std::string healthz();
  /// Blocks until the server closes the connection (true) or the receive guard expires (false).
  bool wait_closed();
  [[nodiscard]] bool saw_eof() const { return eof_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
};

/// A loopback port with nothing listening on it.
std::uint16_t closed_port();

/// A socket listening on 127.0.0.1 at a free port (written to `port`), for local stand-ins of a
/// server that misbehaves; -1 when the system refuses.
int listen_loopback(int backlog, std::uint16_t& port);

/// Splits a raw HTTP/1.1 response: true when it has a complete header block whose Content-Length
/// equals the number of body bytes that followed it.
bool content_length_matches(std::string_view response);

}  // namespace bella::testing
