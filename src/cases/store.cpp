#include "cases/store.h"

namespace tb::cases::sql {
namespace {

constexpr const char* kCaseColumns =
    "id, case_no, parent_id, scenario_code, impl_code, item_version, item_name, department, division, channel, "
    "applicant_account_id, applicant_name, company_id, filed_by, status, state, form, deadline, version, "
    "submitted_at, updated_at";

CaseRow case_row(const store::Row& r) {
  CaseRow c;
  c.id = r.i64(0);
  c.case_no = r.text(1);
  c.parent_id = r.opt_i64(2);
  c.scenario_code = r.opt_text(3);
  c.impl_code = r.text(4);
  c.item_version = int(r.i64(5));
  c.item_name = r.text(6);
  c.department = r.text(7);
  c.division = r.text(8);
  c.channel = r.text(9);
  c.applicant_account_id = r.i64(10);
  c.applicant_name = r.text(11);
  c.company_id = r.opt_i64(12);
  c.filed_by = r.i64(13);
  c.status = r.text(14);
  c.state = Json::parse(r.text(15));
  c.form = Json::parse(r.text(16));
  c.deadline = r.opt_text(17);
  c.version = r.i64(18);
  c.submitted_at = r.i64(19);
  c.updated_at = r.i64(20);
  return c;
}

std::vector<CaseRow> case_rows(const store::Rows& rows) {
  std::vector<CaseRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(case_row(r));
  return out;
}

UploadRow upload_row(const store::Row& r, std::size_t at) {
  return {r.i64(at), r.i64(at + 1), r.text(at + 2), r.text(at + 3), r.i64(at + 4), r.text(at + 5), r.i64(at + 6)};
}

EventRow event_row(const store::Row& r) {
  return {r.i64(0), r.i64(1), r.text(2), Json::parse(r.text(3)), r.i64(4)};
}

DraftRow draft_row(const store::Row& r) {
  return {r.i64(0), r.i64(1), r.text(2), Json::parse(r.text(3)), r.i64(4), r.i64(5)};
}

}  // namespace

std::int64_t insert_case(store::Conn& c, const CaseRow& r) {
  return c
      .query("INSERT INTO cases (case_no, parent_id, scenario_code, impl_code, item_version, item_name, department, "
             "division, channel, applicant_account_id, applicant_name, company_id, filed_by, status, state, form, "
             "deadline, version, submitted_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
             {r.case_no, r.parent_id, r.scenario_code, r.impl_code, r.item_version, r.item_name, r.department,
              r.division, r.channel, r.applicant_account_id, r.applicant_name, r.company_id, r.filed_by, r.status,
              r.state.dump(), r.form.dump(), r.deadline, r.version, r.submitted_at, r.updated_at})
      .at(0)
      .i64(0);
}

std::optional<CaseRow> case_by_no(store::Conn& c, const std::string& case_no) {
  auto rows = c.query(std::string("SELECT ") + kCaseColumns + " FROM cases WHERE case_no = ?", {case_no});
  if (rows.empty()) return std::nullopt;
  return case_row(rows[0]);
}

std::optional<CaseRow> case_by_id(store::Conn& c, std::int64_t id) {
  auto rows = c.query(std::string("SELECT ") + kCaseColumns + " FROM cases WHERE id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return case_row(rows[0]);
}

std::vector<CaseRow> children(store::Conn& c, std::int64_t parent_id) {
  return case_rows(
      c.query(std::string("SELECT ") + kCaseColumns + " FROM cases WHERE parent_id = ? ORDER BY id", {parent_id}));
}

int count_children(store::Conn& c, std::int64_t parent_id) {
  return static_cast<int>(c.query("SELECT count(*) FROM cases WHERE parent_id = ?", {parent_id}).at(0).i64(0));
}

bool update_case(store::Conn& c, std::int64_t id, const std::string& status, const Json& state,
                 const std::optional<std::string>& deadline, std::int64_t expected_version, EpochMs now) {
  return c.exec("UPDATE cases SET status = ?, state = ?, deadline = ?, version = version + 1, updated_at = ? "
                "WHERE id = ? AND version = ?",
                {status, state.dump(), deadline, now, id, expected_version}) == 1;
}

std::vector<CaseRow> cases_of(store::Conn& c, std::int64_t account_id, std::optional<std::int64_t> before_id,
                              int limit) {
  return case_rows(c.query(std::string("SELECT ") + kCaseColumns +
                               " FROM cases WHERE applicant_account_id = ? AND parent_id IS NULL AND id < ? "
                               "ORDER BY id DESC LIMIT ?",
                           {account_id, before_id.value_or(INT64_MAX), limit}));
}

std::int64_t next_sequence(store::Conn& c, const std::string& prefix) {
  return c
      .query("INSERT INTO case_number_sequences (prefix, last) VALUES (?, 1) "
             "ON CONFLICT (prefix) DO UPDATE SET last = case_number_sequences.last + 1 RETURNING last",
             {prefix})
      .at(0)
      .i64(0);
}

std::int64_t insert_upload(store::Conn& c, const UploadRow& r) {
  return c
      .query("INSERT INTO uploads (account_id, file_name, media_type, size, digest, created_at) "
             "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
             {r.account_id, r.file_name, r.media_type, r.size, r.digest, r.created_at})
      .at(0)
      .i64(0);
}

std::optional<UploadRow> upload(store::Conn& c, std::int64_t id) {
  auto rows = c.query(
      "SELECT id, account_id, file_name, media_type, size, digest, created_at FROM uploads WHERE id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return upload_row(rows[0], 0);
}

std::map<std::int64_t, std::int64_t> upload_owners(store::Conn& c, const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, std::int64_t> out;
  if (ids.empty()) return out;
  std::string sql = "SELECT id, account_id FROM uploads WHERE id IN (";
  store::Params p;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    p.emplace_back(ids[i]);
  }
  for (const auto& r : c.query(sql + ")", p)) out[r.i64(0)] = r.i64(1);
  return out;
}

void insert_materials(store::Conn& c, const std::vector<MaterialRow>& rows) {
  if (rows.empty()) return;
  std::string sql = "INSERT INTO case_materials (case_id, name, source, upload_id, licence_ref, superseded, added_at) VALUES ";
  store::Params p;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const MaterialRow& r = rows[i];
    sql += i ? ", (?, ?, ?, ?, ?, 0, ?)" : "(?, ?, ?, ?, ?, 0, ?)";
    for (store::Value v : {store::Value(r.case_id), store::Value(r.name), store::Value(r.source), store::Value(r.upload_id),
                           store::Value(r.licence_ref), store::Value(r.added_at)})
      p.push_back(std::move(v));
  }
  c.exec(sql, p);
}

void supersede_materials(store::Conn& c, std::int64_t case_id, const std::string& name) {
  c.exec("UPDATE case_materials SET superseded = 1 WHERE case_id = ? AND name = ? AND superseded = 0",
         {case_id, name});
}

std::vector<MaterialRow> materials(store::Conn& c, std::int64_t case_id) {
  std::vector<MaterialRow> out;
  for (const auto& r :
       c.query("SELECT m.id, m.case_id, m.name, m.source, m.upload_id, m.licence_ref, m.superseded, m.added_at, "
               "u.id, u.account_id, u.file_name, u.media_type, u.size, u.digest, u.created_at "
               "FROM case_materials m LEFT JOIN uploads u ON u.id = m.upload_id WHERE m.case_id = ? ORDER BY m.id",
               {case_id})) {
    MaterialRow m{r.i64(0), r.i64(1), r.text(2), r.text(3), r.opt_i64(4), r.opt_text(5), r.i64(6) != 0, r.i64(7), {}, {}};
    if (!r.is_null(8)) m.file = upload_row(r, 8);
    out.push_back(std::move(m));
  }
  return out;
}

void insert_event(store::Conn& c, std::int64_t case_id, const std::string& type, const Json& payload, EpochMs now) {
  c.exec("INSERT INTO case_events (case_id, type, payload, created_at) VALUES (?, ?, ?, ?)",
         {case_id, type, payload.dump(), now});
}

std::vector<EventRow> events_of(store::Conn& c, std::int64_t case_id) {
  std::vector<EventRow> out;
  for (const auto& r : c.query("SELECT id, case_id, type, payload, created_at FROM case_events WHERE case_id = ? "
                               "ORDER BY id",
                               {case_id}))
    out.push_back(event_row(r));
  return out;
}

namespace {
std::vector<ExchangeEventRow> exchange_rows(const store::Rows& rows) {
  std::vector<ExchangeEventRow> out;
  for (const auto& r : rows)
    out.push_back({event_row(r), r.text(5), r.text(6), r.text(7), r.text(8), r.text(9)});
  return out;
}
constexpr const char* kExchangeSelect =
    "SELECT e.id, e.case_id, e.type, e.payload, e.created_at, k.case_no, k.impl_code, k.item_name, k.department, "
    "k.division FROM case_events e JOIN cases k ON k.id = e.case_id ";
}  // namespace

std::vector<ExchangeEventRow> exchange_events_after(store::Conn& c, std::int64_t position, int limit) {
  return exchange_rows(c.query(std::string(kExchangeSelect) + "WHERE e.id > ? ORDER BY e.id LIMIT ?", {position, limit}));
}

std::vector<ExchangeEventRow> exchange_events_of(store::Conn& c, std::int64_t case_id, std::int64_t before_position) {
  return exchange_rows(c.query(std::string(kExchangeSelect) + "WHERE e.case_id = ? AND e.id < ? ORDER BY e.id",
                               {case_id, before_position}));
}

int count_events(store::Conn& c, std::int64_t case_id, const std::string& type) {
  return int(c.query("SELECT count(*) FROM case_events WHERE case_id = ? AND type = ?", {case_id, type}).at(0).i64(0));
}

std::optional<ProgressRow> progress(store::Conn& c, const std::string& case_no) {
  auto rows = c.query("SELECT case_no, item_name, applicant_name, status, state, deadline, submitted_at, updated_at, "
                      "impl_code, id FROM cases WHERE case_no = ?",
                      {case_no});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return ProgressRow{r.text(0), r.text(1), r.text(2), r.text(3), Json::parse(r.text(4)), r.opt_text(5),
                     r.i64(6), r.i64(7), r.text(8).empty(), r.i64(9)};
}

void insert_tasks(store::Conn& c, const std::vector<TaskRow>& tasks) {
  for (const auto& t : tasks)
    c.exec("INSERT INTO case_tasks (case_id, step_key, step_name, role, department, division, started_on, deadline, "
           "claimed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
           {t.case_id, t.step_key, t.step_name, t.role, t.department, t.division, t.started_on, t.deadline, t.claimed_by});
}

void replace_tasks(store::Conn& c, std::int64_t case_id, const std::vector<TaskRow>& tasks) {
  std::vector<std::pair<std::string, std::int64_t>> claims;
  for (const auto& r : c.query("SELECT step_key, claimed_by FROM case_tasks WHERE case_id = ? AND claimed_by IS NOT NULL",
                               {case_id}))
    claims.emplace_back(r.text(0), r.i64(1));
  c.exec("DELETE FROM case_tasks WHERE case_id = ?", {case_id});
  for (const auto& t : tasks) {
    std::optional<std::int64_t> claimed = t.claimed_by;
    for (const auto& [key, by] : claims)
      if (key == t.step_key) claimed = by;
    c.exec("INSERT INTO case_tasks (case_id, step_key, step_name, role, department, division, started_on, deadline, "
           "claimed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
           {case_id, t.step_key, t.step_name, t.role, t.department, t.division, t.started_on, t.deadline, claimed});
  }
}

std::optional<TaskRow> task(store::Conn& c, std::int64_t case_id, const std::string& step_key) {
  auto rows = c.query("SELECT case_id, step_key, step_name, role, department, division, started_on, deadline, "
                      "claimed_by FROM case_tasks WHERE case_id = ? AND step_key = ?",
                      {case_id, step_key});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return TaskRow{r.i64(0),  r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.opt_text(7),
                 r.opt_i64(8)};
}

bool claim_task(store::Conn& c, std::int64_t case_id, const std::string& step_key, std::int64_t account_id) {
  return c.exec("UPDATE case_tasks SET claimed_by = ? WHERE case_id = ? AND step_key = ? "
                "AND (claimed_by IS NULL OR claimed_by = ?)",
                {account_id, case_id, step_key, account_id}) == 1;
}

std::vector<TodoRow> todo(store::Conn& c, const TodoFilter& f) {
  std::string sql =
      "SELECT t.case_id, t.step_key, t.step_name, t.role, t.department, t.division, t.started_on, t.deadline, "
      "t.claimed_by, k.case_no, k.item_name, k.applicant_name, k.channel, k.status, k.impl_code, k.version, "
      "k.submitted_at FROM case_tasks t JOIN cases k ON k.id = t.case_id WHERE t.role = ? AND t.division LIKE ? ";
  store::Params p{f.role, f.division_prefix + "%"};
  // The comprehensive window (综合窗口) accepts and delivers for every department.
  if (f.role == "window_clerk") {
    sql += "AND (t.step_key IN ('accept', 'deliver', 'close') OR t.department = ?) ";
    p.emplace_back(f.department);
  } else {
    sql += "AND t.department = ? ";
    p.emplace_back(f.department);
  }
  if (f.impl_code) {
    sql += "AND k.impl_code = ? ";
    p.emplace_back(*f.impl_code);
  }
  if (f.step_key) {
    sql += "AND t.step_key = ? ";
    p.emplace_back(*f.step_key);
  }
  if (f.channel) {
    sql += "AND k.channel = ? ";
    p.emplace_back(*f.channel);
  }
  if (f.mine_only) {
    sql += "AND t.claimed_by = ? ";
    p.emplace_back(f.account_id);
  }
  // Nearest deadline first; tasks without one (acceptance, delivery) by age.
  sql += "ORDER BY CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END, t.deadline, k.submitted_at, t.case_id LIMIT ? OFFSET ?";
  p.emplace_back(f.limit);
  p.emplace_back(f.offset);
  std::vector<TodoRow> out;
  for (const auto& r : c.query(sql, p)) {
    TodoRow row;
    row.task = {r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.opt_text(7), r.opt_i64(8)};
    row.case_no = r.text(9);
    row.item_name = r.text(10);
    row.applicant_name = r.text(11);
    row.channel = r.text(12);
    row.status = r.text(13);
    row.impl_code = r.text(14);
    row.version = r.i64(15);
    row.submitted_at = r.i64(16);
    out.push_back(std::move(row));
  }
  return out;
}

std::optional<IdempotentAnswer> idempotent_answer(store::Conn& c, std::int64_t account_id, const std::string& key) {
  auto rows = c.query("SELECT request_hash, status, response FROM idempotency_keys WHERE account_id = ? AND idem_key = ?",
                      {account_id, key});
  if (rows.empty()) return std::nullopt;
  return IdempotentAnswer{rows[0].text(0), int(rows[0].i64(1)), rows[0].text(2)};
}

void save_idempotent_answer(store::Conn& c, std::int64_t account_id, const std::string& key,
                            const IdempotentAnswer& a, EpochMs now) {
  c.exec("INSERT INTO idempotency_keys (account_id, idem_key, request_hash, status, response, created_at) "
         "VALUES (?, ?, ?, ?, ?, ?)",
         {account_id, key, a.request_hash, a.status, a.response, now});
}

std::int64_t insert_draft(store::Conn& c, const DraftRow& r) {
  return c
      .query("INSERT INTO case_drafts (account_id, impl_code, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
             "RETURNING id",
             {r.account_id, r.impl_code, r.data.dump(), r.created_at, r.updated_at})
      .at(0)
      .i64(0);
}

bool update_draft(store::Conn& c, std::int64_t id, std::int64_t account_id, const Json& data, EpochMs now) {
  return c.exec("UPDATE case_drafts SET data = ?, updated_at = ? WHERE id = ? AND account_id = ?",
                {data.dump(), now, id, account_id}) == 1;
}

std::optional<DraftRow> draft(store::Conn& c, std::int64_t id) {
  auto rows = c.query("SELECT id, account_id, impl_code, data, created_at, updated_at FROM case_drafts WHERE id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return draft_row(rows[0]);
}

std::vector<DraftRow> drafts_of(store::Conn& c, std::int64_t account_id) {
  std::vector<DraftRow> out;
  for (const auto& r : c.query("SELECT id, account_id, impl_code, data, created_at, updated_at FROM case_drafts "
                               "WHERE account_id = ? ORDER BY updated_at DESC, id DESC",
                               {account_id}))
    out.push_back(draft_row(r));
  return out;
}

bool delete_draft(store::Conn& c, std::int64_t id, std::int64_t account_id) {
  return c.exec("DELETE FROM case_drafts WHERE id = ? AND account_id = ?", {id, account_id}) == 1;
}

}  // namespace tb::cases::sql
