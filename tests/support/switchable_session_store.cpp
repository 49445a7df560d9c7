// Test double: SessionStore that fails on demand (see the header).
#include "switchable_session_store.hpp"

namespace bella::testing {

void SwitchableSessionStore::check() {
  ++calls_;
  if (!up_) throw bella::Unavailable("redis", "switchable store is down");
}

store::HealthProbe SwitchableSessionStore::probe() {
  return [this](std::chrono::milliseconds) -> Task<std::optional<std::string>> {
    if (up_) co_return std::nullopt;
    co_return std::string("down");
  };
}

Task<std::optional<std::string>> SwitchableSessionStore::load(std::string key) {
  check();
  co_return inner_.get(key);
}

Task<void> SwitchableSessionStore::save(std::string key, std::string value, std::chrono::seconds ttl) {
  check();
  inner_.put(key, std::move(value), ttl);
  co_return;
}

Task<bool> SwitchableSessionStore::claim(std::string key, std::string value, std::chrono::seconds ttl) {
  check();
  co_return inner_.put_if_absent(key, std::move(value), ttl);
}

Task<std::size_t> SwitchableSessionStore::erase_containing(std::string needle) {
  check();
  co_return inner_.remove_containing(needle);
}

Task<void> SwitchableSessionStore::erase(std::string key) {
  check();
  inner_.remove(key);
  co_return;
}

}  // namespace bella::testing
