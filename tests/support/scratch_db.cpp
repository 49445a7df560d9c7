// ScratchDatabase: CREATE DATABASE on construction, DROP DATABASE … WITH (FORCE) on destruction.
#include "support/scratch_db.hpp"

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include <unistd.h>

#include <pqxx/pqxx>

namespace bella::testing {

std::string with_database(const std::string& url, const std::string& database) {
  const auto query = url.find('?');
  const std::string base = url.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  const auto scheme_end = base.find("://");
  const auto slash = base.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + database + rest;
}

ScratchDatabase::ScratchDatabase() {
  const char* admin = std::getenv("BELLA_TEST_DATABASE_URL");
  if (!admin || !*admin)
    throw std::runtime_error("BELLA_TEST_DATABASE_URL is not set: run the tests through scripts/test");
  admin_url_ = admin;
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  name_ = "bella_t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
  pqxx::connection conn(admin_url_);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  url_ = with_database(admin_url_, name_);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pqxx::connection conn(admin_url_);
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception&) {
    // Best effort: the whole cluster is thrown away by scripts/test anyway.
  }
}

}  // namespace bella::testing
