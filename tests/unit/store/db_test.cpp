// The Db interface, the same checks on every engine: SQLite always, PostgreSQL when
// TONGBAN_TEST_PG_URL names a server (a base URL such as scripts/pg-cluster prints). The
// PostgreSQL run makes its own database on that server and drops it at the end.
#include "store/db.h"
#include "unit/store/engine_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tb::store {

// Readable failures; internal linkage so other test files may print Values their own way.
[[maybe_unused]] static void PrintTo(const Value& value, std::ostream* os) {
  struct Printer {
    std::ostream* os;
    void operator()(std::nullptr_t) const { *os << "NULL"; }
    void operator()(std::int64_t i) const { *os << i; }
    void operator()(double d) const { *os << d << " (double)"; }
    void operator()(const std::string& s) const { *os << '"' << s.substr(0, 80) << '"'; }
    void operator()(const Blob& b) const { *os << "blob of " << b.bytes.size() << " bytes"; }
  };
  std::visit(Printer{os}, value.variant());
}

namespace {

using namespace std::chrono_literals;

using namespace test_support;

class DbTest : public EngineTest {};

constexpr std::string_view kValuesTable =
    "CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, r DOUBLE PRECISION, t TEXT, b BLOB, f BOOLEAN);";

constexpr std::string_view kParentChild =
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
    "                     amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0));"
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id),"
    "                    other_parent_id INTEGER REFERENCES parent(id), note TEXT);"
    "CREATE TABLE lonely (code TEXT PRIMARY KEY);";

// ---- values ------------------------------------------------------------------------

TEST_P(DbTest, EngineIsReported) { EXPECT_EQ(db_->engine(), engine()); }

TEST_P(DbTest, EveryValueTypeRoundTrips) {
  migrate(kValuesTable);
  const std::string unicode = "中文 — 六安市 🙂";
  const Blob blob{std::string("\0a\0\xff\x00z\x80", 7)};
  struct Case {
    Value i, r, t, b, f;
  };
  std::vector<Case> cases = {
      {std::int64_t{0}, 0.0, "", Blob{}, false},
      {std::numeric_limits<std::int64_t>::max(), 3.141592653589793, unicode, blob, true},
      {std::numeric_limits<std::int64_t>::min(), -1e300, "it's \"quoted\" ? $1", Blob{std::string(1000, '\0')}, 1},
      {std::int64_t{-1}, 0.1, std::string(10000, 'x'), Blob{"plain"}, 0},
      {nullptr, nullptr, nullptr, nullptr, nullptr},
  };
  db_->write([&](Conn& c) {
    for (const auto& k : cases)
      c.exec("INSERT INTO vals(i, r, t, b, f) VALUES (?, ?, ?, ?, ?)", {k.i, k.r, k.t, k.b, k.f});
  });
  Rows rows = db_->read([](Conn& c) { return c.query("SELECT i, r, t, b, f FROM vals ORDER BY id"); });
  ASSERT_EQ(rows.size(), cases.size());
  for (std::size_t n = 0; n < cases.size(); ++n) {
    SCOPED_TRACE("case " + std::to_string(n));
    EXPECT_EQ(rows[n].at(0), cases[n].i);
    EXPECT_EQ(rows[n].at(1), cases[n].r);
    EXPECT_EQ(rows[n].at(2), cases[n].t);
    EXPECT_EQ(rows[n].at(3), cases[n].b);
    EXPECT_EQ(rows[n].at(4), cases[n].f);
  }
  EXPECT_EQ(rows[1].text(2), unicode);
  EXPECT_EQ(rows[1].blob(3), blob.bytes);
  EXPECT_EQ(rows[1].i64("f"), 1);
  EXPECT_FALSE(rows[0].is_null(2)) << "an empty string is not NULL";
  EXPECT_EQ(rows[4].opt_i64("i"), std::nullopt);
  EXPECT_EQ(rows[4].opt_text("t"), std::nullopt);
  EXPECT_EQ(rows[0].columns(), (std::vector<std::string>{"i", "r", "t", "b", "f"}));
}

TEST_P(DbTest, ParametersCompareAgainstTypedColumns) {
  migrate(kValuesTable);
  db_->write([](Conn& c) {
    c.exec("INSERT INTO vals(i, t, b) VALUES (?, ?, ?)", {42, "键", Blob{std::string("\0k", 2)}});
    c.exec("INSERT INTO vals(i, t, b) VALUES (?, ?, ?)", {-7, "other", Blob{"x"}});
  });
  db_->read([](Conn& c) {
    EXPECT_EQ(c.query("SELECT t FROM vals WHERE i = ?", {42}).at(0).text(0), "键");
    EXPECT_EQ(c.query("SELECT i FROM vals WHERE t = ?", {"键"}).at(0).i64(0), 42);
    EXPECT_EQ(c.query("SELECT i FROM vals WHERE b = ?", {Blob{std::string("\0k", 2)}}).at(0).i64(0), 42);
    EXPECT_EQ(c.query("SELECT count(*) FROM vals WHERE i > ? AND i < ?", {-10, 100}).at(0).i64(0), 2);
    EXPECT_TRUE(c.query("SELECT i FROM vals WHERE t = ?", {"nothing"}).empty());
  });
}

TEST_P(DbTest, AggregatesComeBackAsNumbers) {
  migrate(kValuesTable);
  db_->write([](Conn& c) {
    for (int i = 1; i <= 4; ++i) c.exec("INSERT INTO vals(i, r) VALUES (?, ?)", {i, i * 0.5});
  });
  Row row = db_->read([](Conn& c) {
    return c.query("SELECT count(*) AS n, sum(i) AS total, max(i) AS top, sum(r) AS half FROM vals").at(0);
  });
  EXPECT_EQ(row.at("n"), Value(4));
  EXPECT_EQ(row.at("total"), Value(10));
  EXPECT_EQ(row.at("top"), Value(4));
  EXPECT_EQ(row.at("half"), Value(5.0));
}

TEST_P(DbTest, ExecReportsChangedRows) {
  migrate(kValuesTable);
  db_->write([](Conn& c) {
    for (int i = 0; i < 5; ++i) EXPECT_EQ(c.exec("INSERT INTO vals(i) VALUES (?)", {i}), 1);
    EXPECT_EQ(c.exec("UPDATE vals SET t = ? WHERE i >= ?", {"big", 2}), 3);
    EXPECT_EQ(c.exec("DELETE FROM vals WHERE i = ?", {99}), 0);
  });
}

TEST_P(DbTest, InsertReturningGivesGeneratedIds) {
  migrate(kValuesTable);
  auto ids = db_->write([](Conn& c) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < 3; ++i)
      out.push_back(c.query("INSERT INTO vals(t) VALUES (?) RETURNING id", {"row"}).at(0).i64("id"));
    return out;
  });
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_P(DbTest, RepeatedStatementSeesSchemaChanges) {
  // One connection, so a statement prepared before the change is the one reused after it.
  auto db = open(PoolOptions{.size = 1});
  migrate(*db, "CREATE TABLE shape (a INTEGER);");
  db->write([](Conn& c) { c.exec("INSERT INTO shape(a) VALUES (?)", {1}); });
  EXPECT_EQ(db->read([](Conn& c) { return c.query("SELECT * FROM shape").at(0).size(); }), 1u);
  migrate(*db, "ALTER TABLE shape ADD COLUMN b TEXT;");
  Row row = db->read([](Conn& c) { return c.query("SELECT * FROM shape").at(0); });
  EXPECT_EQ(row.columns(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(row.is_null(1));
}

// ---- transactions ------------------------------------------------------------------

TEST_P(DbTest, WriteCommits) {
  migrate(kParentChild);
  auto n = db_->write([](Conn& c) {
    c.exec("INSERT INTO parent(code) VALUES (?)", {"a"});
    return c.query("SELECT count(*) FROM parent").at(0).i64(0);
  });
  EXPECT_EQ(n, 1);
  EXPECT_EQ(count("parent"), 1);
}

TEST_P(DbTest, WriteRollsBackWhenTheFunctionThrows) {
  migrate(kParentChild);
  EXPECT_THROW(db_->write([](Conn& c) {
    c.exec("INSERT INTO parent(code) VALUES (?)", {"a"});
    throw std::runtime_error("a bug");
  }),
               std::runtime_error);
  EXPECT_EQ(count("parent"), 0);
}

TEST_P(DbTest, WriteRollsBackOnAnErrorResult) {
  migrate(kParentChild);
  Result<int> result = db_->write([](Conn& c) -> Result<int> {
    c.exec("INSERT INTO parent(code) VALUES (?)", {"a"});
    return fail(codes::kConflict, "已存在");
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, codes::kConflict);
  EXPECT_EQ(count("parent"), 0);

  Result<int> ok = db_->write([](Conn& c) -> Result<int> {
    c.exec("INSERT INTO parent(code) VALUES (?)", {"b"});
    return 7;
  });
  EXPECT_EQ(ok, 7);
  EXPECT_EQ(count("parent"), 1);
}

TEST_P(DbTest, SwallowedErrorInsideWriteDoesNotCommitHalfATransaction) {
  migrate(kParentChild);
  db_->write([](Conn& c) { c.exec("INSERT INTO parent(code) VALUES (?)", {"taken"}); });
  // A failed statement dooms its transaction on both engines (PostgreSQL by itself, SQLite
  // by the engine's bookkeeping): committing it must not look like success.
  auto attempt = [&] {
    db_->write([](Conn& c) {
      c.exec("INSERT INTO parent(code) VALUES (?)", {"first"});
      try {
        c.exec("INSERT INTO parent(code) VALUES (?)", {"taken"});
      } catch (const DbError&) {
      }
    });
  };
  EXPECT_THROW(attempt(), DbError);
  EXPECT_EQ(count("parent"), 1);
}

TEST_P(DbTest, ConcurrentAtomicUpdatesAllCount) {
  migrate("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);");
  db_->write([](Conn& c) { c.exec("INSERT INTO counter(id, n) VALUES (1, 0)"); });
  auto db = open(PoolOptions{.size = 4});
  constexpr int kThreads = 4, kIncrements = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i)
        db->write([](Conn& c) { c.exec("UPDATE counter SET n = n + ? WHERE id = 1", {1}); });
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(db->read([](Conn& c) { return c.query("SELECT n FROM counter").at(0).i64(0); }), kThreads * kIncrements);
}

// ---- errors ------------------------------------------------------------------------

TEST_P(DbTest, ConstraintViolationsAreToldApart) {
  migrate(kParentChild);
  db_->write([](Conn& c) { c.exec("INSERT INTO parent(id, code) VALUES (?, ?)", {1, "a"}); });

  EXPECT_EQ(error_kind([&] { db_->write([](Conn& c) { c.exec("INSERT INTO parent(code) VALUES (?)", {"a"}); }); }),
            Kind::kUniqueViolation);
  EXPECT_EQ(error_kind([&] {
              db_->write([](Conn& c) { c.exec("INSERT INTO parent(id, code) VALUES (?, ?)", {1, "b"}); });
            }),
            Kind::kUniqueViolation);
  EXPECT_EQ(error_kind([&] { db_->write([](Conn& c) { c.exec("INSERT INTO child(parent_id) VALUES (?)", {999}); }); }),
            Kind::kForeignKeyViolation);
  EXPECT_EQ(error_kind([&] {
              db_->write([](Conn& c) { c.exec("INSERT INTO parent(code, amount) VALUES (?, ?)", {"c", -1}); });
            }),
            Kind::kCheckViolation);
  EXPECT_EQ(error_kind([&] { db_->read([](Conn& c) { c.query("SELECT nope FROM parent"); }); }), Kind::kOther);
  // Nothing of the failed writes stayed, and the pool still works.
  EXPECT_EQ(count("parent"), 1);
  EXPECT_EQ(count("child"), 0);
}

TEST_P(DbTest, UniqueViolationMessageNamesTheProblem) {
  migrate(kParentChild);
  db_->write([](Conn& c) { c.exec("INSERT INTO parent(code) VALUES (?)", {"a"}); });
  try {
    db_->write([](Conn& c) { c.exec("INSERT INTO parent(code) VALUES (?)", {"a"}); });
    FAIL() << "no error";
  } catch (const DbError& e) {
    std::string message = e.what();
    std::transform(message.begin(), message.end(), message.begin(), [](unsigned char c) { return std::tolower(c); });
    EXPECT_NE(message.find("unique"), std::string::npos) << e.what();
  }
}

// ---- catalogue ---------------------------------------------------------------------

TEST_P(DbTest, TableNamesAndReferences) {
  EXPECT_TRUE(db_->read([](Conn& c) { return c.table_names(); }).empty());
  migrate(kParentChild);
  db_->read([](Conn& c) {
    EXPECT_EQ(c.table_names(), (std::vector<std::string>{"child", "lonely", "parent"}));
    auto refs = c.referenced_tables("child");
    std::sort(refs.begin(), refs.end());
    EXPECT_EQ(refs, (std::vector<std::string>{"parent"})) << "two keys to one table name it once";
    EXPECT_TRUE(c.referenced_tables("parent").empty());
    EXPECT_TRUE(c.referenced_tables("lonely").empty());
  });
}

TEST_P(DbTest, ResetIdSequenceFollowsExplicitIds) {
  migrate(kParentChild);
  db_->write([](Conn& c) {
    for (int id : {1, 2, 5, 100}) c.exec("INSERT INTO parent(id, code) VALUES (?, ?)", {id, "p" + std::to_string(id)});
    c.reset_id_sequence("parent");
    c.reset_id_sequence("lonely");  // no id column: nothing to do
    EXPECT_EQ(c.query("INSERT INTO parent(code) VALUES (?) RETURNING id", {"next"}).at(0).i64(0), 101);
  });
  db_->write([](Conn& c) {
    c.exec("DELETE FROM parent");
    c.reset_id_sequence("parent");
    EXPECT_EQ(c.query("INSERT INTO parent(code) VALUES (?) RETURNING id", {"first"}).at(0).i64(0), 1);
  });
}

TEST_P(DbTest, MigrationLockWorksInsideAWrite) {
  db_->write([](Conn& c) {
    c.lock_for_migration();
    c.exec_script("CREATE TABLE migrated (id INTEGER PRIMARY KEY)");
  });
  EXPECT_EQ(db_->read([](Conn& c) { return c.table_names(); }), (std::vector<std::string>{"migrated"}));
}

// ---- pool --------------------------------------------------------------------------

TEST_P(DbTest, StatsCountAcquisitions) {
  auto db = open(PoolOptions{.size = 2});
  EXPECT_TRUE(db->ping());
  for (int i = 0; i < 4; ++i) db->read([](Conn& c) { c.query("SELECT 1"); });
  {
    auto lease = db->acquire();
    auto held = db->stats();
    EXPECT_EQ(held.in_use, 1);
  }
  auto stats = db->stats();
  EXPECT_EQ(stats.size, 2);
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.acquired_total, 6u);
  EXPECT_EQ(stats.waited_total, 0u);
  EXPECT_EQ(stats.timeouts_total, 0u);
}

TEST_P(DbTest, AcquireTimesOutWhenEveryConnectionIsHeld) {
  auto db = open(PoolOptions{.size = 1, .acquire_timeout = 100ms});
  auto held = db->acquire();
  EXPECT_EQ(error_kind([&] { db->acquire(); }), Kind::kBusy);
  EXPECT_EQ(db->stats().timeouts_total, 1u);
  EXPECT_EQ(db->stats().in_use, 1);
}

TEST_P(DbTest, AcquireWaitsForAConnectionToComeBack) {
  auto db = open(PoolOptions{.size = 1, .acquire_timeout = 10s});
  auto held = std::make_optional(db->acquire());
  std::atomic<bool> about_to_acquire = false, released = false, acquired_after_release = false;
  std::thread other([&] {
    about_to_acquire = true;
    db->read([&](Conn& c) {
      acquired_after_release = released.load();
      c.query("SELECT 1");
    });
  });
  while (!about_to_acquire) std::this_thread::yield();
  std::this_thread::sleep_for(100ms);  // time to reach the wait that waited_total counts
  released = true;
  held.reset();
  other.join();
  EXPECT_TRUE(acquired_after_release);
  auto stats = db->stats();
  EXPECT_EQ(stats.acquired_total, 2u);
  EXPECT_EQ(stats.waited_total, 1u);
  EXPECT_EQ(stats.timeouts_total, 0u);
}

TEST_P(DbTest, ConnectionLeftInAFailedTransactionComesBackClean) {
  migrate(kParentChild);
  auto db = open(PoolOptions{.size = 1});
  db->write([](Conn& c) { c.exec("INSERT INTO parent(code) VALUES (?)", {"taken"}); });
  {
    // A careless borrower: begins, writes, fails, and returns the connection as it is.
    auto lease = db->acquire();
    lease->begin_write();
    lease->exec("INSERT INTO parent(code) VALUES (?)", {"uncommitted"});
    EXPECT_THROW(lease->exec("INSERT INTO parent(code) VALUES (?)", {"taken"}), DbError);
  }
  // The one connection must not carry the old transaction into the next write.
  db->write([](Conn& c) { c.exec("INSERT INTO parent(code) VALUES (?)", {"next"}); });
  auto codes = db->read([](Conn& c) {
    std::vector<std::string> out;
    for (const auto& row : c.query("SELECT code FROM parent ORDER BY code")) out.push_back(row.text(0));
    return out;
  });
  EXPECT_EQ(codes, (std::vector<std::string>{"next", "taken"}));
}

TEST_P(DbTest, ConnectionLeftInAnOpenTransactionComesBackClean) {
  migrate(kParentChild);
  auto db = open(PoolOptions{.size = 1});
  {
    auto lease = db->acquire();
    lease->begin_write();
    lease->exec("INSERT INTO parent(code) VALUES (?)", {"uncommitted"});
  }
  EXPECT_EQ(db->read([](Conn& c) { return c.query("SELECT count(*) FROM parent").at(0).i64(0); }), 0);
  db->write([](Conn& c) { c.exec("INSERT INTO parent(code) VALUES (?)", {"next"}); });
  EXPECT_EQ(count("parent"), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, DbTest, testing::ValuesIn(engines()),
                         [](const testing::TestParamInfo<EngineCase>& info) { return info.param.name; });

// ---- PostgreSQL only ---------------------------------------------------------------

// Needs no server: the port is closed, and the password must not reach the message.
TEST(PostgresConnect, FailureIsAConnectionErrorWithoutThePassword) {
  auto db = Db::open("postgresql://tongban:s3cret-pw@127.0.0.1:1/tongban?connect_timeout=2");
  EXPECT_EQ(db->describe().find("s3cret-pw"), std::string::npos);
  try {
    db->acquire();
    FAIL() << "connected to a closed port";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), Kind::kConnection);
    EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db->stats().in_use, 0);
  EXPECT_FALSE(db->ping());
}

class PostgresTest : public DbTest {};

TEST_P(PostgresTest, TerminatedConnectionIsDroppedAndRemade) {
  auto db = open(PoolOptions{.size = 1});
  auto pid = db->read([](Conn& c) { return c.query("SELECT pg_backend_pid()").at(0).i64(0); });
  db_->read([&](Conn& c) { c.query("SELECT pg_terminate_backend(?, 5000)", {pid}); });
  // The server closed it while it sat in the pool: the next use fails as a connection error…
  EXPECT_EQ(error_kind([&] { db->read([](Conn& c) { c.query("SELECT 1"); }); }), Kind::kConnection);
  // …and the pool makes a new one instead of handing the dead one out again.
  auto again = db->read([](Conn& c) { return c.query("SELECT pg_backend_pid()").at(0).i64(0); });
  EXPECT_NE(again, pid);
}

TEST_P(PostgresTest, ValuesOfOtherTypesComeBackAsText) {
  db_->read([](Conn& c) {
    Row row = c.query(
                   "SELECT 1::int2 AS a, 2::int4 AS b, 2.5::float4 AS c, 12345678901234567890::numeric AS d, "
                   "1.25::numeric AS e, 'x'::varchar AS f, DATE '2024-02-29' AS g, true AS h, "
                   "'Infinity'::float8 AS i, '\\x00ff'::bytea AS j")
                  .at(0);
    EXPECT_EQ(row.at("a"), Value(1));
    EXPECT_EQ(row.at("b"), Value(2));
    EXPECT_EQ(row.at("c"), Value(2.5));
    EXPECT_EQ(row.at("d"), Value(12345678901234567890.0)) << "too large for int64: a double";
    EXPECT_EQ(row.at("e"), Value(1.25));
    EXPECT_EQ(row.at("f"), Value("x"));
    EXPECT_EQ(row.at("g"), Value("2024-02-29"));
    EXPECT_EQ(row.at("h"), Value(1));
    EXPECT_EQ(row.at("i"), Value(std::numeric_limits<double>::infinity()));
    EXPECT_EQ(row.at("j"), Value(Blob{std::string("\0\xff", 2)}));
    // A blob parameter is declared bytea, so it survives even where the statement says nothing.
    EXPECT_EQ(c.query("SELECT ?", {Blob{std::string("\0\x01", 2)}}).at(0).at(0), Value(Blob{std::string("\0\x01", 2)}));
  });
}

TEST_P(PostgresTest, StatementsSurviveDeallocateAll) {
  auto db = open(PoolOptions{.size = 1});
  db->read([](Conn& c) {
    EXPECT_EQ(c.query("SELECT 40 + ?", {2}).at(0).i64(0), 42);
    c.exec_script("DEALLOCATE ALL");
    EXPECT_EQ(c.query("SELECT 40 + ?", {2}).at(0).i64(0), 42);
  });
}

TEST_P(PostgresTest, MultiStatementScriptIsAllOrNothing) {
  EXPECT_THROW(db_->read([](Conn& c) { c.exec_script("CREATE TABLE a (x BIGINT); CREATE TABLE a (x BIGINT);"); }),
               DbError);
  EXPECT_TRUE(db_->read([](Conn& c) { return c.table_names(); }).empty());
}

TEST_P(PostgresTest, ManyDistinctStatementsStillRun) {
  // Ad-hoc SQL beyond the cache limit runs unnamed instead of failing or growing forever.
  auto db = open(PoolOptions{.size = 1});
  db->read([](Conn& c) {
    for (int i = 0; i < 1100; ++i) EXPECT_EQ(c.query("SELECT " + std::to_string(i) + " + ?", {1}).at(0).i64(0), i + 1);
  });
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PostgresTest);
INSTANTIATE_TEST_SUITE_P(Engines, PostgresTest, testing::ValuesIn([] {
                           std::vector<EngineCase> out;
                           for (auto& e : engines())
                             if (e.engine == Engine::kPostgres) out.push_back(e);
                           return out;
                         }()),
                         [](const testing::TestParamInfo<EngineCase>& info) { return info.param.name; });

}  // namespace
}  // namespace tb::store
