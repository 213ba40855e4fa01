// Reading cases: the full case, my cases, the staff to-do list, the public progress query and
// the exchange records for the provincial platform; and parsing action bodies.
#include "cases/exchange.h"
#include "cases/service_internal.h"
#include "core/principal.h"

namespace tb::cases {
namespace {

std::string status_label(std::string_view status) {
  static const std::map<std::string_view, std::string> labels{
      {"draft", "草稿"},
      {"submitted", "已提交，待受理"},
      {"correction_required", "待补正"},
      {"accepted", "已受理"},
      {"in_progress", "办理中"},
      {"special_procedure", "特别程序中"},
      {"decided_approved", "已作出准予决定"},
      {"decided_rejected", "已作出不予许可决定"},
      {"refused", "不予受理"},
      {"withdrawn", "已撤回"},
      {"delivered", "已送达"},
      {"closed", "已办结"},
  };
  auto it = labels.find(status);
  return it == labels.end() ? std::string(status) : it->second;
}

Json material_json(const sql::MaterialRow& m) {
  Json j = {{"id", m.id}, {"name", m.name}, {"source", m.source}, {"superseded", m.superseded},
            {"added_at", format_instant(m.added_at)}};
  if (m.file) {
    j["file_name"] = m.file->file_name;
    j["media_type"] = m.file->media_type;
    j["size"] = m.file->size;
    j["sm3"] = m.file->digest;
  }
  if (m.licence_ref) j["licence"] = *m.licence_ref;
  return j;
}

// One line of the timeline; the payload minus what only machines need.
Json timeline_entry(const sql::EventRow& e) {
  Json entry = {{"position", e.position}, {"type", e.type}, {"at", format_instant(e.created_at)}};
  for (const char* key : {"step", "name", "outcome", "opinion", "reason", "legal_basis", "items", "mode", "days",
                          "result", "closure", "department", "cause"})
    if (e.payload.contains(key)) entry[key] = e.payload[key];
  if (e.payload.contains("actor")) entry["actor"] = e.payload["actor"].value("name", "");
  return entry;
}

Json case_summary(const sql::CaseRow& r) {
  return {{"case_no", r.case_no},
          {"item", {{"code", r.impl_code}, {"name", r.item_name}, {"version", r.item_version}}},
          {"status", r.status},
          {"status_label", status_label(r.status)},
          {"channel", r.channel},
          {"deadline", r.deadline ? Json(*r.deadline) : Json()},
          {"submitted_at", format_instant(r.submitted_at)},
          {"updated_at", format_instant(r.updated_at)},
          {"version", r.version}};
}

LimitState state_of_deadline(const WorkdayCalendar& cal, const std::string& deadline, Date today, int* left) {
  auto d = Date::parse(deadline);
  if (!d) return LimitState::kNormal;
  auto between = cal.workdays_between(today, *d);
  *left = between ? *between : 0;
  if (today > *d) return LimitState::kOverdue;
  return *left <= Thresholds{}.warn_days_left ? LimitState::kWarning : LimitState::kNormal;
}

}  // namespace

Result<Json> CaseService::view(const std::string& case_no, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto row = impl_->db.read([&](store::Conn& c) { return sql::case_by_no(c, case_no); });
  if (!row) return case_not_found(case_no);
  bool parent = row->impl_code.empty();
  CaseState state;
  if (!parent) {
    auto s = case_state_from_json(row->state);
    if (!s) throw FatalError("stored case state unreadable: " + case_no);
    state = std::move(*s);
  }
  if (auto ok = impl_->check_visible(*row, state, *who.principal); !ok) return std::unexpected(ok.error());

  Json out = case_summary(*row);
  out["department"] = row->department;
  out["division"] = row->division;
  out["applicant"] = {{"name", row->applicant_name}};
  out["form"] = row->form;
  if (row->scenario_code) out["scenario"] = *row->scenario_code;
  impl_->db.read([&](store::Conn& c) {
    if (parent) {
      Json children = Json::array();
      for (const auto& child : sql::children(c, row->id)) children.push_back(case_summary(child));
      out["children"] = children;
      return;
    }
    if (row->parent_id)
      if (auto p = sql::case_by_id(c, *row->parent_id)) out["parent_case_no"] = p->case_no;
    Json materials = Json::array();
    for (const auto& m : sql::materials(c, row->id)) materials.push_back(material_json(m));
    out["materials"] = materials;
    Json timeline = Json::array();
    Json notice;
    for (const auto& e : sql::events_of(c, row->id)) {
      if (e.type == "case.correction_required") notice = {{"items", e.payload.value("items", Json::array())},
                                                          {"at", format_instant(e.created_at)},
                                                          {"phase", e.payload.value("phase", "")}};
      timeline.push_back(timeline_entry(e));
    }
    out["timeline"] = timeline;
    if (state.status == CaseStatus::kCorrectionRequired) out["correction_notice"] = notice;
    Json tasks = Json::array();
    for (const auto& t : c.query("SELECT step_key, step_name, role, department, deadline, claimed_by FROM case_tasks "
                                 "WHERE case_id = ? ORDER BY id",
                                 {row->id}))
      tasks.push_back({{"step", t.text(0)}, {"name", t.text(1)}, {"role", t.text(2)}, {"department", t.text(3)},
                       {"deadline", t.is_null(4) ? Json() : Json(t.text(4))},
                       {"claimed_by", t.is_null(5) ? Json() : Json(t.i64(5))}});
    out["tasks"] = tasks;
  });
  if (!parent) {
    out["workflow"] = to_json(state.workflow);
    out["pauses"] = Json::array();
    for (const Pause& p : state.pauses) out["pauses"].push_back(to_json(p));
    out["extensions"] = state.extensions;
    if (auto in = limits_input(state)) {
      auto limits = compute_limits(*impl_->reference.calendar(), *in, business_date(impl_->clock.now_ms()));
      if (limits) out["limits"] = to_json(*limits);
      else out["limits_error"] = limits.error().to_json();
    }
  }
  return out;
}

Result<std::pair<Json, std::string>> CaseService::material_file(const std::string& case_no, std::int64_t material_id,
                                                                 const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  auto row = impl_->db.read([&](store::Conn& c) { return sql::case_by_no(c, case_no); });
  if (!row || row->impl_code.empty()) return case_not_found(case_no);
  auto state = case_state_from_json(row->state);
  if (!state) throw FatalError("stored case state unreadable: " + case_no);
  if (auto ok = impl_->check_visible(*row, *state, *who.principal); !ok) return std::unexpected(ok.error());
  auto materials = impl_->db.read([&](store::Conn& c) { return sql::materials(c, row->id); });
  for (const auto& m : materials)
    if (m.id == material_id && m.file) {
      auto bytes = impl_->blobs.get(m.file->digest);
      if (!bytes) return std::unexpected(bytes.error());
      return std::pair{material_json(m), std::move(*bytes)};
    }
  return fail(codes::kMaterialNotFound, "该办件没有这份材料文件", {{"case_no", case_no}, {"material", material_id}});
}

Result<Json> CaseService::my_cases(const audit::Actor& who, std::optional<std::int64_t> before, int limit) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (limit < 1 || limit > 100) return fail(codes::kValidationFailed, "limit 须在 1 到 100 之间", {{"field", "limit"}});
  auto rows = impl_->db.read([&](store::Conn& c) { return sql::cases_of(c, who.principal->account_id, before, limit); });
  Json items = Json::array();
  for (const auto& r : rows) items.push_back(case_summary(r));
  Json out = {{"items", items}};
  if (int(rows.size()) == limit) out["next_cursor"] = rows.back().id;
  return out;
}

Result<Json> CaseService::todo(const TodoQuery& q, const audit::Actor& who) {
  if (!who.principal) return fail(codes::kUnauthenticated, "请先登录");
  if (q.limit < 1 || q.limit > 200) return fail(codes::kValidationFailed, "limit 须在 1 到 200 之间", {{"field", "limit"}});
  auto calendar = impl_->reference.calendar();
  Date today = business_date(impl_->clock.now_ms());
  Json items = Json::array();
  for (const Actor& a : impl_->actors_of(*who.principal)) {
    if (is_applicant_role(a.role) || a.division.empty()) continue;
    sql::TodoFilter f;
    f.role = a.role;
    f.department = a.department;
    std::string prefix = a.division;
    while (prefix.size() > 2 && prefix.ends_with("00")) prefix.resize(prefix.size() - 2);  // as division_within
    f.division_prefix = prefix;
    f.impl_code = q.item;
    f.step_key = q.stage;
    f.channel = q.channel;
    f.mine_only = q.mine;
    f.account_id = who.principal->account_id;
    f.limit = q.limit;
    f.offset = q.offset;
    for (const auto& t : impl_->db.read([&](store::Conn& c) { return sql::todo(c, f); })) {
      if (!division_within(t.task.division, a.division)) continue;
      Json item = {{"case_no", t.case_no},
                   {"item", {{"code", t.impl_code}, {"name", t.item_name}}},
                   {"applicant", t.applicant_name},
                   {"channel", t.channel},
                   {"status", t.status},
                   {"status_label", status_label(t.status)},
                   {"step", t.task.step_key},
                   {"step_name", t.task.step_name},
                   {"role", t.task.role},
                   {"department", t.task.department},
                   {"started_on", t.task.started_on},
                   {"claimed_by", t.task.claimed_by ? Json(*t.task.claimed_by) : Json()},
                   {"version", t.version},
                   {"submitted_at", format_instant(t.submitted_at)}};
      if (t.task.deadline) {
        int left = 0;
        item["deadline"] = *t.task.deadline;
        item["limit_state"] = to_string(state_of_deadline(*calendar, *t.task.deadline, today, &left));
        item["days_left"] = left;
      }
      items.push_back(std::move(item));
    }
  }
  // Several roles: one list, nearest deadline first.
  std::stable_sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
    auto key = [](const Json& j) { return j.contains("deadline") ? j["deadline"].get<std::string>() : std::string("9999"); };
    return key(a) < key(b);
  });
  return Json{{"items", items}, {"today", today.to_string()}};
}

Result<Json> CaseService::progress(const std::string& case_no, const std::string& name, const std::string& ip) {
  EpochMs now = impl_->clock.now_ms();
  if (impl_->progress_misses->blocked(ip, now))
    return fail(codes::kRateLimited, "查询失败次数过多，请 10 分钟后再试");
  if (case_no.empty() || name.empty())
    return fail(codes::kValidationFailed, "请输入办件编号和申请人姓名",
                {{"problems", {{{"field", case_no.empty() ? "case_no" : "name"}, {"problem", "required"}}}}});
  auto row = impl_->db.read([&](store::Conn& c) { return sql::progress(c, case_no); });
  if (!row || row->applicant_name != name) {
    impl_->progress_misses->miss(ip, now);
    return fail(codes::kCaseNotFound, "未找到该办件，请核对办件编号和申请人姓名");
  }
  Json out = {{"case_no", row->case_no},
              {"item_name", row->item_name},
              {"status", row->status},
              {"status_label", status_label(row->status)},
              {"submitted_on", business_date(row->submitted_at).to_string()},
              {"updated_at", format_instant(row->updated_at)},
              {"deadline", row->deadline ? Json(*row->deadline) : Json()}};
  if (row->scenario_parent) {
    Json children = Json::array();
    for (const auto& child : impl_->db.read([&](store::Conn& c) { return sql::children(c, row->id); }))
      children.push_back({{"case_no", child.case_no}, {"item_name", child.item_name}, {"status", child.status},
                          {"status_label", status_label(child.status)}});
    out["children"] = children;
    return out;
  }
  out["accepted_on"] = row->state.value("accepted_on", Json());
  out["decided_on"] = row->state.value("decided_on", Json());
  Json steps = Json::array();
  for (const auto& stage : row->state.value("workflow", Json::object()).value("stages", Json::array()))
    for (const auto& s : stage.value("steps", Json::array()))
      steps.push_back({{"name", s.value("name", "")}, {"status", s.value("status", "")}});
  out["steps"] = steps;
  return out;
}

Result<Json> CaseService::exchange_records(std::int64_t after, int limit) {
  if (limit < 1 || limit > 1000) return fail(codes::kValidationFailed, "limit 须在 1 到 1000 之间", {{"field", "limit"}});
  if (after < 0) return fail(codes::kValidationFailed, "after 不能为负", {{"field", "after"}});
  Json records = Json::array();
  std::int64_t cursor = after;
  impl_->db.read([&](store::Conn& c) {
    auto as_exchange = [](const sql::ExchangeEventRow& r) {
      return EventForExchange{r.event.position, r.case_no, r.impl_code, r.item_name, r.department, r.division,
                              r.event.type, r.event.payload, r.event.created_at};
    };
    for (const auto& r : sql::exchange_events_after(c, after, limit)) {
      cursor = r.event.position;
      if (r.event.type == "exchange.resent") {
        // Everything the case produced before the resend, again, one version up.
        int version = r.event.payload.value("version", 2);
        for (const auto& earlier : sql::exchange_events_of(c, r.event.case_id, r.event.position))
          for (auto& rec : records_of(as_exchange(earlier), version)) {
            rec["position"] = r.event.position;
            records.push_back(std::move(rec));
          }
        continue;
      }
      for (auto& rec : records_of(as_exchange(r), 1)) records.push_back(std::move(rec));
    }
  });
  return Json{{"records", records}, {"next_cursor", cursor}};
}

Result<Json> CaseService::resend(const std::string& case_no, const audit::Actor& who) {
  EpochMs now = impl_->clock.now_ms();
  return impl_->db.write([&](store::Conn& c) -> Result<Json> {
    auto row = sql::case_by_no(c, case_no);
    if (!row) return case_not_found(case_no);
    int version = sql::count_events(c, row->id, "exchange.resent") + 2;
    sql::insert_event(c, row->id, "exchange.resent", {{"version", version}}, now);
    audit::record(c, impl_->clock,
                  {.actor = who.principal, .action = "exchange.resend", .target = "case:" + case_no, .ip = who.ip,
                   .request_id = who.request_id, .details = {{"version", version}}});
    return Json{{"case_no", case_no}, {"version", version}};
  });
}

std::vector<OutboxEvent> outbox_after(store::Conn& c, std::int64_t position, int limit) {
  std::vector<OutboxEvent> out;
  for (auto& r : sql::exchange_events_after(c, position, limit))
    out.push_back({r.event.position, r.event.case_id, r.case_no, r.event.type, std::move(r.event.payload),
                   r.event.created_at});
  return out;
}

std::vector<OutboxEvent> case_events(store::Conn& c, std::int64_t case_id) {
  auto row = c.query("SELECT case_no FROM cases WHERE id = ?", {case_id});
  std::string case_no = row.empty() ? std::string() : row[0].text(0);
  std::vector<OutboxEvent> out;
  for (auto& e : sql::events_of(c, case_id))
    out.push_back({e.position, e.case_id, case_no, e.type, std::move(e.payload), e.created_at});
  return out;
}

std::vector<OpenTask> open_tasks(store::Conn& c, std::int64_t case_id) {
  std::vector<OpenTask> out;
  for (const auto& r : c.query("SELECT step_key, role, department, claimed_by FROM case_tasks WHERE case_id = ? "
                               "ORDER BY step_key",
                               {case_id}))
    out.push_back({r.text(0), r.text(1), r.text(2), r.opt_i64(3)});
  return out;
}

std::optional<CaseFacts> case_facts(store::Conn& c, const std::string& case_no) {
  auto r = sql::case_by_no(c, case_no);
  if (!r) return std::nullopt;
  CaseFacts f{r->id, r->case_no, r->impl_code, r->item_version, r->item_name, r->department, r->division,
              r->channel, r->applicant_account_id, r->applicant_name, r->company_id, r->form, r->status, r->state};
  if (r->parent_id) {
    if (auto parent = sql::case_by_id(c, *r->parent_id)) {
      f.parent_case_no = parent->case_no;
      f.scenario_code = parent->scenario_code;
      f.siblings = sql::count_children(c, parent->id);
    }
  }
  return f;
}

Result<Action> parse_action(const Json& body, catalog::CatalogService& catalog) {
  if (!body.is_object() || !body.contains("action") || !body["action"].is_string())
    return fail(codes::kValidationFailed, "须给出操作（action）",
                {{"problems", {{{"field", "action"}, {"problem", "required"}}}}});
  auto type = parse_action_type(body["action"].get<std::string>());
  if (!type) return std::unexpected(type.error());
  Action a;
  a.type = *type;
  Json problems = Json::array();
  auto text = [&](const char* field) -> std::string {
    if (!body.contains(field) || body[field].is_null()) return "";
    if (!body[field].is_string()) {
      problems.push_back({{"field", field}, {"problem", "type"}});
      return "";
    }
    return body[field].get<std::string>();
  };
  a.reason = text("reason");
  a.legal_basis = text("legal_basis");
  a.name = text("name");
  a.result = text("result");
  a.outcome = text("outcome");
  a.opinion = text("opinion");
  a.delivery_mode = text("mode");
  a.step_key = text("step");
  std::string department = text("department");
  if (!department.empty()) {
    auto code = catalog.department_code(department);
    if (!code) return fail(codes::kDepartmentNotFound, "部门不存在", {{"department", department}});
    a.department = *code;
  }
  if (body.contains("days")) {
    if (!body["days"].is_number_integer()) problems.push_back({{"field", "days"}, {"problem", "type"}});
    else a.days = body["days"].get<int>();
  }
  if (body.contains("corrections")) {
    if (!body["corrections"].is_array()) problems.push_back({{"field", "corrections"}, {"problem", "type"}});
    else
      for (const auto& item : body["corrections"]) {
        if (!item.is_object()) {
          problems.push_back({{"field", "corrections"}, {"problem", "type"}});
          continue;
        }
        auto field = [&](const char* key) {
          return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : std::string();
        };
        a.corrections.push_back({field("material"), field("reason")});
      }
  }
  if (!problems.empty()) return fail(codes::kValidationFailed, "操作参数有误", {{"problems", problems}});
  return a;
}

}  // namespace tb::cases
