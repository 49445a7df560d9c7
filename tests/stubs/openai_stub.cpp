// openai_stub: a local Chat Completions server with scripted replies, for the LLM client's e2e tests.
//
// Speaks POST /v1/chat/completions and /chat/completions. Checks "Authorization: Bearer <key>"
// (key from --key or OPENAI_STUB_KEY, default "test-key"; a wrong key gets 401 and consumes no reply).
// Admin endpoints:
//   POST /__script   {"replies":[R...], "default": R}  replies are used in order, then the default
//   GET  /__requests JSON array of what the completion endpoints received (path, authorization, body)
//   POST /__reset    forget the script and the received requests
// A reply R is {"kind": K, "delay_ms": N, ...} with K one of
//   "success"   {"content": <string or JSON value, serialised>}  a normal chat.completion
//   "status"    {"status": 500}                                  an OpenAI-style error body (429: Retry-After)
//   "malformed" {"body": "..."}                                   200 with a body that is not a chat completion
//   "refusal"   {"refusal": "..."}                                message.refusal set, content null
//   "reset"                                                       close the connection without answering
// Prints "listening port=N" on stdout once ready; PORT=0 (the default) picks a free port.
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "bella/core/asio.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using bella::Task;
using bella::use_awaitable;
using nlohmann::json;
using tcp = bella::asio::ip::tcp;
namespace asio = bella::asio;

struct StubState {
  std::string key = "test-key";
  std::deque<json> replies;
  json fallback = json{{"kind", "success"}, {"content", json{{"answer", "unclear"}}}};
  json received = json::array();
};

json next_reply(StubState& s) {
  if (s.replies.empty()) return s.fallback;
  json r = std::move(s.replies.front());
  s.replies.pop_front();
  return r;
}

http::response<http::string_body> make(const http::request<http::string_body>& req, http::status st,
                                       std::string body, std::string_view type = "application/json") {
  http::response<http::string_body> res{st, req.version()};
  res.set(http::field::content_type, type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

json completion(const std::string& model, json message) {
  return json{{"id", "chatcmpl-stub"},
              {"object", "chat.completion"},
              {"created", 0},
              {"model", model},
              {"choices", json::array({json{{"index", 0}, {"message", std::move(message)}, {"finish_reason", "stop"}}})},
              {"usage", json{{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}}};
}

// What to do with one request: wait `delay`, then send `response` (or reset the connection).
// Built by plain functions, not coroutines: GCC 12 miscompiles some temporaries inside coroutines.
struct Plan {
  std::chrono::milliseconds delay{0};
  std::optional<http::response<http::string_body>> response;  // nullopt: close without answering
};

Plan plan_completion(StubState& s, const http::request<http::string_body>& req) {
  const std::string auth(req[http::field::authorization]);
  const json body = json::parse(req.body(), nullptr, false);
  json record{{"path", std::string(req.target())},
              {"authorization", auth},
              {"content_type", std::string(req[http::field::content_type])},
              {"body", body.is_discarded() ? json(req.body()) : body}};
  s.received.push_back(record);
  const std::string model = body.is_object() && body.contains("model") && body["model"].is_string()
                                ? body["model"].get<std::string>() : "";
  std::string schema = "-";
  if (body.is_object() && body.contains("response_format")) {
    schema = body["response_format"].value("/json_schema/name"_json_pointer, std::string("-"));
  }
  std::printf("request path=%s model=%s schema=%s auth=%s\n", std::string(req.target()).c_str(), model.c_str(),
              schema.c_str(), auth == "Bearer " + s.key ? "ok" : "bad");
  std::fflush(stdout);

  Plan plan;
  if (auth != "Bearer " + s.key) {
    json err{{"error", json{{"message", "Incorrect API key provided"}, {"type", "invalid_request_error"},
                            {"code", "invalid_api_key"}}}};
    plan.response = make(req, http::status::unauthorized, err.dump());
    return plan;
  }
  const json reply = next_reply(s);
  plan.delay = std::chrono::milliseconds(reply.value("delay_ms", 0));
  const std::string kind = reply.value("kind", "success");
  if (kind == "reset") return plan;
  if (kind == "status") {
    const int code = reply.value("status", 500);
    json err{{"error", json{{"message", "stub error"}, {"type", code == 429 ? "rate_limit_exceeded" : "server_error"}}}};
    plan.response = make(req, static_cast<http::status>(code), err.dump());
    if (code == 429) plan.response->set(http::field::retry_after, "1");
    return plan;
  }
  if (kind == "malformed") {
    plan.response = make(req, http::status::ok, reply.value("body", std::string("{\"choices\": [")));
    return plan;
  }
  if (kind == "refusal") {
    json message{{"role", "assistant"}, {"content", nullptr},
                 {"refusal", reply.value("refusal", std::string("I'm sorry, I can't help with that."))}};
    plan.response = make(req, http::status::ok, completion(model, message).dump());
    return plan;
  }
  json content = reply.contains("content") ? reply["content"] : json::object();
  json message{{"role", "assistant"},
               {"content", content.is_string() ? content.get<std::string>() : content.dump()},
               {"refusal", nullptr}};
  plan.response = make(req, http::status::ok, completion(model, message).dump());
  return plan;
}

Plan plan(StubState& s, const http::request<http::string_body>& req) {
  const std::string target(req.target());
  Plan p;
  if (req.method() == http::verb::post && (target == "/v1/chat/completions" || target == "/chat/completions")) {
    return plan_completion(s, req);
  }
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
    s.fallback = StubState{}.fallback;
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
      // "Connection reset": an RST instead of a response.
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
  if (const char* k = std::getenv("OPENAI_STUB_KEY")) state.key = k;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--key") state.key = argv[++i];
  }
  const char* port_env = std::getenv("PORT");
  const auto port = static_cast<unsigned short>(port_env ? std::atoi(port_env) : 0);
  // One thread is plenty: every delay is a timer, so 100 slow replies wait concurrently.
  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::printf("listening port=%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  asio::co_spawn(ioc, accept_loop(state, acceptor), asio::detached);
  ioc.run();
  return 0;
}
