// Engine-parameterised store tests: SQLite always, PostgreSQL when TONGBAN_TEST_PG_URL
// names a server (a base URL such as scripts/pg-cluster prints). The PostgreSQL run makes
// its own database on that server and drops it at the end; each test empties its schema.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/db.h"

namespace tb::store::test_support {

using Kind = DbError::Kind;

// ---- where the databases live ------------------------------------------------------

inline std::string pg_base_url() {
  const char* url = std::getenv("TONGBAN_TEST_PG_URL");
  return url ? url : "";
}

// The base URL with its path replaced by `database` (query parameters kept).
inline std::string url_with_database(const std::string& base, const std::string& database) {
  auto authority = base.find("://") + 3;
  auto query = base.find('?', authority);
  auto path = base.find('/', authority);
  if (path == std::string::npos || (query != std::string::npos && path > query))
    path = query == std::string::npos ? base.size() : query;
  std::string tail = query == std::string::npos ? "" : base.substr(query);
  return base.substr(0, path) + "/" + database + tail;
}

inline std::string random_suffix() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> any;
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(any(device)));
  return std::to_string(::getpid()) + "_" + buffer;
}

// One database per test run on the PostgreSQL server; each test empties its schema.
class PostgresDatabase : public testing::Environment {
 public:
  static PostgresDatabase& instance() {
    static auto* env = static_cast<PostgresDatabase*>(testing::AddGlobalTestEnvironment(new PostgresDatabase));
    return *env;
  }

  const std::string& url() {
    if (url_.empty()) {
      name_ = "tb_db_test_" + random_suffix();
      auto admin = Db::open(pg_base_url(), PoolOptions{.size = 1});
      admin->read([&](Conn& c) { c.exec_script("CREATE DATABASE " + name_); });
      url_ = url_with_database(pg_base_url(), name_);
    }
    return url_;
  }

  void TearDown() override {
    if (name_.empty()) return;
    auto admin = Db::open(pg_base_url(), PoolOptions{.size = 1});
    admin->read([&](Conn& c) { c.exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); });
    name_.clear();
    url_.clear();
  }

 private:
  std::string name_, url_;
};

struct EngineCase {
  std::string name;
  Engine engine;
};

inline void PrintTo(const EngineCase& e, std::ostream* os) { *os << e.name; }

inline std::vector<EngineCase> engines() {
  std::vector<EngineCase> out{{"sqlite", Engine::kSqlite}};
  if (!pg_base_url().empty()) {
    PostgresDatabase::instance();  // registers the teardown before the tests run
    out.push_back({"postgresql", Engine::kPostgres});
  }
  return out;
}

// ---- fixture -----------------------------------------------------------------------

class EngineTest : public testing::TestWithParam<EngineCase> {
 protected:
  void SetUp() override {
    if (engine() == Engine::kSqlite) {
      static int counter = 0;
      dir_ =
          std::filesystem::temp_directory_path() / ("tb_db_test_" + random_suffix() + "_" + std::to_string(++counter));
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "test.db").string();
    } else {
      url_ = PostgresDatabase::instance().url();
    }
    db_ = open();
    if (engine() == Engine::kPostgres)
      db_->read([](Conn& c) { c.exec_script("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"); });
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Engine engine() const { return GetParam().engine; }

  std::unique_ptr<Db> open(PoolOptions options = {}) { return Db::open(url_, options); }

  // Migration SQL is written in the portable subset and rewritten for PostgreSQL, as the
  // migrator does.
  void migrate(Db& db, std::string_view sql) {
    std::string text = engine() == Engine::kPostgres ? postgres_dialect(sql) : std::string(sql);
    db.write([&](Conn& c) { c.exec_script(text); });
  }
  void migrate(std::string_view sql) { migrate(*db_, sql); }

  std::int64_t count(const std::string& table) {
    return db_->read([&](Conn& c) { return c.query("SELECT count(*) FROM " + table).at(0).i64(0); });
  }

  template <class F>
  DbError::Kind error_kind(F&& f) {
    try {
      f();
    } catch (const DbError& e) {
      return e.kind();
    }
    ADD_FAILURE() << "no DbError was thrown";
    return Kind::kOther;
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<Db> db_;
};

}  // namespace tb::store::test_support
