// Executing an item's declared workflow (docs/catalog-format.md `workflow.steps`): serial
// steps and `{"parallel": [...]}` groups, 前台综合受理、后台分类审批. Pure values, no I/O: every
// operation takes a Workflow and returns the next one plus the events to write, so the store
// keeps the whole plan as one JSON column and guards it with `version` (optimistic locking).
//
//   auto plan = build_plan(item["workflow"], case_division);
//   auto started = start(*plan, today);                      // first stage active
//   auto next = complete(started->workflow, "site", Outcome::kApprove, actor, today, "同意");
//   if (next->workflow.finished()) …                         // ready for the decision
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace tb::cases {

// Who acts, as the cases module needs it (resolved from a Principal's role grant by the caller).
struct Actor {
  std::int64_t account_id = 0;
  std::string name;
  std::string role;        // "citizen", "company_agent", "window_clerk", "approver", …
  std::string department;  // staff only
  std::string division;    // staff only: the root of the subtree they serve
};
Json to_json(const Actor& actor);

// One row for the outbox: written in the same transaction as the state it describes.
struct Event {
  std::string type;  // "step.completed", "case.accepted", …
  Json payload;
};

enum class Outcome { kApprove, kReject };
std::string_view to_string(Outcome outcome);
Result<Outcome> parse_outcome(std::string_view text);  // "approve" | "reject"

enum class StepStatus { kPending, kActive, kApproved, kRejected, kCancelled };
std::string_view to_string(StepStatus status);

struct Step {
  std::string key;
  std::string name;
  std::string role;
  std::string department;
  int limit_days = 0;
  StepStatus status = StepStatus::kPending;
  std::optional<Date> started_on;   // when it last became active: its own limit runs from here
  std::optional<Date> finished_on;  // approved, rejected or cancelled
  std::string opinion;
  std::int64_t acted_by = 0;  // account that completed it
};

// One serial position: a single step, or a parallel group whose steps run at once.
struct Stage {
  bool parallel = false;
  std::vector<Step> steps;
};

enum class WorkflowStatus { kNotStarted, kRunning, kApproved, kRejected, kCancelled };
std::string_view to_string(WorkflowStatus status);

struct Workflow {
  std::vector<Stage> stages;
  std::string division;  // the case's division: staff act only when it lies in their subtree
  WorkflowStatus status = WorkflowStatus::kNotStarted;
  int current = 0;           // the running stage; stages.size() once finished
  std::int64_t version = 0;  // +1 on every change

  bool finished() const { return status == WorkflowStatus::kApproved || status == WorkflowStatus::kRejected; }
  const Step* find(std::string_view key) const;
  std::vector<const Step*> active_steps() const;
};

struct WorkflowChange {
  Workflow workflow;
  std::vector<Event> events;
};

// The plan from an item's `workflow` object. Fails with codes::kItemInvalid listing every
// problem at once in details.problems [{field, message}].
Result<Workflow> build_plan(const Json& workflow, std::string division);

// Activates the first stage (one step, or every step of a parallel group).
Result<WorkflowChange> start(const Workflow& wf, Date on);

// Marks an active step done. A group joins (exactly once) when its last step approves; a
// rejection anywhere ends the workflow rejected and cancels the group's other active steps;
// approving the last stage finishes the workflow approved.
Result<WorkflowChange> complete(const Workflow& wf, std::string_view step_key, Outcome outcome, const Actor& actor,
                                Date on, std::string opinion = {});

// Sends the case back to an earlier single-step stage: the running stage's active steps are
// cancelled, every stage from the target on is reset and the target step starts again.
// The actor must be able to act on one of the active steps; a reason is required.
Result<WorkflowChange> return_to(const Workflow& wf, std::string_view step_key, const Actor& actor, Date on,
                                 std::string reason);

// Stops a running workflow (the case was withdrawn): active steps are cancelled so they leave
// every to-do list. A workflow that never started is simply marked cancelled.
Result<WorkflowChange> cancel(const Workflow& wf, Date on, std::string_view cause);

// Hands a pending or active step to another department; its clock keeps running. Allowed
// for window clerks and for staff of the step's current department.
Result<WorkflowChange> transfer(const Workflow& wf, std::string_view step_key, std::string department,
                                const Actor& actor, std::string reason);

// Why `actor` may not act on `step` (codes::kCaseForbidden), or nothing when they may:
// same role, same department, and the case's division inside the actor's subtree.
Result<void> check_step_actor(const Step& step, const Actor& actor, std::string_view case_division);

Json to_json(const Workflow& wf);
// Reads back what to_json wrote; anything else is codes::kValidationFailed.
Result<Workflow> workflow_from_json(const Json& doc);

}  // namespace tb::cases
