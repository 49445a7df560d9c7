// Schema migrations: db/migrations/NNNN_name.sql applied in order at start-up, once.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace bella::db {

/// Applies every `*.sql` file in `dir` (sorted by name) that `schema_migrations` does not list yet,
/// all in ONE transaction under pg_advisory_xact_lock, so concurrent instances serialise and a
/// failure leaves the database as it was. Returns the versions applied now (empty: up to date).
/// Blocking: call at start-up, before serving. Throws std::runtime_error naming the failing file.
std::vector<std::string> migrate(const std::string& database_url, const std::filesystem::path& dir);

}  // namespace bella::db
