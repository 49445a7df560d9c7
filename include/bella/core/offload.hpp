// Running blocking work on a thread pool from a coroutine, with or without a deadline.
//
// GCC 12 destroys some by-value coroutine arguments and awaited results twice (seen here as double
// frees of std::string: in lambda captures handed to co_spawn, in callables passed by value to a
// coroutine, and in values delivered through a use_awaitable completion handler). So the callable
// and its result live in a heap State reached through a raw pointer, and the completion handler
// carries nothing but an exception_ptr.
#pragma once
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

#include "bella/core/asio.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

namespace bella {

namespace detail {

template <class F>
using Returned = std::invoke_result_t<F&>;
/// void results travel as `bool` so every state has the same shape.
template <class F>
using Carried = std::conditional_t<std::is_void_v<Returned<F>>, bool, Returned<F>>;

template <class F>
struct OffloadState {
  explicit OffloadState(F fn) : f(std::move(fn)) {}
  F f;
  std::optional<Carried<F>> value;
  std::exception_ptr error;
  std::mutex mutex;  // offload_with_deadline: the pool and the timer race to finish
  bool finished = false;
};

template <class F>
void run_job(OffloadState<F>& st) {
  std::optional<Carried<F>> value;
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<Returned<F>>) {
      st.f();
      value.emplace(true);
    } else {
      value.emplace(st.f());
    }
  } catch (...) {
    error = std::current_exception();
  }
  std::lock_guard lock(st.mutex);
  st.value = std::move(value);
  st.error = error;
  st.finished = true;
}

template <class Executor, class F>
Task<Returned<F>> offload_impl(Executor pool, OffloadState<F>* raw) {
  std::unique_ptr<OffloadState<F>> st(raw);
  // The initiation crosses Asio's by-value initiate() coroutine: it holds only a raw pointer
  // (the state outlives it: this frame waits for the completion).
  co_await asio::async_initiate<decltype(use_awaitable), void(std::exception_ptr)>(
      [pool, raw](auto handler) {
        auto home = asio::get_associated_executor(handler);
        asio::post(pool, [handler = std::move(handler), raw, home]() mutable {
          run_job(*raw);
          asio::post(home, [handler = std::move(handler)]() mutable { handler(nullptr); });
        });
      },
      use_awaitable);
  if (st->error) std::rethrow_exception(st->error);
  if constexpr (!std::is_void_v<Returned<F>>) co_return std::move(*st->value);
}

template <class Executor, class F>
Task<std::optional<Returned<F>>> offload_deadline_impl(Executor pool, OffloadState<F>* raw,
                                                       std::chrono::milliseconds deadline) {
  std::shared_ptr<OffloadState<F>> st(raw);
  auto exec = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(exec, deadline);
  asio::post(pool, [st, timer, exec]() mutable {
    run_job(*st);
    // Wake the waiter on its own executor; an expiry in the past also covers a wait not yet begun.
    // The timer moves into that handler: this job, destroyed on the pool thread, must not hold the
    // last reference (the io_context may be gone by then, and the timer's destructor needs it).
    asio::post(exec, [t = std::move(timer)] { t->expires_at(std::chrono::steady_clock::time_point::min()); });
  });
  bool finished = false;
  {
    std::lock_guard lock(st->mutex);
    finished = st->finished;
  }
  if (!finished) {
    error_code ec;
    co_await timer->async_wait(asio::redirect_error(use_awaitable, ec));
  }
  std::lock_guard lock(st->mutex);
  if (!st->finished) co_return std::nullopt;
  if (st->error) std::rethrow_exception(st->error);
  if constexpr (std::is_void_v<Returned<F>>) {
    co_return true;
  } else {
    co_return std::move(*st->value);
  }
}

}  // namespace detail

/// Runs `fn()` on `pool` and resumes the caller on its own executor with the result, or rethrows
/// its exception there. The io_context never blocks on `fn`.
template <class Executor, class F>
Task<detail::Returned<F>> offload(Executor pool, F fn) {
  return detail::offload_impl(pool, new detail::OffloadState<F>(std::move(fn)));
}

/// Like offload(), but resumes with nullopt once `deadline` passes; `fn` may still finish later
/// on the pool (its result is dropped). Exceptions from `fn` are rethrown in the caller. The
/// caller must run on a strand or a single-threaded executor (HTTP sessions do).
template <class Executor, class F>
auto offload_with_deadline(Executor pool, F fn, std::chrono::milliseconds deadline) {
  return detail::offload_deadline_impl(pool, new detail::OffloadState<F>(std::move(fn)), deadline);
}

}  // namespace bella
