#include "supervision/rules.h"

#include <algorithm>

namespace tb::supervision {

Result<std::optional<Watch>> watch_dates(const WorkdayCalendar& calendar, const cases::CaseState& state, Date today,
                                         const cases::Thresholds& thresholds) {
  auto input = cases::limits_input(state);
  if (!input) return std::optional<Watch>();
  auto limits = cases::compute_limits(calendar, *input, today, thresholds);
  if (!limits) return std::unexpected(limits.error());
  const auto& clock = limits->case_clock;
  Watch w;
  w.accepted_on = input->accepted_on;
  w.deadline = clock.deadline;
  w.limit_days = clock.limit_days;
  w.paused = clock.paused;
  w.overdue_from = clock.deadline.plus_days(1);
  // Warning when left ≤ k working days: k from either threshold, whichever comes first.
  int by_share = clock.limit_days - (clock.limit_days * thresholds.warn_used_percent + 99) / 100;
  int k = std::max(thresholds.warn_days_left, by_share);
  Date d = clock.deadline;
  for (int counted = 0; counted < k && d > w.accepted_on;) {
    d = d.plus_days(-1);
    auto work = calendar.is_workday(d);
    if (!work) return std::unexpected(work.error());
    if (*work) ++counted;
  }
  w.warn_from = std::max(d, w.accepted_on);
  using S = cases::CaseStatus;
  w.open = state.status == S::kAccepted || state.status == S::kInProgress || state.status == S::kSpecialProcedure ||
           state.status == S::kCorrectionRequired;
  if (state.decided_on) {
    w.finished_on = state.decided_on;
    w.finished_late = *state.decided_on > clock.deadline;
  }
  return std::optional<Watch>(w);
}

std::string state_on(const Watch& w, Date day) {
  if (!w.open) return "closed";
  if (w.paused) return "paused";
  if (day >= w.overdue_from) return "overdue";
  if (day >= w.warn_from) return "warning";
  return "normal";
}

}  // namespace tb::supervision
