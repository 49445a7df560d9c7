// perform(): parks the awaiting coroutine's handler until the curl thread reports the transfer.
#include "net/async_post.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <curl/curl.h>

namespace bella::net {
namespace {

// Shared by the awaiting coroutine (which owns it and outlives the transfer) and the curl thread.
struct Pending {
  explicit Pending(asio::any_io_executor ex) : home(std::move(ex)) {}
  asio::any_io_executor home;
  std::mutex mutex;
  bool completed = false;
  CurlResult result;
  std::function<void()> resume;

  void complete(CurlResult r) {
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

// A named initiation holding a plain pointer (GCC 12 destroys some by-value coroutine arguments twice).
struct Park {
  Pending* pending;

  template <class Handler>
  void operator()(Handler handler) const {
    auto h = std::make_shared<Handler>(std::move(handler));
    auto ex = asio::get_associated_executor(*h, pending->home);
    std::function<void()> resume = [h, ex] { asio::post(ex, [h] { (*h)(); }); };
    bool already = false;
    {
      std::lock_guard lock(pending->mutex);
      already = pending->completed;
      if (!already) pending->resume = resume;
    }
    if (already) resume();
  }
};

}  // namespace

Task<CurlResult> perform(CurlMultiLoop& loop, CurlPost& post) {
  auto ex = co_await asio::this_coro::executor;
  auto pending = std::make_unique<Pending>(ex);
  Pending* raw = pending.get();
  post.done = [raw](CurlResult r) { raw->complete(std::move(r)); };
  if (loop.submit(std::move(post)) == 0) {
    CurlResult stopped;
    stopped.curl_code = CURLE_ABORTED_BY_CALLBACK;
    stopped.error = "client stopped";
    co_return stopped;
  }
  const Park park{raw};
  co_await asio::async_initiate<decltype(use_awaitable), void()>(park, use_awaitable);
  CurlResult out = std::move(raw->result);
  co_return out;
}

}  // namespace bella::net
