// Time limits on the real State Council calendars (data/holidays/*.json): a case accepted on
// 2026-02-12 with 20 working days runs across the Spring Festival (02-14 a make-up Saturday,
// 02-15..02-23 off, 02-28 a make-up Saturday) and is due 2026-03-18. Pauses, extensions,
// warnings, overdue, steps, and a case driven through the lifecycle.
#include "cases/limits.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "cases/lifecycle.h"

#ifndef TB_DATA_DIR
#error "TB_DATA_DIR must name the folder with divisions/ and holidays/"
#endif

namespace tb::cases {
namespace {

Date d(std::string_view text) {
  auto parsed = Date::parse(text);
  if (!parsed) throw FatalError("bad date in test table: " + std::string(text));
  return *parsed;
}

class CaseLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (int year : {2024, 2025, 2026}) {
      std::string path = std::string(TB_DATA_DIR) + "/holidays/" + std::to_string(year) + ".json";
      std::ifstream in(path);
      ASSERT_TRUE(in) << path;
      std::stringstream text;
      text << in.rdbuf();
      auto parsed = parse_holiday_year(Json::parse(text.str()), year);
      ASSERT_TRUE(parsed) << parsed.error().message;
      calendar_.set_year(year, std::move(*parsed));
    }
  }

  static CaseLimitsInput spring(std::vector<Pause> pauses = {}, std::vector<int> extensions = {}) {
    CaseLimitsInput in;
    in.accepted_on = d("2026-02-12");
    in.limit_days = 20;
    in.pauses = std::move(pauses);
    in.extensions = std::move(extensions);
    return in;
  }

  static ClockStatus case_clock(const CaseLimitsInput& in, std::string_view today, const Thresholds& t = {}) {
    auto got = compute_limits(calendar_, in, d(today), t);
    if (!got) throw FatalError(got.error().code + ": " + got.error().message);
    return got->case_clock;
  }

  static WorkdayCalendar calendar_;
};

WorkdayCalendar CaseLimits::calendar_;

const Pause kCorrection{"correction", "", d("2026-03-02"), d("2026-03-05")};                   // 3 working days
const Pause kExpertReview{"special_procedure", "专家评审", d("2026-03-09"), d("2026-03-11")};  // 2 working days

// clang-format off
struct DayRow { std::string_view today; int used; int left; LimitState state; };
// 20 working days from 2026-02-12; 80 % is 16 used (2026-03-12), 1 left is 2026-03-17.
constexpr DayRow kSpringDays[] = {
    {"2026-02-12",  0,  20, LimitState::kNormal},   // acceptance day itself does not count
    {"2026-02-13",  1,  19, LimitState::kNormal},
    {"2026-02-14",  2,  18, LimitState::kNormal},   // make-up Saturday counts
    {"2026-02-20",  2,  18, LimitState::kNormal},   // Spring Festival
    {"2026-02-23",  2,  18, LimitState::kNormal},
    {"2026-02-24",  3,  17, LimitState::kNormal},
    {"2026-02-28",  7,  13, LimitState::kNormal},   // make-up Saturday
    {"2026-03-01",  7,  13, LimitState::kNormal},
    {"2026-03-11", 15,   5, LimitState::kNormal},   // 75 %
    {"2026-03-12", 16,   4, LimitState::kWarning},  // 80 %
    {"2026-03-17", 19,   1, LimitState::kWarning},
    {"2026-03-18", 20,   0, LimitState::kWarning},  // the deadline itself
    {"2026-03-19", 21,  -1, LimitState::kOverdue},
    {"2026-03-21", 22,  -2, LimitState::kOverdue},  // Saturday: still overdue, no day added
};

struct DeadlineRow { const char* name; std::vector<Pause> pauses; std::vector<int> extensions; std::string_view due; };
// clang-format on

TEST_F(CaseLimits, TwentyDaysAcrossSpringFestival) {
  for (const DayRow& row : kSpringDays) {
    SCOPED_TRACE(row.today);
    ClockStatus s = case_clock(spring(), row.today);
    EXPECT_EQ(s.deadline, d("2026-03-18"));
    EXPECT_EQ(s.limit_days, 20);
    EXPECT_EQ(s.used_days, row.used);
    EXPECT_EQ(s.left_days, row.left);
    EXPECT_EQ(s.state, row.state) << to_string(s.state);
    EXPECT_FALSE(s.paused);
  }
}

TEST_F(CaseLimits, PausesAndExtensionsMoveTheDeadline) {
  const DeadlineRow rows[] = {
      {"no pause", {}, {}, "2026-03-18"},
      {"3-day correction", {kCorrection}, {}, "2026-03-23"},
      {"correction and expert review", {kCorrection, kExpertReview}, {}, "2026-03-25"},
      {"overlapping pauses count each day once",
       {kCorrection, {"special_procedure", "检验", d("2026-03-04"), d("2026-03-06")}},
       {},
       "2026-03-24"},
      {"correction and resubmission on the same day",
       {{"correction", "", d("2026-03-02"), d("2026-03-02")}},
       {},
       "2026-03-18"},
      {"a pause over the holiday costs nothing",
       {{"special_procedure", "鉴定", d("2026-02-15"), d("2026-02-24")}},
       {},
       "2026-03-18"},
      {"a pause after the deadline changes nothing",
       {{"special_procedure", "听证", d("2026-03-19"), d("2026-03-25")}},
       {},
       "2026-03-18"},
      {"extension of 5", {}, {5}, "2026-03-25"},
      {"extensions of 5 + 5", {}, {5, 5}, "2026-04-01"},
      {"correction, review and extension", {kCorrection, kExpertReview}, {5}, "2026-04-01"},
  };
  for (const DeadlineRow& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(case_clock(spring(row.pauses, row.extensions), "2026-02-12").deadline, d(row.due));
  }
}

TEST_F(CaseLimits, PausedDaysAreNotUsed) {
  CaseLimitsInput in = spring({kCorrection, kExpertReview});
  // clang-format off
  const DayRow rows[] = {
      {"2026-03-02",  7, 13, LimitState::kNormal},   // the notice day is paused
      {"2026-03-04",  7, 13, LimitState::kNormal},
      {"2026-03-05",  8, 12, LimitState::kNormal},   // resubmitted: counting again
      {"2026-03-10",  9, 11, LimitState::kNormal},   // expert review
      {"2026-03-18", 15,  5, LimitState::kNormal},   // the unpaused deadline is no longer near
      {"2026-03-19", 16,  4, LimitState::kWarning},
      {"2026-03-25", 20,  0, LimitState::kWarning},
      {"2026-03-26", 21, -1, LimitState::kOverdue},
  };
  // clang-format on
  for (const DayRow& row : rows) {
    SCOPED_TRACE(row.today);
    ClockStatus s = case_clock(in, row.today);
    EXPECT_EQ(s.deadline, d("2026-03-25"));
    EXPECT_EQ(s.used_days, row.used);
    EXPECT_EQ(s.left_days, row.left);
    EXPECT_EQ(s.state, row.state);
  }
  EXPECT_TRUE(case_clock(in, "2026-03-03").paused);
  EXPECT_FALSE(case_clock(in, "2026-03-05").paused);
}

// While a pause runs the clock stands still; the deadline shown is the one if it ended tomorrow.
TEST_F(CaseLimits, RunningPause) {
  CaseLimitsInput in = spring({{"special_procedure", "专家评审", d("2026-03-09"), std::nullopt}});
  struct Row {
    std::string_view today;
    std::string_view deadline;
    int used;
  } rows[] = {
      {"2026-03-06", "2026-03-18", 12},  // not started yet
      {"2026-03-09", "2026-03-19", 12}, {"2026-03-10", "2026-03-20", 12},
      {"2026-03-13", "2026-03-25", 12}, {"2026-03-14", "2026-03-25", 12},  // Saturday adds nothing
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.today);
    ClockStatus s = case_clock(in, row.today);
    EXPECT_EQ(s.deadline, d(row.deadline));
    EXPECT_EQ(s.used_days, row.used);
    EXPECT_EQ(s.paused, row.today >= "2026-03-09");
    EXPECT_EQ(s.state, LimitState::kNormal);
  }
}

TEST_F(CaseLimits, ThresholdsAreParameters) {
  Thresholds strict{3, 50};
  struct Row {
    std::string_view today;
    LimitState state;
  } rows[] = {
      {"2026-03-03", LimitState::kNormal},   // 9 used, 45 %
      {"2026-03-04", LimitState::kWarning},  // 10 used, 50 %
      {"2026-03-18", LimitState::kWarning},
      {"2026-03-19", LimitState::kOverdue},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.today);
    EXPECT_EQ(case_clock(spring(), row.today, strict).state, row.state);
  }
  Thresholds left_only{3, 101};
  EXPECT_EQ(case_clock(spring(), "2026-03-12", left_only).state, LimitState::kNormal);   // 4 left
  EXPECT_EQ(case_clock(spring(), "2026-03-13", left_only).state, LimitState::kWarning);  // 3 left
}

TEST_F(CaseLimits, FinishedClocksStopCounting) {
  CaseLimitsInput on_time = spring();
  on_time.finished_on = d("2026-03-18");
  ClockStatus s = case_clock(on_time, "2026-04-30");
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.used_days, 20);
  EXPECT_EQ(s.state, LimitState::kNormal);  // done on the last day: no warning after the fact

  CaseLimitsInput late = spring();
  late.finished_on = d("2026-03-19");
  EXPECT_EQ(case_clock(late, "2026-04-30").state, LimitState::kOverdue);
  EXPECT_EQ(case_clock(late, "2026-04-30").used_days, 21);
  // Seen before the finish date, it is still running.
  EXPECT_FALSE(case_clock(late, "2026-03-12").finished);
  EXPECT_EQ(case_clock(late, "2026-03-12").state, LimitState::kWarning);
}

TEST_F(CaseLimits, EachStepHasItsOwnClock) {
  CaseLimitsInput in = spring({kCorrection});
  in.steps = {{"review", d("2026-02-12"), 5, d("2026-02-26")},
              {"site", d("2026-02-26"), 3, std::nullopt},
              {"fire", d("2026-02-26"), 3, std::nullopt}};
  auto got = compute_limits(calendar_, in, d("2026-03-02"));
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->steps.size(), 3u);
  EXPECT_EQ(got->steps[0].clock.deadline, d("2026-02-26"));  // 13, 14, 24, 25, 26
  EXPECT_EQ(got->steps[0].clock.state, LimitState::kNormal);
  EXPECT_TRUE(got->steps[0].clock.finished);
  // 02-27, 02-28, then the correction pause 03-02..03-04, then 03-05.
  EXPECT_EQ(got->steps[1].key, "site");
  EXPECT_EQ(got->steps[1].clock.deadline, d("2026-03-05"));
  EXPECT_EQ(got->steps[1].clock.used_days, 2);
  EXPECT_EQ(got->steps[1].clock.left_days, 1);
  EXPECT_EQ(got->steps[1].clock.state, LimitState::kWarning);
  EXPECT_TRUE(got->steps[1].clock.paused);
  auto later = compute_limits(calendar_, in, d("2026-03-06"));
  EXPECT_EQ(later->steps[2].clock.state, LimitState::kOverdue);
  EXPECT_EQ(later->case_clock.state, LimitState::kNormal);

  Json doc = to_json(*later);
  EXPECT_EQ(doc["case"]["deadline"], "2026-03-23");
  EXPECT_EQ(doc["steps"][2]["step"], "fire");
  EXPECT_EQ(doc["steps"][2]["state"], "overdue");
  EXPECT_EQ(doc["steps"][2]["left_days"], -1);
}

TEST_F(CaseLimits, MissingYearIsAnErrorNeverAGuess) {
  CaseLimitsInput in;
  in.accepted_on = d("2026-12-20");
  in.limit_days = 20;
  auto got = compute_limits(calendar_, in, d("2026-12-21"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, codes::kCalendarYearMissing);
  EXPECT_EQ(got.error().details["year"], 2027);

  CaseLimitsInput step_late = spring();
  step_late.steps = {{"decide", d("2026-12-28"), 5, std::nullopt}};
  EXPECT_EQ(compute_limits(calendar_, step_late, d("2026-12-28")).error().code, codes::kCalendarYearMissing);
  EXPECT_EQ(compute_limits(calendar_, spring(), d("2027-01-05")).error().code, codes::kCalendarYearMissing);

  // Across a loaded year boundary it just works.
  CaseLimitsInput new_year;
  new_year.accepted_on = d("2024-12-20");
  new_year.limit_days = 20;
  EXPECT_EQ(case_clock(new_year, "2024-12-20").deadline, d("2025-01-20"));
}

TEST_F(CaseLimits, BadInputListsEveryProblem) {
  CaseLimitsInput in = spring({{"nap", "", d("2026-03-02"), d("2026-03-01")}}, {0, 3, -2});
  in.limit_days = -1;
  in.steps = {{"review", d("2026-02-12"), -5, std::nullopt}};
  auto got = compute_limits(calendar_, in, d("2026-03-02"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, codes::kValidationFailed);
  std::set<std::string> fields;
  for (const Json& p : got.error().details["problems"]) fields.insert(p["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"limit_days", "extensions[0]", "extensions[2]", "pauses[0].kind",
                                           "pauses[0].end", "steps[0].limit_days"}));
}

TEST_F(CaseLimits, PauseJsonRoundTrip) {
  for (const Pause& p : {kCorrection, kExpertReview, Pause{"special_procedure", "听证", d("2026-03-09"), {}}}) {
    auto back = pause_from_json(to_json(p));
    ASSERT_TRUE(back);
    EXPECT_EQ(to_json(*back), to_json(p));
  }
  EXPECT_FALSE(pause_from_json(Json{{"kind", "correction"}, {"start", "2026-02-30"}}));
  EXPECT_FALSE(pause_from_json(Json::array()));
}

// The whole path: the lifecycle records dates, limits_input() hands them over.
TEST_F(CaseLimits, ACaseDrivenThroughTheLifecycle) {
  const Actor applicant{7, "张三", "citizen", "", ""};
  const Actor clerk{20, "王窗口", "window_clerk", "ZWFW", "341500"};
  const Actor scjg{30, "赵审批", "approver", "SCJG", "341500"};
  const Actor xfjy{40, "周消防", "approver", "XFJY", "341500"};
  CaseState s;
  s.promised_limit_days = 20;
  s.applicant_account_id = 7;
  s.department = "SCJG";
  s.division = "341502";
  s.workflow = *build_plan(Json::parse(R"({"steps": [
      {"key": "review", "name": "审查", "role": "approver", "department": "SCJG", "limit_days": 5},
      {"parallel": [{"key": "site", "name": "现场核查", "role": "approver", "department": "SCJG", "limit_days": 8},
                    {"key": "fire", "name": "消防意见", "role": "approver", "department": "XFJY", "limit_days": 8}]},
      {"key": "decide", "name": "决定", "role": "approver", "department": "SCJG", "limit_days": 2}]})"),
                           "341502");
  auto act = [&](ActionType type, const char* date, const Actor& who, auto&& fill) {
    Action a;
    a.type = type;
    a.at = *parse_instant(std::string(date) + "T09:30:00+08:00");
    fill(a);
    auto t = apply(s, a, who);
    ASSERT_TRUE(t) << to_string(type) << ": " << t.error().message;
    s = std::move(t->state);
  };
  auto none = [](Action&) {};
  act(ActionType::kSubmit, "2026-02-10", applicant, none);
  act(ActionType::kRequireCorrection, "2026-02-10", clerk, [](Action& a) { a.corrections = {{"营业执照", "不清晰"}}; });
  act(ActionType::kResubmit, "2026-02-11", applicant, none);  // before acceptance: the clock had not started
  act(ActionType::kAccept, "2026-02-12", clerk, none);
  act(ActionType::kCompleteStep, "2026-02-26", scjg, [](Action& a) {
    a.step_key = "review";
    a.outcome = "approve";
  });
  act(ActionType::kRequireCorrection, "2026-03-02", scjg, [](Action& a) { a.corrections = {{"平面图", "未标面积"}}; });
  ASSERT_EQ(s.status, CaseStatus::kCorrectionRequired);
  EXPECT_FALSE(s.pauses.at(0).end);  // the clock stands still while the applicant corrects
  act(ActionType::kResubmit, "2026-03-05", applicant, none);
  ASSERT_EQ(s.status, CaseStatus::kInProgress);  // back to work, the same branches still waiting
  EXPECT_EQ(s.workflow.active_steps().size(), 2u);
  act(ActionType::kCompleteStep, "2026-03-06", xfjy, [](Action& a) {
    a.step_key = "fire";
    a.outcome = "approve";
  });
  act(ActionType::kStartSpecialProcedure, "2026-03-09", scjg, [](Action& a) { a.name = "专家评审"; });
  act(ActionType::kEndSpecialProcedure, "2026-03-11", scjg, [](Action& a) { a.result = "通过"; });
  ASSERT_EQ(s.status, CaseStatus::kInProgress);

  auto in = limits_input(s);
  ASSERT_TRUE(in);
  ASSERT_EQ(in->pauses.size(), 2u);
  EXPECT_EQ(to_json(in->pauses[0]), to_json(kCorrection));
  EXPECT_EQ(to_json(in->pauses[1]), to_json(kExpertReview));
  auto mid = compute_limits(calendar_, *in, d("2026-03-24"));
  ASSERT_TRUE(mid) << mid.error().message;
  EXPECT_EQ(mid->case_clock.deadline, d("2026-03-25"));
  EXPECT_EQ(mid->case_clock.state, LimitState::kWarning);
  ASSERT_EQ(mid->steps.size(), 3u);  // review (done), site (running), fire (done)
  EXPECT_EQ(mid->steps[1].key, "site");
  // Started 02-26 with 8 days: 02-27, 02-28, [03-02..03-04 paused], 03-05, 06, [09, 10 paused], 11, 12, 13, 16.
  EXPECT_EQ(mid->steps[1].clock.deadline, d("2026-03-16"));
  EXPECT_EQ(mid->steps[1].clock.state, LimitState::kOverdue);
  EXPECT_EQ(mid->steps[2].clock.state, LimitState::kNormal);

  act(ActionType::kCompleteStep, "2026-03-24", scjg, [](Action& a) {
    a.step_key = "site";
    a.outcome = "approve";
  });
  act(ActionType::kCompleteStep, "2026-03-25", scjg, [](Action& a) {
    a.step_key = "decide";
    a.outcome = "approve";
  });
  act(ActionType::kDecide, "2026-03-25", scjg, [](Action& a) { a.outcome = "approve"; });
  auto done = compute_limits(calendar_, *limits_input(s), d("2026-04-30"));
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->case_clock.finished);
  EXPECT_EQ(done->case_clock.used_days, 20);
  EXPECT_EQ(done->case_clock.state, LimitState::kNormal);
  EXPECT_EQ(done->steps[1].clock.state, LimitState::kOverdue);  // the site visit finished late

  EXPECT_FALSE(limits_input(CaseState{}));
}

}  // namespace
}  // namespace tb::cases
