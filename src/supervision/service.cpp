// Keeping the watch on every accepted case from the outbox, the board that reads it, and the
// alerts raised from the outbox's events and by the daily sweep.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "catalog/catalog.h"
#include "core/principal.h"
#include "identity/identity.h"
#include "licence/licence.h"
#include "supervision/alerts.h"
#include "supervision/store.h"
#include "supervision/supervision.h"

namespace tb::supervision {
namespace {

// The subtree a supervisor sees, as a code prefix ("341500" → "3415"), checked again exactly.
std::string prefix_of(std::string division) {
  while (division.size() > 2 && division.ends_with("00")) division.resize(division.size() - 2);
  return division;
}

const std::set<std::string>& states() {
  static const std::set<std::string> s{"normal", "warning", "overdue", "paused"};
  return s;
}

// Transactions hold item rows back for a moment: items published in the last minute are left
// to the next sweep rather than missed by this one.
constexpr EpochMs kPublishSettleMs = 60'000;
// Cases per transaction of the daily sweep.
constexpr int kSweepChunk = 500;

Json alert_json(const sql::Alert& a) {
  return {{"id", a.id},
          {"kind", a.kind},
          {"case_no", a.case_no ? Json(*a.case_no) : Json()},
          {"item_code", a.item_code ? Json(*a.item_code) : Json()},
          {"title", a.title},
          {"department", a.department},
          {"division", a.division},
          {"detail", a.detail},
          {"state", a.cleared_at ? "cleared" : "open"},
          {"raised_at", format_instant(a.raised_at)},
          {"cleared_at", a.cleared_at ? Json(format_instant(*a.cleared_at)) : Json()}};
}

// The actor's account of one event of a case, if the event names one.
std::vector<std::int64_t> actor_of(const Json& payload) {
  if (payload.is_object() && payload.contains("actor") && payload["actor"].is_object() &&
      payload["actor"].contains("account_id") && payload["actor"]["account_id"].is_number_integer())
    return {payload["actor"]["account_id"].get<std::int64_t>()};
  return {};
}

// A batch reads each case once: its facts and, only when needed, its parsed state.
class BatchCases {
 public:
  explicit BatchCases(store::Conn& c) : c_(c) {}
  struct Entry {
    std::optional<cases::CaseFacts> facts;  // nothing for a scenario's parent or an unknown case
    std::optional<cases::CaseState> state;
    bool parsed = false;
  };
  Entry& get(const std::string& case_no) {
    auto [it, fresh] = entries_.try_emplace(case_no);
    if (fresh)
      if (auto f = cases::case_facts(c_, case_no); f && !f->impl_code.empty()) it->second.facts = std::move(f);
    return it->second;
  }
  const cases::CaseState* state(Entry& e) {
    if (!e.parsed) {
      e.parsed = true;
      if (e.facts)
        if (auto s = cases::case_state_from_json(e.facts->state)) e.state = std::move(*s);
    }
    return e.state ? &*e.state : nullptr;
  }

 private:
  store::Conn& c_;
  std::map<std::string, Entry> entries_;
};

NewAlert case_alert(const std::string& kind, const std::string& case_no, const std::string& item_name,
                    const std::string& department, const std::string& division, Json detail) {
  return {kind, "case:" + case_no, case_no, std::nullopt, item_name, department, division, std::move(detail)};
}

}  // namespace

std::vector<store::Migration> migrations() { return store::module_migrations("supervision", migration_files()); }

struct SupervisionService::Impl {
  store::Db& db;
  const Clock& clock;
  reference::ReferenceService& reference;
  catalog::CatalogService& catalog;
  identity::IdentityService& identity;

  cases::Thresholds thresholds(store::Conn& c) {
    cases::Thresholds t;
    t.warn_days_left = sql::rule(c, "warn_days_left").value_or(t.warn_days_left);
    t.warn_used_percent = sql::rule(c, "warn_used_percent").value_or(t.warn_used_percent);
    return t;
  }

  // The supervisor's subtree; a platform administrator sees the whole city.
  Result<std::string> scope(const Principal& p, const std::optional<std::string>& asked) {
    std::optional<std::string> root;
    for (const auto& g : p.roles)
      if ((g.role == "supervisor" || g.role == "platform_admin") && g.division) root = *g.division;
    if (!root) return fail(codes::kForbidden, "您没有电子监察的权限");
    if (asked) {
      if (!division_within(*asked, *root)) return fail(codes::kForbidden, "该区划不在您的监察范围内", {{"division", *asked}});
      return prefix_of(*asked);
    }
    return prefix_of(*root);
  }

  // Before a transaction: what staff grants call each department.
  DepartmentKeys department_keys() {
    DepartmentKeys out;
    Json all = catalog.departments(std::nullopt);
    for (const auto& d : all["items"]) {
      std::string code = d.value("code", "");
      std::vector<std::string> keys{code};
      if (d.contains("name") && d["name"].is_string()) keys.push_back(d["name"].get<std::string>());
      out[code] = std::move(keys);
    }
    return out;
  }

  // A watched case's time alerts as of `today` (rules.h: time_alert_on).
  void time_alerts(AlertWriter& w, const sql::Row& row, Date today) {
    std::string subject = "case:" + row.case_no;
    TimeAlert want = time_alert_on(row.watch, today);
    if (want == TimeAlert::kUnchanged) return;
    const char* kind = want == TimeAlert::kWarning ? "case_warning" : "case_overdue";
    bool already = false;
    for (const auto& open : w.open_kinds(subject)) {
      if (open != "case_warning" && open != "case_overdue") continue;
      if (want != TimeAlert::kNone && open == kind)
        already = true;
      else
        w.clear(subject, open);
    }
    if (want == TimeAlert::kNone || already) return;
    Json detail = {{"accepted_on", row.watch.accepted_on.to_string()},
                   {"limit_days", row.watch.limit_days},
                   {"deadline", row.watch.deadline.to_string()},
                   {"warn_from", row.watch.warn_from.to_string()},
                   {"overdue_from", row.watch.overdue_from.to_string()}};
    w.raise(case_alert(kind, row.case_no, row.item_name, row.department, row.division, std::move(detail)),
            [&] { return w.task_staff(row.case_id, row.division); });
  }

  // The events that are alerts by themselves: a closure without delivery, a step done
  // without its role; an approval whose item yields a licence waits for the licence consumer.
  void event_alerts(AlertWriter& w, store::Conn& c, BatchCases& batch, const cases::OutboxEvent& e,
                    const std::map<std::string, std::string>& licence_types) {
    if (e.type != "case.closed" && e.type != "step.completed" && e.type != "case.decided") return;
    auto& entry = batch.get(e.case_no);
    if (!entry.facts) return;
    const cases::CaseFacts* facts = &*entry.facts;
    if (e.type == "case.decided") {
      if (auto t = licence_types.find(e.case_no); t != licence_types.end())
        sql::add_licence_check(c, e.case_no, e.position, t->second);
      return;
    }
    if (e.type == "case.closed") {
      auto detail = closed_without_delivery(cases::case_events(c, facts->id), e);
      if (!detail) return;
      w.raise(case_alert("closed_without_delivery", facts->case_no, facts->item_name, facts->department,
                         facts->division, std::move(*detail)),
              [&] {
                return Recipients{actor_of(e.payload), {}};
              });
      return;
    }
    // The event names the step's role and department (since issue 8); older ones need the plan.
    bool self_contained = e.payload.is_object() && e.payload.contains("role") && e.payload["role"].is_string() &&
                          e.payload.contains("department") && e.payload["department"].is_string();
    static const cases::Workflow kNoPlan;
    const cases::CaseState* state = self_contained ? nullptr : batch.state(entry);
    if (!self_contained && !state) return;
    auto found = step_without_role(e.payload, state ? state->workflow : kNoPlan, facts->division);
    if (!found) return;
    (*found)["position"] = e.position;
    // One alert per case: a second such step joins the first one's list.
    std::string subject = "case:" + facts->case_no;
    if (auto open = sql::alert(c, subject, "step_without_role"); open && !open->cleared_at) {
      Json detail = open->detail;
      for (const auto& s : detail["steps"])
        if (s.value("position", std::int64_t(0)) == e.position) return;
      detail["steps"].push_back(*found);
      sql::set_detail(c, open->id, detail);
      return;
    }
    std::string step_department = (*found)["required_department"].get<std::string>();
    w.raise(case_alert("step_without_role", facts->case_no, facts->item_name, facts->department, facts->division,
                       {{"steps", Json::array({*found})}}),
            [&] {
              return Recipients{actor_of(e.payload), {step_department}};
            });
  }

  // Approved cases the licence consumer has now read: a licence, or the alert.
  void licence_checks(EpochMs now) {
    bool due =
        db.read([](store::Conn& c) { return !sql::due_licence_checks(c, licence::consumer_position(c)).empty(); });
    if (!due) return;
    DepartmentKeys keys = department_keys();
    db.write([&](store::Conn& c) {
      AlertWriter w(c, identity, keys, now);
      for (const auto& check : sql::due_licence_checks(c, licence::consumer_position(c))) {
        sql::drop_licence_check(c, check.case_no);
        auto facts = cases::case_facts(c, check.case_no);
        if (!facts) continue;
        auto issued = licence::case_licence(c, check.case_no);
        if (issued.licence_id) continue;
        Json failure = issued.failure_code
                           ? Json{{"code", *issued.failure_code}, {"message", issued.failure_message.value_or("")}}
                           : Json();
        std::vector<std::int64_t> decider;
        for (const auto& e : cases::case_events(c, facts->id))
          if (e.position == check.decided_position) decider = actor_of(e.payload);
        w.raise(case_alert("result_without_licence", facts->case_no, facts->item_name, facts->department,
                           facts->division, {{"licence_type", check.licence_type}, {"failure", failure}}),
                [&] {
                  return Recipients{decider, {}};
                });
      }
    });
  }

  // At most once per business day: the cases whose warning or overdue day came since the
  // last sweep (two index ranges, walked in chunks of their own transactions so the first
  // sweep of a large database never holds the write lock for long), licences issued since
  // for alerted cases, and the items published since, checked for their required elements.
  // The day is marked swept at the end: a sweep cut short is run again, and finds the alerts
  // it already raised open.
  void sweep(EpochMs now) {
    std::string today = business_date(now).to_string();
    auto was = db.read([](store::Conn& c) { return sql::sweep_state(c); });
    if (was && was->swept_on >= today) return;
    DepartmentKeys keys = department_keys();
    Date day = *Date::parse(today);
    std::string after = was ? was->swept_on : std::string("0000-00-00");
    for (const char* column : {"overdue_from", "warn_from"}) {
      sql::Crossing from{after, std::numeric_limits<std::int64_t>::max()};  // every case after that day
      for (bool more = true; more;) {
        more = db.write([&](store::Conn& c) {
          auto rows = sql::crossing(c, column, from, today, kSweepChunk);
          AlertWriter w(c, identity, keys, now);
          for (const auto& row : rows) time_alerts(w, row, day);
          if (!rows.empty()) {
            const Watch& last = rows.back().watch;
            from = {(std::string_view(column) == "warn_from" ? last.warn_from : last.overdue_from).to_string(),
                    rows.back().case_id};
          }
          return int(rows.size()) == kSweepChunk;
        });
      }
    }
    EpochMs items_to = std::max(was ? was->items_checked_to : 0, now - kPublishSettleMs);
    auto items = catalog.published_between(was ? was->items_checked_to : 0, items_to);
    db.write([&](store::Conn& c) {
      if (!sql::claim_sweep(c, was, {today, items_to})) return;  // another node finished it
      AlertWriter w(c, identity, keys, now);
      for (const auto& a : sql::open_alerts_of_kind(c, "result_without_licence"))
        if (a.case_no && licence::case_licence(c, *a.case_no).licence_id) w.clear(a.subject, a.kind);
      for (const auto& item : items) {
        std::string subject = "item:" + item.impl_code;
        auto missing = catalog::missing_elements(item.data);
        if (missing.empty()) {
          w.clear(subject, "item_incomplete");
          continue;
        }
        Json list = Json::array();
        for (const auto& m : missing) list.push_back({{"field", m.field}, {"message", m.message}});
        w.raise({"item_incomplete",
                 subject,
                 std::nullopt,
                 item.impl_code,
                 item.name,
                 item.department,
                 item.division,
                 {{"version", item.version}, {"missing", list}}});
      }
    });
  }
};

SupervisionService::SupervisionService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                                       catalog::CatalogService& catalog, identity::IdentityService& identity)
    : impl_(std::make_unique<Impl>(Impl{db, clock, reference, catalog, identity})) {}
SupervisionService::~SupervisionService() = default;

bool SupervisionService::caught_up() {
  return impl_->db.read([](store::Conn& c) { return cases::outbox_after(c, sql::position(c), 1).empty(); });
}

std::size_t SupervisionService::consume(int limit) {
  EpochMs now = impl_->clock.now_ms();
  Date today = business_date(now);
  auto [from, events] = impl_->db.read([&](store::Conn& c) {
    std::int64_t pos = sql::position(c);
    return std::pair{pos, cases::outbox_after(c, pos, limit)};
  });
  std::size_t read = 0;
  if (!events.empty()) {
    // Catalogue reads before the transaction: which approvals yield a licence, department names.
    std::map<std::string, std::string> licence_types;
    std::set<std::string> asked;
    for (const auto& e : events) {
      if (e.type != "case.decided" || !e.payload.is_object() || e.payload.value("outcome", Json()) != "approve")
        continue;
      if (!asked.insert(e.case_no).second) continue;
      auto facts = impl_->db.read([&](store::Conn& c) { return cases::case_facts(c, e.case_no); });
      if (!facts || facts->impl_code.empty()) continue;
      auto item = impl_->catalog.published_item(facts->impl_code, facts->item_version);
      if (!item) continue;
      if (auto type = licence::licence_type_yielded((*item)->data)) licence_types[e.case_no] = *type;
    }
    DepartmentKeys keys = impl_->department_keys();
    bool moved = impl_->db.write([&](store::Conn& c) {
      if (!sql::advance(c, from, events.back().position)) return false;  // another node took this batch
      auto calendar = impl_->reference.calendar(c);
      cases::Thresholds thresholds = impl_->thresholds(c);
      AlertWriter w(c, impl_->identity, keys, now);
      BatchCases batch(c);
      for (const auto& e : events) impl_->event_alerts(w, c, batch, e, licence_types);
      // Each case once per batch, from its current state: replaying events changes nothing.
      std::set<std::string> seen;
      for (auto it = events.rbegin(); it != events.rend(); ++it) {
        if (!seen.insert(it->case_no).second) continue;
        auto& entry = batch.get(it->case_no);
        const cases::CaseState* state = batch.state(entry);
        if (!state) continue;
        const cases::CaseFacts* facts = &*entry.facts;
        auto watch = watch_dates(*calendar, *state, today, thresholds);
        if (!watch || !*watch) continue;  // not accepted yet, or a year missing from the calendar
        sql::Row row{facts->id, facts->case_no, facts->item_name, facts->department, facts->division, **watch};
        sql::upsert(c, row, now);
        impl_->time_alerts(w, row, today);
      }
      return true;
    });
    read = moved ? events.size() : 0;
  }
  impl_->licence_checks(now);
  // The sweep once the outbox is read: a case decided in an unread event is not alerted on.
  if (int(events.size()) < limit) impl_->sweep(now);
  return read;
}

Result<Json> SupervisionService::board(const BoardQuery& q, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (q.group != "department" && q.group != "division")
    return fail(codes::kValidationFailed, "group 须为 department 或 division", {{"field", "group"}});
  auto prefix = impl_->scope(*who.principal, q.division);
  if (!prefix) return std::unexpected(prefix.error());
  std::string today = business_date(impl_->clock.now_ms()).to_string();
  auto [rows, counts] = impl_->db.read([&](store::Conn& c) {
    return std::pair{sql::board(c, q.group, *prefix, today), sql::open_alert_counts(c, *prefix)};
  });
  Json alerts = Json::object();
  for (auto kind : kAlertKinds) alerts[std::string(kind)] = 0;
  for (const auto& [kind, n] : counts) alerts[kind] = n;
  Json groups = Json::array();
  Json total = {{"normal", 0}, {"warning", 0}, {"overdue", 0}, {"paused", 0}};
  for (const auto& r : rows) {
    groups.push_back({{q.group, r.key}, {"normal", r.normal}, {"warning", r.warning}, {"overdue", r.overdue}, {"paused", r.paused}});
    total["normal"] = total["normal"].get<std::int64_t>() + r.normal;
    total["warning"] = total["warning"].get<std::int64_t>() + r.warning;
    total["overdue"] = total["overdue"].get<std::int64_t>() + r.overdue;
    total["paused"] = total["paused"].get<std::int64_t>() + r.paused;
  }
  return Json{{"today", today}, {"group", q.group}, {"total", total}, {"groups", groups}, {"alerts", alerts}};
}

Result<Json> SupervisionService::cases(const CaseQuery& q, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (!states().contains(q.state))
    return fail(codes::kValidationFailed, "state 须为 normal、warning、overdue 或 paused", {{"field", "state"}});
  if (q.limit < 1 || q.limit > 200) return fail(codes::kValidationFailed, "limit 须在 1 到 200 之间", {{"field", "limit"}});
  auto prefix = impl_->scope(*who.principal, q.division);
  if (!prefix) return std::unexpected(prefix.error());
  Date today = business_date(impl_->clock.now_ms());
  auto calendar = impl_->reference.calendar();
  auto rows = impl_->db.read(
      [&](store::Conn& c) { return sql::cases(c, q.state, q.department, *prefix, today.to_string(), q.limit, q.offset); });
  Json items = Json::array();
  for (const auto& r : rows) {
    Json item = {{"case_no", r.case_no},   {"item_name", r.item_name}, {"department", r.department},
                 {"division", r.division}, {"accepted_on", r.accepted_on}, {"deadline", r.deadline},
                 {"limit_days", r.limit_days}, {"state", q.state}};
    if (auto d = Date::parse(r.deadline)) {
      auto between = calendar->workdays_between(today, *d);
      if (between) item["days_left"] = *between;  // negative once overdue
    }
    items.push_back(std::move(item));
  }
  return Json{{"today", today.to_string()}, {"items", items}};
}

Json SupervisionService::rules() {
  return impl_->db.read([&](store::Conn& c) {
    auto t = impl_->thresholds(c);
    return Json{{"warn_days_left", t.warn_days_left}, {"warn_used_percent", t.warn_used_percent}};
  });
}

Result<Json> SupervisionService::set_rules(const Json& body, const audit::Actor& who) {
  Json problems = Json::array();
  auto read = [&](const char* name, int lo, int hi) -> std::optional<int> {
    if (!body.contains(name)) return std::nullopt;
    if (!body[name].is_number_integer() || body[name].get<int>() < lo || body[name].get<int>() > hi) {
      problems.push_back({{"field", name}, {"problem", "range"}, {"value", std::to_string(lo) + "-" + std::to_string(hi)}});
      return std::nullopt;
    }
    return body[name].get<int>();
  };
  auto days = read("warn_days_left", 0, 30);
  auto percent = read("warn_used_percent", 1, 100);
  if (!problems.empty()) return fail(codes::kValidationFailed, "预警规则有误", {{"problems", problems}});
  EpochMs now = impl_->clock.now_ms();
  impl_->db.write([&](store::Conn& c) {
    Json before = {{"warn_days_left", impl_->thresholds(c).warn_days_left}, {"warn_used_percent", impl_->thresholds(c).warn_used_percent}};
    if (days) sql::set_rule(c, "warn_days_left", *days, now);
    if (percent) sql::set_rule(c, "warn_used_percent", *percent, now);
    audit::record(c, impl_->clock, {.actor = who.principal, .action = "supervision.rules", .target = "supervision_rules",
                                    .ip = who.ip, .request_id = who.request_id, .before = before.dump(),
                                    .after = body.dump()});
  });
  // Cases already watched keep their dates until their next transition; say so.
  Json out = rules();
  out["applies_to"] = "cases from their next transition on";
  return out;
}

namespace {

Result<sql::AlertFilter> alert_filter(const AlertQuery& q) {
  Json problems = Json::array();
  if (q.kind && !is_alert_kind(*q.kind))
    problems.push_back({{"field", "kind"}, {"problem", "one_of"}, {"value", *q.kind}});
  if (q.state != "open" && q.state != "cleared" && q.state != "all")
    problems.push_back({{"field", "state"}, {"problem", "one_of"}, {"value", q.state}});
  if (q.limit < 1 || q.limit > 200) problems.push_back({{"field", "limit"}, {"problem", "range"}, {"value", "1-200"}});
  if (!problems.empty()) return fail(codes::kValidationFailed, "查询条件有误", {{"problems", problems}});
  sql::AlertFilter f;
  f.kind = q.kind;
  f.department = q.department;
  if (q.state != "all") f.open = q.state == "open";
  f.before = q.cursor;
  f.limit = q.limit;
  return f;
}

Json page(const std::vector<sql::Alert>& rows, int limit) {
  Json items = Json::array();
  for (const auto& a : rows) items.push_back(alert_json(a));
  Json next = int(rows.size()) == limit && !rows.empty() ? Json(rows.back().id) : Json();
  return Json{{"items", items}, {"next_cursor", next}};
}

}  // namespace

Result<Json> SupervisionService::alerts(const AlertQuery& q, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto f = alert_filter(q);
  if (!f) return std::unexpected(f.error());
  auto prefix = impl_->scope(*who.principal, q.division);
  if (!prefix) return std::unexpected(prefix.error());
  f->division_prefix = *prefix;
  if (f->department)
    if (auto code = impl_->catalog.department_code(*f->department)) f->department = *code;
  auto rows = impl_->db.read([&](store::Conn& c) { return sql::alerts(c, *f); });
  return page(rows, q.limit);
}

Result<Json> SupervisionService::workbench_alerts(const AlertQuery& q, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  AlertQuery open = q;
  open.state = "open";
  open.department.reset();
  open.division.reset();
  auto f = alert_filter(open);
  if (!f) return std::unexpected(f.error());
  // The departments the staff member works for, as catalogue codes.
  std::vector<std::string> departments;
  for (const auto& g : who.principal->roles) {
    if (!g.department || g.role == "citizen" || g.role == "company_agent") continue;
    std::string code = impl_->catalog.department_code(*g.department).value_or(*g.department);
    if (std::find(departments.begin(), departments.end(), code) == departments.end()) departments.push_back(code);
  }
  f->departments = departments;
  auto rows = impl_->db.read([&](store::Conn& c) { return sql::alerts(c, *f); });
  Json out = page(rows, q.limit);
  out["departments"] = departments;
  return out;
}

}  // namespace tb::supervision
