// Where a Redis server is: the parsed form of REDIS_URL (redis:// or rediss://).
#pragma once
#include <cstdint>
#include <string>

namespace bella::store {

struct RedisEndpoint {
  bool tls = false;
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string username;  // ACL user, may be empty
  std::string password;  // may be empty
  int db = 0;
};

}  // namespace bella::store
