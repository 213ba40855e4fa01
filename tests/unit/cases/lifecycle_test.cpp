// The case state machine as tables: every legal transition, every illegal one (state ×
// action), who may act (role, applicant, department, division), required fields, immediate
// items, and the state's JSON round trip.
#include "cases/lifecycle.h"

#include <functional>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace tb::cases {
namespace {

using S = CaseStatus;
using A = ActionType;

const Actor kApplicant{7, "张三", "citizen", "", ""};
const Actor kAgent{7, "张三", "company_agent", "", ""};
const Actor kOtherCitizen{8, "李四", "citizen", "", ""};
const Actor kClerk{20, "王窗口", "window_clerk", "ZWFW", "341500"};
const Actor kClerkElsewhere{21, "陈窗口", "window_clerk", "ZWFW", "341503"};
const Actor kApprover{30, "赵审批", "approver", "SCJG", "341500"};
const Actor kCountyApprover{31, "钱审批", "approver", "SCJG", "341502"};
const Actor kOtherCountyApprover{32, "孙审批", "approver", "SCJG", "341503"};
const Actor kFireApprover{40, "周消防", "approver", "XFJY", "341500"};
const Actor kNoDivision{33, "吴审批", "approver", "SCJG", ""};

EpochMs at(const char* date) {
  return *parse_instant(std::string(date) + "T10:00:00+08:00");
}

CaseState fresh(ItemKind kind = ItemKind::kPromised) {
  CaseState s;
  s.kind = kind;
  s.promised_limit_days = kind == ItemKind::kImmediate ? 0 : 20;
  s.applicant_account_id = 7;
  s.department = "SCJG";
  s.division = "341502";
  s.workflow = *build_plan(Json::parse(R"({"steps": [
      {"key": "review", "name": "审查", "role": "approver", "department": "SCJG", "limit_days": 5},
      {"parallel": [{"key": "site", "name": "现场核查", "role": "approver", "department": "SCJG", "limit_days": 3},
                    {"key": "fire", "name": "消防意见", "role": "approver", "department": "XFJY", "limit_days": 3}]},
      {"key": "decide", "name": "决定", "role": "approver", "department": "SCJG", "limit_days": 2}]})"),
                           "341502");
  return s;
}

// A complete, valid request of each kind, as the state it is applied to needs it.
Action good(A type, const CaseState& s) {
  auto active = s.workflow.active_steps();
  std::string first_active = active.empty() ? "review" : active.front()->key;
  Action a;
  a.type = type;
  a.at = at("2026-03-02");
  // clang-format off
  switch (type) {
    case A::kRequireCorrection: a.corrections = {{"营业执照", "复印件不清晰"}, {"场所平面图", "未标明面积"}}; break;
    case A::kRefuse: a.reason = "不属于本机关职权范围"; a.legal_basis = "《行政许可法》第三十二条第一款第（二）项"; break;
    case A::kWithdraw: a.reason = "不再需要"; break;
    case A::kStartSpecialProcedure: a.name = "专家评审"; break;
    case A::kEndSpecialProcedure: a.result = "评审通过"; break;
    case A::kExtend: a.days = 5; a.reason = "情况复杂，经负责人批准延长"; break;
    case A::kCompleteStep: a.step_key = first_active; a.outcome = "approve"; a.opinion = "同意"; break;
    case A::kReturnStep: a.step_key = "review"; a.reason = "审查意见不完整"; break;
    case A::kTransferStep: a.step_key = first_active; a.department = "JA-ZJ"; a.reason = "属区住建局职责"; break;
    case A::kDecide: a.outcome = "approve"; a.reason = "符合法定条件"; break;
    case A::kDeliver: a.delivery_mode = "window"; break;
    default: break;
  }
  // clang-format on
  return a;
}

// Whoever normally asks for each action on this case.
Actor actor_for(A type) {
  if (type == A::kSubmit || type == A::kResubmit || type == A::kWithdraw) return kApplicant;
  if (type == A::kAccept || type == A::kRequireCorrection || type == A::kRefuse || type == A::kTransferStep ||
      type == A::kDeliver || type == A::kClose)
    return kClerk;
  return kApprover;
}

CaseState run(CaseState s, A type, const Actor& actor, std::function<void(Action&)> tweak = {}) {
  Action a = good(type, s);
  if (tweak) tweak(a);
  auto t = apply(s, a, actor);
  if (!t) throw FatalError("setup failed at " + std::string(to_string(type)) + ": " + t.error().message);
  return std::move(t->state);
}

CaseState run(CaseState s, A type) {
  return run(std::move(s), type, actor_for(type));
}

// In progress with every workflow step done: ready for the decision.
CaseState ready() {
  CaseState s = run(run(run(fresh(), A::kSubmit), A::kAccept), A::kCompleteStep);  // review
  s = run(s, A::kCompleteStep, kApprover, [](Action& a) { a.step_key = "site"; });
  s = run(s, A::kCompleteStep, kFireApprover, [](Action& a) { a.step_key = "fire"; });
  return run(s, A::kCompleteStep);  // decide
}

// A case in each state, reached only through legal transitions.
CaseState reach(S status) {
  switch (status) {
    case S::kDraft:
      return fresh();
    case S::kSubmitted:
      return run(fresh(), A::kSubmit);
    case S::kCorrectionRequired:
      return run(reach(S::kSubmitted), A::kRequireCorrection);
    case S::kAccepted:
      return run(reach(S::kSubmitted), A::kAccept);
    case S::kInProgress:
      return run(reach(S::kAccepted), A::kCompleteStep);
    case S::kSpecialProcedure:
      return run(reach(S::kInProgress), A::kStartSpecialProcedure);
    case S::kDecidedApproved:
      return run(ready(), A::kDecide);
    case S::kDecidedRejected:
      return run(ready(), A::kDecide, kApprover, [](Action& a) { a.outcome = "reject"; });
    case S::kRefused:
      return run(reach(S::kSubmitted), A::kRefuse);
    case S::kWithdrawn:
      return run(reach(S::kSubmitted), A::kWithdraw);
    case S::kDelivered:
      return run(reach(S::kDecidedApproved), A::kDeliver);
    case S::kClosed:
      return run(reach(S::kDelivered), A::kClose);
  }
  throw FatalError("unknown status");
}

// clang-format off
// The specification, written independently of lifecycle.cpp's table.
struct Legal { S from; A action; S to; };
const Legal kLegal[] = {
    {S::kDraft,              A::kSubmit,                S::kSubmitted},
    {S::kSubmitted,          A::kAccept,                S::kAccepted},
    {S::kSubmitted,          A::kRequireCorrection,     S::kCorrectionRequired},
    {S::kSubmitted,          A::kRefuse,                S::kRefused},
    {S::kSubmitted,          A::kWithdraw,              S::kWithdrawn},
    {S::kCorrectionRequired, A::kResubmit,              S::kSubmitted},
    {S::kCorrectionRequired, A::kRefuse,                S::kRefused},
    {S::kCorrectionRequired, A::kWithdraw,              S::kWithdrawn},
    {S::kCorrectionRequired, A::kClose,                 S::kClosed},
    {S::kAccepted,           A::kRequireCorrection,     S::kCorrectionRequired},
    {S::kAccepted,           A::kWithdraw,              S::kWithdrawn},
    {S::kAccepted,           A::kStartSpecialProcedure, S::kSpecialProcedure},
    {S::kAccepted,           A::kExtend,                S::kAccepted},
    {S::kAccepted,           A::kCompleteStep,          S::kInProgress},
    {S::kAccepted,           A::kTransferStep,          S::kAccepted},
    {S::kInProgress,         A::kRequireCorrection,     S::kCorrectionRequired},
    {S::kInProgress,         A::kWithdraw,              S::kWithdrawn},
    {S::kInProgress,         A::kStartSpecialProcedure, S::kSpecialProcedure},
    {S::kInProgress,         A::kExtend,                S::kInProgress},
    {S::kInProgress,         A::kCompleteStep,          S::kInProgress},
    {S::kInProgress,         A::kReturnStep,            S::kInProgress},
    {S::kInProgress,         A::kTransferStep,          S::kInProgress},
    {S::kInProgress,         A::kDecide,                S::kDecidedApproved},
    {S::kSpecialProcedure,   A::kEndSpecialProcedure,   S::kInProgress},
    {S::kSpecialProcedure,   A::kWithdraw,              S::kWithdrawn},
    {S::kSpecialProcedure,   A::kExtend,                S::kSpecialProcedure},
    {S::kDecidedApproved,    A::kDeliver,               S::kDelivered},
    {S::kDecidedRejected,    A::kDeliver,               S::kDelivered},
    {S::kRefused,            A::kClose,                 S::kClosed},
    {S::kWithdrawn,          A::kClose,                 S::kClosed},
    {S::kDelivered,          A::kClose,                 S::kClosed},
};
// clang-format on

const Legal* legal(S from, A action) {
  for (const Legal& row : kLegal)
    if (row.from == from && row.action == action) return &row;
  return nullptr;
}

TEST(CaseLifecycle, TheTableInCodeIsTheSpecification) {
  std::set<std::tuple<int, int, int>> spec, code;
  for (const Legal& row : kLegal) spec.insert({int(row.from), int(row.action), int(row.to)});
  for (const TransitionRule& row : transition_table()) code.insert({int(row.from), int(row.action), int(row.to)});
  EXPECT_EQ(spec, code);
}

TEST(CaseLifecycle, EveryLegalTransition) {
  for (const Legal& row : kLegal) {
    SCOPED_TRACE(std::string(to_string(row.from)) + " --" + std::string(to_string(row.action)) + "-->");
    CaseState before = row.from == S::kInProgress && row.action == A::kDecide ? ready() : reach(row.from);
    ASSERT_EQ(before.status, row.from);
    auto t = apply(before, good(row.action, before), actor_for(row.action));
    ASSERT_TRUE(t) << t.error().code << " " << t.error().message << " " << t.error().details.dump();
    EXPECT_EQ(t->state.status, row.to);
    EXPECT_EQ(t->state.version, before.version + 1);
    ASSERT_FALSE(t->events.empty());
    EXPECT_EQ(t->events[0].type.rfind("case.", 0), 0u) << t->events[0].type;
    EXPECT_EQ(t->events[0].payload["from"], to_string(row.from));
    EXPECT_EQ(t->events[0].payload["to"], to_string(row.to));
    EXPECT_EQ(t->events[0].payload["at"], "2026-03-02T10:00:00.000+08:00");
    EXPECT_EQ(t->events[0].payload["actor"]["account_id"], actor_for(row.action).account_id);
  }
}

TEST(CaseLifecycle, EveryIllegalTransition) {
  int checked = 0;
  for (int f = 0; f < kCaseStatusCount; ++f) {
    CaseState before = reach(S(f));
    for (int a = 0; a < kActionTypeCount; ++a) {
      if (legal(S(f), A(a))) continue;
      SCOPED_TRACE(std::string(to_string(S(f))) + " × " + std::string(to_string(A(a))));
      auto t = apply(before, good(A(a), before), actor_for(A(a)));
      ASSERT_FALSE(t) << "went to " << to_string(t->state.status);
      EXPECT_EQ(t.error().code, codes::kCaseTransitionInvalid);
      EXPECT_EQ(t.error().http_status(), 409);
      EXPECT_EQ(t.error().details["from"], to_string(S(f)));
      EXPECT_EQ(t.error().details["action"], to_string(A(a)));
      EXPECT_FALSE(t.error().message.empty());
      ++checked;
    }
  }
  EXPECT_EQ(checked, kCaseStatusCount * kActionTypeCount - int(std::size(kLegal)));
}

// Legal in the table, illegal for this particular case.
TEST(CaseLifecycle, IllegalByContext) {
  CaseState review_correction = run(reach(S::kInProgress), A::kRequireCorrection, kApprover);
  CaseState step_rejected = run(reach(S::kAccepted), A::kCompleteStep, kApprover, [](Action& a) {
    a.outcome = "reject";
    a.opinion = "不符合条件";
  });
  struct Row {
    CaseState state;
    A action;
    const char* reason;
  } rows[] = {
      {review_correction, A::kRefuse, "after_acceptance"},
      {review_correction, A::kClose, "after_acceptance"},  // an unsupplied correction is decided, not closed
      {reach(S::kInProgress), A::kDecide, "workflow_not_finished"},
      {step_rejected, A::kDecide, "workflow_rejected"},  // good() asks to approve
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.reason);
    auto t = apply(row.state, good(row.action, row.state), actor_for(row.action));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, codes::kCaseTransitionInvalid);
    EXPECT_EQ(t.error().details["reason"], row.reason);
  }
}

TEST(CaseLifecycle, RoleDepartmentAndDivision) {
  struct Row {
    S state;
    A action;
    Actor actor;
    const char* problem;  // "": allowed; "*": forbidden for a reason the workflow words itself
  } rows[] = {
      // clang-format off
      {S::kInProgress,         A::kDecide,                kApplicant,           "role"},
      {S::kSubmitted,          A::kWithdraw,              kClerk,               "role"},  // applicant only
      {S::kDraft,              A::kSubmit,                kApprover,            "role"},
      {S::kSubmitted,          A::kAccept,                kApplicant,           "role"},
      {S::kSubmitted,          A::kWithdraw,              kOtherCitizen,        "not_applicant"},
      {S::kCorrectionRequired, A::kResubmit,              kOtherCitizen,        "not_applicant"},
      {S::kDraft,              A::kSubmit,                kAgent,               ""},  // same account as agent
      {S::kDraft,              A::kSubmit,                kClerk,               ""},  // filed at the window
      {S::kSubmitted,          A::kAccept,                kClerkElsewhere,      "division"},
      {S::kSubmitted,          A::kAccept,                kCountyApprover,      ""},
      {S::kSubmitted,          A::kAccept,                kOtherCountyApprover, "division"},
      {S::kSubmitted,          A::kAccept,                kNoDivision,          "division"},
      {S::kSubmitted,          A::kRefuse,                kFireApprover,        "department"},
      {S::kInProgress,         A::kExtend,                kFireApprover,        "department"},
      {S::kInProgress,         A::kStartSpecialProcedure, kFireApprover,        ""},  // the fire step is active
      {S::kSpecialProcedure,   A::kEndSpecialProcedure,   kFireApprover,        ""},
      {S::kAccepted,           A::kStartSpecialProcedure, kFireApprover,        "department"},  // not yet active
      {S::kAccepted,           A::kCompleteStep,          kClerk,               "role"},
      {S::kAccepted,           A::kCompleteStep,          kFireApprover,        "department"},
      {S::kAccepted,           A::kCompleteStep,          kOtherCountyApprover, "division"},
      {S::kAccepted,           A::kTransferStep,          kFireApprover,        "*"},
      {S::kAccepted,           A::kTransferStep,          kApprover,            ""},
      {S::kDecidedApproved,    A::kDeliver,               kApplicant,           "role"},
      {S::kDecidedApproved,    A::kDeliver,               kCountyApprover,      ""},
      // clang-format on
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(to_string(row.state)) + " " + std::string(to_string(row.action)) + " by " +
                 row.actor.name + " (" + row.actor.role + ")");
    CaseState s = reach(row.state);
    auto t = apply(s, good(row.action, s), row.actor);
    if (!*row.problem) {
      EXPECT_TRUE(t) << t.error().code << " " << t.error().details.dump();
      continue;
    }
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, codes::kCaseForbidden);
    EXPECT_EQ(t.error().http_status(), 403);
    if (std::string_view(row.problem) != "*") {
      EXPECT_EQ(t.error().details["problem"], row.problem) << t.error().details.dump();
    }
  }
}

TEST(CaseLifecycle, RequiredFieldsAreAllReported) {
  using Tweak = void (*)(Action&);
  struct Row {
    S state;
    A action;
    Tweak tweak;
    std::set<std::string> fields;
  } rows[] = {
      // clang-format off
      {S::kSubmitted, A::kRefuse, [](Action& a) { a.reason = a.legal_basis = ""; }, {"reason", "legal_basis"}},
      {S::kSubmitted, A::kRefuse, [](Action& a) { a.legal_basis = ""; }, {"legal_basis"}},
      {S::kSubmitted, A::kRequireCorrection, [](Action& a) { a.corrections.clear(); }, {"corrections"}},
      {S::kSubmitted, A::kRequireCorrection, [](Action& a) { a.corrections = {{"营业执照", ""}, {"", "缺"}}; },
       {"corrections[0].reason", "corrections[1].material"}},
      {S::kInProgress, A::kStartSpecialProcedure, [](Action& a) { a.name = ""; }, {"name"}},
      {S::kSpecialProcedure, A::kEndSpecialProcedure, [](Action& a) { a.result = ""; }, {"result"}},
      {S::kInProgress, A::kExtend, [](Action& a) { a.days = 0; a.reason = ""; }, {"days", "reason"}},
      {S::kInProgress, A::kExtend, [](Action& a) { a.days = 11; }, {"days"}},  // beyond Art. 42's ten
      {S::kInProgress, A::kDecide, [](Action& a) { a.outcome = "reject"; a.reason = ""; }, {"reason"}},
      {S::kInProgress, A::kDecide, [](Action& a) { a.outcome = "maybe"; }, {"outcome"}},
      {S::kDecidedApproved, A::kDeliver, [](Action& a) { a.delivery_mode = "fax"; }, {"delivery_mode"}},
      {S::kAccepted, A::kCompleteStep, [](Action& a) { a.step_key = "nope"; }, {"step_key"}},
      {S::kAccepted, A::kCompleteStep, [](Action& a) { a.outcome = "reject"; a.opinion = ""; }, {"opinion"}},
      {S::kInProgress, A::kReturnStep, [](Action& a) { a.reason = ""; }, {"reason"}},
      {S::kAccepted, A::kTransferStep, [](Action& a) { a.department = ""; }, {"department"}},
      {S::kSubmitted, A::kAccept, [](Action& a) { a.at = 0; }, {"at"}},  // no time from the clock
      // clang-format on
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(to_string(row.state)) + " " + std::string(to_string(row.action)));
    CaseState s = row.action == A::kDecide && row.state == S::kInProgress ? ready() : reach(row.state);
    Action a = good(row.action, s);
    row.tweak(a);
    auto t = apply(s, a, actor_for(row.action));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, codes::kValidationFailed);
    std::set<std::string> fields;
    for (const Json& p : t.error().details["problems"]) fields.insert(p["field"].get<std::string>());
    EXPECT_EQ(fields, row.fields) << t.error().details.dump();
  }
}

// 一次性告知: once materials are named, a later notice before acceptance may only repeat them.
TEST(CaseLifecycle, CorrectionNoticeIsOneTime) {
  CaseState s = run(reach(S::kCorrectionRequired), A::kResubmit);
  Action again = good(A::kRequireCorrection, s);
  again.corrections = {{"营业执照", "仍不清晰"}};
  auto repeat = apply(s, again, kClerk);
  ASSERT_TRUE(repeat) << repeat.error().message;
  EXPECT_EQ(repeat->events[0].payload["items"].size(), 1u);
  EXPECT_EQ(repeat->events[0].payload["phase"], "pre_acceptance");

  again.corrections = {{"营业执照", "仍不清晰"}, {"卫生许可", "新发现缺少"}};
  auto fresh_demand = apply(s, again, kClerk);
  ASSERT_FALSE(fresh_demand);
  EXPECT_EQ(fresh_demand.error().code, codes::kValidationFailed);
  EXPECT_EQ(fresh_demand.error().details["problems"][0]["problem"], "not_in_earlier_notice");
  EXPECT_EQ(fresh_demand.error().details["problems"][0]["value"], "卫生许可");

  // Acceptance starts a new phase: review may name what it finds.
  CaseState accepted = run(s, A::kAccept);
  EXPECT_TRUE(accepted.notified_materials.empty());
  auto review = apply(accepted, again, kApprover);
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->events[0].payload["phase"], "review");
}

// The exchange record of a special procedure needs its name, dates and result.
TEST(CaseLifecycle, SpecialProcedureEndNamesItAndItsResult) {
  CaseState s = reach(S::kSpecialProcedure);
  auto t = apply(s, good(A::kEndSpecialProcedure, s), kApprover);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->events[0].payload["name"], "专家评审");
  EXPECT_EQ(t->events[0].payload["result"], "评审通过");
  EXPECT_EQ(to_json(t->state.pauses.back()),
            to_json(Pause{"special_procedure", "专家评审", *Date::parse("2026-03-02"), *Date::parse("2026-03-02")}));
}

TEST(CaseLifecycle, ExtensionsAddUpToTheStatutoryMaximum) {
  CaseState s = run(run(reach(S::kInProgress), A::kExtend), A::kExtend);  // 5 + 5
  EXPECT_EQ(s.extensions, (std::vector<int>{5, 5}));
  auto more = apply(s, good(A::kExtend, s), kApprover);
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().details["problems"][0]["problem"], "exceeds_max");
  EXPECT_EQ(more.error().details["problems"][0]["value"]["remaining"], 0);
}

TEST(CaseLifecycle, ImmediateItemIsDecidedAtAcceptance) {
  CaseState s = run(fresh(ItemKind::kImmediate), A::kSubmit);
  Action accept = good(A::kAccept, s);
  accept.at = at("2026-02-12");
  auto t = apply(s, accept, kClerk);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->state.status, S::kDecidedApproved);
  EXPECT_EQ(t->state.decision, Outcome::kApprove);
  EXPECT_EQ(t->state.accepted_on, t->state.decided_on);
  EXPECT_EQ(t->state.workflow.status, WorkflowStatus::kNotStarted);
  ASSERT_EQ(t->events.size(), 2u);
  EXPECT_EQ(t->events[0].type, "case.accepted");
  EXPECT_EQ(t->events[0].payload["to"], "decided_approved");
  EXPECT_EQ(t->events[1].type, "case.decided");
  EXPECT_EQ(t->events[1].payload["outcome"], "approve");

  CaseState closed = run(run(t->state, A::kDeliver), A::kClose);
  EXPECT_EQ(closed.status, S::kClosed);
  // It can still be sent back for correction or refused before acceptance like any other.
  EXPECT_EQ(run(s, A::kRequireCorrection).status, S::kCorrectionRequired);
  EXPECT_EQ(run(s, A::kRefuse).status, S::kRefused);
}

TEST(CaseLifecycle, AcceptanceStartsTheWorkflowAndStepsDriveIt) {
  CaseState s = reach(S::kSubmitted);
  Action accept = good(A::kAccept, s);
  accept.at = at("2026-02-12");
  auto t = apply(s, accept, kClerk);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state.accepted_on->to_string(), "2026-02-12");
  ASSERT_EQ(t->events.size(), 2u);
  EXPECT_EQ(t->events[1].type, "step.activated");
  EXPECT_EQ(t->events[1].payload["step"], "review");

  CaseState r = ready();
  EXPECT_EQ(r.status, S::kInProgress);
  EXPECT_EQ(r.workflow.status, WorkflowStatus::kApproved);
  auto decided = apply(r, good(A::kDecide, r), kApprover);
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->state.decided_on->to_string(), "2026-03-02");
}

TEST(CaseLifecycle, ClosureRecordsHowTheCaseEnded) {
  struct Row {
    CaseState state;
    const char* closure;
  } rows[] = {
      {reach(S::kDelivered), "issued"},
      {run(reach(S::kDecidedRejected), A::kDeliver), "rejected"},
      {reach(S::kRefused), "refused"},
      {reach(S::kWithdrawn), "withdrawn"},
      {reach(S::kCorrectionRequired), "correction_not_supplied"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.closure);
    auto t = apply(row.state, good(A::kClose, row.state), kClerk);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->events[0].payload["closure"], row.closure);
  }
}

TEST(CaseLifecycle, WithdrawalCancelsOpenStepsAndPauses) {
  CaseState s = reach(S::kSpecialProcedure);
  Action w = good(A::kWithdraw, s);
  w.at = at("2026-03-04");
  auto t = apply(s, w, kApplicant);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state.workflow.status, WorkflowStatus::kCancelled);
  EXPECT_TRUE(t->state.workflow.active_steps().empty());
  EXPECT_EQ(t->state.pauses.back().end->to_string(), "2026-03-04");
  int cancelled = 0;
  for (const Event& e : t->events) cancelled += e.type == "step.cancelled";
  EXPECT_EQ(cancelled, 2);
}

TEST(CaseLifecycle, StatusAndActionNamesRoundTrip) {
  for (int i = 0; i < kCaseStatusCount; ++i) EXPECT_EQ(parse_case_status(to_string(S(i))).value(), S(i));
  for (int i = 0; i < kActionTypeCount; ++i) EXPECT_EQ(parse_action_type(to_string(A(i))).value(), A(i));
  EXPECT_EQ(parse_case_status("approved").error().code, codes::kValidationFailed);
  EXPECT_EQ(parse_action_type("approve").error().code, codes::kValidationFailed);
}

TEST(CaseLifecycle, StateJsonRoundTrip) {
  for (int f = 0; f < kCaseStatusCount; ++f) {
    SCOPED_TRACE(to_string(S(f)));
    CaseState s = reach(S(f));
    Json doc = to_json(s);
    auto back = case_state_from_json(Json::parse(doc.dump()));
    ASSERT_TRUE(back) << back.error().details.dump();
    EXPECT_EQ(to_json(*back), doc);
    EXPECT_EQ(back->version, s.version);
  }
  CaseState corrected = run(reach(S::kInProgress), A::kRequireCorrection, kApprover);
  auto back = case_state_from_json(to_json(corrected));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pauses.size(), 1u);
  EXPECT_EQ(back->notified_materials, corrected.notified_materials);

  Json broken = to_json(corrected);
  broken["status"] = "finished";
  EXPECT_EQ(case_state_from_json(broken).error().code, codes::kValidationFailed);
  broken = to_json(corrected);
  broken.erase("workflow");
  EXPECT_EQ(case_state_from_json(broken).error().code, codes::kValidationFailed);
}

}  // namespace
}  // namespace tb::cases
