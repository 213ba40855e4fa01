#include "crypto/data_key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <climits>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <vector>

#include "crypto/crypto.h"

namespace tb::crypto {
namespace {

// Changing a label changes every derived key: stored data would no longer open.
constexpr std::string_view kHkdfSalt = "tongban/data-key";
constexpr std::string_view kEncLabel = "tongban/data-key/v1/sm4-ctr";
constexpr std::string_view kMacLabel = "tongban/data-key/v1/hmac-sm3";
constexpr std::string_view kIndexLabel = "tongban/data-key/v1/blind-index";

const EVP_CIPHER* sm4_ctr() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "SM4-CTR", nullptr);
  if (!cipher) throw std::runtime_error("OpenSSL has no SM4-CTR");
  return cipher;
}

EVP_MAC* hmac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!mac) throw std::runtime_error("OpenSSL has no HMAC");
  return mac;
}

EVP_KDF* hkdf() {
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (!kdf) throw std::runtime_error("OpenSSL has no HKDF");
  return kdf;
}

template <std::size_t N>
void derive(const std::array<unsigned char, 32>& secret, std::string_view label, std::array<unsigned char, N>& out) {
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(hkdf()), EVP_KDF_CTX_free);
  if (!ctx) throw std::runtime_error("HKDF context failed");
  char digest[] = "SM3";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kHkdfSalt.data()), kHkdfSalt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(label.data()), label.size()),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) throw std::runtime_error("HKDF-SM3 failed");
}

// HMAC-SM3 over several pieces, without concatenating them first.
std::array<unsigned char, 32> hmac_sm3(const std::array<unsigned char, 32>& key,
                                       std::initializer_list<std::string_view> pieces) {
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(hmac()), EVP_MAC_CTX_free);
  if (!ctx) throw std::runtime_error("HMAC context failed");
  char digest[] = "SM3";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) throw std::runtime_error("HMAC-SM3 init failed");
  for (auto piece : pieces)
    if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(piece.data()), piece.size()) != 1)
      throw std::runtime_error("HMAC-SM3 update failed");
  std::array<unsigned char, 32> out{};
  std::size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size())
    throw std::runtime_error("HMAC-SM3 final failed");
  return out;
}

// CTR is its own inverse, so one function encrypts and decrypts.
std::string sm4_ctr_apply(const std::array<unsigned char, 16>& key, std::string_view iv, std::string_view in) {
  if (in.size() > INT_MAX / 2) throw std::length_error("value too large to seal");
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), sm4_ctr(), key.data(), reinterpret_cast<const unsigned char*>(iv.data()),
                                  nullptr) != 1)
    throw std::runtime_error("SM4-CTR init failed");
  std::string out(in.size(), '\0');
  int len = 0;
  int tail = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(in.data()),
                        static_cast<int>(in.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &tail) != 1 || static_cast<std::size_t>(len + tail) != in.size())
    throw std::runtime_error("SM4-CTR failed");
  return out;
}

std::string length_be64(std::size_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out;
}

std::string_view as_view(const std::array<unsigned char, 32>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size()};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Code-point boundaries of UTF-8 text; a byte that does not start a sequence counts alone.
std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 1;
    std::size_t k = 1;
    while (k < n && i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80) ++k;
    out.push_back(s.substr(i, k));
    i += k;
  }
  return out;
}

std::string mask_keep(std::string_view s, std::size_t min_len, std::size_t head, std::size_t tail) {
  auto cps = code_points(s);
  std::string out;
  bool keep_ends = cps.size() >= min_len;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    bool keep = keep_ends && (i < head || i >= cps.size() - tail);
    if (keep)
      out += cps[i];
    else
      out += '*';
  }
  return out;
}

}  // namespace

DataKey::~DataKey() {
  OPENSSL_cleanse(secret_.data(), secret_.size());
  OPENSSL_cleanse(enc_key_.data(), enc_key_.size());
  OPENSSL_cleanse(mac_key_.data(), mac_key_.size());
  OPENSSL_cleanse(index_key_.data(), index_key_.size());
}

DataKey DataKey::from_secret(std::string_view secret32) {
  if (secret32.size() != kSecretSize) throw std::invalid_argument("data key secret must be 32 bytes");
  DataKey key;
  std::copy(secret32.begin(), secret32.end(), key.secret_.begin());
  derive(key.secret_, kEncLabel, key.enc_key_);
  derive(key.secret_, kMacLabel, key.mac_key_);
  derive(key.secret_, kIndexLabel, key.index_key_);
  return key;
}

std::optional<DataKey> DataKey::from_hex(std::string_view hex64) {
  if (hex64.size() != 2 * kSecretSize) return std::nullopt;
  std::string raw(kSecretSize, '\0');
  for (std::size_t i = 0; i < kSecretSize; ++i) {
    int hi = hex_value(hex64[2 * i]);
    int lo = hex_value(hex64[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    raw[i] = static_cast<char>(hi << 4 | lo);
  }
  auto key = from_secret(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return key;
}

DataKey DataKey::generate() {
  auto raw = random_bytes(kSecretSize);
  auto key = from_secret(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return key;
}

std::string DataKey::secret_hex() const {
  return to_hex(as_view(secret_));
}

std::string DataKey::seal(std::string_view plaintext, std::string_view context) const {
  std::string out;
  out.reserve(plaintext.size() + kOverhead);
  out += static_cast<char>(kVersion);
  out += random_bytes(kIvSize);
  out += sm4_ctr_apply(enc_key_, std::string_view(out).substr(1, kIvSize), plaintext);
  auto tag = hmac_sm3(mac_key_, {out, context, length_be64(context.size())});
  out += as_view(tag);
  return out;
}

std::optional<std::string> DataKey::open(std::string_view sealed, std::string_view context) const {
  if (sealed.size() < kOverhead || static_cast<unsigned char>(sealed[0]) != kVersion) return std::nullopt;
  auto body = sealed.substr(0, sealed.size() - kTagSize);
  auto tag = sealed.substr(sealed.size() - kTagSize);
  auto expected = hmac_sm3(mac_key_, {body, context, length_be64(context.size())});
  if (CRYPTO_memcmp(expected.data(), tag.data(), kTagSize) != 0) return std::nullopt;
  return sm4_ctr_apply(enc_key_, body.substr(1, kIvSize), body.substr(1 + kIvSize));
}

std::string DataKey::blind_index(std::string_view value, std::string_view purpose) const {
  if (purpose.find('\0') != std::string_view::npos) throw std::invalid_argument("blind index purpose contains NUL");
  auto mac = hmac_sm3(index_key_, {purpose, std::string_view("\0", 1), value});
  return to_hex(as_view(mac));
}

std::string mask_id_number(std::string_view id) {
  return mask_keep(id, 9, 4, 4);
}

std::string mask_phone(std::string_view phone) {
  return mask_keep(phone, 8, 3, 4);
}

}  // namespace tb::crypto
