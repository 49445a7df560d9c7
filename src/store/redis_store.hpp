// SessionStore on Redis: GET / SET EX / SET NX EX / DEL over one RedisClient; a turn's pairs pipelined.
#pragma once
#include <memory>

#include "bella/store/session_store.hpp"
#include "store/redis_client.hpp"

namespace bella::store {

/// Thread-safe (RedisClient is). Every failure, timeout or error reply throws Unavailable.
class RedisSessionStore final : public SessionStore {
 public:
  explicit RedisSessionStore(std::shared_ptr<RedisClient> client) : client_(std::move(client)) {}

  Task<std::optional<std::string>> load(std::string key) override;
  Task<void> save(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<bool> claim(std::string key, std::string value, std::chrono::seconds ttl) override;
  Task<void> erase(std::string key) override;
  Task<std::size_t> erase_containing(std::string needle) override;
  /// SET NX EX and GET, pipelined: one round trip.
  Task<ClaimedLoad> claim_then_load(std::string claim_key, std::string claim_value, std::chrono::seconds ttl,
                                    std::string load_key) override;
  /// The SET EXs, pipelined: one round trip.
  Task<void> save_all(std::vector<Write> writes) override;
  [[nodiscard]] std::string_view backend() const override { return "redis"; }

 private:
  std::shared_ptr<RedisClient> client_;
};

}  // namespace bella::store
