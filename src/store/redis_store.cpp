// SessionStore on Redis: each operation is one command or one pipeline, one round trip.
#include "store/redis_store.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace bella::store {
namespace {

std::string ttl_arg(std::chrono::seconds ttl) {
  return std::to_string(std::max<std::chrono::seconds::rep>(1, ttl.count()));  // EX 0 is an error
}

/// A GET's reply: the value, nothing (nil), or "" in `error`.
std::optional<std::string> got(resp::Value& v, std::string& error) {
  if (v.type == resp::Value::Type::string) return std::move(v.text);
  if (!v.is_nil()) error = "unexpected reply to GET";
  return std::nullopt;
}

/// A SET NX's reply: claimed (OK), held by someone else (nil), or the error.
bool claimed_by(const resp::Value& v, std::string& error) {
  if (v.is_ok()) return true;
  if (!v.is_nil()) error = "unexpected reply to SET NX: " + v.text;
  return false;
}

}  // namespace

Task<std::optional<std::string>> RedisSessionStore::load(std::string key) {
  std::optional<std::string> out;
  std::string error;
  try {
    auto v = co_await client_->exec("GET", key);
    out = got(v, error);
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
    claimed = claimed_by(v, error);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
  co_return claimed;
}

Task<ClaimedLoad> RedisSessionStore::claim_then_load(std::string claim_key, std::string claim_value,
                                                    std::chrono::seconds ttl, std::string load_key) {
  ClaimedLoad out;
  std::string error;
  try {
    std::vector<std::vector<std::string>> commands{
        {"SET", std::move(claim_key), std::move(claim_value), "NX", "EX", ttl_arg(ttl)},
        {"GET", std::move(load_key)}};
    auto replies = co_await client_->pipeline(std::move(commands));
    out.claimed = claimed_by(replies.at(0), error);
    if (error.empty()) out.value = got(replies.at(1), error);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
  co_return out;
}

Task<void> RedisSessionStore::save_all(std::vector<Write> writes) {
  std::string error;
  try {
    std::vector<std::vector<std::string>> commands;
    commands.reserve(writes.size());
    for (auto& w : writes) commands.push_back({"SET", std::move(w.key), std::move(w.value), "EX", ttl_arg(w.ttl)});
    const auto replies = co_await client_->pipeline(std::move(commands));
    for (const auto& v : replies)
      if (!v.is_ok()) error = "unexpected reply to SET: " + v.text;
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
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

Task<std::size_t> RedisSessionStore::erase_containing(std::string needle) {
  // The needle goes into a glob: only letters and digits, so it cannot widen the match.
  bool plain = !needle.empty();
  for (char c : needle) plain = plain && std::isalnum(static_cast<unsigned char>(c));
  if (!plain) throw std::invalid_argument("erase_containing: letters and digits only");
  std::size_t erased = 0;
  std::string error;
  try {
    // SCAN, not KEYS: never blocks Redis for the whole keyspace; each step returns a few keys.
    std::string cursor = "0";
    const std::string pattern = "*" + needle + "*";
    do {
      auto page = co_await client_->exec("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
      if (page.type != resp::Value::Type::array || page.elements.size() != 2) {
        error = "unexpected reply to SCAN";
        break;
      }
      cursor = page.elements[0].text;
      std::vector<std::string> del{"DEL"};
      for (const auto& k : page.elements[1].elements) del.push_back(k.text);
      if (del.size() > 1) {
        auto n = co_await client_->exec_argv(del, client_->timeout());
        erased += static_cast<std::size_t>(std::max(0LL, n.integer));
      }
    } while (cursor != "0");
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) throw Unavailable("redis", error);
  co_return erased;
}

}  // namespace bella::store
