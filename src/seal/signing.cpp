#include "seal/signing.h"

#include "crypto/crypto.h"

namespace tb::seal {
namespace {

std::string digest(std::string_view document) {
  auto d = crypto::sm3(document);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

Verdict fail_with(Verdict v, std::string failed, std::string message) {
  v.ok = false;
  v.failed = std::move(failed);
  v.message = std::move(message);
  return v;
}

}  // namespace

Json Verdict::to_json() const {
  Json j = {{"valid", ok}, {"es_id", es_id}, {"seal_name", seal_name}, {"property", property}};
  if (time) j["time"] = format_instant(time);
  if (!ok) {
    j["failed"] = failed;
    j["message"] = message;
  }
  return j;
}

std::string make_seal(SealInfo info, const crypto::Sm2Key& maker_key, const std::string& maker_cert_pem) {
  std::string signed_part = encode_seal_info(info);
  return encode_seal(info, crypto::pem_to_der(maker_cert_pem), maker_key.sign(signed_part));
}

std::string sign(const std::string& seal_der, const crypto::Sm2Key& signer_key, const std::string& signer_cert_pem,
                 std::string_view document, EpochMs time, const std::string& property) {
  std::string hash = digest(document);
  std::string to_sign = encode_to_sign(seal_der, time, hash, property);
  return encode_signature(seal_der, time, hash, property, crypto::pem_to_der(signer_cert_pem),
                          signer_key.sign(to_sign));
}

Verdict verify(const std::string& signature_der, std::string_view document, const std::string& ca_cert_pem) {
  Verdict v;
  auto sig = decode_signature(signature_der);
  if (!sig) return fail_with(v, "malformed", "不是有效的电子签章数据");
  auto seal = decode_seal(sig->seal_der);
  if (!seal) return fail_with(v, "malformed", "签章中的电子印章数据无效");
  v.es_id = seal->info.es_id;
  v.seal_name = seal->info.name;
  v.time = sig->time;
  v.property = sig->property;
  if (sig->algorithm != kSm2WithSm3Oid || seal->algorithm != kSm2WithSm3Oid)
    return fail_with(v, "algorithm", "签名算法不是 SM2/SM3");

  // 1. The signature over the to-be-signed data, with the signer's certificate.
  auto signer = crypto::read_certificate(sig->signer_cert_der);
  auto signer_key = signer ? crypto::Sm2Key::from_public_pem(signer->public_pem) : std::nullopt;
  if (!signer_key || !signer_key->verify(sig->to_sign_der, sig->signature))
    return fail_with(v, "signature", "签名值验证失败：签章数据被篡改或签名无效");
  // 2. The signer is one of the certificates the seal lists.
  bool listed = false;
  for (const auto& der : seal->info.cert_list_der) listed = listed || der == sig->signer_cert_der;
  if (!listed) return fail_with(v, "signer_not_in_seal", "签名人证书不在该印章的授权证书列表中");
  // 3. The seal's own signature, by the platform's seal CA.
  auto maker = crypto::read_certificate(seal->maker_cert_der);
  auto maker_key = maker ? crypto::Sm2Key::from_public_pem(maker->public_pem) : std::nullopt;
  auto ca = crypto::read_certificate(ca_cert_pem);
  if (!maker_key || !ca || maker->der != ca->der || !maker_key->verify(seal->info_der, seal->signature))
    return fail_with(v, "seal_signature", "电子印章的制章签名无效，或不是本平台印章");
  // 4. The seal was valid when it was used.
  if (sig->time < seal->info.valid_from || sig->time > seal->info.valid_to)
    return fail_with(v, "seal_validity", "签章时间不在电子印章有效期内");
  // 5. The signer's certificate was valid then, and issued by the CA.
  if (sig->time < signer->not_before || sig->time > signer->not_after ||
      !crypto::certificate_signed_by(sig->signer_cert_der, ca_cert_pem))
    return fail_with(v, "signer_certificate", "签名人证书在签章时无效，或不是本平台签发");
  // 6. The document is the one that was signed.
  if (digest(document) != sig->data_hash) return fail_with(v, "document_hash", "文档内容与签章时不一致");
  v.ok = true;
  return v;
}

}  // namespace tb::seal
