#include "catalog/rules.h"

#include <algorithm>

namespace tb::catalog {
namespace {

bool is_code_char(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

bool non_empty_string(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty();
}

bool non_empty_array(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_array() && !j[key].empty();
}

bool one_of(const Json& v, std::initializer_list<const char*> allowed) {
  if (!v.is_string()) return false;
  for (const char* a : allowed)
    if (v.get<std::string>() == a) return true;
  return false;
}

bool int_in(const Json& v, int lo, int hi) {
  return v.is_number_integer() && v.get<int>() >= lo && v.get<int>() <= hi;
}

// A workflow's total limit: serial steps add up; a parallel group counts its longest step.
int workflow_days(const Json& steps) {
  int total = 0;
  for (const auto& s : steps) {
    if (s.contains("parallel") && s["parallel"].is_array()) {
      int longest = 0;
      for (const auto& p : s["parallel"]) longest = std::max(longest, p.value("limit_days", 0));
      total += longest;
    } else {
      total += s.value("limit_days", 0);
    }
  }
  return total;
}

void check_step(const Json& step, const std::string& path, const Departments& departments, std::set<std::string>& keys,
                std::vector<Problem>& out) {
  static const std::set<std::string> kStaffRoles{"window_clerk", "approver", "department_admin", "supervisor"};
  if (!non_empty_string(step, "key")) out.push_back({path + ".key", "环节须有 key"});
  else if (!keys.insert(step["key"]).second) out.push_back({path + ".key", "环节 key 重复"});
  if (!non_empty_string(step, "name")) out.push_back({path + ".name", "环节须有名称"});
  if (!step.contains("role") || !step["role"].is_string() || !kStaffRoles.count(step["role"]))
    out.push_back({path + ".role", "环节角色须为工作人员角色（approver 等）"});
  if (!step.contains("department") || !step["department"].is_string() || !departments.count(step["department"]))
    out.push_back({path + ".department", "环节所属部门不存在"});
  if (!int_in(step.value("limit_days", Json()), 0, 365)) out.push_back({path + ".limit_days", "环节时限须为 0–365 个工作日"});
}

}  // namespace

const std::map<int, std::string>& item_types() {
  static const std::map<int, std::string> types{
      {1, "行政许可"}, {2, "行政处罚"}, {3, "行政强制"}, {4, "行政征收"}, {5, "行政给付"},  {6, "行政检查"},
      {7, "行政确认"}, {8, "行政奖励"}, {9, "行政裁决"}, {10, "其他行政权力"}, {20, "公共服务"}};
  return types;
}

std::string level_of_division(const std::string& code) {
  if (code.size() == 9) return "township";
  if (code.size() == 6 && code.substr(4) == "00") return "city";
  if (code.size() == 6) return "county";
  return "";
}

std::vector<Problem> validate_department(const Json& d, const std::set<std::string>& known_divisions) {
  std::vector<Problem> out;
  if (!d.is_object()) return {{"", "部门须为 JSON 对象"}};
  if (!non_empty_string(d, "code")) out.push_back({"code", "缺少部门代码"});
  if (!non_empty_string(d, "name")) out.push_back({"name", "缺少部门名称"});
  if (!non_empty_string(d, "uscc") || d["uscc"].get<std::string>().size() != 18)
    out.push_back({"uscc", "统一社会信用代码须为 18 位"});
  if (!d.contains("division_code") || !d["division_code"].is_string() || !known_divisions.count(d["division_code"]))
    out.push_back({"division_code", "区划代码不存在"});
  return out;
}

std::vector<Problem> validate_item(const Json& item, const Departments& departments,
                                   const std::set<std::string>& themes) {
  std::vector<Problem> out;
  auto bad = [&](const std::string& field, const std::string& message) { out.push_back({field, message}); };
  if (!item.is_object()) return {{"", "事项须为 JSON 对象"}};

  std::string basic = item.value("basic_code", "");
  if (basic.size() != 12 || !std::all_of(basic.begin(), basic.end(), is_code_char))
    bad("basic_code", "基本编码须为 12 位数字或大写字母");
  if (!non_empty_string(item, "name")) bad("name", "缺少事项名称");
  if (!item.contains("type") || !item["type"].is_number_integer() || !item_types().count(item["type"].get<int>()))
    bad("type", "事项类型须为国家标准代码（1–10 或 20）");
  std::string dept = item.value("department", "");
  auto d = departments.find(dept);
  if (d == departments.end()) bad("department", "实施部门不存在：" + dept);
  std::string division = item.value("division_code", "");
  std::string level = item.value("level", "");
  if (level != "city" && level != "county" && level != "township") bad("level", "行使层级须为 city、county 或 township");
  else if (level_of_division(division) != level) bad("level", "行使层级与区划代码不符");
  if (item.contains("service_objects")) {
    if (!item["service_objects"].is_array() || item["service_objects"].empty()) bad("service_objects", "须列出服务对象");
    else
      for (std::size_t i = 0; i < item["service_objects"].size(); ++i)
        if (!one_of(item["service_objects"][i], {"natural_person", "legal_person"}))
          bad("service_objects[" + std::to_string(i) + "]", "服务对象须为 natural_person 或 legal_person");
  }

  if (item.contains("materials") && item["materials"].is_array()) {
    const auto& m = item["materials"];
    for (std::size_t i = 0; i < m.size(); ++i) {
      std::string p = "materials[" + std::to_string(i) + "]";
      if (!non_empty_string(m[i], "name")) bad(p + ".name", "材料须有名称");
      if (!one_of(m[i].value("form", Json()), {"original", "copy", "electronic"}))
        bad(p + ".form", "材料形式须为 original、copy 或 electronic");
      if (m[i].contains("copies") && !int_in(m[i]["copies"], 0, 100)) bad(p + ".copies", "份数须为 0–100");
      bool required = m[i].value("required", true);
      if (!required && !non_empty_string(m[i], "condition")) bad(p + ".condition", "非必需材料须写明在何种情形下需要");
    }
  } else if (item.contains("materials")) {
    bad("materials", "申请材料须为数组");
  }

  bool has_limits = item.contains("statutory_limit_days") && item.contains("promised_limit_days");
  if (has_limits) {
    if (!int_in(item["statutory_limit_days"], 0, 365)) bad("statutory_limit_days", "法定时限须为 0–365 个工作日");
    if (!int_in(item["promised_limit_days"], 0, 365)) bad("promised_limit_days", "承诺时限须为 0–365 个工作日");
    if (int_in(item["statutory_limit_days"], 0, 365) && int_in(item["promised_limit_days"], 0, 365) &&
        item["promised_limit_days"].get<int>() > item["statutory_limit_days"].get<int>())
      bad("promised_limit_days", "承诺时限不能长于法定时限");
  }
  if (item.contains("kind")) {
    if (!one_of(item["kind"], {"immediate", "promised"})) bad("kind", "办件类型须为 immediate（即办件）或 promised（承诺件）");
    else if (item["kind"] == "immediate" && has_limits && item["promised_limit_days"].is_number_integer() &&
             item["promised_limit_days"].get<int>() > 1)
      bad("kind", "即办件的承诺时限须为 0 或 1 个工作日");
  }
  if (item.contains("handling_forms")) {
    if (!item["handling_forms"].is_array()) bad("handling_forms", "办理形式须为数组");
    else
      for (std::size_t i = 0; i < item["handling_forms"].size(); ++i)
        if (!one_of(item["handling_forms"][i], {"window", "online", "mail"}))
          bad("handling_forms[" + std::to_string(i) + "]", "办理形式须为 window、online 或 mail");
  }
  if (item.contains("visits") && !int_in(item["visits"], 0, 2)) bad("visits", "到办事现场次数须为 0、1 或 2");
  if (item.contains("online_depth") && !int_in(item["online_depth"], 1, 4)) bad("online_depth", "网办深度须为 1–4");
  if (item.contains("required_real_name_level") && !int_in(item["required_real_name_level"], 1, 3))
    bad("required_real_name_level", "实名等级须为 1–3");
  if (item.contains("fees")) {
    if (!item["fees"].is_array()) bad("fees", "收费须为数组（空数组表示不收费）");
    else
      for (std::size_t i = 0; i < item["fees"].size(); ++i) {
        const auto& f = item["fees"][i];
        std::string p = "fees[" + std::to_string(i) + "]";
        if (!non_empty_string(f, "name")) bad(p + ".name", "收费项目须有名称");
        if (!f.contains("amount_fen") || !f["amount_fen"].is_number_integer() || f["amount_fen"].get<long long>() < 0)
          bad(p + ".amount_fen", "金额须为非负整数（分）");
        if (!non_empty_string(f, "basis")) bad(p + ".basis", "须写明收费依据");
      }
  }
  if (item.value("negative_list", false) && !non_empty_string(item, "negative_reason"))
    bad("negative_reason", "列入负面清单（不在网上办理）的事项须写明原因");
  if (item.contains("result")) {
    if (!item["result"].is_object() || !one_of(item["result"].value("type", Json()), {"licence", "document", "none"}))
      bad("result.type", "办理结果类型须为 licence、document 或 none");
  }
  if (item.contains("themes") && item["themes"].is_array())
    for (std::size_t i = 0; i < item["themes"].size(); ++i)
      if (!item["themes"][i].is_string() || !themes.count(item["themes"][i]))
        bad("themes[" + std::to_string(i) + "]", "主题不在主题目录中");

  if (item.contains("form")) {
    const auto& fields = item["form"].value("fields", Json::array());
    std::set<std::string> names;
    static const std::set<std::string> kTypes{"text", "number", "date", "select", "id_number",
                                              "uscc", "phone", "division", "boolean"};
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::string p = "form.fields[" + std::to_string(i) + "]";
      if (!non_empty_string(fields[i], "name")) bad(p + ".name", "表单字段须有 name");
      else if (!names.insert(fields[i]["name"]).second) bad(p + ".name", "表单字段 name 重复");
      if (!non_empty_string(fields[i], "label")) bad(p + ".label", "表单字段须有中文标签");
      if (!fields[i].contains("type") || !fields[i]["type"].is_string() || !kTypes.count(fields[i]["type"]))
        bad(p + ".type", "表单字段类型不支持");
      else if (fields[i]["type"] == "select" && !non_empty_array(fields[i], "options"))
        bad(p + ".options", "下拉字段须列出选项");
    }
  }

  if (item.contains("workflow")) {
    const auto& steps = item["workflow"].value("steps", Json::array());
    std::set<std::string> keys;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      std::string p = "workflow.steps[" + std::to_string(i) + "]";
      if (steps[i].contains("parallel")) {
        if (!steps[i]["parallel"].is_array() || steps[i]["parallel"].size() < 2)
          bad(p + ".parallel", "并联环节至少两个");
        else
          for (std::size_t j = 0; j < steps[i]["parallel"].size(); ++j)
            check_step(steps[i]["parallel"][j], p + ".parallel[" + std::to_string(j) + "]", departments, keys, out);
      } else {
        check_step(steps[i], p, departments, keys, out);
      }
    }
    if (has_limits && item["promised_limit_days"].is_number_integer() &&
        workflow_days(steps) > item["promised_limit_days"].get<int>())
      bad("workflow", "各环节时限之和（并联取最长）超过承诺时限");
  }
  return out;
}

std::vector<Problem> missing_elements(const Json& item) {
  std::vector<Problem> out;
  auto need = [&](bool present, const char* field, const char* label) {
    if (!present) out.push_back({field, std::string("缺少要素：") + label});
  };
  need(non_empty_string(item, "name"), "name", "事项名称");
  need(item.contains("type") && item["type"].is_number_integer(), "type", "事项类型");
  need(non_empty_array(item, "legal_basis"), "legal_basis", "设定依据");
  need(non_empty_string(item, "department"), "department", "实施主体");
  need(non_empty_array(item, "conditions"), "conditions", "受理条件");
  need(non_empty_array(item, "materials"), "materials", "申请材料");
  need(item.contains("statutory_limit_days") && item["statutory_limit_days"].is_number_integer(),
       "statutory_limit_days", "法定办结时限");
  need(item.contains("promised_limit_days") && item["promised_limit_days"].is_number_integer(), "promised_limit_days",
       "承诺办结时限");
  need(non_empty_string(item, "kind"), "kind", "办件类型");
  need(non_empty_array(item, "handling_forms"), "handling_forms", "办理形式");
  need(non_empty_array(item, "locations"), "locations", "办理地点");
  need(non_empty_string(item, "consultation"), "consultation", "咨询方式");
  need(non_empty_string(item, "complaint"), "complaint", "监督投诉方式");
  need(item.contains("result") && item["result"].is_object(), "result", "办理结果");
  need(item.contains("workflow") && non_empty_array(item["workflow"], "steps"), "workflow", "办理流程");
  return out;
}

std::string implementation_code(const Json& item, const Departments& departments) {
  const auto& d = departments.at(item.at("department").get<std::string>());
  std::string level = item.value("level", "");
  char digit = level == "city" ? '3' : level == "county" ? '4' : '5';
  return d.uscc + digit + item.at("basic_code").get<std::string>();
}

namespace {
void diff_into(const Json& a, const Json& b, const std::string& path, Json& out) {
  if (a == b) return;
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (auto& [k, v] : a.items()) keys.insert(k);
    for (auto& [k, v] : b.items()) keys.insert(k);
    for (const auto& k : keys)
      diff_into(a.contains(k) ? a[k] : Json(), b.contains(k) ? b[k] : Json(), path.empty() ? k : path + "." + k, out);
    return;
  }
  if (a.is_array() && b.is_array()) {
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
      diff_into(i < a.size() ? a[i] : Json(), i < b.size() ? b[i] : Json(), path + "[" + std::to_string(i) + "]", out);
    return;
  }
  out[path] = {{"from", a}, {"to", b}};
}
}  // namespace

Json diff(const Json& from, const Json& to) {
  Json out = Json::object();
  diff_into(from, to, "", out);
  return out;
}

}  // namespace tb::catalog
