#include "catalog/store.h"

namespace tb::catalog::sql {
namespace {

DepartmentRow department_from(const store::Row& r) {
  return DepartmentRow{r.text(0), r.text(1), r.text(2), r.text(3), r.opt_text(4), Json::parse(r.text(5))};
}

VersionRow version_from(const store::Row& r) {
  VersionRow v;
  v.version = static_cast<int>(r.i64(0));
  v.state = r.text(1);
  v.data = Json::parse(r.text(2));
  v.guide = r.text(3);
  v.created_by = r.opt_i64(4);
  v.created_at = r.i64(5);
  v.submitted_at = r.opt_i64(6);
  v.reviewed_by = r.opt_i64(7);
  v.reviewed_at = r.opt_i64(8);
  v.review_comment = r.opt_text(9);
  v.published_at = r.opt_i64(10);
  return v;
}

constexpr const char* kVersionColumns =
    "version, state, data, guide, created_by, created_at, submitted_at, reviewed_by, reviewed_at, review_comment, "
    "published_at";

std::vector<Published> published_rows(const store::Rows& rows) {
  std::vector<Published> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({r.text(0), Json::parse(r.text(1)), r.text(2)});
  return out;
}

constexpr const char* kPublishedSelect =
    "SELECT i.impl_code, v.data, i.status FROM items i JOIN item_versions v ON v.item_id = i.id AND "
    "v.version = i.published_version ";

}  // namespace

std::vector<DepartmentRow> departments(store::Conn& c) {
  std::vector<DepartmentRow> out;
  for (const auto& r : c.query("SELECT code, name, uscc, division_code, parent_code, data FROM departments ORDER BY "
                               "division_code, code"))
    out.push_back(department_from(r));
  return out;
}

std::optional<DepartmentRow> department(store::Conn& c, const std::string& code) {
  auto rows = c.query("SELECT code, name, uscc, division_code, parent_code, data FROM departments WHERE code = ?", {code});
  if (rows.empty()) return std::nullopt;
  return department_from(rows[0]);
}

void upsert_department(store::Conn& c, const DepartmentRow& d, EpochMs now) {
  c.exec("INSERT INTO departments (code, name, uscc, division_code, parent_code, data, updated_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, uscc = excluded.uscc, "
         "division_code = excluded.division_code, parent_code = excluded.parent_code, data = excluded.data, "
         "updated_at = excluded.updated_at",
         {d.code, d.name, d.uscc, d.division_code, d.parent_code, d.data.dump(), now});
}

std::optional<ItemRow> item(store::Conn& c, const std::string& impl_code) {
  auto rows = c.query("SELECT id, impl_code, basic_code, department_code, division_code, name, status, "
                      "published_version FROM items WHERE impl_code = ?",
                      {impl_code});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  auto published = r.opt_i64(7);
  return ItemRow{r.i64(0),  r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6),
                 published ? std::optional<int>(static_cast<int>(*published)) : std::nullopt};
}

std::int64_t insert_item(store::Conn& c, const ItemRow& i, EpochMs now) {
  return c
      .query("INSERT INTO items (impl_code, basic_code, department_code, division_code, name, status, created_at, "
             "updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
             {i.impl_code, i.basic_code, i.department_code, i.division_code, i.name, now, now})
      .at(0)
      .i64(0);
}

void set_published(store::Conn& c, std::int64_t item_id, int version, const std::string& name, const Json& summary,
                   EpochMs now) {
  c.exec("UPDATE items SET published_version = ?, name = ?, summary = ?, status = 'active', updated_at = ? WHERE id = ?",
         {version, name, summary.dump(), now, item_id});
}

std::map<std::string, Json> summaries(store::Conn& c, const std::vector<std::string>& impl_codes) {
  std::map<std::string, Json> out;
  if (impl_codes.empty()) return out;
  std::string marks;
  store::Params params;
  for (const auto& code : impl_codes) {
    marks += marks.empty() ? "?" : ", ?";
    params.emplace_back(code);
  }
  for (const auto& r : c.query("SELECT impl_code, summary FROM items WHERE status = 'active' AND summary IS NOT NULL "
                               "AND impl_code IN (" + marks + ")",
                               params))
    out[r.text(0)] = Json::parse(r.text(1));
  return out;
}

void set_status(store::Conn& c, std::int64_t item_id, const std::string& status, EpochMs now) {
  c.exec("UPDATE items SET status = ?, updated_at = ? WHERE id = ?", {status, now, item_id});
}

int next_version(store::Conn& c, std::int64_t item_id) {
  return static_cast<int>(
      c.query("SELECT coalesce(max(version), 0) + 1 FROM item_versions WHERE item_id = ?", {item_id}).at(0).i64(0));
}

void insert_version(store::Conn& c, std::int64_t item_id, int version, const std::string& state, const Json& data,
                    const std::string& guide, std::optional<std::int64_t> by, EpochMs now) {
  c.exec("INSERT INTO item_versions (item_id, version, state, data, guide, created_by, created_at, published_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         {item_id, version, state, data.dump(), guide, by, now,
          state == "published" ? store::Value(now) : store::Value()});
}

std::optional<VersionRow> version(store::Conn& c, std::int64_t item_id, int v) {
  auto rows = c.query(std::string("SELECT ") + kVersionColumns + " FROM item_versions WHERE item_id = ? AND version = ?",
                      {item_id, v});
  if (rows.empty()) return std::nullopt;
  return version_from(rows[0]);
}

std::vector<VersionRow> versions(store::Conn& c, std::int64_t item_id) {
  std::vector<VersionRow> out;
  for (const auto& r : c.query(std::string("SELECT ") + kVersionColumns +
                                   " FROM item_versions WHERE item_id = ? ORDER BY version",
                               {item_id}))
    out.push_back(version_from(r));
  return out;
}

void mark_submitted(store::Conn& c, std::int64_t item_id, int v, EpochMs now) {
  c.exec("UPDATE item_versions SET state = 'submitted', submitted_at = ? WHERE item_id = ? AND version = ?",
         {now, item_id, v});
}

void mark_reviewed(store::Conn& c, std::int64_t item_id, int v, const std::string& state,
                   std::optional<std::int64_t> by, const std::string& comment, EpochMs now) {
  c.exec("UPDATE item_versions SET state = ?, reviewed_by = ?, reviewed_at = ?, review_comment = ?, "
         "published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END WHERE item_id = ? AND version = ?",
         {state, by, now, comment, state, now, item_id, v});
}

void supersede_published(store::Conn& c, std::int64_t item_id) {
  c.exec("UPDATE item_versions SET state = 'superseded' WHERE item_id = ? AND state = 'published'", {item_id});
}

void set_guide(store::Conn& c, std::int64_t item_id, int v, const std::string& guide) {
  c.exec("UPDATE item_versions SET guide = ? WHERE item_id = ? AND version = ?", {guide, item_id, v});
}

std::optional<std::string> published_guide(store::Conn& c, const std::string& impl_code) {
  auto rows = c.query("SELECT v.guide FROM items i JOIN item_versions v ON v.item_id = i.id AND "
                      "v.version = i.published_version WHERE i.impl_code = ?",
                      {impl_code});
  if (rows.empty()) return std::nullopt;
  return rows[0].text(0);
}

std::vector<Published> published(store::Conn& c, const std::optional<std::string>& department_code) {
  if (department_code)
    return published_rows(c.query(std::string(kPublishedSelect) +
                                      "WHERE i.department_code = ? AND i.status = 'active' ORDER BY i.name",
                                  {*department_code}));
  return published_rows(c.query(std::string(kPublishedSelect) + "ORDER BY i.id"));
}

std::vector<PublishedVersion> published_between(store::Conn& c, EpochMs after, EpochMs upto) {
  std::vector<PublishedVersion> out;
  for (const auto& r :
       c.query("SELECT i.impl_code, i.name, i.department_code, i.division_code, v.version, v.data "
               "FROM items i JOIN item_versions v ON v.item_id = i.id AND v.version = i.published_version "
               "WHERE i.status = 'active' AND v.published_at > ? AND v.published_at <= ? "
               "ORDER BY v.published_at, i.id",
               {after, upto}))
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), int(r.i64(4)), Json::parse(r.text(5))});
  return out;
}

std::vector<Published> published_by_basic(store::Conn& c, const std::string& basic_code, const std::string& department) {
  return published_rows(c.query(std::string(kPublishedSelect) +
                                    "WHERE i.basic_code = ? AND i.department_code = ? AND i.status = 'active'",
                                {basic_code, department}));
}

std::optional<Json> list(store::Conn& c, const std::string& name) {
  auto rows = c.query("SELECT data FROM catalog_lists WHERE name = ?", {name});
  if (rows.empty()) return std::nullopt;
  return Json::parse(rows[0].text(0));
}

void set_list(store::Conn& c, const std::string& name, const Json& data, EpochMs now) {
  c.exec("INSERT INTO catalog_lists (name, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
         "data = excluded.data, updated_at = excluded.updated_at",
         {name, data.dump(), now});
}

void upsert_scenario(store::Conn& c, const std::string& code, const std::string& name, const Json& data, EpochMs now) {
  c.exec("INSERT INTO scenarios (code, name, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
         "name = excluded.name, data = excluded.data, updated_at = excluded.updated_at",
         {code, name, data.dump(), now});
}

std::vector<Json> scenarios(store::Conn& c) {
  std::vector<Json> out;
  for (const auto& r : c.query("SELECT data FROM scenarios ORDER BY code")) out.push_back(Json::parse(r.text(0)));
  return out;
}

std::optional<Json> scenario(store::Conn& c, const std::string& code) {
  auto rows = c.query("SELECT data FROM scenarios WHERE code = ?", {code});
  if (rows.empty()) return std::nullopt;
  return Json::parse(rows[0].text(0));
}

}  // namespace tb::catalog::sql
