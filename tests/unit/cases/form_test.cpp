// Form data against an item's form schema: every field type, every problem at once.
#include <gtest/gtest.h>

#include "cases/form.h"

namespace tb::cases {
namespace {

const Json kSchema = Json::parse(R"({"fields": [
  {"name": "shop_name", "label": "经营者名称", "type": "text", "required": true, "max_length": 4},
  {"name": "area", "label": "面积", "type": "number", "required": true, "min": 1, "max": 100},
  {"name": "category", "label": "业态", "type": "select", "required": true, "options": ["餐饮", "销售"]},
  {"name": "opened", "label": "开业日期", "type": "date"},
  {"name": "owner_id", "label": "身份证", "type": "id_number"},
  {"name": "uscc", "label": "信用代码", "type": "uscc"},
  {"name": "phone", "label": "电话", "type": "phone"},
  {"name": "division", "label": "区划", "type": "division"},
  {"name": "chain", "label": "连锁", "type": "boolean"}
]})");

const Date kToday = *Date::parse("2026-03-02");

std::vector<std::string> problems_of(const Json& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p["field"].get<std::string>() + ":" + p["problem"].get<std::string>());
  return out;
}

TEST(Form, GoodDataHasNoProblems) {
  Json data = {{"shop_name", "六安小馆"}, {"area", 52.5}, {"category", "餐饮"}, {"opened", "2026-01-05"},
               {"owner_id", "11010519491231002X"}, {"uscc", "91350100M000100Y43"}, {"phone", "0564-3371000"},
               {"division", "341502"}, {"chain", false}};
  EXPECT_TRUE(check_form(kSchema, data, kToday).empty()) << check_form(kSchema, data, kToday);
  // Characters, not bytes: four Chinese characters fit a max_length of 4.
  EXPECT_EQ(utf8_chars("六安小馆"), 4u);
}

TEST(Form, EveryProblemIsReportedAtOnce) {
  Json data = {{"shop_name", "六安小馆分店"}, {"area", 0}, {"category", "住宿"}, {"opened", "2026-13-01"},
               {"owner_id", "110105194912310021"}, {"uscc", "91350100M000100Y44"}, {"phone", "12345"},
               {"division", "34"}, {"chain", "yes"}, {"extra", 1}};
  EXPECT_EQ(problems_of(check_form(kSchema, data, kToday)),
            (std::vector<std::string>{"form.shop_name:max_length", "form.area:min", "form.category:one_of",
                                      "form.opened:date", "form.owner_id:id_number", "form.uscc:uscc",
                                      "form.phone:phone", "form.division:division", "form.chain:type",
                                      "form.extra:unknown"}));
}

TEST(Form, RequiredFieldsMayNotBeMissingOrBlankAndTypesAreChecked) {
  Json data = {{"shop_name", ""}, {"area", "52"}, {"category", nullptr}};
  EXPECT_EQ(problems_of(check_form(kSchema, data, kToday)),
            (std::vector<std::string>{"form.shop_name:required", "form.area:type", "form.category:required"}));
  EXPECT_EQ(problems_of(check_form(kSchema, Json::array(), kToday)), (std::vector<std::string>{"form.:type"}));
  // Every message is for people, in Chinese, and names the field.
  auto problems = check_form(kSchema, {{"area", 1000}}, kToday);
  EXPECT_EQ(problems[1]["message"], "面积不能大于 100");
}

}  // namespace
}  // namespace tb::cases
