// The tongban command line on the engine under test: migrate, seed, backup and restore
// (round trips on one engine and, when PostgreSQL is given, across engines).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "store/blob_store.h"
#include "store/db.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

// Every table's rows, sorted, as text: two databases hold the same data when equal.
std::map<std::string, std::vector<std::string>> dump(const std::string& url) {
  auto db = store::Db::open(url, {.size = 1});
  std::map<std::string, std::vector<std::string>> out;
  db->read([&](store::Conn& c) {
    for (const auto& t : c.table_names()) {
      auto& rows = out[t];
      for (const auto& r : c.query("SELECT * FROM \"" + t + "\"")) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
          const auto& v = r.at(i).variant();
          line += r.columns()[i] + "=";
          if (auto p = std::get_if<std::int64_t>(&v)) line += std::to_string(*p);
          else if (auto d = std::get_if<double>(&v)) line += std::to_string(*d);
          else if (auto s = std::get_if<std::string>(&v)) line += "'" + *s + "'";
          else if (auto b = std::get_if<store::Blob>(&v)) line += "blob:" + std::to_string(b->bytes.size()) + ":" + b->bytes;
          else line += "NULL";
          line += ";";
        }
        rows.push_back(line);
      }
      std::sort(rows.begin(), rows.end());
    }
  });
  return out;
}

std::int64_t total_rows(const std::map<std::string, std::vector<std::string>>& d, bool with_migrations = false) {
  std::int64_t n = 0;
  for (const auto& [t, rows] : d)
    if (with_migrations || t != "schema_migrations") n += static_cast<std::int64_t>(rows.size());
  return n;
}

int tongban(const std::vector<std::string>& args, std::string* out = nullptr) {
  std::string local;
  int rc = run_tongban(args, out ? out : &local);
  return rc;
}

// A database with every kind of value in it: seed data, an administrator's calendar
// year loaded over HTTP, and a binary blob with NUL bytes in the blobs table.
void fill(const std::string& url) {
  std::string out;
  ASSERT_EQ(tongban({"seed", "--db", url}, &out), 0) << out;
  {
    ServerProcess server(url);
    std::string token = log_in(server.port(), "admin", kDemoPassword, kDemoTotpSecret);
    auto r = http_request(server.port(), "PUT", "/api/v1/admin/calendar/2027",
                          R"({"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]})",
                          {{"Authorization", "Bearer " + token}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto db = store::Db::open(url, {.size = 1});
  SystemClock clock;
  auto blobs = store::BlobStore::database(*db, clock);
  blobs->put(std::string("\0\x01\xff binary \xe4\xb8\xad", 14));
}

// Every module's migration files: what `migrate` must apply to a fresh database.
std::size_t migration_files() {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(TB_SOURCE_DIR "/src"))
    if (e.path().extension() == ".sql" && e.path().parent_path().filename() == "migrations") ++n;
  return n;
}

class CliTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
};

TEST_F(CliTest, VersionPrintsTheVersion) {
  std::string out;
  EXPECT_EQ(tongban({"--version"}, &out), 0);
  EXPECT_EQ(out.rfind("tongban ", 0), 0u) << out;
}

TEST_F(CliTest, MigrateTwiceAppliesOnce) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(tongban({"migrate", "--db", db.url()}, &out), 0) << out;
  EXPECT_NE(out.find("applied"), std::string::npos);
  EXPECT_EQ(out.find(" 0 applied"), std::string::npos) << out;
  ASSERT_EQ(tongban({"migrate", "--db", db.url()}, &out), 0) << out;
  EXPECT_NE(out.find("migrations: 0 applied"), std::string::npos) << out;
  auto d = dump(db.url());
  EXPECT_EQ(d["schema_migrations"].size(), migration_files());
}

TEST_F(CliTest, DatabaseComesFromTheEnvironmentWhenNotGiven) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(run_tongban({"migrate"}, &out, {{"TONGBAN_DB", db.url()}}), 0) << out;
  EXPECT_EQ(dump(db.url())["schema_migrations"].size(), migration_files());
}

TEST_F(CliTest, BadDatabaseUrlIsAClearError) {
  std::string out;
  EXPECT_EQ(tongban({"migrate", "--db", "mysql://localhost/x"}, &out), 1);
  EXPECT_NE(out.find("sqlite: or postgresql://"), std::string::npos) << out;
}

TEST_F(CliTest, SeedIsIdempotent) {
  TestDatabase db;
  std::string out;
  ASSERT_EQ(tongban({"seed", "--db", db.url()}, &out), 0) << out;
  EXPECT_NE(out.find(R"("divisions_added":154)"), std::string::npos) << out;
  auto first = dump(db.url());
  ASSERT_EQ(tongban({"seed", "--db", db.url()}, &out), 0) << out;
  // The last line is the report: every "…_added" is 0 the second time.
  Json report = Json::parse(out.substr(out.rfind('{')), nullptr, false);
  ASSERT_TRUE(report.is_object()) << out;
  EXPECT_GE(report.size(), 6u);
  for (auto& [what, n] : report.items()) EXPECT_EQ(n, 0) << what;
  EXPECT_EQ(dump(db.url()), first) << "a second seed changed the data";
}

TEST_F(CliTest, BackupRestoreRoundTripKeepsEveryRow) {
  TestDatabase source, target;
  fill(source.url());
  std::string out;
  ASSERT_EQ(tongban({"backup", "--db", source.url(), "--to", file("b.jsonl")}, &out), 0) << out;
  ASSERT_EQ(tongban({"restore", "--db", target.url(), "--from", file("b.jsonl")}, &out), 0) << out;
  auto a = dump(source.url()), b = dump(target.url());
  EXPECT_GT(total_rows(a), 154 + 100);
  EXPECT_EQ(a, b);
  // Ids keep counting after the restored ones: the target accepts new rows.
  auto db = store::Db::open(target.url(), {.size = 1});
  SystemClock clock;
  EXPECT_NO_THROW(store::BlobStore::database(*db, clock)->put("after restore"));
}

TEST_F(CliTest, RestoreRefusesANonEmptyDatabaseUnlessForced) {
  TestDatabase source, target;
  fill(source.url());
  std::string out;
  ASSERT_EQ(tongban({"backup", "--db", source.url(), "--to", file("b.jsonl")}, &out), 0) << out;
  ASSERT_EQ(tongban({"seed", "--db", target.url()}, &out), 0) << out;
  // Make the target differ from the source, so a forced restore is visible.
  {
    auto db = store::Db::open(target.url(), {.size = 1});
    db->write([](store::Conn& c) { c.exec("DELETE FROM divisions WHERE code = '341525'"); });
  }
  auto before = dump(target.url());
  EXPECT_EQ(tongban({"restore", "--db", target.url(), "--from", file("b.jsonl")}, &out), 2);
  EXPECT_NE(out.find("DATABASE_NOT_EMPTY"), std::string::npos) << out;
  EXPECT_EQ(dump(target.url()), before) << "a refused restore wrote something";
  ASSERT_EQ(tongban({"restore", "--db", target.url(), "--from", file("b.jsonl"), "--force"}, &out), 0) << out;
  EXPECT_EQ(dump(target.url()), dump(source.url()));
}

TEST_F(CliTest, RestoreRefusesBrokenFilesAndWritesNothing) {
  TestDatabase source;
  fill(source.url());
  std::string out;
  ASSERT_EQ(tongban({"backup", "--db", source.url(), "--to", file("b.jsonl")}, &out), 0) << out;
  std::ifstream in(file("b.jsonl"));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_GT(lines.size(), 10u);
  auto write = [&](const std::string& name, const std::vector<std::string>& ls) {
    std::ofstream o(file(name));
    for (const auto& l : ls) o << l << "\n";
  };
  write("truncated.jsonl", std::vector<std::string>(lines.begin(), lines.end() - 3));
  auto no_end = lines;
  no_end.pop_back();
  write("no-end.jsonl", no_end);
  auto garbled = lines;
  garbled[5] = "{not json";
  write("garbled.jsonl", garbled);
  write("empty.jsonl", {});
  for (const char* name : {"truncated.jsonl", "no-end.jsonl", "garbled.jsonl", "empty.jsonl", "missing.jsonl"}) {
    TestDatabase target;
    EXPECT_EQ(tongban({"restore", "--db", target.url(), "--from", file(name)}, &out), 2) << name;
    EXPECT_NE(out.find("BACKUP_INVALID"), std::string::npos) << name << ": " << out;
    // Nothing written, not even the schema.
    auto d = dump(target.url());
    EXPECT_EQ(total_rows(d, true), 0) << name;
    EXPECT_FALSE(d.count("divisions")) << name << ": schema was created by a refused restore";
  }
}

TEST_F(CliTest, BackupRestoresAcrossEngines) {
  if (!std::getenv("TONGBAN_TEST_PG_URL")) GTEST_SKIP() << "needs TONGBAN_TEST_PG_URL (scripts/test sets it)";
  TestDatabase sqlite("sqlite"), postgres("postgresql"), back("sqlite");
  fill(sqlite.url());
  std::string out;
  ASSERT_EQ(tongban({"backup", "--db", sqlite.url(), "--to", file("s.jsonl")}, &out), 0) << out;
  ASSERT_EQ(tongban({"restore", "--db", postgres.url(), "--from", file("s.jsonl")}, &out), 0) << out;
  EXPECT_EQ(dump(postgres.url()), dump(sqlite.url()));
  ASSERT_EQ(tongban({"backup", "--db", postgres.url(), "--to", file("p.jsonl")}, &out), 0) << out;
  ASSERT_EQ(tongban({"restore", "--db", back.url(), "--from", file("p.jsonl")}, &out), 0) << out;
  EXPECT_EQ(dump(back.url()), dump(sqlite.url()));
}

}  // namespace
}  // namespace tb::testing
