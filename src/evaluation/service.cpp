// Ratings, the call-back and rectification loop of bad reviews, appeals, public figures.
#include <algorithm>
#include <set>

#include "evaluation/evaluation.h"
#include "evaluation/rating.h"
#include "evaluation/store.h"

namespace tb::evaluation {
namespace {

const std::set<std::string> kChannels{"web", "app", "pad", "sms", "hotline", "window"};

std::unexpected<Error> not_found(std::int64_t id) {
  return fail(codes::kEvaluationNotFound, "评价不存在", {{"id", id}});
}

std::unexpected<Error> wrong_state(const sql::Row& e, std::string_view action) {
  return fail(codes::kEvaluationStateInvalid, "评价当前状态下不能进行此操作", {{"state", e.state}, {"action", action}});
}

double share(std::int64_t part, std::int64_t whole) { return whole == 0 ? 0.0 : double(part) / double(whole); }

}  // namespace

std::vector<store::Migration> migrations() { return store::module_migrations("evaluation", migration_files()); }

struct EvaluationService::Impl {
  store::Db& db;
  const Clock& clock;
  reference::ReferenceService& reference;
  catalog::CatalogService& catalog;

  // The departments whose bad reviews this staff member follows up (approvers and window staff).
  // A hall that is no catalogue department keeps its name: its in-person services are rated too.
  std::vector<std::string> departments_of(const Principal& p) {
    std::vector<std::string> out;
    for (const auto& g : p.roles)
      if ((g.role == "approver" || g.role == "window_clerk") && g.department)
        out.push_back(catalog.department_code(*g.department).value_or(*g.department));
    return out;
  }

  Json view(const sql::Row& e, bool for_staff) const {
    Json out = {{"id", e.id},
                {"case_no", e.case_no},
                {"item", {{"code", e.item_code}, {"name", e.item_name}}},
                {"department", e.department},
                {"level", e.level},
                {"level_name", kLevelNames[e.level]},
                {"bad", e.first_level <= 2},
                {"tags", e.tags},
                {"comment", e.comment},
                {"channel", e.channel},
                {"state", e.state},
                {"ratings", e.ratings},
                {"anonymous", e.anonymous},
                {"rated_at", format_instant(e.created_at)}};
    if (for_staff && !e.anonymous) out["rater_account_id"] = e.account_id;
    if (e.callback_at) out["call_back"] = {{"at", format_instant(*e.callback_at)}, {"note", e.callback_note.value_or("")}};
    if (e.rectify_deadline) out["rectify_deadline"] = *e.rectify_deadline;
    if (e.rectify_result) out["rectification"] = {{"result", *e.rectify_result},
                                                  {"at", e.rectified_at ? Json(format_instant(*e.rectified_at)) : Json()}};
    out["may_rate_again"] = e.state == "rectified" && e.ratings == 1;
    return out;
  }

  // The review `id`, if it went to one of `departments` (the caller's).
  Result<sql::Row> handled_by(store::Conn& c, std::int64_t id, const std::vector<std::string>& departments) {
    auto e = sql::by_id(c, id);
    if (!e) return not_found(id);
    if (std::find(departments.begin(), departments.end(), e->department) == departments.end())
      return fail(codes::kEvaluationForbidden, "只有办理该件的部门可以回访、整改或申诉", {{"department", e->department}});
    return *e;
  }

  void audit_it(store::Conn& c, const audit::Actor& who, const std::string& action, std::int64_t id, Json details) {
    audit::record(c, clock, {.actor = who.principal, .action = action, .target = "evaluation:" + std::to_string(id),
                             .ip = who.ip, .request_id = who.request_id, .details = std::move(details)});
  }
};

EvaluationService::EvaluationService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                                     catalog::CatalogService& catalog)
    : impl_(std::make_unique<Impl>(Impl{db, clock, reference, catalog})) {}
EvaluationService::~EvaluationService() = default;

Result<Json> EvaluationService::rate(const std::string& case_no, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  Json problems = Json::array();
  Rating rating = parse_rating(body, problems);
  const int level = rating.level;
  const Json& tags = rating.tags;
  const std::string& comment = rating.comment;
  std::string channel = body.contains("channel") ? text_field(body, "channel") : "web";
  if (!kChannels.contains(channel)) problems.push_back({{"field", "channel"}, {"problem", "one_of"}});
  if (!problems.empty()) return fail(codes::kValidationFailed, "评价有误", {{"problems", problems}});
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto facts = cases::case_facts(c, case_no);
    if (!facts || facts->applicant_account_id != who.principal->account_id || facts->impl_code.empty())
      return fail(codes::kCaseNotFound, "办件不存在", {{"case_no", case_no}});
    if (!kRateable.contains(facts->status))
      return fail(codes::kEvaluationTooEarly, "办件办结后才能评价", {{"status", facts->status}});
    if (auto e = sql::by_case(c, case_no)) {
      // Once more, after a rectification the rater has seen.
      if (!(e->state == "rectified" && e->ratings == 1))
        return fail(codes::kEvaluationExists, "该办件已评价", {{"id", e->id}, {"state", e->state}});
      e->level = level;
      e->tags = tags;
      e->comment = comment;
      e->ratings = 2;
      e->state = "rated";
      e->updated_at = now;
      sql::update(c, *e);
      impl_->audit_it(c, who, "evaluation.rate_again", e->id, {{"level", level}});
      return impl_->view(*e, false);
    }
    sql::Row e;
    e.case_no = case_no;
    e.department = facts->department;
    e.item_code = facts->impl_code;
    e.item_name = facts->item_name;
    e.account_id = who.principal->account_id;
    e.anonymous = rating.anonymous;
    e.level = e.first_level = level;
    e.tags = tags;
    e.comment = comment;
    e.channel = channel;
    e.state = level <= 2 ? "callback_due" : "rated";
    e.created_at = e.updated_at = now;
    e.id = sql::insert(c, e);
    impl_->audit_it(c, who, "evaluation.rate", e.id, {{"level", level}, {"case_no", case_no}});
    return impl_->view(e, false);
  });
}

Result<Json> EvaluationService::of_case(const std::string& case_no, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto e = impl_->db.read([&](store::Conn& c) { return sql::by_case(c, case_no); });
  if (!e || e->account_id != who.principal->account_id) return fail(codes::kEvaluationNotFound, "该办件尚未评价");
  return impl_->view(*e, false);
}

Result<Json> EvaluationService::mine(const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  Json items = Json::array();
  for (const auto& e : impl_->db.read([&](store::Conn& c) { return sql::of_account(c, who.principal->account_id); }))
    items.push_back(impl_->view(e, false));
  return Json{{"items", items}};
}

Result<Json> EvaluationService::queue(const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto departments = impl_->departments_of(*who.principal);
  Json items = Json::array();
  for (const auto& e : impl_->db.read([&](store::Conn& c) { return sql::of_departments(c, departments); }))
    items.push_back(impl_->view(e, true));
  return Json{{"items", items}};
}

Result<Json> EvaluationService::call_back(std::int64_t id, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string note = text_field(body, "note");
  bool facts_clear = body.value("facts_clear", false);
  std::string result = text_field(body, "result");
  Json problems = Json::array();
  if (note.empty()) problems.push_back({{"field", "note"}, {"problem", "required"}});
  if (facts_clear && result.empty()) problems.push_back({{"field", "result"}, {"problem", "required"}});
  if (!problems.empty()) return fail(codes::kValidationFailed, "回访记录不完整", {{"problems", problems}});
  auto departments = impl_->departments_of(*who.principal);
  EpochMs now = impl_->clock.now_ms();
  int days = body.contains("days") && body["days"].is_number_integer() ? body["days"].get<int>() : kDefaultRectifyDays;
  if (days < 5 || days > 15)  // the local rule: 5 to 15 working days
    return fail(codes::kValidationFailed, "整改期限须为 5 至 15 个工作日", {{"problems", {{{"field", "days"}, {"problem", "range"}}}}});
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto e = impl_->handled_by(c, id, departments);
    if (!e) return std::unexpected(e.error());
    if (e->state != "callback_due") return wrong_state(*e, "call_back");
    e->callback_by = who.principal->account_id;
    e->callback_at = now;
    e->callback_note = note;
    if (facts_clear) {  // 事实清楚的，立行立改
      e->state = "rectified";
      e->rectify_result = result;
      e->rectified_at = now;
    } else {
      auto deadline = impl_->reference.calendar(c)->add_workdays(business_date(now), days);
      if (!deadline) return std::unexpected(deadline.error());
      e->state = "rectifying";
      e->rectify_deadline = deadline->to_string();
    }
    e->updated_at = now;
    sql::update(c, *e);
    impl_->audit_it(c, who, "evaluation.call_back", id, {{"facts_clear", facts_clear}});
    return impl_->view(*e, true);
  });
}

Result<Json> EvaluationService::rectify(std::int64_t id, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string result = text_field(body, "result");
  if (result.empty())
    return fail(codes::kValidationFailed, "须写明整改结果", {{"problems", {{{"field", "result"}, {"problem", "required"}}}}});
  auto departments = impl_->departments_of(*who.principal);
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto e = impl_->handled_by(c, id, departments);
    if (!e) return std::unexpected(e.error());
    if (e->state != "rectifying") return wrong_state(*e, "rectify");
    e->state = "rectified";
    e->rectify_result = result;
    e->rectified_at = now;
    e->updated_at = now;
    sql::update(c, *e);
    impl_->audit_it(c, who, "evaluation.rectify", id, {{"late", business_date(now).to_string() > *e->rectify_deadline}});
    return impl_->view(*e, true);
  });
}

Result<Json> EvaluationService::appeal(std::int64_t id, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  std::string reason = text_field(body, "reason");
  if (reason.empty())
    return fail(codes::kValidationFailed, "须写明申诉理由", {{"problems", {{{"field", "reason"}, {"problem", "required"}}}}});
  auto departments = impl_->departments_of(*who.principal);
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto e = impl_->handled_by(c, id, departments);
    if (!e) return std::unexpected(e.error());
    if (e->state == "removed" || sql::has_pending_appeal(c, id)) return wrong_state(*e, "appeal");
    auto appeal_id = sql::insert_appeal(c, {0, id, reason, who.principal->account_id, "pending", {}, {}, now});
    impl_->audit_it(c, who, "evaluation.appeal", id, {{"appeal", appeal_id}});
    return Json{{"appeal_id", appeal_id}, {"evaluation_id", id}, {"state", "pending"}};
  });
}

Result<Json> EvaluationService::appeals(const audit::Actor& who) {
  Json items = Json::array();
  impl_->db.read([&](store::Conn& c) {
    for (const auto& a : sql::pending_appeals(c)) {
      auto e = sql::by_id(c, a.evaluation_id);
      items.push_back({{"appeal_id", a.id}, {"reason", a.reason}, {"created_at", format_instant(a.created_at)},
                       {"evaluation", e ? impl_->view(*e, false) : Json()}});
    }
  });
  return Json{{"items", items}};
}

Result<Json> EvaluationService::decide_appeal(std::int64_t appeal_id, const Json& body, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (!body.contains("uphold") || !body["uphold"].is_boolean())
    return fail(codes::kValidationFailed, "须给出 uphold（true 认定误评恶评并移除）", {{"problems", {{{"field", "uphold"}, {"problem", "required"}}}}});
  bool uphold = body["uphold"];
  std::string note = text_field(body, "note");
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto a = sql::appeal(c, appeal_id);
    if (!a) return fail(codes::kAppealNotFound, "申诉不存在", {{"appeal_id", appeal_id}});
    if (a->state != "pending")
      return fail(codes::kEvaluationStateInvalid, "该申诉已处理", {{"state", a->state}, {"action", "decide"}});
    sql::decide_appeal(c, appeal_id, uphold ? "upheld" : "rejected", who.principal->account_id, note, now);
    if (uphold) {
      auto e = sql::by_id(c, a->evaluation_id);
      e->state = "removed";
      e->updated_at = now;
      sql::update(c, *e);
    }
    impl_->audit_it(c, who, uphold ? "evaluation.remove" : "evaluation.appeal_rejected", a->evaluation_id,
                    {{"appeal", appeal_id}, {"note", note}});
    return Json{{"appeal_id", appeal_id}, {"state", uphold ? "upheld" : "rejected"}, {"evaluation_removed", uphold}};
  });
}

void Figures::add(const Figures& o) {
  total += o.total, bad += o.bad, bad_real_name += o.bad_real_name, bad_called_back += o.bad_called_back;
  bad_real_name_called_back += o.bad_real_name_called_back, bad_resolved += o.bad_resolved;
  for (int l = 0; l < 6; ++l) level[l] += o.level[l];
}

Json render_figures(const Figures& s) {
  Json levels = Json::object();
  for (int l = 1; l <= 5; ++l) levels[kLevelNames[l]] = s.level[l];
  return Json{{"total", s.total},
              {"levels", levels},
              {"satisfaction_rate", share(s.level[3] + s.level[4] + s.level[5], s.total)},
              {"bad", s.bad},
              {"bad_rate", share(s.bad, s.total)},
              {"rectification_rate", share(s.bad_resolved, s.bad)},
              {"real_name_bad", s.bad_real_name},
              {"real_name_callback_rate", share(s.bad_real_name_called_back, s.bad_real_name)}};
}

Result<std::map<std::string, Figures>> EvaluationService::figures_by_department(const SummaryQuery& q) {
  sql::SummaryFilter f{q.department, q.item, std::nullopt, std::nullopt};
  // A business day runs from 00:00 to 24:00 in the business time zone (+08:00).
  auto day_start = [](const Date& d) {
    return EpochMs(std::chrono::duration_cast<std::chrono::milliseconds>(d.days.time_since_epoch()).count()) -
           kBusinessUtcOffsetMs;
  };
  for (const auto& [text, target, next_day] : {std::tuple{&q.from, &f.from_ms, false}, std::tuple{&q.to, &f.until_ms, true}}) {
    if (!*text) continue;
    auto d = Date::parse(**text);
    if (!d) return fail(codes::kInvalidDate, "日期须为 YYYY-MM-DD", {{"value", **text}});
    *target = day_start(next_day ? d->plus_days(1) : *d);
  }
  return impl_->db.read([&](store::Conn& c) { return sql::summaries(c, f); });
}

Result<Json> EvaluationService::summary(const SummaryQuery& q) {
  auto all = figures_by_department(q);
  if (!all) return std::unexpected(all.error());
  Figures total;
  for (const auto& [department, f] : *all) total.add(f);
  return render_figures(total);
}

Result<Json> EvaluationService::summary_by_department(const SummaryQuery& q) {
  auto all = figures_by_department(q);
  if (!all) return std::unexpected(all.error());
  Figures total;
  Json rows = Json::array();
  for (const auto& [department, f] : *all) {
    total.add(f);
    Json row = render_figures(f);
    row["department"] = department;
    rows.push_back(std::move(row));
  }
  return Json{{"total", render_figures(total)}, {"departments", rows}};
}

}  // namespace tb::evaluation
