#include "core/ids.h"

#include <array>
#include <chrono>

namespace tb::ids {
namespace {

constexpr std::string_view kValidReason = "校验通过";

// GB 11643-1999: 2^(17−i) mod 11 for positions 1–17.
constexpr std::array<int, 17> kResidentWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kResidentCheckChars = "10X98765432";

// GB 32100-2015: 31 symbols without I, O, S, V, Z (they look like 1, 0, 5, U, 2); weights 3^(i−1) mod 31.
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kUsccWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
constexpr std::string_view kUsccAuthorities = "123456789ANY";

// GB 11714.
constexpr std::array<int, 8> kOrgCodeWeights = {3, 7, 9, 10, 5, 8, 4, 2};

// Sequence codes of the township part (GB/T 10114): 001–099 街道, 100–199 镇, 200–399 乡,
// 400–599 政企合一 units (development zones, farms). The last range is not in STANDARDS §1, but
// Lu'an's own list has 341502400 六安经济开发区 and 341522500 水产局管辖村, so it must pass.
constexpr int kTownshipMin = 1;
constexpr int kTownshipMax = 599;

constexpr Date kEarliestBirth = Date{std::chrono::sys_days(std::chrono::year(1900) / 1 / 1)};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return !s.empty();
}

bool has_lower(std::string_view s) {
  for (char c : s)
    if (is_lower(c)) return true;
  return false;
}

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// The GB/T 2260 provinces, autonomous regions, municipalities and SARs.
bool is_province(int p) {
  return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
         (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 || p == 81 || p == 82;
}

constexpr int kTaiwanResidencePermitPrefix = 83;

int org_code_value(char c) { return is_digit(c) ? c - '0' : c - 'A' + 10; }

Check ok() { return {true, std::string(kValidReason)}; }
Check bad(std::string reason) { return {false, std::move(reason)}; }

// Quotes the character only when it is printable ASCII: a stray byte of a multi-byte
// character would make the sentence unreadable.
std::string position_text(std::size_t index, char c) {
  std::string s = "第 " + std::to_string(index + 1) + " 位";
  if (c >= 0x21 && c <= 0x7e) s += std::string("“") + c + "”";
  return s;
}

}  // namespace

char resident_check_char(std::string_view first17) {
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kResidentWeights[i];
  return kResidentCheckChars[sum % 11];
}

char uscc_check_char(std::string_view first17) {
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += int(kUsccAlphabet.find(first17[i])) * kUsccWeights[i];
  return kUsccAlphabet[(31 - sum % 31) % 31];
}

char org_code_check_char(std::string_view first8) {
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) sum += org_code_value(first8[i]) * kOrgCodeWeights[i];
  int c = 11 - sum % 11;
  if (c == 10) return 'X';
  if (c == 11) return '0';
  return char('0' + c);
}

Check check_resident_id(std::string_view id, Date today) {
  if (id.size() != 18) return bad("身份证号码应为 18 位");
  if (!all_digits(id.substr(0, 17))) return bad("身份证号码前 17 位应全部为数字");
  char last = id[17];
  if (last == 'x') return bad("身份证号码最后一位校验码应使用大写字母 X，不能使用小写 x");
  if (!is_digit(last) && last != 'X') return bad("身份证号码最后一位校验码应为数字或大写字母 X");
  int province = to_int(id.substr(0, 2));
  if (!is_province(province) && province != kTaiwanResidencePermitPrefix)
    return bad("身份证号码前两位省级行政区划代码“" + std::string(id.substr(0, 2)) + "”不存在");
  std::chrono::year_month_day ymd{std::chrono::year(to_int(id.substr(6, 4))),
                                  std::chrono::month(unsigned(to_int(id.substr(10, 2)))),
                                  std::chrono::day(unsigned(to_int(id.substr(12, 2))))};
  if (!ymd.ok()) return bad("身份证号码第 7–14 位出生日期不是真实存在的日期");
  Date birth{std::chrono::sys_days(ymd)};
  if (birth > today) return bad("身份证号码中的出生日期晚于今天");
  if (birth < kEarliestBirth) return bad("身份证号码中的出生日期早于 1900 年 1 月 1 日");
  if (resident_check_char(id.substr(0, 17)) != last)
    return bad("身份证号码最后一位校验码不正确，请核对号码是否填写有误");
  return ok();
}

Check check_org_code(std::string_view code) {
  if (code.size() != 9) return bad("组织机构代码应为 9 位（不含连字符）");
  if (has_lower(code)) return bad("组织机构代码中的字母应为大写");
  for (std::size_t i = 0; i < 8; ++i)
    if (!is_digit(code[i]) && !is_upper(code[i]))
      return bad("组织机构代码前 8 位应为数字或大写字母，" + position_text(i, code[i]) + "不符合");
  if (!is_digit(code[8]) && code[8] != 'X') return bad("组织机构代码第 9 位校验码应为数字或大写字母 X");
  if (org_code_check_char(code.substr(0, 8)) != code[8]) return bad("组织机构代码校验码不正确，请核对代码是否填写有误");
  return ok();
}

Check check_uscc(std::string_view code) {
  if (code.size() != 18) return bad("统一社会信用代码应为 18 位");
  if (has_lower(code)) return bad("统一社会信用代码中的字母应为大写");
  for (std::size_t i = 0; i < 18; ++i)
    if (kUsccAlphabet.find(code[i]) == std::string_view::npos)
      return bad("统一社会信用代码" + position_text(i, code[i]) +
                 "不是允许的字符，只能使用数字和除 I、O、S、V、Z 以外的大写字母");
  if (kUsccAuthorities.find(code[0]) == std::string_view::npos)
    return bad("统一社会信用代码第 1 位登记管理部门代码“" + std::string(1, code[0]) + "”无效，应为 1–9、A、N 或 Y");
  if (!all_digits(code.substr(2, 6))) return bad("统一社会信用代码第 3–8 位登记管理机关行政区划码应全部为数字");
  std::string_view org = code.substr(8, 9);
  if ((!is_digit(org[8]) && org[8] != 'X') || org_code_check_char(org.substr(0, 8)) != org[8])
    return bad("统一社会信用代码第 9–17 位组织机构代码的校验码（第 17 位）不正确");
  if (uscc_check_char(code.substr(0, 17)) != code[17])
    return bad("统一社会信用代码第 18 位校验码不正确，请核对代码是否填写有误");
  return ok();
}

Check check_division_code(std::string_view code) {
  if (code.size() != 6 && code.size() != 9 && code.size() != 12) return bad("行政区划代码应为 6 位、9 位或 12 位");
  if (!all_digits(code)) return bad("行政区划代码应全部为数字");
  if (!is_province(to_int(code.substr(0, 2))))
    return bad("行政区划代码前两位省级代码“" + std::string(code.substr(0, 2)) + "”不存在");
  bool no_city = code.substr(2, 2) == "00";
  if (no_city && code.substr(4, 2) != "00")
    return bad("行政区划代码第 3–4 位市级代码为 00 时，第 5–6 位县级代码也应为 00");
  if (code.size() == 6) return ok();
  // Townships hang under a county or, as in Dongguan (4419), directly under a city; never under a province.
  if (no_city) return bad("乡级行政区划代码的前 6 位应为市级或县级代码，第 3–4 位不能为 00");
  int township = to_int(code.substr(6, 3));
  if (township < kTownshipMin || township > kTownshipMax)
    return bad("行政区划代码第 7–9 位乡级代码“" + std::string(code.substr(6, 3)) +
               "”不在规定范围内（001–099 街道，100–199 镇，200–399 乡，400–599 政企合一单位）");
  // Positions 10–12 are free: 001–999 name a village or community and 000 the township itself.
  return ok();
}

}  // namespace tb::ids
