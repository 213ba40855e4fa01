// STANDARDS §3 working days, read from the real State Council calendars for 2024–2026
// (data/holidays/*.json) and checked as tables of dates anyone can verify on a calendar.
#include "core/workdays.h"

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#ifndef TB_DATA_DIR
#error "TB_DATA_DIR must name the folder with divisions/ and holidays/"
#endif

namespace tb {
namespace {

Date d(std::string_view text) {
  auto parsed = Date::parse(text);
  if (!parsed) throw FatalError("bad date in test table: " + std::string(text));
  return *parsed;
}

Json read_year_file(int year) {
  std::string path = std::string(TB_DATA_DIR) + "/holidays/" + std::to_string(year) + ".json";
  std::ifstream in(path);
  if (!in) throw FatalError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

class Calendar : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (int year : {2024, 2025, 2026}) {
      auto parsed = parse_holiday_year(read_year_file(year), year);
      ASSERT_TRUE(parsed) << parsed.error().message;
      calendar_.set_year(year, std::move(*parsed));
    }
  }
  static WorkdayCalendar calendar_;
};

WorkdayCalendar Calendar::calendar_;

// clang-format off
struct WorkdayRow { std::string_view date; bool workday; std::string_view why; };
constexpr WorkdayRow kWorkdays[] = {
    {"2026-02-12", true,  "Thursday before Spring Festival"},
    {"2026-02-13", true,  "Friday"},
    {"2026-02-14", true,  "Saturday, make-up workday for Spring Festival"},
    {"2026-02-15", false, "Sunday, Spring Festival"},
    {"2026-02-16", false, "Monday, Spring Festival"},
    {"2026-02-20", false, "Friday, Spring Festival"},
    {"2026-02-23", false, "Monday, last day of Spring Festival"},
    {"2026-02-24", true,  "Tuesday, back to work"},
    {"2026-02-28", true,  "Saturday, make-up workday for Spring Festival"},
    {"2026-03-01", false, "ordinary Sunday"},
    {"2026-03-07", false, "ordinary Saturday"},
    {"2026-01-01", false, "New Year's Day"},
    {"2026-01-04", true,  "Sunday, make-up workday for New Year"},
    {"2026-09-20", true,  "Sunday, make-up workday for National Day"},
    {"2026-10-10", true,  "Saturday, make-up workday for National Day"},
    {"2025-09-28", true,  "Sunday, make-up workday for National Day 2025"},
    {"2025-10-01", false, "National Day 2025"},
    {"2025-10-06", false, "Mid-Autumn 2025 inside National Day"},
    {"2025-10-08", false, "Wednesday, last day of National Day 2025"},
    {"2025-10-09", true,  "Thursday after National Day 2025"},
    {"2025-10-11", true,  "Saturday, make-up workday for National Day 2025"},
    {"2024-02-04", true,  "Sunday, make-up workday for Spring Festival 2024"},
    {"2024-02-18", true,  "Sunday, make-up workday for Spring Festival 2024"},
    {"2024-12-31", true,  "Tuesday, last day of 2024"},
    {"2024-02-29", true,  "leap day, a Thursday"},
};

struct AddRow { std::string_view from; int n; std::string_view expected; };
constexpr AddRow kAdd[] = {
    {"2026-02-12", 0, "2026-02-12"},
    {"2026-02-16", 0, "2026-02-16"},  // n = 0 is the day itself, even a holiday
    {"2026-02-12", 1, "2026-02-13"},
    {"2026-02-12", 2, "2026-02-14"},  // the make-up Saturday counts
    {"2026-02-12", 3, "2026-02-24"},  // then nine days of Spring Festival
    {"2026-02-12", 4, "2026-02-25"},
    {"2026-02-13", 1, "2026-02-14"},
    {"2026-02-14", 1, "2026-02-24"},
    {"2026-02-15", 1, "2026-02-24"},  // from inside the holiday
    {"2026-02-27", 1, "2026-02-28"},  // make-up Saturday
    {"2026-05-08", 1, "2026-05-09"},  // make-up Saturday after Labour Day
    {"2026-09-30", 5, "2026-10-13"},  // over National Day and its make-up Saturday
    {"2025-09-26", 1, "2025-09-28"},  // make-up Sunday
    {"2025-09-26", 2, "2025-09-29"},
    {"2025-09-30", 1, "2025-10-09"},  // eight days of National Day and Mid-Autumn
    {"2025-09-30", 3, "2025-10-11"},
    {"2025-09-30", 4, "2025-10-13"},
    {"2024-09-27", 1, "2024-09-29"},
    {"2024-09-30", 1, "2024-10-08"},
    {"2024-10-11", 1, "2024-10-12"},
    {"2024-12-31", 1, "2025-01-02"},  // year boundary and New Year's Day
    {"2025-12-31", 1, "2026-01-04"},  // year boundary onto a make-up Sunday
    {"2024-12-20", 20, "2025-01-20"},
    {"2026-12-30", 1, "2026-12-31"},  // needs nothing of 2027
    {"2024-01-02", 250, "2024-12-31"},
    {"2024-01-01", 500, "2026-01-04"},
};

struct BetweenRow { std::string_view from; std::string_view to; int expected; };
constexpr BetweenRow kBetween[] = {
    {"2026-02-12", "2026-02-12", 0},
    {"2026-02-12", "2026-02-24", 3},
    {"2026-02-24", "2026-02-12", -3},
    {"2026-02-13", "2026-02-23", 1},    // only the make-up Saturday
    {"2026-02-23", "2026-02-13", -1},
    {"2025-09-30", "2025-10-08", 0},    // (from, to] is all holiday
    {"2025-10-08", "2025-09-30", 0},
    {"2025-09-26", "2025-10-11", 6},    // Sep 28 (make-up), 29, 30; Oct 9, 10, 11 (make-up)
    {"2023-12-31", "2024-12-31", 251},  // whole year 2024
    {"2024-12-31", "2025-12-31", 248},  // whole year 2025
    {"2025-12-31", "2026-12-31", 248},  // whole year 2026
    {"2023-12-31", "2026-12-31", 747},
    {"2026-12-31", "2023-12-31", -747},
};

struct MissingRow { std::string_view from; int n; int missing_year; };
constexpr MissingRow kMissingOnAdd[] = {
    {"2026-12-31", 1,   2027},
    {"2026-12-20", 10,  2027},
    {"2024-01-01", 800, 2027},
    {"2023-12-29", 1,   2023},  // the search starts on the 30th, in 2023
    {"2030-06-03", 1,   2030},
};
// clang-format on

TEST_F(Calendar, IsWorkday) {
  for (const auto& row : kWorkdays) {
    SCOPED_TRACE(std::string(row.date) + " " + std::string(row.why));
    auto got = calendar_.is_workday(d(row.date));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, row.workday);
  }
}

TEST_F(Calendar, AddWorkdays) {
  for (const auto& row : kAdd) {
    SCOPED_TRACE(std::string(row.from) + " + " + std::to_string(row.n));
    auto got = calendar_.add_workdays(d(row.from), row.n);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->to_string(), row.expected);
  }
}

TEST_F(Calendar, WorkdaysBetween) {
  for (const auto& row : kBetween) {
    SCOPED_TRACE(std::string(row.from) + " .. " + std::string(row.to));
    // The first rows begin on 2023-12-31, which is outside the loaded years: (from, to] does not need it.
    auto got = calendar_.workdays_between(d(row.from), d(row.to));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, row.expected);
  }
}

TEST_F(Calendar, MissingYearIsAnErrorNeverAGuess) {
  for (const auto& row : kMissingOnAdd) {
    SCOPED_TRACE(std::string(row.from) + " + " + std::to_string(row.n));
    auto got = calendar_.add_workdays(d(row.from), row.n);
    ASSERT_FALSE(got) << got->to_string();
    EXPECT_EQ(got.error().code, codes::kCalendarYearMissing);
    EXPECT_EQ(got.error().details, Json({{"year", row.missing_year}}));
    EXPECT_NE(got.error().message.find(std::to_string(row.missing_year)), std::string::npos);
    EXPECT_EQ(got.error().http_status(), 422);
  }
  auto workday = calendar_.is_workday(d("2027-01-04"));
  ASSERT_FALSE(workday);
  EXPECT_EQ(workday.error().code, codes::kCalendarYearMissing);
  EXPECT_EQ(workday.error().details, Json({{"year", 2027}}));

  for (auto [from, to] : {std::pair{"2026-12-31", "2027-01-04"}, std::pair{"2027-01-04", "2026-12-31"},
                          std::pair{"2022-06-01", "2024-06-03"}}) {
    SCOPED_TRACE(std::string(from) + " .. " + to);
    auto between = calendar_.workdays_between(d(from), d(to));
    ASSERT_FALSE(between);
    EXPECT_EQ(between.error().code, codes::kCalendarYearMissing);
  }
  EXPECT_TRUE(calendar_.has_year(2026));
  EXPECT_FALSE(calendar_.has_year(2027));
}

TEST_F(Calendar, ZeroNeedsNoCalendar) {
  auto same = calendar_.add_workdays(d("2030-06-03"), 0);
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, d("2030-06-03"));
  auto none = calendar_.workdays_between(d("2030-06-03"), d("2030-06-03"));
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
}

TEST_F(Calendar, NegativeCountIsRejected) {
  for (int n : {-1, -20}) {
    auto got = calendar_.add_workdays(d("2026-02-12"), n);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, codes::kValidationFailed);
    EXPECT_EQ(got.error().details["value"], n);
  }
}

// The fast paths (whole-year skips, binary search) against a day-by-day walk over is_workday,
// and the stated invariant, for a start on every day of the three years.
TEST_F(Calendar, InvariantAndReferenceWalk) {
  const std::vector<int> counts = {0, 1, 2, 3, 5, 10, 20, 30, 45, 60, 250};
  int checked = 0;
  for (Date from = d("2024-01-01"); from <= d("2026-12-31"); from = from.plus_days(1)) {
    for (int n : counts) {
      auto to = calendar_.add_workdays(from, n);
      // Walk the reference: next working day n times, stopping where the calendar ends.
      Date walk = from;
      bool walk_ok = true;
      for (int left = n; left > 0 && walk_ok;) {
        walk = walk.plus_days(1);
        auto w = calendar_.is_workday(walk);
        if (!w) {
          walk_ok = false;
        } else if (*w) {
          --left;
        }
      }
      ASSERT_EQ(bool(to), walk_ok) << from.to_string() << " + " << n;
      if (!to) {
        EXPECT_EQ(to.error().details, Json({{"year", 2027}}));
        continue;
      }
      ASSERT_EQ(*to, walk) << from.to_string() << " + " << n;
      auto forward = calendar_.workdays_between(from, *to);
      auto backward = calendar_.workdays_between(*to, from);
      ASSERT_TRUE(forward && backward);
      EXPECT_EQ(*forward, n) << from.to_string() << " + " << n;
      EXPECT_EQ(*backward, -n) << from.to_string() << " + " << n;
      if (n > 0) {
        EXPECT_TRUE(*calendar_.is_workday(*to)) << to->to_string();
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000);
}

TEST(HolidayFile, RealFilesParse) {
  struct Expect {
    int year;
    std::size_t entries;
    std::string_view make_up;
    std::string_view holiday;
  };
  for (const Expect& e : {Expect{2024, 36, "2024-02-04", "2024-02-10"}, Expect{2025, 33, "2025-01-26", "2025-01-28"},
                          Expect{2026, 39, "2026-02-14", "2026-02-15"}}) {
    SCOPED_TRACE(e.year);
    auto parsed = parse_holiday_year(read_year_file(e.year), e.year);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->size(), e.entries);
    EXPECT_EQ(parsed->at(d(e.make_up)), false);
    EXPECT_EQ(parsed->at(d(e.holiday)), true);
  }
}

TEST(HolidayFile, WrongYearForTheRealFile) {
  auto parsed = parse_holiday_year(read_year_file(2026), 2025);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, codes::kCalendarInvalid);
  EXPECT_EQ(parsed.error().details["problem"], "year_mismatch");
  EXPECT_EQ(parsed.error().details["expected"], 2025);
  EXPECT_EQ(parsed.error().details["actual"], 2026);
}

// clang-format off
struct BadFileRow { std::string_view json; std::string_view problem; std::string_view message_has; Json details; };
const BadFileRow kBadFiles[] = {
    {R"([])", "not_object", "JSON 对象", {}},
    {R"({"days": []})", "missing_field", "year", {{"field", "year"}}},
    {R"({"year": "2026", "days": []})", "missing_field", "year", {{"field", "year"}}},
    {R"({"year": 2025, "days": []})", "year_mismatch", "2025", {{"expected", 2026}, {"actual", 2025}}},
    {R"({"year": 2026})", "missing_field", "days", {{"field", "days"}}},
    {R"({"year": 2026, "days": {}})", "missing_field", "days", {{"field", "days"}}},
    {R"({"year": 2026, "days": [1]})", "not_object", "第 1 条", {{"index", 0}}},
    {R"({"year": 2026, "days": [{"date": "2026-01-01", "isOffDay": true}]})",
     "missing_field", "name", {{"index", 0}, {"field", "name"}}},
    {R"({"year": 2026, "days": [{"name": "元旦", "isOffDay": true}]})",
     "missing_field", "date", {{"index", 0}, {"field", "date"}}},
    {R"({"year": 2026, "days": [{"name": "元旦", "date": "2026-01-01"}]})",
     "missing_field", "isOffDay", {{"index", 0}, {"field", "isOffDay"}}},
    {R"({"year": 2026, "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": "true"}]})",
     "missing_field", "isOffDay", {{"index", 0}, {"field", "isOffDay"}, {"expected_type", "boolean"}}},
    {R"({"year": 2026, "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": true},
                                 {"name": "春节", "date": "2026-02-30", "isOffDay": true}]})",
     "bad_date", "不是有效日期", {{"index", 1}, {"value", "2026-02-30"}}},
    {R"({"year": 2026, "days": [{"name": "元旦", "date": "2026/01/01", "isOffDay": true}]})",
     "bad_date", "2026/01/01", {{"index", 0}}},
    {R"({"year": 2026, "days": [{"name": "元旦", "date": "2025-12-31", "isOffDay": true}]})",
     "date_outside_year", "不在 2026 年内", {{"index", 0}, {"value", "2025-12-31"}, {"year", 2026}}},
    {R"({"year": 2026, "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": true},
                                 {"name": "元旦", "date": "2026-01-02", "isOffDay": true},
                                 {"name": "元旦", "date": "2026-01-01", "isOffDay": false}]})",
     "duplicate_date", "重复", {{"index", 2}, {"value", "2026-01-01"}}},
};
// clang-format on

TEST(HolidayFile, Invalid) {
  for (const auto& row : kBadFiles) {
    SCOPED_TRACE(std::string(row.json));
    auto parsed = parse_holiday_year(Json::parse(row.json), 2026);
    ASSERT_FALSE(parsed);
    const Error& e = parsed.error();
    EXPECT_EQ(e.code, codes::kCalendarInvalid);
    EXPECT_EQ(e.details["problem"], row.problem);
    EXPECT_NE(e.message.find(row.message_has), std::string::npos) << e.message;
    for (const auto& [key, value] : row.details.items()) EXPECT_EQ(e.details[key], value) << key;
  }
}

TEST(HolidayFile, ExtraFieldsAreIgnored) {
  // The real files carry $schema, $id and papers; an empty year is legal (no exceptions announced).
  auto parsed = parse_holiday_year(Json::parse(R"({"year": 2026, "papers": [], "days": []})"), 2026);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->empty());
}

TEST(WorkdayCalendarSetYear, PlainYearFollowsTheWeek) {
  WorkdayCalendar calendar;
  calendar.set_year(2027, {});
  EXPECT_TRUE(calendar.has_year(2027));
  EXPECT_TRUE(*calendar.is_workday(d("2027-01-01")));  // a Friday, since nothing was announced
  EXPECT_FALSE(*calendar.is_workday(d("2027-01-02")));
  EXPECT_EQ(*calendar.workdays_between(d("2026-12-31"), d("2027-12-31")), 261);
}

TEST(WorkdayCalendarSetYear, ReplacingAYearTakesEffect) {
  WorkdayCalendar calendar;
  calendar.set_year(2026, {});
  EXPECT_TRUE(*calendar.is_workday(d("2026-02-16")));
  calendar.set_year(2026, {{d("2026-02-16"), true}});
  EXPECT_FALSE(*calendar.is_workday(d("2026-02-16")));
}

TEST(WorkdayCalendarSetYear, DateOfAnotherYearIsABug) {
  WorkdayCalendar calendar;
  EXPECT_THROW(calendar.set_year(2026, {{d("2025-12-31"), true}}), FatalError);
  EXPECT_FALSE(calendar.has_year(2026));
}

}  // namespace
}  // namespace tb
