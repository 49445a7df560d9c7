// Awaiting one CurlMultiLoop transfer from a coroutine: the caller resumes on its own executor.
#pragma once
#include "bella/core/asio.hpp"
#include "net/curl_multi_loop.hpp"

namespace bella::net {

/// Submits `post` (its `done` is replaced) and resumes the caller on its own executor with the
/// result; the deadline is the post's own `timeout`, which curl enforces. A stopped loop answers
/// with an error result at once. `post` is taken by reference (GCC 12: no by-value coroutine
/// arguments) and is moved from.
Task<CurlResult> perform(CurlMultiLoop& loop, CurlPost& post);

}  // namespace bella::net
