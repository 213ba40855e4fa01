// The workflow engine: plans from the catalogue format, serial and parallel stages, the join
// happening exactly once whatever the order (and under racing writers with optimistic
// locking), rejection in a branch, return, transfer, and the JSON column round trip.
#include "cases/workflow.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tb::cases {
namespace {

const Date kDay = *Date::parse("2026-02-12");
const Date kLater = *Date::parse("2026-02-24");
const Actor kScjg{30, "赵审批", "approver", "SCJG", "341500"};
const Actor kXfjy{40, "周消防", "approver", "XFJY", "341500"};
const Actor kZj{50, "吴住建", "approver", "JA-ZJ", "341502"};
const Actor kClerk{20, "王窗口", "window_clerk", "ZWFW", "341500"};
const Actor kOtherCounty{32, "孙审批", "approver", "SCJG", "341503"};

// The catalogue example: review → (site ‖ fire) → decide.
Json example() {
  return Json::parse(R"({"steps": [
    {"key": "review", "name": "审查", "role": "approver", "department": "SCJG", "limit_days": 5},
    {"parallel": [{"key": "site", "name": "现场核查", "role": "approver", "department": "SCJG", "limit_days": 3},
                  {"key": "fire", "name": "消防意见", "role": "approver", "department": "XFJY", "limit_days": 3}]},
    {"key": "decide", "name": "决定", "role": "approver", "department": "SCJG", "limit_days": 2}]})");
}

// One wide group: a, b, c (all SCJG) in parallel, then "end".
Json wide(int branches) {
  Json group = Json::array();
  for (int i = 0; i < branches; ++i)
    group.push_back({{"key", "b" + std::to_string(i)},
                     {"name", "并联" + std::to_string(i)},
                     {"role", "approver"},
                     {"department", "SCJG"},
                     {"limit_days", 2}});
  return {{"steps",
           {{{"parallel", group}},
            {{"key", "end"}, {"name", "决定"}, {"role", "approver"}, {"department", "SCJG"}, {"limit_days", 1}}}}};
}

Workflow started(const Json& plan) {
  auto wf = build_plan(plan, "341502");
  if (!wf) throw FatalError(wf.error().details.dump());
  return start(*wf, kDay)->workflow;
}

Workflow done(const Workflow& wf, const char* key, const Actor& actor, Outcome outcome = Outcome::kApprove) {
  auto next = complete(wf, key, outcome, actor, kLater, outcome == Outcome::kReject ? "不同意" : "同意");
  if (!next) throw FatalError(std::string(key) + ": " + next.error().message);
  return next->workflow;
}

std::vector<std::string> active_keys(const Workflow& wf) {
  std::vector<std::string> out;
  for (const Step* s : wf.active_steps()) out.push_back(s->key);
  return out;
}

int count(const std::vector<Event>& events, std::string_view type) {
  return int(std::count_if(events.begin(), events.end(), [&](const Event& e) { return e.type == type; }));
}

TEST(CaseWorkflow, PlanFromTheCatalogueFormat) {
  auto wf = build_plan(example(), "341502");
  ASSERT_TRUE(wf);
  ASSERT_EQ(wf->stages.size(), 3u);
  EXPECT_FALSE(wf->stages[0].parallel);
  EXPECT_TRUE(wf->stages[1].parallel);
  EXPECT_EQ(wf->stages[1].steps.size(), 2u);
  EXPECT_EQ(wf->find("fire")->department, "XFJY");
  EXPECT_EQ(wf->find("decide")->limit_days, 2);
  EXPECT_EQ(wf->find("nope"), nullptr);
  EXPECT_EQ(wf->status, WorkflowStatus::kNotStarted);
  EXPECT_TRUE(wf->active_steps().empty());
}

TEST(CaseWorkflow, BadPlansReportEveryProblem) {
  struct Row {
    const char* name;
    const char* json;
    std::set<std::string> fields;
  } rows[] = {
      {"not an object", "[]", {"workflow.steps"}},
      {"no steps", R"({"steps": []})", {"workflow.steps"}},
      {"one-step group and a bad limit",
       R"({"steps": [{"parallel": [{"key": "a", "name": "甲", "role": "approver", "department": "D", "limit_days": 1}]},
                     {"key": "b", "name": "乙", "role": "approver", "department": "D", "limit_days": -1}]})",
       {"workflow.steps[0].parallel", "workflow.steps[1].limit_days"}},
      {"duplicate key and missing fields",
       R"({"steps": [{"key": "a", "name": "甲", "role": "approver", "department": "D", "limit_days": 1},
                     {"parallel": [{"key": "a", "name": "乙", "role": "approver", "department": "D", "limit_days": 1},
                                   {"key": "c", "limit_days": 1}]}]})",
       {"workflow.steps[1].parallel[0].key", "workflow.steps[1].parallel[1].name", "workflow.steps[1].parallel[1].role",
        "workflow.steps[1].parallel[1].department"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto wf = build_plan(Json::parse(row.json), "341502");
    ASSERT_FALSE(wf);
    EXPECT_EQ(wf.error().code, codes::kItemInvalid);
    std::set<std::string> fields;
    for (const Json& p : wf.error().details["problems"]) fields.insert(p["field"].get<std::string>());
    EXPECT_EQ(fields, row.fields) << wf.error().details.dump();
  }
}

TEST(CaseWorkflow, SerialThenParallelThenSerial) {
  auto plan = build_plan(example(), "341502");
  auto s0 = start(*plan, kDay);
  ASSERT_TRUE(s0);
  EXPECT_EQ(active_keys(s0->workflow), std::vector<std::string>{"review"});
  EXPECT_EQ(s0->workflow.find("review")->started_on, kDay);
  EXPECT_EQ(s0->workflow.version, plan->version + 1);
  EXPECT_EQ(start(s0->workflow, kDay).error().code, codes::kCaseTransitionInvalid);

  auto s1 = complete(s0->workflow, "review", Outcome::kApprove, kScjg, kLater, "材料齐全");
  ASSERT_TRUE(s1);
  EXPECT_EQ(active_keys(s1->workflow), (std::vector<std::string>{"site", "fire"}));
  ASSERT_EQ(s1->events.size(), 3u);
  EXPECT_EQ(s1->events[0].type, "step.completed");
  EXPECT_EQ(s1->events[0].payload["opinion"], "材料齐全");
  EXPECT_EQ(s1->events[0].payload["actor"]["account_id"], 30);
  EXPECT_EQ(count(s1->events, "step.activated"), 2);
  EXPECT_EQ(s1->workflow.find("site")->started_on, kLater);
  EXPECT_EQ(s1->workflow.current, 1);

  auto s2 = complete(s1->workflow, "fire", Outcome::kApprove, kXfjy, kLater);
  ASSERT_TRUE(s2);
  EXPECT_EQ(count(s2->events, "workflow.joined"), 0);
  EXPECT_EQ(active_keys(s2->workflow), std::vector<std::string>{"site"});
  auto s3 = complete(s2->workflow, "site", Outcome::kApprove, kScjg, kLater);
  ASSERT_TRUE(s3);
  EXPECT_EQ(count(s3->events, "workflow.joined"), 1);
  EXPECT_EQ(active_keys(s3->workflow), std::vector<std::string>{"decide"});
  EXPECT_FALSE(s3->workflow.finished());

  auto s4 = complete(s3->workflow, "decide", Outcome::kApprove, kScjg, kLater);
  ASSERT_TRUE(s4);
  EXPECT_TRUE(s4->workflow.finished());
  EXPECT_EQ(s4->workflow.status, WorkflowStatus::kApproved);
  EXPECT_EQ(count(s4->events, "workflow.finished"), 1);
  EXPECT_EQ(s4->workflow.version, s0->workflow.version + 4);
  EXPECT_EQ(complete(s4->workflow, "decide", Outcome::kApprove, kScjg, kLater).error().code,
            codes::kCaseTransitionInvalid);
}

// Every order of three branches: the join comes with the last one, once.
TEST(CaseWorkflow, JoinExactlyOnceInEveryOrder) {
  std::vector<std::string> order = {"b0", "b1", "b2"};
  int orders = 0;
  do {
    SCOPED_TRACE(order[0] + order[1] + order[2]);
    Workflow wf = started(wide(3));
    int joins = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
      auto next = complete(wf, order[i], Outcome::kApprove, kScjg, kLater);
      ASSERT_TRUE(next);
      joins += count(next->events, "workflow.joined");
      EXPECT_EQ(count(next->events, "workflow.joined"), i + 1 == order.size() ? 1 : 0);
      // The branch just done cannot be done again, so a late duplicate never joins a second time.
      auto again = complete(next->workflow, order[i], Outcome::kApprove, kScjg, kLater);
      ASSERT_FALSE(again);
      EXPECT_EQ(again.error().code, codes::kCaseTransitionInvalid);
      wf = next->workflow;
    }
    EXPECT_EQ(joins, 1);
    EXPECT_EQ(active_keys(wf), std::vector<std::string>{"end"});
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 6);
}

// Writers race on one stored value guarded by its version, as the store will: whoever loses
// reloads and retries. However the branches interleave, exactly one join is committed.
TEST(CaseWorkflow, RacingBranchesJoinOnceUnderOptimisticLocking) {
  constexpr int kBranches = 8;
  for (int round = 0; round < 20; ++round) {
    std::mutex mu;
    Workflow stored = started(wide(kBranches));
    std::vector<Event> committed;
    std::atomic<int> conflicts{0};
    std::vector<std::thread> threads;
    for (int b = 0; b < kBranches; ++b) {
      threads.emplace_back([&, b] {
        for (;;) {
          Workflow snapshot;
          {
            std::lock_guard lock(mu);
            snapshot = stored;
          }
          auto next = complete(snapshot, "b" + std::to_string(b), Outcome::kApprove, kScjg, kLater);
          ASSERT_TRUE(next) << next.error().message;
          std::lock_guard lock(mu);
          if (stored.version != snapshot.version) {  // 409 CASE_CONFLICT: reload and try again
            ++conflicts;
            continue;
          }
          stored = next->workflow;
          committed.insert(committed.end(), next->events.begin(), next->events.end());
          return;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(count(committed, "workflow.joined"), 1);
    EXPECT_EQ(count(committed, "step.completed"), kBranches);
    EXPECT_EQ(active_keys(stored), std::vector<std::string>{"end"});
    EXPECT_EQ(stored.version, 1 + kBranches);
  }
}

TEST(CaseWorkflow, RejectionInABranchEndsTheGroup) {
  for (int rejecting = 0; rejecting < 3; ++rejecting) {
    for (int approved_before = 0; approved_before < 3; ++approved_before) {
      if (approved_before == rejecting) continue;
      SCOPED_TRACE("b" + std::to_string(rejecting) + " rejects after b" + std::to_string(approved_before));
      Workflow wf = done(started(wide(3)), ("b" + std::to_string(approved_before)).c_str(), kScjg);
      auto next = complete(wf, "b" + std::to_string(rejecting), Outcome::kReject, kScjg, kLater, "不符合条件");
      ASSERT_TRUE(next);
      EXPECT_EQ(next->workflow.status, WorkflowStatus::kRejected);
      EXPECT_TRUE(next->workflow.active_steps().empty());
      EXPECT_EQ(count(next->events, "step.cancelled"), 1);
      EXPECT_EQ(count(next->events, "workflow.joined"), 1);
      EXPECT_EQ(count(next->events, "workflow.finished"), 1);
      EXPECT_EQ(next->events.back().payload["outcome"], "reject");
      EXPECT_EQ(next->workflow.find("end")->status, StepStatus::kPending);
      int third = 3 - rejecting - approved_before;
      const Step* cancelled = next->workflow.find("b" + std::to_string(third));
      EXPECT_EQ(cancelled->status, StepStatus::kCancelled);
      auto late = complete(next->workflow, cancelled->key, Outcome::kApprove, kScjg, kLater);
      ASSERT_FALSE(late);
      EXPECT_EQ(late.error().code, codes::kCaseTransitionInvalid);
    }
  }
  // A serial rejection ends the workflow too; later stages never start.
  auto serial = complete(started(example()), "review", Outcome::kReject, kScjg, kLater, "材料不实");
  ASSERT_TRUE(serial);
  EXPECT_EQ(serial->workflow.status, WorkflowStatus::kRejected);
  EXPECT_EQ(count(serial->events, "step.activated"), 0);
  EXPECT_EQ(count(serial->events, "workflow.joined"), 0);
}

TEST(CaseWorkflow, OnlyTheStepsOwnersAct) {
  Workflow wf = done(started(example()), "review", kScjg);
  struct Row {
    const char* step;
    Actor actor;
    const char* problem;
  } rows[] = {
      {"fire", kScjg, "department"},
      {"site", kXfjy, "department"},
      {"site", kClerk, "role"},
      {"site", kOtherCounty, "division"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.step) + " by " + row.actor.name);
    auto next = complete(wf, row.step, Outcome::kApprove, row.actor, kLater);
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error().code, codes::kCaseForbidden);
    EXPECT_EQ(next.error().details["problem"], row.problem);
  }
  EXPECT_EQ(complete(wf, "decide", Outcome::kApprove, kScjg, kLater).error().code, codes::kCaseTransitionInvalid);
  EXPECT_EQ(complete(wf, "nope", Outcome::kApprove, kScjg, kLater).error().code, codes::kValidationFailed);
  EXPECT_EQ(complete(wf, "site", Outcome::kReject, kScjg, kLater, "").error().code, codes::kValidationFailed);
  auto not_started = build_plan(example(), "341502");
  EXPECT_EQ(complete(*not_started, "review", Outcome::kApprove, kScjg, kLater).error().code,
            codes::kCaseTransitionInvalid);
}

TEST(CaseWorkflow, ReturnToAnEarlierSerialStep) {
  Workflow wf = done(done(started(example()), "review", kScjg), "fire", kXfjy);  // site still active
  const Date back_on = *Date::parse("2026-02-26");
  auto back = return_to(wf, "review", kScjg, back_on, "审查意见不完整");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(active_keys(back->workflow), std::vector<std::string>{"review"});
  EXPECT_EQ(back->workflow.current, 0);
  EXPECT_EQ(back->workflow.find("review")->started_on, back_on);
  EXPECT_EQ(back->workflow.find("fire")->status, StepStatus::kPending);  // done once, to be done again
  EXPECT_EQ(back->workflow.find("site")->status, StepStatus::kPending);
  EXPECT_EQ(count(back->events, "step.cancelled"), 1);
  ASSERT_EQ(count(back->events, "step.returned"), 1);
  EXPECT_EQ(back->events[1].payload["from"], Json::array({"site"}));

  // Round two joins once again.
  Workflow again = done(done(back->workflow, "review", kScjg), "site", kScjg);
  auto join = complete(again, "fire", Outcome::kApprove, kXfjy, kLater);
  ASSERT_TRUE(join);
  EXPECT_EQ(count(join->events, "workflow.joined"), 1);

  struct Row {
    const char* name;
    const char* target;
    Actor actor;
    std::string reason;
    std::string_view code;
  } rows[] = {
      {"into a parallel group", "site", kScjg, "理由", codes::kCaseTransitionInvalid},
      {"to a later step", "decide", kScjg, "理由", codes::kCaseTransitionInvalid},
      {"by someone with no active step", "review", kZj, "理由", codes::kCaseForbidden},
      {"without a reason", "review", kScjg, "", codes::kValidationFailed},
      {"to an unknown step", "nope", kScjg, "理由", codes::kValidationFailed},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto r = return_to(wf, row.target, row.actor, back_on, row.reason);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, row.code);
  }
  // The current stage is not "earlier".
  EXPECT_EQ(return_to(started(example()), "review", kScjg, back_on, "理由").error().code,
            codes::kCaseTransitionInvalid);
}

TEST(CaseWorkflow, TransferChangesTheStepsDepartment) {
  Workflow wf = done(started(example()), "review", kScjg);
  auto moved = transfer(wf, "site", "JA-ZJ", kClerk, "属金安区住建局职责");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->workflow.find("site")->department, "JA-ZJ");
  EXPECT_EQ(moved->workflow.find("site")->started_on, kLater);  // the clock keeps running
  EXPECT_EQ(moved->events[0].payload["from"], "SCJG");
  EXPECT_EQ(moved->events[0].payload["to"], "JA-ZJ");
  EXPECT_EQ(moved->workflow.version, wf.version + 1);
  EXPECT_EQ(complete(moved->workflow, "site", Outcome::kApprove, kScjg, kLater).error().code, codes::kCaseForbidden);
  EXPECT_TRUE(complete(moved->workflow, "site", Outcome::kApprove, kZj, kLater));

  // A pending step may be handed over ahead by its own department.
  EXPECT_TRUE(transfer(wf, "decide", "JA-ZJ", kScjg, "改由区局决定"));

  struct Row {
    const char* name;
    const char* step;
    std::string department;
    Actor actor;
    std::string_view code;
  } rows[] = {
      {"a finished step", "review", "JA-ZJ", kClerk, codes::kCaseTransitionInvalid},
      {"to the same department", "site", "SCJG", kClerk, codes::kValidationFailed},
      {"to nowhere", "site", "", kClerk, codes::kValidationFailed},
      {"by another department", "site", "JA-ZJ", kXfjy, codes::kCaseForbidden},
      {"by a clerk of another county", "site", "JA-ZJ", Actor{21, "陈窗口", "window_clerk", "ZWFW", "341503"},
       codes::kCaseForbidden},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto r = transfer(wf, row.step, row.department, row.actor, "理由");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, row.code);
  }
}

TEST(CaseWorkflow, CancelStopsEveryActiveStep) {
  Workflow wf = done(started(example()), "review", kScjg);
  auto stopped = cancel(wf, kLater, "withdrawn");
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->workflow.status, WorkflowStatus::kCancelled);
  EXPECT_EQ(count(stopped->events, "step.cancelled"), 2);
  EXPECT_EQ(stopped->events[0].payload["cause"], "withdrawn");
  EXPECT_EQ(cancel(stopped->workflow, kLater, "again").error().code, codes::kCaseTransitionInvalid);
  EXPECT_EQ(complete(stopped->workflow, "site", Outcome::kApprove, kScjg, kLater).error().code,
            codes::kCaseTransitionInvalid);
}

TEST(CaseWorkflow, JsonRoundTrip) {
  Workflow a = *build_plan(example(), "341502");
  Workflow b = started(example());
  Workflow c = done(b, "review", kScjg);
  Workflow d = done(c, "fire", kXfjy);
  Workflow e = done(d, "site", kScjg, Outcome::kReject);
  for (const Workflow* wf : {&a, &b, &c, &d, &e}) {
    SCOPED_TRACE(to_string(wf->status));
    Json doc = to_json(*wf);
    auto back = workflow_from_json(Json::parse(doc.dump()));
    ASSERT_TRUE(back) << back.error().details.dump();
    EXPECT_EQ(to_json(*back), doc);
    EXPECT_EQ(back->version, wf->version);
    EXPECT_EQ(active_keys(*back), active_keys(*wf));
  }
  Json doc = to_json(d);
  EXPECT_EQ(doc["stages"][1]["steps"][1]["status"], "approved");
  EXPECT_EQ(doc["stages"][1]["steps"][1]["finished_on"], "2026-02-24");
  EXPECT_EQ(doc["stages"][1]["steps"][1]["acted_by"], 40);

  for (auto breaker : {+[](Json& j) { j["status"] = "paused"; }, +[](Json& j) { j["current"] = 9; },
                       +[](Json& j) { j["stages"][0]["steps"][0]["started_on"] = "2026-02-30"; },
                       +[](Json& j) { j["stages"][0]["steps"][0].erase("key"); }}) {
    Json broken = to_json(d);
    breaker(broken);
    auto back = workflow_from_json(broken);
    ASSERT_FALSE(back);
    EXPECT_EQ(back.error().code, codes::kValidationFailed);
  }
}

}  // namespace
}  // namespace tb::cases
