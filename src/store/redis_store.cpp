// SessionStore on Redis: each operation is one command, one round trip.
#include "store/redis_store.hpp"

#include <algorithm>

namespace bella::store {
namespace {

std::string ttl_arg(std::chrono::seconds ttl) {
  return std::to_string(std::max<std::chrono::seconds::rep>(1, ttl.count()));  // EX 0 is an error
}

}  // namespace

Task<std::optional<std::string>> RedisSessionStore::load(std::string key) {
  std::optional<std::string> out;
  std::string error;
  try {
    auto v = co_await client_->exec("GET", key);
    if (v.type == resp::Value::Type::string) {
      out = std::move(v.text);
    } else if (!v.is_nil()) {
      error = "unexpected reply to GET";
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
  co_return out;
}

Task<void> RedisSessionStore::save(std::string key, std::string value, std::chrono::seconds ttl) {
  std::string error;
  try {
    auto v = co_await client_->exec("SET", key, value, "EX", ttl_arg(ttl));
    if (!v.is_ok()) error = "unexpected reply to SET: " + v.text;
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
}

Task<bool> RedisSessionStore::claim(std::string key, std::string value, std::chrono::seconds ttl) {
  bool claimed = false;
  std::string error;
  try {
    auto v = co_await client_->exec("SET", key, value, "NX", "EX", ttl_arg(ttl));
    if (v.is_ok()) {
      claimed = true;
    } else if (!v.is_nil()) {  // nil: the key exists, someone else holds the claim
      error = "unexpected reply to SET NX: " + v.text;
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
  co_return claimed;
}

Task<void> RedisSessionStore::erase(std::string key) {
  std::string error;
  try {
    (void)co_await client_->exec("DEL", key);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
}

}  // namespace bella::store
