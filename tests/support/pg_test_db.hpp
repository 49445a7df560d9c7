// A fresh PostgreSQL database per test, created on BELLA_TEST_DATABASE_URL's server and dropped after.
#pragma once
#include <string>

namespace bella::testing {

/// BELLA_TEST_DATABASE_URL, or throws std::runtime_error with a clear message when unset
/// (integration tests fail, never skip).
std::string test_database_url();

/// BELLA_TEST_PG_CTL: a shell command prefix that runs pg_ctl for the test server, e.g.
/// "runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgdata". Throws when unset.
std::string test_pg_ctl();

/// Creates database bella_test_<random> on the test server; drops it (WITH FORCE) on destruction.
/// Gives every test its own schema, so tests are independent and may run in any order.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// postgresql:// URL of the new database.
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

/// `url` with its database name replaced by `dbname` (URI form only).
std::string with_database(const std::string& url, const std::string& dbname);

}  // namespace bella::testing
