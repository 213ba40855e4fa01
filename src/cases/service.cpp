// Moving cases: actions by applicants and staff, claims, and what every transition writes
// (state, events, tasks, audit) in one transaction.
#include <algorithm>
#include <set>

#include "cases/service_internal.h"
#include "core/principal.h"
#include "crypto/crypto.h"

namespace tb::cases {

std::unexpected<Error> case_not_found(const std::string& case_no) {
  return fail(codes::kCaseNotFound, "办件不存在", {{"case_no", case_no}});
}

std::vector<store::Migration> migrations() { return store::module_migrations("cases", migration_files()); }

// ---- MissCounter -------------------------------------------------------------------------

void MissCounter::forget_old(std::deque<EpochMs>& q, EpochMs now) const {
  while (!q.empty() && q.front() <= now - window_) q.pop_front();
}

bool MissCounter::blocked(const std::string& key, EpochMs now) {
  std::lock_guard lock(mutex_);
  auto it = misses_.find(key);
  if (it == misses_.end()) return false;
  forget_old(it->second, now);
  if (it->second.empty()) {
    misses_.erase(it);
    return false;
  }
  return int(it->second.size()) >= max_;
}

void MissCounter::miss(const std::string& key, EpochMs now) {
  std::lock_guard lock(mutex_);
  if (misses_.size() > 100000) misses_.clear();  // a flood of addresses must not grow memory without bound
  auto& q = misses_[key];
  forget_old(q, now);
  q.push_back(now);
}

// ---- Impl ------------------------------------------------------------------------------------

std::vector<Actor> CaseService::Impl::actors_of(const Principal& p) {
  std::vector<Actor> out;
  for (const RoleGrant& g : p.roles) {
    Actor a{p.account_id, p.name, g.role, "", g.division.value_or("")};
    if (!is_applicant_role(g.role)) {
      if (g.role != "window_clerk" && g.role != "approver") continue;
      a.department = g.department ? catalog.department_code(*g.department).value_or(*g.department) : "";
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<CaseLimits> CaseService::Impl::limits_of(store::Conn& c, const CaseState& state) {
  auto in = limits_input(state);
  if (!in) return std::nullopt;
  auto limits = compute_limits(*reference.calendar(c), *in, business_date(clock.now_ms()));
  if (!limits) return std::nullopt;  // a year missing from the calendar: no guessed deadline
  return *limits;
}

std::vector<sql::TaskRow> CaseService::Impl::tasks_for(const sql::CaseRow& row, const CaseState& state,
                                                       const std::optional<CaseLimits>& limits) {
  std::vector<sql::TaskRow> out;
  std::string today = business_date(clock.now_ms()).to_string();
  auto task = [&](std::string key, std::string name, std::string role, std::string department) {
    out.push_back({row.id, std::move(key), std::move(name), std::move(role), std::move(department), row.division,
                   today, std::nullopt, std::nullopt});
  };
  switch (state.status) {
    case CaseStatus::kSubmitted:
      task("accept", "受理", "window_clerk", row.department);
      break;
    case CaseStatus::kAccepted:
    case CaseStatus::kInProgress:
    case CaseStatus::kSpecialProcedure: {
      std::map<std::string, std::string> step_deadlines;
      if (limits)
        for (const auto& s : limits->steps) step_deadlines[s.key] = s.clock.deadline.to_string();
      for (const Step* s : state.workflow.active_steps()) {
        sql::TaskRow t{row.id, s->key, s->name, s->role, s->department, row.division,
                       s->started_on ? s->started_on->to_string() : today, std::nullopt, std::nullopt};
        if (auto it = step_deadlines.find(s->key); it != step_deadlines.end()) t.deadline = it->second;
        out.push_back(std::move(t));
      }
      if (state.workflow.finished()) task("decide", "作出决定", "approver", row.department);
      break;
    }
    case CaseStatus::kDecidedApproved:
    case CaseStatus::kDecidedRejected:
      task("deliver", "送达", "window_clerk", row.department);
      break;
    case CaseStatus::kDelivered:
    case CaseStatus::kRefused:
    case CaseStatus::kWithdrawn:
      task("close", "办结", "window_clerk", row.department);
      break;
    default:
      break;
  }
  // The case deadline orders queues whose tasks have none of their own.
  if (limits)
    for (auto& t : out)
      if (!t.deadline) t.deadline = limits->case_clock.deadline.to_string();
  return out;
}

bool CaseService::Impl::persist(store::Conn& c, const sql::CaseRow& row, const Transition& t, EpochMs now) {
  std::string status(to_string(t.state.status));
  auto limits = limits_of(c, t.state);  // once: the row's deadline and every task's come from it
  std::optional<std::string> deadline;
  if (limits) deadline = limits->case_clock.deadline.to_string();
  if (!sql::update_case(c, row.id, status, to_json(t.state), deadline, row.version, now)) return false;
  for (const Event& e : t.events) sql::insert_event(c, row.id, e.type, e.payload, now);
  sql::replace_tasks(c, row.id, tasks_for(row, t.state, limits));
  return true;
}

void CaseService::Impl::audit_transition(store::Conn& c, const sql::CaseRow& row, const Transition& t,
                                         const audit::Actor& who, const std::string& action) {
  audit::record(c, clock,
                {.actor = who.principal,
                 .action = "case." + action,
                 .target = "case:" + row.case_no,
                 .ip = who.ip,
                 .request_id = who.request_id,
                 .details = {{"from", row.status}, {"to", to_string(t.state.status)}, {"version", row.version + 1}}});
}

Result<void> CaseService::Impl::check_visible(const sql::CaseRow& row, const CaseState& state, const Principal& p) {
  if (p.account_id == row.applicant_account_id || p.account_id == row.filed_by) return {};
  for (const RoleGrant& g : p.roles) {
    if (is_applicant_role(g.role) || !g.division || !division_within(row.division, *g.division)) continue;
    if (g.role != "approver") return {};  // window, supervision, hall, hotline, audit: the whole subtree
    std::string dept = g.department ? catalog.department_code(*g.department).value_or(*g.department) : "";
    if (dept == row.department) return {};
    for (const Stage& stage : state.workflow.stages)
      for (const Step& s : stage.steps)
        if (s.department == dept) return {};
  }
  if (p.kind == "person") return case_not_found(row.case_no);  // nothing about other people's cases
  return fail(codes::kCaseForbidden, "该办件不在您的职责范围内", {{"case_no", row.case_no}});
}

// ---- CaseService -----------------------------------------------------------------------------

CaseService::CaseService(store::Db& db, const Clock& clock, store::BlobStore& blobs,
                         reference::ReferenceService& reference, catalog::CatalogService& catalog,
                         identity::IdentityService& identity)
    : impl_(std::make_unique<Impl>(Impl{db, clock, blobs, reference, catalog, identity})) {}
CaseService::~CaseService() = default;

void CaseService::set_licence_source(LicenceSource* source) { impl_->licences = source; }

namespace {

// Which of the principal's ways to act does this action accept? The first that succeeds;
// otherwise the most telling refusal (a wrong state or bad field before a wrong role).
Result<Transition> apply_as_any(const CaseState& state, const Action& action, const std::vector<Actor>& actors,
                                const Actor** used) {
  std::optional<Error> best;
  for (const Actor& a : actors) {
    auto t = apply(state, action, a);
    if (t) {
      *used = &a;
      return t;
    }
    if (!best || (best->code == codes::kCaseForbidden && t.error().code != codes::kCaseForbidden)) best = t.error();
  }
  if (!best) return fail(codes::kCaseForbidden, "您没有办理办件的角色", {{"action", to_string(action.type)}});
  return std::unexpected(*best);
}

// The last correction notice's materials: a resubmission replaces each of them.
std::vector<std::string> noticed_materials(store::Conn& c, std::int64_t case_id) {
  std::vector<std::string> out;
  for (const auto& e : sql::events_of(c, case_id))
    if (e.type == "case.correction_required") {
      out.clear();
      for (const auto& item : e.payload.value("items", Json::array())) out.push_back(item.value("material", ""));
    }
  return out;
}

constexpr std::string_view kConflictRetry = "_RETRY";

}  // namespace

Result<Json> CaseService::act(const std::string& case_no, const Json& body, std::optional<std::int64_t> if_match,
                              const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto action = parse_action(body, impl_->catalog);
  if (!action) return std::unexpected(action.error());
  std::vector<Actor> actors = impl_->actors_of(*who.principal);
  // Catalogue reads happen before the transaction (it may not borrow a second connection).
  auto before = impl_->db.read([&](store::Conn& c) { return sql::case_by_no(c, case_no); });
  if (!before) return case_not_found(case_no);
  std::shared_ptr<const catalog::PublishedItem> item;
  if (action->type == ActionType::kResubmit) {
    auto found = impl_->catalog.published_item(before->impl_code, before->item_version);
    if (!found) return std::unexpected(found.error());
    item = *found;
  }

  // Without If-Match a lost race is retried on fresh state (two departments finishing their
  // parallel branches at once both succeed, and the group joins once); with If-Match the
  // caller asked for exactly the version they saw.
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto outcome = impl_->db.write([&](store::Conn& c) -> Result<Json> {
      EpochMs now = impl_->clock.now_ms();
      auto row = sql::case_by_no(c, case_no);
      if (!row) return case_not_found(case_no);
      if (row->scenario_code && row->impl_code.empty())
        return fail(codes::kCaseTransitionInvalid, "一件事的总件随各子件办理，请对子件操作",
                    {{"case_no", case_no}, {"children", true}});
      if (if_match && *if_match != row->version)
        return fail(codes::kCaseConflict, "办件已被他人更新，请刷新后重试",
                    {{"expected_version", *if_match}, {"current_version", row->version}});
      auto state = case_state_from_json(row->state);
      if (!state) throw FatalError("stored case state unreadable: " + case_no);
      Action a = *action;
      a.at = now;
      const Actor* used = nullptr;
      auto t = apply_as_any(*state, a, actors, &used);
      if (!t) return std::unexpected(t.error());

      // Staff attach documents to what they do (an inspection report, an opinion letter):
      // their own uploads, kept with the case as 办理附件.
      std::vector<sql::MaterialRow> attachments;
      if (body.contains("attachments")) {
        Json problems = Json::array();
        const Json& given = body["attachments"];
        if (!given.is_array()) problems.push_back({{"field", "attachments"}, {"problem", "type"}});
        for (std::size_t i = 0; given.is_array() && i < given.size(); ++i) {
          auto u = given[i].is_number_integer() ? sql::upload(c, given[i].get<std::int64_t>()) : std::nullopt;
          if (!u || u->account_id != who.principal->account_id) {
            problems.push_back({{"field", "attachments[" + std::to_string(i) + "]"}, {"problem", "not_found"},
                                {"message", "找不到您上传的该文件"}});
            continue;
          }
          sql::MaterialRow m;
          m.name = "办理附件：" + std::string(a.step_key.empty() ? to_string(a.type) : a.step_key);
          m.source = "upload";
          m.upload_id = u->id;
          attachments.push_back(std::move(m));
        }
        if (!problems.empty()) return fail(codes::kValidationFailed, "附件有误", {{"problems", problems}});
        Json names = Json::array();
        for (const auto& m : attachments) names.push_back(*m.upload_id);
        if (!t->events.empty()) t->events.front().payload["attachments"] = names;
      }

      std::vector<sql::MaterialRow> replaced;
      if (a.type == ActionType::kResubmit) {
        Json problems = Json::array();
        // A case is handled under the item version it was filed against.
        Json materials = item->data.value("materials", Json::array());
        replaced = read_materials(impl_->licences, c, body.value("materials", Json::array()), materials,
                                  row->applicant_account_id, row->company_id, problems, "materials");
        std::set<std::string> given;
        for (const auto& m : replaced) given.insert(m.name);
        for (const auto& name : noticed_materials(c, row->id))
          if (!given.contains(name))
            problems.push_back({{"field", "materials"}, {"problem", "correction_missing"}, {"value", name},
                                {"message", "补正告知中的材料“" + name + "”尚未补交"}});
        if (!problems.empty())
          return fail(codes::kValidationFailed, "补正材料不完整", {{"problems", problems}});
      }

      // The step keyed "decide" is the decision itself: finishing the workflow with it decides.
      if (a.type == ActionType::kCompleteStep && a.step_key == "decide" && t->state.workflow.finished()) {
        Action decide = a;
        decide.type = ActionType::kDecide;
        decide.reason = a.opinion.empty() ? "同意" : a.opinion;
        if (auto d = apply(t->state, decide, *used)) {
          std::vector<Event> events = std::move(t->events);
          for (Event& e : d->events) events.push_back(std::move(e));
          d->events = std::move(events);
          t = std::move(d);
        }
      }

      if (!impl_->persist(c, *row, *t, now)) {
        if (if_match)
          return fail(codes::kCaseConflict, "办件已被他人更新，请刷新后重试", {{"expected_version", row->version}});
        return fail(kConflictRetry, "retry");
      }
      for (auto& m : replaced) sql::supersede_materials(c, row->id, m.name);
      for (auto& m : attachments) replaced.push_back(std::move(m));
      for (auto& m : replaced) {
        m.case_id = row->id;
        m.added_at = now;
      }
      sql::insert_materials(c, replaced);
      impl_->audit_transition(c, *row, *t, who, std::string(to_string(a.type)));  // last: see audit::record
      return Json{{"case_no", case_no},
                  {"status", to_string(t->state.status)},
                  {"version", row->version + 1},
                  {"events", [&] {
                     Json types = Json::array();
                     for (const Event& e : t->events) types.push_back(e.type);
                     return types;
                   }()}};
    });
    if (outcome || outcome.error().code != kConflictRetry) return outcome;
  }
  return fail(codes::kCaseConflict, "办件正被多人同时办理，请稍后重试", {{"case_no", case_no}});
}

Result<Json> CaseService::claim(const std::string& case_no, const std::string& step_key, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::vector<Actor> actors = impl_->actors_of(*who.principal);
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto row = sql::case_by_no(c, case_no);
    if (!row) return case_not_found(case_no);
    auto task = sql::task(c, row->id, step_key);
    if (!task) return fail(codes::kCaseTaskNotFound, "该办件没有这一待办环节", {{"case_no", case_no}, {"step", step_key}});
    bool may = false;
    for (const Actor& a : actors) {
      if (a.role != task->role || !division_within(row->division, a.division)) continue;
      bool window = a.role == "window_clerk" && (step_key == "accept" || step_key == "deliver" || step_key == "close");
      may = may || window || a.department == task->department;
    }
    if (!may) return fail(codes::kCaseForbidden, "该待办不属于您", {{"case_no", case_no}, {"step", step_key}});
    if (!sql::claim_task(c, row->id, step_key, who.principal->account_id))
      return fail(codes::kCaseConflict, "该待办已被他人认领", {{"case_no", case_no}, {"step", step_key}});
    audit::record(c, impl_->clock,
                  {.actor = who.principal, .action = "case.claim", .target = "case:" + case_no, .ip = who.ip,
                   .request_id = who.request_id, .details = {{"step", step_key}}});
    return Json{{"case_no", case_no}, {"step", step_key}, {"claimed_by", who.principal->account_id}};
  });
}

}  // namespace tb::cases
