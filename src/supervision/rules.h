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

#include <array>
#include <string_view>
#include <vector>

#include "cases/cases.h"
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

// ---- Alerts (监察预警, 异常) -------------------------------------------------------------
// What supervision raises, one row per case (or item) and kind. The rules that decide them
// are here, pure; the consumer applies them to its rows and the outbox's events.
inline constexpr std::array<std::string_view, 6> kAlertKinds{
    "case_warning",             // working days left at the threshold, or the share of the limit used
    "case_overdue",             // past the deadline
    "closed_without_delivery",  // closed after an approval that was never delivered
    "result_without_licence",   // approved, the item yields a licence, and none was issued
    "step_without_role",        // a step completed by an actor without the step's role or department
    "item_incomplete",          // a published item missing required elements (STANDARDS §2)
};
bool is_alert_kind(std::string_view kind);

// The time alert a watched case should have open on `day`: none once it is finished (or
// before its warning day), the warning from warn_from, the overdue alert (and no longer the
// warning) from overdue_from; while paused the clock stands still and nothing changes.
enum class TimeAlert { kNone, kWarning, kOverdue, kUnchanged };
TimeAlert time_alert_on(const Watch& w, Date day);

// A case's closure (`closed`, a case.closed event) after an approval with no delivery since:
// the alert's detail, or nothing. `history` is the case's events in order; those from the
// closure on are not read.
std::optional<Json> closed_without_delivery(const std::vector<cases::OutboxEvent>& history,
                                            const cases::OutboxEvent& closed);

// A step.completed event whose actor did not hold the step's role for the step's department
// (or acted outside the case's division): the alert's detail, or nothing. The required role
// and department come from the event (written with it since issue 8), else from the workflow.
std::optional<Json> step_without_role(const Json& payload, const cases::Workflow& workflow,
                                      std::string_view case_division);

}  // namespace tb::supervision
