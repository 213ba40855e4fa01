#include "supervision/store.h"

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
