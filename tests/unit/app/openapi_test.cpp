// The OpenAPI document and the router agree: every registered route is documented and
// every documented route exists, in both the normal and the --test-clock wiring.
#include <gtest/gtest.h>

#include <set>

#include "app/app.h"

namespace tb::app {
namespace {

using Pairs = std::set<std::pair<std::string, std::string>>;  // (METHOD, pattern)

Pairs routes_of(bool test_clock) {
  Config config;
  config.db_url = "sqlite::memory:";
  config.test_clock = test_clock;
  config.data_dir = ::testing::TempDir();
  App app(config);
  Pairs out;
  for (const auto& r : app.router().routes()) out.insert({r.method, r.pattern});
  return out;
}

Pairs documented(bool include_test_only) {
  Pairs out;
  Json doc = App::openapi();
  for (auto& [path, ops] : doc["paths"].items())
    for (auto& [method, op] : ops.items()) {
      if (op.value("x-test-only", false) && !include_test_only) continue;
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert({upper, path});
    }
  return out;
}

TEST(OpenApi, DocumentsExactlyTheRoutesOfTheServer) {
  EXPECT_EQ(routes_of(false), documented(false));
}

TEST(OpenApi, DocumentsExactlyTheRoutesOfATestClockServer) {
  auto with_test = routes_of(true);
  EXPECT_EQ(with_test, documented(true));
  EXPECT_GT(with_test.size(), routes_of(false).size()) << "test-only routes must not exist without --test-clock";
}

TEST(OpenApi, DocumentsEachRoutesPermission) {
  Config config;
  config.db_url = "sqlite::memory:";
  config.test_clock = true;
  config.data_dir = ::testing::TempDir();
  App app(config);
  Json doc = App::openapi();
  for (const auto& r : app.router().routes()) {
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_FALSE(r.permission.empty()) << r.method << " " << r.pattern << " names no permission";
    EXPECT_EQ(doc["paths"][r.pattern][method].value("x-permission", ""), r.permission) << r.method << " " << r.pattern;
  }
}

TEST(OpenApi, EveryReferencedSchemaExists) {
  Json doc = App::openapi();
  std::string text = doc.dump();
  const std::string marker = "\"$ref\":\"#/components/";
  for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    auto end = text.find('"', at + marker.size());
    std::string ref = text.substr(at + marker.size(), end - at - marker.size());  // schemas/Name
    auto slash = ref.find('/');
    EXPECT_TRUE(doc["components"][ref.substr(0, slash)].contains(ref.substr(slash + 1))) << ref;
  }
}

TEST(OpenApi, ErrorStatusesComeFromTheOneTable) {
  std::set<std::string> seen;
  for (const auto& row : kErrorCodes) {
    EXPECT_TRUE(seen.insert(std::string(row.code)).second) << "duplicate code " << row.code;
    EXPECT_GE(row.http_status, 400);
    EXPECT_LT(row.http_status, 600);
  }
  EXPECT_EQ(http_status_for(codes::kDivisionNotFound), 404);
  EXPECT_EQ(http_status_for("NO_SUCH_CODE"), 500);
}

}  // namespace
}  // namespace tb::app
