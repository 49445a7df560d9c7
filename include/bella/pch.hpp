// Precompiled header: the heavy third-party headers most translation units use.
#pragma once
#include <utility>  // must precede Asio's coroutine headers with GCC 12
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
