// Counting from the outbox, and the indicators read from the counters and the catalogue.
#include <algorithm>
#include <map>
#include <set>

#include "cases/lifecycle.h"
#include "core/ids.h"
#include "core/principal.h"
#include "statistics/statistics.h"

namespace tb::statistics {
namespace {

double share(std::int64_t part, std::int64_t whole) { return whole == 0 ? 0.0 : double(part) / double(whole); }

void add(store::Conn& c, const std::string& day, const cases::CaseFacts& f, const std::string& metric, std::int64_t n) {
  c.exec("INSERT INTO stat_counters (day, department, item_code, channel, metric, value) VALUES (?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (day, department, item_code, channel, metric) DO UPDATE SET value = stat_counters.value + excluded.value",
         {day, f.department, f.impl_code, f.channel, metric, n});
}

// Which counter an event adds to (those needing no computation).
const std::map<std::string, std::string>& simple_metrics() {
  static const std::map<std::string, std::string> m{{"case.submitted", "submitted"},
                                                    {"case.accepted", "accepted"},
                                                    {"case.correction_required", "corrections"},
                                                    {"case.refused", "refused"},
                                                    {"case.withdrawn", "withdrawn"}};
  return m;
}

}  // namespace

std::vector<store::Migration> migrations() { return store::module_migrations("statistics", migration_files()); }

struct StatisticsService::Impl {
  store::Db& db;
  const Clock& clock;
  reference::ReferenceService& reference;
  catalog::CatalogService& catalog;
  evaluation::EvaluationService& evaluations;
};

StatisticsService::StatisticsService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                                     catalog::CatalogService& catalog, evaluation::EvaluationService& evaluations)
    : impl_(std::make_unique<Impl>(Impl{db, clock, reference, catalog, evaluations})) {}
StatisticsService::~StatisticsService() = default;

bool StatisticsService::caught_up() {
  return impl_->db.read([](store::Conn& c) {
    auto rows = c.query("SELECT position FROM stat_consumer WHERE id = 1");
    return cases::outbox_after(c, rows.empty() ? 0 : rows[0].i64(0), 1).empty();
  });
}

std::size_t StatisticsService::consume(int limit) {
  return impl_->db.write([&](store::Conn& c) -> std::size_t {
    auto rows = c.query("SELECT position FROM stat_consumer WHERE id = 1");
    std::int64_t from = rows.empty() ? 0 : rows[0].i64(0);
    auto events = cases::outbox_after(c, from, limit);
    if (events.empty()) return 0;
    // The counts and the position move together: a batch is counted once or not at all.
    bool moved = rows.empty()
                     ? c.exec("INSERT INTO stat_consumer (id, position) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
                              {events.back().position}) == 1
                     : c.exec("UPDATE stat_consumer SET position = ? WHERE id = 1 AND position = ?",
                              {events.back().position, from}) == 1;
    if (!moved) return 0;
    auto calendar = impl_->reference.calendar(c);
    std::map<std::string, std::optional<cases::CaseFacts>> facts;
    for (const auto& e : events) {
      auto [it, fresh] = facts.try_emplace(e.case_no);
      if (fresh) it->second = cases::case_facts(c, e.case_no);
      if (!it->second || it->second->impl_code.empty()) continue;  // a scenario's parent counts through its children
      const cases::CaseFacts& f = *it->second;
      std::string day = business_date(e.at).to_string();
      if (auto m = simple_metrics().find(e.type); m != simple_metrics().end()) {
        add(c, day, f, m->second, 1);
      } else if (e.type == "case.delivered") {
        // The visits actually made: filing at a window is one, collecting the result at one
        // another (online filing with mail or electronic delivery: none).
        int visits = (f.channel == "window") + (e.payload.value("mode", "") == "window");
        add(c, day, f, "delivered", 1);
        if (visits == 0) add(c, day, f, "delivered_zero_visits", 1);
        if (visits <= 1) add(c, day, f, "delivered_at_most_one_visit", 1);
      } else if (e.type == "case.decided") {
        add(c, day, f, "decided", 1);
        auto state = cases::case_state_from_json(f.state);
        auto input = state ? cases::limits_input(*state) : std::nullopt;
        if (!input) continue;
        Date decided = business_date(e.at);
        input->finished_on = decided;
        auto limits = cases::compute_limits(*calendar, *input, decided);
        if (!limits) continue;
        add(c, day, f, limits->case_clock.state == cases::LimitState::kOverdue ? "decided_late" : "decided_on_time", 1);
        add(c, day, f, "workdays_used", limits->case_clock.used_days);
        add(c, day, f, "workdays_promised", limits->case_clock.limit_days);
        c.exec("INSERT INTO stat_decisions (case_no, parent_case_no, scenario_code, siblings, item_code, department, day, "
               "workdays_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_no) DO NOTHING",
               {f.case_no, f.parent_case_no ? store::Value(*f.parent_case_no) : store::Value(nullptr),
                f.scenario_code ? store::Value(*f.scenario_code) : store::Value(nullptr), f.siblings, f.impl_code,
                f.department, day, limits->case_clock.used_days});
      }
    }
    return events.size();
  });
}

namespace {

// What one department (or the whole city) adds up to: its items and its case counters.
struct Tally {
  std::int64_t items = 0, online = 0, full_online = 0, one_visit = 0, zero_visit = 0;
  std::map<std::string, std::int64_t> metrics;
  std::map<std::string, std::int64_t> by_channel;
  evaluation::Figures evaluations;

  void add(const Tally& o) {
    evaluations.add(o.evaluations);
    items += o.items, online += o.online, full_online += o.full_online;
    one_visit += o.one_visit, zero_visit += o.zero_visit;
    for (const auto& [k, v] : o.metrics) metrics[k] += v;
    for (const auto& [k, v] : o.by_channel) by_channel[k] += v;
  }
};

Json render(const Tally& t, const IndicatorQuery& q, const std::optional<std::string>& department) {
  auto m = [&](const char* k) {
    auto it = t.metrics.find(k);
    return it == t.metrics.end() ? std::int64_t{0} : it->second;
  };
  Json by_channel = Json::object();
  for (const auto& [k, v] : t.by_channel) by_channel[k] = v;
  std::int64_t decided_timed = m("decided_on_time") + m("decided_late");
  return Json{
      {"period", {{"from", q.from ? Json(*q.from) : Json()}, {"to", q.to ? Json(*q.to) : Json()}}},
      {"department", department ? Json(*department) : Json()},
      {"division", q.division ? Json(*q.division) : Json()},
      {"item", q.item ? Json(*q.item) : Json()},
      {"items",
       {{"total", t.items},
        {"online", t.online},
        {"online_rate", share(t.online, t.items)},
        {"full_online", t.full_online},
        {"full_online_rate", share(t.full_online, t.items)},
        {"at_most_one_visit", t.one_visit},
        {"at_most_one_visit_rate", share(t.one_visit, t.items)},
        {"zero_visit", t.zero_visit},
        {"zero_visit_rate", share(t.zero_visit, t.items)}}},
      {"cases",
       {{"submitted", m("submitted")},
        {"by_channel", by_channel},
        {"accepted", m("accepted")},
        {"corrections", m("corrections")},
        {"correction_rate", share(m("corrections"), m("submitted"))},
        {"refused", m("refused")},
        {"withdrawn", m("withdrawn")},
        {"decided", m("decided")},
        {"decided_on_time", m("decided_on_time")},
        {"decided_late", m("decided_late")},
        {"on_time_rate", share(m("decided_on_time"), decided_timed)},
        {"average_workdays_used", decided_timed ? double(m("workdays_used")) / double(decided_timed) : 0.0},
        {"average_workdays_promised", decided_timed ? double(m("workdays_promised")) / double(decided_timed) : 0.0},
        {"delivered", m("delivered")},
        {"actual_zero_visit_rate", share(m("delivered_zero_visits"), m("delivered"))},
        {"actual_at_most_one_visit_rate", share(m("delivered_at_most_one_visit"), m("delivered"))}}},
      {"evaluations", evaluation::render_figures(t.evaluations)}};
}


// Every department's tally in one pass over the catalogue and one over the counters.
Result<std::map<std::string, Tally>> tallies(store::Db& db, catalog::CatalogService& catalog, const Json& items,
                                             evaluation::EvaluationService& evaluations, const IndicatorQuery& q) {
  for (const auto* d : {&q.from, &q.to})
    if (*d && !Date::parse(**d)) return fail(codes::kInvalidDate, "日期须为 YYYY-MM-DD", {{"value", **d}});
  if (q.division) {
    auto check = ids::check_division_code(*q.division);
    if (!check.valid) return fail(codes::kValidationFailed, check.reason, {{"field", "division"}, {"value", *q.division}});
  }
  // Which departments count: the one asked for, or those within the division asked for.
  std::set<std::string> in_division;
  if (q.division) {
    Json departments = catalog.departments(*q.division);
    for (const auto& d : departments["items"]) in_division.insert(d.value("code", ""));
  }
  auto counted = [&](const std::string& department) {
    return (!q.department || department == *q.department) && (!q.division || in_division.contains(department));
  };
  std::map<std::string, Tally> by_department;
  for (const auto& item : items) {
    std::string department = item.value("department", "");
    if (!counted(department) || (q.item && item.value("code", "") != *q.item)) continue;
    Tally& t = by_department[department];
    ++t.items;
    auto forms = item.value("handling_forms", Json::array());
    bool offered = !item.value("negative_list", false) && std::find(forms.begin(), forms.end(), Json("online")) != forms.end();
    t.online += offered;
    t.full_online += offered && item.value("online_depth", 0) >= 4;
    t.one_visit += item.value("visits", 2) <= 1;
    t.zero_visit += item.value("visits", 2) == 0;
  }
  std::string where = "day >= ? AND day <= ?";
  store::Params p{q.from.value_or("0000-00-00"), q.to.value_or("9999-99-99")};
  if (q.department) {
    where += " AND department = ?";
    p.emplace_back(*q.department);
  }
  if (q.item) {
    where += " AND item_code = ?";
    p.emplace_back(*q.item);
  }
  db.read([&](store::Conn& c) {
    for (const auto& r : c.query("SELECT department, metric, sum(value) FROM stat_counters WHERE " + where +
                                     " GROUP BY department, metric", p))
      if (counted(r.text(0))) by_department[r.text(0)].metrics[r.text(1)] = r.i64(2);
    for (const auto& r : c.query("SELECT department, channel, sum(value) FROM stat_counters WHERE " + where +
                                     " AND metric = 'submitted' GROUP BY department, channel", p))
      if (counted(r.text(0))) by_department[r.text(0)].by_channel[r.text(1)] = r.i64(2);
  });
  // Satisfaction: the reviews first given in the period (好差评's own public figures).
  auto figures = evaluations.figures_by_department({q.department, q.item, q.from, q.to});
  if (!figures) return std::unexpected(figures.error());
  for (const auto& [department, f] : *figures)
    if (counted(department)) by_department[department].evaluations = f;
  return by_department;
}

// The city's "13550" promises (STANDARDS §3): public services in 1 working day, opening a
// business in 3, real-estate registration in 5, an industrial project's construction permit
// in 50. A scenario's (一件事) time is its slowest child's, once every child is decided.
struct Promise {
  const char* key;
  const char* name;
  int days;
  int item_type;              // items of this type (0: not by type)
  const char* department;     // items of this department ("": not by department)
  const char* scenario;       // the scenario's parent cases ("": not a scenario)
};
constexpr Promise kPromises[] = {
    {"public_service", "公共服务事项", 1, 20, "", ""},
    {"business_opening", "企业开办", 3, 0, "", "YJS-KBQY"},
    {"real_estate", "不动产登记", 5, 0, "BDC", ""},
    {"industrial_permit", "工业项目施工许可", 50, 0, "", "YJS-GYXM"},
};

Json promises_kept(store::Db& db, const Json& items, const IndicatorQuery& q) {
  std::map<std::string, int> item_types;
  std::map<std::string, std::string> item_departments;
  for (const auto& item : items) {
    item_types[item.value("code", "")] = item.value("type", 0);
    item_departments[item.value("code", "")] = item.value("department", "");
  }
  std::string from = q.from.value_or("0000-00-00"), to = q.to.value_or("9999-99-99");
  Json out = Json::array();
  db.read([&](store::Conn& c) {
    for (const auto& p : kPromises) {
      std::vector<std::int64_t> used;  // working days of each finished matter
      if (*p.scenario) {
        // Finished in the period: the last child's decision falls in it.
        for (const auto& r : c.query("SELECT max(workdays_used), max(day) FROM stat_decisions WHERE scenario_code = ? "
                                     "GROUP BY parent_case_no HAVING count(*) = max(siblings) AND max(day) >= ? AND max(day) <= ?",
                                     {std::string(p.scenario), from, to}))
          used.push_back(r.i64(0));
      } else {
        for (const auto& r : c.query("SELECT item_code, workdays_used FROM stat_decisions WHERE day >= ? AND day <= ? "
                                     "AND parent_case_no IS NULL", {from, to})) {
          std::string code = r.text(0);
          if ((p.item_type && item_types[code] == p.item_type) || (*p.department && item_departments[code] == p.department))
            used.push_back(r.i64(1));
        }
      }
      std::int64_t within = 0, sum = 0;
      for (auto u : used) within += u <= p.days, sum += u;
      out.push_back({{"key", p.key}, {"name", p.name}, {"promised_workdays", p.days},
                     {"finished", used.size()}, {"within_promise", within},
                     {"within_promise_rate", share(within, std::int64_t(used.size()))},
                     {"average_workdays", used.empty() ? 0.0 : double(sum) / double(used.size())},
                     {"longest_workdays", used.empty() ? 0 : *std::max_element(used.begin(), used.end())}});
    }
  });
  return out;
}

}  // namespace

Result<Json> StatisticsService::indicators(const IndicatorQuery& q) {
  Json items = impl_->catalog.export_items();  // read once for the tallies and the promises
  auto all = tallies(impl_->db, impl_->catalog, items, impl_->evaluations, q);
  if (!all) return std::unexpected(all.error());
  Tally total;
  for (const auto& [department, t] : *all) total.add(t);
  Json out = render(total, q, q.department);
  // The promises are the city's: shown with the city's figures, not a department's.
  if (!q.department && !q.division && !q.item) out["promises_13550"] = promises_kept(impl_->db, items, q);
  return out;
}

Result<Json> StatisticsService::by_division(const IndicatorQuery& q, const std::string& parent) {
  auto parent_division = impl_->reference.division(parent);
  if (!parent_division) return std::unexpected(parent_division.error());
  auto children = impl_->reference.children(parent, "", 500);
  if (!children) return std::unexpected(children.error());
  IndicatorQuery within = q;
  within.division = parent;
  auto all = tallies(impl_->db, impl_->catalog, impl_->catalog.export_items(), impl_->evaluations, within);
  if (!all) return std::unexpected(all.error());
  // Each department counts in the child division it sits in; the parent's own departments
  // (a city's bureaus) form a row of their own (本级).
  std::map<std::string, std::string> department_division;
  Json departments = impl_->catalog.departments(parent);
  for (const auto& d : departments["items"]) department_division[d.value("code", "")] = d.value("division_code", "");
  std::vector<std::pair<reference::Division, Tally>> rows{{*parent_division, Tally{}}};
  for (const auto& child : children->items) rows.push_back({child, Tally{}});
  Tally total;
  for (const auto& [department, t] : *all) {
    total.add(t);
    const std::string& code = department_division[department];
    auto row = std::find_if(rows.begin() + 1, rows.end(), [&](const auto& r) { return division_within(code, r.first.code); });
    (row == rows.end() ? rows.front() : *row).second.add(t);
  }
  Json out = Json::array();
  for (const auto& [division, t] : rows) {
    Json row = render(t, within, std::nullopt);
    row["division"] = division.code;
    row["division_name"] = division.code == parent ? division.name + "本级" : division.name;
    out.push_back(std::move(row));
  }
  return Json{{"total", render(total, within, std::nullopt)}, {"divisions", out}};
}

Result<Json> StatisticsService::by_department(const IndicatorQuery& q) {
  auto all = tallies(impl_->db, impl_->catalog, impl_->catalog.export_items(), impl_->evaluations, q);
  if (!all) return std::unexpected(all.error());
  Json names = Json::object();
  Json departments = impl_->catalog.departments(std::nullopt);
  for (const auto& d : departments["items"]) names[d.value("code", "")] = d.value("name", "");
  Tally total;
  Json rows = Json::array();
  for (const auto& [department, t] : *all) {
    total.add(t);
    Json row = render(t, q, department);
    row["department_name"] = names.value(department, department);
    rows.push_back(std::move(row));
  }
  Json city = render(total, q, std::nullopt);
  return Json{{"total", city}, {"departments", rows}};
}

}  // namespace tb::statistics
