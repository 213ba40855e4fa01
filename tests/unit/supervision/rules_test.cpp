// When a case turns yellow and red, on the real 2026 calendar, from a table of limits and
// thresholds (the Spring Festival between acceptance and the deadline).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "supervision/rules.h"

namespace tb::supervision {
namespace {

Date d(std::string_view text) { return *Date::parse(text); }

WorkdayCalendar load() {
  WorkdayCalendar cal;
  for (int year : {2025, 2026}) {
    std::ifstream in(std::string(TB_DATA_DIR) + "/holidays/" + std::to_string(year) + ".json");
    std::stringstream text;
    text << in.rdbuf();
    cal.set_year(year, *parse_holiday_year(Json::parse(text.str()), year));
  }
  return cal;
}

cases::CaseState accepted(int limit, std::string_view on) {
  cases::CaseState s;
  s.status = cases::CaseStatus::kInProgress;
  s.promised_limit_days = limit;
  s.accepted_on = d(on);
  return s;
}

TEST(SupervisionRules, WarningAndOverdueDatesFromTheCalendar) {
  const WorkdayCalendar cal = load();
  struct Row {
    int limit;
    const char* accepted;
    int warn_days_left, warn_used_percent;
    const char *deadline, *warn_from;
  };
  // Accepted Thu 12 Feb; 13 Feb and Sat 14 Feb (make-up) work, 15–23 Feb off.
  for (const Row& r : std::vector<Row>{
           {10, "2026-02-12", 1, 80, "2026-03-04", "2026-03-02"},   // 80 % (8th day) before 1 day left
           {20, "2026-02-12", 1, 80, "2026-03-18", "2026-03-12"},   // 16th day
           {10, "2026-02-12", 3, 80, "2026-03-04", "2026-02-28"},   // 3 days left first: Sat 28 Feb is a make-up day
           {10, "2026-02-12", 1, 100, "2026-03-04", "2026-03-03"},  // only "1 day left"
           {1, "2026-02-12", 1, 80, "2026-02-13", "2026-02-12"},    // a 1-day limit warns from acceptance
           {3, "2026-02-13", 1, 80, "2026-02-25", "2026-02-24"},    // across the whole holiday
       }) {
    cases::Thresholds t{r.warn_days_left, r.warn_used_percent};
    auto w = watch_dates(cal, accepted(r.limit, r.accepted), d("2026-02-12"), t);
    ASSERT_TRUE(w && *w) << r.limit;
    EXPECT_EQ((*w)->deadline.to_string(), r.deadline) << r.limit << "/" << r.warn_days_left << "/" << r.warn_used_percent;
    EXPECT_EQ((*w)->warn_from.to_string(), r.warn_from) << r.limit << "/" << r.warn_days_left << "/" << r.warn_used_percent;
    EXPECT_EQ((*w)->overdue_from, (*w)->deadline.plus_days(1));
  }
}

TEST(SupervisionRules, TheStateOfADayIsADateComparison) {
  const WorkdayCalendar cal = load();
  auto w = **watch_dates(cal, accepted(10, "2026-02-12"), d("2026-02-12"), {});
  EXPECT_EQ(state_on(w, d("2026-02-27")), "normal");
  EXPECT_EQ(state_on(w, d("2026-02-28")), "normal");  // a make-up Saturday, day 7
  EXPECT_EQ(state_on(w, d("2026-03-01")), "normal");  // Sunday: still 7 used
  EXPECT_EQ(state_on(w, d("2026-03-02")), "warning");
  EXPECT_EQ(state_on(w, d("2026-03-04")), "warning");
  EXPECT_EQ(state_on(w, d("2026-03-05")), "overdue");
  cases::CaseState paused = accepted(10, "2026-02-12");
  paused.status = cases::CaseStatus::kSpecialProcedure;
  paused.pauses.push_back({"special_procedure", "检验", d("2026-02-24"), std::nullopt});
  auto p = **watch_dates(cal, paused, d("2026-02-26"), {});
  EXPECT_EQ(state_on(p, d("2026-02-26")), "paused");
  cases::CaseState done = accepted(10, "2026-02-12");
  done.status = cases::CaseStatus::kDecidedApproved;
  done.decided_on = d("2026-03-05");
  auto f = **watch_dates(cal, done, d("2026-03-05"), {});
  EXPECT_EQ(state_on(f, d("2026-03-05")), "closed");
  EXPECT_TRUE(f.finished_late);
  // Not accepted: no clock, nothing to watch.
  cases::CaseState submitted;
  submitted.status = cases::CaseStatus::kSubmitted;
  EXPECT_FALSE(*watch_dates(cal, submitted, d("2026-02-12"), {}));
}

}  // namespace
}  // namespace tb::supervision
