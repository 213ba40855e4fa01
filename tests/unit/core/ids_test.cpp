// STANDARDS §1 as tables: each row is an input, whether it passes, and a phrase the reason
// must contain so the person at the form learns which rule failed.
#include "core/ids.h"

#include <fstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#ifndef TB_DATA_DIR
#error "TB_DATA_DIR must name the folder with divisions/ and holidays/"
#endif

namespace tb::ids {
namespace {

struct Row {
  std::string_view input;
  bool valid;
  std::string_view reason_has;  // "" for valid rows: the reason must then be exactly 校验通过
};

void expect_row(const Row& row, const Check& got) {
  SCOPED_TRACE(std::string(row.input));
  EXPECT_EQ(got.valid, row.valid) << got.reason;
  if (row.valid) {
    EXPECT_EQ(got.reason, "校验通过");
  } else {
    EXPECT_NE(got.reason.find(row.reason_has), std::string::npos) << "reason: " << got.reason;
  }
}

const Date kToday = Date::from_ymd(2026, 3, 1);

// clang-format off
constexpr Row kResidentIds[] = {
    // The standard's own examples.
    {"11010519491231002X", true,  ""},
    {"34052419800101001X", true,  ""},
    // Residence permits for Hong Kong, Macao and Taiwan residents (810000, 820000, 830000).
    {"810000198506150020", true,  ""},
    {"82000020000229003X", true,  ""},  // 29 February of a leap year
    {"830000199001010012", true,  ""},
    {"710000197001010016", true,  ""},
    {"341502202603010019", true,  ""},  // born today
    {"341502190001010016", true,  ""},  // the earliest birth date accepted
    // Length.
    {"11010519491231002",   false, "18 位"},
    {"11010519491231002X1", false, "18 位"},
    {"",                    false, "18 位"},
    // First 17 digits.
    {"1101051949123100AX",  false, "前 17 位应全部为数字"},
    {"11010519491231 02X",  false, "前 17 位应全部为数字"},
    // Last character.
    {"11010519491231002x",  false, "大写字母 X"},
    {"11010519491231002Y",  false, "应为数字或大写字母 X"},
    // Province.
    {"190105194912310024",  false, "省级行政区划代码“19”"},
    {"000105194912310024",  false, "省级行政区划代码“00”"},
    // Birth date.
    {"110105194902300020",  false, "不是真实存在的日期"},  // 30 February
    {"110105194913010029",  false, "不是真实存在的日期"},  // month 13
    {"110105190002290025",  false, "不是真实存在的日期"},  // 1900 was not a leap year
    {"341502202603020014",  false, "晚于今天"},
    {"341502189912310011",  false, "早于 1900 年 1 月 1 日"},
    // Check character.
    {"110105194912310021",  false, "校验码不正确"},
    {"340524198001010010",  false, "校验码不正确"},
};

constexpr Row kCreditCodes[] = {
    // The standard's own examples.
    {"91350100M000100Y43", true,  ""},
    {"91110000101623741K", true,  ""},
    {"11110000000021135M", true,  ""},
    // The letter authorities, with organisation check characters X and 0.
    {"A1341500MA2NAB1109", true,  ""},
    {"N2341522MA2NAB17XM", true,  ""},
    {"Y1341500MA2N0XX60D", true,  ""},
    // Length.
    {"91350100M000100Y4",   false, "18 位"},
    {"91350100M000100Y433", false, "18 位"},
    // Case and alphabet.
    {"91350100m000100Y43",  false, "大写"},
    {"91350100M000100I43",  false, "第 16 位“I”"},
    {"91350100M00O100Y43",  false, "I、O、S、V、Z"},
    {"91350100M000-00Y43",  false, "第 13 位“-”"},
    // Registering authority (B and 0 are in the alphabet but name no authority).
    {"B1350100M000100Y41",  false, "登记管理部门代码“B”"},
    {"01350100M000100Y4C",  false, "登记管理部门代码“0”"},
    // Division code of the registering body.
    {"913501A0M000100Y4X",  false, "第 3–8 位登记管理机关行政区划码"},
    // Organisation code inside, with a correct final check so only the inner rule fails.
    {"91350100M000100Y56",  false, "第 9–17 位组织机构代码"},
    // Final check character.
    {"91350100M000100Y44",  false, "第 18 位校验码不正确"},
    {"91110000101623741X",  false, "第 18 位校验码不正确"},
};

constexpr Row kOrgCodes[] = {
    {"101623741", true,  ""},
    {"M000100Y4", true,  ""},
    {"000021135", true,  ""},
    {"MA2NAB17X", true,  ""},  // check value 10 → X
    {"MA2NAB110", true,  ""},  // check value 11 → 0
    {"10162374-1", false, "9 位"},
    {"10162374",   false, "9 位"},
    {"m000100Y4",  false, "大写"},
    {"1016*3741",  false, "前 8 位应为数字或大写字母，第 5 位“*”"},
    {"10162374A",  false, "第 9 位校验码应为数字或大写字母 X"},
    {"101623742",  false, "校验码不正确"},
};

constexpr Row kDivisionCodes[] = {
    {"341500",       true,  ""},  // 六安市
    {"341502",       true,  ""},  // 金安区
    {"340000",       true,  ""},
    {"810000",       true,  ""},
    {"341502001",    true,  ""},  // 街道
    {"341502100",    true,  ""},  // 镇
    {"341524200",    true,  ""},  // 乡
    {"341502400",    true,  ""},  // 六安经济开发区 (政企合一, in Lu'an's own list)
    {"341522500",    true,  ""},  // 水产局管辖村 (ditto)
    {"441900003",    true,  ""},  // Dongguan: townships directly under a city
    {"341502100000", true,  ""},  // the township itself in 12-digit form
    {"341502100001", true,  ""},
    {"341502001999", true,  ""},
    // Length and digits.
    {"34150",         false, "6 位、9 位或 12 位"},
    {"3415020011",    false, "6 位、9 位或 12 位"},
    {"34150A",        false, "全部为数字"},
    // Province.
    {"000000",        false, "省级代码“00”"},
    {"991500",        false, "省级代码“99”"},
    {"731500",        false, "省级代码“73”"},
    {"830000",        false, "省级代码“83”"},  // 83 exists only in residence-permit numbers
    // Structure.
    {"340012",        false, "第 5–6 位县级代码也应为 00"},
    {"340000001",     false, "第 3–4 位不能为 00"},
    // Township part.
    {"341502000",     false, "乡级代码“000”"},
    {"341502600",     false, "乡级代码“600”"},
    {"341502999",     false, "不在规定范围内"},
    {"341502000001",  false, "乡级代码“000”"},
    {"341502700001",  false, "乡级代码“700”"},
    {"001502100000",  false, "省级代码“00”"},
};

struct CheckCharRow {
  std::string_view first;
  char expected;
};

constexpr CheckCharRow kResidentCheckChars[] = {
    {"11010519491231002", 'X'},
    {"34052419800101001", 'X'},
    {"81000019850615002", '0'},
    {"83000019900101001", '2'},
    {"34150219000101001", '6'},
};

constexpr CheckCharRow kUsccCheckChars[] = {
    {"91350100M000100Y4", '3'},
    {"91110000101623741", 'K'},
    {"11110000000021135", 'M'},
    {"A1341500MA2NAB110", '9'},
    {"93341500MA2NC0D0X", '1'},
};

constexpr CheckCharRow kOrgCheckChars[] = {
    {"10162374", '1'},
    {"M000100Y", '4'},
    {"00002113", '5'},
    {"MA2NAB17", 'X'},
    {"MA2NAB11", '0'},
    {"12345678", '8'},
};
// clang-format on

TEST(ResidentId, Table) {
  for (const Row& row : kResidentIds) expect_row(row, check_resident_id(row.input, kToday));
}

TEST(ResidentId, BirthDateIsJudgedAgainstToday) {
  // The same number is in the future yesterday and fine today.
  EXPECT_FALSE(check_resident_id("341502202603010019", Date::from_ymd(2026, 2, 28)).valid);
  EXPECT_TRUE(check_resident_id("341502202603010019", Date::from_ymd(2026, 3, 1)).valid);
}

TEST(ResidentId, ReasonNeverRepeatsTheBirthDate) {
  Check c = check_resident_id("110105194902300020", kToday);
  EXPECT_EQ(c.reason.find("19490230"), std::string::npos) << c.reason;
}

TEST(ResidentId, CheckChars) {
  for (const auto& row : kResidentCheckChars) {
    SCOPED_TRACE(std::string(row.first));
    EXPECT_EQ(resident_check_char(row.first), row.expected);
  }
}

TEST(CreditCode, Table) {
  for (const Row& row : kCreditCodes) expect_row(row, check_uscc(row.input));
}

TEST(CreditCode, InnerOrganisationCodeIsGb11714) {
  for (std::string_view code : {"91350100M000100Y43", "91110000101623741K", "11110000000021135M"}) {
    SCOPED_TRACE(std::string(code));
    EXPECT_TRUE(check_org_code(code.substr(8, 9)).valid);
  }
}

TEST(CreditCode, CheckChars) {
  for (const auto& row : kUsccCheckChars) {
    SCOPED_TRACE(std::string(row.first));
    EXPECT_EQ(uscc_check_char(row.first), row.expected);
  }
}

TEST(OrgCode, Table) {
  for (const Row& row : kOrgCodes) expect_row(row, check_org_code(row.input));
}

TEST(OrgCode, CheckChars) {
  for (const auto& row : kOrgCheckChars) {
    SCOPED_TRACE(std::string(row.first));
    EXPECT_EQ(org_code_check_char(row.first), row.expected);
  }
}

TEST(DivisionCode, Table) {
  for (const Row& row : kDivisionCodes) expect_row(row, check_division_code(row.input));
}

// The reference list the platform ships must pass its own check, in 6, 9 and 12 digits.
TEST(DivisionCode, EveryLuanCodePasses) {
  std::ifstream in(TB_DATA_DIR "/divisions/luan.csv");
  ASSERT_TRUE(in) << TB_DATA_DIR "/divisions/luan.csv";
  std::string line;
  std::getline(in, line);  // header
  int rows = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::string code = line.substr(0, line.find(','));
    std::string parent = line.substr(line.rfind(',') + 1);
    SCOPED_TRACE(line);
    EXPECT_TRUE(check_division_code(code).valid) << check_division_code(code).reason;
    EXPECT_TRUE(check_division_code(parent).valid) << check_division_code(parent).reason;
    if (code.size() == 9) {
      EXPECT_TRUE(check_division_code(code + "000").valid);
    }
    ++rows;
  }
  EXPECT_EQ(rows, 1 + 7 + 146);
}

}  // namespace
}  // namespace tb::ids
