// GB/T 36904 licence identifiers with the ISO 7064 MOD 37,36 check character, tested with
// the two real identifiers of STANDARDS §4.
#include <gtest/gtest.h>

#include <fstream>

#include "core/ids.h"
#include "core/licence_id.h"

namespace tb::ids {
namespace {

const std::string kBusinessLicence = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
const std::string kDivisionIssued = "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9";

TEST(LicenceIdentifier, TheStandardsRealExamplesCheck) {
  EXPECT_EQ(mod37_36_check("11100000000013338W01111430000006122244L20230000403001"), 'U');
  EXPECT_EQ(mod37_36_check("11100000MB03271699022340100000000016001"), '9');
  auto a = check_licence_identifier(kBusinessLicence);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->type_code, "11100000000013338W011");
  EXPECT_EQ(a->issuer_code, "11430000006122244L");
  EXPECT_EQ(a->serial, "20230000403");
  EXPECT_EQ(a->version, 1);
  auto b = check_licence_identifier(kDivisionIssued);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->issuer_code, "340100");
  // Built from the parts, they come out the same.
  EXPECT_EQ(licence_identifier("11100000000013338W011", "11430000006122244L", "20230000403", 1), kBusinessLicence);
  EXPECT_EQ(licence_identifier("11100000MB03271699022", "340100", "000000016", 1), kDivisionIssued);
}

TEST(LicenceIdentifier, EveryBrokenShapeIsRefusedWithItsReason) {
  struct Case {
    std::string id, reason;
  };
  for (const auto& c : std::vector<Case>{
           {"1.2.156.3005.1.11100000000013338W011.11430000006122244L.20230000403.001.U", "开头"},
           {"1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001", "五段"},
           {"1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "版本号"},
           {"1.2.156.3005.2.11100000000013338w011.11430000006122244L.20230000403.001.U", "大写"},
           {"1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V", "校验位不正确"},
           {"1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000404.001.U", "校验位不正确"},
       }) {
    auto r = check_licence_identifier(c.id);
    ASSERT_FALSE(r) << c.id;
    EXPECT_EQ(r.error().code, "LICENCE_ID_INVALID");
    EXPECT_NE(r.error().message.find(c.reason), std::string::npos) << c.id << ": " << r.error().message;
  }
}

TEST(LicenceTypes, EveryTypeCodeIsAMinistryCreditCodeAndThreeDigits) {
  std::ifstream in(std::string(TB_DATA_DIR) + "/licence/types.json");
  auto types = Json::parse(in);
  ASSERT_EQ(types.size(), 62u);
  std::set<std::string> codes;
  for (const auto& t : types) {
    std::string code = t["code"];
    ASSERT_EQ(code.size(), 21u) << code;
    EXPECT_TRUE(ids::check_uscc(code.substr(0, 18)).valid) << t["name"] << " " << code;
    EXPECT_EQ(code.substr(0, 18), t["ministry_uscc"]);
    EXPECT_TRUE(codes.insert(code).second) << "duplicate " << code;
  }
  EXPECT_TRUE(codes.contains("11100000000013338W011"));  // 营业执照, as in the standard's example
}

}  // namespace
}  // namespace tb::ids
