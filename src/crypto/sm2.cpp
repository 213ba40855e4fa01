#include "crypto/sm2.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"

namespace tb::crypto {
namespace {

EVP_PKEY* pk(void* p) { return static_cast<EVP_PKEY*>(p); }

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, std::size_t(n));
}

bool is_sm2(EVP_PKEY* key) { return key && EVP_PKEY_is_a(key, "SM2"); }

// A digest-sign or digest-verify context with the standard signer ID set.
struct MdCtx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  explicit MdCtx(EVP_PKEY* key) {
    pctx = EVP_PKEY_CTX_new(key, nullptr);
    if (!md || !pctx || EVP_PKEY_CTX_set1_id(pctx, kSm2DefaultId.data(), kSm2DefaultId.size()) != 1)
      throw FatalError("SM2 context");
    EVP_MD_CTX_set_pkey_ctx(md, pctx);
  }
  ~MdCtx() {
    EVP_MD_CTX_free(md);
    EVP_PKEY_CTX_free(pctx);
  }
};

ASN1_TIME* set_time(ASN1_TIME* t, EpochMs ms) { return ASN1_TIME_set(t, time_t(ms / 1000)); }

EpochMs epoch_of(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return EpochMs(timegm(&tm)) * 1000;
}

std::string name_of(X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bio_string(bio.get());
}

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

X509Ptr load_cert(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), int(text.size())));
  if (text.starts_with("-----BEGIN")) return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
  return X509Ptr(d2i_X509(nullptr, &p, long(text.size())));
}

}  // namespace

Sm2Key Sm2Key::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
  if (!key) throw FatalError("SM2 key generation failed");
  return Sm2Key(key, true);
}

std::optional<Sm2Key> Sm2Key::from_private_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!is_sm2(key)) {
    EVP_PKEY_free(key);
    return std::nullopt;
  }
  return Sm2Key(key, true);
}

std::optional<Sm2Key> Sm2Key::from_public_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!is_sm2(key)) {
    EVP_PKEY_free(key);
    return std::nullopt;
  }
  return Sm2Key(key, false);
}

Sm2Key::Sm2Key(Sm2Key&& o) noexcept : pkey_(o.pkey_), private_(o.private_) { o.pkey_ = nullptr; }
Sm2Key& Sm2Key::operator=(Sm2Key&& o) noexcept {
  std::swap(pkey_, o.pkey_);
  std::swap(private_, o.private_);
  return *this;
}
Sm2Key::~Sm2Key() { EVP_PKEY_free(pk(pkey_)); }

std::string Sm2Key::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!private_ || PEM_write_bio_PrivateKey(bio.get(), pk(pkey_), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw FatalError("SM2 private key export");
  return bio_string(bio.get());
}

std::string Sm2Key::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), pk(pkey_)) != 1) throw FatalError("SM2 public key export");
  return bio_string(bio.get());
}

std::string Sm2Key::sign(std::string_view data) const {
  if (!private_) throw FatalError("signing needs the private key");
  MdCtx ctx(pk(pkey_));
  std::size_t len = 0;
  if (EVP_DigestSignInit(ctx.md, nullptr, EVP_sm3(), nullptr, pk(pkey_)) != 1 ||
      EVP_DigestSign(ctx.md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    throw FatalError("SM2 sign");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    throw FatalError("SM2 sign");
  sig.resize(len);
  return sig;
}

bool Sm2Key::verify(std::string_view data, std::string_view der_signature) const {
  MdCtx ctx(pk(pkey_));
  if (EVP_DigestVerifyInit(ctx.md, nullptr, EVP_sm3(), nullptr, pk(pkey_)) != 1) return false;
  return EVP_DigestVerify(ctx.md, reinterpret_cast<const unsigned char*>(der_signature.data()), der_signature.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

std::string issue_certificate(const Sm2Key& subject_key, const CertificateSubject& s, const Sm2Key& issuer_key,
                              std::string_view issuer_pem) {
  X509Ptr cert(X509_new());
  X509Ptr issuer;
  if (!issuer_pem.empty()) {
    issuer = load_cert(issuer_pem);
    if (!issuer) throw FatalError("issuer certificate unreadable");
  }
  X509_set_version(cert.get(), 2);
  std::string serial = s.serial_hex.empty() ? to_hex(random_bytes(16)) : s.serial_hex;
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, serial.c_str());
  BN_set_negative(bn, 0);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  set_time(X509_getm_notBefore(cert.get()), s.not_before);
  set_time(X509_getm_notAfter(cert.get()), s.not_after);
  X509_set_pubkey(cert.get(), pk(subject_key.native()));
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add = [&](const char* field, const std::string& value) {
    if (!value.empty())
      X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                 int(value.size()), -1, 0);
  };
  add("C", s.country);
  add("O", s.organisation);
  add("CN", s.common_name);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer.get()) : name);

  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer ? issuer.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
  auto ext = [&](int nid, const char* value) {
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (!e) throw FatalError("certificate extension");
    X509_add_ext(cert.get(), e, -1);
    X509_EXTENSION_free(e);
  };
  ext(NID_basic_constraints, s.ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE");
  ext(NID_key_usage, s.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
  ext(NID_subject_key_identifier, "hash");

  MdCtx ctx(pk(issuer_key.native()));
  if (EVP_DigestSignInit(ctx.md, nullptr, EVP_sm3(), nullptr, pk(issuer_key.native())) != 1 ||
      X509_sign_ctx(cert.get(), ctx.md) <= 0)
    throw FatalError("certificate signing failed");
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  return bio_string(bio.get());
}

std::optional<CertificateInfo> read_certificate(std::string_view text) {
  X509Ptr cert = load_cert(text);
  if (!cert) return std::nullopt;
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (!is_sm2(key)) return std::nullopt;
  CertificateInfo info;
  info.subject = name_of(X509_get_subject_name(cert.get()));
  info.issuer = name_of(X509_get_issuer_name(cert.get()));
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
  char* hex = BN_bn2hex(bn);
  info.serial_hex = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  info.not_before = epoch_of(X509_get0_notBefore(cert.get()));
  info.not_after = epoch_of(X509_get0_notAfter(cert.get()));
  info.ca = X509_check_ca(cert.get()) != 0;
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  info.public_pem = bio_string(bio.get());
  unsigned char* der = nullptr;
  int n = i2d_X509(cert.get(), &der);
  info.der.assign(reinterpret_cast<char*>(der), std::size_t(n));
  OPENSSL_free(der);
  return info;
}

bool certificate_signed_by(std::string_view cert_text, std::string_view issuer_text) {
  X509Ptr cert = load_cert(cert_text), issuer = load_cert(issuer_text);
  if (!cert || !issuer) return false;
  // X509_verify takes the signer ID from the certificate being verified.
  ASN1_OCTET_STRING* id = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(id, reinterpret_cast<const unsigned char*>(kSm2DefaultId.data()), int(kSm2DefaultId.size()));
  X509_set0_distinguishing_id(cert.get(), id);
  return X509_verify(cert.get(), X509_get0_pubkey(issuer.get())) == 1;
}

std::string pem_to_der(std::string_view pem) {
  auto info = read_certificate(pem);
  return info ? info->der : std::string();
}

std::string der_to_pem(std::string_view der) {
  X509Ptr cert = load_cert(der);
  if (!cert) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  return bio_string(bio.get());
}

}  // namespace tb::crypto
