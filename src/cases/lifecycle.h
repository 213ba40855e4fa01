// The case (办件) state machine of issue 5 and STANDARDS §3: submit → accept | correction
// (补正, one notice listing everything, 一次性告知) | refusal (不予受理) → the item's workflow →
// decision → delivery → closure, plus withdrawal, special procedures that stop the clock,
// extensions, return and transfer. Pure: apply() takes the state, the action (stamped by the
// caller from the one clock) and the actor, and returns the next state with the events to
// write in the same transaction, or an error that writes nothing.
//
//   Action accept;
//   accept.type = ActionType::kAccept;
//   accept.at = clock.now_ms();
//   auto t = apply(state, accept, clerk);
//   if (!t) return std::unexpected(t.error());   // CASE_TRANSITION_INVALID, CASE_FORBIDDEN, VALIDATION_FAILED
//   store.update_case(id, t->state, expected_version = state.version); store.append(t->events);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/limits.h"
#include "cases/workflow.h"
#include "core/error.h"
#include "core/time.h"

namespace tb::cases {

enum class CaseStatus {
  kDraft,
  kSubmitted,
  kCorrectionRequired,  // 补正: waiting for the applicant
  kAccepted,
  kInProgress,
  kSpecialProcedure,  // 特别程序: the clock stands still
  kDecidedApproved,
  kDecidedRejected,
  kRefused,  // 不予受理
  kWithdrawn,
  kDelivered,
  kClosed,
};
inline constexpr int kCaseStatusCount = 12;
std::string_view to_string(CaseStatus status);
Result<CaseStatus> parse_case_status(std::string_view text);

enum class ActionType {
  kSubmit,
  kAccept,
  kRequireCorrection,
  kResubmit,
  kRefuse,
  kWithdraw,
  kStartSpecialProcedure,
  kEndSpecialProcedure,
  kExtend,
  kCompleteStep,
  kReturnStep,
  kTransferStep,
  kDecide,
  kDeliver,
  kClose,
};
inline constexpr int kActionTypeCount = 15;
std::string_view to_string(ActionType type);
Result<ActionType> parse_action_type(std::string_view text);

// citizen and company_agent act as applicants; every other role is staff.
bool is_applicant_role(std::string_view role);

enum class ItemKind { kImmediate, kPromised };  // 即办件 / 承诺件

struct CorrectionItem {
  std::string material;
  std::string reason;
};

// One request to move a case. Only the fields the action needs are read (and checked).
struct Action {
  ActionType type = ActionType::kSubmit;
  EpochMs at = 0;                           // from the one clock; business dates derive from it
  std::string reason;                       // refuse, decide(reject), extend, return, transfer, withdraw, close
  std::string legal_basis;                  // refuse
  std::vector<CorrectionItem> corrections;  // require_correction
  std::string name;                         // start_special_procedure
  std::string result;                       // end_special_procedure
  std::string outcome;                      // decide, complete_step: "approve" | "reject"
  std::string opinion;                      // complete_step
  std::string delivery_mode;                // deliver: "window" | "mail" | "electronic"
  std::string step_key;                     // complete_step, return_step, transfer_step
  std::string department;                   // transfer_step
  int days = 0;                             // extend
};

struct CaseState {
  CaseStatus status = CaseStatus::kDraft;
  ItemKind kind = ItemKind::kPromised;
  int promised_limit_days = 0;
  int max_extension_days = 10;  // Art. 42: 10 working days, 15 for joint or centralised handling
  std::int64_t applicant_account_id = 0;
  std::string department;  // the item's department: it accepts, decides and delivers
  std::string division;    // where the case is handled; staff act only inside their subtree
  std::optional<Date> accepted_on;
  std::optional<Date> decided_on;
  std::optional<Outcome> decision;
  // Materials named by correction notices since submission (reset at acceptance): a later
  // notice in the same phase may only repeat them, which is what 一次性告知 means.
  std::vector<std::string> notified_materials;
  std::vector<Pause> pauses;    // corrections after acceptance and special procedures
  std::vector<int> extensions;  // approved extensions, working days
  Workflow workflow;
  std::int64_t version = 0;  // +1 on every transition; the store compares it (409 CASE_CONFLICT)
};

struct Transition {
  CaseState state;
  std::vector<Event> events;
};

// The state machine as data: a legal (from, action) pair and where it usually leads. Targets
// that depend on the case: accept of an immediate item → decided_approved; resubmit after
// acceptance → in_progress; decide(reject) → decided_rejected; extend/transfer_step stay put.
// refuse and close from correction_required are legal only before acceptance.
struct TransitionRule {
  CaseStatus from;
  ActionType action;
  CaseStatus to;
};
const std::vector<TransitionRule>& transition_table();

// Who may ask for an action. Step actions (complete, return) are checked against the step's
// own role and department by the workflow; transfer also lets window clerks route.
struct RoleRule {
  ActionType action;
  std::vector<std::string_view> roles;
  bool step_departments = false;  // staff of an active step's department may act, not only the item's
};
const std::vector<RoleRule>& role_table();

// Order of checks: the role may never do this (CASE_FORBIDDEN) → the state does not allow it
// (CASE_TRANSITION_INVALID, details {from, action}) → this applicant, department or division
// is not the case's (CASE_FORBIDDEN) → missing or bad fields (VALIDATION_FAILED, every one).
Result<Transition> apply(const CaseState& state, const Action& action, const Actor& actor);

// The clocks of an accepted case for compute_limits(); nothing before acceptance.
std::optional<CaseLimitsInput> limits_input(const CaseState& state);

Json to_json(const CaseState& state);
Result<CaseState> case_state_from_json(const Json& doc);

}  // namespace tb::cases
