// GB/T 38540 seals and signatures: DER round trips, and the verification order of the
// standard with one case for each check that can fail (STANDARDS §5).
#include <gtest/gtest.h>

#include "crypto/sm2.h"
#include "seal/picture.h"
#include "seal/signing.h"

namespace tb::seal {
namespace {

using crypto::Sm2Key;

constexpr EpochMs kDay = 86400000;
constexpr EpochMs kJan2026 = 1767225600000;

struct Pki {
  Sm2Key ca_key = Sm2Key::generate();
  std::string ca = crypto::issue_certificate(ca_key, {.common_name = "通办电子印章制章 CA", .not_before = kJan2026 - 10 * kDay,
                                                      .not_after = kJan2026 + 3650 * kDay, .ca = true},
                                             ca_key, "");
  Sm2Key seal_key = Sm2Key::generate();
  std::string seal_cert = crypto::issue_certificate(
      seal_key, {.common_name = "六安市公安局行政审批专用章", .organisation = "六安市公安局", .not_before = kJan2026,
                 .not_after = kJan2026 + 365 * kDay},
      ca_key, ca);

  SealInfo info() const {
    SealInfo i;
    i.es_id = "34150002000001";
    i.type = 2;
    i.name = "六安市公安局行政审批专用章";
    i.cert_list_der = {crypto::pem_to_der(seal_cert)};
    i.created = kJan2026;
    i.valid_from = kJan2026;
    i.valid_to = kJan2026 + 365 * kDay;
    i.picture = seal_svg("六安市公安局", "行政审批专用章");
    return i;
  }
  std::string seal() const { return make_seal(info(), ca_key, ca); }
};

const std::string kDocument = R"({"licence":"特种行业许可证","holder":"六安宾馆"})";

TEST(SealStructures, RoundTripThroughDer) {
  Pki pki;
  std::string der = pki.seal();
  auto seal = decode_seal(der);
  ASSERT_TRUE(seal);
  EXPECT_EQ(seal->info.es_id, "34150002000001");
  EXPECT_EQ(seal->info.name, "六安市公安局行政审批专用章");
  EXPECT_EQ(seal->info.type, 2);
  EXPECT_EQ(seal->info.valid_to, kJan2026 + 365 * kDay);
  EXPECT_EQ(seal->info.cert_list_der.size(), 1u);
  EXPECT_EQ(seal->info.picture_type, "SVG");
  EXPECT_NE(seal->info.picture.find("六安市公安局"), std::string::npos);
  EXPECT_EQ(seal->algorithm, kSm2WithSm3Oid);
  EXPECT_TRUE(pki.ca_key.verify(seal->info_der, seal->signature));

  std::string sig = sign(der, pki.seal_key, pki.seal_cert, kDocument, kJan2026 + kDay, "licence:L-1");
  auto decoded = decode_signature(sig);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->seal_der, der);
  EXPECT_EQ(decoded->time, kJan2026 + kDay);
  EXPECT_EQ(decoded->property, "licence:L-1");
  EXPECT_EQ(decoded->data_hash.size(), 32u);
  EXPECT_FALSE(decode_signature(sig + "x"));  // trailing bytes
  EXPECT_FALSE(decode_signature("not der"));
}

TEST(SealVerification, AGoodSignatureVerifies) {
  Pki pki;
  std::string sig = sign(pki.seal(), pki.seal_key, pki.seal_cert, kDocument, kJan2026 + kDay, "p");
  Verdict v = verify(sig, kDocument, pki.ca);
  EXPECT_TRUE(v.ok) << v.failed << " " << v.message;
  EXPECT_EQ(v.es_id, "34150002000001");
}

TEST(SealVerification, EachCheckFailsWithItsOwnReasonInTheStandardsOrder) {
  Pki pki;
  std::string seal = pki.seal();
  std::string good = sign(seal, pki.seal_key, pki.seal_cert, kDocument, kJan2026 + kDay, "licence:ABCDEFGH");

  EXPECT_EQ(verify("garbage", kDocument, pki.ca).failed, "malformed");

  // A byte of the signed data flipped inside the DER (the property string): the signature breaks.
  std::string tampered = good;
  auto at = tampered.find("licence:ABCDEFGH");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 8] = 'Z';
  EXPECT_EQ(verify(tampered, kDocument, pki.ca).failed, "signature");

  // Someone with a certificate from the same CA, but not listed in the seal, signs with it.
  Sm2Key intruder = Sm2Key::generate();
  std::string intruder_cert = crypto::issue_certificate(
      intruder, {.common_name = "冒用者", .not_before = kJan2026, .not_after = kJan2026 + 365 * kDay}, pki.ca_key, pki.ca);
  EXPECT_EQ(verify(sign(seal, intruder, intruder_cert, kDocument, kJan2026 + kDay, "p"), kDocument, pki.ca).failed,
            "signer_not_in_seal");

  // A seal made by some other maker, presented to our CA.
  Pki other;
  SealInfo forged = pki.info();
  std::string forged_seal = make_seal(forged, other.ca_key, other.ca);
  EXPECT_EQ(verify(sign(forged_seal, pki.seal_key, pki.seal_cert, kDocument, kJan2026 + kDay, "p"), kDocument, pki.ca).failed,
            "seal_signature");

  // Used after the seal's validity ended.
  EXPECT_EQ(verify(sign(seal, pki.seal_key, pki.seal_cert, kDocument, kJan2026 + 400 * kDay, "p"), kDocument, pki.ca).failed,
            "seal_validity");

  // The seal is valid, but its signer's certificate had already expired.
  Sm2Key short_key = Sm2Key::generate();
  std::string short_cert = crypto::issue_certificate(
      short_key, {.common_name = "短期证书", .not_before = kJan2026, .not_after = kJan2026 + 2 * kDay}, pki.ca_key, pki.ca);
  SealInfo with_short = pki.info();
  with_short.cert_list_der = {crypto::pem_to_der(short_cert)};
  std::string short_seal = make_seal(with_short, pki.ca_key, pki.ca);
  EXPECT_EQ(verify(sign(short_seal, short_key, short_cert, kDocument, kJan2026 + 30 * kDay, "p"), kDocument, pki.ca).failed,
            "signer_certificate");

  // The document changed after signing.
  Verdict changed = verify(good, kDocument + " ", pki.ca);
  EXPECT_EQ(changed.failed, "document_hash");
  EXPECT_EQ(changed.message, "文档内容与签章时不一致");
}

}  // namespace
}  // namespace tb::seal
