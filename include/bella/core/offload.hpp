// Running blocking work on a thread pool from a coroutine, with or without a deadline.
//
// Deliberately built on async_initiate + post rather than co_spawn(pool, lambda): GCC 12 destroys
// the captures of a coroutine lambda handed to co_spawn twice (seen here as double frees).
#pragma once
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

#include "bella/core/asio.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

namespace bella {

namespace detail {
template <class F>
using OffloadResult = std::conditional_t<std::is_void_v<std::invoke_result_t<F&>>, bool, std::invoke_result_t<F&>>;

template <class F>
OffloadResult<F> call_for_result(F& f) {
  if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
    f();
    return true;
  } else {
    return f();
  }
}
}  // namespace detail

/// Runs `fn()` on `pool` and resumes the caller on its own executor with the result (or the
/// exception). The io_context never blocks on `fn`.
template <class Executor, class F>
auto offload(Executor pool, F fn) -> Task<std::invoke_result_t<F&>> {
  using R = detail::OffloadResult<F>;
  auto home = co_await asio::this_coro::executor;
  auto result = co_await asio::async_initiate<decltype(use_awaitable), void(std::exception_ptr, std::optional<R>)>(
      [pool, home](auto handler, F f) {
        asio::post(pool, [handler = std::move(handler), f = std::move(f), home]() mutable {
          std::optional<R> value;
          std::exception_ptr error;
          try {
            value.emplace(detail::call_for_result(f));
          } catch (...) {
            error = std::current_exception();
          }
          asio::post(home, [handler = std::move(handler), error, value = std::move(value)]() mutable {
            handler(error, std::move(value));
          });
        });
      },
      use_awaitable, std::move(fn));
  if constexpr (!std::is_void_v<std::invoke_result_t<F&>>) co_return std::move(*result);
  else (void)result;
}

/// Like offload(), but gives up waiting after `deadline` and returns nullopt; `fn` may still finish
/// later on the pool (its result is dropped). Exceptions from `fn` propagate. The caller must run
/// on a strand or a single-threaded executor (HTTP sessions do).
template <class Executor, class F>
auto offload_with_deadline(Executor pool, F fn, std::chrono::milliseconds deadline)
    -> Task<std::optional<std::invoke_result_t<F&>>> {
  using R = std::invoke_result_t<F&>;
  auto exec = co_await asio::this_coro::executor;
  struct State {
    explicit State(decltype(exec) e) : timer(e) {}
    asio::steady_timer timer;
    std::mutex mutex;
    std::optional<R> value;
    std::exception_ptr error;
    bool done = false;
  };
  auto state = std::make_shared<State>(exec);
  state->timer.expires_after(deadline);
  asio::post(pool, [state, exec, f = std::move(fn)]() mutable {
    std::optional<R> v;
    std::exception_ptr e;
    try {
      v.emplace(f());
    } catch (...) {
      e = std::current_exception();
    }
    {
      std::lock_guard lock(state->mutex);
      state->value = std::move(v);
      state->error = e;
      state->done = true;
    }
    // Wake the waiter on its own executor; an expiry in the past also covers a wait not yet begun.
    asio::post(exec, [state] { state->timer.expires_at(std::chrono::steady_clock::time_point::min()); });
  });
  error_code ec;
  bool finished = false;
  {
    std::lock_guard lock(state->mutex);
    finished = state->done;
  }
  if (!finished) co_await state->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  std::lock_guard lock(state->mutex);
  if (!state->done) co_return std::nullopt;
  if (state->error) std::rethrow_exception(state->error);
  co_return std::move(state->value);
}

}  // namespace bella
