// Time limits of a case and its steps (STANDARDS §3, 行政许可法 Art. 42, 45, 82): working days
// from acceptance (or from a step's start), the start day itself not counted; working days
// inside a correction or special-procedure pause do not count; approved extensions add.
// Everything is computed from the calendar and a `today` the caller takes from the one clock.
// A year missing from the calendar fails with CALENDAR_YEAR_MISSING: a guessed limit is worse than none.
//
//   CaseLimitsInput in;
//   in.accepted_on = *Date::parse("2026-02-12");
//   in.limit_days = 20;
//   auto limits = compute_limits(calendar, in, today);  // limits->case_clock.deadline == 2026-03-18
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "core/workdays.h"

namespace tb::cases {

// Business dates [start, end); no end = still running (the clock stands still as of today).
struct Pause {
  std::string kind;  // "correction" or "special_procedure"
  std::string name;  // the special procedure (听证, 检验, 鉴定, 专家评审 …)
  Date start;
  std::optional<Date> end;
};
Json to_json(const Pause& pause);
Result<Pause> pause_from_json(const Json& doc);

struct Thresholds {
  int warn_days_left = 1;      // warning when at most this many working days remain
  int warn_used_percent = 80;  // … or when at least this share of the limit is used
};

enum class LimitState { kNormal, kWarning, kOverdue };
std::string_view to_string(LimitState state);

// One running (or finished) clock.
struct ClockInput {
  Date started_on;
  int limit_days = 0;
  int extension_days = 0;
  std::optional<Date> finished_on;  // the clock stops here (decision, step done)
};

struct ClockStatus {
  Date deadline;        // the last working day allowed; while paused, as if the pause ended tomorrow
  int limit_days = 0;   // including extensions
  int used_days = 0;    // counted working days in (start, min(today, finished)]
  int left_days = 0;    // limit_days - used_days; negative once more were used than allowed
  bool paused = false;  // a pause is running as of the evaluated day
  bool finished = false;
  LimitState state = LimitState::kNormal;
};
Json to_json(const ClockStatus& status);

// A finished clock is overdue when it finished after its deadline and normal otherwise: a
// warning about something already done helps nobody.
Result<ClockStatus> evaluate_clock(const WorkdayCalendar& calendar, const ClockInput& clock,
                                   const std::vector<Pause>& pauses, Date today, const Thresholds& thresholds = {});

struct StepClockInput {
  std::string key;
  Date started_on;
  int limit_days = 0;
  std::optional<Date> finished_on;
};

struct CaseLimitsInput {
  Date accepted_on;
  int limit_days = 0;               // the promised limit
  std::vector<Pause> pauses;        // apply to the case and to every step running across them
  std::vector<int> extensions;      // approved extensions, working days each
  std::optional<Date> finished_on;  // the decision
  std::vector<StepClockInput> steps;
};

struct StepLimit {
  std::string key;
  ClockStatus clock;
};

struct CaseLimits {
  ClockStatus case_clock;
  std::vector<StepLimit> steps;
};
Json to_json(const CaseLimits& limits);

// Bad input (negative limits, an extension ≤ 0, a pause ending before it starts) is
// codes::kValidationFailed listing every problem.
Result<CaseLimits> compute_limits(const WorkdayCalendar& calendar, const CaseLimitsInput& input, Date today,
                                  const Thresholds& thresholds = {});

}  // namespace tb::cases
