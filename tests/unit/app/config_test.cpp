// Config::from_env: every variable read and checked once, in one place; bad values name the variable.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "app/config.hpp"

namespace bella::app {
namespace {

Config from(const std::map<std::string, std::string>& vars) {
  return Config::from_env([&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

std::string failing_variable(const std::map<std::string, std::string>& vars) {
  try {
    (void)from(vars);
  } catch (const ConfigError& e) {
    return e.variable;
  }
  return "";
}

TEST(Config, DefaultsNeedNoEnvironment) {
  const Config c = from({});
  EXPECT_FALSE(c.redis.has_value());
  EXPECT_EQ(c.redis_probe_interval, std::chrono::milliseconds(1000));
  EXPECT_FALSE(c.redis_tls_insecure);
}

TEST(Config, RedisUrlIsParsedOnceWithItsPasswordDecoded) {
  const Config c = from({{"REDIS_URL", "rediss://bella:p%40ss%3Aword@cache.internal:6380/2"}});
  ASSERT_TRUE(c.redis.has_value());
  EXPECT_TRUE(c.redis->tls);
  EXPECT_EQ(c.redis->host, "cache.internal");
  EXPECT_EQ(c.redis->port, 6380);
  EXPECT_EQ(c.redis->username, "bella");
  EXPECT_EQ(c.redis->password, "p@ss:word");
  EXPECT_EQ(c.redis->db, 2);
}

TEST(Config, RedisUrlForms) {
  EXPECT_EQ(parse_redis_url("redis://secret@h").password, "secret");  // as redis-cli reads it
  EXPECT_EQ(parse_redis_url("redis://secret@h").username, "");
  EXPECT_EQ(parse_redis_url("redis://[::1]:7000").host, "::1");
  EXPECT_EQ(parse_redis_url("redis://[::1]:7000").port, 7000);
  EXPECT_EQ(parse_redis_url("redis://h").port, 6379);
  EXPECT_THROW(parse_redis_url("http://h"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://h/x"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://h:99999"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://"), std::invalid_argument);
}

TEST(Config, RedisSettingsAreValidatedHere) {
  EXPECT_EQ(failing_variable({{"REDIS_URL", "memcached://x"}}), "REDIS_URL");
  EXPECT_EQ(failing_variable({{"REDIS_TLS_INSECURE", "maybe"}}), "REDIS_TLS_INSECURE");
  EXPECT_TRUE(from({{"REDIS_TLS_INSECURE", "true"}}).redis_tls_insecure);
  EXPECT_EQ(failing_variable({{"REDIS_PROBE_INTERVAL_MS", "5"}}), "REDIS_PROBE_INTERVAL_MS");
  EXPECT_EQ(from({{"REDIS_PROBE_INTERVAL_MS", "250"}}).redis_probe_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(failing_variable({{"REDIS_CA_FILE", "/nonexistent/ca.pem"}}), "REDIS_CA_FILE");
}

TEST(Config, SpeechTimeoutIsCheckedOnce) {
  EXPECT_EQ(failing_variable({{"TWILIO_SPEECH_TIMEOUT", "auto"}}), "TWILIO_SPEECH_TIMEOUT");  // with phone_call
  EXPECT_EQ(from({{"TWILIO_SPEECH_TIMEOUT", "auto"}, {"TWILIO_SPEECH_MODEL", ""}}).twilio_speech_timeout, "auto");
  EXPECT_EQ(failing_variable({{"TWILIO_SPEECH_TIMEOUT", "0"}}), "TWILIO_SPEECH_TIMEOUT");
  EXPECT_EQ(failing_variable({{"TWILIO_SPEECH_TIMEOUT", "abc"}}), "TWILIO_SPEECH_TIMEOUT");
  EXPECT_EQ(from({{"TWILIO_SPEECH_TIMEOUT", "3"}}).twilio_speech_timeout, "3");
  EXPECT_EQ(failing_variable({{"TWILIO_VOICE", ""}}), "TWILIO_VOICE");
}

TEST(Config, HttpUrls) {
  EXPECT_EQ(from({{"PUBLIC_BASE_URL", "https://bella.example.com/"}}).public_base_url, "https://bella.example.com");
  EXPECT_EQ(failing_variable({{"PUBLIC_BASE_URL", "ftp://x"}}), "PUBLIC_BASE_URL");
  EXPECT_EQ(failing_variable({{"PUBLIC_BASE_URL", "https://"}}), "PUBLIC_BASE_URL");
  EXPECT_EQ(failing_variable({{"OPENAI_BASE_URL", "http://a b"}}), "OPENAI_BASE_URL");
}

TEST(Config, MigrationsDirDefaultsBesideTheBinary) {
  const Config c = Config::from_env([](const char*) -> const char* { return nullptr; }, "/opt/bella/bin/bella");
  EXPECT_EQ(c.migrations_dir, "/opt/bella/share/bella/db/migrations");
  const Config set = from({{"MIGRATIONS_DIR", "/srv/m"}});
  EXPECT_EQ(set.migrations_dir, "/srv/m");
}

}  // namespace
}  // namespace bella::app

namespace bella::app {
namespace {

TEST(Config, AppointmentTypesDefaultToOneStandardLength) {
  const Config c = from({});
  ASSERT_EQ(c.appointment_types.size(), 1u);
  EXPECT_EQ(c.appointment_types[0], (std::pair<std::string, int>{"standard", 30}));
  EXPECT_EQ(from({{"APPOINTMENT_MINUTES", "20"}}).appointment_types[0].second, 20);
}

TEST(Config, AppointmentTypesAreParsedInOrder) {
  const Config c = from({{"APPOINTMENT_TYPES", "standard:30, long:60"}});
  ASSERT_EQ(c.appointment_types.size(), 2u);
  EXPECT_EQ(c.appointment_types[1], (std::pair<std::string, int>{"long", 60}));
}

TEST(Config, BadAppointmentTypesNameTheVariable) {
  for (const char* bad : {"standard", "standard:abc", "standard:2", "Standard:30", "a:30,b:30", "a:30,a:60"})
    EXPECT_EQ(failing_variable({{"APPOINTMENT_TYPES", bad}}), "APPOINTMENT_TYPES") << bad;
}

}  // namespace
}  // namespace bella::app
