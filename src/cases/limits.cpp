#include "cases/limits.h"

#include <algorithm>
#include <utility>

namespace tb::cases {
namespace {

struct Span {  // [start, end) of business dates, both known
  Date start;
  Date end;
};

// Open pauses are taken to end tomorrow, so today is paused and the deadline is the earliest
// it can still be; overlapping pauses (a special procedure during a correction) are merged
// so no day is taken off twice.
std::vector<Span> merged_spans(const std::vector<Pause>& pauses, Date day) {
  std::vector<Span> spans;
  for (const Pause& p : pauses) {
    Date end = p.end ? *p.end : std::max(p.start, day.plus_days(1));
    if (p.start < end) spans.push_back({p.start, end});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  std::vector<Span> out;
  for (const Span& s : spans) {
    if (!out.empty() && s.start <= out.back().end)
      out.back().end = std::max(out.back().end, s.end);
    else
      out.push_back(s);
  }
  return out;
}

// Working days in (from, to] outside every span; 0 when to <= from.
Result<int> counted_days(const WorkdayCalendar& calendar, const std::vector<Span>& spans, Date from, Date to) {
  if (to <= from) return 0;
  auto total = calendar.workdays_between(from, to);
  if (!total) return total;
  int counted = *total;
  for (const Span& s : spans) {
    Date lo = std::max(from, s.start.plus_days(-1));
    Date hi = std::min(to, s.end.plus_days(-1));
    if (hi <= lo) continue;
    auto paused = calendar.workdays_between(lo, hi);
    if (!paused) return paused;
    counted -= *paused;
  }
  return counted;
}

// The day the n-th counted working day after `from` falls on. Each round moves forward by
// the days still missing; a round lands exactly when none of the days it crossed was paused,
// so the result is itself a counted working day.
Result<Date> deadline_after(const WorkdayCalendar& calendar, const std::vector<Span>& spans, Date from, int n) {
  Date at = from;
  int missing = n;
  while (missing > 0) {
    auto next = calendar.add_workdays(at, missing);
    if (!next) return next;
    at = *next;
    auto counted = counted_days(calendar, spans, from, at);
    if (!counted) return std::unexpected(counted.error());
    missing = n - *counted;
  }
  return at;
}

void check_pause(const Pause& p, const std::string& path, Json& problems) {
  if (p.kind != "correction" && p.kind != "special_procedure")
    problems.push_back({{"field", path + ".kind"}, {"problem", "one_of"}, {"value", p.kind}});
  if (p.end && *p.end < p.start)
    problems.push_back({{"field", path + ".end"}, {"problem", "before_start"}, {"value", p.end->to_string()}});
}

}  // namespace

std::string_view to_string(LimitState state) {
  switch (state) {
    case LimitState::kNormal:
      return "normal";
    case LimitState::kWarning:
      return "warning";
    case LimitState::kOverdue:
      return "overdue";
  }
  return "normal";
}

Json to_json(const Pause& p) {
  return {{"kind", p.kind},
          {"name", p.name},
          {"start", p.start.to_string()},
          {"end", p.end ? Json(p.end->to_string()) : Json()}};
}

Result<Pause> pause_from_json(const Json& doc) {
  auto bad = [&] { return fail(codes::kValidationFailed, "暂停计时记录格式不正确", {{"value", doc}}); };
  if (!doc.is_object() || !doc.contains("kind") || !doc["kind"].is_string() || !doc.contains("start") ||
      !doc["start"].is_string())
    return bad();
  Pause p;
  p.kind = doc["kind"].get<std::string>();
  p.name = doc.value("name", std::string());
  auto start = Date::parse(doc["start"].get<std::string>());
  if (!start) return bad();
  p.start = *start;
  if (doc.contains("end") && !doc["end"].is_null()) {
    if (!doc["end"].is_string()) return bad();
    auto end = Date::parse(doc["end"].get<std::string>());
    if (!end) return bad();
    p.end = *end;
  }
  return p;
}

Json to_json(const ClockStatus& s) {
  return {{"deadline", s.deadline.to_string()}, {"limit_days", s.limit_days}, {"used_days", s.used_days},
          {"left_days", s.left_days},           {"paused", s.paused},         {"finished", s.finished},
          {"state", to_string(s.state)}};
}

Json to_json(const CaseLimits& limits) {
  Json steps = Json::array();
  for (const StepLimit& s : limits.steps) {
    Json row = to_json(s.clock);
    row["step"] = s.key;
    steps.push_back(std::move(row));
  }
  return {{"case", to_json(limits.case_clock)}, {"steps", std::move(steps)}};
}

Result<ClockStatus> evaluate_clock(const WorkdayCalendar& calendar, const ClockInput& clock,
                                   const std::vector<Pause>& pauses, Date today, const Thresholds& thresholds) {
  Date day = clock.finished_on ? std::min(today, *clock.finished_on) : today;
  std::vector<Span> spans = merged_spans(pauses, day);

  ClockStatus out;
  out.limit_days = clock.limit_days + clock.extension_days;
  out.finished = clock.finished_on && *clock.finished_on <= today;
  auto deadline = deadline_after(calendar, spans, clock.started_on, out.limit_days);
  if (!deadline) return std::unexpected(deadline.error());
  out.deadline = *deadline;
  auto used = counted_days(calendar, spans, clock.started_on, day);
  if (!used) return std::unexpected(used.error());
  out.used_days = *used;
  out.left_days = out.limit_days - out.used_days;
  for (const Span& s : spans)
    if (s.start <= day && day < s.end) out.paused = true;

  if (day > out.deadline)
    out.state = LimitState::kOverdue;
  else if (out.finished)
    out.state = LimitState::kNormal;
  else if (out.left_days <= thresholds.warn_days_left ||
           (out.limit_days > 0 && out.used_days * 100 >= thresholds.warn_used_percent * out.limit_days))
    out.state = LimitState::kWarning;
  return out;
}

Result<CaseLimits> compute_limits(const WorkdayCalendar& calendar, const CaseLimitsInput& input, Date today,
                                  const Thresholds& thresholds) {
  Json problems = Json::array();
  if (input.limit_days < 0)
    problems.push_back({{"field", "limit_days"}, {"problem", "negative"}, {"value", input.limit_days}});
  int extension_days = 0;
  for (std::size_t i = 0; i < input.extensions.size(); ++i) {
    if (input.extensions[i] <= 0)
      problems.push_back({{"field", "extensions[" + std::to_string(i) + "]"},
                          {"problem", "not_positive"},
                          {"value", input.extensions[i]}});
    extension_days += input.extensions[i];
  }
  for (std::size_t i = 0; i < input.pauses.size(); ++i)
    check_pause(input.pauses[i], "pauses[" + std::to_string(i) + "]", problems);
  for (std::size_t i = 0; i < input.steps.size(); ++i)
    if (input.steps[i].limit_days < 0)
      problems.push_back({{"field", "steps[" + std::to_string(i) + "].limit_days"},
                          {"problem", "negative"},
                          {"value", input.steps[i].limit_days}});
  if (!problems.empty())
    return fail(codes::kValidationFailed, "时限计算的输入有误", {{"problems", std::move(problems)}});

  CaseLimits out;
  auto case_clock = evaluate_clock(calendar, {input.accepted_on, input.limit_days, extension_days, input.finished_on},
                                   input.pauses, today, thresholds);
  if (!case_clock) return std::unexpected(case_clock.error());
  out.case_clock = *case_clock;
  for (const StepClockInput& step : input.steps) {
    auto clock = evaluate_clock(calendar, {step.started_on, step.limit_days, 0, step.finished_on}, input.pauses, today,
                                thresholds);
    if (!clock) return std::unexpected(clock.error());
    out.steps.push_back({step.key, *clock});
  }
  return out;
}

}  // namespace tb::cases
