// SQLite engine: WAL, synchronous=NORMAL, busy_timeout, foreign_keys=ON; writers start
// with BEGIN IMMEDIATE so a busy database waits instead of failing later (ARCHITECTURE §8).
#include <sqlite3.h>

#include <unordered_map>

#include "store/db.h"

namespace tb::store {
namespace {

DbError::Kind kind_of(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return DbError::Kind::kUniqueViolation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return DbError::Kind::kForeignKeyViolation;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      return DbError::Kind::kCheckViolation;
    default:
      break;
  }
  int primary = extended_code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return DbError::Kind::kBusy;
  return DbError::Kind::kOther;
}

class SqliteConn final : public Conn {
 public:
  SqliteConn(const std::string& path, const PoolOptions& options) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw DbError(DbError::Kind::kConnection, "cannot open sqlite database " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
    // An 8 MiB page cache per connection (default 2 MiB): fewer pread calls on a large
    // catalogue. No mmap: every pooled connection's mapping counts in the server's RSS
    // (bench/catalog: 996 MB with 256 MiB mmap on 8 connections).
    exec_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-8192;");
  }

  ~SqliteConn() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Engine engine() const override { return Engine::kSqlite; }

  Rows query(std::string_view sql, const Params& params) override {
    sqlite3_stmt* stmt = prepare(sql, params);
    Rows rows;
    int n = 0;
    std::shared_ptr<std::vector<std::string>> columns;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail_statement(stmt, rc);
      if (!columns) {
        // Counted after the first step: a schema change re-prepares the statement there.
        n = sqlite3_column_count(stmt);
        columns = std::make_shared<std::vector<std::string>>();
        for (int i = 0; i < n; ++i) columns->emplace_back(sqlite3_column_name(stmt, i));
      }
      std::vector<Value> values;
      values.reserve(n);
      for (int i = 0; i < n; ++i) values.push_back(column_value(stmt, i));
      rows.emplace_back(columns, std::move(values));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  std::int64_t exec(std::string_view sql, const Params& params) override {
    sqlite3_stmt* stmt = prepare(sql, params);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) fail_statement(stmt, rc);
    sqlite3_reset(stmt);
    return sqlite3_changes64(db_);
  }

  void exec_script(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw DbError(kind_of(sqlite3_extended_errcode(db_)), msg);
    }
  }

  std::vector<std::string> table_names() override {
    std::vector<std::string> names;
    for (const auto& row : query(
             "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
             "ORDER BY name",
             {}))
      names.push_back(row.text(0));
    return names;
  }

  std::vector<std::string> referenced_tables(const std::string& table) override {
    std::vector<std::string> names;
    for (const auto& row : query("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?) ORDER BY 1", {table}))
      names.push_back(row.text(0));
    return names;
  }

  void reset_id_sequence(const std::string&) override {
    // INTEGER PRIMARY KEY takes max(rowid)+1 by itself.
  }

  void begin_write() override {
    exec_script("BEGIN IMMEDIATE");
    failed_in_transaction_ = false;
  }
  // Like PostgreSQL, a statement that failed inside the transaction dooms all of it,
  // even if the caller caught the error: half a transaction never commits.
  void commit() override {
    if (failed_in_transaction_) {
      rollback();
      throw DbError(DbError::Kind::kOther, "a statement failed inside this transaction; rolled back");
    }
    exec_script("COMMIT");
  }
  void rollback() override {
    if (!sqlite3_get_autocommit(db_)) exec_script("ROLLBACK");
  }
  void lock_for_migration() override {
    // BEGIN IMMEDIATE already holds the one write lock.
  }
  bool healthy() override {
    if (!sqlite3_get_autocommit(db_)) {
      try {
        exec_script("ROLLBACK");
      } catch (const DbError&) {
        return false;
      }
    }
    return true;
  }

 private:
  sqlite3_stmt* prepare(std::string_view sql, const Params& params) {
    auto it = statements_.find(std::string(sql));
    sqlite3_stmt* stmt;
    if (it != statements_.end()) {
      stmt = it->second;
    } else {
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                  &tail);
      if (rc != SQLITE_OK)
        throw DbError(kind_of(sqlite3_extended_errcode(db_)),
                      std::string(sqlite3_errmsg(db_)) + " in: " + std::string(sql));
      statements_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt))
      throw DbError(DbError::Kind::kOther, "statement takes " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
                                               " parameters, got " + std::to_string(params.size()) + ": " +
                                               std::string(sql));
    for (std::size_t i = 0; i < params.size(); ++i) bind(stmt, static_cast<int>(i) + 1, params[i]);
    return stmt;
  }

  static void bind(sqlite3_stmt* stmt, int index, const Value& value) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>)
            sqlite3_bind_null(stmt, index);
          else if constexpr (std::is_same_v<T, std::int64_t>)
            sqlite3_bind_int64(stmt, index, v);
          else if constexpr (std::is_same_v<T, double>)
            sqlite3_bind_double(stmt, index, v);
          else if constexpr (std::is_same_v<T, std::string>)
            sqlite3_bind_text64(stmt, index, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
          else
            sqlite3_bind_blob64(stmt, index, v.bytes.data(), v.bytes.size(), SQLITE_STATIC);
        },
        value.variant());
  }

  static Value column_value(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return Value(static_cast<long long>(sqlite3_column_int64(stmt, i)));
      case SQLITE_FLOAT:
        return Value(sqlite3_column_double(stmt, i));
      case SQLITE_TEXT:
        return Value(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                 sqlite3_column_bytes(stmt, i)));
      case SQLITE_BLOB: {
        const void* data = sqlite3_column_blob(stmt, i);
        int size = sqlite3_column_bytes(stmt, i);
        return Value(Blob{std::string(static_cast<const char*>(data), size)});
      }
      default:
        return Value();
    }
  }

  [[noreturn]] void fail_statement(sqlite3_stmt* stmt, int rc) {
    if (!sqlite3_get_autocommit(db_)) failed_in_transaction_ = true;
    std::string msg = sqlite3_errmsg(db_);
    int code = sqlite3_extended_errcode(db_);
    sqlite3_reset(stmt);
    throw DbError(kind_of(code ? code : rc), msg);
  }

  sqlite3* db_ = nullptr;
  bool failed_in_transaction_ = false;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

Db::Factory sqlite_factory(const std::string& path, const PoolOptions& options) {
  return [path, options]() -> std::unique_ptr<Conn> { return std::make_unique<SqliteConn>(path, options); };
}

}  // namespace tb::store
