// Working days (工作日) per STANDARDS §3: Monday–Friday, minus the State Council's public
// holidays, plus its make-up working weekends (调休). The calendar is data, one year at a
// time (`holidays/YYYY.json`); a year that was never loaded is an error, never a guess,
// because a wrong time limit is worse than none.
//
//   auto year = parse_holiday_year(Json::parse(text), 2026);
//   if (!year) return std::unexpected(year.error());
//   calendar.set_year(2026, std::move(*year));
//   Result<Date> due = calendar.add_workdays(accepted_on, 20);  // 行政许可法 Art. 42
#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "core/error.h"
#include "core/time.h"

namespace tb {

// Exceptions to the Monday–Friday rule for one year: date → is_off_day (true holiday, false make-up workday).
using YearExceptions = std::map<Date, bool>;

// The holiday-cn format: {"year": 2026, "days": [{"name": "春节", "date": "2026-02-15", "isOffDay": true}, …]}.
// Fails with codes::kCalendarInvalid; details.problem is one of year_mismatch, date_outside_year, bad_date,
// duplicate_date, missing_field, not_object, and details say where (index, field, value).
Result<YearExceptions> parse_holiday_year(const Json& doc, int expected_year);

// A plain value: loading a year replaces it whole. Share it between threads only behind a
// lock or by swapping a pointer to an immutable copy.
class WorkdayCalendar {
 public:
  // Dates outside `year` are a caller bug (parse_holiday_year never yields them) and throw FatalError.
  void set_year(int year, YearExceptions exceptions);
  bool has_year(int year) const;

  // codes::kCalendarYearMissing with details {"year": y} when d's year is not loaded.
  Result<bool> is_workday(Date d) const;
  // The n-th working day strictly after `from` (n == 0 → from itself, whatever the calendar
  // says); n < 0 → codes::kValidationFailed.
  Result<Date> add_workdays(Date from, int n) const;
  // Working days in (from, to]; negative of those in (to, from] when to < from. So
  // workdays_between(d, *add_workdays(d, n)) == n.
  Result<int> workdays_between(Date from, Date to) const;

 private:
  // One year as flags plus running counts, so counting a span is two subtractions per year.
  struct Year {
    Date jan1;
    int length = 0;                          // 365 or 366
    std::array<bool, 366> workday{};         // by day of year, 0-based
    std::array<std::int16_t, 367> before{};  // working days among days [0, i)
  };
  Result<const Year*> year_table(int year) const;
  // Working days in [a, b], a <= b.
  Result<int> count_inclusive(Date a, Date b) const;

  std::map<int, Year> years_;
};

}  // namespace tb
