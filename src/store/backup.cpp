#include "store/backup.h"

#include "crypto/crypto.h"

#include <fstream>
#include <map>
#include <set>

namespace tb::store {
namespace {

constexpr const char* kFormat = "tongban-backup";
constexpr int kFormatVersion = 1;
constexpr const char* kMigrationsTable = "schema_migrations";

Json to_json(const Value& v) {
  return std::visit(
      [](const auto& x) -> Json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>)
          return nullptr;
        else if constexpr (std::is_same_v<T, Blob>)
          return Json{{"b64", crypto::base64_encode(x.bytes)}};
        else
          return x;
      },
      v.variant());
}

std::optional<Value> from_json(const Json& j) {
  if (j.is_null()) return Value();
  if (j.is_number_integer()) return Value(j.get<long long>());
  if (j.is_number_float()) return Value(j.get<double>());
  if (j.is_string()) return Value(j.get<std::string>());
  if (j.is_object() && j.contains("b64") && j["b64"].is_string()) {
    auto bytes = crypto::base64_decode(j["b64"].get<std::string>());
    if (bytes) return Value(Blob{*bytes});
  }
  return std::nullopt;
}

// Tables ordered so that every table comes after the tables it references.
std::vector<std::string> dependency_order(Conn& c, const std::vector<std::string>& tables) {
  std::set<std::string> known(tables.begin(), tables.end()), placed;
  std::vector<std::string> order;
  std::function<void(const std::string&, int)> visit = [&](const std::string& t, int depth) {
    if (placed.count(t) || depth > 64) return;
    for (const auto& dep : c.referenced_tables(t))
      if (dep != t && known.count(dep)) visit(dep, depth + 1);
    if (placed.insert(t).second) order.push_back(t);
  };
  for (const auto& t : tables) visit(t, 0);
  return order;
}

std::string quote_name(const std::string& name) { return "\"" + name + "\""; }

std::unexpected<Error> invalid(std::string why, Json details = Json::object()) {
  return fail(codes::kBackupInvalid, "备份文件无效：" + why, std::move(details));
}

}  // namespace

BackupReport backup(Db& db, const std::filesystem::path& to) {
  auto temp = to;
  temp += ".partial";
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + temp.string());
  BackupReport report;
  db.read([&](Conn& c) {
    // One snapshot for every table, so the file is consistent while writers go on.
    c.exec_script(c.engine() == Engine::kSqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      auto tables = dependency_order(c, c.table_names());
      out << Json{{"format", kFormat}, {"version", kFormatVersion}, {"engine", engine_name(c.engine())},
                  {"tables", tables}}
                 .dump()
          << '\n';
      for (const auto& t : tables) {
        auto rows = c.query("SELECT * FROM " + quote_name(t));
        out << Json{{"table", t}, {"columns", rows.empty() ? Json::array() : Json(rows[0].columns())}}.dump()
            << '\n';
        for (const auto& row : rows) {
          Json values = Json::array();
          for (std::size_t i = 0; i < row.size(); ++i) values.push_back(to_json(row.at(i)));
          out << Json{{"row", values}}.dump() << '\n';
        }
        report.rows += static_cast<std::int64_t>(rows.size());
        ++report.tables;
      }
      c.exec_script("COMMIT");
    } catch (...) {
      c.rollback();
      throw;
    }
  });
  out << Json{{"end", true}, {"tables", report.tables}, {"rows", report.rows}}.dump() << '\n';
  out.close();
  if (!out) throw std::runtime_error("cannot write " + temp.string());
  std::filesystem::rename(temp, to);
  return report;
}

Result<BackupReport> restore(Db& db, const std::filesystem::path& from, const std::vector<Migration>& migrations,
                             bool force) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return invalid("无法读取文件", {{"path", from.string()}});

  // Parse and check the whole file before touching the database.
  struct TableData {
    std::string name;
    std::vector<std::string> columns;
    std::vector<Params> rows;
  };
  std::vector<TableData> tables;
  std::string line;
  int line_no = 0;
  bool ended = false;
  std::int64_t row_count = 0;
  while (std::getline(in, line)) {
    ++line_no;
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return invalid("第 " + std::to_string(line_no) + " 行不是 JSON 对象");
    if (line_no == 1) {
      if (j.value("format", "") != kFormat || j.value("version", 0) != kFormatVersion)
        return invalid("不是 tongban 备份，或版本不受支持");
      continue;
    }
    if (ended) return invalid("结束标记之后还有内容");
    if (j.contains("table")) {
      if (!j["table"].is_string() || !j["columns"].is_array()) return invalid("表头格式错误");
      tables.push_back({j["table"].get<std::string>(), j["columns"].get<std::vector<std::string>>(), {}});
    } else if (j.contains("row")) {
      if (tables.empty() || !j["row"].is_array() || j["row"].size() != tables.back().columns.size())
        return invalid("第 " + std::to_string(line_no) + " 行的数据与表头不符");
      Params values;
      for (const auto& cell : j["row"]) {
        auto v = from_json(cell);
        if (!v) return invalid("第 " + std::to_string(line_no) + " 行有无法识别的值");
        values.push_back(std::move(*v));
      }
      tables.back().rows.push_back(std::move(values));
      ++row_count;
    } else if (j.contains("end")) {
      if (j.value("rows", std::int64_t(-1)) != row_count || j.value("tables", -1) != static_cast<int>(tables.size()))
        return invalid("行数与结束标记不符，文件可能被截断或改动");
      ended = true;
    } else {
      return invalid("第 " + std::to_string(line_no) + " 行无法识别");
    }
  }
  if (line_no == 0) return invalid("文件为空");
  if (!ended) return invalid("缺少结束标记，文件可能被截断");

  // The schema the backup was taken at: its own schema_migrations rows.
  std::set<std::pair<std::string, int>> backup_schema;
  for (const auto& t : tables) {
    if (t.name != kMigrationsTable) continue;
    std::size_t mi = 0, vi = 0;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      if (t.columns[i] == "module") mi = i;
      if (t.columns[i] == "version") vi = i;
    }
    for (const auto& r : t.rows) {
      const auto* module = std::get_if<std::string>(&r[mi].variant());
      const auto* version = std::get_if<std::int64_t>(&r[vi].variant());
      if (!module || !version) return invalid("迁移记录格式错误");
      backup_schema.insert({*module, static_cast<int>(*version)});
    }
  }
  std::vector<Migration> at_backup, newer;
  for (const auto& m : migrations) (backup_schema.count({m.module, m.version}) ? at_backup : newer).push_back(m);
  if (at_backup.size() != backup_schema.size())
    return invalid("备份来自更新版本的 tongban，其中有本程序不认识的迁移");

  // A restore into an existing schema must match it exactly.
  auto existing = pending(db, migrations);
  bool fresh = existing.size() == migrations.size();

  auto loaded = db.write([&](Conn& c) -> Result<BackupReport> {
    std::vector<std::string> current = c.table_names();
    for (const auto& t : current) {
      if (t == kMigrationsTable) continue;
      if (c.query("SELECT 1 FROM " + quote_name(t) + " LIMIT 1").empty()) continue;
      if (!force)
        return fail(codes::kDatabaseNotEmpty, "目标数据库已有数据，拒绝覆盖；确需覆盖请加 --force", {{"table", t}});
    }
    if (!fresh && !existing.empty())
      return fail(codes::kConflict, "目标数据库的结构不是最新，请先运行 tongban migrate");
    if (fresh) {
      // Their schema_migrations rows arrive with the data below.
      for (const auto& m : at_backup) c.exec_script(c.engine() == Engine::kPostgres ? postgres_dialect(m.sql) : m.sql);
    } else if (!newer.empty()) {
      return fail(codes::kConflict, "目标数据库结构比备份新，请恢复到一个空数据库");
    }
    // Clear in reverse dependency order, then load in dependency order.
    auto order = dependency_order(c, c.table_names());
    for (auto it = order.rbegin(); it != order.rend(); ++it) c.exec("DELETE FROM " + quote_name(*it));
    std::map<std::string, const TableData*> by_name;
    for (const auto& t : tables) by_name[t.name] = &t;
    BackupReport report;
    std::set<std::string> present(order.begin(), order.end());
    for (const auto& t : tables)
      if (!present.count(t.name)) return invalid("备份中的表在本程序的结构里不存在", {{"table", t.name}});
    for (const auto& name : order) {
      auto it = by_name.find(name);
      if (it == by_name.end()) continue;
      const TableData& t = *it->second;
      if (!t.rows.empty()) {
        std::string sql = "INSERT INTO " + quote_name(t.name) + " (";
        std::string marks;
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
          sql += (i ? ", " : "") + quote_name(t.columns[i]);
          marks += i ? ", ?" : "?";
        }
        sql += ") VALUES (" + marks + ")";
        for (const auto& r : t.rows) c.exec(sql, r);
        c.reset_id_sequence(t.name);
      }
      report.rows += static_cast<std::int64_t>(t.rows.size());
      ++report.tables;
    }
    if (fresh) migrate_in(c, migrations);  // the migrations newer than the backup, in this transaction
    return report;
  });
  return loaded;
}

}  // namespace tb::store
