// Supervision orders (督办): issued by supervisors to a department, replied to by the
// department's staff within a deadline in working days, closed by the supervisor; audited.
#include "catalog/catalog.h"
#include "supervision/orders.h"

namespace tb::supervision {
namespace {

Json view(const store::Row& r, const std::string& today) {
  std::string deadline = r.text("reply_deadline"), state = r.text("state");
  return {{"id", r.i64("id")},
          {"department", r.text("department")},
          {"case_no", r.opt_text("case_no") ? Json(*r.opt_text("case_no")) : Json()},
          {"subject", r.text("subject")},
          {"content", r.text("content")},
          {"reply_deadline", deadline},
          {"state", state},
          {"reply_overdue", state == "open" && today > deadline},
          {"issued_at", format_instant(r.i64("issued_at"))},
          {"reply", r.opt_text("reply") ? Json(*r.opt_text("reply")) : Json()},
          {"closing_note", r.opt_text("closing_note") ? Json(*r.opt_text("closing_note")) : Json()}};
}

constexpr const char* kSelect = "SELECT id, department, case_no, subject, content, reply_deadline, state, issued_at, reply, "
                                "closing_note FROM supervision_orders ";

std::string text_field(const Json& body, const char* name) {
  return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : std::string();
}

}  // namespace

OrderService::OrderService(store::Db& db, const Clock& clock, reference::ReferenceService& reference,
                           catalog::CatalogService& catalog)
    : db_(db), clock_(clock), reference_(reference), catalog_(catalog) {}

Result<Json> OrderService::issue(const Json& body, const audit::Actor& who) {
  Json problems = Json::array();
  std::string department = text_field(body, "department"), subject = text_field(body, "subject"),
              content = text_field(body, "content");
  for (auto [name, value] : {std::pair{"department", &department}, {"subject", &subject}, {"content", &content}})
    if (value->empty()) problems.push_back({{"field", name}, {"problem", "required"}});
  int days = body.contains("reply_days") && body["reply_days"].is_number_integer() ? body["reply_days"].get<int>() : 3;
  if (days < 1 || days > 30) problems.push_back({{"field", "reply_days"}, {"problem", "range"}, {"value", "1-30"}});
  if (!problems.empty()) return fail(codes::kValidationFailed, "督办单不完整", {{"problems", problems}});
  auto code = catalog_.department_code(department);
  if (!code) return fail(codes::kDepartmentNotFound, "部门不存在", {{"department", department}});
  std::optional<std::string> case_no;
  if (body.contains("case_no") && body["case_no"].is_string()) case_no = body["case_no"].get<std::string>();
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    if (case_no && !cases::case_facts(c, *case_no)) return fail(codes::kCaseNotFound, "办件不存在", {{"case_no", *case_no}});
    auto deadline = reference_.calendar(c)->add_workdays(business_date(now), days);
    if (!deadline) return std::unexpected(deadline.error());
    auto id = c.query("INSERT INTO supervision_orders (department, case_no, subject, content, reply_deadline, state, "
                      "issued_by, issued_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                      {*code, case_no, subject, content, deadline->to_string(), who.principal->account_id, now})
                  .at(0)
                  .i64(0);
    audit::record(c, clock_, {.actor = who.principal, .action = "supervision.order.issue",
                              .target = "supervision_order:" + std::to_string(id), .ip = who.ip,
                              .request_id = who.request_id, .details = {{"department", *code}}});
    return view(c.query(std::string(kSelect) + "WHERE id = ?", {id}).at(0), business_date(now).to_string());
  });
}

Result<Json> OrderService::list(const std::optional<std::string>& state, const audit::Actor& who, bool own_departments) {
  std::vector<std::string> departments;
  if (own_departments)
    for (const auto& g : who.principal->roles)
      if (g.department && g.role != "citizen" && g.role != "company_agent")
        if (auto code = catalog_.department_code(*g.department)) departments.push_back(*code);
  std::string today = business_date(clock_.now_ms()).to_string();
  Json items = Json::array();
  db_.read([&](store::Conn& c) {
    for (const auto& r : c.query(std::string(kSelect) + "ORDER BY id")) {
      if (state && r.text("state") != *state) continue;
      if (own_departments && std::find(departments.begin(), departments.end(), r.text("department")) == departments.end())
        continue;
      items.push_back(view(r, today));
    }
  });
  return Json{{"items", items}};
}

Result<Json> OrderService::reply(std::int64_t id, const Json& body, const audit::Actor& who) {
  std::string text = text_field(body, "reply");
  if (text.empty())
    return fail(codes::kValidationFailed, "须填写办理情况", {{"problems", {{{"field", "reply"}, {"problem", "required"}}}}});
  std::vector<std::string> departments;
  for (const auto& g : who.principal->roles)
    if (g.department)
      if (auto code = catalog_.department_code(*g.department)) departments.push_back(*code);
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    auto rows = c.query(std::string(kSelect) + "WHERE id = ?", {id});
    if (rows.empty()) return fail(codes::kOrderNotFound, "督办单不存在", {{"id", id}});
    if (std::find(departments.begin(), departments.end(), rows[0].text("department")) == departments.end())
      return fail(codes::kForbidden, "只有被督办部门可以回复", {{"department", rows[0].text("department")}});
    if (rows[0].text("state") != "open")
      return fail(codes::kOrderStateInvalid, "督办单当前状态下不能回复", {{"state", rows[0].text("state")}});
    c.exec("UPDATE supervision_orders SET state = 'replied', reply = ?, replied_by = ?, replied_at = ? WHERE id = ?",
           {text, who.principal->account_id, now, id});
    audit::record(c, clock_, {.actor = who.principal, .action = "supervision.order.reply",
                              .target = "supervision_order:" + std::to_string(id), .ip = who.ip,
                              .request_id = who.request_id,
                              .details = {{"late", business_date(now).to_string() > rows[0].text("reply_deadline")}}});
    return view(c.query(std::string(kSelect) + "WHERE id = ?", {id}).at(0), business_date(now).to_string());
  });
}

Result<Json> OrderService::close(std::int64_t id, const Json& body, const audit::Actor& who) {
  std::string note = text_field(body, "note");
  EpochMs now = clock_.now_ms();
  return db_.write([&](store::Conn& c) -> Result<Json> {
    auto rows = c.query(std::string(kSelect) + "WHERE id = ?", {id});
    if (rows.empty()) return fail(codes::kOrderNotFound, "督办单不存在", {{"id", id}});
    if (rows[0].text("state") != "replied")
      return fail(codes::kOrderStateInvalid, "督办单须先由部门回复才能办结", {{"state", rows[0].text("state")}});
    c.exec("UPDATE supervision_orders SET state = 'closed', closing_note = ?, closed_by = ?, closed_at = ? WHERE id = ?",
           {note, who.principal->account_id, now, id});
    audit::record(c, clock_, {.actor = who.principal, .action = "supervision.order.close",
                              .target = "supervision_order:" + std::to_string(id), .ip = who.ip,
                              .request_id = who.request_id});
    return view(c.query(std::string(kSelect) + "WHERE id = ?", {id}).at(0), business_date(now).to_string());
  });
}

}  // namespace tb::supervision
