// One thread running one curl_multi handle: HTTP POSTs queued from any thread, completions by callback.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace bella::net {

struct CurlResult {
  int curl_code = 0;      // CURLcode; 0 is CURLE_OK
  long http_status = 0;   // 0 when no response arrived
  std::string body{};
  std::string error{};    // curl's error text when curl_code != 0
  bool timed_out = false; // CURLE_OPERATION_TIMEDOUT
};

struct CurlPost {
  std::string url;
  std::string body{};
  std::vector<std::string> headers;
  std::chrono::milliseconds timeout{1500};
  /// Called exactly once, on the loop thread (or on the stopping thread at shutdown). Must not block.
  std::function<void(CurlResult)> done;
};

/// libcurl off the io_context: a single thread drives every transfer through curl_multi_poll, so
/// 100 slow requests cost 100 sockets, not 100 threads. Thread-safe: submit/cancel from any thread.
class CurlMultiLoop {
 public:
  CurlMultiLoop();
  ~CurlMultiLoop();
  CurlMultiLoop(const CurlMultiLoop&) = delete;
  CurlMultiLoop& operator=(const CurlMultiLoop&) = delete;

  /// Queues a POST; returns its id, or 0 when the loop is stopped (then `done` is not called).
  std::uint64_t submit(CurlPost post);
  /// Aborts a transfer if it is still running; its `done` is then called with an error.
  void cancel(std::uint64_t id);
  /// Finishes every outstanding transfer with an error and joins the thread. Idempotent.
  void stop();

 private:
  struct Transfer;
  void run();
  void finish(Transfer& t, CurlResult result);

  void* multi_ = nullptr;  // CURLM*, kept opaque so curl.h stays out of this header
  std::mutex mutex_;
  bool stopping_ = false;
  std::uint64_t next_id_ = 1;
  std::deque<std::pair<std::uint64_t, CurlPost>> queued_;
  std::vector<std::uint64_t> cancelled_;
  // Owned by the loop thread only.
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> running_;
  std::thread thread_;
};

}  // namespace bella::net
