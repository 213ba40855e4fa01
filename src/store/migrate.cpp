#include "store/migrate.h"

#include <map>

#include "crypto/crypto.h"

namespace tb::store {

std::vector<Migration> module_migrations(std::string_view module, const std::vector<EmbeddedFile>& files) {
  std::vector<Migration> out;
  for (const auto& f : files) out.push_back({std::string(module), std::stoi(f.name.substr(0, 4)), f.name, f.text});
  return out;
}
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL, PRIMARY KEY (module, version))";

using Applied = std::map<std::pair<std::string, int>, std::string>;  // → checksum

Applied applied_in(Conn& c) {
  c.exec_script(c.engine() == Engine::kPostgres ? postgres_dialect(kCreateTable) : kCreateTable);
  Applied out;
  for (const auto& row : c.query("SELECT module, version, checksum FROM schema_migrations"))
    out[{row.text(0), static_cast<int>(row.i64(1))}] = row.text(2);
  return out;
}

std::vector<Migration> pending_in(Conn& c, const std::vector<Migration>& all, MigrationReport* report) {
  Applied applied = applied_in(c);
  std::vector<Migration> todo;
  for (const auto& m : all) {
    auto it = applied.find({m.module, m.version});
    if (it == applied.end()) {
      todo.push_back(m);
    } else {
      if (it->second != crypto::sm3_hex(m.sql))
        throw FatalError("migration " + m.module + "/" + std::to_string(m.version) + " (" + m.name +
                         ") was changed after it was applied; add a new migration instead");
      if (report) ++report->already;
    }
  }
  return todo;
}

}  // namespace

MigrationReport migrate(Db& db, const std::vector<Migration>& migrations) {
  return db.write([&](Conn& c) { return migrate_in(c, migrations); });
}

MigrationReport migrate_in(Conn& c, const std::vector<Migration>& migrations) {
  MigrationReport report;
  c.lock_for_migration();
  for (const auto& m : pending_in(c, migrations, &report)) {
    c.exec_script(c.engine() == Engine::kPostgres ? postgres_dialect(m.sql) : m.sql);
    // Wall time on purpose: when a schema changed is an operational fact, not business time.
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    c.exec("INSERT INTO schema_migrations(module, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)",
           {m.module, m.version, m.name, crypto::sm3_hex(m.sql), static_cast<long long>(now)});
    ++report.applied;
  }
  return report;
}

std::vector<Migration> pending(Db& db, const std::vector<Migration>& migrations) {
  return db.write([&](Conn& c) { return pending_in(c, migrations, nullptr); });
}

}  // namespace tb::store
