// The DER structures of GB/T 38540-2020 (STANDARDS §5): the electronic seal (SESeal: seal
// info, the maker's certificate, SM2-with-SM3 signature) and the electronic signature
// (SES_Signature: to-be-signed data with the seal, time, document hash and property, the
// signer's certificate and signature). Encoded and decoded with OpenSSL's ASN.1 templates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace tb::seal {

inline constexpr const char* kSm2WithSm3Oid = "1.2.156.10197.1.501";
inline constexpr int kSesVersion = 4;

struct SealInfo {
  std::string es_id;                        // the seal's code
  std::string vendor = "tongban";           // 厂商标识
  int type = 1;                             // 1 公章, 2 行政审批专用章, 3 业务专用章, 4 合同专用章 …
  std::string name;
  std::vector<std::string> cert_list_der;   // certificates allowed to sign with the seal
  EpochMs created = 0, valid_from = 0, valid_to = 0;
  std::string picture_type = "SVG";
  std::string picture;
  int width_mm = 42, height_mm = 42;
};

// DER of SES_SealInfo: the bytes the seal maker signs.
std::string encode_seal_info(const SealInfo& info);
// DER of SESeal.
std::string encode_seal(const SealInfo& info, const std::string& maker_cert_der, const std::string& signature);

struct DecodedSeal {
  SealInfo info;
  std::string info_der;  // re-encoded SES_SealInfo, to check the maker's signature over
  std::string maker_cert_der;
  std::string algorithm;  // dotted OID
  std::string signature;
};
std::optional<DecodedSeal> decode_seal(const std::string& der);

// DER of TBS_Sign: what the signer signs.
std::string encode_to_sign(const std::string& seal_der, EpochMs time, const std::string& data_hash,
                           const std::string& property);
std::string encode_signature(const std::string& seal_der, EpochMs time, const std::string& data_hash,
                             const std::string& property, const std::string& signer_cert_der,
                             const std::string& signature);

struct DecodedSignature {
  std::string to_sign_der;  // re-encoded TBS_Sign
  std::string seal_der;
  EpochMs time = 0;
  std::string data_hash;
  std::string property;
  std::string signer_cert_der;
  std::string algorithm;
  std::string signature;
};
std::optional<DecodedSignature> decode_signature(const std::string& der);

}  // namespace tb::seal
