// bella-floor: the floor bella's webhooks are measured against (issue 14). A bare Beast HTTP/1.1
// keep-alive server on one io thread that decodes each form POST and answers one fixed TwiML
// <Gather> of the size bella answers with; GET /healthz answers "ok". No database, no session, no
// signature check: what is left is the cost of HTTP, the form and a reply on this machine.
// Loopback only; stops on SIGINT/SIGTERM or after --seconds.
//
//   bella-floor [--port 0] [--seconds 600]     prints "listening port=N" once it accepts
#include <utility>  // GCC 12: before Asio's coroutine headers

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bella/core/asio.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// About as long as bella's answers (bella-calls prints their mean size: 488 bytes over a run's
// mix of turns): a Gather with speech attributes, hints and one Say.
constexpr std::string_view kTwiml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Gather input=\"dtmf speech\" "
    "action=\"/twilio/voice/collect?turn=2\" method=\"POST\" language=\"en-CA\" speechModel=\"phone_call\" "
    "enhanced=\"true\" speechTimeout=\"2\" timeout=\"6\" profanityFilter=\"false\" actionOnEmptyResult=\"true\" "
    "numDigits=\"1\" hints=\"yes,no,that's right,correct,yeah,nope\"><Say voice=\"Polly.Joanna-Neural\" "
    "language=\"en-US\">Thanks, Sarah. Is the number you're calling from, ending in 0 1 2 3, the best one to reach "
    "you?</Say></Gather></Response>";

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// application/x-www-form-urlencoded, as the webhook handler decodes it.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    const auto eq = pair.find('=');
    out.emplace_back(decode(pair.substr(0, eq)), eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1)));
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
  }
  return out;
}

asio::awaitable<void> session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    stream.expires_after(std::chrono::seconds(75));
    http::request<http::string_body> req;
    co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    if (req.method() == http::verb::post) {
      const auto form = parse_form(req.body());
      const bool has_sid = std::any_of(form.begin(), form.end(), [](const auto& kv) { return kv.first == "CallSid"; });
      res.result(has_sid ? http::status::ok : http::status::bad_request);
      res.set(http::field::content_type, "text/xml");
      res.body() = kTwiml;
    } else {
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !req.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  int seconds = 600;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--port") port = static_cast<unsigned short>(std::clamp(std::atoi(argv[i + 1]), 0, 65535));
    else if (k == "--seconds") seconds = std::clamp(std::atoi(argv[i + 1]), 1, 86'400);
    else {
      std::fprintf(stderr, "bella-floor: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), port));
  std::printf("listening port=%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer limit(ioc, std::chrono::seconds(seconds));
  auto stop = [&] {
    beast::error_code ec;
    acceptor.close(ec);
    ioc.stop();
  };
  signals.async_wait([&](const beast::error_code&, int) { stop(); });
  limit.async_wait([&](const beast::error_code& ec) {
    if (!ec) stop();
  });
  asio::co_spawn(ioc, accept_loop(acceptor), asio::detached);
  ioc.run();
  return 0;
}
