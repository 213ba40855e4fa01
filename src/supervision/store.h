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

std::optional<int> rule(store::Conn& c, const std::string& name);
void set_rule(store::Conn& c, const std::string& name, int value, EpochMs now);

}  // namespace tb::supervision::sql
