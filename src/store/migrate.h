// Numbered migrations per module, recorded in `schema_migrations` (module, version).
// Each module keeps its SQL in `<module>/migrations/NNNN_name.sql`, written in the portable
// subset (SQLite dialect; postgres_dialect() adapts INTEGER and BLOB); CMake embeds the
// files into the binary so nothing is read from disk at run time.
#pragma once

#include <string>
#include <vector>

#include "core/embedded.h"
#include "store/db.h"

namespace tb::store {

struct Migration {
  std::string module;
  int version;
  std::string name;
  std::string sql;
};

// A module's embedded migration files ("0001_name.sql" …) as migrations of `module`.
std::vector<Migration> module_migrations(std::string_view module, const std::vector<EmbeddedFile>& files);

struct MigrationReport {
  int applied = 0;
  int already = 0;
};

// Applies all pending migrations in one transaction: all land or none. Throws FatalError
// when an applied migration's text has changed since (its SM3 checksum differs).
MigrationReport migrate(Db& db, const std::vector<Migration>& migrations);

// The same inside a transaction the caller holds (restore).
MigrationReport migrate_in(Conn& c, const std::vector<Migration>& migrations);

// Migrations not yet applied (empty when the schema is current).
std::vector<Migration> pending(Db& db, const std::vector<Migration>& migrations);

}  // namespace tb::store
