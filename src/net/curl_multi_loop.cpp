// The curl_multi loop thread: adds queued transfers, drives them with curl_multi_poll, reports results.
#include "net/curl_multi_loop.hpp"

#include <algorithm>
#include <stdexcept>

#include <curl/curl.h>
#include <spdlog/spdlog.h>

namespace bella::net {
namespace {

// Replies (chat completions, Twilio message resources) are a few KB; anything huge is not an answer.
constexpr std::size_t kMaxResponseBytes = 1 << 20;

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (out->size() + n > kMaxResponseBytes) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  out->append(data, n);
  return n;
}

void global_init_once() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) throw std::runtime_error(std::string("curl_global_init: ") + curl_easy_strerror(rc));
}

CURLM* multi(void* p) { return static_cast<CURLM*>(p); }

}  // namespace

struct CurlMultiLoop::Transfer {
  std::uint64_t id = 0;
  CurlPost post;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string response;
  char error[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    if (headers) curl_slist_free_all(headers);
  }
};

CurlMultiLoop::CurlMultiLoop() {
  global_init_once();  // function-local static: thread-safe, once per process
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  thread_ = std::thread([this] { run(); });
}

CurlMultiLoop::~CurlMultiLoop() {
  stop();
  curl_multi_cleanup(multi(multi_));
}

std::uint64_t CurlMultiLoop::submit(CurlPost post) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return 0;
    id = next_id_++;
    queued_.emplace_back(id, std::move(post));
  }
  curl_multi_wakeup(multi(multi_));
  return id;
}

void CurlMultiLoop::cancel(std::uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    cancelled_.push_back(id);
  }
  curl_multi_wakeup(multi(multi_));
}

void CurlMultiLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  curl_multi_wakeup(multi(multi_));
  if (thread_.joinable()) thread_.join();
}

void CurlMultiLoop::finish(Transfer& t, CurlResult result) {
  if (t.post.done) {
    auto done = std::move(t.post.done);
    t.post.done = nullptr;
    done(std::move(result));
  }
}

void CurlMultiLoop::run() {
  auto* m = multi(multi_);
  for (;;) {
    std::deque<std::pair<std::uint64_t, CurlPost>> fresh;
    std::vector<std::uint64_t> cancels;
    bool stop_now = false;
    {
      std::lock_guard lock(mutex_);
      fresh.swap(queued_);
      cancels.swap(cancelled_);
      stop_now = stopping_;
    }
    if (stop_now) {
      for (auto& [id, post] : fresh) {
        Transfer t;
        t.post = std::move(post);
        finish(t, CurlResult{.curl_code = CURLE_ABORTED_BY_CALLBACK, .error = "client stopped"});
      }
      break;
    }

    for (auto& [id, post] : fresh) {
      auto t = std::make_unique<Transfer>();
      t->id = id;
      t->post = std::move(post);
      t->easy = curl_easy_init();
      if (!t->easy) {
        finish(*t, CurlResult{.curl_code = CURLE_OUT_OF_MEMORY, .error = "curl_easy_init failed"});
        continue;
      }
      for (const auto& h : t->post.headers) t->headers = curl_slist_append(t->headers, h.c_str());
      // A small body: no "Expect: 100-continue" round trip.
      t->headers = curl_slist_append(t->headers, "Expect:");
      CURL* e = t->easy;
      const long timeout_ms = std::max<long>(1, static_cast<long>(t->post.timeout.count()));
      curl_easy_setopt(e, CURLOPT_URL, t->post.url.c_str());
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->post.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->post.body.size()));
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
      curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->response);
      curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
      curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
      curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
      // Signals are not thread-safe; the threaded resolver keeps DNS off this loop anyway.
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
      // Never send caller speech or patient texts to an unverified peer.
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
      curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
      curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
      if (curl_multi_add_handle(m, e) != CURLM_OK) {
        finish(*t, CurlResult{.curl_code = CURLE_FAILED_INIT, .error = "curl_multi_add_handle failed"});
        continue;
      }
      running_.emplace(id, std::move(t));
    }

    for (auto id : cancels) {
      auto it = running_.find(id);
      if (it == running_.end()) continue;  // already finished
      curl_multi_remove_handle(m, it->second->easy);
      finish(*it->second, CurlResult{.curl_code = CURLE_ABORTED_BY_CALLBACK, .error = "cancelled"});
      running_.erase(it);
    }

    int still_running = 0;
    curl_multi_perform(m, &still_running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* raw = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
      const CURLcode code = msg->data.result;
      CurlResult r;
      r.curl_code = code;
      r.timed_out = code == CURLE_OPERATION_TIMEDOUT;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &r.http_status);
      if (code != CURLE_OK) r.error = raw->error[0] ? raw->error : curl_easy_strerror(code);
      r.body = std::move(raw->response);
      curl_multi_remove_handle(m, msg->easy_handle);
      auto id = raw->id;
      finish(*raw, std::move(r));
      running_.erase(id);
    }

    // Sleeps until a socket is ready, curl's own next timeout, or curl_multi_wakeup().
    curl_multi_poll(m, nullptr, 0, 1000, nullptr);
  }

  for (auto& [id, t] : running_) {
    curl_multi_remove_handle(m, t->easy);
    finish(*t, CurlResult{.curl_code = CURLE_ABORTED_BY_CALLBACK, .error = "client stopped"});
  }
  running_.clear();
}

}  // namespace bella::net
