#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "crypto/crypto.h"

namespace tb::crypto {
namespace {
const EVP_MD* sm3_md() {
  // Fetched once: the implicit EVP_sm3() lookup costs a provider query per call.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  if (!md) throw std::runtime_error("OpenSSL has no SM3 (is the default provider loaded?)");
  return md;
}
}  // namespace

Sm3::Sm3() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), sm3_md(), nullptr) != 1)
    throw std::runtime_error("SM3 init failed");
}

Sm3::~Sm3() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sm3::update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1)
    throw std::runtime_error("SM3 update failed");
}

Sm3Digest Sm3::finish() {
  Sm3Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len) != 1 || len != out.size())
    throw std::runtime_error("SM3 final failed");
  return out;
}

Sm3Digest sm3(std::string_view data) {
  Sm3 h;
  h.update(data);
  return h.finish();
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

std::string sm3_hex(std::string_view data) {
  auto d = sm3(data);
  return to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4) return std::nullopt;
  std::string out(3 * text.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes.
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string random_hex(std::size_t n_bytes) { return to_hex(random_bytes(n_bytes)); }

}  // namespace tb::crypto
