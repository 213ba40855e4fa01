#include "crypto/totp.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace tb::crypto {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr int kVerifyDigits = 6;
constexpr int kVerifyStep = 30;
constexpr int kMaxWindow = 10;

EVP_MAC* hmac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!mac) throw std::runtime_error("OpenSSL has no HMAC");
  return mac;
}

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// RFC 3986 percent-encoding of everything but unreserved characters: ':' inside an issuer
// must not end the label's issuer prefix early, and '&', '=' must not split parameters.
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::int64_t time_step(std::int64_t unix_seconds, int step) {
  if (unix_seconds < 0) throw std::invalid_argument("TOTP time before 1970");
  if (step <= 0) throw std::invalid_argument("TOTP step must be positive");
  return unix_seconds / step;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (c != ' ') compact += c;
  auto last = compact.find_last_not_of('=');
  std::string_view symbols = std::string_view(compact).substr(0, last == std::string::npos ? 0 : last + 1);
  std::size_t padding = compact.size() - symbols.size();
  // Padding, when present, must complete a block of 8; 1, 3 or 6 symbols left over never
  // come from whole bytes.
  if (padding > 0 && compact.size() % 8 != 0) return std::nullopt;
  std::size_t rem = symbols.size() % 8;
  if (rem == 1 || rem == 3 || rem == 6) return std::nullopt;
  std::string out;
  out.reserve(symbols.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : symbols) {
    int v = base32_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::string hotp(std::string_view key, std::uint64_t counter, int digits, std::string_view digest) {
  if (digits < 6 || digits > 10) throw std::invalid_argument("HOTP digits must be 6 to 10");
  if (key.empty()) throw std::invalid_argument("HOTP key is empty");
  std::string digest_name(digest);
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(hmac()), EVP_MAC_CTX_free);
  if (!ctx) throw std::runtime_error("HMAC context failed");
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    ERR_clear_error();
    throw std::invalid_argument("HOTP digest not usable: " + digest_name);
  }
  unsigned char message[8];
  for (int i = 7; i >= 0; --i, counter >>= 8) message[i] = static_cast<unsigned char>(counter & 0xff);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t len = 0;
  if (EVP_MAC_update(ctx.get(), message, sizeof message) != 1 ||
      EVP_MAC_final(ctx.get(), mac.data(), &len, mac.size()) != 1 || len < 20)
    throw std::runtime_error("HOTP HMAC failed");
  // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 4 bytes, top bit cleared.
  std::size_t offset = mac[len - 1] & 0x0f;
  std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                         (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                         (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint64_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::string totp(std::string_view key, std::int64_t unix_seconds, int digits, int step, std::string_view digest) {
  return hotp(key, static_cast<std::uint64_t>(time_step(unix_seconds, step)), digits, digest);
}

std::optional<std::int64_t> totp_verify(std::string_view key, std::string_view code, std::int64_t unix_seconds,
                                        int window) {
  if (code.size() != kVerifyDigits ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  if (unix_seconds < 0) return std::nullopt;
  window = std::clamp(window, 0, kMaxWindow);
  std::int64_t now_step = time_step(unix_seconds, kVerifyStep);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared in constant time, so timing tells nothing about
  // which step (if any) matched. The current step wins over drifted ones.
  for (int distance = 0; distance <= window; ++distance) {
    for (int sign : {-1, 1}) {
      if (distance == 0 && sign > 0) continue;  // step 0 once, not twice
      std::int64_t candidate = now_step + sign * distance;
      if (candidate < 0) continue;
      auto expected = hotp(key, static_cast<std::uint64_t>(candidate), kVerifyDigits, "SHA1");
      if (CRYPTO_memcmp(expected.data(), code.data(), code.size()) == 0 && !matched) matched = candidate;
    }
  }
  return matched;
}

std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
  std::string uri = "otpauth://totp/";
  if (!issuer.empty()) uri += percent_encode(issuer) + ":";
  uri += percent_encode(account);
  // Apps expect the secret unpadded; '=' would also have to be escaped.
  auto secret = base32_secret.substr(0, base32_secret.find_last_not_of('=') + 1);
  uri += "?secret=" + percent_encode(secret);
  if (!issuer.empty()) uri += "&issuer=" + percent_encode(issuer);
  uri += "&algorithm=SHA1&digits=6&period=30";
  return uri;
}

}  // namespace tb::crypto
