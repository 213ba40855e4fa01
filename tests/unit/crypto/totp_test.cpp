#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "crypto/totp.h"

namespace tb::crypto {
namespace {

// RFC 4648 §10.
TEST(Base32, Rfc4648Vectors) {
  struct Vector {
    const char* plain;
    const char* padded;
  };
  for (auto [plain, padded] :
       {Vector{"", ""}, Vector{"f", "MY======"}, Vector{"fo", "MZXQ===="}, Vector{"foo", "MZXW6==="},
        Vector{"foob", "MZXW6YQ="}, Vector{"fooba", "MZXW6YTB"}, Vector{"foobar", "MZXW6YTBOI======"}}) {
    std::string unpadded(padded);
    unpadded.erase(unpadded.find_last_not_of('=') + 1);
    if (unpadded.find_first_not_of('=') == std::string::npos) unpadded.clear();
    EXPECT_EQ(base32_encode(plain), unpadded) << plain;
    EXPECT_EQ(base32_decode(padded), plain) << padded;
    EXPECT_EQ(base32_decode(unpadded), plain) << unpadded;
  }
}

TEST(Base32, LenientOnCaseAndSpacesStrictOnAlphabet) {
  EXPECT_EQ(base32_decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(base32_decode("MZXW 6YTB OI"), "foobar");
  EXPECT_EQ(base32_decode("MZXW6YTBO1"), std::nullopt);  // 1 is not base32 (I is)
  EXPECT_EQ(base32_decode("MZXW6YTBO0"), std::nullopt);
  EXPECT_EQ(base32_decode("MZXW6YTBOI=="), std::nullopt);  // padding must complete 8
  EXPECT_EQ(base32_decode("M=ZXW6YTB"), std::nullopt);
  EXPECT_EQ(base32_decode("M"), std::nullopt);  // 1, 3, 6 leftovers are impossible
  EXPECT_EQ(base32_decode("MZX"), std::nullopt);
  EXPECT_EQ(base32_decode("MZXW6Y"), std::nullopt);
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base32_decode(base32_encode(all)), all);
}

// RFC 4226 appendix D.
TEST(Hotp, Rfc4226Vectors) {
  const std::string secret = "12345678901234567890";
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) EXPECT_EQ(hotp(secret, counter), expected[counter]);
}

// RFC 6238 appendix B, with the errata's seeds: 20, 32 and 64 bytes for SHA1/256/512.
TEST(Totp, Rfc6238Vectors) {
  const std::string sha1_seed = "12345678901234567890";
  const std::string sha256_seed = "12345678901234567890123456789012";
  const std::string sha512_seed = "1234567890123456789012345678901234567890123456789012345678901234";
  struct Vector {
    std::int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  for (auto v :
       {Vector{59, "94287082", "46119246", "90693936"}, Vector{1111111109, "07081804", "68084774", "25091201"},
        Vector{1111111111, "14050471", "67062674", "99943326"}, Vector{1234567890, "89005924", "91819424", "93441116"},
        Vector{2000000000, "69279037", "90698825", "38618901"},
        Vector{20000000000, "65353130", "77737706", "47863826"}}) {
    EXPECT_EQ(totp(sha1_seed, v.time, 8, 30, "SHA1"), v.sha1) << v.time;
    EXPECT_EQ(totp(sha256_seed, v.time, 8, 30, "SHA256"), v.sha256) << v.time;
    EXPECT_EQ(totp(sha512_seed, v.time, 8, 30, "SHA512"), v.sha512) << v.time;
  }
}

TEST(Totp, Arguments) {
  EXPECT_EQ(totp("12345678901234567890", 59), "287082");  // 6 digits, 30 s, SHA1 by default
  EXPECT_THROW(hotp("k", 0, 5), std::invalid_argument);
  EXPECT_THROW(hotp("k", 0, 11), std::invalid_argument);
  EXPECT_THROW(hotp("k", 0, 6, "NOPE"), std::invalid_argument);
  EXPECT_THROW(hotp("", 0), std::invalid_argument);
  EXPECT_THROW(totp("k", -1), std::invalid_argument);
  EXPECT_THROW(totp("k", 0, 6, 0), std::invalid_argument);
  EXPECT_EQ(hotp("12345678901234567890", 0, 10).size(), 10u);
}

TEST(Totp, VerifyAcceptsOneStepOfDriftAndReturnsTheStep) {
  const std::string key = "12345678901234567890";
  const std::int64_t now = 1111111111;  // step 37037037, 1 s into it
  const std::int64_t step = now / 30;
  EXPECT_EQ(totp_verify(key, totp(key, now), now), step);
  EXPECT_EQ(totp_verify(key, totp(key, now - 30), now), step - 1);
  EXPECT_EQ(totp_verify(key, totp(key, now + 30), now), step + 1);
  EXPECT_EQ(totp_verify(key, totp(key, now - 60), now), std::nullopt);
  EXPECT_EQ(totp_verify(key, totp(key, now + 60), now), std::nullopt);
  EXPECT_EQ(totp_verify(key, totp(key, now - 60), now, 2), step - 2);
  EXPECT_EQ(totp_verify(key, totp(key, now - 30), now, 0), std::nullopt);
  EXPECT_EQ(totp_verify(key, totp(key, now), now, 0), step);
  // The same code at the end of its 30 s is still the same step.
  EXPECT_EQ(totp_verify(key, totp(key, step * 30), step * 30 + 29, 0), step);
}

TEST(Totp, VerifyRejectsMalformedCodes) {
  const std::string key = "12345678901234567890";
  const std::int64_t now = 1234567890;
  std::string code = totp(key, now);
  EXPECT_EQ(totp_verify(key, "", now), std::nullopt);
  EXPECT_EQ(totp_verify(key, code.substr(0, 5), now), std::nullopt);
  EXPECT_EQ(totp_verify(key, code + "0", now), std::nullopt);
  EXPECT_EQ(totp_verify(key, totp(key, now, 8), now), std::nullopt);
  EXPECT_EQ(totp_verify(key, " " + code.substr(1), now), std::nullopt);
  EXPECT_EQ(totp_verify(key, code, -5), std::nullopt);
  EXPECT_EQ(totp_verify("another key 12345678", code, now), std::nullopt);
  // Near the epoch, the window does not reach negative steps.
  EXPECT_EQ(totp_verify(key, totp(key, 0), 10), 0);
}

TEST(Totp, UriIsPercentEncoded) {
  EXPECT_EQ(totp_uri("六安市政务服务", "zhang.san@example.cn", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/%E5%85%AD%E5%AE%89%E5%B8%82%E6%94%BF%E5%8A%A1%E6%9C%8D%E5%8A%A1:zhang.san%40example.cn"
            "?secret=JBSWY3DPEHPK3PXP&issuer=%E5%85%AD%E5%AE%89%E5%B8%82%E6%94%BF%E5%8A%A1%E6%9C%8D%E5%8A%A1"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(totp_uri("A:B & C", "x y", "MZXW6YQ="),
            "otpauth://totp/A%3AB%20%26%20C:x%20y?secret=MZXW6YQ&issuer=A%3AB%20%26%20C&algorithm=SHA1&digits=6"
            "&period=30");
  EXPECT_EQ(totp_uri("", "admin", "MZXW6YQ"), "otpauth://totp/admin?secret=MZXW6YQ&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace tb::crypto
