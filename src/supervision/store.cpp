#include "supervision/store.h"

#include <stdexcept>

namespace tb::supervision::sql {

void upsert(store::Conn& c, const Row& r, EpochMs now) {
  const Watch& w = r.watch;
  std::optional<std::string> finished = w.finished_on ? std::optional(w.finished_on->to_string()) : std::nullopt;
  c.exec("INSERT INTO supervised_cases (case_id, case_no, item_name, department, division, accepted_on, limit_days, "
         "deadline, warn_from, overdue_from, open, paused, finished_on, finished_late, updated_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (case_id) DO UPDATE SET limit_days = excluded.limit_days, deadline = excluded.deadline, "
         "warn_from = excluded.warn_from, overdue_from = excluded.overdue_from, open = excluded.open, "
         "paused = excluded.paused, finished_on = excluded.finished_on, finished_late = excluded.finished_late, "
         "updated_at = excluded.updated_at",
         {r.case_id, r.case_no, r.item_name, r.department, r.division, w.accepted_on.to_string(), w.limit_days,
          w.deadline.to_string(), w.warn_from.to_string(), w.overdue_from.to_string(), w.open, w.paused, finished,
          w.finished_on ? store::Value(w.finished_late) : store::Value(), now});
}

std::int64_t position(store::Conn& c) {
  auto rows = c.query("SELECT position FROM supervision_consumer WHERE id = 1");
  return rows.empty() ? 0 : rows[0].i64(0);
}

bool advance(store::Conn& c, std::int64_t from, std::int64_t to) {
  if (from == 0 && c.query("SELECT 1 FROM supervision_consumer WHERE id = 1").empty())
    return c.exec("INSERT INTO supervision_consumer (id, position) VALUES (1, ?) ON CONFLICT (id) DO NOTHING", {to}) == 1;
  return c.exec("UPDATE supervision_consumer SET position = ? WHERE id = 1 AND position = ?", {to, from}) == 1;
}

std::vector<Counts> board(store::Conn& c, const std::string& group, const std::string& division_prefix,
                          const std::string& today) {
  std::string key = group == "division" ? "division" : "department";
  std::vector<Counts> out;
  for (const auto& r : c.query(
           "SELECT " + key + ", "
           "sum(CASE WHEN paused = 0 AND warn_from > ? THEN 1 ELSE 0 END), "
           "sum(CASE WHEN paused = 0 AND warn_from <= ? AND overdue_from > ? THEN 1 ELSE 0 END), "
           "sum(CASE WHEN paused = 0 AND overdue_from <= ? THEN 1 ELSE 0 END), "
           "sum(paused) FROM supervised_cases WHERE open = 1 AND division LIKE ? GROUP BY " + key + " ORDER BY " + key,
           {today, today, today, today, division_prefix + "%"}))
    out.push_back({r.text(0), r.i64(1), r.i64(2), r.i64(3), r.i64(4)});
  return out;
}

std::vector<Listed> cases(store::Conn& c, const std::string& state, const std::optional<std::string>& department,
                          const std::string& division_prefix, const std::string& today, int limit, int offset) {
  std::string where = "open = 1 AND division LIKE ? ";
  store::Params p{division_prefix + "%"};
  if (state == "paused") {
    where += "AND paused = 1 ";
  } else if (state == "overdue") {
    where += "AND paused = 0 AND overdue_from <= ? ";
    p.emplace_back(today);
  } else if (state == "warning") {
    where += "AND paused = 0 AND warn_from <= ? AND overdue_from > ? ";
    p.emplace_back(today);
    p.emplace_back(today);
  } else {
    where += "AND paused = 0 AND warn_from > ? ";
    p.emplace_back(today);
  }
  if (department) {
    where += "AND department = ? ";
    p.emplace_back(*department);
  }
  p.emplace_back(limit);
  p.emplace_back(offset);
  std::vector<Listed> out;
  for (const auto& r : c.query("SELECT case_no, item_name, department, division, accepted_on, deadline, warn_from, "
                               "overdue_from, limit_days FROM supervised_cases WHERE " + where +
                                   "ORDER BY deadline, case_no LIMIT ? OFFSET ?",
                               p))
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7),
                   int(r.i64(8))});
  return out;
}

// ---- alerts -----------------------------------------------------------------------------

namespace {

constexpr const char* kAlertColumns =
    "id, subject, kind, case_no, item_code, title, department, division, detail, raised_at, cleared_at";

Alert alert_from(const store::Row& r) {
  Alert a;
  a.id = r.i64(0);
  a.subject = r.text(1);
  a.kind = r.text(2);
  a.case_no = r.opt_text(3);
  a.item_code = r.opt_text(4);
  a.title = r.text(5);
  a.department = r.text(6);
  a.division = r.text(7);
  a.detail = Json::parse(r.text(8), nullptr, false);
  a.raised_at = r.i64(9);
  a.cleared_at = r.opt_i64(10);
  return a;
}

constexpr const char* kWatchColumns =
    "case_id, case_no, item_name, department, division, accepted_on, limit_days, deadline, warn_from, overdue_from, "
    "open, paused";

Row watch_row(const store::Row& r) {
  auto date = [&](int i) { return Date::parse(r.text(i)).value_or(Date{}); };
  Row out{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), {}};
  out.watch.accepted_on = date(5);
  out.watch.limit_days = int(r.i64(6));
  out.watch.deadline = date(7);
  out.watch.warn_from = date(8);
  out.watch.overdue_from = date(9);
  out.watch.open = r.i64(10) != 0;
  out.watch.paused = r.i64(11) != 0;
  return out;
}

}  // namespace

std::optional<Alert> alert(store::Conn& c, const std::string& subject, const std::string& kind) {
  auto rows =
      c.query(std::string("SELECT ") + kAlertColumns + " FROM supervision_alerts WHERE subject = ? AND kind = ?",
              {subject, kind});
  if (rows.empty()) return std::nullopt;
  return alert_from(rows[0]);
}

std::int64_t insert_alert(store::Conn& c, const Alert& a) {
  return c
      .query(
          "INSERT INTO supervision_alerts (subject, kind, case_no, item_code, title, department, division, detail, "
          "raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {a.subject, a.kind, a.case_no, a.item_code, a.title, a.department, a.division, a.detail.dump(), a.raised_at})
      .at(0)
      .i64(0);
}

void reopen_alert(store::Conn& c, std::int64_t id, const Json& detail, EpochMs now) {
  c.exec("UPDATE supervision_alerts SET cleared_at = NULL, raised_at = ?, detail = ? WHERE id = ?",
         {now, detail.dump(), id});
}

void set_detail(store::Conn& c, std::int64_t id, const Json& detail) {
  c.exec("UPDATE supervision_alerts SET detail = ? WHERE id = ?", {detail.dump(), id});
}

std::vector<std::string> open_alert_kinds(store::Conn& c, const std::string& subject) {
  std::vector<std::string> out;
  for (const auto& r : c.query("SELECT kind FROM supervision_alerts WHERE subject = ? AND cleared_at IS NULL", {subject}))
    out.push_back(r.text(0));
  return out;
}

bool clear_alert(store::Conn& c, const std::string& subject, const std::string& kind, EpochMs now) {
  return c.exec("UPDATE supervision_alerts SET cleared_at = ? WHERE subject = ? AND kind = ? AND cleared_at IS NULL",
                {now, subject, kind}) > 0;
}

std::vector<Alert> alerts(store::Conn& c, const AlertFilter& f) {
  std::string where = "division LIKE ? ";
  store::Params p{f.division_prefix + "%"};
  if (f.departments) {
    if (f.departments->empty()) return {};
    where += "AND department IN (";
    for (std::size_t i = 0; i < f.departments->size(); ++i) {
      where += i ? ", ?" : "?";
      p.emplace_back((*f.departments)[i]);
    }
    where += ") ";
  }
  if (f.kind) {
    where += "AND kind = ? ";
    p.emplace_back(*f.kind);
  }
  if (f.department) {
    where += "AND department = ? ";
    p.emplace_back(*f.department);
  }
  if (f.open) where += *f.open ? "AND cleared_at IS NULL " : "AND cleared_at IS NOT NULL ";
  if (f.before) {
    where += "AND id < ? ";
    p.emplace_back(*f.before);
  }
  p.emplace_back(f.limit);
  std::vector<Alert> out;
  for (const auto& r : c.query(std::string("SELECT ") + kAlertColumns + " FROM supervision_alerts WHERE " + where +
                                   "ORDER BY id DESC LIMIT ?",
                               p))
    out.push_back(alert_from(r));
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> open_alert_counts(store::Conn& c,
                                                                    const std::string& division_prefix) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r :
       c.query("SELECT kind, count(*) FROM supervision_alerts WHERE cleared_at IS NULL AND division LIKE ? "
               "GROUP BY kind",
               {division_prefix + "%"}))
    out.emplace_back(r.text(0), r.i64(1));
  return out;
}

std::vector<Alert> open_alerts_of_kind(store::Conn& c, const std::string& kind) {
  std::vector<Alert> out;
  for (const auto& r : c.query(std::string("SELECT ") + kAlertColumns +
                                   " FROM supervision_alerts WHERE kind = ? AND cleared_at IS NULL ORDER BY id",
                               {kind}))
    out.push_back(alert_from(r));
  return out;
}

// ---- the daily sweep ------------------------------------------------------------------------

std::optional<SweepState> sweep_state(store::Conn& c) {
  auto rows = c.query("SELECT swept_on, items_checked_to FROM supervision_sweeps WHERE id = 1");
  if (rows.empty()) return std::nullopt;
  return SweepState{rows[0].text(0), rows[0].i64(1)};
}

bool claim_sweep(store::Conn& c, const std::optional<SweepState>& was, const SweepState& next) {
  if (!was)
    return c.exec(
               "INSERT INTO supervision_sweeps (id, swept_on, items_checked_to) VALUES (1, ?, ?) "
               "ON CONFLICT (id) DO NOTHING",
               {next.swept_on, next.items_checked_to}) == 1;
  return c.exec(
             "UPDATE supervision_sweeps SET swept_on = ?, items_checked_to = ? WHERE id = 1 AND swept_on = ? "
             "AND items_checked_to = ?",
             {next.swept_on, next.items_checked_to, was->swept_on, was->items_checked_to}) == 1;
}

std::vector<Row> crossing(store::Conn& c, const std::string& column, const Crossing& from, const std::string& upto,
                          int limit) {
  if (column != "warn_from" && column != "overdue_from") throw std::logic_error("crossing: " + column);
  // The explicit lower bound keeps the range on the index; the OR steps past the cursor.
  std::string sql = std::string("SELECT ") + kWatchColumns + " FROM supervised_cases WHERE open = 1 AND " + column +
                    " >= ? AND " + column + " <= ? AND (" + column + " > ? OR case_id > ?) AND paused = 0 ORDER BY " +
                    column + ", case_id LIMIT ?";
  std::vector<Row> out;
  for (const auto& r : c.query(sql, {from.date, upto, from.date, from.case_id, limit})) out.push_back(watch_row(r));
  return out;
}

std::optional<Row> watched(store::Conn& c, const std::string& case_no) {
  auto rows = c.query(std::string("SELECT ") + kWatchColumns + " FROM supervised_cases WHERE case_no = ?", {case_no});
  if (rows.empty()) return std::nullopt;
  return watch_row(rows[0]);
}

// ---- licence checks -------------------------------------------------------------------------

void add_licence_check(store::Conn& c, const std::string& case_no, std::int64_t decided_position,
                       const std::string& licence_type) {
  c.exec(
      "INSERT INTO supervision_licence_checks (case_no, decided_position, licence_type) VALUES (?, ?, ?) "
      "ON CONFLICT (case_no) DO UPDATE SET decided_position = excluded.decided_position, "
      "licence_type = excluded.licence_type",
      {case_no, decided_position, licence_type});
}

std::vector<LicenceCheck> due_licence_checks(store::Conn& c, std::int64_t read_to) {
  std::vector<LicenceCheck> out;
  for (const auto& r : c.query("SELECT case_no, decided_position, licence_type FROM supervision_licence_checks "
                               "WHERE decided_position <= ? ORDER BY decided_position",
                               {read_to}))
    out.push_back({r.text(0), r.i64(1), r.text(2)});
  return out;
}

void drop_licence_check(store::Conn& c, const std::string& case_no) {
  c.exec("DELETE FROM supervision_licence_checks WHERE case_no = ?", {case_no});
}

std::optional<int> rule(store::Conn& c, const std::string& name) {
  auto rows = c.query("SELECT value FROM supervision_rules WHERE name = ?", {name});
  if (rows.empty()) return std::nullopt;
  return int(rows[0].i64(0));
}

void set_rule(store::Conn& c, const std::string& name, int value, EpochMs now) {
  c.exec("INSERT INTO supervision_rules (name, value, updated_at) VALUES (?, ?, ?) "
         "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
         {name, value, now});
}

}  // namespace tb::supervision::sql
