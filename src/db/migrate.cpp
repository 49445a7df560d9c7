// Migration runner: one transaction, one advisory lock, one row per applied file.
#include "db/migrate.hpp"

#include "db/pg_pool.hpp"
#include "obs/log.hpp"
#include "db/pg_pool.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <pqxx/pqxx>

namespace bella::db {
namespace {

// Arbitrary constant shared by every Bella instance: "bella" in ASCII.
constexpr long long kMigrationLockKey = 0x62656c6c61;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read migration " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<std::string> migrate(const std::string& database_url, const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw std::runtime_error("migrations directory " + dir.string() + " does not exist (set MIGRATIONS_DIR)");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".sql") files.push_back(entry.path());
  std::sort(files.begin(), files.end());

  std::vector<std::string> applied_now;
  try {
    // A bounded connect: an unreachable server must not hang start-up.
    const bool uri = database_url.rfind("postgres", 0) == 0;
    const std::string url = database_url.find("connect_timeout") != std::string::npos ? database_url
                            : uri ? database_url + (database_url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=3"
                                  : database_url + " connect_timeout=3";
    pqxx::connection conn(url);
    pqxx::work tx(conn);
    tx.exec("SET LOCAL lock_timeout = '60s'");
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    std::set<std::string> done;
    for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) done.insert(row[0].as<std::string>());
    for (const auto& file : files) {
      const std::string version = file.stem().string();
      if (done.count(version)) continue;
      try {
        tx.exec(read_file(file));
      } catch (const std::exception& e) {
        throw std::runtime_error("migration " + file.filename().string() + " failed: " + e.what());
      }
      tx.exec("INSERT INTO schema_migrations (version) VALUES (" + tx.quote(version) + ")");
      applied_now.push_back(version);
    }
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    throw Unavailable("postgres", std::string("cannot connect to PostgreSQL to migrate: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    throw std::runtime_error(std::string("migrations failed: ") + e.what());
  }
  for (const auto& v : applied_now) obs::info("migration applied", {{"version", v}});
  if (applied_now.empty()) obs::info("migrations up to date", {{"count", files.size()}});
  return applied_now;
}

}  // namespace bella::db
