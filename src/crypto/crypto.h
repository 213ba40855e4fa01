// National cryptography through OpenSSL 3 (ARCHITECTURE §1.6) and secure randomness.
// This room grows with SM2 signatures and SM4 encryption as identity and seals land.
#pragma once

#include <array>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>

namespace tb::crypto {

using Sm3Digest = std::array<std::uint8_t, 32>;

Sm3Digest sm3(std::string_view data);
std::string sm3_hex(std::string_view data);  // 64 lowercase hex characters

// Incremental SM3 for data that arrives in pieces (files, the audit chain).
class Sm3 {
 public:
  Sm3();
  ~Sm3();
  Sm3(const Sm3&) = delete;
  Sm3& operator=(const Sm3&) = delete;
  void update(std::string_view data);
  Sm3Digest finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of the header
};

std::string to_hex(std::string_view bytes);
// Standard base64 with padding (RFC 4648 §4); base64url for tokens is in jws.h.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string random_bytes(std::size_t n);      // from the OS CSPRNG via OpenSSL
std::string random_hex(std::size_t n_bytes);

}  // namespace tb::crypto
