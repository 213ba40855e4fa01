#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/data_key.h"

namespace tb::crypto {
namespace {

constexpr std::string_view kContext = "person.id_number";
const std::string kSecretHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

DataKey test_key() {
  return DataKey::from_hex(kSecretHex).value();
}

TEST(DataKey, RoundTrips) {
  auto key = test_key();
  for (const std::string& value :
       std::vector<std::string>{"34052419800101001X", "13812345678", "", "张三 安徽省六安市金安区",
                                std::string(1000, 'x'), std::string("a\0b", 3)}) {
    auto sealed = key.seal(value, kContext);
    EXPECT_EQ(sealed.size(), value.size() + DataKey::kOverhead);
    EXPECT_EQ(static_cast<unsigned char>(sealed[0]), DataKey::kVersion);
    EXPECT_EQ(key.open(sealed, kContext), value);
  }
}

TEST(DataKey, CiphertextHidesPlaintext) {
  auto sealed = test_key().seal("34052419800101001X", kContext);
  EXPECT_EQ(sealed.find("3405"), std::string::npos);
  EXPECT_EQ(sealed.find("001X"), std::string::npos);
}

TEST(DataKey, SameValueSealsDifferently) {
  auto key = test_key();
  auto a = key.seal("13812345678", kContext);
  auto b = key.seal("13812345678", kContext);
  EXPECT_NE(a, b);
  EXPECT_NE(a.substr(1, DataKey::kIvSize), b.substr(1, DataKey::kIvSize));
  EXPECT_EQ(key.open(a, kContext), key.open(b, kContext));
}

TEST(DataKey, EveryTamperedPartIsRejected) {
  auto key = test_key();
  const std::string sealed = key.seal("34052419800101001X", kContext);
  const std::size_t tag_at = sealed.size() - DataKey::kTagSize;
  struct Case {
    const char* part;
    std::size_t index;
  };
  for (auto [part, index] : {Case{"version", 0}, Case{"iv first", 1}, Case{"iv last", DataKey::kIvSize},
                             Case{"ciphertext first", 1 + DataKey::kIvSize}, Case{"ciphertext last", tag_at - 1},
                             Case{"tag first", tag_at}, Case{"tag last", sealed.size() - 1}}) {
    for (unsigned char flip : {0x01, 0x80}) {
      std::string bad = sealed;
      bad[index] = static_cast<char>(bad[index] ^ flip);
      EXPECT_EQ(key.open(bad, kContext), std::nullopt) << part << " flip " << int(flip);
    }
  }
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, DataKey::kOverhead - 1, sealed.size() - 1})
    EXPECT_EQ(key.open(sealed.substr(0, len), kContext), std::nullopt) << "truncated to " << len;
  EXPECT_EQ(key.open(sealed + "x", kContext), std::nullopt) << "extended";
  // A future version byte is refused even with a tag that would otherwise match.
  std::string v2 = sealed;
  v2[0] = 0x02;
  EXPECT_EQ(key.open(v2, kContext), std::nullopt);
}

TEST(DataKey, ContextBindsTheColumn) {
  auto key = test_key();
  auto sealed = key.seal("13812345678", "person.phone");
  EXPECT_EQ(key.open(sealed, "person.id_number"), std::nullopt);
  EXPECT_EQ(key.open(sealed, ""), std::nullopt);
  EXPECT_EQ(key.open(sealed, "person.phone "), std::nullopt);
  EXPECT_EQ(key.open(sealed, "person.phone"), "13812345678");
}

TEST(DataKey, CiphertextBytesCannotMoveIntoTheContext) {
  // Without the context length under the tag, dropping the last ciphertext byte and prefixing
  // it to the context would leave the MAC input unchanged.
  auto key = test_key();
  auto sealed = key.seal("13812345678", "phone");
  std::size_t tag_at = sealed.size() - DataKey::kTagSize;
  std::string moved = sealed.substr(0, tag_at - 1) + sealed.substr(tag_at);
  std::string context = sealed.substr(tag_at - 1, 1) + "phone";
  EXPECT_EQ(key.open(moved, context), std::nullopt);
}

TEST(DataKey, WrongKeyIsRejected) {
  auto sealed = test_key().seal("34052419800101001X", kContext);
  EXPECT_EQ(DataKey::generate().open(sealed, kContext), std::nullopt);
  auto other = DataKey::from_hex("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").value();
  EXPECT_EQ(other.open(sealed, kContext), std::nullopt);
}

TEST(DataKey, KeysLoadAndExport) {
  EXPECT_EQ(test_key().secret_hex(), kSecretHex);
  auto upper = DataKey::from_hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->open(test_key().seal("x", "c"), "c"), "x");
  EXPECT_FALSE(DataKey::from_hex(kSecretHex.substr(2)));
  EXPECT_FALSE(DataKey::from_hex(kSecretHex + "00"));
  EXPECT_FALSE(DataKey::from_hex("zz" + kSecretHex.substr(2)));
  EXPECT_THROW(DataKey::from_secret("too short"), std::invalid_argument);
  EXPECT_THROW(DataKey::from_secret(std::string(33, 'k')), std::invalid_argument);
  auto raw = DataKey::from_secret(std::string(32, 'k'));
  EXPECT_EQ(raw.secret_hex(), to_hex(std::string(32, 'k')));

  auto generated = DataKey::generate();
  EXPECT_NE(generated.secret_hex(), DataKey::generate().secret_hex());
  auto reloaded = DataKey::from_hex(generated.secret_hex()).value();
  EXPECT_EQ(reloaded.open(generated.seal("六安", kContext), kContext), "六安");
  EXPECT_EQ(reloaded.blind_index("x", "p"), generated.blind_index("x", "p"));

  DataKey copy = generated;  // copies carry the same keys
  EXPECT_EQ(copy.open(generated.seal("v", kContext), kContext), "v");
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

// Known answers computed outside this code (Python: hmac/hashlib SM3 for HKDF and the tag,
// `openssl enc -sm4-ctr` and pyca/cryptography for the ciphertext). They pin the derivation
// labels and the format: a change here would orphan every stored value and index.
TEST(DataKey, KnownAnswers) {
  auto key = test_key();
  EXPECT_EQ(key.blind_index("34052419800101001X", "person.id_number"),
            "064a6684b5f06b693e11ea437d7b7f9e6655ab0658a56781ca0a811fa024b41b");
  auto sealed = from_hex(
      "01a0a1a2a3a4a5a6a7a8a9aaabacadaeaf6ab69b78d843dcfc567308caf0d0c2b3299ad78df861111f48437d812a010dba647904e701c619"
      "1d92c314844cb74901f25e4bf9e05e1b6937");
  EXPECT_EQ(key.open(sealed, "person.id_number"), "张三 34052419800101001X");
}

TEST(DataKey, BlindIndex) {
  auto key = test_key();
  auto a = key.blind_index("34052419800101001X", "person.id_number");
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a, key.blind_index("34052419800101001X", "person.id_number"));
  EXPECT_NE(a, key.blind_index("34052419800101001x", "person.id_number"));  // exact match only
  EXPECT_NE(a, key.blind_index("34052419800101001X", "person.phone"));
  EXPECT_NE(a, DataKey::generate().blind_index("34052419800101001X", "person.id_number"));
  // purpose | 0x00 | value: the boundary cannot shift.
  EXPECT_NE(key.blind_index("bc", "a"), key.blind_index("c", "ab"));
  EXPECT_THROW(key.blind_index("x", std::string("a\0b", 3)), std::invalid_argument);
  // The index is keyed: it is not a bare digest of the value.
  EXPECT_NE(a, sm3_hex("34052419800101001X"));
}

TEST(Mask, IdNumber) {
  EXPECT_EQ(mask_id_number("34052419800101001X"), "3405**********001X");
  EXPECT_EQ(mask_id_number("11010519491231002X"), "1101**********002X");
  EXPECT_EQ(mask_id_number("340524800101001"), "3405*******1001");  // 15-digit first-generation number
  EXPECT_EQ(mask_id_number("123456789"), "1234*6789");
  EXPECT_EQ(mask_id_number("12345678"), "********");
  EXPECT_EQ(mask_id_number("1"), "*");
  EXPECT_EQ(mask_id_number(""), "");
  EXPECT_EQ(mask_id_number("H1234567（8）"), "H123***7（8）");  // code points, not bytes
}

TEST(Mask, Phone) {
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_EQ(mask_phone("+8613812345678"), "+86*******5678");
  EXPECT_EQ(mask_phone("0564-3331234"), "056*****1234");
  EXPECT_EQ(mask_phone("12345678"), "123*5678");
  EXPECT_EQ(mask_phone("3331234"), "*******");
  EXPECT_EQ(mask_phone(""), "");
  EXPECT_EQ(mask_phone("一二三四五六七八九十一"), "一二三****八九十一");
}

}  // namespace
}  // namespace tb::crypto
