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

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string random_hex(std::size_t n_bytes) { return to_hex(random_bytes(n_bytes)); }

}  // namespace tb::crypto
