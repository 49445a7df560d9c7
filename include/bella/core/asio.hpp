// Asio/coroutine includes in the one order GCC 12 + Boost 1.74 accepts, and short aliases.
#pragma once
#include <utility>  // GCC 12: must come before Asio's coroutine headers (std::exchange)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace bella {
namespace asio = boost::asio;
using boost::system::error_code;

/// Every coroutine in Bella returns this.
template <class T = void>
using Task = asio::awaitable<T>;

inline constexpr auto use_awaitable = asio::use_awaitable;
}  // namespace bella
