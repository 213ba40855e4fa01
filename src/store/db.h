// The storage interface every module uses: a pool of connections to SQLite or PostgreSQL
// with one portable SQL dialect (ARCHITECTURE §3, §4). Modules never include sqlite3.h or
// libpq-fe.h; they write SQL with `?` placeholders and read rows through Row.
//
//   auto n = db.write([&](Conn& c) {
//     c.exec("INSERT INTO divisions(code, name) VALUES (?, ?)", {code, name});
//     return c.query("SELECT count(*) FROM divisions").at(0).i64(0);
//   });
//
// write() runs the function in a transaction (SQLite: BEGIN IMMEDIATE) and commits when it
// returns; it rolls back when the function throws or returns an error Result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/error.h"

namespace tb::store {

enum class Engine { kSqlite, kPostgres };
std::string_view engine_name(Engine e);

// Binary data, kept apart from text so both engines store it as BLOB/BYTEA.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

class Value {
 public:
  using Variant = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;
  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}
  Value(int x) : v_(std::int64_t(x)) {}
  Value(long x) : v_(std::int64_t(x)) {}
  Value(long long x) : v_(std::int64_t(x)) {}
  Value(unsigned x) : v_(std::int64_t(x)) {}
  Value(bool x) : v_(std::int64_t(x ? 1 : 0)) {}
  Value(double x) : v_(x) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Blob b) : v_(std::move(b)) {}
  template <class T>
  Value(const std::optional<T>& o) : Value() {
    if (o) *this = Value(*o);
  }

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
  const Variant& variant() const { return v_; }
  bool operator==(const Value&) const = default;

 private:
  Variant v_;
};

using Params = std::vector<Value>;

class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<Value> values)
      : columns_(std::move(columns)), values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  const Value& at(std::size_t i) const { return values_.at(i); }
  const Value& at(std::string_view column) const { return values_.at(index_of(column)); }
  bool is_null(std::size_t i) const { return at(i).is_null(); }

  // Typed reads; they throw DbError on a type mismatch (a bug in the caller's SQL).
  std::int64_t i64(std::size_t i) const;
  double f64(std::size_t i) const;
  std::string text(std::size_t i) const;
  std::string blob(std::size_t i) const;
  std::optional<std::int64_t> opt_i64(std::size_t i) const;
  std::optional<std::string> opt_text(std::size_t i) const;
  std::int64_t i64(std::string_view c) const { return i64(index_of(c)); }
  std::string text(std::string_view c) const { return text(index_of(c)); }
  std::optional<std::int64_t> opt_i64(std::string_view c) const { return opt_i64(index_of(c)); }
  std::optional<std::string> opt_text(std::string_view c) const { return opt_text(index_of(c)); }
  const std::vector<std::string>& columns() const { return *columns_; }

 private:
  std::size_t index_of(std::string_view column) const;
  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

// What went wrong inside the database. Constraint kinds are told apart so services can
// turn them into domain errors (a duplicate code is a conflict, not a crash).
class DbError : public std::runtime_error {
 public:
  enum class Kind { kUniqueViolation, kForeignKeyViolation, kCheckViolation, kBusy, kConnection, kOther };
  DbError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// One connection, borrowed from the pool for the length of a read() or write().
class Conn {
 public:
  virtual ~Conn() = default;
  virtual Engine engine() const = 0;
  // Runs one statement with `?` placeholders and returns its rows (also for RETURNING).
  virtual Rows query(std::string_view sql, const Params& params = {}) = 0;
  Rows query(std::string_view sql, std::initializer_list<Value> params) { return query(sql, Params(params)); }
  // Runs one statement and returns the number of rows it changed.
  virtual std::int64_t exec(std::string_view sql, const Params& params = {}) = 0;
  std::int64_t exec(std::string_view sql, std::initializer_list<Value> params) { return exec(sql, Params(params)); }
  // Runs several statements without parameters (migrations).
  virtual void exec_script(std::string_view sql) = 0;
  // Names of the application's tables (for backup and emptiness checks).
  virtual std::vector<std::string> table_names() = 0;
  // Tables that `table` references through foreign keys.
  virtual std::vector<std::string> referenced_tables(const std::string& table) = 0;
  // After inserting explicit ids (restore), make the next generated id follow them.
  virtual void reset_id_sequence(const std::string& table) = 0;

  // Transactions; Db::write calls these.
  virtual void begin_write() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  // Serialises migrations across processes for the rest of the transaction.
  virtual void lock_for_migration() = 0;
  virtual bool healthy() = 0;
};

struct PoolOptions {
  int size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::milliseconds busy_timeout{5000};  // SQLite: how long a writer waits for the lock
};

struct PoolStats {
  int size = 0;
  int in_use = 0;
  std::uint64_t acquired_total = 0;
  std::uint64_t waited_total = 0;     // acquisitions that had to wait for a free connection
  std::uint64_t timeouts_total = 0;
  double wait_seconds_total = 0;
};

// A pool of connections made on demand by the engine's factory, up to options.size.
class Db {
 public:
  using Factory = std::function<std::unique_ptr<Conn>()>;
  // url: "sqlite:PATH", "sqlite::memory:" (one connection), or "postgresql://…".
  static std::unique_ptr<Db> open(const std::string& url, PoolOptions options = {});
  Db(Engine engine, Factory factory, PoolOptions options, std::string description);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Engine engine() const { return engine_; }
  PoolStats stats() const;
  // The url with any password masked, for logs.
  const std::string& describe() const { return description_; }

  class Lease {
   public:
    Lease(Db* owner, std::unique_ptr<Conn> c) : owner_(owner), conn_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    ~Lease() {
      if (conn_) owner_->release(std::move(conn_));
    }
    Conn& operator*() { return *conn_; }
    Conn* operator->() { return conn_.get(); }
    void rollback_quietly();

   private:
    Db* owner_;
    std::unique_ptr<Conn> conn_;
  };
  // Borrows a connection; throws DbError(kBusy) when none frees up within acquire_timeout.
  Lease acquire();

  // Borrow a connection for reads (autocommit statements).
  template <class F>
  auto read(F&& f) {
    Lease lease = acquire();
    return f(*lease);
  }

  // Borrow a connection and run f in one transaction. Inside f, use only its Conn: a
  // second connection borrowed on the same thread would read around the transaction or
  // wait for its own lock, so acquire() refuses it (a bug, not a user error).
  template <class F>
  auto write(F&& f) {
    // SQLite has one writer: queue this process's writers here rather than let them
    // sleep and retry in SQLite's busy handler (bench/auth: 20–90 ms p99 from that).
    std::unique_lock<std::mutex> queue;
    if (engine_ == Engine::kSqlite) queue = std::unique_lock<std::mutex>(sqlite_writers_);
    Lease lease = acquire();
    WriteScope scope;
    lease->begin_write();
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, Conn&>>) {
        f(*lease);
        lease->commit();
      } else {
        auto result = f(*lease);
        if constexpr (is_result<decltype(result)>::value) {
          if (!result) {
            lease->rollback();
            return result;
          }
        }
        lease->commit();
        return result;
      }
    } catch (...) {
      lease.rollback_quietly();
      throw;
    }
  }

  // True when a trivial query answers (readyz).
  bool ping();

 private:
  struct WriteScope {
    WriteScope() { ++depth(); }
    ~WriteScope() { --depth(); }
    static int& depth() {
      thread_local int d = 0;
      return d;
    }
  };
  template <class T>
  struct is_result : std::false_type {};
  template <class T>
  struct is_result<Result<T>> : std::true_type {};

  void release(std::unique_ptr<Conn> conn);

  struct Pool;
  Engine engine_;
  std::mutex sqlite_writers_;
  std::unique_ptr<Pool> pool_;
  std::string description_;
};

// Engine factories (store/sqlite, store/postgres).
Db::Factory sqlite_factory(const std::string& path, const PoolOptions& options);
Db::Factory postgres_factory(const std::string& conninfo, const PoolOptions& options);

// Rewrites `?` placeholders to `$1, $2, …`, leaving quoted text alone (PostgreSQL).
std::string numbered_placeholders(std::string_view sql);
// Rewrites migration SQL written in the portable subset for PostgreSQL:
// `INTEGER PRIMARY KEY` → identity bigint, `INTEGER` → BIGINT, `BLOB` → BYTEA.
std::string postgres_dialect(std::string_view sql);

}  // namespace tb::store
