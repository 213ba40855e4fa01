#include "supervision/alerts.h"

#include <algorithm>

#include "core/principal.h"

namespace tb::supervision {

bool AlertWriter::raise(const NewAlert& a, const std::function<Recipients()>& recipients) {
  if (auto existing = sql::alert(c_, a.subject, a.kind)) {
    if (!existing->cleared_at) return false;
    sql::reopen_alert(c_, existing->id, a.detail, now_);
    return true;
  }
  sql::Alert row;
  row.subject = a.subject;
  row.kind = a.kind;
  row.case_no = a.case_no;
  row.item_code = a.item_code;
  row.title = a.title;
  row.department = a.department;
  row.division = a.division;
  row.detail = a.detail;
  row.raised_at = now_;
  sql::insert_alert(c_, row);

  Recipients who = recipients ? recipients() : Recipients{};
  std::vector<std::string> departments{a.department};
  for (const auto& d : who.departments)
    if (std::find(departments.begin(), departments.end(), d) == departments.end()) departments.push_back(d);
  // The department heads: administrators of those departments whose subtree holds the case.
  std::set<std::int64_t> to(who.accounts.begin(), who.accounts.end());
  for (const auto& d : departments)
    for (auto id : holders("department_admin", d, a.division)) to.insert(id);
  std::string body = alert_message(a);
  for (auto id : to) identity_.notify(c_, id, body);
  return true;
}

void AlertWriter::clear(const std::string& subject, std::string_view kind) {
  sql::clear_alert(c_, subject, std::string(kind), now_);
}

std::vector<std::string> AlertWriter::open_kinds(const std::string& subject) {
  return sql::open_alert_kinds(c_, subject);
}

std::vector<std::int64_t> AlertWriter::holders(const std::string& role, const std::string& department,
                                               const std::string& division) {
  auto keys = departments_.find(department);
  std::vector<std::string> names = keys != departments_.end() ? keys->second : std::vector<std::string>{department};
  std::vector<std::int64_t> out;
  for (const auto& h : identity_.role_holders(c_, role, names))
    if (h.division.empty() || division_within(division, h.division)) out.push_back(h.account_id);
  return out;
}

Recipients AlertWriter::task_staff(std::int64_t case_id, const std::string& division) {
  Recipients out;
  for (const auto& t : cases::open_tasks(c_, case_id)) {
    out.departments.push_back(t.department);
    if (t.claimed_by) {
      out.accounts.push_back(*t.claimed_by);
      continue;
    }
    for (auto id : holders(t.role, t.department, division)) out.accounts.push_back(id);
  }
  return out;
}

std::string alert_message(const NewAlert& a) {
  const Json& d = a.detail;
  auto text = [&](const char* key) {
    return d.contains(key) && d[key].is_string() ? d[key].get<std::string>() : std::string();
  };
  std::string subject = a.case_no ? "办件 " + *a.case_no + "（" + a.title + "）"
                                  : "事项 " + a.item_code.value_or("") + "（" + a.title + "）";
  if (a.kind == "case_warning")
    return "【通办】监察预警：" + subject + "即将到期，办理期限为 " + text("deadline") + "，请抓紧办理。";
  if (a.kind == "case_overdue")
    return "【通办】监察超期：" + subject + "已超过办理期限 " + text("deadline") + "，请立即办理并说明原因。";
  if (a.kind == "closed_without_delivery")
    return "【通办】监察异常：" + subject + "准予许可后未送达即办结，请核实并补办送达。";
  if (a.kind == "result_without_licence")
    return "【通办】监察异常：" + subject + "已准予许可，但未生成电子证照（" + text("licence_type") +
           "），请核实并补发。";
  if (a.kind == "step_without_role")
    return "【通办】监察异常：" + subject + "的办理环节由不具备该环节角色或部门的账号完成，请核实。";
  if (a.kind == "item_incomplete") return "【通办】监察异常：已发布的" + subject + "缺少必备要素，请补全后重新发布。";
  return "【通办】监察提示：" + subject;
}

}  // namespace tb::supervision
