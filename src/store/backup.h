// Engine-neutral logical backup: JSON lines, one header, then each table's rows, then a
// trailer with the row count so a truncated file is refused. A backup taken on SQLite
// restores on PostgreSQL and back. Files in a local blob folder are not inside it (copy
// the data directory); blobs kept in the database are.
#pragma once

#include <filesystem>
#include <vector>

#include "store/db.h"
#include "store/migrate.h"

namespace tb::store {

struct BackupReport {
  int tables = 0;
  std::int64_t rows = 0;
};

// Writes every table of db to `to`, read from one consistent snapshot.
BackupReport backup(Db& db, const std::filesystem::path& to);

// Loads `from` into db in one transaction: first the schema the backup was taken at
// (its own migration list), then the rows, then any newer migrations. Refuses
// (DATABASE_NOT_EMPTY) when db already holds rows, unless force, which replaces them.
// BACKUP_INVALID for a file that is not a whole tongban backup. Nothing is written
// when it fails.
Result<BackupReport> restore(Db& db, const std::filesystem::path& from, const std::vector<Migration>& migrations,
                             bool force);

}  // namespace tb::store
