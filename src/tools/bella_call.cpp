// bella-call: an interactive terminal caller that drives a running Bella like Twilio would.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

#include "sim/call_simulator.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using bella::twilio::HttpPost;
using bella::twilio::HttpReply;

constexpr std::string_view kUsage =
    "usage: bella-call [--url http://127.0.0.1:8000] [--from +14035550123] [--to +15875550100]\n"
    "                  [--token TWILIO_AUTH_TOKEN | --token-file FILE] [--public-base-url URL] [--path /twilio/voice]\n"
    "                  [--account-sid AC... (default $TWILIO_ACCOUNT_SID, else random)]\n"
    "Calls POST <url><path> like Twilio, prints what the caller hears, then sends each line you\n"
    "type as SpeechResult (empty line = silence, #1234 = keypad digits). Ctrl-D hangs up.\n"
    "--token defaults to $TWILIO_AUTH_TOKEN, else the token scripts/run generated (the file\n"
    ".bella-dev-token beside this program), else requests go unsigned; --public-base-url is\n"
    "the URL the signature covers (the server's PUBLIC_BASE_URL), default --url.\n";

/// The local token scripts/run writes beside the binaries it builds: "" when there is none.
std::string read_token_file(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (in) std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

std::string default_token_file() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string{} : (self.parent_path() / ".bella-dev-token").string();
}

/// One blocking HTTP/1.1 POST over plain TCP: a CLI has nothing else to do while it waits.
HttpReply blocking_post(const HttpPost& post) {
  std::string_view url = post.url;
  if (url.rfind("http://", 0) != 0) throw std::runtime_error("only http:// URLs can be called (use a TLS proxy)");
  url.remove_prefix(7);
  const auto slash = url.find_first_of("/?");
  const std::string_view authority = url.substr(0, slash);
  std::string target{slash == std::string_view::npos ? std::string_view{"/"} : url.substr(slash)};
  if (target.front() == '?') target.insert(0, "/");
  std::string host{authority};
  std::string port = "80";
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos && authority.back() != ']') {
    host = std::string{authority.substr(0, colon)};
    port = std::string{authority.substr(colon + 1)};
  }
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);

  asio::io_context ioc;
  asio::ip::tcp::resolver resolver{ioc};
  beast::tcp_stream stream{ioc};
  stream.expires_after(std::chrono::seconds(15));  // Twilio's own read timeout
  stream.connect(resolver.resolve(host, port));
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
  req.set(bhttp::field::host, authority);
  for (const auto& [name, value] : post.headers) req.set(name, value);
  req.body() = post.body;
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  beast::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return HttpReply{.status = static_cast<int>(res.result_int()),
                   .content_type = std::string{res[bhttp::field::content_type]},
                   .body = std::move(res.body())};
}

}  // namespace

int main(int argc, char** argv) {
  bella::twilio::CallerOptions options;
  if (const char* token = std::getenv("TWILIO_AUTH_TOKEN")) options.auth_token = token;
  std::string token_file;
  if (const char* sid = std::getenv("TWILIO_ACCOUNT_SID")) options.account_sid = sid;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
    static constexpr std::string_view kOptions[] = {"--url", "--from", "--to", "--token", "--token-file",
                                                    "--public-base-url", "--path", "--account-sid"};
    if (std::find(std::begin(kOptions), std::end(kOptions), arg) == std::end(kOptions)) {
      std::cerr << "bella-call: unknown option " << arg << "\n" << kUsage;
      return 2;
    }
    if (i + 1 >= argc) {
      std::cerr << "bella-call: " << arg << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--url") options.url = value;
    else if (arg == "--from") options.from = value;
    else if (arg == "--to") options.to = value;
    else if (arg == "--token") options.auth_token = value;
    else if (arg == "--token-file") token_file = value;
    else if (arg == "--public-base-url") options.public_base_url = value;
    else if (arg == "--path") options.voice_path = value;
    else options.account_sid = value;
  }
  if (!token_file.empty()) {
    options.auth_token = read_token_file(token_file);
    if (options.auth_token.empty()) {
      std::cerr << "bella-call: no token in " << token_file << "\n";
      return 2;
    }
  } else if (options.auth_token.empty()) {
    if (const auto path = default_token_file(); !path.empty()) options.auth_token = read_token_file(path);
  }
  std::random_device rd;
  std::mt19937_64 rng{(static_cast<std::uint64_t>(rd()) << 32) ^ rd()};
  options.call_sid = bella::twilio::make_sid("CA", rng(), rng());
  if (options.account_sid.empty()) options.account_sid = bella::twilio::make_sid("AC", rng(), rng());

  // Piped input is not echoed by a terminal: print it so a transcript reads as a dialogue.
  options.echo_input = isatty(STDIN_FILENO) == 0;
  bella::twilio::CallSimulator call{options, blocking_post};
  return call.run(std::cin, std::cout);
}
