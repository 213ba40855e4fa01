#include "evaluation/store.h"

namespace tb::evaluation::sql {
namespace {

constexpr const char* kColumns =
    "id, case_no, department, item_code, item_name, account_id, anonymous, level, tags, comment, channel, state, "
    "ratings, first_level, callback_by, callback_at, callback_note, rectify_deadline, rectify_result, rectified_at, "
    "created_at, updated_at";

Row row_of(const store::Row& r) {
  Row e;
  e.id = r.i64(0);
  e.case_no = r.text(1);
  e.department = r.text(2);
  e.item_code = r.text(3);
  e.item_name = r.text(4);
  e.account_id = r.i64(5);
  e.anonymous = r.i64(6) != 0;
  e.level = int(r.i64(7));
  e.tags = Json::parse(r.text(8));
  e.comment = r.text(9);
  e.channel = r.text(10);
  e.state = r.text(11);
  e.ratings = int(r.i64(12));
  e.first_level = int(r.i64(13));
  e.callback_by = r.opt_i64(14);
  e.callback_at = r.opt_i64(15);
  e.callback_note = r.opt_text(16);
  e.rectify_deadline = r.opt_text(17);
  e.rectify_result = r.opt_text(18);
  e.rectified_at = r.opt_i64(19);
  e.created_at = r.i64(20);
  e.updated_at = r.i64(21);
  return e;
}

Appeal appeal_of(const store::Row& r) {
  return {r.i64(0), r.i64(1), r.text(2), r.i64(3), r.text(4), r.opt_i64(5), r.opt_text(6), r.i64(7)};
}

}  // namespace

std::int64_t insert(store::Conn& c, const Row& e) {
  return c
      .query("INSERT INTO evaluations (case_no, department, item_code, item_name, account_id, anonymous, level, tags, "
             "comment, channel, state, ratings, first_level, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
             {e.case_no, e.department, e.item_code, e.item_name, e.account_id, e.anonymous, e.level, e.tags.dump(),
              e.comment, e.channel, e.state, e.level, e.created_at, e.created_at})
      .at(0)
      .i64(0);
}

std::optional<Row> by_case(store::Conn& c, const std::string& case_no) {
  auto rows = c.query(std::string("SELECT ") + kColumns + " FROM evaluations WHERE case_no = ?", {case_no});
  if (rows.empty()) return std::nullopt;
  return row_of(rows[0]);
}

std::vector<Row> of_account(store::Conn& c, std::int64_t account_id) {
  std::vector<Row> out;
  for (const auto& r : c.query(std::string("SELECT ") + kColumns + " FROM evaluations WHERE account_id = ? ORDER BY id DESC",
                               {account_id}))
    out.push_back(row_of(r));
  return out;
}

std::optional<Row> by_id(store::Conn& c, std::int64_t id) {
  auto rows = c.query(std::string("SELECT ") + kColumns + " FROM evaluations WHERE id = ?", {id});
  if (rows.empty()) return std::nullopt;
  return row_of(rows[0]);
}

void update(store::Conn& c, const Row& e) {
  c.exec("UPDATE evaluations SET level = ?, tags = ?, comment = ?, state = ?, ratings = ?, callback_by = ?, "
         "callback_at = ?, callback_note = ?, rectify_deadline = ?, rectify_result = ?, rectified_at = ?, updated_at = ? "
         "WHERE id = ?",
         {e.level, e.tags.dump(), e.comment, e.state, e.ratings, e.callback_by, e.callback_at, e.callback_note,
          e.rectify_deadline, e.rectify_result, e.rectified_at, e.updated_at, e.id});
}

std::vector<Row> of_departments(store::Conn& c, const std::vector<std::string>& departments) {
  std::vector<Row> out;
  for (const auto& d : departments)
    for (const auto& r : c.query(std::string("SELECT ") + kColumns +
                                     " FROM evaluations WHERE department = ? AND state IN ('callback_due', 'rectifying') "
                                     "ORDER BY id",
                                 {d}))
      out.push_back(row_of(r));
  return out;
}

std::int64_t insert_appeal(store::Conn& c, const Appeal& a) {
  return c
      .query("INSERT INTO evaluation_appeals (evaluation_id, reason, appealed_by, state, created_at) "
             "VALUES (?, ?, ?, 'pending', ?) RETURNING id",
             {a.evaluation_id, a.reason, a.appealed_by, a.created_at})
      .at(0)
      .i64(0);
}

std::optional<Appeal> appeal(store::Conn& c, std::int64_t id) {
  auto rows = c.query("SELECT id, evaluation_id, reason, appealed_by, state, decided_by, decision_note, created_at "
                      "FROM evaluation_appeals WHERE id = ?",
                      {id});
  if (rows.empty()) return std::nullopt;
  return appeal_of(rows[0]);
}

std::vector<Appeal> pending_appeals(store::Conn& c) {
  std::vector<Appeal> out;
  for (const auto& r : c.query("SELECT id, evaluation_id, reason, appealed_by, state, decided_by, decision_note, "
                               "created_at FROM evaluation_appeals WHERE state = 'pending' ORDER BY id"))
    out.push_back(appeal_of(r));
  return out;
}

bool has_pending_appeal(store::Conn& c, std::int64_t evaluation_id) {
  return !c.query("SELECT 1 FROM evaluation_appeals WHERE evaluation_id = ? AND state = 'pending'", {evaluation_id}).empty();
}

void decide_appeal(store::Conn& c, std::int64_t id, const std::string& state, std::int64_t by, const std::string& note,
                   EpochMs now) {
  c.exec("UPDATE evaluation_appeals SET state = ?, decided_by = ?, decision_note = ?, decided_at = ? WHERE id = ?",
         {state, by, note, now, id});
}

std::map<std::string, Figures> summaries(store::Conn& c, const SummaryFilter& f) {
  std::string where = "state <> 'removed'";
  store::Params p;
  if (f.department) {
    where += " AND department = ?";
    p.emplace_back(*f.department);
  }
  if (f.item) {
    where += " AND item_code = ?";
    p.emplace_back(*f.item);
  }
  if (f.from_ms) {
    where += " AND created_at >= ?";
    p.emplace_back(*f.from_ms);
  }
  if (f.until_ms) {
    where += " AND created_at < ?";
    p.emplace_back(*f.until_ms);
  }
  std::map<std::string, Figures> out;
  // Bad means the first rating was bad: a re-rating after rectification does not erase it.
  for (const auto& r : c.query("SELECT department, level, first_level <= 2, anonymous = 0, callback_at IS NOT NULL, "
                               "rectified_at IS NOT NULL, count(*) FROM evaluations WHERE " + where +
                               " GROUP BY department, level, first_level <= 2, anonymous = 0, callback_at IS NOT NULL, "
                               "rectified_at IS NOT NULL",
                               p)) {
    Figures& s = out[r.text(0)];
    std::int64_t n = r.i64(6);
    s.total += n;
    s.level[r.i64(1)] += n;
    if (r.i64(2) != 0) {
      bool real_name = r.i64(3) != 0, called = r.i64(4) != 0;
      s.bad += n;
      s.bad_real_name += real_name ? n : 0;
      s.bad_called_back += called ? n : 0;
      s.bad_real_name_called_back += real_name && called ? n : 0;
      s.bad_resolved += r.i64(5) != 0 ? n : 0;
    }
  }
  return out;
}

}  // namespace tb::evaluation::sql
