// Catalogue search: an index built from ~40 realistic items (real names from 四川广安区's
// published list, data/reference/items-sichuan-511602.csv, placed in 六安 divisions, plus a
// few written for this test) and a synonyms map, checked as tables of queries and expected
// top hits, then filters, facets, writes, persistence and concurrent use.
#include "catalog/search.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tb::catalog {
namespace {

// ---- the test catalogue ------------------------------------------------------------

struct Department {
  std::string_view code, name, uscc, division;
};

// clang-format off
constexpr Department kDepartments[] = {
    {"SCJG",    "六安市市场监督管理局",     "11341500MB1234567A", "341500"},
    {"JA-SCJG", "金安区市场监督管理局",     "11341502MB2234567B", "341502"},
    {"WJW",     "六安市卫生健康委员会",     "11341500MB3234567C", "341500"},
    {"YA-WJW",  "裕安区卫生健康委员会",     "11341503MB4234567D", "341503"},
    {"GA",      "六安市公安局金安分局",     "11341502MB5234567E", "341502"},
    {"ZRZY",    "六安市自然资源和规划局",   "11341500MB6234567F", "341500"},
    {"MZ",      "金安区民政局",             "11341502MB7234567G", "341502"},
    {"RS",      "六安市人力资源和社会保障局", "11341500MB8234567H", "341500"},
    {"JT",      "裕安区交通运输局",         "11341503MB9234567J", "341503"},
    {"TX",      "安徽省通信管理局",         "11340000MB0234567K", "340000"},
    {"SPQ-ZF",  "三十铺镇人民政府",         "11341502MB1334567L", "341502001"},
};

struct ItemRow {
  std::string_view key;         // test handle; the index sees the 31-character impl code
  std::string_view basic_code;
  std::string_view name;
  std::string_view aliases;     // separated by "|"
  std::string_view department;
  std::string_view division;    // empty: the department's
  int type;
  std::string_view themes;      // separated by "|"
  std::string_view objects;     // "n" natural person, "l" legal person
  bool online;
  std::string_view text;
};

constexpr ItemRow kItems[] = {
    // Written for this test.
    {"food",        "000117001000", "食品经营许可证核发", "开饭店|开餐馆|餐饮许可证", "SCJG", "", 1, "准营准办", "ln",
     true,
     "申请人具有与经营的食品品种、数量相适应的经营场所；具有食品安全管理人员；"
     "食品经营许可申请书；营业执照；法定代表人身份证明"},
    {"food_ja",     "000117001000", "食品经营许可证核发", "开饭店|开餐馆|餐饮许可证", "JA-SCJG", "", 1, "准营准办",
     "ln", false,
     "申请人具有与经营的食品品种、数量相适应的经营场所；食品经营许可申请书；营业执照"},
    {"birth",       "000120004000", "出生医学证明办理", "", "WJW", "", 20, "生育收养", "n", true,
     "新生儿在本市助产机构出生；父母双方居民身份证；出生医学证明申请表"},
    {"id_card",     "000120001000", "居民身份证申领", "", "GA", "", 20, "户籍办理", "n", false,
     "年满十六周岁的中国公民；居民户口簿；近期免冠照片"},
    {"transfer",    "000107002000", "不动产转移登记", "", "ZRZY", "", 7, "不动产登记", "nl", true,
     "不动产权属证书；买卖合同；完税凭证；申请人身份证明"},
    {"company",     "000101003000", "企业设立登记", "", "SCJG", "", 1, "设立变更", "l", true,
     "公司章程；股东身份证明；住所使用证明；企业名称自主申报告知书"},
    {"icp",         "000110009000", "非经营性互联网信息服务ICP备案", "网站备案", "TX", "", 10, "准营准办", "l", true,
     "网站主办者身份证明；网站负责人证件；域名证书"},
    {"b_scan",      "000120009000", "孕产妇免费B超检查", "", "YA-WJW", "", 20, "生育收养", "n", false,
     "孕产妇保健手册；居民身份证"},
    // Real item names from the published list.
    {"passport",    "000120011000", "普通护照签发", "", "GA", "", 1, "出境入境", "n", true,
     "居民身份证；近期免冠照片；出入境证件申请表"},
    {"id_lost",     "000120012000", "居民身份证挂失申报、丢失招领", "", "GA", "", 20, "户籍办理", "n", true,
     "挂失申报人居民户口簿"},
    {"temp_id",     "000120013000", "临时身份证明", "", "GA", "341502001", 20, "户籍办理", "n", false,
     "居民户口簿；近期照片"},
    {"migration",   "000101014000", "户口迁移审批", "", "GA", "", 1, "户籍办理", "n", false,
     "迁入地准予迁入证明；居民户口簿"},
    {"marriage",    "000107015000", "中国内地公民婚姻登记", "", "MZ", "", 7, "婚姻登记", "n", false,
     "双方居民身份证；居民户口簿；本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明"},
    {"marriage_cert", "000120016000", "补领结婚证", "", "MZ", "", 20, "婚姻登记", "n", false,
     "居民身份证；居民户口簿；婚姻登记档案证明"},
    {"marriage_book", "000120017000", "结婚登记预约", "", "MZ", "", 20, "婚姻登记", "n", true,
     "预约人身份信息"},
    {"ss_apply",    "000120018000", "社会保障卡申领", "", "RS", "", 20, "社会保险", "n", true,
     "居民身份证；近期免冠照片"},
    {"ss_lost",     "000120019000", "社会保障卡挂失", "", "RS", "", 20, "社会保险", "n", true,
     "居民身份证"},
    {"birth_sign",  "000120020000", "《出生医学证明》首次签发", "", "YA-WJW", "", 20, "生育收养", "n", true,
     "新生儿父母居民身份证；分娩记录"},
    {"food_shop",   "000110021000", "食品小经营店备案发放", "", "JA-SCJG", "", 10, "准营准办", "l", true,
     "食品小经营店备案申请表；经营场所证明"},
    {"food_work",   "000110022000", "食品小作坊备案发放", "", "JA-SCJG", "", 10, "准营准办", "l", true,
     "食品小作坊备案申请表；生产场所证明"},
    {"food_health", "000120023000", "食品行业从业人员预防性体检合格证办理", "", "YA-WJW", "", 20, "", "n", false,
     "从业人员身份证明；体检表"},
    {"health_food", "000101024000", "食品(含保健食品)经营许可核发", "", "JA-SCJG", "", 1, "准营准办", "l", true,
     "食品经营许可申请书；营业执照；经营场所平面图"},
    {"co_setup",    "000101025000", "公司设立登记", "", "SCJG", "", 1, "设立变更", "l", true,
     "公司登记申请书；公司章程；股东主体资格证明"},
    {"branch",      "000101026000", "非公司企业法人分支机构设立登记", "", "JA-SCJG", "", 1, "设立变更", "l", true,
     "分支机构登记申请书；隶属企业营业执照"},
    {"partner_end", "000101027000", "合伙企业注销登记", "", "JA-SCJG", "", 1, "注销退出", "l", true,
     "合伙企业注销登记申请书；清算报告"},
    {"no_crime",    "000120028000", "无犯罪记录证明", "", "GA", "", 20, "", "nl", true,
     "申请人居民身份证；委托书"},
    {"elder_home",  "000120029000", "养老机构设立备案", "", "MZ", "", 20, "设立变更", "l", true,
     "养老机构备案书；养老机构登记证书"},
    {"disab_care",  "000105030000", "重度残疾人护理补贴", "", "MZ", "341502001", 5, "社会救助", "n", false,
     "残疾人证；居民户口簿"},
    {"disab_poor",  "000105031000", "困难残疾人生活补贴", "", "MZ", "", 5, "社会救助", "n", false,
     "残疾人证；低保证明"},
    {"sand",        "000101032000", "河道采砂许可", "", "ZRZY", "", 1, "", "l", false,
     "采砂申请书；采砂方案"},
    {"gas",         "000101033000", "燃气经营许可证变更", "", "ZRZY", "", 1, "准营准办", "l", true,
     "燃气经营许可证变更申请；营业执照"},
    {"kindergarten", "000101034000", "幼儿园设立审批", "", "MZ", "", 1, "设立变更", "l", false,
     "举办者资格证明；园舍产权证明"},
    {"poison",      "000101035000", "剧毒化学品购买许可", "", "GA", "", 1, "", "l", false,
     "购买单位营业执照；经办人身份证明"},
    {"taxi",        "000101036000", "网络预约出租汽车经营许可证到期换证", "", "JT", "", 1, "准营准办", "l", true,
     "网络预约出租汽车经营许可证"},
    {"driving",     "000110037000", "机动车驾驶员培训备案", "", "JT", "", 10, "准营准办", "l", true,
     "备案表；营业执照；教练员名册"},
    {"pension",     "000120038000", "城乡居民基本养老保险待遇申领", "", "RS", "", 20, "社会保险", "n", true,
     "居民身份证；社会保障卡"},
    {"flexible",    "000120039000", "灵活就业人员企业职工基本养老保险参保登记", "", "RS", "", 20, "社会保险", "n", true,
     "居民身份证"},
    {"kinship",     "000120040000", "亲属关系证明", "", "GA", "", 20, "户籍办理", "n", false,
     "居民户口簿；关系人居民身份证"},
    {"lightning",   "000107041000", "雷电灾害鉴定", "", "ZRZY", "", 7, "", "l", false,
     "鉴定申请书；现场资料"},
    {"relic",       "000101042000", "文物保护单位的建设控制地带内进行建设工程的许可", "", "ZRZY", "", 1, "", "l", false,
     "建设工程设计方案；文物影响评估报告"},
    {"performance", "000101043000", "举办营业性演出审批", "", "SCJG", "", 1, "准营准办", "l", true,
     "演出申请书；演员名单；营业性演出许可证"},
};
// clang-format on

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto at = s.find('|');
    out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

const Department& department(std::string_view code) {
  for (const auto& d : kDepartments)
    if (d.code == code) return d;
  throw std::logic_error("unknown department in test table");
}

// uscc + level digit + basic code, as docs/catalog-format.md builds implementation codes.
std::string impl_code(const ItemRow& row) {
  std::string_view division = row.division.empty() ? department(row.department).division : row.division;
  char level = division.size() == 9 ? '5' : division.substr(4) == "00" ? '3' : '4';
  return std::string(department(row.department).uscc) + level + std::string(row.basic_code);
}

SearchDoc to_doc(const ItemRow& row) {
  SearchDoc d;
  d.impl_code = impl_code(row);
  d.basic_code = row.basic_code;
  d.name = row.name;
  d.aliases = split_list(row.aliases);
  d.text = row.text;
  const auto& dept = department(row.department);
  d.department_code = dept.code;
  d.department_name = dept.name;
  d.division_code = row.division.empty() ? dept.division : row.division;
  d.type = row.type;
  d.themes = split_list(row.themes);
  for (char o : row.objects) d.objects.push_back(o == 'n' ? "natural_person" : "legal_person");
  d.online = row.online;
  return d;
}

std::vector<SearchDoc> all_docs() {
  std::vector<SearchDoc> docs;
  for (const auto& row : kItems) docs.push_back(to_doc(row));
  return docs;
}

const ItemRow& row_by_key(std::string_view key) {
  for (const auto& r : kItems)
    if (r.key == key) return r;
  throw std::logic_error("unknown item key in test table");
}

std::string code_of(std::string_view key) {
  return impl_code(row_by_key(key));
}

std::string key_of(const std::string& code) {
  for (const auto& r : kItems)
    if (impl_code(r) == code) return std::string(r.key);
  return "?" + code;
}

Synonyms test_synonyms() {
  return {
      {"开饭店", {"食品经营许可"}},     {"生孩子", {"出生医学证明", "生育登记"}},
      {"办身份证", {"居民身份证申领"}}, {"买房过户", {"不动产转移登记"}},
      {"过户", {"转移登记"}},           {"开公司", {"企业设立登记", "公司设立登记"}},
      {"领结婚证", {"婚姻登记"}},       {"社保卡", {"社会保障卡"}},
      {"办护照", {"普通护照签发"}},
  };
}

std::filesystem::path fresh_dir() {
  static std::atomic<int> counter{0};
  return std::filesystem::temp_directory_path() /
         ("tb_search_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir();
    std::filesystem::remove_all(dir_);
    index_ = std::make_unique<SearchIndex>(dir_, test_synonyms());
    index_->rebuild(all_docs());
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> keys(const SearchResult& r) const {
    std::vector<std::string> out;
    for (const auto& h : r.hits) out.push_back(key_of(h.impl_code));
    return out;
  }
  SearchResult find(std::string q, int limit = 20) const {
    SearchQuery query;
    query.q = std::move(q);
    query.limit = limit;
    return index_->search(query);
  }

  std::filesystem::path dir_;
  std::unique_ptr<SearchIndex> index_;
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// ---- queries and their top hits ------------------------------------------------------

struct QueryRow {
  std::string_view q;
  std::string_view expect;  // an item key that must be among the first `within` hits
  int within;
  std::string_view why;
};

// clang-format off
constexpr QueryRow kQueries[] = {
    {"食品经营许可证核发",   "food",          2, "exact name (two divisions share it)"},
    {"食品许可",             "food",          3, "non-contiguous characters"},
    {"许可 食品",            "food",          3, "words in the other order, space separated"},
    {"食品　许可证",         "food",          3, "ideographic space between words"},
    {"食品经营许可证核发吧", "food",          2, "exact name plus a stray character"},
    {"开饭店",               "food",          2, "alias and synonym"},
    {"我要开饭店",           "food",          3, "synonym key inside a longer query"},
    {"开餐馆",               "food",          2, "alias only"},
    {"生孩子",               "birth",         3, "synonym with two catalogue words"},
    {"出生证明",             "birth",         2, "non-contiguous characters"},
    {"出生医学证明办理",     "birth",         1, "exact name"},
    {"《出生医学证明》",     "birth_sign",    2, "book-title marks are separators"},
    {"办身份证",             "id_card",       1, "synonym to an exact name"},
    {"身份证",               "id_card",       3, "name hits beat the many texts that mention 身份证明"},
    {"居民身份证申领",       "id_card",       1, "exact name"},
    {"身份证挂失",           "id_lost",       1, "non-contiguous characters"},
    {"户口簿",               "id_card",       10, "found through text only"},
    {"买房过户",             "transfer",      1, "synonym"},
    {"不动产过户",           "transfer",      1, "partial coverage plus a synonym for half of it"},
    {"不动产转移登记",       "transfer",      1, "exact name"},
    {"开公司",               "company",       2, "synonym with two catalogue words"},
    {"企业设立",             "company",       2, "prefix of a name"},
    {"企业设立登记",         "company",       1, "exact name"},
    {"ICP备案",              "icp",           1, "mixed Latin and CJK"},
    {"icp",                  "icp",           1, "Latin word alone, lower case"},
    {"ＩＣＰ备案",           "icp",           1, "full-width Latin"},
    {"网站备案",             "icp",           1, "alias"},
    {"B超",                  "b_scan",        1, "single Latin letter before a CJK character"},
    {"b超检查",              "b_scan",        1, "mixed, lower case"},
    {"护照",                 "passport",      1, "two characters inside a name"},
    {"办护照",               "passport",      1, "synonym"},
    {"社保卡",               "ss_apply",      2, "synonym"},
    {"社保卡挂失",           "ss_lost",       1, "synonym rewrite gives the exact name"},
    {"结婚",                 "marriage_book", 2, "two characters"},
    {"领结婚证",             "marriage",      3, "synonym"},
    {"残疾人补贴",           "disab_poor",    2, "non-contiguous characters"},
    {"婚",                   "marriage",      3, "single character"},
    {"出租车",               "taxi",          1, "partial: 出租 covers two of three characters"},
    {"采砂",                 "sand",          1, "two characters"},
    {"养老保险",             "pension",       3, "common words"},
};
// clang-format on

TEST_F(SearchTest, QueriesFindTheirItems) {
  for (const auto& row : kQueries) {
    auto r = find(std::string(row.q));
    auto got = keys(r);
    auto n = std::min<std::size_t>(got.size(), row.within);
    bool found = std::find(got.begin(), got.begin() + n, row.expect) != got.begin() + n;
    EXPECT_TRUE(found) << "query " << row.q << " (" << row.why << "): expected " << row.expect << " in top "
                       << row.within << ", got [" << join(got) << "]";
  }
}

TEST_F(SearchTest, ExactNameRanksFirst) {
  for (const auto& item : kItems) {
    auto r = find(std::string(item.name), 3);
    ASSERT_FALSE(r.hits.empty()) << item.name;
    auto top = key_of(r.hits[0].impl_code);
    EXPECT_EQ(row_by_key(top).name, item.name) << "query " << item.name << " got [" << join(keys(r)) << "]";
    for (std::size_t i = 1; i < r.hits.size(); ++i) EXPECT_GE(r.hits[i - 1].score, r.hits[i].score) << item.name;
  }
}

TEST_F(SearchTest, OneSharedWordDoesNotFlood) {
  // "食品护照": 食品 and 护照 each cover half the query; no item covers more than half.
  EXPECT_EQ(find("食品护照").total, 0u);
  // "许可": every hit must really contain it; "许可 食品" needs both words, not either.
  for (const auto& code : keys(find("许可 食品", 100))) {
    std::string_view name = row_by_key(code).name, text = row_by_key(code).text;
    bool has_food = name.find("食品") != std::string_view::npos || text.find("食品") != std::string_view::npos;
    bool has_permit = name.find("许可") != std::string_view::npos || text.find("许可") != std::string_view::npos;
    EXPECT_TRUE(has_food && has_permit) << code;
  }
  // A three-character query needs one of its bigrams, never just one character.
  for (const auto& code : keys(find("出租车", 100))) EXPECT_EQ(code, "taxi");
}

struct NoHitRow {
  std::string_view q;
  std::string_view suggestion_contains;  // empty: no suggestion expected
};

// clang-format off
constexpr NoHitRow kNoHits[] = {
    {"量子纠缠",   ""},
    {"xyzzy",      ""},
    {"5G基站",     ""},
    {"身分证",     "身份证"},
    {"社宝卡",     "社保卡"},
    {"ICQ备按",    "ICP"},
};
// clang-format on

TEST_F(SearchTest, NonsenseFindsNothingAndSuggestsWhenSensible) {
  for (const auto& row : kNoHits) {
    auto r = find(std::string(row.q));
    EXPECT_EQ(r.total, 0u) << row.q << ": [" << join(keys(r)) << "]";
    EXPECT_TRUE(r.hits.empty()) << row.q;
    if (row.suggestion_contains.empty()) {
      EXPECT_FALSE(r.suggestion) << row.q << " suggested " << r.suggestion.value_or("");
    } else {
      ASSERT_TRUE(r.suggestion) << row.q;
      EXPECT_NE(r.suggestion->find(row.suggestion_contains), std::string::npos) << row.q << " → " << *r.suggestion;
      EXPECT_GT(find(*r.suggestion).total, 0u) << "the suggestion itself must find something: " << *r.suggestion;
    }
  }
}

TEST_F(SearchTest, NoSuggestionWhenResultsAreFine) {
  EXPECT_FALSE(find("食品许可").suggestion);
  EXPECT_FALSE(find("居民身份证申领").suggestion) << "an exact name with one hit is a good answer";
}

TEST_F(SearchTest, PunctuationOnlyOrOddInputDoesNotCrash) {
  // Mixed CJK/Latin shapes that tripped Xapian 1.4.22's QueryParser, plus broken UTF-8 and pastes.
  for (std::string q :
       {std::string("！！！"), std::string("   "), std::string("\xff\xfe"), std::string("a"),
        std::string("2024年ICP备案B超"), std::string("ICP 备案 AND OR NOT"), std::string("B超\"NEAR\"ct"),
        std::string("食品\xe4\xbd"), std::string(500, 'x'), std::string("食") + std::string(300, 'x') + "品",
        std::string(200, 'x') + "食品经营许可证核发"}) {
    EXPECT_NO_THROW(find(q)) << q.size();
  }
  // Nothing searchable is a listing, like an empty query.
  EXPECT_EQ(find("！！！", 100).total, std::size(kItems));
}

// ---- filters -------------------------------------------------------------------------

bool in_subtree(std::string_view code, std::string_view prefix) {
  return code.substr(0, prefix.size()) == prefix;
}

std::set<std::string> codes_where(const std::function<bool(const SearchDoc&)>& pred) {
  std::set<std::string> out;
  for (const auto& d : all_docs())
    if (pred(d)) out.insert(d.impl_code);
  return out;
}

std::set<std::string> code_set(const SearchResult& r) {
  std::set<std::string> out;
  for (const auto& h : r.hits) out.insert(h.impl_code);
  return out;
}

struct FilterRow {
  std::string_view name;
  SearchQuery query;
  std::function<bool(const SearchDoc&)> expect;
};

TEST_F(SearchTest, FiltersWithEmptyQueryListEverythingMatching) {
  auto q = [](auto fill) {
    SearchQuery s;
    s.limit = 100;
    fill(s);
    return s;
  };
  const FilterRow rows[] = {
      {"city subtree", q([](SearchQuery& s) { s.division = "341500"; }),
       [](const SearchDoc& d) { return in_subtree(d.division_code, "3415"); }},
      {"county subtree includes townships", q([](SearchQuery& s) { s.division = "341502"; }),
       [](const SearchDoc& d) { return in_subtree(d.division_code, "341502"); }},
      {"township", q([](SearchQuery& s) { s.division = "341502001"; }),
       [](const SearchDoc& d) { return d.division_code == "341502001"; }},
      {"province", q([](SearchQuery& s) { s.division = "340000"; }),
       [](const SearchDoc& d) { return in_subtree(d.division_code, "34"); }},
      {"other county", q([](SearchQuery& s) { s.division = "341503"; }),
       [](const SearchDoc& d) { return d.division_code == "341503"; }},
      {"department", q([](SearchQuery& s) { s.department = "GA"; }),
       [](const SearchDoc& d) { return d.department_code == "GA"; }},
      {"type", q([](SearchQuery& s) { s.type = 7; }), [](const SearchDoc& d) { return d.type == 7; }},
      {"theme", q([](SearchQuery& s) { s.theme = "生育收养"; }),
       [](const SearchDoc& d) { return std::ranges::count(d.themes, "生育收养") > 0; }},
      {"object", q([](SearchQuery& s) { s.object = "legal_person"; }),
       [](const SearchDoc& d) { return std::ranges::count(d.objects, "legal_person") > 0; }},
      {"offline", q([](SearchQuery& s) { s.online = false; }), [](const SearchDoc& d) { return !d.online; }},
      {"combined", q([](SearchQuery& s) {
         s.division = "341502";
         s.online = true;
         s.type = 20;
       }),
       [](const SearchDoc& d) { return in_subtree(d.division_code, "341502") && d.online && d.type == 20; }},
      {"nothing", q([](SearchQuery& s) { s.department = "NONE"; }), [](const SearchDoc&) { return false; }},
  };
  for (const auto& row : rows) {
    auto r = index_->search(row.query);
    auto expected = codes_where(row.expect);
    EXPECT_EQ(code_set(r), expected) << row.name;
    EXPECT_EQ(r.total, expected.size()) << row.name;
    // Filter-only listings are ordered by name.
    for (std::size_t i = 1; i < r.hits.size(); ++i)
      EXPECT_LE(row_by_key(key_of(r.hits[i - 1].impl_code)).name, row_by_key(key_of(r.hits[i].impl_code)).name)
          << row.name;
  }
}

TEST_F(SearchTest, FiltersNarrowTextSearches) {
  SearchQuery s;
  s.q = "食品许可";
  s.department = "JA-SCJG";
  auto r = index_->search(s);
  ASSERT_FALSE(r.hits.empty());
  for (const auto& h : r.hits) EXPECT_EQ(to_doc(row_by_key(key_of(h.impl_code))).department_code, "JA-SCJG");
  EXPECT_NE(std::ranges::count(keys(r), "food_ja"), 0);
  EXPECT_EQ(std::ranges::count(keys(r), "food"), 0);

  s = SearchQuery{};
  s.q = "开饭店";
  s.division = "341502";
  r = index_->search(s);
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(key_of(r.hits[0].impl_code), "food_ja") << "only the 金安区 division's item";

  s = SearchQuery{};
  s.q = "出生";
  s.online = true;
  s.object = "natural_person";
  s.theme = "生育收养";
  r = index_->search(s);
  EXPECT_EQ(code_set(r), (std::set<std::string>{code_of("birth"), code_of("birth_sign")}));
}

// ---- facets and paging ---------------------------------------------------------------

TEST_F(SearchTest, FacetsCountTheWholeMatchSet) {
  SearchQuery s;
  s.limit = 1;  // facets must not depend on the page
  auto r = index_->search(s);
  std::map<std::string, std::map<std::string, std::size_t>> expected;
  for (const auto& d : all_docs()) {
    ++expected["department"][d.department_code];
    ++expected["type"][std::to_string(d.type)];
    ++expected["division"][d.division_code.substr(0, 6)];
    for (const auto& t : d.themes) ++expected["theme"][t];
  }
  EXPECT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.total, std::size(kItems));
  for (const auto& facet : {"department", "type", "division", "theme"})
    EXPECT_EQ(r.facets[facet], expected[facet]) << facet;

  s.q = "许可";
  s.limit = 2;
  r = index_->search(s);
  ASSERT_GT(r.total, 2u);
  std::size_t type_sum = 0, dept_sum = 0;
  for (const auto& [value, count] : r.facets["type"]) type_sum += count;
  for (const auto& [value, count] : r.facets["department"]) dept_sum += count;
  EXPECT_EQ(type_sum, r.total);
  EXPECT_EQ(dept_sum, r.total);

  s = SearchQuery{};
  s.q = "婚姻";
  r = index_->search(s);
  EXPECT_EQ(r.facets["theme"]["婚姻登记"], r.total);
  EXPECT_EQ(r.facets["division"]["341502"], r.total);
}

TEST_F(SearchTest, PagesConcatenateToTheFullList) {
  for (std::string q : {"", "许可", "身份证"}) {
    SearchQuery all;
    all.q = q;
    all.limit = 100;
    auto full = index_->search(all);
    std::vector<std::string> paged;
    for (int offset = 0; offset < static_cast<int>(full.total); offset += 7) {
      SearchQuery page = all;
      page.offset = offset;
      page.limit = 7;
      auto r = index_->search(page);
      EXPECT_EQ(r.total, full.total);
      for (const auto& h : r.hits) paged.push_back(h.impl_code);
    }
    std::vector<std::string> whole;
    for (const auto& h : full.hits) whole.push_back(h.impl_code);
    EXPECT_EQ(paged, whole) << q;
  }
  SearchQuery odd;
  odd.offset = -5;
  odd.limit = 100000;
  auto r = index_->search(odd);
  EXPECT_EQ(r.hits.size(), std::min<std::size_t>(std::size(kItems), SearchIndex::kMaxLimit));
}

// ---- writes ----------------------------------------------------------------------------

TEST_F(SearchTest, UpsertReplacesByImplCode) {
  auto before = index_->size();
  auto facets_before = index_->search(SearchQuery{}).facets;
  SearchDoc d = to_doc(row_by_key("food"));
  d.name = "食品经营许可证核发（新办）";
  d.aliases = {"开小吃店"};
  d.type = 20;
  index_->upsert(d);
  EXPECT_EQ(index_->size(), before);

  auto r = find("开小吃店");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(key_of(r.hits[0].impl_code), "food");
  EXPECT_EQ(std::ranges::count(keys(find("开餐馆")), "food"), 0) << "the old alias is gone";
  SearchQuery s;
  s.type = 20;
  s.limit = 100;
  EXPECT_EQ(code_set(index_->search(s)).count(code_of("food")), 1u);
  // Facet counts follow the new revision.
  auto facets_after = index_->search(SearchQuery{}).facets;
  EXPECT_EQ(facets_after["type"]["1"], facets_before["type"]["1"] - 1);
  EXPECT_EQ(facets_after["type"]["20"], facets_before["type"]["20"] + 1);

  SearchDoc fresh = to_doc(row_by_key("passport"));
  fresh.impl_code = "11341503MB4234567D4000120099000";
  fresh.name = "往来港澳通行证签发";
  fresh.aliases = {};
  index_->upsert(fresh);
  EXPECT_EQ(index_->size(), before + 1);
  r = find("港澳通行证");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].impl_code, fresh.impl_code);
}

TEST_F(SearchTest, RemoveRemoves) {
  auto before = index_->size();
  index_->remove(code_of("id_card"));
  EXPECT_EQ(index_->size(), before - 1);
  EXPECT_EQ(std::ranges::count(keys(find("居民身份证申领", 100)), "id_card"), 0);
  index_->remove("no-such-code");
  EXPECT_EQ(index_->size(), before - 1);
}

TEST_F(SearchTest, RebuildReplacesEverything) {
  std::vector<SearchDoc> docs = {to_doc(row_by_key("food")), to_doc(row_by_key("birth")), to_doc(row_by_key("icp"))};
  index_->rebuild(docs);
  EXPECT_EQ(index_->size(), 3u);
  EXPECT_EQ(find("").total, 3u);
  EXPECT_EQ(find("护照").total, 0u);
  EXPECT_EQ(keys(find("ICP备案")), (std::vector<std::string>{"icp"}));
  // The suggestion vocabulary follows the rebuild.
  auto r = find("普通护照签法");
  EXPECT_EQ(r.total, 0u);
  EXPECT_FALSE(r.suggestion) << *r.suggestion;
}

TEST_F(SearchTest, ReopeningTheDirectoryKeepsIndexAndVocabulary) {
  index_.reset();
  index_ = std::make_unique<SearchIndex>(dir_, test_synonyms());
  EXPECT_EQ(index_->size(), std::size(kItems));
  EXPECT_EQ(key_of(find("居民身份证申领").hits.at(0).impl_code), "id_card");
  auto r = find("普通护照签法");
  ASSERT_TRUE(r.suggestion);
  EXPECT_EQ(*r.suggestion, "普通护照签发");
}

TEST_F(SearchTest, SetSynonymsTakesEffect) {
  EXPECT_EQ(find("坐月子证明").total, 0u);
  auto synonyms = test_synonyms();
  synonyms["坐月子证明"] = {"出生医学证明"};
  index_->set_synonyms(synonyms);
  auto r = find("坐月子证明");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_NE(std::ranges::count(keys(r), "birth"), 0);
  EXPECT_EQ(key_of(find("买房过户").hits.at(0).impl_code), "transfer");
  index_->set_synonyms({});
  EXPECT_EQ(find("买房过户").total, 0u) << "synonyms were replaced, not merged";
}

// ---- concurrency -----------------------------------------------------------------------

TEST_F(SearchTest, ConcurrentSearchesWhileWriting) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, searches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      const char* queries[] = {"出生医学证明办理", "ICP备案", "食品许可", "身份证", ""};
      while (!stop.load()) {
        for (const char* q : queries) {
          try {
            SearchQuery s;
            s.q = q;
            s.division = t % 2 ? std::optional<std::string>("341500") : std::nullopt;
            auto r = index_->search(s);
            if (std::string(q) == "出生医学证明办理" && (r.hits.empty() || key_of(r.hits[0].impl_code) != "birth"))
              ++failures, ADD_FAILURE() << q << " " << r.hits.size();
            if (std::string(q) == "ICP备案" && !r.hits.empty() && key_of(r.hits[0].impl_code) != "icp")
              ++failures, ADD_FAILURE() << q;
            ++searches;
          } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
            ++failures;
          }
        }
      }
    });
  }
  SearchDoc moving = to_doc(row_by_key("passport"));
  for (int i = 0; i < 40; ++i) {
    moving.name = i % 2 ? "普通护照签发" : "普通护照换发";
    index_->upsert(moving);
    if (i % 10 == 9) {
      index_->remove(moving.impl_code);
      index_->upsert(moving);
    }
  }
  index_->rebuild(all_docs());
  // Keep reading for a moment after the last write so readers must notice and reopen.
  while (searches.load() < 200) std::this_thread::yield();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(index_->size(), std::size(kItems));
  EXPECT_EQ(key_of(find("普通护照签发").hits.at(0).impl_code), "passport");
}

}  // namespace
}  // namespace tb::catalog
