// Making seals and signing with them, and verifying a signature in the order GB/T 38540
// gives (STANDARDS §5). Pure: keys and certificates come in, DER and verdicts go out; the
// seal service adds the platform's own check (is the seal still in force?).
//
//   std::string seal = make_seal(info, maker_key, maker_cert_pem);
//   std::string sig = sign(seal, seal_key, seal_cert_pem, document, now, "licence:…");
//   Verdict v = verify(sig, document, ca_cert_pem, now);   // v.ok, or v.failed = "document_hash" …
#pragma once

#include <string>

#include "core/error.h"
#include "crypto/sm2.h"
#include "seal/ses.h"

namespace tb::seal {

std::string make_seal(SealInfo info, const crypto::Sm2Key& maker_key, const std::string& maker_cert_pem);

std::string sign(const std::string& seal_der, const crypto::Sm2Key& signer_key, const std::string& signer_cert_pem,
                 std::string_view document, EpochMs time, const std::string& property);

// The checks, in order; the first that fails is the verdict.
//   malformed            not an SES_Signature (or its seal not an SESeal)
//   algorithm            not SM2 with SM3
//   signature            the signature over the to-be-signed data does not verify with the signer certificate
//   signer_not_in_seal   the signer certificate is not in the seal's certificate list
//   seal_signature       the seal's own signature does not verify with the maker's certificate,
//                        or the maker is not the trusted seal CA
//   seal_validity        the signing time is outside the seal's validity
//   signer_certificate   the signer certificate was not valid at the signing time, or not issued by the CA
//   document_hash        the document is not the one that was signed
struct Verdict {
  bool ok = false;
  std::string failed;  // empty when ok
  std::string message;  // Chinese, for people
  std::string es_id;    // the seal, when it could be read
  std::string seal_name;
  EpochMs time = 0;
  std::string property;
  Json to_json() const;
};
Verdict verify(const std::string& signature_der, std::string_view document, const std::string& ca_cert_pem);

}  // namespace tb::seal
