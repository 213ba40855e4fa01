#include "crypto/jws.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <stdexcept>

namespace tb::crypto {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kBase64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kP256Bytes = 32;
constexpr int kMinRsaBits = 2048;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

// Failed parses and verifications leave OpenSSL errors queued; they must not surface later in
// an unrelated caller that inspects the queue.
template <class T>
std::optional<T> rejected() {
  ERR_clear_error();
  return std::nullopt;
}

const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!md) throw std::runtime_error("OpenSSL has no SHA256");
  return md;
}

// A string member or nullptr: Json::value() would throw on a member of another type, and JWKS
// documents come from outside.
const std::string* str_member(const Json& j, const char* name) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

bool member_is(const Json& j, const char* name, std::string_view expected) {
  auto* v = str_member(j, name);
  return v && *v == expected;
}

std::string_view alg_name_of(JwsAlg alg) {
  return alg == JwsAlg::kRS256 ? "RS256" : "ES256";
}

std::string bn_bytes(const BIGNUM* bn, int pad_to = 0) {
  int n = pad_to > 0 ? pad_to : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(n), '\0');
  int written = pad_to > 0 ? BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), n)
                           : BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  if (written != n) throw std::runtime_error("BIGNUM export failed");
  return out;
}

std::optional<std::string> bn_param(const EVP_PKEY* pkey, const char* name, int pad_to = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return rejected<std::string>();
  BnPtr bn(raw);
  return bn_bytes(bn.get(), pad_to);
}

// The key's algorithm, or nullopt when it is not one we sign with.
std::optional<JwsAlg> alg_of(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    if (EVP_PKEY_get_bits(pkey) < kMinRsaBits) return std::nullopt;
    return JwsAlg::kRS256;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
      return rejected<JwsAlg>();  // explicit curve parameters
    std::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") return JwsAlg::kES256;
  }
  return std::nullopt;
}

PkeyPtr pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  return PkeyPtr(raw);
}

// A public key from a JWK whose kty fits alg; nullptr for anything malformed.
PkeyPtr pkey_from_jwk(const Json& jwk, JwsAlg alg) {
  auto member = [&](const char* name) -> std::optional<std::string> {
    auto* v = str_member(jwk, name);
    if (!v) return std::nullopt;
    return base64url_decode(*v);
  };
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) throw std::runtime_error("OSSL_PARAM_BLD_new failed");
  if (alg == JwsAlg::kRS256) {
    if (!member_is(jwk, "kty", "RSA")) return nullptr;
    auto n = member("n");
    auto e = member("e");
    if (!n || !e || n->empty() || e->empty()) return nullptr;
    BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
    BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
    if (!bn_n || !bn_e || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
      return nullptr;
    auto pkey = pkey_from_params("RSA", bld.get());
    if (!pkey || EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) return nullptr;
    return pkey;
  }
  if (!member_is(jwk, "kty", "EC") || !member_is(jwk, "crv", "P-256")) return nullptr;
  auto x = member("x");
  auto y = member("y");
  if (!x || !y || x->size() != kP256Bytes || y->size() != kP256Bytes) return nullptr;
  std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed point
  char group[] = "prime256v1";
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return nullptr;
  // OpenSSL refuses a point that is not on the curve here, which stops invalid-curve attacks.
  return pkey_from_params("EC", bld.get());
}

std::string digest_sign(EVP_PKEY* pkey, std::string_view input) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1)
    throw std::runtime_error("JWS signing init failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size()) != 1)
    throw std::runtime_error("JWS signing failed");
  sig.resize(len);
  return sig;
}

// JOSE wants ECDSA signatures as fixed-width r||s (RFC 7518 §3.4); OpenSSL speaks DER.
std::string der_to_jose(std::string_view der) {
  auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) throw std::runtime_error("ECDSA signature is not DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  return bn_bytes(r, kP256Bytes) + bn_bytes(s, kP256Bytes);
}

std::optional<std::string> jose_to_der(std::string_view jose) {
  if (jose.size() != 2 * kP256Bytes) return std::nullopt;
  auto* bytes = reinterpret_cast<const unsigned char*>(jose.data());
  BnPtr r(BN_bin2bn(bytes, kP256Bytes, nullptr));
  BnPtr s(BN_bin2bn(bytes + kP256Bytes, kP256Bytes, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return rejected<std::string>();
  r.release();  // owned by sig now
  s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return rejected<std::string>();
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return rejected<std::string>();
  return der;
}

bool digest_verify(EVP_PKEY* pkey, std::string_view input, std::string_view sig) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

std::optional<Json> parse_object(std::string_view b64) {
  auto text = base64url_decode(b64);
  if (!text) return std::nullopt;
  auto json = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  return json;
}

// A password callback that declines: without it OpenSSL would prompt on the terminal for an
// encrypted PEM.
int no_password(char*, int, int, void*) {
  return -1;
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<evp_pkey_st> pkey, JwsAlg alg) : pkey_(std::move(pkey)), alg_(alg) {
  auto jwk = public_jwk_of(pkey_.get());
  if (!jwk) throw std::runtime_error("cannot describe signing key as JWK");
  jwk_ = std::move(*jwk);
  jwk_["use"] = "sig";
  jwk_["alg"] = alg_name();
  kid_ = jwk_["kid"].get<std::string>();
}

SigningKey SigningKey::generate(JwsAlg alg) {
  EVP_PKEY* raw = alg == JwsAlg::kRS256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048))
                                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!raw) throw std::runtime_error("key generation failed");
  return SigningKey(std::shared_ptr<evp_pkey_st>(raw, EVP_PKEY_free), alg);
}

std::optional<SigningKey> SigningKey::from_pem(std::string_view private_pem) {
  BioPtr bio(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  if (!bio) throw std::runtime_error("BIO_new_mem_buf failed");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr);
  if (!raw) return rejected<SigningKey>();
  std::shared_ptr<evp_pkey_st> pkey(raw, EVP_PKEY_free);
  auto alg = alg_of(pkey.get());
  if (!alg) return rejected<SigningKey>();
  return SigningKey(std::move(pkey), *alg);
}

std::string SigningKey::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("PEM export failed");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string SigningKey::alg_name() const {
  return std::string(alg_name_of(alg_));
}

std::string SigningKey::sign(const nlohmann::json& claims) const {
  if (!claims.is_object()) throw std::invalid_argument("JWS claims must be a JSON object");
  // nlohmann::json keeps object members sorted, so the header bytes are stable.
  Json header = {{"alg", alg_name()}, {"kid", kid_}, {"typ", "JWT"}};
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  std::string sig = digest_sign(pkey_.get(), input);
  if (alg_ == JwsAlg::kES256) sig = der_to_jose(sig);
  return input + "." + base64url_encode(sig);
}

std::optional<nlohmann::json> verify_jws(std::string_view token, const std::vector<nlohmann::json>& jwks) {
  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return std::nullopt;
  auto header = parse_object(token.substr(0, dot1));
  if (!header) return std::nullopt;
  // An extension we do not implement must not be ignored (RFC 7515 §4.1.11).
  if (header->contains("crit")) return std::nullopt;
  auto* alg_name = str_member(*header, "alg");
  auto* kid = str_member(*header, "kid");
  if (!alg_name || !kid) return std::nullopt;
  JwsAlg alg;
  if (*alg_name == "RS256")
    alg = JwsAlg::kRS256;
  else if (*alg_name == "ES256")
    alg = JwsAlg::kES256;
  else
    return std::nullopt;  // "none", HS256 and friends included

  PkeyPtr pkey;
  for (const auto& jwk : jwks) {
    if (!member_is(jwk, "kid", *kid)) continue;
    if (jwk.contains("alg") && !member_is(jwk, "alg", *alg_name)) continue;
    if (jwk.contains("use") && !member_is(jwk, "use", "sig")) continue;
    pkey = pkey_from_jwk(jwk, alg);
    if (pkey) break;
  }
  if (!pkey) return rejected<Json>();

  auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!sig) return std::nullopt;
  if (alg == JwsAlg::kES256) {
    sig = jose_to_der(*sig);
    if (!sig) return std::nullopt;
  }
  if (!digest_verify(pkey.get(), token.substr(0, dot2), *sig)) return rejected<Json>();
  return parse_object(token.substr(dot1 + 1, dot2 - dot1 - 1));
}

std::optional<nlohmann::json> public_jwk_of(const evp_pkey_st* pkey) {
  auto alg = alg_of(pkey);
  if (!alg) return std::nullopt;
  Json jwk;
  if (*alg == JwsAlg::kRS256) {
    auto n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N);
    auto e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E);
    if (!n || !e) return std::nullopt;
    jwk = {{"kty", "RSA"}, {"n", base64url_encode(*n)}, {"e", base64url_encode(*e)}};
  } else {
    auto x = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, kP256Bytes);
    auto y = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, kP256Bytes);
    if (!x || !y) return std::nullopt;
    jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", base64url_encode(*x)}, {"y", base64url_encode(*y)}};
  }
  jwk["kid"] = *jwk_thumbprint(jwk);
  return jwk;
}

std::optional<std::string> jwk_thumbprint(const nlohmann::json& jwk) {
  std::vector<const char*> required;
  if (member_is(jwk, "kty", "RSA"))
    required = {"e", "kty", "n"};
  else if (member_is(jwk, "kty", "EC"))
    required = {"crv", "kty", "x", "y"};
  else
    return std::nullopt;
  Json canonical = Json::object();
  for (const char* name : required) {
    auto* v = str_member(jwk, name);
    if (!v) return std::nullopt;
    canonical[name] = *v;
  }
  // dump() writes members sorted and without whitespace: exactly RFC 7638's form for these
  // ASCII-only members.
  return base64url_encode(sha256(canonical.dump()));
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += kBase64UrlAlphabet[(buffer >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += kBase64UrlAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-'             ? 62
            : c == '_'             ? 63
                                   : -1;
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, sha256_md(), nullptr) !=
          1 ||
      len != out.size())
    throw std::runtime_error("SHA-256 failed");
  return out;
}

}  // namespace tb::crypto
