// The PostgreSQL engine over libpq (ARCHITECTURE §3, §4). Each connection prepares a
// statement the first time it sees its SQL text and reuses it afterwards; parameters go in
// text format (blobs in binary) and results come back in text format, converted by the
// column's type so both engines hand the same Values to the modules.
#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/db.h"

namespace tb::store {
namespace {

// Built-in type OIDs; they are fixed by PostgreSQL (catalog/pg_type.dat), and the server
// header that names them is not part of libpq-dev.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Key of the advisory lock that serialises migrations across processes ("tongban" in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x746f6e6762616e;

// The application has a fixed set of statements; SQL text beyond this many per connection
// is ad-hoc (built with values inside), so it runs unnamed instead of growing the cache.
constexpr std::size_t kMaxPreparedStatements = 1024;

// Large enough for any int64 or shortest round-trip double, plus the terminating NUL.
constexpr std::size_t kNumberBufferSize = 32;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Lets the statement cache be searched with a string_view, so a lookup allocates nothing.
struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

DbError::Kind kind_for_sqlstate(std::string_view state) {
  using Kind = DbError::Kind;
  if (state == "23505") return Kind::kUniqueViolation;
  if (state == "23503") return Kind::kForeignKeyViolation;
  if (state == "23514") return Kind::kCheckViolation;
  // serialization_failure, deadlock_detected, lock_not_available: retrying may succeed.
  if (state == "40001" || state == "40P01" || state == "55P03") return Kind::kBusy;
  // connection_exception class, and the server shutting down or refusing new work.
  if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03") return Kind::kConnection;
  return Kind::kOther;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Raises the error in `r` (or on the connection when libpq gave no result at all).
[[noreturn]] void throw_error(PGconn* conn, const PGresult* r, std::string_view sql) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = "postgresql: ";
  if (primary)
    message += primary;
  else if (r && *PQresultErrorMessage(r))
    message += trimmed(PQresultErrorMessage(r));
  else
    message += trimmed(PQerrorMessage(conn));
  DbError::Kind kind = DbError::Kind::kOther;
  if (state) {
    message += " (SQLSTATE ";
    message += state;
    message += ')';
    kind = kind_for_sqlstate(state);
  }
  // Errors without a SQLSTATE come from libpq itself: usually a lost connection.
  if (PQstatus(conn) != CONNECTION_OK) kind = DbError::Kind::kConnection;
  // The statement text is the application's own (values travel as parameters), and it is
  // what makes a syntax error or a missing column findable in the logs.
  if (kind == DbError::Kind::kOther && !sql.empty()) {
    constexpr std::size_t kShownSql = 300;
    message += " in: ";
    message.append(sql.substr(0, kShownSql));
    if (sql.size() > kShownSql) message += "…";
  }
  throw DbError(kind, message);
}

bool succeeded(const PGresult* r) {
  if (!r) return false;
  auto status = PQresultStatus(r);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

std::string_view sqlstate_of(const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return state ? std::string_view(state) : std::string_view();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea arrives as "\x4142…" (bytea_output = hex, the default); decoding it here saves the
// malloc and copy of PQunescapeBytea, which remains the path for the old escape format.
Blob decode_bytea(const char* text, int length) {
  Blob out;
  if (length >= 2 && text[0] == '\\' && text[1] == 'x' && length % 2 == 0) {
    out.bytes.resize(static_cast<std::size_t>(length - 2) / 2);
    bool ok = true;
    for (std::size_t i = 0, j = 2; i < out.bytes.size(); ++i, j += 2) {
      int hi = hex_digit(text[j]), lo = hex_digit(text[j + 1]);
      ok &= hi >= 0 && lo >= 0;
      out.bytes[i] = static_cast<char>((hi << 4) | lo);
    }
    if (ok) return out;
  }
  std::size_t size = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
  if (!raw) throw DbError(DbError::Kind::kOther, "postgresql: cannot decode a bytea value");
  out.bytes.assign(reinterpret_cast<const char*>(raw), size);
  PQfreemem(raw);
  return out;
}

template <class T>
bool parse_number(const char* text, int length, T& out) {
  auto [end, ec] = std::from_chars(text, text + length, out);
  return ec == std::errc() && end == text + length;
}

Value convert(Oid type, const char* text, int length) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      std::int64_t i = 0;
      if (parse_number(text, length, i)) return Value(i);
      break;
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      double d = 0;
      if (parse_number(text, length, d)) return Value(d);
      break;
    }
    case kNumericOid: {
      // count(*) is bigint but sum(bigint) is numeric: whole numbers stay integers.
      std::int64_t i = 0;
      if (!std::memchr(text, '.', static_cast<std::size_t>(length)) && parse_number(text, length, i)) return Value(i);
      double d = 0;
      if (parse_number(text, length, d)) return Value(d);
      break;
    }
    case kBoolOid:
      return Value(std::int64_t(length > 0 && text[0] == 't' ? 1 : 0));
    case kByteaOid:
      return Value(decode_bytea(text, length));
    default:
      break;
  }
  return Value(std::string(text, static_cast<std::size_t>(length)));
}

void ignore_notice(void*, const char*) {}

// Quotes an identifier for SQL text, for the catalogue helpers that need a table name.
std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

class PostgresConn final : public Conn {
 public:
  explicit PostgresConn(PGconn* conn) : conn_(conn) {
    // Notices ("table does not exist, skipping") would go to stderr past the JSON logs.
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  }
  ~PostgresConn() override { PQfinish(conn_); }
  PostgresConn(const PostgresConn&) = delete;
  PostgresConn& operator=(const PostgresConn&) = delete;

  Engine engine() const override { return Engine::kPostgres; }

  Rows query(std::string_view sql, const Params& params) override {
    Statement* statement = nullptr;
    ResultPtr r = run(sql, params, &statement);
    return to_rows(r.get(), statement);
  }

  std::int64_t exec(std::string_view sql, const Params& params) override {
    ResultPtr r = run(sql, params, nullptr);
    return affected_rows(r.get());
  }

  void exec_script(std::string_view sql) override {
    std::string text(sql);
    ResultPtr r(PQexec(conn_, text.c_str()));
    if (!succeeded(r.get())) throw_error(conn_, r.get(), sql);
  }

  std::vector<std::string> table_names() override {
    // relkind r/p: ordinary and partitioned tables, not views or sequences; name sorts bytewise.
    Rows rows = run_unprepared(
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "ORDER BY c.relname",
        {});
    return first_column(rows);
  }

  std::vector<std::string> referenced_tables(const std::string& table) override {
    Rows rows = run_unprepared(
        "SELECT DISTINCT r.relname FROM pg_catalog.pg_constraint k "
        "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_catalog.pg_class r ON r.oid = k.confrelid "
        "WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = $1 "
        "ORDER BY r.relname",
        {table});
    return first_column(rows);
  }

  void reset_id_sequence(const std::string& table) override {
    // pg_get_serial_sequence finds both serial and identity sequences; tables without an
    // `id` column, or with one that is not generated, have nothing to reset.
    Rows rows = run_unprepared(
        "SELECT pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) "
        "FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped "
        "WHERE n.nspname = current_schema() AND c.relname = $1",
        {table});
    if (rows.empty() || rows[0].is_null(0)) return;
    // is_called = false: the next nextval() returns exactly max(id) + 1 (or 1 when empty).
    run_unprepared("SELECT setval($1::regclass, coalesce(max(id), 0) + 1, false) FROM " + quote_identifier(table),
                   {rows[0].text(0)});
  }

  void begin_write() override { simple_command("BEGIN"); }

  void commit() override {
    // COMMIT of a transaction that already failed does not fail; it rolls back and says
    // "ROLLBACK". Catching a DbError inside write() and returning normally must not pass
    // for a commit.
    if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
      simple_command("ROLLBACK");
      throw aborted_transaction();
    }
    ResultPtr r = simple_command("COMMIT");
    if (std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) throw aborted_transaction();
  }

  void rollback() override {
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    simple_command("ROLLBACK");
  }

  void lock_for_migration() override { run("SELECT pg_advisory_xact_lock(?)", {Value(kMigrationLockKey)}, nullptr); }

  bool healthy() override {
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    auto status = PQtransactionStatus(conn_);
    if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) {
      // Someone left a transaction open (or failed) on a borrowed connection; the next
      // borrower must start clean.
      ResultPtr r(PQexec(conn_, "ROLLBACK"));
      status = PQtransactionStatus(conn_);
    }
    return PQstatus(conn_) == CONNECTION_OK && status == PQTRANS_IDLE;
  }

 private:
  struct Statement {
    std::string name;
    // Column names of the last result, shared by its rows and reused while they match.
    std::shared_ptr<const std::vector<std::string>> columns;
  };

  static DbError aborted_transaction() {
    return DbError(DbError::Kind::kOther,
                   "postgresql: the transaction was aborted by an earlier error and has been rolled back");
  }

  ResultPtr simple_command(const char* sql) {
    ResultPtr r(PQexec(conn_, sql));
    if (!succeeded(r.get())) throw_error(conn_, r.get(), sql);
    return r;
  }

  // Fills the parameter arrays; they live in the connection so a statement costs no
  // allocation once they have grown to its parameter count.
  void bind(const Params& params) {
    std::size_t n = params.size();
    values_.resize(n);
    lengths_.resize(n);
    formats_.resize(n);
    types_.resize(n);
    if (numbers_.size() < n) numbers_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& v = params[i].variant();
      lengths_[i] = 0;
      formats_[i] = 0;
      // Type 0 lets the server infer the type from the statement, as SQLite's affinity does.
      types_[i] = 0;
      switch (v.index()) {
        case 0:
          values_[i] = nullptr;
          break;
        case 1:
        case 2: {
          char* buffer = numbers_[i].data();
          auto [end, ec] = v.index() == 1 ? std::to_chars(buffer, buffer + kNumberBufferSize - 1, std::get<1>(v))
                                          : std::to_chars(buffer, buffer + kNumberBufferSize - 1, std::get<2>(v));
          *end = '\0';
          values_[i] = buffer;
          break;
        }
        case 3:
          values_[i] = std::get<3>(v).c_str();
          break;
        case 4: {
          const std::string& bytes = std::get<4>(v).bytes;
          values_[i] = bytes.data();
          lengths_[i] = static_cast<int>(bytes.size());
          formats_[i] = 1;
          // Declared, because binary bytes must not be read as text where the statement
          // alone does not say (`SELECT ?`).
          types_[i] = kByteaOid;
          break;
        }
      }
    }
  }

  // Runs one statement, preparing it on first use. `statement` (if given) receives the
  // cache entry, or nullptr when the statement ran unnamed.
  ResultPtr run(std::string_view sql, const Params& params, Statement** statement) {
    bind(params);
    int n = static_cast<int>(params.size());
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      std::string numbered = numbered_placeholders(sql);
      if (statements_.size() >= kMaxPreparedStatements) {
        if (statement) *statement = nullptr;
        return exec_unnamed(numbered, n, sql);
      }
      it = prepare(sql, numbered, n);
    }
    ResultPtr r(PQexecPrepared(conn_, it->second.name.c_str(), n, values_.data(), lengths_.data(), formats_.data(), 0));
    if (!succeeded(r.get()) && (sqlstate_of(r.get()) == "0A000" || sqlstate_of(r.get()) == "26000")) {
      // 0A000 "cached plan must not change result type": the schema changed under a
      // prepared `SELECT *`; 26000: someone ran DEALLOCATE or DISCARD ALL. Forget the
      // statement; outside a transaction, prepare it again and retry.
      bool idle = PQtransactionStatus(conn_) == PQTRANS_IDLE;
      forget(it, idle);
      if (!idle) throw_error(conn_, r.get(), sql);
      it = prepare(sql, numbered_placeholders(sql), n);
      r.reset(PQexecPrepared(conn_, it->second.name.c_str(), n, values_.data(), lengths_.data(), formats_.data(), 0));
    }
    if (!succeeded(r.get())) throw_error(conn_, r.get(), sql);
    if (statement) *statement = &it->second;
    return r;
  }

  using StatementMap = std::unordered_map<std::string, Statement, SqlHash, std::equal_to<>>;

  StatementMap::iterator prepare(std::string_view sql, const std::string& numbered, int n) {
    std::string name = "tb" + std::to_string(++statement_counter_);
    ResultPtr r(PQprepare(conn_, name.c_str(), numbered.c_str(), n, types_.data()));
    if (!succeeded(r.get())) throw_error(conn_, r.get(), sql);
    return statements_.emplace(std::string(sql), Statement{std::move(name), nullptr}).first;
  }

  void forget(StatementMap::iterator it, bool can_deallocate) {
    // Names are never reused, so a statement that cannot be deallocated now (inside a
    // failed transaction) only lingers on the server until the connection closes.
    if (can_deallocate) {
      std::string sql = "DEALLOCATE " + it->second.name;
      ResultPtr r(PQexec(conn_, sql.c_str()));
    }
    statements_.erase(it);
  }

  ResultPtr exec_unnamed(const std::string& numbered, int n, std::string_view sql) {
    ResultPtr r(
        PQexecParams(conn_, numbered.c_str(), n, types_.data(), values_.data(), lengths_.data(), formats_.data(), 0));
    if (!succeeded(r.get())) throw_error(conn_, r.get(), sql);
    return r;
  }

  // For the catalogue helpers: their SQL is already numbered and some of it names a table,
  // so it must not take a place in the statement cache.
  Rows run_unprepared(const std::string& sql, const Params& params) {
    bind(params);
    ResultPtr r = exec_unnamed(sql, static_cast<int>(params.size()), sql);
    return to_rows(r.get(), nullptr);
  }

  static std::int64_t affected_rows(const PGresult* r) {
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
    std::int64_t n = 0;
    if (tuples && *tuples) std::from_chars(tuples, tuples + std::strlen(tuples), n);
    return n;
  }

  static std::vector<std::string> first_column(const Rows& rows) {
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(row.text(0));
    return out;
  }

  std::shared_ptr<const std::vector<std::string>> column_names(const PGresult* r, Statement* statement) {
    int n = PQnfields(r);
    if (statement && statement->columns && statement->columns->size() == static_cast<std::size_t>(n)) {
      bool same = true;
      for (int c = 0; c < n && same; ++c) same = (*statement->columns)[c] == PQfname(r, c);
      if (same) return statement->columns;
    }
    auto names = std::make_shared<std::vector<std::string>>();
    names->reserve(n);
    for (int c = 0; c < n; ++c) names->emplace_back(PQfname(r, c));
    if (statement) statement->columns = names;
    return names;
  }

  Rows to_rows(const PGresult* r, Statement* statement) {
    Rows rows;
    int row_count = PQntuples(r);
    if (row_count == 0) return rows;
    int column_count = PQnfields(r);
    auto columns = column_names(r, statement);
    column_types_.resize(column_count);
    for (int c = 0; c < column_count; ++c) column_types_[c] = PQftype(r, c);
    rows.reserve(row_count);
    for (int i = 0; i < row_count; ++i) {
      std::vector<Value> values;
      values.reserve(column_count);
      for (int c = 0; c < column_count; ++c) {
        if (PQgetisnull(r, i, c))
          values.emplace_back(nullptr);
        else
          values.push_back(convert(column_types_[c], PQgetvalue(r, i, c), PQgetlength(r, i, c)));
      }
      rows.emplace_back(columns, std::move(values));
    }
    return rows;
  }

  PGconn* conn_;
  StatementMap statements_;
  std::uint64_t statement_counter_ = 0;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<Oid> types_;
  std::vector<std::array<char, kNumberBufferSize>> numbers_;
  std::vector<Oid> column_types_;
};

// The password in a conninfo string or URL, so that it can be cut out of error messages.
std::string password_in(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (error) PQfreemem(error);
  std::string password;
  if (!options) return password;
  for (auto* o = options; o->keyword; ++o)
    if (std::strcmp(o->keyword, "password") == 0 && o->val) password = o->val;
  PQconninfoFree(options);
  return password;
}

std::string without(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
    text.replace(at, secret.size(), "***");
  return text;
}

}  // namespace

Db::Factory postgres_factory(const std::string& conninfo, const PoolOptions&) {
  std::string password = password_in(conninfo);
  return [conninfo, password]() -> std::unique_ptr<Conn> {
    // dbname carries the whole URL (expand_dbname = 1). The application name is only a
    // fallback the URL may override; the encoding is forced because all our text is UTF-8.
    const char* keywords[] = {"fallback_application_name", "dbname", "client_encoding", nullptr};
    const char* values[] = {"tongban", conninfo.c_str(), "UTF8", nullptr};
    PGconn* conn = PQconnectdbParams(keywords, values, 1);
    if (!conn) throw DbError(DbError::Kind::kConnection, "postgresql: out of memory while connecting");
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string message = without(trimmed(PQerrorMessage(conn)), password);
      PQfinish(conn);
      throw DbError(DbError::Kind::kConnection, "postgresql: cannot connect: " + message);
    }
    return std::make_unique<PostgresConn>(conn);
  };
}

}  // namespace tb::store
