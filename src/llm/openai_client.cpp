// OpenAiClient: bounds (cap, breaker, deadline) around one curl_multi loop, results back on the caller's executor.
#include "llm/openai_client.hpp"

#include "obs/log.hpp"

#include <mutex>
#include <utility>


#include "llm/openai_wire.hpp"
#include "net/curl_multi_loop.hpp"
#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"

namespace bella::llm {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

obs::Counter& requests_total() {
  static auto& c = obs::registry().counter("bella_llm_requests_total", "LLM fallback calls by field and outcome");
  return c;
}
obs::Histogram& latency_seconds() {
  static auto& h = obs::registry().histogram("bella_llm_latency_seconds", "LLM fallback call latency",
                                             obs::kLlmLatencyBounds);
  return h;
}
obs::Gauge& breaker_gauge() {
  static auto& g = obs::registry().gauge("bella_llm_breaker_state", "LLM breaker: 0 closed, 1 half-open, 2 open");
  return g;
}

void count(Field field, std::string_view outcome) {
  requests_total().inc({{"field", std::string(field_name(field))}, {"outcome", std::string(outcome)}});
}

std::string chat_url(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/chat/completions";
}

}  // namespace

// One extract() call. Whoever completes it first (curl thread or deadline timer) wins; the other is
// ignored. `resume` posts the coroutine's handler back to its own executor, so the caller never
// resumes on the curl thread.
struct OpenAiClient::Call {
  explicit Call(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  std::uint64_t id = 0;
  Clock::time_point started{};
  std::mutex mutex;
  bool completed = false;
  std::optional<net::CurlResult> result;  // still empty after completion: the deadline won
  std::function<void()> resume;

  void complete(std::optional<net::CurlResult> r) {
    std::function<void()> h;
    {
      std::lock_guard lock(mutex);
      if (completed) return;
      completed = true;
      result = std::move(r);
      h = std::move(resume);
    }
    if (h) h();
  }
};

namespace {

// The async_initiate initiation that parks the awaiting coroutine's handler in `call`: resumed on
// that coroutine's own executor by whichever of curl and the deadline completes the call first.
// A named type holding a plain pointer, not a lambda coroutine argument: GCC 12 destroys some
// by-value coroutine arguments twice (here: a copied shared_ptr), so the caller keeps `call` alive.
struct ParkUntilComplete {
  OpenAiClient::Call* call;

  template <class Handler>
  void operator()(Handler handler) const {
    auto h = std::make_shared<Handler>(std::move(handler));
    auto ex = asio::get_associated_executor(*h, call->timer.get_executor());
    std::function<void()> resume = [h, ex] { asio::post(ex, [h] { (*h)(); }); };
    bool already = false;
    {
      std::lock_guard lock(call->mutex);
      already = call->completed;
      if (!already) call->resume = resume;
    }
    if (already) resume();
  }
};

}  // namespace

OpenAiClient::OpenAiClient(OpenAiSettings settings)
    : settings_(std::move(settings)),
      enabled_(!settings_.api_key.empty()),
      url_(chat_url(settings_.base_url)),
      breaker_(settings_.breaker, settings_.now,
               [](BreakerState s) {
                 breaker_gauge().set(static_cast<double>(static_cast<int>(s)));
                 // The on-call engineer (and the CloudWatch metric filter) look for these lines.
                 if (s == BreakerState::open) obs::warn("llm breaker opened", {{"state", "open"}});
                 else if (s == BreakerState::closed) obs::info("llm breaker closed", {{"state", "closed"}});
                 else obs::info("llm breaker half-open: probing", {{"state", "half_open"}});
               }) {
  if (!enabled_) return;  // no key: the fallback is off and nothing else changes
  breaker_gauge().set(0);
  loop_ = std::make_unique<net::CurlMultiLoop>();
}

OpenAiClient::~OpenAiClient() { stop(); }

void OpenAiClient::stop() {
  if (loop_) loop_->stop();
}

Task<std::optional<json>> OpenAiClient::extract(const LlmRequest& request, std::chrono::milliseconds deadline) {
  if (!enabled_) co_return std::nullopt;
  const auto ex = co_await asio::this_coro::executor;
  const auto call = start(request, deadline, ex);
  if (!call) co_return std::nullopt;  // refused locally: over the cap, breaker open, or stopped
  const ParkUntilComplete park{call.get()};
  co_await asio::async_initiate<decltype(use_awaitable), void()>(park, use_awaitable);
  co_return conclude(request.field, deadline, *call);
}

std::shared_ptr<OpenAiClient::Call> OpenAiClient::start(const LlmRequest& request, std::chrono::milliseconds deadline,
                                                        const asio::any_io_executor& ex) {
  const Field field = request.field;
  if (deadline <= std::chrono::milliseconds::zero()) {
    count(field, "timeout");
    return nullptr;
  }
  if (in_flight_.fetch_add(1) >= settings_.max_in_flight) {
    in_flight_.fetch_sub(1);
    count(field, "overloaded");
    return nullptr;
  }
  if (!breaker_.allow()) {
    in_flight_.fetch_sub(1);
    count(field, "breaker_open");
    return nullptr;
  }

  auto call = std::make_shared<Call>(ex);
  net::CurlPost post;
  post.url = url_;
  post.body = build_request(request, settings_.model).dump();
  post.headers = {"Content-Type: application/json", "Authorization: Bearer " + settings_.api_key};
  post.timeout = deadline;
  post.done = [this, call](net::CurlResult r) {
    // Runs on the curl thread; the slot is free once curl has let go of the transfer.
    in_flight_.fetch_sub(1);
    call->complete(std::move(r));
  };
  call->started = Clock::now();
  call->timer.expires_after(deadline);
  call->timer.async_wait([call](error_code ec) {
    if (!ec) call->complete(std::nullopt);  // the deadline resolves the caller even if curl is slow
  });
  call->id = loop_->submit(std::move(post));
  if (call->id == 0) {  // stopped: shutting down
    in_flight_.fetch_sub(1);
    breaker_.release();
    call->timer.cancel();
    count(field, "error");
    return nullptr;
  }
  return call;
}

std::optional<json> OpenAiClient::conclude(Field field, std::chrono::milliseconds deadline, Call& call) {
  call.timer.cancel();
  const double seconds = std::chrono::duration<double>(Clock::now() - call.started).count();
  latency_seconds().observe({{"field", std::string(field_name(field))}}, seconds);

  std::optional<net::CurlResult> result;
  {
    std::lock_guard lock(call.mutex);
    result = std::move(call.result);
  }
  if (!result) {
    loop_->cancel(call.id);  // curl may still be connecting: free the socket and the slot now
    breaker_.on_failure();
    count(field, "timeout");
    obs::warn("llm call timed out", {{"field", field_name(field)}, {"deadline_ms", deadline.count()}});
    return std::nullopt;
  }
  if (result->curl_code != 0) {
    breaker_.on_failure();
    count(field, result->timed_out ? "timeout" : "error");
    obs::warn("llm call failed", {{"field", field_name(field)}, {"error", result->error}});
    return std::nullopt;
  }
  if (result->http_status < 200 || result->http_status > 299) {
    breaker_.on_failure();
    count(field, "error");
    obs::warn("llm call failed", {{"field", field_name(field)}, {"http_status", result->http_status}});
    return std::nullopt;
  }
  auto reply = parse_reply(field, result->body);
  // A garbled body means a broken server (counts against the breaker); a refusal or an odd answer
  // from a working model does not.
  if (reply.body_malformed) breaker_.on_failure();
  else breaker_.on_success();
  switch (reply.kind) {
    case ReplyKind::answer:
      count(field, "success");
      return std::move(reply.value);
    case ReplyKind::empty:
      count(field, "success");
      return std::nullopt;
    case ReplyKind::refused:
      count(field, "refused");
      return std::nullopt;
    case ReplyKind::malformed:
      count(field, "malformed");
      obs::warn("llm reply malformed", {{"field", field_name(field)}, {"body_bytes", result->body.size()}});
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace bella::llm
