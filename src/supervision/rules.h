// When a case turns yellow and red (STANDARDS §3, issue 8): from its limits on the working-day
// calendar, the dates are fixed at each transition — warning from the first day its working
// days left fall to the threshold (default 1) or its used share reaches the threshold
// (default 80 %), overdue from the day after its deadline — so any day's state is a date
// comparison. Pure: the calendar and the case's state come in.
//
//   auto w = watch_dates(calendar, state, today, thresholds);   // w->warn_from, w->overdue_from
//   state_on(*w, today);                                          // "normal" | "warning" | "overdue"
#pragma once

#include <optional>
#include <string>

#include "cases/lifecycle.h"
#include "core/workdays.h"

namespace tb::supervision {

struct Watch {
  Date accepted_on, deadline, warn_from, overdue_from;
  int limit_days = 0;
  bool paused = false;
  bool open = true;                  // not yet decided, refused, withdrawn or closed
  std::optional<Date> finished_on;   // the decision
  bool finished_late = false;
};

// Nothing for a case that was never accepted (no clock runs); CALENDAR_YEAR_MISSING when
// the calendar lacks a year the dates need.
Result<std::optional<Watch>> watch_dates(const WorkdayCalendar& calendar, const cases::CaseState& state, Date today,
                                         const cases::Thresholds& thresholds);

std::string state_on(const Watch& w, Date day);

}  // namespace tb::supervision
