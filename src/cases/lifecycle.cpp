#include "cases/lifecycle.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/principal.h"

namespace tb::cases {
namespace {

using S = CaseStatus;
using A = ActionType;

// clang-format off
constexpr std::string_view kStatusNames[kCaseStatusCount] = {
    "draft", "submitted", "correction_required", "accepted", "in_progress", "special_procedure",
    "decided_approved", "decided_rejected", "refused", "withdrawn", "delivered", "closed"};
constexpr std::string_view kActionNames[kActionTypeCount] = {
    "submit", "accept", "require_correction", "resubmit", "refuse", "withdraw", "start_special_procedure",
    "end_special_procedure", "extend", "complete_step", "return_step", "transfer_step", "decide", "deliver", "close"};
// clang-format on
constexpr std::string_view kApplicantRoles[] = {"citizen", "company_agent"};
constexpr std::string_view kDeliveryModes[] = {"window", "mail", "electronic"};

}  // namespace

bool is_applicant_role(std::string_view role) {
  return std::find(std::begin(kApplicantRoles), std::end(kApplicantRoles), role) != std::end(kApplicantRoles);
}

namespace {

std::unexpected<Error> invalid_transition(const CaseState& state, ActionType action, std::string message,
                                          std::string_view reason = {}) {
  Json details = {{"from", to_string(state.status)}, {"action", to_string(action)}};
  if (!reason.empty()) details["reason"] = reason;
  return fail(codes::kCaseTransitionInvalid, std::move(message), std::move(details));
}

std::unexpected<Error> forbidden(const Actor& actor, ActionType action, std::string message, std::string_view problem) {
  return fail(codes::kCaseForbidden, std::move(message),
              {{"action", to_string(action)}, {"role", actor.role}, {"problem", problem}});
}

// Every missing or bad field of one action, reported together.
class Problems {
 public:
  void add(std::string field, std::string_view problem, Json value = nullptr) {
    Json row = {{"field", std::move(field)}, {"problem", problem}};
    if (!value.is_null()) row["value"] = std::move(value);
    rows_.push_back(std::move(row));
  }
  void require(const std::string& text, std::string field) {
    if (text.empty()) add(std::move(field), "required");
  }
  Result<void> result(std::string message) const {
    if (rows_.empty()) return {};
    return fail(codes::kValidationFailed, std::move(message), {{"problems", rows_}});
  }

 private:
  Json rows_ = Json::array();
};

const RoleRule* role_rule(ActionType action) {
  for (const RoleRule& rule : role_table())
    if (rule.action == action) return &rule;
  return nullptr;
}

const TransitionRule* transition_rule(CaseStatus from, ActionType action) {
  for (const TransitionRule& rule : transition_table())
    if (rule.from == from && rule.action == action) return &rule;
  return nullptr;
}

// The applicant is the account that filed; staff act inside their division subtree, and
// approvers for the item's department (or, where the rule says, an active step's).
Result<void> check_scope(const CaseState& state, const RoleRule& rule, ActionType action, const Actor& actor) {
  if (is_applicant_role(actor.role)) {
    if (actor.account_id == 0 || actor.account_id != state.applicant_account_id)
      return forbidden(actor, action, "只有申请人本人可以办理此操作", "not_applicant");
    return {};
  }
  if (actor.division.empty() || !division_within(state.division, actor.division))
    return forbidden(actor, action, "该办件不在您所辖区划内", "division");
  if (actor.role == "window_clerk") return {};  // 综合窗口: accepts and hands out for every department
  if (actor.department == state.department) return {};
  if (rule.step_departments)
    for (const Step* step : state.workflow.active_steps())
      if (step->department == actor.department) return {};
  return forbidden(actor, action, "该办件不属于您所在部门", "department");
}

Json event_payload(const CaseState& before, CaseStatus to, const Action& action, const Actor& actor) {
  return {{"from", to_string(before.status)},
          {"to", to_string(to)},
          {"at", format_instant(action.at)},
          {"actor", to_json(actor)}};
}

// Closes the running pause of `kind` (or any, when kind is empty) on `on`.
void end_pause(CaseState& state, Date on, std::string_view kind) {
  for (Pause& p : state.pauses)
    if (!p.end && (kind.empty() || p.kind == kind)) p.end = std::max(on, p.start);
}

void append(std::vector<Event>& to, std::vector<Event> from) {
  for (Event& e : from) to.push_back(std::move(e));
}

// Fills the next state for one legal, authorised action; returns what to add to the event.
Result<Json> perform(CaseState& next, const CaseState& state, const Action& action, const Actor& actor, Date on,
                     std::vector<Event>& extra) {
  Problems problems;
  Json info = Json::object();
  switch (action.type) {
    case A::kSubmit:
      break;
    case A::kAccept:
      next.accepted_on = on;
      next.notified_materials.clear();
      if (state.kind == ItemKind::kImmediate) {
        next.status = S::kDecidedApproved;
        next.decided_on = on;
        next.decision = Outcome::kApprove;
        info["immediate"] = true;
      } else {
        auto started = start(state.workflow, on);
        if (!started) return std::unexpected(started.error());
        next.workflow = std::move(started->workflow);
        append(extra, std::move(started->events));
      }
      break;
    case A::kRequireCorrection: {
      if (action.corrections.empty()) problems.add("corrections", "required");
      std::set<std::string> earlier(state.notified_materials.begin(), state.notified_materials.end());
      Json items = Json::array();
      for (std::size_t i = 0; i < action.corrections.size(); ++i) {
        const CorrectionItem& c = action.corrections[i];
        std::string at = "corrections[" + std::to_string(i) + "]";
        problems.require(c.material, at + ".material");
        problems.require(c.reason, at + ".reason");
        if (!earlier.empty() && !c.material.empty() && !earlier.contains(c.material))
          problems.add(at + ".material", "not_in_earlier_notice", c.material);
        items.push_back({{"material", c.material}, {"reason", c.reason}});
      }
      if (auto ok = problems.result("补正告知须一次性列明每项材料及原因"); !ok) return std::unexpected(ok.error());
      for (const CorrectionItem& c : action.corrections)
        if (!earlier.contains(c.material)) next.notified_materials.push_back(c.material);
      bool after_acceptance = state.accepted_on.has_value();
      if (after_acceptance) next.pauses.push_back({"correction", "", on, std::nullopt});
      info["items"] = std::move(items);
      info["phase"] = after_acceptance ? "review" : "pre_acceptance";
      break;
    }
    case A::kResubmit:
      if (state.accepted_on) {
        next.status = S::kInProgress;
        end_pause(next, on, "correction");
      }
      break;
    case A::kRefuse:
      if (state.accepted_on)
        return invalid_transition(state, action.type, "已受理的办件不能不予受理", "after_acceptance");
      problems.require(action.reason, "reason");
      problems.require(action.legal_basis, "legal_basis");
      if (auto ok = problems.result("不予受理须写明理由和法律依据"); !ok) return std::unexpected(ok.error());
      info["reason"] = action.reason;
      info["legal_basis"] = action.legal_basis;
      break;
    case A::kWithdraw:
      end_pause(next, on, "");
      if (state.workflow.status == WorkflowStatus::kNotStarted || state.workflow.status == WorkflowStatus::kRunning) {
        auto cancelled = cancel(state.workflow, on, "withdrawn");
        if (!cancelled) return std::unexpected(cancelled.error());
        next.workflow = std::move(cancelled->workflow);
        append(extra, std::move(cancelled->events));
      }
      info["reason"] = action.reason;
      break;
    case A::kStartSpecialProcedure:
      problems.require(action.name, "name");
      if (auto ok = problems.result("须写明特别程序的名称"); !ok) return std::unexpected(ok.error());
      next.pauses.push_back({"special_procedure", action.name, on, std::nullopt});
      info["name"] = action.name;
      info["applicant_notified"] = true;  // Art. 45: the applicant is told in writing; the notice hangs off this event
      break;
    case A::kEndSpecialProcedure:
      problems.require(action.result, "result");
      if (auto ok = problems.result("须写明特别程序的结果"); !ok) return std::unexpected(ok.error());
      for (const Pause& p : state.pauses)
        if (!p.end && p.kind == "special_procedure") info["name"] = p.name;
      end_pause(next, on, "special_procedure");
      info["result"] = action.result;
      break;
    case A::kExtend: {
      int used = 0;
      for (int d : state.extensions) used += d;
      if (action.days <= 0)
        problems.add("days", "not_positive", action.days);
      else if (used + action.days > state.max_extension_days)
        problems.add("days", "exceeds_max",
                     {{"requested", action.days}, {"remaining", state.max_extension_days - used}});
      problems.require(action.reason, "reason");
      if (auto ok = problems.result("延期须写明理由，且累计不超过法定可延长的工作日"); !ok)
        return std::unexpected(ok.error());
      next.extensions.push_back(action.days);
      info["days"] = action.days;
      info["reason"] = action.reason;
      break;
    }
    case A::kCompleteStep:
    case A::kReturnStep:
    case A::kTransferStep: {
      Result<WorkflowChange> change = std::unexpected(Error{});
      if (action.type == A::kCompleteStep) {
        auto outcome = parse_outcome(action.outcome);
        if (!outcome) return std::unexpected(outcome.error());
        change = complete(state.workflow, action.step_key, *outcome, actor, on, action.opinion);
      } else if (action.type == A::kReturnStep) {
        change = return_to(state.workflow, action.step_key, actor, on, action.reason);
      } else {
        change = transfer(state.workflow, action.step_key, action.department, actor, action.reason);
      }
      if (!change) return std::unexpected(change.error());
      next.workflow = std::move(change->workflow);
      append(extra, std::move(change->events));
      info["step"] = action.step_key;
      info["workflow_finished"] = next.workflow.finished();
      break;
    }
    case A::kDecide: {
      auto outcome = parse_outcome(action.outcome);
      if (!outcome) return std::unexpected(outcome.error());
      if (!state.workflow.finished())
        return invalid_transition(state, action.type, "办理流程尚未走完，不能作出决定", "workflow_not_finished");
      if (*outcome == Outcome::kApprove && state.workflow.status == WorkflowStatus::kRejected)
        return invalid_transition(state, action.type, "办理环节已不同意，不能作出准予决定", "workflow_rejected");
      if (*outcome == Outcome::kReject) problems.require(action.reason, "reason");
      if (auto ok = problems.result("不予许可须说明理由"); !ok) return std::unexpected(ok.error());
      next.status = *outcome == Outcome::kApprove ? S::kDecidedApproved : S::kDecidedRejected;
      next.decision = *outcome;
      next.decided_on = on;
      info["outcome"] = to_string(*outcome);
      info["reason"] = action.reason;
      break;
    }
    case A::kDeliver:
      if (std::find(std::begin(kDeliveryModes), std::end(kDeliveryModes), action.delivery_mode) ==
          std::end(kDeliveryModes))
        problems.add("delivery_mode", "one_of", action.delivery_mode);
      if (auto ok = problems.result("送达方式须为窗口领取、邮寄或电子送达"); !ok) return std::unexpected(ok.error());
      info["mode"] = action.delivery_mode;
      break;
    case A::kClose:
      if (state.status == S::kCorrectionRequired && state.accepted_on)
        return invalid_transition(state, action.type, "已受理的办件未补正时应作出决定，不能直接办结",
                                  "after_acceptance");
      // Closure results as the provincial exchange names them (STANDARDS §3).
      if (state.status == S::kCorrectionRequired)
        info["closure"] = "correction_not_supplied";
      else if (state.status == S::kDelivered)
        info["closure"] = state.decision == Outcome::kApprove ? "issued" : "rejected";
      else
        info["closure"] = to_string(state.status);
      info["reason"] = action.reason;
      break;
  }
  return info;
}

// clang-format off
constexpr std::string_view kEventNames[kActionTypeCount] = {
    "case.submitted", "case.accepted", "case.correction_required", "case.resubmitted", "case.refused",
    "case.withdrawn", "case.special_procedure_started", "case.special_procedure_ended", "case.extended",
    "case.step_completed", "case.step_returned", "case.step_transferred", "case.decided", "case.delivered",
    "case.closed"};
// clang-format on

}  // namespace

std::string_view to_string(CaseStatus s) {
  return kStatusNames[int(s)];
}
std::string_view to_string(ActionType a) {
  return kActionNames[int(a)];
}

Result<CaseStatus> parse_case_status(std::string_view text) {
  for (int i = 0; i < kCaseStatusCount; ++i)
    if (kStatusNames[i] == text) return CaseStatus(i);
  return fail(codes::kValidationFailed, "未知的办件状态", {{"problems", {{{"field", "status"}, {"value", text}}}}});
}

Result<ActionType> parse_action_type(std::string_view text) {
  for (int i = 0; i < kActionTypeCount; ++i)
    if (kActionNames[i] == text) return ActionType(i);
  return fail(codes::kValidationFailed, "未知的办件操作", {{"problems", {{{"field", "action"}, {"value", text}}}}});
}

const std::vector<TransitionRule>& transition_table() {
  static const std::vector<TransitionRule> table{
      {S::kDraft, A::kSubmit, S::kSubmitted},
      {S::kSubmitted, A::kAccept, S::kAccepted},
      {S::kSubmitted, A::kRequireCorrection, S::kCorrectionRequired},
      {S::kAccepted, A::kRequireCorrection, S::kCorrectionRequired},
      {S::kInProgress, A::kRequireCorrection, S::kCorrectionRequired},
      {S::kCorrectionRequired, A::kResubmit, S::kSubmitted},
      {S::kSubmitted, A::kRefuse, S::kRefused},
      {S::kCorrectionRequired, A::kRefuse, S::kRefused},
      {S::kSubmitted, A::kWithdraw, S::kWithdrawn},
      {S::kCorrectionRequired, A::kWithdraw, S::kWithdrawn},
      {S::kAccepted, A::kWithdraw, S::kWithdrawn},
      {S::kInProgress, A::kWithdraw, S::kWithdrawn},
      {S::kSpecialProcedure, A::kWithdraw, S::kWithdrawn},
      {S::kAccepted, A::kStartSpecialProcedure, S::kSpecialProcedure},
      {S::kInProgress, A::kStartSpecialProcedure, S::kSpecialProcedure},
      {S::kSpecialProcedure, A::kEndSpecialProcedure, S::kInProgress},
      {S::kAccepted, A::kExtend, S::kAccepted},
      {S::kInProgress, A::kExtend, S::kInProgress},
      {S::kSpecialProcedure, A::kExtend, S::kSpecialProcedure},
      {S::kAccepted, A::kCompleteStep, S::kInProgress},
      {S::kInProgress, A::kCompleteStep, S::kInProgress},
      {S::kInProgress, A::kReturnStep, S::kInProgress},
      {S::kAccepted, A::kTransferStep, S::kAccepted},
      {S::kInProgress, A::kTransferStep, S::kInProgress},
      {S::kInProgress, A::kDecide, S::kDecidedApproved},
      {S::kDecidedApproved, A::kDeliver, S::kDelivered},
      {S::kDecidedRejected, A::kDeliver, S::kDelivered},
      {S::kDelivered, A::kClose, S::kClosed},
      {S::kRefused, A::kClose, S::kClosed},
      {S::kWithdrawn, A::kClose, S::kClosed},
      {S::kCorrectionRequired, A::kClose, S::kClosed},
  };
  return table;
}

const std::vector<RoleRule>& role_table() {
  static const std::vector<RoleRule> table{
      {A::kSubmit, {"citizen", "company_agent", "window_clerk"}},
      {A::kAccept, {"window_clerk", "approver"}},
      {A::kRequireCorrection, {"window_clerk", "approver"}, true},
      {A::kResubmit, {"citizen", "company_agent", "window_clerk"}},
      {A::kRefuse, {"window_clerk", "approver"}},
      {A::kWithdraw, {"citizen", "company_agent"}},
      {A::kStartSpecialProcedure, {"approver"}, true},
      {A::kEndSpecialProcedure, {"approver"}, true},
      {A::kExtend, {"approver"}},
      {A::kDecide, {"approver"}},
      {A::kDeliver, {"window_clerk", "approver"}},
      {A::kClose, {"window_clerk", "approver"}},
  };
  return table;
}

Result<Transition> apply(const CaseState& state, const Action& action, const Actor& actor) {
  const RoleRule* roles = role_rule(action.type);
  if (roles && std::find(roles->roles.begin(), roles->roles.end(), actor.role) == roles->roles.end())
    return forbidden(actor, action.type, "您的角色不能办理此操作", "role");
  const TransitionRule* rule = transition_rule(state.status, action.type);
  if (!rule) return invalid_transition(state, action.type, "办件当前状态下不能进行此操作");
  if (roles)
    if (auto scope = check_scope(state, *roles, action.type, actor); !scope) return std::unexpected(scope.error());

  // Without a time from the clock every date the case records would be 1970's.
  if (action.at <= 0)
    return fail(codes::kValidationFailed, "操作缺少发生时间",
                {{"problems", {{{"field", "at"}, {"problem", "required"}}}}});
  Date on = business_date(action.at);
  Transition out{state, {}};
  out.state.status = rule->to;
  std::vector<Event> extra;
  auto info = perform(out.state, state, action, actor, on, extra);
  if (!info) return std::unexpected(info.error());
  Json payload = event_payload(state, out.state.status, action, actor);
  payload.update(*info);
  out.events.push_back({std::string(kEventNames[int(action.type)]), std::move(payload)});
  // The accepted/decided record comes first for an immediate item, then the decision.
  if (action.type == A::kAccept && state.kind == ItemKind::kImmediate)
    out.events.push_back(
        {"case.decided",
         {{"outcome", "approve"}, {"at", format_instant(action.at)}, {"actor", to_json(actor)}, {"immediate", true}}});
  append(out.events, std::move(extra));
  ++out.state.version;
  return out;
}

std::optional<CaseLimitsInput> limits_input(const CaseState& state) {
  if (!state.accepted_on) return std::nullopt;
  CaseLimitsInput in;
  in.accepted_on = *state.accepted_on;
  in.limit_days = state.promised_limit_days;
  in.pauses = state.pauses;
  in.extensions = state.extensions;
  in.finished_on = state.decided_on;
  for (const Stage& stage : state.workflow.stages)
    for (const Step& step : stage.steps)
      if (step.started_on && step.status != StepStatus::kCancelled && step.status != StepStatus::kPending)
        in.steps.push_back({step.key, *step.started_on, step.limit_days, step.finished_on});
  return in;
}

Json to_json(const CaseState& s) {
  auto date = [](const std::optional<Date>& d) { return d ? Json(d->to_string()) : Json(); };
  Json pauses = Json::array();
  for (const Pause& p : s.pauses) pauses.push_back(to_json(p));
  return {{"status", to_string(s.status)},
          {"kind", s.kind == ItemKind::kImmediate ? "immediate" : "promised"},
          {"promised_limit_days", s.promised_limit_days},
          {"max_extension_days", s.max_extension_days},
          {"applicant_account_id", s.applicant_account_id},
          {"department", s.department},
          {"division", s.division},
          {"accepted_on", date(s.accepted_on)},
          {"decided_on", date(s.decided_on)},
          {"decision", s.decision ? Json(to_string(*s.decision)) : Json()},
          {"notified_materials", s.notified_materials},
          {"pauses", std::move(pauses)},
          {"extensions", s.extensions},
          {"workflow", to_json(s.workflow)},
          {"version", s.version}};
}

Result<CaseState> case_state_from_json(const Json& doc) {
  auto bad = [](std::string problem) {
    return fail(codes::kValidationFailed, "办件状态数据格式不正确", {{"problem", std::move(problem)}});
  };
  try {
    CaseState s;
    auto status = parse_case_status(doc.at("status").get<std::string>());
    if (!status) return bad("status");
    s.status = *status;
    std::string kind = doc.at("kind").get<std::string>();
    if (kind != "immediate" && kind != "promised") return bad("kind");
    s.kind = kind == "immediate" ? ItemKind::kImmediate : ItemKind::kPromised;
    s.promised_limit_days = doc.at("promised_limit_days").get<int>();
    s.max_extension_days = doc.at("max_extension_days").get<int>();
    s.applicant_account_id = doc.at("applicant_account_id").get<std::int64_t>();
    s.department = doc.at("department").get<std::string>();
    s.division = doc.at("division").get<std::string>();
    for (const char* field : {"accepted_on", "decided_on"}) {
      if (doc.at(field).is_null()) continue;
      auto d = Date::parse(doc.at(field).get<std::string>());
      if (!d) return bad(field);
      (std::string_view(field) == "accepted_on" ? s.accepted_on : s.decided_on) = *d;
    }
    if (!doc.at("decision").is_null()) {
      auto outcome = parse_outcome(doc.at("decision").get<std::string>());
      if (!outcome) return bad("decision");
      s.decision = *outcome;
    }
    s.notified_materials = doc.at("notified_materials").get<std::vector<std::string>>();
    for (const Json& p : doc.at("pauses")) {
      auto pause = pause_from_json(p);
      if (!pause) return bad("pauses");
      s.pauses.push_back(std::move(*pause));
    }
    s.extensions = doc.at("extensions").get<std::vector<int>>();
    auto wf = workflow_from_json(doc.at("workflow"));
    if (!wf) return std::unexpected(wf.error());
    s.workflow = std::move(*wf);
    s.version = doc.at("version").get<std::int64_t>();
    return s;
  } catch (const Json::exception& e) {
    return bad(e.what());
  }
}

}  // namespace tb::cases
