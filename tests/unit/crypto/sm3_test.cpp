#include <gtest/gtest.h>

#include "crypto/crypto.h"

namespace tb::crypto {
namespace {

// The examples of GB/T 32905-2016 (SM3), appendix A.
TEST(Sm3, StandardExamples) {
  EXPECT_EQ(sm3_hex("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string sixty_four;
  for (int i = 0; i < 16; ++i) sixty_four += "abcd";
  EXPECT_EQ(sm3_hex(sixty_four), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST(Sm3, IncrementalEqualsOneShot) {
  Sm3 h;
  h.update("ab");
  h.update("");
  h.update("c");
  auto d = h.finish();
  EXPECT_EQ(to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())), sm3_hex("abc"));
}

TEST(Random, BytesDiffer) {
  EXPECT_EQ(random_bytes(32).size(), 32u);
  EXPECT_NE(random_hex(16), random_hex(16));
  EXPECT_EQ(random_hex(16).size(), 32u);
}

}  // namespace
}  // namespace tb::crypto
