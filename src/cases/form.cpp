#include "cases/form.h"

#include <cmath>
#include <set>

#include "core/ids.h"

namespace tb::cases {
namespace {

bool is_mobile_or_landline(const std::string& s) {
  // Mobile 1[3-9]xxxxxxxxx, or a landline with area code: 0564-3371000 / 05643371000.
  auto digits = [](std::string_view v) {
    for (char c : v)
      if (c < '0' || c > '9') return false;
    return !v.empty();
  };
  if (s.size() == 11 && s[0] == '1' && s[1] >= '3' && digits(s)) return true;
  std::string_view v = s;
  auto dash = v.find('-');
  if (dash != std::string_view::npos) {
    auto area = v.substr(0, dash), local = v.substr(dash + 1);
    return area.size() >= 3 && area.size() <= 4 && area[0] == '0' && digits(area) && local.size() >= 7 &&
           local.size() <= 8 && digits(local);
  }
  return s.size() >= 10 && s.size() <= 12 && s[0] == '0' && digits(s);
}

void add(Json& problems, const std::string& field, std::string_view problem, std::string message,
         Json value = nullptr) {
  Json row = {{"field", "form." + field}, {"problem", problem}, {"message", std::move(message)}};
  if (!value.is_null()) row["value"] = std::move(value);
  problems.push_back(std::move(row));
}

void check_value(Json& problems, const Json& f, const std::string& name, const std::string& label, const Json& v,
                 Date today) {
  std::string type = f.value("type", "text");
  auto want_string = [&]() {
    if (v.is_string()) return true;
    add(problems, name, "type", label + "应为文字");
    return false;
  };
  if (type == "number") {
    if (!v.is_number()) return add(problems, name, "type", label + "应为数字");
    double x = v.get<double>();
    if (!std::isfinite(x)) return add(problems, name, "type", label + "应为数字");
    if (f.contains("min") && f["min"].is_number() && x < f["min"].get<double>())
      add(problems, name, "min", label + "不能小于 " + f["min"].dump(), f["min"]);
    if (f.contains("max") && f["max"].is_number() && x > f["max"].get<double>())
      add(problems, name, "max", label + "不能大于 " + f["max"].dump(), f["max"]);
  } else if (type == "boolean") {
    if (!v.is_boolean()) add(problems, name, "type", label + "应为是或否");
  } else if (type == "date") {
    if (want_string() && !Date::parse(v.get<std::string>()))
      add(problems, name, "date", label + "应为日期（YYYY-MM-DD）");
  } else if (type == "select") {
    if (!want_string()) return;
    bool known = false;
    for (const auto& o : f.value("options", Json::array())) known = known || o == v;
    if (!known) add(problems, name, "one_of", label + "须从给定选项中选择", f.value("options", Json::array()));
  } else if (type == "id_number") {
    if (!want_string()) return;
    auto c = ids::check_resident_id(v.get<std::string>(), today);
    if (!c.valid) add(problems, name, "id_number", label + "：" + c.reason);
  } else if (type == "uscc") {
    if (!want_string()) return;
    auto c = ids::check_uscc(v.get<std::string>());
    if (!c.valid) add(problems, name, "uscc", label + "：" + c.reason);
  } else if (type == "division") {
    if (!want_string()) return;
    auto c = ids::check_division_code(v.get<std::string>());
    if (!c.valid) add(problems, name, "division", label + "：" + c.reason);
  } else if (type == "phone") {
    if (want_string() && !is_mobile_or_landline(v.get<std::string>()))
      add(problems, name, "phone", label + "应为手机号或带区号的固定电话");
  } else {  // text
    if (!want_string()) return;
    std::size_t n = utf8_chars(v.get<std::string>());
    int max_length = f.value("max_length", 500);
    if (n > std::size_t(max_length)) add(problems, name, "max_length", label + "不能超过 " + std::to_string(max_length) + " 个字", max_length);
  }
}

}  // namespace

std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Json check_form(const Json& form_schema, const Json& data, Date today) {
  Json problems = Json::array();
  if (!data.is_object()) {
    add(problems, "", "type", "申请表应为对象");
    return problems;
  }
  std::set<std::string> declared;
  for (const auto& f : form_schema.value("fields", Json::array())) {
    std::string name = f.value("name", "");
    std::string label = f.value("label", name);
    declared.insert(name);
    auto it = data.find(name);
    bool empty = it == data.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty());
    if (empty) {
      if (f.value("required", false)) add(problems, name, "required", label + "为必填项");
      continue;
    }
    check_value(problems, f, name, label, *it, today);
  }
  for (const auto& [name, _] : data.items())
    if (!declared.contains(name)) add(problems, name, "unknown", "申请表中没有该项");
  return problems;
}

}  // namespace tb::cases
