// API tests: real server processes over real HTTP, on the engine named by
// TONGBAN_TEST_ENGINE (scripts/test runs them on SQLite, then on PostgreSQL).
#include <gtest/gtest.h>

namespace tb::testing {
void register_scenarios();
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  tb::testing::register_scenarios();
  return RUN_ALL_TESTS();
}
