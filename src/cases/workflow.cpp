#include "cases/workflow.h"

#include <set>
#include <stdexcept>
#include <utility>

#include "core/principal.h"

namespace tb::cases {
namespace {

constexpr std::string_view kStepStatusNames[] = {"pending", "active", "approved", "rejected", "cancelled"};
constexpr std::string_view kWorkflowStatusNames[] = {"not_started", "running", "approved", "rejected", "cancelled"};

std::unexpected<Error> invalid_state(std::string message, Json details) {
  return fail(codes::kCaseTransitionInvalid, std::move(message), std::move(details));
}

std::unexpected<Error> unknown_step(std::string_view key) {
  return fail(codes::kValidationFailed, "流程中没有环节 " + std::string(key),
              {{"problems", {{{"field", "step_key"}, {"problem", "unknown_step"}, {"value", key}}}}});
}

std::unexpected<Error> missing_reason(std::string_view field) {
  return fail(codes::kValidationFailed, "须填写理由", {{"problems", {{{"field", field}, {"problem", "required"}}}}});
}

// Index of the stage holding `key`, and the step's index inside it.
std::optional<std::pair<int, int>> locate(const Workflow& wf, std::string_view key) {
  for (int s = 0; s < int(wf.stages.size()); ++s)
    for (int i = 0; i < int(wf.stages[s].steps.size()); ++i)
      if (wf.stages[s].steps[i].key == key) return std::pair{s, i};
  return std::nullopt;
}

Event activated(const Step& step) {
  return {"step.activated",
          {{"step", step.key},
           {"name", step.name},
           {"department", step.department},
           {"started_on", step.started_on->to_string()}}};
}

void activate_stage(Workflow& wf, int stage, Date on, std::vector<Event>& events) {
  for (Step& step : wf.stages[stage].steps) {
    step.status = StepStatus::kActive;
    step.started_on = on;
    step.finished_on.reset();
    step.opinion.clear();
    step.acted_by = 0;
    events.push_back(activated(step));
  }
}

void cancel_active(Stage& stage, Date on, std::string_view cause, std::vector<Event>& events) {
  for (Step& step : stage.steps) {
    if (step.status != StepStatus::kActive) continue;
    step.status = StepStatus::kCancelled;
    step.finished_on = on;
    events.push_back({"step.cancelled", {{"step", step.key}, {"on", on.to_string()}, {"cause", cause}}});
  }
}

std::unexpected<Error> not_running(const Workflow& wf) {
  return invalid_state("办理流程未在进行中", {{"workflow_status", to_string(wf.status)}});
}

// A stored plan that does not read back; caught in workflow_from_json like the library's own errors.
struct BadStoredValue : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::optional<Date> date_field(const Json& j, const char* name) {
  if (!j.contains(name) || j[name].is_null()) return std::nullopt;
  auto d = Date::parse(j[name].get<std::string>());
  if (!d) throw BadStoredValue("bad date in " + std::string(name));
  return *d;
}

template <std::size_t N>
int index_of(const std::string_view (&names)[N], const std::string& text) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return int(i);
  throw BadStoredValue("unknown value " + text);
}

}  // namespace

Json to_json(const Actor& a) {
  return {{"account_id", a.account_id},
          {"name", a.name},
          {"role", a.role},
          {"department", a.department},
          {"division", a.division}};
}

std::string_view to_string(Outcome o) {
  return o == Outcome::kApprove ? "approve" : "reject";
}

Result<Outcome> parse_outcome(std::string_view text) {
  if (text == "approve") return Outcome::kApprove;
  if (text == "reject") return Outcome::kReject;
  return fail(codes::kValidationFailed, "办理意见须为 approve（同意）或 reject（不同意）",
              {{"problems", {{{"field", "outcome"}, {"problem", "one_of"}, {"value", text}}}}});
}

std::string_view to_string(StepStatus s) {
  return kStepStatusNames[int(s)];
}
std::string_view to_string(WorkflowStatus s) {
  return kWorkflowStatusNames[int(s)];
}

const Step* Workflow::find(std::string_view key) const {
  auto at = locate(*this, key);
  return at ? &stages[at->first].steps[at->second] : nullptr;
}

std::vector<const Step*> Workflow::active_steps() const {
  std::vector<const Step*> out;
  for (const Stage& stage : stages)
    for (const Step& step : stage.steps)
      if (step.status == StepStatus::kActive) out.push_back(&step);
  return out;
}

Result<Workflow> build_plan(const Json& doc, std::string division) {
  Json problems = Json::array();
  auto bad = [&](std::string field, std::string message) {
    problems.push_back({{"field", std::move(field)}, {"message", std::move(message)}});
  };
  std::set<std::string> keys;
  auto read_step = [&](const Json& j, const std::string& path) {
    Step step;
    auto text = [&](const char* name, std::string& out, const char* label) {
      if (j.contains(name) && j[name].is_string() && !j[name].get_ref<const std::string&>().empty())
        out = j[name].get<std::string>();
      else
        bad(path + "." + name, std::string("环节须有") + label);
    };
    if (!j.is_object()) {
      bad(path, "环节应为 JSON 对象");
      return step;
    }
    text("key", step.key, " key");
    text("name", step.name, "名称");
    text("role", step.role, "办理角色");
    text("department", step.department, "办理部门");
    if (!step.key.empty() && !keys.insert(step.key).second) bad(path + ".key", "环节 key 重复");
    const Json limit = j.value("limit_days", Json());
    if (limit.is_number_integer() && limit.get<int>() >= 0)
      step.limit_days = limit.get<int>();
    else
      bad(path + ".limit_days", "环节时限须为非负整数（工作日）");
    return step;
  };

  Workflow wf;
  wf.division = std::move(division);
  const Json* steps = doc.is_object() && doc.contains("steps") ? &doc["steps"] : nullptr;
  if (!steps || !steps->is_array() || steps->empty()) {
    bad("workflow.steps", "办理流程至少要有一个环节");
  } else {
    for (std::size_t i = 0; i < steps->size(); ++i) {
      const Json& entry = (*steps)[i];
      std::string path = "workflow.steps[" + std::to_string(i) + "]";
      Stage stage;
      if (entry.is_object() && entry.contains("parallel")) {
        stage.parallel = true;
        const Json& group = entry["parallel"];
        if (!group.is_array() || group.size() < 2) {
          bad(path + ".parallel", "并联环节至少两个");
        } else {
          for (std::size_t k = 0; k < group.size(); ++k)
            stage.steps.push_back(read_step(group[k], path + ".parallel[" + std::to_string(k) + "]"));
        }
      } else {
        stage.steps.push_back(read_step(entry, path));
      }
      wf.stages.push_back(std::move(stage));
    }
  }
  if (!problems.empty())
    return fail(codes::kItemInvalid, "事项的办理流程定义有误，无法执行", {{"problems", std::move(problems)}});
  return wf;
}

Result<WorkflowChange> start(const Workflow& wf, Date on) {
  if (wf.status != WorkflowStatus::kNotStarted)
    return invalid_state("办理流程已经开始", {{"workflow_status", to_string(wf.status)}});
  if (wf.stages.empty()) return fail(codes::kItemInvalid, "事项的办理流程没有环节", {{"problem", "no_steps"}});
  WorkflowChange out{wf, {}};
  out.workflow.status = WorkflowStatus::kRunning;
  out.workflow.current = 0;
  activate_stage(out.workflow, 0, on, out.events);
  ++out.workflow.version;
  return out;
}

Result<void> check_step_actor(const Step& step, const Actor& actor, std::string_view case_division) {
  auto deny = [&](std::string message, std::string_view problem) -> Result<void> {
    return fail(codes::kCaseForbidden, std::move(message),
                {{"step", step.key}, {"problem", problem}, {"role", actor.role}, {"department", actor.department}});
  };
  if (actor.role != step.role) return deny("该环节须由" + step.role + "角色办理", "role");
  if (actor.department != step.department) return deny("该环节由其他部门办理", "department");
  if (actor.division.empty() || !division_within(case_division, actor.division))
    return deny("该办件不在您所辖区划内", "division");
  return {};
}

Result<WorkflowChange> complete(const Workflow& wf, std::string_view step_key, Outcome outcome, const Actor& actor,
                                Date on, std::string opinion) {
  auto at = locate(wf, step_key);
  if (!at) return unknown_step(step_key);
  if (wf.status != WorkflowStatus::kRunning) return not_running(wf);
  const Step& current = wf.stages[at->first].steps[at->second];
  // A second completion of the same branch is refused here, which is what makes the join happen once.
  if (current.status != StepStatus::kActive)
    return invalid_state("环节「" + current.name + "」当前不可办理",
                         {{"step", current.key}, {"step_status", to_string(current.status)}});
  if (auto allowed = check_step_actor(current, actor, wf.division); !allowed) return std::unexpected(allowed.error());
  if (outcome == Outcome::kReject && opinion.empty()) return missing_reason("opinion");

  WorkflowChange out{wf, {}};
  Workflow& next = out.workflow;
  Stage& stage = next.stages[at->first];
  Step& step = stage.steps[at->second];
  step.status = outcome == Outcome::kApprove ? StepStatus::kApproved : StepStatus::kRejected;
  step.finished_on = on;
  step.opinion = std::move(opinion);
  step.acted_by = actor.account_id;
  // The step's own role and department go with the actor, so the event alone shows who
  // was required and who acted (supervision checks it).
  out.events.push_back({"step.completed",
                        {{"step", step.key},
                         {"name", step.name},
                         {"role", step.role},
                         {"department", step.department},
                         {"outcome", to_string(outcome)},
                         {"opinion", step.opinion},
                         {"on", on.to_string()},
                         {"actor", to_json(actor)}}});

  bool stage_done = outcome == Outcome::kReject;
  if (outcome == Outcome::kReject) {
    cancel_active(stage, on, "branch_rejected", out.events);
  } else {
    stage_done = true;
    for (const Step& s : stage.steps)
      if (s.status != StepStatus::kApproved) stage_done = false;
  }
  if (!stage_done) {
    ++next.version;
    return out;
  }
  if (stage.parallel) {
    Json keys = Json::array();
    for (const Step& s : stage.steps) keys.push_back(s.key);
    out.events.push_back({"workflow.joined", {{"stage", at->first}, {"steps", keys}, {"outcome", to_string(outcome)}}});
  }
  if (outcome == Outcome::kReject || at->first + 1 == int(next.stages.size())) {
    next.status = outcome == Outcome::kApprove ? WorkflowStatus::kApproved : WorkflowStatus::kRejected;
    next.current = int(next.stages.size());
    out.events.push_back({"workflow.finished", {{"outcome", to_string(outcome)}, {"on", on.to_string()}}});
  } else {
    next.current = at->first + 1;
    activate_stage(next, next.current, on, out.events);
  }
  ++next.version;
  return out;
}

Result<WorkflowChange> return_to(const Workflow& wf, std::string_view step_key, const Actor& actor, Date on,
                                 std::string reason) {
  auto at = locate(wf, step_key);
  if (!at) return unknown_step(step_key);
  if (wf.status != WorkflowStatus::kRunning) return not_running(wf);
  if (at->first >= wf.current || wf.stages[at->first].parallel)
    return invalid_state("只能退回到此前已办理的串联环节",
                         {{"step", step_key}, {"problem", "not_earlier_serial_step"}});
  Result<void> allowed =
      fail(codes::kCaseForbidden, "您不能办理当前任何环节，不能退回", {{"problem", "no_active_step"}});
  Json from = Json::array();
  for (const Step& s : wf.stages[wf.current].steps) {
    if (s.status != StepStatus::kActive) continue;
    from.push_back(s.key);
    if (!allowed) {
      auto mine = check_step_actor(s, actor, wf.division);
      if (mine) allowed = mine;
    }
  }
  if (!allowed) return std::unexpected(allowed.error());
  if (reason.empty()) return missing_reason("reason");

  WorkflowChange out{wf, {}};
  Workflow& next = out.workflow;
  cancel_active(next.stages[next.current], on, "returned", out.events);
  out.events.push_back({"step.returned",
                        {{"from", from},
                         {"to", std::string(step_key)},
                         {"reason", reason},
                         {"on", on.to_string()},
                         {"actor", to_json(actor)}}});
  for (int s = at->first; s <= next.current; ++s)
    for (Step& step : next.stages[s].steps) {
      step.status = StepStatus::kPending;
      step.started_on.reset();
      step.finished_on.reset();
      step.opinion.clear();
      step.acted_by = 0;
    }
  next.current = at->first;
  activate_stage(next, next.current, on, out.events);
  ++next.version;
  return out;
}

Result<WorkflowChange> cancel(const Workflow& wf, Date on, std::string_view cause) {
  if (wf.status != WorkflowStatus::kNotStarted && wf.status != WorkflowStatus::kRunning) return not_running(wf);
  WorkflowChange out{wf, {}};
  for (Stage& stage : out.workflow.stages) cancel_active(stage, on, cause, out.events);
  out.workflow.status = WorkflowStatus::kCancelled;
  out.workflow.current = int(out.workflow.stages.size());
  ++out.workflow.version;
  return out;
}

Result<WorkflowChange> transfer(const Workflow& wf, std::string_view step_key, std::string department,
                                const Actor& actor, std::string reason) {
  auto at = locate(wf, step_key);
  if (!at) return unknown_step(step_key);
  if (wf.status != WorkflowStatus::kNotStarted && wf.status != WorkflowStatus::kRunning) return not_running(wf);
  const Step& step = wf.stages[at->first].steps[at->second];
  if (step.status != StepStatus::kPending && step.status != StepStatus::kActive)
    return invalid_state("环节「" + step.name + "」已办结，不能移交",
                         {{"step", step.key}, {"step_status", to_string(step.status)}});
  // The comprehensive window routes cases for every department; otherwise only the holder hands over.
  bool clerk = actor.role == "window_clerk";
  bool holder = actor.role == step.role && actor.department == step.department;
  if ((!clerk && !holder) || actor.division.empty() || !division_within(wf.division, actor.division))
    return fail(codes::kCaseForbidden, "只有综合窗口或该环节所属部门可以移交",
                {{"step", step.key}, {"role", actor.role}, {"department", actor.department}});
  Json problems = Json::array();
  if (department.empty())
    problems.push_back({{"field", "department"}, {"problem", "required"}});
  else if (department == step.department)
    problems.push_back({{"field", "department"}, {"problem", "same_department"}});
  if (reason.empty()) problems.push_back({{"field", "reason"}, {"problem", "required"}});
  if (!problems.empty())
    return fail(codes::kValidationFailed, "移交须写明接收部门（不同于原部门）和理由", {{"problems", problems}});

  WorkflowChange out{wf, {}};
  Step& moved = out.workflow.stages[at->first].steps[at->second];
  out.events.push_back({"step.transferred",
                        {{"step", moved.key},
                         {"from", moved.department},
                         {"to", department},
                         {"reason", reason},
                         {"actor", to_json(actor)}}});
  moved.department = std::move(department);
  ++out.workflow.version;
  return out;
}

Json to_json(const Workflow& wf) {
  auto date = [](const std::optional<Date>& d) { return d ? Json(d->to_string()) : Json(); };
  Json stages = Json::array();
  for (const Stage& stage : wf.stages) {
    Json steps = Json::array();
    for (const Step& s : stage.steps)
      steps.push_back({{"key", s.key},
                       {"name", s.name},
                       {"role", s.role},
                       {"department", s.department},
                       {"limit_days", s.limit_days},
                       {"status", to_string(s.status)},
                       {"started_on", date(s.started_on)},
                       {"finished_on", date(s.finished_on)},
                       {"opinion", s.opinion},
                       {"acted_by", s.acted_by}});
    stages.push_back({{"parallel", stage.parallel}, {"steps", std::move(steps)}});
  }
  return {{"division", wf.division},
          {"status", to_string(wf.status)},
          {"current", wf.current},
          {"version", wf.version},
          {"stages", std::move(stages)}};
}

Result<Workflow> workflow_from_json(const Json& doc) {
  try {
    Workflow wf;
    wf.division = doc.at("division").get<std::string>();
    wf.status = WorkflowStatus(index_of(kWorkflowStatusNames, doc.at("status").get<std::string>()));
    wf.current = doc.at("current").get<int>();
    wf.version = doc.at("version").get<std::int64_t>();
    for (const Json& js : doc.at("stages")) {
      Stage stage;
      stage.parallel = js.at("parallel").get<bool>();
      for (const Json& j : js.at("steps")) {
        Step s;
        s.key = j.at("key").get<std::string>();
        s.name = j.at("name").get<std::string>();
        s.role = j.at("role").get<std::string>();
        s.department = j.at("department").get<std::string>();
        s.limit_days = j.at("limit_days").get<int>();
        s.status = StepStatus(index_of(kStepStatusNames, j.at("status").get<std::string>()));
        s.started_on = date_field(j, "started_on");
        s.finished_on = date_field(j, "finished_on");
        s.opinion = j.at("opinion").get<std::string>();
        s.acted_by = j.at("acted_by").get<std::int64_t>();
        stage.steps.push_back(std::move(s));
      }
      wf.stages.push_back(std::move(stage));
    }
    if (wf.current < 0 || wf.current > int(wf.stages.size())) throw BadStoredValue("current out of range");
    return wf;
  } catch (const Json::exception& e) {
    return fail(codes::kValidationFailed, "办理流程数据格式不正确", {{"problem", e.what()}});
  } catch (const BadStoredValue& e) {
    return fail(codes::kValidationFailed, "办理流程数据格式不正确", {{"problem", e.what()}});
  }
}

}  // namespace tb::cases
