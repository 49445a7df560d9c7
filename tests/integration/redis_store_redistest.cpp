// RedisClient and the Redis/Fallback session stores against a real redis-server (plain and TLS).
// Needs BELLA_TEST_REDIS_URL and BELLA_TEST_REDIS_RESTART (a shell command that (re)starts that
// Redis on the same port, whether or not it is running, and returns once it answers). The TLS
// tests run when BELLA_TEST_REDISS_URL (+ BELLA_TEST_REDIS_CA_FILE) is set.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <future>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "app/config.hpp"
#include "store/fallback_store.hpp"
#include "store/memory_store.hpp"
#include "store/redis_client.hpp"
#include "store/redis_store.hpp"
#include "support/raw_socket.hpp"

namespace bella::store {
namespace {

using namespace std::chrono_literals;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// An io_context on two threads (so the strand matters) for the duration of a test.
class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = env("BELLA_TEST_REDIS_URL");
    ASSERT_FALSE(url_.empty()) << "BELLA_TEST_REDIS_URL is not set: point it at a throwaway redis-server "
                                  "(scripts/test starts one), e.g. redis://127.0.0.1:56379/0";
    prefix_ = std::string("bella:test:") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ":" +
              std::to_string(::getpid()) + ":";
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  void TearDown() override {
    for (auto& c : clients_) c->stop();
    for (auto* f : fallbacks_) f->stop();
    work_.reset();
    for (auto& t : threads_) t.join();
  }

  RedisSettings settings(const std::string& url) {
    RedisSettings s;
    s.url = app::parse_redis_url(url);
    s.timeout = 2s;  // generous: a loaded CI box (or valgrind) must not turn these into flaky timeouts
    s.connect_timeout = 10s;
    s.reconnect_wait = 50ms;
    s.health_check_interval = 200ms;
    return s;
  }

  std::shared_ptr<RedisClient> client(RedisSettings s) {
    auto c = std::make_shared<RedisClient>(ioc_.get_executor(), std::move(s));
    c->start();
    clients_.push_back(c);
    return c;
  }
  std::shared_ptr<RedisClient> client() { return client(settings(url_)); }

  template <class T>
  T sync(std::function<Task<T>()> make) {
    return asio::co_spawn(ioc_, make(), asio::use_future).get();
  }
  void sync_void(std::function<Task<void>()> make) { asio::co_spawn(ioc_, make(), asio::use_future).get(); }

  /// Polls `ready` every 20 ms, up to ~10 s: waits for an outcome, asserts nothing about speed.
  bool eventually(const std::function<bool()>& ready) {
    for (int i = 0; i < 500; ++i) {
      if (ready()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return ready();
  }

  std::optional<std::string> ping(RedisClient& c) {
    return sync<std::optional<std::string>>([&c] { return c.ping(1s); });
  }

  std::string key(const std::string& name) const { return prefix_ + name; }

  std::string url_;
  std::string prefix_;
  asio::io_context ioc_{2};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{ioc_.get_executor()};
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<RedisClient>> clients_;
  std::vector<FallbackSessionStore*> fallbacks_;
  std::vector<std::shared_ptr<void>> keep_alive_;  // outlives the io threads (destroyed after join)
};

TEST_F(RedisTest, SaveLoadEraseRoundTrip) {
  RedisSessionStore store(client());
  const auto k = key("session");
  auto got = sync<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save(k, "{\"step\":\"ask_name\"}", 900s);
    co_return co_await store.load(k);
  });
  EXPECT_EQ(got, "{\"step\":\"ask_name\"}");
  auto after = sync<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.erase(k);
    co_return co_await store.load(k);
  });
  EXPECT_FALSE(after.has_value());
  EXPECT_EQ(store.backend(), "redis");
}

TEST_F(RedisTest, BinaryValuesSurvive) {
  RedisSessionStore store(client());
  const auto k = key("binary");
  const std::string value("a\r\n\0\xff$-1\r\n", 11);
  auto got = sync<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save(k, value, 60s);
    co_return co_await store.load(k);
  });
  EXPECT_EQ(got, value);
}

TEST_F(RedisTest, SaveSetsTheTtlInTheSameCommand) {
  auto c = client();
  RedisSessionStore store(c);
  const auto k = key("ttl");
  auto ttl = sync<resp::Value>([&]() -> Task<resp::Value> {
    co_await store.save(k, "v", 900s);
    co_return co_await c->exec("TTL", k);
  });
  ASSERT_EQ(ttl.type, resp::Value::Type::integer);
  EXPECT_GT(ttl.integer, 0);
  EXPECT_LE(ttl.integer, 900);
}

TEST_F(RedisTest, ClaimIsExclusiveUntilErasedOrExpired) {
  auto c = client();
  RedisSessionStore store(c);
  const auto k = key("turn");
  auto first = sync<bool>([&] { return store.claim(k, "a", 30s); });
  auto second = sync<bool>([&] { return store.claim(k, "b", 30s); });
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  EXPECT_EQ(sync<std::optional<std::string>>([&] { return store.load(k); }), "a");
  auto ttl = sync<resp::Value>([&] { return c->exec("TTL", k); });
  EXPECT_GT(ttl.integer, 0);  // the claim carries its EX too
  // Expire it server-side (PEXPIRE 1 ms) instead of sleeping through 30 s.
  (void)sync<resp::Value>([&] { return c->exec("PEXPIRE", k, "1"); });
  EXPECT_TRUE(eventually([&] { return !sync<std::optional<std::string>>([&] { return store.load(k); }); }));
  EXPECT_TRUE(sync<bool>([&] { return store.claim(k, "c", 30s); }));
}

TEST_F(RedisTest, ExpiredKeyIsAbsent) {
  auto c = client();
  RedisSessionStore store(c);
  const auto k = key("expiring");
  sync_void([&]() -> Task<void> { co_await store.save(k, "v", 900s); });
  (void)sync<resp::Value>([&] { return c->exec("PEXPIRE", k, "1"); });
  EXPECT_TRUE(eventually([&] { return !sync<std::optional<std::string>>([&] { return store.load(k); }); }));
}

Task<std::string> set_then_get(std::shared_ptr<RedisClient> c, std::string k, std::string v) {
  (void)co_await c->exec("SET", k, v);
  auto got = co_await c->exec("GET", k);
  co_return got.text;
}

TEST_F(RedisTest, ConcurrentPipelinedRequestsGetTheirOwnReplies) {
  auto c = client();
  constexpr int kCount = 200;
  std::vector<std::future<std::string>> results;
  for (int i = 0; i < kCount; ++i) {
    const auto k = key("p" + std::to_string(i));
    const auto v = std::to_string(i * 7);
    results.push_back(asio::co_spawn(ioc_, set_then_get(c, k, v), asio::use_future));
  }
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(results[static_cast<std::size_t>(i)].get(), std::to_string(i * 7));
}

/// A TCP relay between one client and Redis that counts the client's bursts: each read of what
/// the client wrote is one round trip (a pipeline goes out in one write; a command that waits for
/// the previous reply cannot share its write).
class CountingRelay {
 public:
  CountingRelay(const std::string& host, std::uint16_t upstream_port) {
    listen_ = bella::testing::listen_loopback(4, port_);
    upstream_.sin_family = AF_INET;
    upstream_.sin_port = htons(upstream_port);
    ::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &upstream_.sin_addr);
    relay_ = std::thread([this] { run(); });
  }
  ~CountingRelay() {
    stop_ = true;
    relay_.join();
    ::close(listen_);
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] int bursts() const { return bursts_.load(); }

 private:
  void run() {
    int client = -1;
    while (!stop_ && client < 0) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 20) == 1) client = ::accept(listen_, nullptr, nullptr);
    }
    if (client < 0) return;
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(server, reinterpret_cast<const sockaddr*>(&upstream_), sizeof upstream_) != 0) {
      ::close(client);
      ::close(server);
      return;
    }
    std::array<char, 64 * 1024> buf{};
    while (!stop_) {
      std::array<pollfd, 2> p{{{client, POLLIN, 0}, {server, POLLIN, 0}}};
      if (::poll(p.data(), 2, 20) <= 0) continue;
      if (p[0].revents & (POLLIN | POLLHUP)) {
        const auto n = ::read(client, buf.data(), buf.size());
        if (n <= 0) break;
        ++bursts_;
        if (::write(server, buf.data(), static_cast<std::size_t>(n)) != n) break;
      }
      if (p[1].revents & (POLLIN | POLLHUP)) {
        const auto n = ::read(server, buf.data(), buf.size());
        if (n <= 0) break;
        if (::write(client, buf.data(), static_cast<std::size_t>(n)) != n) break;
      }
    }
    ::close(client);
    ::close(server);
  }

  int listen_ = -1;
  std::uint16_t port_ = 0;
  sockaddr_in upstream_{};
  std::atomic<bool> stop_{false};
  std::atomic<int> bursts_{0};
  std::thread relay_;
};

// Issue 14: a webhook turn's store traffic is two round trips (claim + session read, then session +
// reply write), counted on the wire.
TEST_F(RedisTest, ClaimThenLoadAndSaveAllAreOneRoundTripEachWithTheSingleCommandsMeaning) {
  auto base = settings(url_);
  if (base.url.tls) GTEST_SKIP() << "the relay speaks plain TCP";
  CountingRelay relay(base.url.host, static_cast<std::uint16_t>(base.url.port));
  auto s = base;
  s.url.host = "127.0.0.1";
  s.url.port = relay.port();
  s.health_check_interval = 0ms;  // no PINGs in the count
  auto c = client(s);
  ASSERT_TRUE(eventually([&] { return c->connected(); }));
  RedisSessionStore store(c);
  const auto session = key("call"), turn = key("turn:1"), reply = key("turn:1:reply");

  // The relay counts what it should: two dependent commands are two round trips.
  int before = relay.bursts();
  (void)sync<bool>([&] { return store.claim(key("control"), "x", 30s); });
  (void)sync<std::optional<std::string>>([&] { return store.load(session); });
  EXPECT_EQ(relay.bursts() - before, 2);

  sync_void([&]() -> Task<void> { co_await store.save(session, "{\"turn\":3}", 900s); });
  before = relay.bursts();
  auto first = sync<ClaimedLoad>([&] { return store.claim_then_load(turn, "pending:a", 30s, session); });
  EXPECT_EQ(relay.bursts() - before, 1);
  EXPECT_TRUE(first.claimed);
  EXPECT_EQ(first.value, "{\"turn\":3}");
  auto second = sync<ClaimedLoad>([&] { return store.claim_then_load(turn, "pending:b", 30s, key("absent")); });
  EXPECT_FALSE(second.claimed);  // SET NX: the first claim holds
  EXPECT_FALSE(second.value.has_value());
  EXPECT_EQ(sync<std::optional<std::string>>([&] { return store.load(turn); }), "pending:a");

  before = relay.bursts();
  sync_void([&]() -> Task<void> {
    std::vector<Write> writes{{session, "{\"turn\":4}", 900s}, {reply, "<Response/>", 60s}};
    co_await store.save_all(std::move(writes));
  });
  EXPECT_EQ(relay.bursts() - before, 1);
  EXPECT_EQ(sync<std::optional<std::string>>([&] { return store.load(session); }), "{\"turn\":4}");
  EXPECT_EQ(sync<std::optional<std::string>>([&] { return store.load(reply); }), "<Response/>");
  auto ttl = sync<resp::Value>([&] { return c->exec("TTL", reply); });
  EXPECT_GT(ttl.integer, 0);
  EXPECT_LE(ttl.integer, 60);
  auto claim_ttl = sync<resp::Value>([&] { return c->exec("TTL", turn); });
  EXPECT_GT(claim_ttl.integer, 0);
  EXPECT_LE(claim_ttl.integer, 30);
  c->stop();
}

TEST_F(RedisTest, ErrorReplyThrowsAndTheConnectionStaysUsable) {
  auto c = client();
  const auto k = key("not-a-number");
  (void)sync<resp::Value>([&] { return c->exec("SET", k, "abc"); });
  EXPECT_THROW((void)sync<resp::Value>([&] { return c->exec("INCR", k); }), Unavailable);
  EXPECT_EQ(ping(*c), std::nullopt);
}

TEST_F(RedisTest, SelectsTheDatabaseFromTheUrl) {
  auto base = app::parse_redis_url(url_);
  auto s0 = settings(url_);
  s0.url.db = 0;
  auto s5 = settings(url_);
  s5.url.db = 5;
  auto c0 = client(s0);
  RedisSessionStore db5(client(s5));
  const auto k = key("db5");
  sync_void([&]() -> Task<void> { co_await db5.save(k, "five", 60s); });
  EXPECT_EQ(sync<std::optional<std::string>>([&] { return db5.load(k); }), "five");
  auto in_db0 = sync<resp::Value>([&] { return c0->exec("EXISTS", k); });
  EXPECT_EQ(in_db0.integer, 0);
}

TEST_F(RedisTest, AuthenticatesWithUsernameAndPassword) {
  auto admin = client();
  const std::string user = "bella_test_" + std::to_string(::getpid());
  (void)sync<resp::Value>([&] { return admin->exec("ACL", "SETUSER", user, "on", ">s3cret", "~*", "+@all"); });
  auto good = settings(url_);
  good.url.username = user;
  good.url.password = "s3cret";
  auto bad = good;
  bad.url.password = "wrong";
  auto ok_client = client(good);
  auto bad_client = client(bad);
  EXPECT_EQ(ping(*ok_client), std::nullopt);
  auto who = sync<resp::Value>([&] { return ok_client->exec("ACL", "WHOAMI"); });
  EXPECT_EQ(who.text, user);
  auto refused = ping(*bad_client);
  ASSERT_TRUE(refused.has_value());
  (void)sync<resp::Value>([&] { return admin->exec("ACL", "DELUSER", user); });
}

TEST_F(RedisTest, UnreachableServerFailsPingWithAReason) {
  auto s = settings("redis://127.0.0.1:1/0");  // port 1: nothing listens there
  auto c = client(s);
  auto reason = ping(*c);
  ASSERT_TRUE(reason.has_value());
  RedisSessionStore store(c);
  EXPECT_THROW((void)sync<std::optional<std::string>>([&] { return store.load("k"); }), Unavailable);
}

TEST_F(RedisTest, DeadlineThrowsAndResetsTheConnection) {
  auto s = settings(url_);
  s.timeout = 100ms;
  auto c = client(s);
  ASSERT_EQ(ping(*c), std::nullopt);
  // BLPOP blocks only this connection, for longer than the deadline.
  const auto k = key("never-filled");
  try {
    (void)sync<resp::Value>([&] { return c->exec("BLPOP", k, "5"); });
    ADD_FAILURE() << "BLPOP returned before its deadline";
  } catch (const Unavailable& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer"), std::string::npos) << e.what();
  }
  // The blocked connection was dropped (its late reply would be mismatched); a new one serves.
  EXPECT_TRUE(eventually([&] { return !ping(*c).has_value(); }));
  auto v = sync<resp::Value>([&] { return c->exec("ECHO", "fresh"); });
  EXPECT_EQ(v.text, "fresh");
}

std::string restart_command() { return env("BELLA_TEST_REDIS_RESTART"); }

TEST_F(RedisTest, ReconnectsAfterTheServerRestarts) {
  const auto restart = restart_command();
  ASSERT_FALSE(restart.empty()) << "BELLA_TEST_REDIS_RESTART is not set: a shell command that restarts the "
                                   "test Redis on the same port (scripts/test provides it)";
  auto c = client();
  RedisSessionStore store(c);
  ASSERT_EQ(ping(*c), std::nullopt);
  ASSERT_EQ(std::system(restart.c_str()), 0) << restart;
  // The old connection is dead; the run loop notices and reconnects by itself.
  EXPECT_TRUE(eventually([&] { return !ping(*c).has_value(); }));
  const auto k = key("after-restart");
  auto got = sync<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save(k, "back", 60s);
    co_return co_await store.load(k);
  });
  EXPECT_EQ(got, "back");
}

TEST_F(RedisTest, FallbackGoesToMemoryWhenRedisDiesAndBackWhenItReturns) {
  const auto restart = restart_command();
  ASSERT_FALSE(restart.empty()) << "BELLA_TEST_REDIS_RESTART is not set: a shell command that (re)starts the "
                                   "test Redis on the same port (scripts/test provides it)";
  auto c = client();
  // Held by the fixture: the probe loop may still be running until TearDown joins the threads.
  auto redis_ptr = std::make_shared<RedisSessionStore>(c);
  auto memory_ptr = std::make_shared<MemorySessionStore>();
  auto store_ptr = std::make_shared<FallbackSessionStore>(
      *redis_ptr, *memory_ptr, [c](std::chrono::milliseconds d) { return c->ping(d); },
      FallbackSettings{.probe_interval = 50ms, .probe_deadline = 1s});
  keep_alive_.insert(keep_alive_.end(), {store_ptr, memory_ptr, redis_ptr});
  auto& redis = *redis_ptr;
  auto& memory = *memory_ptr;
  auto& store = *store_ptr;
  store.start(ioc_.get_executor());
  fallbacks_.push_back(&store);

  const auto before = key("before");
  const auto during = key("during");
  sync_void([&]() -> Task<void> { co_await store.save(before, "1", 60s); });
  EXPECT_EQ(store.backend(), "redis");
  EXPECT_EQ(memory.size(), 0u);

  // Kill the server from inside: SHUTDOWN closes our connection without a reply.
  auto killer = client();
  EXPECT_THROW((void)sync<resp::Value>([&] { return killer->exec("SHUTDOWN", "NOSAVE"); }), Unavailable);

  // The caller's save does not fail; it lands in memory.
  EXPECT_NO_THROW(sync_void([&]() -> Task<void> { co_await store.save(during, "2", 60s); }));
  EXPECT_EQ(store.backend(), "memory");
  EXPECT_EQ(memory.get(during), "2");
  EXPECT_EQ(sync<std::optional<std::string>>([&] { return store.load(during); }), "2");

  ASSERT_EQ(std::system(restart.c_str()), 0) << restart;
  EXPECT_TRUE(eventually([&] { return store.backend() == "redis"; }));
  // The session written during the outage was handed back to Redis, so the call can go on.
  auto in_redis = sync<std::optional<std::string>>([&] { return redis.load(during); });
  EXPECT_EQ(in_redis, "2");
  EXPECT_EQ(memory.size(), 0u);
}

// --- TLS (rediss://) ---------------------------------------------------------------------
class RedissTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    tls_url_ = env("BELLA_TEST_REDISS_URL");
    ca_file_ = env("BELLA_TEST_REDIS_CA_FILE");
    if (tls_url_.empty()) GTEST_SKIP() << "BELLA_TEST_REDISS_URL not set: TLS tests not run";
    ASSERT_FALSE(ca_file_.empty()) << "BELLA_TEST_REDISS_URL is set but BELLA_TEST_REDIS_CA_FILE is not";
  }
  std::string tls_url_, ca_file_;
};

TEST_F(RedissTest, VerifiedConnectionWithTheTestCa) {
  auto s = settings(tls_url_);
  ASSERT_TRUE(s.url.tls);
  s.ca_file = ca_file_;
  RedisSessionStore store(client(s));
  const auto k = key("tls");
  auto got = sync<std::optional<std::string>>([&]() -> Task<std::optional<std::string>> {
    co_await store.save(k, "secure", 60s);
    co_return co_await store.load(k);
  });
  EXPECT_EQ(got, "secure");
}

TEST_F(RedissTest, UnknownCaIsRefusedByDefault) {
  auto c = client(settings(tls_url_));  // system CAs only: the throwaway CA is not among them
  auto reason = ping(*c);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("certificate"), std::string::npos) << *reason;
}

TEST_F(RedissTest, InsecureOptOutSkipsVerification) {
  auto s = settings(tls_url_);
  s.tls_insecure = true;
  auto c = client(s);
  EXPECT_EQ(ping(*c), std::nullopt);
}

}  // namespace
}  // namespace bella::store
