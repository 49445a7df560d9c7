// A throwaway PostgreSQL database per test, created on the server scripts/test started.
#pragma once
#include <string>

namespace bella::testing {

/// Creates a uniquely named database on BELLA_TEST_DATABASE_URL's server and drops it (with its
/// connections) on destruction. Throws std::runtime_error when BELLA_TEST_DATABASE_URL is unset.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  /// postgresql://…/<name>
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

/// `url` with its database name replaced by `database`.
std::string with_database(const std::string& url, const std::string& database);

}  // namespace bella::testing
