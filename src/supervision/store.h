// SQL of the supervision module; only service.cpp calls it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/db.h"
#include "supervision/rules.h"

namespace tb::supervision::sql {

struct Row {
  std::int64_t case_id = 0;
  std::string case_no, item_name, department, division;
  Watch watch;
};
void upsert(store::Conn& c, const Row& r, EpochMs now);

std::int64_t position(store::Conn& c);
bool advance(store::Conn& c, std::int64_t from, std::int64_t to);

struct Counts {
  std::string key;
  std::int64_t normal = 0, warning = 0, overdue = 0, paused = 0;
};
// Open cases in the division subtree (prefix), grouped by department or division, as of `today`.
std::vector<Counts> board(store::Conn& c, const std::string& group, const std::string& division_prefix,
                          const std::string& today);

struct Listed {
  std::string case_no, item_name, department, division, accepted_on, deadline, warn_from, overdue_from;
  int limit_days = 0;
};
std::vector<Listed> cases(store::Conn& c, const std::string& state, const std::optional<std::string>& department,
                          const std::string& division_prefix, const std::string& today, int limit, int offset);

// ---- alerts
struct Alert {
  std::int64_t id = 0;
  std::string subject, kind;
  std::optional<std::string> case_no, item_code;
  std::string title, department, division;
  Json detail = Json::object();
  EpochMs raised_at = 0;
  std::optional<EpochMs> cleared_at;
};
std::optional<Alert> alert(store::Conn& c, const std::string& subject, const std::string& kind);
std::int64_t insert_alert(store::Conn& c, const Alert& a);
// A cleared alert that comes back: open again from `now`, with what was found this time.
void reopen_alert(store::Conn& c, std::int64_t id, const Json& detail, EpochMs now);
void set_detail(store::Conn& c, std::int64_t id, const Json& detail);
std::vector<std::string> open_alert_kinds(store::Conn& c, const std::string& subject);
// Closes the open alert (subject, kind); false when there was none.
bool clear_alert(store::Conn& c, const std::string& subject, const std::string& kind, EpochMs now);

struct AlertFilter {
  std::string division_prefix;                          // the supervisor's subtree
  std::optional<std::vector<std::string>> departments;  // the workbench: these departments only
  std::optional<std::string> kind, department;
  std::optional<bool> open;            // nothing: open and cleared
  std::optional<std::int64_t> before;  // the cursor: ids below it
  int limit = 50;
};
// Newest first.
std::vector<Alert> alerts(store::Conn& c, const AlertFilter& f);
std::vector<std::pair<std::string, std::int64_t>> open_alert_counts(store::Conn& c, const std::string& division_prefix);
std::vector<Alert> open_alerts_of_kind(store::Conn& c, const std::string& kind);

// ---- the daily sweep
struct SweepState {
  std::string swept_on;  // business date
  EpochMs items_checked_to = 0;
};
std::optional<SweepState> sweep_state(store::Conn& c);
// Takes the sweep for today: false when another node already moved the state on.
bool claim_sweep(store::Conn& c, const std::optional<SweepState>& was, const SweepState& next);
// Open, running cases whose warn_from or overdue_from (`column`) lies after `from` (a date and
// the last case id taken on it) and on or before `upto`, at most `limit`, in (date, case)
// order: an index range, not a pass over every open case.
struct Crossing {
  std::string date;
  std::int64_t case_id = 0;
};
std::vector<Row> crossing(store::Conn& c, const std::string& column, const Crossing& from, const std::string& upto,
                          int limit);
std::optional<Row> watched(store::Conn& c, const std::string& case_no);

// ---- approved cases waiting for the licence consumer
void add_licence_check(store::Conn& c, const std::string& case_no, std::int64_t decided_position,
                       const std::string& licence_type);
struct LicenceCheck {
  std::string case_no;
  std::int64_t decided_position = 0;
  std::string licence_type;
};
std::vector<LicenceCheck> due_licence_checks(store::Conn& c, std::int64_t read_to);
void drop_licence_check(store::Conn& c, const std::string& case_no);

std::optional<int> rule(store::Conn& c, const std::string& name);
void set_rule(store::Conn& c, const std::string& name, int value, EpochMs now);

}  // namespace tb::supervision::sql
