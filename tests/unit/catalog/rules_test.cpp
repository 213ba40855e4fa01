#include <gtest/gtest.h>

#include "catalog/rules.h"

namespace tb::catalog {
namespace {

const Departments kDepartments{{"SCJG", {"11341500MB1234567X", "341500"}}, {"XFJY", {"11341500MB7654321Y", "341500"}},
                               {"JA-ZJ", {"11341502MB0000001A", "341502"}}};
const std::set<std::string> kThemes{"准营准办", "设立变更"};

// A complete, valid item; tests break one thing at a time.
Json good_item() {
  return Json::parse(R"({
    "basic_code": "000117001000", "name": "食品经营许可证核发", "aliases": ["开饭店"], "type": 1,
    "power_source": "法定本级行使",
    "legal_basis": [{"name": "《中华人民共和国食品安全法》", "article": "第三十五条"}],
    "service_objects": ["legal_person"], "department": "SCJG", "division_code": "341500", "level": "city",
    "conditions": ["有与经营相适应的场所"],
    "materials": [{"name": "申请书", "form": "original", "copies": 1, "required": true},
                  {"name": "委托书", "form": "original", "copies": 1, "required": false, "condition": "委托他人办理时"}],
    "statutory_limit_days": 20, "promised_limit_days": 10, "kind": "promised",
    "handling_forms": ["window", "online"], "visits": 0, "online_depth": 4, "fees": [],
    "locations": [{"name": "六安市政务服务中心"}], "consultation": "0564-3379000", "complaint": "0564-12345",
    "result": {"type": "licence", "name": "食品经营许可证"}, "negative_list": false, "themes": ["准营准办"],
    "form": {"fields": [{"name": "area", "label": "面积", "type": "number", "required": true},
                        {"name": "kind", "label": "业态", "type": "select", "options": ["餐饮"]}]},
    "workflow": {"steps": [
      {"key": "review", "name": "审查", "role": "approver", "department": "SCJG", "limit_days": 5},
      {"parallel": [{"key": "site", "name": "现场核查", "role": "approver", "department": "SCJG", "limit_days": 3},
                    {"key": "fire", "name": "消防意见", "role": "approver", "department": "XFJY", "limit_days": 4}]},
      {"key": "decide", "name": "决定", "role": "approver", "department": "SCJG", "limit_days": 1}]}
  })");
}

std::set<std::string> fields_of(const std::vector<Problem>& problems) {
  std::set<std::string> out;
  for (const auto& p : problems) out.insert(p.field);
  return out;
}

TEST(ValidateItem, AGoodItemHasNoProblems) {
  EXPECT_TRUE(validate_item(good_item(), kDepartments, kThemes).empty());
  EXPECT_TRUE(missing_elements(good_item()).empty());
}

TEST(ValidateItem, EachBrokenRuleIsReportedAtItsField) {
  struct Case {
    const char* pointer;  // JSON pointer to change
    Json value;
    const char* field;    // the field the problem must name
  } cases[] = {
      {"/basic_code", "00011700100", "basic_code"},
      {"/basic_code", "00011700100a", "basic_code"},
      {"/type", 11, "type"},
      {"/department", "NOPE", "department"},
      {"/level", "county", "level"},
      {"/level", "province", "level"},
      {"/service_objects/0", "alien", "service_objects[0]"},
      {"/materials/0/form", "photo", "materials[0].form"},
      {"/materials/1/condition", nullptr, "materials[1].condition"},
      {"/materials/0/copies", -1, "materials[0].copies"},
      {"/promised_limit_days", 30, "promised_limit_days"},
      {"/statutory_limit_days", 400, "statutory_limit_days"},
      {"/kind", "slow", "kind"},
      {"/handling_forms/1", "fax", "handling_forms[1]"},
      {"/visits", 3, "visits"},
      {"/online_depth", 5, "online_depth"},
      {"/fees", Json::parse(R"([{"name": "登记费", "amount_fen": -1}])"), "fees[0].amount_fen"},
      {"/negative_list", true, "negative_reason"},
      {"/result/type", "gift", "result.type"},
      {"/themes/0", "不存在的主题", "themes[0]"},
      {"/form/fields/1/options", Json::array(), "form.fields[1].options"},
      {"/form/fields/1/name", "area", "form.fields[1].name"},
      {"/form/fields/0/type", "colour", "form.fields[0].type"},
      {"/workflow/steps/0/department", "NOPE", "workflow.steps[0].department"},
      {"/workflow/steps/0/role", "citizen", "workflow.steps[0].role"},
      {"/workflow/steps/2/key", "review", "workflow.steps[2].key"},
      {"/workflow/steps/1/parallel/1/limit_days", 9, "workflow"},  // 5 + 9 + 1 > 10
  };
  for (const auto& c : cases) {
    Json item = good_item();
    item[Json::json_pointer(c.pointer)] = c.value;
    auto fields = fields_of(validate_item(item, kDepartments, kThemes));
    EXPECT_TRUE(fields.count(c.field)) << c.pointer << " = " << c.value.dump() << " should be reported at " << c.field;
  }
}

TEST(ValidateItem, ImmediateItemsMustBeQuick) {
  Json item = good_item();
  item["kind"] = "immediate";
  EXPECT_TRUE(fields_of(validate_item(item, kDepartments, kThemes)).count("kind"));
  item["promised_limit_days"] = 1;
  item["workflow"]["steps"] = Json::parse(R"([{"key": "k", "name": "办结", "role": "window_clerk", "department": "SCJG", "limit_days": 1}])");
  EXPECT_TRUE(validate_item(item, kDepartments, kThemes).empty());
}

TEST(MissingElements, ListsEveryMissingElementAtOnce) {
  Json item = good_item();
  for (const char* key : {"legal_basis", "conditions", "locations", "complaint", "workflow"}) item.erase(key);
  item["materials"] = Json::array();
  auto fields = fields_of(missing_elements(item));
  EXPECT_EQ(fields, (std::set<std::string>{"legal_basis", "conditions", "locations", "complaint", "workflow", "materials"}));
}

TEST(ImplementationCode, IsUsccPlusLevelDigitPlusBasicCode) {
  EXPECT_EQ(implementation_code(good_item(), kDepartments), "11341500MB1234567X3000117001000");
  Json county = good_item();
  county["department"] = "JA-ZJ";
  county["division_code"] = "341502";
  county["level"] = "county";
  EXPECT_EQ(implementation_code(county, kDepartments), "11341502MB0000001A4000117001000");
  EXPECT_EQ(implementation_code(county, kDepartments).size(), 31u);
  EXPECT_EQ(level_of_division("341500"), "city");
  EXPECT_EQ(level_of_division("341525"), "county");
  EXPECT_EQ(level_of_division("341502001"), "township");
}

TEST(Diff, NamesEachChangedField) {
  Json a = good_item(), b = good_item();
  b["promised_limit_days"] = 5;
  b["materials"][1]["required"] = true;
  b["materials"].push_back({{"name", "新材料"}});
  b.erase("aliases");
  Json d = diff(a, b);
  EXPECT_EQ(d["promised_limit_days"], (Json{{"from", 10}, {"to", 5}}));
  EXPECT_EQ(d["materials[1].required"], (Json{{"from", false}, {"to", true}}));
  EXPECT_EQ(d["materials[2]"]["to"]["name"], "新材料");
  EXPECT_TRUE(d["aliases"]["to"].is_null());
  EXPECT_EQ(d.size(), 4u);
  EXPECT_TRUE(diff(a, a).empty());
}

}  // namespace
}  // namespace tb::catalog
