// twilio_messages_stub: a local server speaking Twilio's Messages API, for the texts e2e tests.
//
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json (form: To, From | MessagingServiceSid, Body,
// StatusCallback). Checks HTTP Basic "<sid>:<token>" (--sid/--token, defaults below): a wrong one
// gets 401 (code 20003) and consumes no reply. Success is 201 with a message resource
// {"sid": "SM<32 hex>", "status": "queued", "to", "from", "body", ...}.
// Admin endpoints:
//   POST /__script   {"replies":[R...], "default": R}  replies are used in order, then the default
//   GET  /__requests JSON array of what the Messages endpoint received (path, auth_ok, form, answered)
//   POST /__reset    forget the script and the received requests
// A reply R is {"kind": K, "delay_ms": N, ...} with K one of
//   "success"                                  201 and a new sid
//   "error"   {"status": 400, "code": 21610}   Twilio's error JSON (code, message, more_info, status)
//   "reset"                                    close the connection without answering
// Prints "listening port=N" on stdout once ready; PORT=0 (the default) picks a free port.
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "bella/core/asio.hpp"
#include "bella/core/base64.hpp"
#include "bella/http/message.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using bella::Task;
using bella::use_awaitable;
using nlohmann::json;
using tcp = bella::asio::ip::tcp;
namespace asio = bella::asio;

struct StubState {
  std::string sid = "AC00000000000000000000000000000000";
  std::string token = "stub-token";
  std::deque<json> replies;
  json fallback = json{{"kind", "success"}};
  json received = json::array();
  std::mt19937_64 rng{12345};
  int next_message = 0;
};

http::response<http::string_body> make(const http::request<http::string_body>& req, http::status st, std::string body) {
  http::response<http::string_body> res{st, req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

struct Plan {
  std::chrono::milliseconds delay{0};
  std::optional<http::response<http::string_body>> response;  // nullopt: close without answering
};

Plan plan_message(StubState& s, const http::request<http::string_body>& req) {
  Plan plan;
  const std::string auth(req[http::field::authorization]);
  const bool auth_ok = auth == "Basic " + bella::base64(s.sid + ":" + s.token);
  json form = json::object();
  for (const auto& [k, v] : bella::http::parse_form(req.body())) form[k] = v;
  json record{{"path", std::string(req.target())},
              {"auth_ok", auth_ok},
              {"content_type", std::string(req[http::field::content_type])},
              {"form", form}};
  const std::string expected = "/2010-04-01/Accounts/" + s.sid + "/Messages.json";
  if (!auth_ok) {
    record["answered"] = 401;
    s.received.push_back(record);
    plan.response = make(req, http::status::unauthorized,
                         json{{"code", 20003}, {"message", "Authenticate"}, {"status", 401}}.dump());
    return plan;
  }
  if (std::string(req.target()) != expected) {
    record["answered"] = 404;
    s.received.push_back(record);
    plan.response = make(req, http::status::not_found,
                         json{{"code", 20404}, {"message", "The requested resource was not found"}, {"status", 404}}.dump());
    return plan;
  }
  json reply;
  if (s.replies.empty()) reply = s.fallback;
  else {
    reply = std::move(s.replies.front());
    s.replies.pop_front();
  }
  plan.delay = std::chrono::milliseconds(reply.value("delay_ms", 0));
  const std::string kind = reply.value("kind", "success");
  if (kind == "reset") {
    record["answered"] = 0;
    s.received.push_back(record);
    return plan;
  }
  if (kind == "error") {
    const int status = reply.value("status", 400);
    const int code = reply.value("code", 21211);
    record["answered"] = status;
    s.received.push_back(record);
    json err{{"code", code},
             {"message", "stub error"},
             {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
             {"status", status}};
    plan.response = make(req, static_cast<http::status>(status), err.dump());
    return plan;
  }
  char sid[35];
  std::snprintf(sid, sizeof sid, "SM%016llx%016llx", static_cast<unsigned long long>(s.rng()),
                static_cast<unsigned long long>(++s.next_message));
  record["answered"] = 201;
  record["sid"] = sid;
  s.received.push_back(record);
  json msg{{"sid", sid},
           {"account_sid", s.sid},
           {"status", "queued"},
           {"to", form.value("To", "")},
           {"from", form.contains("From") ? form["From"] : json(nullptr)},
           {"messaging_service_sid", form.contains("MessagingServiceSid") ? form["MessagingServiceSid"] : json(nullptr)},
           {"body", form.value("Body", "")},
           {"num_segments", "1"},
           {"direction", "outbound-api"},
           {"api_version", "2010-04-01"},
           {"error_code", nullptr},
           {"error_message", nullptr},
           {"uri", "/2010-04-01/Accounts/" + s.sid + "/Messages/" + sid + ".json"}};
  plan.response = make(req, http::status::created, msg.dump());
  return plan;
}

Plan plan(StubState& s, const http::request<http::string_body>& req) {
  const std::string target(req.target());
  Plan p;
  if (req.method() == http::verb::post && target.rfind("/2010-04-01/Accounts/", 0) == 0) return plan_message(s, req);
  if (req.method() == http::verb::post && target == "/__script") {
    const json script = json::parse(req.body(), nullptr, false);
    if (!script.is_object()) {
      p.response = make(req, http::status::bad_request, R"({"error":"script must be an object"})");
      return p;
    }
    if (script.contains("replies"))
      for (const auto& r : script["replies"]) s.replies.push_back(r);
    if (script.contains("default")) s.fallback = script["default"];
    p.response = make(req, http::status::ok, json{{"queued", s.replies.size()}}.dump());
  } else if (req.method() == http::verb::get && target == "/__requests") {
    p.response = make(req, http::status::ok, s.received.dump());
  } else if (req.method() == http::verb::post && target == "/__reset") {
    s.replies.clear();
    s.received = json::array();
    s.fallback = json{{"kind", "success"}};
    p.response = make(req, http::status::ok, "{}");
  } else {
    p.response = make(req, http::status::not_found, R"({"error":"not found"})");
  }
  return p;
}

Task<void> session(StubState& s, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    bella::error_code ec;
    co_await http::async_read(stream, buffer, req, asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    Plan p = plan(s, req);
    if (p.delay.count() > 0) {
      asio::steady_timer t(stream.get_executor(), p.delay);
      co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    auto& res = p.response;
    if (!res) {
      stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
      stream.socket().close(ec);
      co_return;
    }
    const bool keep = res->keep_alive();
    co_await http::async_write(stream, *res, asio::redirect_error(use_awaitable, ec));
    if (ec || !keep) break;
  }
  bella::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

Task<void> accept_loop(StubState& s, tcp::acceptor& acceptor) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(use_awaitable);
    asio::co_spawn(acceptor.get_executor(), session(s, std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  StubState state;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string_view a(argv[i]);
    if (a == "--sid") state.sid = argv[++i];
    else if (a == "--token") state.token = argv[++i];
  }
  const char* port_env = std::getenv("PORT");
  const auto port = static_cast<unsigned short>(port_env ? std::atoi(port_env) : 0);
  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::printf("listening port=%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  asio::co_spawn(ioc, accept_loop(state, acceptor), asio::detached);
  ioc.run();
  return 0;
}
