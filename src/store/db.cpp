#include "store/db.h"

#include <cctype>
#include <condition_variable>
#include <mutex>

namespace tb::store {

std::string_view engine_name(Engine e) { return e == Engine::kSqlite ? "sqlite" : "postgresql"; }

// ---- Row ---------------------------------------------------------------------------

std::size_t Row::index_of(std::string_view column) const {
  for (std::size_t i = 0; i < columns_->size(); ++i)
    if ((*columns_)[i] == column) return i;
  throw DbError(DbError::Kind::kOther, "no column named " + std::string(column));
}

namespace {
[[noreturn]] void type_mismatch(std::size_t i, const char* wanted) {
  throw DbError(DbError::Kind::kOther, "column " + std::to_string(i) + " is not " + wanted);
}
}  // namespace

std::int64_t Row::i64(std::size_t i) const {
  const auto& v = at(i).variant();
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  type_mismatch(i, "an integer");
}

double Row::f64(std::size_t i) const {
  const auto& v = at(i).variant();
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  type_mismatch(i, "a number");
}

std::string Row::text(std::size_t i) const {
  const auto& v = at(i).variant();
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  type_mismatch(i, "text");
}

std::string Row::blob(std::size_t i) const {
  const auto& v = at(i).variant();
  if (auto p = std::get_if<Blob>(&v)) return p->bytes;
  if (auto p = std::get_if<std::string>(&v)) return *p;
  type_mismatch(i, "a blob");
}

std::optional<std::int64_t> Row::opt_i64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return i64(i);
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

// ---- Pool --------------------------------------------------------------------------

struct Db::Pool {
  Factory factory;
  PoolOptions options;
  mutable std::mutex mutex;
  std::condition_variable freed;
  std::vector<std::unique_ptr<Conn>> idle;
  int open = 0;  // connections made and not discarded
  int in_use = 0;
  std::uint64_t acquired_total = 0, waited_total = 0, timeouts_total = 0;
  double wait_seconds_total = 0;
};

Db::Db(Engine engine, Factory factory, PoolOptions options, std::string description)
    : engine_(engine), pool_(std::make_unique<Pool>()), description_(std::move(description)) {
  pool_->factory = std::move(factory);
  pool_->options = options;
}

Db::~Db() = default;

Db::Lease Db::acquire() {
  if (WriteScope::depth() > 0)
    throw FatalError("a second database connection was borrowed inside write(); use the transaction's Conn");
  auto& p = *pool_;
  std::unique_lock lock(p.mutex);
  auto started = std::chrono::steady_clock::now();
  bool waited = false;
  while (p.idle.empty() && p.open >= p.options.size) {
    waited = true;
    if (p.freed.wait_until(lock, started + p.options.acquire_timeout) == std::cv_status::timeout &&
        p.idle.empty() && p.open >= p.options.size) {
      ++p.timeouts_total;
      throw DbError(DbError::Kind::kBusy, "no database connection became free in time");
    }
  }
  if (waited) {
    ++p.waited_total;
    p.wait_seconds_total += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  ++p.acquired_total;
  ++p.in_use;
  if (!p.idle.empty()) {
    auto conn = std::move(p.idle.back());
    p.idle.pop_back();
    return Lease(this, std::move(conn));
  }
  ++p.open;
  lock.unlock();
  try {
    return Lease(this, p.factory());
  } catch (...) {
    std::lock_guard relock(p.mutex);
    --p.open;
    --p.in_use;
    p.freed.notify_one();
    throw;
  }
}

void Db::release(std::unique_ptr<Conn> conn) {
  auto& p = *pool_;
  bool keep = conn->healthy();  // a broken connection is dropped and remade on demand
  std::lock_guard lock(p.mutex);
  --p.in_use;
  if (keep)
    p.idle.push_back(std::move(conn));
  else
    --p.open;
  p.freed.notify_one();
}

void Db::Lease::rollback_quietly() {
  try {
    conn_->rollback();
  } catch (...) {
    // The connection is unusable; healthy() will say so and the pool drops it.
  }
}

PoolStats Db::stats() const {
  std::lock_guard lock(pool_->mutex);
  return PoolStats{pool_->options.size, pool_->in_use,  pool_->acquired_total,
                   pool_->waited_total,  pool_->timeouts_total, pool_->wait_seconds_total};
}

bool Db::ping() {
  try {
    return read([](Conn& c) { return c.query("SELECT 1").at(0).i64(0) == 1; });
  } catch (const std::exception&) {
    return false;
  }
}

std::unique_ptr<Db> Db::open(const std::string& url, PoolOptions options) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.empty()) throw FatalError("sqlite url needs a path: sqlite:PATH");
    if (path == ":memory:") options.size = 1;  // every connection would be its own database
    return std::make_unique<Db>(Engine::kSqlite, sqlite_factory(path, options), options, url);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    // Mask the password in user:password@host for logs.
    std::string shown = url;
    auto scheme_end = shown.find("://") + 3;
    auto at = shown.find('@', scheme_end);
    auto colon = shown.find(':', scheme_end);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      shown.replace(colon + 1, at - colon - 1, "***");
    return std::make_unique<Db>(Engine::kPostgres, postgres_factory(url, options), options, shown);
  }
  throw FatalError("database url must start with sqlite: or postgresql:// (got '" + url + "')");
}

// ---- SQL rewriting -----------------------------------------------------------------

std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

namespace {
bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Replaces whole-word, case-sensitive occurrences of `from` with `to`.
std::string replace_word(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto hit = text.find(from, i);
    if (hit == std::string_view::npos) break;
    bool left_ok = hit == 0 || !is_word_char(text[hit - 1]);
    bool right_ok = hit + from.size() >= text.size() || !is_word_char(text[hit + from.size()]);
    out.append(text.substr(i, hit - i));
    out.append(left_ok && right_ok ? to : from);
    i = hit + from.size();
  }
  out.append(text.substr(i));
  return out;
}
}  // namespace

std::string postgres_dialect(std::string_view sql) {
  std::string s = replace_word(sql, "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  s = replace_word(s, "INTEGER", "BIGINT");
  return replace_word(s, "BLOB", "BYTEA");
}

}  // namespace tb::store
