// TestDatabase: CREATE DATABASE / DROP DATABASE around a test.
#include "pg_test_db.hpp"

#include <cstdlib>
#include <random>
#include <stdexcept>

#include <pqxx/pqxx>

namespace bella::testing {

std::string test_database_url() {
  const char* v = std::getenv("BELLA_TEST_DATABASE_URL");
  if (!v || !*v)
    throw std::runtime_error(
        "BELLA_TEST_DATABASE_URL is not set: integration tests need a PostgreSQL server "
        "(postgresql://user@host:port/db, a role that may CREATE DATABASE); scripts/test starts one");
  return v;
}

std::string test_pg_ctl() {
  const char* v = std::getenv("BELLA_TEST_PG_CTL");
  if (!v || !*v)
    throw std::runtime_error(
        "BELLA_TEST_PG_CTL is not set: the restart test needs a command prefix that runs pg_ctl for the "
        "test server, e.g. \"runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D <datadir>\"");
  return v;
}

std::string with_database(const std::string& url, const std::string& dbname) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) throw std::runtime_error("BELLA_TEST_DATABASE_URL must be a postgresql:// URL");
  const auto query = url.find('?', scheme + 3);
  const auto slash = url.find('/', scheme + 3);
  std::string base = url.substr(0, slash != std::string::npos && (query == std::string::npos || slash < query) ? slash
                                                                                                         : query);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + dbname + tail;
}

TestDatabase::TestDatabase() : admin_url_(test_database_url()) {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  name_ = "bella_test_" + std::to_string(rng() % 1'000'000'000'000ULL);
  pqxx::connection c(admin_url_);
  pqxx::nontransaction tx(c);
  tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  url_ = with_database(admin_url_, name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection c(admin_url_);
    pqxx::nontransaction tx(c);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
    // A leftover database is harmless on a throwaway test server.
  }
}

}  // namespace bella::testing
