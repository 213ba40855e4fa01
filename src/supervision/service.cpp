// Keeping the watch on every accepted case from the outbox, and the board that reads it.
#include <set>

#include "core/principal.h"
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

}  // namespace

std::vector<store::Migration> migrations() { return store::module_migrations("supervision", migration_files()); }

struct SupervisionService::Impl {
  store::Db& db;
  const Clock& clock;
  reference::ReferenceService& reference;

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
};

SupervisionService::SupervisionService(store::Db& db, const Clock& clock, reference::ReferenceService& reference)
    : impl_(std::make_unique<Impl>(Impl{db, clock, reference})) {}
SupervisionService::~SupervisionService() = default;

bool SupervisionService::caught_up() {
  return impl_->db.read([](store::Conn& c) { return cases::outbox_after(c, sql::position(c), 1).empty(); });
}

std::size_t SupervisionService::consume(int limit) {
  EpochMs now = impl_->clock.now_ms();
  Date today = business_date(now);
  return impl_->db.write([&](store::Conn& c) -> std::size_t {
    std::int64_t from = sql::position(c);
    auto events = cases::outbox_after(c, from, limit);
    if (events.empty()) return 0;
    if (!sql::advance(c, from, events.back().position)) return 0;  // another node took this batch
    auto calendar = impl_->reference.calendar(c);
    cases::Thresholds thresholds = impl_->thresholds(c);
    // Each case once per batch, from its current state: replaying events changes nothing.
    std::set<std::string> seen;
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (!seen.insert(it->case_no).second) continue;
      auto facts = cases::case_facts(c, it->case_no);
      if (!facts || facts->impl_code.empty()) continue;
      auto state = cases::case_state_from_json(facts->state);
      if (!state) continue;
      auto watch = watch_dates(*calendar, *state, today, thresholds);
      if (!watch || !*watch) continue;  // not accepted yet, or a year missing from the calendar
      sql::upsert(c, {facts->id, facts->case_no, facts->item_name, facts->department, facts->division, **watch}, now);
    }
    return events.size();
  });
}

Result<Json> SupervisionService::board(const BoardQuery& q, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (q.group != "department" && q.group != "division")
    return fail(codes::kValidationFailed, "group 须为 department 或 division", {{"field", "group"}});
  auto prefix = impl_->scope(*who.principal, q.division);
  if (!prefix) return std::unexpected(prefix.error());
  std::string today = business_date(impl_->clock.now_ms()).to_string();
  auto rows = impl_->db.read([&](store::Conn& c) { return sql::board(c, q.group, *prefix, today); });
  Json groups = Json::array();
  Json total = {{"normal", 0}, {"warning", 0}, {"overdue", 0}, {"paused", 0}};
  for (const auto& r : rows) {
    groups.push_back({{q.group, r.key}, {"normal", r.normal}, {"warning", r.warning}, {"overdue", r.overdue}, {"paused", r.paused}});
    total["normal"] = total["normal"].get<std::int64_t>() + r.normal;
    total["warning"] = total["warning"].get<std::int64_t>() + r.warning;
    total["overdue"] = total["overdue"].get<std::int64_t>() + r.overdue;
    total["paused"] = total["paused"].get<std::int64_t>() + r.paused;
  }
  return Json{{"today", today}, {"group", q.group}, {"total", total}, {"groups", groups}};
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

}  // namespace tb::supervision
