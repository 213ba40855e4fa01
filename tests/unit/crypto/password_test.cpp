#include <gtest/gtest.h>

#include <sodium.h>

#include <string>
#include <thread>
#include <vector>

#include "crypto/password.h"

namespace tb::crypto {
namespace {

TEST(Password, VerifiesRightAndRejectsWrong) {
  auto encoded = hash_password("Tongban#2024");
  EXPECT_TRUE(encoded.starts_with("$argon2id$"));
  EXPECT_NE(encoded.find("$m=19456,t=2,p=1$"), std::string::npos) << encoded;
  EXPECT_TRUE(verify_password(encoded, "Tongban#2024"));
  EXPECT_FALSE(verify_password(encoded, "tongban#2024"));
  EXPECT_FALSE(verify_password(encoded, "Tongban#202"));
  EXPECT_FALSE(verify_password(encoded, ""));
}

TEST(Password, ChineseAndEmbeddedNul) {
  auto encoded = hash_password("六安市政务服务中心");
  EXPECT_TRUE(verify_password(encoded, "六安市政务服务中心"));
  EXPECT_FALSE(verify_password(encoded, "六安市政务服务"));
  // Lengths are passed explicitly: a NUL does not cut the password short.
  auto with_nul = hash_password(std::string("abc\0def", 7));
  EXPECT_TRUE(verify_password(with_nul, std::string("abc\0def", 7)));
  EXPECT_FALSE(verify_password(with_nul, "abc"));
}

TEST(Password, SaltMakesHashesDiffer) {
  auto a = hash_password("same password");
  auto b = hash_password("same password");
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "same password"));
  EXPECT_TRUE(verify_password(b, "same password"));
}

TEST(Password, GarbageNeverVerifies) {
  auto encoded = hash_password("pw");
  EXPECT_FALSE(verify_password("", "pw"));
  EXPECT_FALSE(verify_password("pw", "pw"));
  EXPECT_FALSE(verify_password(encoded.substr(0, encoded.size() - 4), "pw"));
  EXPECT_FALSE(verify_password(encoded + std::string(200, 'A'), "pw"));
  EXPECT_FALSE(verify_password(encoded + std::string(1, '\0'), "pw"));
  std::string flipped = encoded;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_password(flipped, "pw"));
}

TEST(Password, OnlyArgon2idIsAccepted) {
  // An argon2i string for the right password: refused, and flagged for rehash.
  char argon2i[crypto_pwhash_argon2i_STRBYTES];
  ASSERT_EQ(crypto_pwhash_argon2i_str(argon2i, "pw", 2, 3, 8u << 20), 0);
  EXPECT_FALSE(verify_password(argon2i, "pw"));
  EXPECT_TRUE(password_needs_rehash(argon2i));
}

TEST(Password, NeedsRehashWhenParametersChange) {
  EXPECT_FALSE(password_needs_rehash(hash_password("pw")));
  char weaker[crypto_pwhash_argon2id_STRBYTES];
  ASSERT_EQ(crypto_pwhash_argon2id_str(weaker, "pw", 2, 1, 8u << 20), 0);
  EXPECT_TRUE(verify_password(weaker, "pw"));  // old hashes keep working until rehashed
  EXPECT_TRUE(password_needs_rehash(weaker));
  EXPECT_TRUE(password_needs_rehash(""));
  EXPECT_TRUE(password_needs_rehash("$argon2id$garbage"));
}

TEST(Password, ConcurrentFirstUse) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back(
        [&ok, i] { ok[i] = verify_password(hash_password("p" + std::to_string(i)), "p" + std::to_string(i)); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

}  // namespace
}  // namespace tb::crypto
