// Signing keys and compact JWS (RFC 7515) for the OpenID Connect provider: ID tokens, the
// JWKS document, PKCE (RFC 7636) and at_hash. Only RS256 and ES256: what every relying party
// understands. ("none" and HMAC algorithms are never accepted.)
//
//   SigningKey key = SigningKey::from_pem(stored_pem).value();
//   std::string id_token = key.sign({{"iss", issuer}, {"sub", sub}, {"aud", client_id}, {"exp", exp}});
//   Json jwks = {{"keys", Json::array({key.public_jwk()})}};                  // /.well-known/jwks.json
//   std::optional<Json> claims = verify_jws(id_token, {key.public_jwk()});   // caller checks exp, aud, iss
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of the header

namespace tb::crypto {

enum class JwsAlg { kRS256, kES256 };

// Copies share one immutable EVP_PKEY (OpenSSL allows concurrent signing with it), so a key
// can be handed to every request thread by value.
class SigningKey {
 public:
  static SigningKey generate(JwsAlg alg);  // RSA 2048 / P-256
  // PKCS#8 or traditional PEM, unencrypted. The algorithm follows from the key: RSA (≥ 2048 bits)
  // → RS256, EC P-256 → ES256; nullopt for anything else, encrypted PEM included.
  static std::optional<SigningKey> from_pem(std::string_view private_pem);

  std::string private_pem() const;  // PKCS#8, unencrypted: store it sealed
  JwsAlg alg() const { return alg_; }
  std::string alg_name() const;                       // "RS256" / "ES256"
  std::string kid() const { return kid_; }            // RFC 7638 JWK thumbprint (SHA-256, base64url)
  nlohmann::json public_jwk() const { return jwk_; }  // {"kty","kid","use":"sig","alg", n/e or crv/x/y}
  // Compact JWS with header {"alg","kid","typ":"JWT"}; claims must be a JSON object. ES256
  // signatures are JOSE r||s (64 bytes), not DER.
  std::string sign(const nlohmann::json& claims) const;

 private:
  SigningKey(std::shared_ptr<evp_pkey_st> pkey, JwsAlg alg);

  std::shared_ptr<evp_pkey_st> pkey_;
  JwsAlg alg_;
  std::string kid_;
  nlohmann::json jwk_;
};

// Accepts alg RS256 or ES256 only and uses the first JWK whose "kid" equals the header's and
// that fits the alg (kty and curve, and "alg"/"use" when the JWK states them); kids are unique
// in a JWKS, so no other key is tried after a signature fails. Rejects "crit" extensions and
// non-object payloads; returns the claims. No time or audience checks: those are the caller's.
std::optional<nlohmann::json> verify_jws(std::string_view token, const std::vector<nlohmann::json>& jwks);

// The public JWK of an RSA or EC P-256 key, "kid" included; nullopt for other key types. For
// public keys that come from elsewhere (certificates, tests).
std::optional<nlohmann::json> public_jwk_of(const evp_pkey_st* pkey);
// RFC 7638: SHA-256 over the required members in lexicographic order without whitespace,
// base64url. nullopt when a required member is missing or the kty is not RSA or EC.
std::optional<std::string> jwk_thumbprint(const nlohmann::json& jwk);

// RFC 4648 §5 without padding. Decoding is strict: no '=', no other alphabet, and the unused
// low bits of the last character must be zero, so every value has exactly one encoding.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

std::string sha256(std::string_view data);  // raw 32 bytes (PKCE S256, at_hash)

}  // namespace tb::crypto
