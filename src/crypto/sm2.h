// SM2 signatures (GM/T 0003, SM2 with SM3) and X.509 certificates on SM2 keys, through
// OpenSSL 3 (STANDARDS §5). OpenSSL 3.0 does not default the signer ID, so every signature
// and certificate here uses the standard's 1234567812345678 explicitly; the same signatures
// verify with `openssl dgst -sm3 -verify pub.pem -sigopt distid:1234567812345678`.
//
//   auto key = Sm2Key::generate();
//   std::string sig = key.sign(data);          // DER SEQUENCE { r, s }
//   bool ok = key.verify(data, sig);
//   std::string ca = issue_certificate(ca_key, {.common_name = "…", .ca = true}, ca_key, "");
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace tb::crypto {

inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

class Sm2Key {
 public:
  static Sm2Key generate();
  // PKCS#8 private key or SubjectPublicKeyInfo, PEM; nullopt when not an SM2 key.
  static std::optional<Sm2Key> from_private_pem(std::string_view pem);
  static std::optional<Sm2Key> from_public_pem(std::string_view pem);

  Sm2Key(Sm2Key&&) noexcept;
  Sm2Key& operator=(Sm2Key&&) noexcept;
  ~Sm2Key();

  bool has_private() const { return private_; }
  std::string private_pem() const;  // unencrypted: the caller seals it (crypto::DataKey) before storing
  std::string public_pem() const;
  std::string sign(std::string_view data) const;  // SM2-with-SM3, DER; throws FatalError without a private key
  bool verify(std::string_view data, std::string_view der_signature) const;
  void* native() const { return pkey_; }  // EVP_PKEY*, for this room's other files

 private:
  Sm2Key(void* pkey, bool has_private) : pkey_(pkey), private_(has_private) {}
  void* pkey_ = nullptr;
  bool private_ = false;
};

struct CertificateSubject {
  std::string common_name;   // the seal's or the CA's name
  std::string organisation;  // the department
  std::string country = "CN";
  EpochMs not_before = 0, not_after = 0;
  bool ca = false;           // a CA certificate may sign others; a seal certificate may not
  std::string serial_hex;    // empty: 16 random bytes
};

// An X.509 v3 certificate for `subject_key`, signed SM2-with-SM3 by `issuer_key`; with an
// empty `issuer_pem` it is self-signed (the platform's seal CA). PEM.
std::string issue_certificate(const Sm2Key& subject_key, const CertificateSubject& subject, const Sm2Key& issuer_key,
                              std::string_view issuer_pem);

struct CertificateInfo {
  std::string subject, issuer, serial_hex;
  EpochMs not_before = 0, not_after = 0;
  bool ca = false;
  std::string public_pem;
  std::string der;
};
// PEM or DER; nullopt when it is not a certificate with an SM2 key.
std::optional<CertificateInfo> read_certificate(std::string_view pem_or_der);
// True when `cert` carries a valid SM2 signature by the key of `issuer` (validity dates are
// the caller's question: they depend on the time being asked about).
bool certificate_signed_by(std::string_view cert_pem_or_der, std::string_view issuer_pem_or_der);
std::string pem_to_der(std::string_view certificate_pem);
std::string der_to_pem(std::string_view certificate_der);

}  // namespace tb::crypto
