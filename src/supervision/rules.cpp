#include "supervision/rules.h"

#include <algorithm>

#include "core/principal.h"

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

bool is_alert_kind(std::string_view kind) {
  return std::find(kAlertKinds.begin(), kAlertKinds.end(), kind) != kAlertKinds.end();
}

TimeAlert time_alert_on(const Watch& w, Date day) {
  std::string state = state_on(w, day);
  if (state == "paused") return TimeAlert::kUnchanged;
  if (state == "overdue") return TimeAlert::kOverdue;
  if (state == "warning") return TimeAlert::kWarning;
  return TimeAlert::kNone;  // normal, or closed
}

namespace {
// A string field of a JSON object, or "" (events may be old, or written by hand).
std::string text(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return {};
  return j[key].get<std::string>();
}
}  // namespace

std::optional<Json> closed_without_delivery(const std::vector<cases::OutboxEvent>& history,
                                            const cases::OutboxEvent& closed) {
  bool approved = false, delivered = false;
  std::string decided_at;
  for (const auto& e : history) {
    if (e.position >= closed.position) break;
    if (e.type == "case.decided") {
      approved = text(e.payload, "outcome") == "approve";
      delivered = false;
      decided_at = text(e.payload, "at");
    } else if (e.type == "case.delivered") {
      delivered = true;
    }
  }
  if (!approved || delivered) return std::nullopt;
  Json actor =
      closed.payload.is_object() && closed.payload.contains("actor") ? closed.payload["actor"] : Json::object();
  return Json{{"decided_at", decided_at},
              {"closed_at", text(closed.payload, "at")},
              {"closed_from", text(closed.payload, "from")},
              {"closed_by", text(actor, "name")}};
}

std::optional<Json> step_without_role(const Json& payload, const cases::Workflow& workflow,
                                      std::string_view case_division) {
  if (!payload.is_object()) return std::nullopt;
  std::string key = text(payload, "step");
  std::string role = text(payload, "role"), department = text(payload, "department");
  if (const cases::Step* step = workflow.find(key)) {
    if (role.empty()) role = step->role;
    if (department.empty()) department = step->department;
  }
  if (role.empty()) return std::nullopt;  // a step the case does not know: nothing to compare with
  Json actor = payload.contains("actor") && payload["actor"].is_object() ? payload["actor"] : Json::object();
  Json problems = Json::array();
  if (text(actor, "role") != role) problems.push_back("role");
  if (text(actor, "department") != department) problems.push_back("department");
  std::string division = text(actor, "division");
  if (division.empty() || !division_within(case_division, division)) problems.push_back("division");
  if (problems.empty()) return std::nullopt;
  return Json{{"step", key},
              {"step_name", text(payload, "name")},
              {"required_role", role},
              {"required_department", department},
              {"actor",
               {{"account_id", actor.value("account_id", Json(nullptr))},
                {"name", text(actor, "name")},
                {"role", text(actor, "role")},
                {"department", text(actor, "department")},
                {"division", division}}},
              {"problems", problems},
              {"on", text(payload, "on")}};
}

}  // namespace tb::supervision
