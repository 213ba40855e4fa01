// SQL of the evaluation module; only service.cpp calls it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "evaluation/evaluation.h"
#include "store/db.h"

namespace tb::evaluation::sql {

struct Row {
  std::int64_t id = 0;
  std::string case_no, department, item_code, item_name;
  std::int64_t account_id = 0;
  bool anonymous = false;
  int level = 0;
  Json tags;
  std::string comment, channel, state;
  int ratings = 1, first_level = 0;
  std::optional<std::int64_t> callback_by, callback_at;
  std::optional<std::string> callback_note, rectify_deadline, rectify_result;
  std::optional<std::int64_t> rectified_at;
  EpochMs created_at = 0, updated_at = 0;
};
std::int64_t insert(store::Conn& c, const Row& r);
std::optional<Row> by_case(store::Conn& c, const std::string& case_no);
std::vector<Row> of_account(store::Conn& c, std::int64_t account_id);
std::optional<Row> by_id(store::Conn& c, std::int64_t id);
void update(store::Conn& c, const Row& r);
std::vector<Row> of_departments(store::Conn& c, const std::vector<std::string>& departments);

struct Appeal {
  std::int64_t id = 0, evaluation_id = 0;
  std::string reason;
  std::int64_t appealed_by = 0;
  std::string state;
  std::optional<std::int64_t> decided_by;
  std::optional<std::string> decision_note;
  EpochMs created_at = 0;
};
std::int64_t insert_appeal(store::Conn& c, const Appeal& a);
std::optional<Appeal> appeal(store::Conn& c, std::int64_t id);
std::vector<Appeal> pending_appeals(store::Conn& c);
bool has_pending_appeal(store::Conn& c, std::int64_t evaluation_id);
void decide_appeal(store::Conn& c, std::int64_t id, const std::string& state, std::int64_t by, const std::string& note,
                   EpochMs now);

struct SummaryFilter {
  std::optional<std::string> department, item;
  std::optional<EpochMs> from_ms, until_ms;  // first rating in [from, until)
};
// The figures per department (one pass, grouped in SQL).
std::map<std::string, Figures> summaries(store::Conn& c, const SummaryFilter& f);

}  // namespace tb::evaluation::sql
