// The alert rules (rules.h), from tables: which time alert a watched case has on a day, when a
// closure lacks its delivery, and when a completed step's actor lacked the step's role.
#include <gtest/gtest.h>

#include "supervision/rules.h"

namespace tb::supervision {
namespace {

Date d(std::string_view text) {
  return *Date::parse(text);
}

TEST(SupervisionAlerts, TheTimeAlertOfADay) {
  Watch w;
  w.accepted_on = d("2026-02-12");
  w.deadline = d("2026-03-04");
  w.warn_from = d("2026-03-02");
  w.overdue_from = d("2026-03-05");
  struct Row {
    bool open, paused;
    const char* day;
    TimeAlert want;
  };
  for (const Row& r : std::vector<Row>{
           {true, false, "2026-02-27", TimeAlert::kNone},
           {true, false, "2026-03-01", TimeAlert::kNone},     // the day before the warning
           {true, false, "2026-03-02", TimeAlert::kWarning},  // the warning's first day
           {true, false, "2026-03-04", TimeAlert::kWarning},  // the deadline itself
           {true, false, "2026-03-05", TimeAlert::kOverdue},  // the day after: overdue, no longer the warning
           {true, false, "2026-04-01", TimeAlert::kOverdue},
           {true, true, "2026-03-05", TimeAlert::kUnchanged},  // paused: nothing raised, nothing cleared
           {false, false, "2026-03-05", TimeAlert::kNone},     // finished: both cleared
           {false, true, "2026-03-02", TimeAlert::kNone},
       }) {
    w.open = r.open;
    w.paused = r.paused;
    EXPECT_EQ(time_alert_on(w, d(r.day)), r.want) << r.day << " open=" << r.open << " paused=" << r.paused;
  }
}

cases::OutboxEvent event(std::int64_t position, std::string type, Json payload = Json::object()) {
  return {position, 1, "C1", std::move(type), std::move(payload), 0};
}

TEST(SupervisionAlerts, AClosureAfterAnApprovalNeedsADelivery) {
  Json approve = {{"outcome", "approve"}, {"at", "2026-03-05T10:00:00+08:00"}};
  Json reject = {{"outcome", "reject"}};
  Json closed = {{"from", "decided_approved"},
                 {"at", "2026-03-06T09:00:00+08:00"},
                 {"actor", {{"name", "王敏"}, {"account_id", 7}}}};
  struct Row {
    std::vector<cases::OutboxEvent> history;  // the closure is at position 100
    bool alert;
  };
  for (const auto& [history, alert] : std::vector<Row>{
           {{event(1, "case.accepted"), event(2, "case.decided", approve), event(3, "case.delivered")}, false},
           {{event(1, "case.accepted"), event(2, "case.decided", approve)}, true},
           {{event(1, "case.decided", reject)}, false},  // a refusal: this rule is about approvals
           {{event(1, "case.withdrawn")}, false},        // never decided
           {{event(1, "case.refused")}, false},
           // Delivered, then decided again (approved): that decision was never delivered.
           {{event(1, "case.decided", approve), event(2, "case.delivered"), event(3, "case.decided", approve)}, true},
           // A delivery after the closure does not count.
           {{event(1, "case.decided", approve), event(101, "case.delivered")}, true},
           {{event(1, "case.decided", "not an object")}, false},  // a malformed payload is no approval
       }) {
    auto found = closed_without_delivery(history, event(100, "case.closed", closed));
    EXPECT_EQ(found.has_value(), alert) << history.size();
    if (found) {
      EXPECT_EQ((*found)["closed_by"], "王敏");
      EXPECT_EQ((*found)["closed_from"], "decided_approved");
    }
  }
}

TEST(SupervisionAlerts, AStepDoneWithoutItsRoleOrDepartment) {
  cases::Workflow wf;
  wf.division = "341500";
  cases::Step review;
  review.key = "review";
  review.role = "approver";
  review.department = "GA";
  wf.stages.push_back({false, {review}});
  auto actor = [](const char* role, const char* department, const char* division) {
    return Json{
        {"account_id", 9}, {"name", "某人"}, {"role", role}, {"department", department}, {"division", division}};
  };
  struct Row {
    Json payload;
    std::vector<std::string> problems;  // empty: no alert
  };
  for (const auto& [payload, problems] : std::vector<Row>{
           {{{"step", "review"}, {"actor", actor("approver", "GA", "341500")}}, {}},
           {{{"step", "review"}, {"actor", actor("approver", "GA", "341502")}}, {"division"}},  // a county approver
           {{{"step", "review"}, {"actor", actor("window_clerk", "GA", "341500")}}, {"role"}},
           {{{"step", "review"}, {"actor", actor("approver", "SCJG", "341500")}}, {"department"}},
           {{{"step", "review"}, {"actor", actor("window_clerk", "ZWFW", "341500")}}, {"role", "department"}},
           {{{"step", "review"}}, {"role", "department", "division"}},  // no actor at all
           // The event's own role and department win over the plan's (a step transferred since).
           {{{"step", "review"},
             {"role", "approver"},
             {"department", "XFJY"},
             {"actor", actor("approver", "XFJY", "341500")}},
            {}},
           {{{"step", "review"},
             {"role", "approver"},
             {"department", "XFJY"},
             {"actor", actor("approver", "GA", "341500")}},
            {"department"}},
           {{{"step", "unknown"}, {"actor", actor("citizen", "", "")}}, {}},  // no such step: nothing to compare
           {Json("not an object"), {}},
       }) {
    auto found = step_without_role(payload, wf, "341500");
    ASSERT_EQ(found.has_value(), !problems.empty()) << payload.dump();
    if (found) {
      EXPECT_EQ((*found)["problems"], Json(problems)) << payload.dump();
      EXPECT_EQ((*found)["step"], "review");
    }
  }
}

TEST(SupervisionAlerts, TheKinds) {
  for (auto kind : kAlertKinds) EXPECT_TRUE(is_alert_kind(kind));
  EXPECT_FALSE(is_alert_kind("case_late"));
  EXPECT_FALSE(is_alert_kind(""));
}

}  // namespace
}  // namespace tb::supervision
