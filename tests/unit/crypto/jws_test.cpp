#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

#include "crypto/jws.h"

namespace tb::crypto {
namespace {

using Json = nlohmann::json;

// RFC 7638 §3.1 (the RSA key of RFC 7517 appendix A.1).
constexpr std::string_view kRfcN =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjh"
    "Mstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL"
    "5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
    "kEgU8awapJzKnqDKgw";
constexpr std::string_view kRfcThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Built here, independently of jws.cpp, from the JWK members.
PkeyPtr public_key_from_jwk(const Json& jwk) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  std::string point;
  const char* type = "RSA";
  if (jwk["kty"] == "RSA") {
    auto nb = base64url_decode(jwk["n"].get<std::string>()).value();
    auto eb = base64url_decode(jwk["e"].get<std::string>()).value();
    n = BN_bin2bn(reinterpret_cast<const unsigned char*>(nb.data()), static_cast<int>(nb.size()), nullptr);
    e = BN_bin2bn(reinterpret_cast<const unsigned char*>(eb.data()), static_cast<int>(eb.size()), nullptr);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
  } else {
    type = "EC";
    point = "\x04" + base64url_decode(jwk["x"].get<std::string>()).value() +
            base64url_decode(jwk["y"].get<std::string>()).value();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  }
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(n);
  BN_free(e);
  return PkeyPtr(pkey);
}

std::string public_pem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, pkey);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

// ASN.1 DER of ECDSA-Sig-Value { r INTEGER, s INTEGER } from JOSE r||s, written out by hand so
// the check does not reuse the conversion under test.
std::string der_from_jose(std::string_view rs) {
  auto integer = [](std::string_view be) {
    std::size_t start = 0;
    while (start + 1 < be.size() && be[start] == '\0') ++start;
    std::string v(be.substr(start));
    if (static_cast<unsigned char>(v[0]) & 0x80) v.insert(v.begin(), '\0');
    return std::string{'\x02', static_cast<char>(v.size())} + v;
  };
  std::string body = integer(rs.substr(0, 32)) + integer(rs.substr(32, 32));
  return std::string{'\x30', static_cast<char>(body.size())} + body;
}

std::vector<std::string> split(std::string_view token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string_view::npos; start = dot + 1)
    parts.emplace_back(token.substr(start, dot - start));
  parts.emplace_back(token.substr(start));
  return parts;
}

Json claims() {
  return {{"iss", "https://tongban.luan.gov.cn"}, {"sub", "u-1001"}, {"name", "张三"}, {"exp", 2000000000}};
}

class Jws : public ::testing::TestWithParam<JwsAlg> {};

TEST_P(Jws, SignsAndVerifies) {
  auto key = SigningKey::generate(GetParam());
  auto token = key.sign(claims());
  auto parts = split(token);
  ASSERT_EQ(parts.size(), 3u);
  auto header = Json::parse(base64url_decode(parts[0]).value());
  EXPECT_EQ(header, (Json{{"alg", key.alg_name()}, {"kid", key.kid()}, {"typ", "JWT"}}));
  EXPECT_EQ(verify_jws(token, {key.public_jwk()}), claims());
  EXPECT_EQ(base64url_decode(parts[2])->size(), GetParam() == JwsAlg::kES256 ? 64u : 256u);

  auto jwk = key.public_jwk();
  EXPECT_EQ(jwk["kid"], key.kid());
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["alg"], key.alg_name());
  EXPECT_EQ(jwk_thumbprint(jwk), key.kid());
  EXPECT_EQ(key.kid().size(), 43u);  // 32 bytes, base64url
  if (GetParam() == JwsAlg::kRS256) {
    EXPECT_EQ(key.alg_name(), "RS256");
    EXPECT_EQ(jwk["kty"], "RSA");
    EXPECT_EQ(jwk["e"], "AQAB");
    EXPECT_EQ(base64url_decode(jwk["n"].get<std::string>())->size(), 256u);
  } else {
    EXPECT_EQ(key.alg_name(), "ES256");
    EXPECT_EQ(jwk["kty"], "EC");
    EXPECT_EQ(jwk["crv"], "P-256");
    EXPECT_EQ(base64url_decode(jwk["x"].get<std::string>())->size(), 32u);
    EXPECT_EQ(base64url_decode(jwk["y"].get<std::string>())->size(), 32u);
  }
}

TEST_P(Jws, PemRoundTripKeepsTheKey) {
  auto key = SigningKey::generate(GetParam());
  auto pem = key.private_pem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----")) << pem;
  auto loaded = SigningKey::from_pem(pem);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->alg(), GetParam());
  EXPECT_EQ(loaded->kid(), key.kid());
  EXPECT_EQ(loaded->public_jwk(), key.public_jwk());
  EXPECT_EQ(verify_jws(loaded->sign(claims()), {key.public_jwk()}), claims());
}

TEST_P(Jws, TamperingFails) {
  auto key = SigningKey::generate(GetParam());
  auto token = key.sign(claims());
  auto parts = split(token);
  std::vector<Json> jwks = {key.public_jwk()};

  Json other = claims();
  other["sub"] = "u-1002";
  EXPECT_EQ(verify_jws(parts[0] + "." + base64url_encode(other.dump()) + "." + parts[2], jwks), std::nullopt);
  auto sig = base64url_decode(parts[2]).value();
  for (std::size_t i : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    EXPECT_EQ(verify_jws(parts[0] + "." + parts[1] + "." + base64url_encode(bad), jwks), std::nullopt) << i;
  }
  EXPECT_EQ(verify_jws(parts[0] + "." + parts[1] + "." + base64url_encode(sig.substr(1)), jwks), std::nullopt);
  EXPECT_EQ(verify_jws(parts[0] + "." + parts[1] + ".", jwks), std::nullopt);
  EXPECT_EQ(verify_jws(token + ".", jwks), std::nullopt);
  EXPECT_EQ(verify_jws(parts[0] + "." + parts[1], jwks), std::nullopt);
  EXPECT_EQ(verify_jws(token + "A", jwks), std::nullopt);
  EXPECT_EQ(verify_jws("", jwks), std::nullopt);
  EXPECT_EQ(verify_jws("..", jwks), std::nullopt);

  // Same kid, another key (a rotated or forged JWKS entry).
  auto stranger = SigningKey::generate(GetParam()).public_jwk();
  stranger["kid"] = key.kid();
  EXPECT_EQ(verify_jws(token, {stranger}), std::nullopt);
  // Kids are unique in a JWKS (RFC 7517 §4.5); the first usable entry decides, no trying around.
  EXPECT_EQ(verify_jws(token, {stranger, key.public_jwk()}), std::nullopt);
  EXPECT_EQ(verify_jws(token, {key.public_jwk(), stranger}), claims());
}

TEST_P(Jws, KeyChoiceIsStrict) {
  auto key = SigningKey::generate(GetParam());
  auto token = key.sign(claims());
  auto jwk = key.public_jwk();
  EXPECT_EQ(verify_jws(token, {}), std::nullopt);
  EXPECT_EQ(verify_jws(token, {SigningKey::generate(GetParam()).public_jwk()}), std::nullopt);  // unknown kid
  Json no_kid = jwk;
  no_kid.erase("kid");
  EXPECT_EQ(verify_jws(token, {no_kid}), std::nullopt);
  Json wrong_alg = jwk;
  wrong_alg["alg"] = GetParam() == JwsAlg::kRS256 ? "PS256" : "ES384";
  EXPECT_EQ(verify_jws(token, {wrong_alg}), std::nullopt);
  Json enc = jwk;
  enc["use"] = "enc";
  EXPECT_EQ(verify_jws(token, {enc}), std::nullopt);
  Json no_alg_use = jwk;  // both members are optional in a JWK
  no_alg_use.erase("alg");
  no_alg_use.erase("use");
  EXPECT_EQ(verify_jws(token, {no_alg_use}), claims());
  Json garbage = jwk;
  garbage["kid"] = 42;
  EXPECT_EQ(verify_jws(token, {Json("not an object"), garbage, Json::array(), jwk}), claims());
}

INSTANTIATE_TEST_SUITE_P(Algs, Jws, ::testing::Values(JwsAlg::kRS256, JwsAlg::kES256),
                         [](const auto& info) { return info.param == JwsAlg::kRS256 ? "RS256" : "ES256"; });

// A token with the header we choose and a dummy signature: for checks that must fail before
// any signature is looked at.
std::string unsigned_token(const Json& header, const Json& payload) {
  return base64url_encode(header.dump()) + "." + base64url_encode(payload.dump()) + "." + base64url_encode("sig");
}

TEST(JwsHeader, RejectsAlgorithmsAndExtensionsWeDoNotSpeak) {
  auto rs = SigningKey::generate(JwsAlg::kRS256);
  auto es = SigningKey::generate(JwsAlg::kES256);
  std::vector<Json> jwks = {rs.public_jwk(), es.public_jwk()};
  for (const char* alg : {"none", "HS256", "RS512", "PS256", "ES384", "EdDSA", ""})
    EXPECT_EQ(verify_jws(unsigned_token({{"alg", alg}, {"kid", rs.kid()}}, claims()), jwks), std::nullopt) << alg;
  auto parts = split(rs.sign(claims()));
  EXPECT_EQ(verify_jws(base64url_encode(R"({"alg":"none"})") + "." + parts[1] + ".", jwks), std::nullopt);
  // The RSA token relabelled ES256 with the EC key's kid: alg/key confusion.
  EXPECT_EQ(
      verify_jws(base64url_encode(Json{{"alg", "ES256"}, {"kid", es.kid()}}.dump()) + "." + parts[1] + "." + parts[2],
                 jwks),
      std::nullopt);
  // alg RS256 pointing at the EC key.
  EXPECT_EQ(
      verify_jws(base64url_encode(Json{{"alg", "RS256"}, {"kid", es.kid()}}.dump()) + "." + parts[1] + "." + parts[2],
                 jwks),
      std::nullopt);
  EXPECT_EQ(verify_jws(unsigned_token({{"alg", "RS256"}}, claims()), jwks), std::nullopt);  // no kid
  EXPECT_EQ(verify_jws(unsigned_token({{"alg", "RS256"}, {"kid", 7}}, claims()), jwks), std::nullopt);
  EXPECT_EQ(verify_jws(base64url_encode("not json") + "." + parts[1] + "." + parts[2], jwks), std::nullopt);
}

TEST(JwsHeader, CritAndNonObjectPayloadAreRefusedEvenWhenSigned) {
  // sign() only makes standard headers and object payloads, so these are signed with EVP here.
  auto key = SigningKey::generate(JwsAlg::kRS256);
  auto pem = key.private_pem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  auto sign_raw = [&](const std::string& header, const std::string& payload) {
    std::string input = base64url_encode(header) + "." + base64url_encode(payload);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 512;
    std::string sig(len, '\0');
    EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey.get()), 1);
    EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
              1);
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return input + "." + base64url_encode(sig);
  };
  std::vector<Json> jwks = {key.public_jwk()};
  std::string header = Json{{"alg", "RS256"}, {"kid", key.kid()}}.dump();
  EXPECT_EQ(verify_jws(sign_raw(header, claims().dump()), jwks), claims());  // control: this one is fine
  std::string crit = Json{{"alg", "RS256"}, {"kid", key.kid()}, {"crit", {"b64"}}, {"b64", false}}.dump();
  EXPECT_EQ(verify_jws(sign_raw(crit, claims().dump()), jwks), std::nullopt);
  EXPECT_EQ(verify_jws(sign_raw(header, "[1,2]"), jwks), std::nullopt);
  EXPECT_EQ(verify_jws(sign_raw(header, "not json"), jwks), std::nullopt);
}

TEST(SigningKey, Rfc7638Thumbprint) {
  Json rfc = {{"kty", "RSA"}, {"n", kRfcN}, {"e", "AQAB"}, {"alg", "RS256"}, {"kid", "2011-04-29"}};
  EXPECT_EQ(jwk_thumbprint(rfc), kRfcThumbprint);  // members beyond the required ones do not count
  // From a key object: n and e go through OpenSSL and back out as JWK members.
  auto pkey = public_key_from_jwk(rfc);
  ASSERT_TRUE(pkey);
  auto jwk = public_jwk_of(pkey.get());
  ASSERT_TRUE(jwk);
  EXPECT_EQ((*jwk)["kid"], kRfcThumbprint);
  EXPECT_EQ((*jwk)["n"], kRfcN);
  EXPECT_EQ((*jwk)["e"], "AQAB");
  EXPECT_EQ(jwk_thumbprint({{"kty", "RSA"}, {"n", kRfcN}}), std::nullopt);
  EXPECT_EQ(jwk_thumbprint({{"kty", "oct"}, {"k", "AAAA"}}), std::nullopt);
  EXPECT_EQ(jwk_thumbprint(Json::array()), std::nullopt);
}

TEST(SigningKey, FromPemRejectsOtherKeys) {
  EXPECT_FALSE(SigningKey::from_pem(""));
  EXPECT_FALSE(SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  auto pem_of = [](EVP_PKEY* raw) {
    PkeyPtr pkey(raw);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return out;
  };
  EXPECT_FALSE(SigningKey::from_pem(pem_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}))));
  EXPECT_FALSE(SigningKey::from_pem(pem_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"))));
  EXPECT_FALSE(SigningKey::from_pem(pem_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"))));
  EXPECT_FALSE(SigningKey::from_pem(pem_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2"))));
  // A public key is not a signing key.
  auto key = SigningKey::generate(JwsAlg::kES256);
  EXPECT_FALSE(SigningKey::from_pem(public_pem(public_key_from_jwk(key.public_jwk()).get())));
  // An encrypted PEM is refused without prompting on the terminal.
  auto pem = key.private_pem();
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  PkeyPtr loaded(PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr));
  BIO_free(in);
  BIO* out = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out, loaded.get(), EVP_aes_256_cbc(), pass, 6, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(out, &data);
  std::string encrypted(data, static_cast<std::size_t>(len));
  BIO_free(out);
  ERR_clear_error();
  EXPECT_FALSE(SigningKey::from_pem(encrypted));
  EXPECT_EQ(ERR_peek_error(), 0u) << "a refused key must not leave errors queued for unrelated callers";
  // Traditional "EC PRIVATE KEY" PEM, as `openssl ecparam -genkey` writes it, is accepted.
  BIO* trad = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(trad, loaded.get(), nullptr, nullptr, 0, nullptr, nullptr), 1);
  len = BIO_get_mem_data(trad, &data);
  std::string traditional(data, static_cast<std::size_t>(len));
  BIO_free(trad);
  EXPECT_TRUE(traditional.starts_with("-----BEGIN EC PRIVATE KEY-----"));
  auto from_trad = SigningKey::from_pem(traditional);
  ASSERT_TRUE(from_trad);
  EXPECT_EQ(from_trad->kid(), key.kid());
}

TEST(SigningKey, CopiesShareTheKeyAcrossThreads) {
  auto key = SigningKey::generate(JwsAlg::kES256);
  SigningKey copy = key;
  SigningKey moved = std::move(copy);
  EXPECT_EQ(moved.kid(), key.kid());
  std::vector<std::string> tokens(2);
  std::thread a([&] { tokens[0] = key.sign(claims()); });
  std::thread b([&] { tokens[1] = moved.sign(claims()); });
  a.join();
  b.join();
  EXPECT_NE(tokens[0], tokens[1]);  // ECDSA is randomised
  for (const auto& t : tokens) EXPECT_EQ(verify_jws(t, {key.public_jwk()}), claims());
}

TEST(SigningKey, Es256SignatureIsRawRsThatConvertsToValidDer) {
  auto key = SigningKey::generate(JwsAlg::kES256);
  auto token = key.sign(claims());
  auto parts = split(token);
  auto rs = base64url_decode(parts[2]).value();
  ASSERT_EQ(rs.size(), 64u);
  auto pkey = public_key_from_jwk(key.public_jwk());
  auto der = der_from_jose(rs);
  std::string input = parts[0] + "." + parts[1];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey.get()), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(ctx);
}

TEST(SigningKey, InvalidCurvePointIsRefused) {
  auto key = SigningKey::generate(JwsAlg::kES256);
  auto token = key.sign(claims());
  Json jwk = key.public_jwk();
  auto y = base64url_decode(jwk["y"].get<std::string>()).value();
  y[31] = static_cast<char>(y[31] ^ 1);
  jwk["y"] = base64url_encode(y);
  ERR_clear_error();
  EXPECT_EQ(verify_jws(token, {jwk}), std::nullopt);
  EXPECT_EQ(ERR_peek_error(), 0u);
  jwk["y"] = base64url_encode(y.substr(1));
  EXPECT_EQ(verify_jws(token, {jwk}), std::nullopt);
}

// The OpenSSL command line as an outside verifier: it checks our signatures with a public key
// rebuilt from the published JWKS, and signs a token we must accept.
class OpensslCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "openssl CLI not installed";
    char tmpl[] = "/tmp/tb_jws_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void write(const std::string& name, std::string_view data) const {
    std::ofstream(path(name), std::ios::binary) << data;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  int run(const std::string& command) const { return std::system((command + " >/dev/null 2>&1").c_str()); }

  // Verifies `token` against the key with its kid in jwks.json, all from files.
  bool cli_verifies(const SigningKey& key, const std::string& token) {
    write("jwks.json", Json{{"keys", Json::array({key.public_jwk()})}}.dump(2));
    write("token.txt", token);
    auto jwks = Json::parse(read("jwks.json"));
    auto stored = split(read("token.txt"));
    auto header = Json::parse(base64url_decode(stored[0]).value());
    Json jwk;
    for (const auto& k : jwks["keys"])
      if (k["kid"] == header["kid"]) jwk = k;
    if (jwk.is_null()) return false;
    write("pub.pem", public_pem(public_key_from_jwk(jwk).get()));
    write("input.txt", stored[0] + "." + stored[1]);
    auto sig = base64url_decode(stored[2]).value();
    write("sig.bin", header["alg"] == "ES256" ? der_from_jose(sig) : sig);
    return run("openssl dgst -sha256 -verify " + path("pub.pem") + " -signature " + path("sig.bin") + " " +
               path("input.txt")) == 0;
  }

  std::string dir_;
};

TEST_F(OpensslCli, VerifiesOurRs256AndEs256) {
  for (auto alg : {JwsAlg::kRS256, JwsAlg::kES256}) {
    auto key = SigningKey::generate(alg);
    auto token = key.sign(claims());
    EXPECT_TRUE(cli_verifies(key, token)) << key.alg_name();
    auto parts = split(token);
    Json other = claims();
    other["sub"] = "u-1002";
    EXPECT_FALSE(cli_verifies(key, parts[0] + "." + base64url_encode(other.dump()) + "." + parts[2])) << key.alg_name();
  }
}

TEST_F(OpensslCli, WeVerifyItsRs256AndReadItsKeys) {
  ASSERT_EQ(run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + path("rsa.pem")), 0);
  ASSERT_EQ(run("openssl ecparam -name prime256v1 -genkey -noout -out " + path("ec.pem")), 0);
  auto ec = SigningKey::from_pem(read("ec.pem"));
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec->alg(), JwsAlg::kES256);
  auto rsa = SigningKey::from_pem(read("rsa.pem"));
  ASSERT_TRUE(rsa);
  EXPECT_EQ(rsa->alg(), JwsAlg::kRS256);

  std::string input = base64url_encode(Json{{"alg", "RS256"}, {"kid", rsa->kid()}, {"typ", "JWT"}}.dump()) + "." +
                      base64url_encode(claims().dump());
  write("input.txt", input);
  ASSERT_EQ(run("openssl dgst -sha256 -sign " + path("rsa.pem") + " -out " + path("sig.bin") + " " + path("input.txt")),
            0);
  auto token = input + "." + base64url_encode(read("sig.bin"));
  EXPECT_EQ(verify_jws(token, {rsa->public_jwk()}), claims());
  // RS256 is deterministic: our own signature over the same input is byte-identical.
  EXPECT_EQ(rsa->sign(claims()), token);
}

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
  struct Vector {
    const char* plain;
    const char* encoded;
  };
  for (auto [plain, encoded] : {Vector{"", ""}, Vector{"f", "Zg"}, Vector{"fo", "Zm8"}, Vector{"foo", "Zm9v"},
                                Vector{"foob", "Zm9vYg"}, Vector{"fooba", "Zm9vYmE"}, Vector{"foobar", "Zm9vYmFy"}}) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(base64url_decode(encoded), plain);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");  // '+' and '/' of base64 become '-' and '_'
  EXPECT_EQ(base64url_decode("-_-_"), "\xfb\xff\xbf");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64url_decode(base64url_encode(all)), all);
}

TEST(Base64Url, DecodingIsStrict) {
  EXPECT_EQ(base64url_decode("Zg=="), std::nullopt);
  EXPECT_EQ(base64url_decode("+/8"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9 v"), std::nullopt);
  EXPECT_EQ(base64url_decode("Z"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);   // "f" is Zg; Zh sets unused bits
  EXPECT_EQ(base64url_decode("Zm9"), std::nullopt);  // "fo" is Zm8
}

TEST(Sha256, PkceS256FromRfc7636AppendixB) {
  EXPECT_EQ(base64url_encode(sha256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(sha256("").size(), 32u);
}

}  // namespace
}  // namespace tb::crypto
