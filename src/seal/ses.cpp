// OpenSSL ASN.1 templates for the GB/T 38540 structures. The C structs and templates
// below mirror the standard's ASN.1 one to one; everything outside this file sees
// only the plain C++ values of ses.h.
#include "seal/ses.h"

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/objects.h>

#include <memory>

#include "core/error.h"

extern "C" {

DEFINE_STACK_OF(ASN1_OCTET_STRING)

typedef struct {
  ASN1_IA5STRING* id;
  ASN1_INTEGER* version;
  ASN1_IA5STRING* vid;
} SES_HEADER;
ASN1_SEQUENCE(SES_HEADER) = {
    ASN1_SIMPLE(SES_HEADER, id, ASN1_IA5STRING),
    ASN1_SIMPLE(SES_HEADER, version, ASN1_INTEGER),
    ASN1_SIMPLE(SES_HEADER, vid, ASN1_IA5STRING),
} ASN1_SEQUENCE_END(SES_HEADER)

typedef struct {
  ASN1_INTEGER* type;
  ASN1_UTF8STRING* name;
  ASN1_INTEGER* cert_list_type;
  STACK_OF(ASN1_OCTET_STRING)* cert_list;
  ASN1_GENERALIZEDTIME* create_date;
  ASN1_GENERALIZEDTIME* valid_start;
  ASN1_GENERALIZEDTIME* valid_end;
} SES_PROPERTY;
ASN1_SEQUENCE(SES_PROPERTY) = {
    ASN1_SIMPLE(SES_PROPERTY, type, ASN1_INTEGER),
    ASN1_SIMPLE(SES_PROPERTY, name, ASN1_UTF8STRING),
    ASN1_SIMPLE(SES_PROPERTY, cert_list_type, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(SES_PROPERTY, cert_list, ASN1_OCTET_STRING),
    ASN1_SIMPLE(SES_PROPERTY, create_date, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(SES_PROPERTY, valid_start, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(SES_PROPERTY, valid_end, ASN1_GENERALIZEDTIME),
} ASN1_SEQUENCE_END(SES_PROPERTY)

typedef struct {
  ASN1_IA5STRING* type;
  ASN1_OCTET_STRING* data;
  ASN1_INTEGER* width;
  ASN1_INTEGER* height;
} SES_PICTURE;
ASN1_SEQUENCE(SES_PICTURE) = {
    ASN1_SIMPLE(SES_PICTURE, type, ASN1_IA5STRING),
    ASN1_SIMPLE(SES_PICTURE, data, ASN1_OCTET_STRING),
    ASN1_SIMPLE(SES_PICTURE, width, ASN1_INTEGER),
    ASN1_SIMPLE(SES_PICTURE, height, ASN1_INTEGER),
} ASN1_SEQUENCE_END(SES_PICTURE)

typedef struct {
  SES_HEADER* header;
  ASN1_IA5STRING* es_id;
  SES_PROPERTY* property;
  SES_PICTURE* picture;
} SES_SEALINFO;
ASN1_SEQUENCE(SES_SEALINFO) = {
    ASN1_SIMPLE(SES_SEALINFO, header, SES_HEADER),
    ASN1_SIMPLE(SES_SEALINFO, es_id, ASN1_IA5STRING),
    ASN1_SIMPLE(SES_SEALINFO, property, SES_PROPERTY),
    ASN1_SIMPLE(SES_SEALINFO, picture, SES_PICTURE),
} ASN1_SEQUENCE_END(SES_SEALINFO)

typedef struct {
  SES_SEALINFO* info;
  ASN1_OCTET_STRING* cert;
  ASN1_OBJECT* sign_alg;
  ASN1_BIT_STRING* signed_value;
} SES_SEAL;
ASN1_SEQUENCE(SES_SEAL) = {
    ASN1_SIMPLE(SES_SEAL, info, SES_SEALINFO),
    ASN1_SIMPLE(SES_SEAL, cert, ASN1_OCTET_STRING),
    ASN1_SIMPLE(SES_SEAL, sign_alg, ASN1_OBJECT),
    ASN1_SIMPLE(SES_SEAL, signed_value, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(SES_SEAL)

typedef struct {
  ASN1_INTEGER* version;
  SES_SEAL* seal;
  ASN1_GENERALIZEDTIME* time;
  ASN1_BIT_STRING* data_hash;
  ASN1_IA5STRING* property;
} SES_TBS;
ASN1_SEQUENCE(SES_TBS) = {
    ASN1_SIMPLE(SES_TBS, version, ASN1_INTEGER),
    ASN1_SIMPLE(SES_TBS, seal, SES_SEAL),
    ASN1_SIMPLE(SES_TBS, time, ASN1_GENERALIZEDTIME),
    ASN1_SIMPLE(SES_TBS, data_hash, ASN1_BIT_STRING),
    ASN1_SIMPLE(SES_TBS, property, ASN1_IA5STRING),
} ASN1_SEQUENCE_END(SES_TBS)

typedef struct {
  SES_TBS* to_sign;
  ASN1_OCTET_STRING* cert;
  ASN1_OBJECT* sign_alg;
  ASN1_BIT_STRING* signature;
} SES_SIGNATURE;
ASN1_SEQUENCE(SES_SIGNATURE) = {
    ASN1_SIMPLE(SES_SIGNATURE, to_sign, SES_TBS),
    ASN1_SIMPLE(SES_SIGNATURE, cert, ASN1_OCTET_STRING),
    ASN1_SIMPLE(SES_SIGNATURE, sign_alg, ASN1_OBJECT),
    ASN1_SIMPLE(SES_SIGNATURE, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(SES_SIGNATURE)

DECLARE_ASN1_FUNCTIONS(SES_SEALINFO)
IMPLEMENT_ASN1_FUNCTIONS(SES_SEALINFO)
DECLARE_ASN1_FUNCTIONS(SES_SEAL)
IMPLEMENT_ASN1_FUNCTIONS(SES_SEAL)
DECLARE_ASN1_FUNCTIONS(SES_TBS)
IMPLEMENT_ASN1_FUNCTIONS(SES_TBS)
DECLARE_ASN1_FUNCTIONS(SES_SIGNATURE)
IMPLEMENT_ASN1_FUNCTIONS(SES_SIGNATURE)

}  // extern "C"

namespace tb::seal {
namespace {

void set_string(ASN1_STRING* s, const std::string& v) {
  if (ASN1_STRING_set(s, v.data(), int(v.size())) != 1) throw FatalError("ASN1_STRING_set");
}
void set_int(ASN1_INTEGER* i, long v) { ASN1_INTEGER_set(i, v); }
void set_time(ASN1_GENERALIZEDTIME* t, EpochMs ms) {
  if (!ASN1_GENERALIZEDTIME_set(t, time_t(ms / 1000))) throw FatalError("GeneralizedTime");
}
void set_bits(ASN1_BIT_STRING* b, const std::string& v) {
  set_string(b, v);
  b->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);  // whole bytes, no unused bits
  b->flags |= ASN1_STRING_FLAG_BITS_LEFT;
}
std::string str(const ASN1_STRING* s) {
  return s ? std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), std::size_t(ASN1_STRING_length(s)))
           : std::string();
}
long integer(const ASN1_INTEGER* i) { return i ? ASN1_INTEGER_get(i) : 0; }
EpochMs epoch(const ASN1_GENERALIZEDTIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return EpochMs(timegm(&tm)) * 1000;
}
std::string oid_text(const ASN1_OBJECT* o) {
  char buf[80];
  int n = OBJ_obj2txt(buf, sizeof buf, o, 1);
  return n > 0 ? std::string(buf, std::size_t(n)) : std::string();
}

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using SealInfoPtr = std::unique_ptr<SES_SEALINFO, Deleter<SES_SEALINFO, SES_SEALINFO_free>>;
using SealPtr = std::unique_ptr<SES_SEAL, Deleter<SES_SEAL, SES_SEAL_free>>;
using TbsPtr = std::unique_ptr<SES_TBS, Deleter<SES_TBS, SES_TBS_free>>;
using SignaturePtr = std::unique_ptr<SES_SIGNATURE, Deleter<SES_SIGNATURE, SES_SIGNATURE_free>>;

template <class T, int (*I2d)(const T*, unsigned char**)>
std::string der_of(const T* v) {
  unsigned char* out = nullptr;
  int n = I2d(v, &out);
  if (n <= 0) throw FatalError("DER encoding failed");
  std::string der(reinterpret_cast<char*>(out), std::size_t(n));
  OPENSSL_free(out);
  return der;
}

template <class T, T* (*D2i)(T**, const unsigned char**, long)>
T* parse(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  T* v = D2i(nullptr, &p, long(der.size()));
  // Trailing bytes mean this is not (only) the structure it claims to be.
  if (v && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return nullptr;
  return v;
}

SES_SEALINFO* build_info(const SealInfo& in) {
  SES_SEALINFO* info = SES_SEALINFO_new();
  set_string(info->header->id, "ES");
  set_int(info->header->version, kSesVersion);
  set_string(info->header->vid, in.vendor);
  set_string(info->es_id, in.es_id);
  set_int(info->property->type, in.type);
  set_string(info->property->name, in.name);
  set_int(info->property->cert_list_type, 1);  // 1: a list of certificates
  for (const auto& cert : in.cert_list_der) {
    ASN1_OCTET_STRING* c = ASN1_OCTET_STRING_new();
    set_string(c, cert);
    sk_ASN1_OCTET_STRING_push(info->property->cert_list, c);
  }
  set_time(info->property->create_date, in.created);
  set_time(info->property->valid_start, in.valid_from);
  set_time(info->property->valid_end, in.valid_to);
  set_string(info->picture->type, in.picture_type);
  set_string(info->picture->data, in.picture);
  set_int(info->picture->width, in.width_mm);
  set_int(info->picture->height, in.height_mm);
  return info;
}

SealInfo read_info(const SES_SEALINFO* info) {
  SealInfo out;
  out.vendor = str(info->header->vid);
  out.es_id = str(info->es_id);
  out.type = int(integer(info->property->type));
  out.name = str(info->property->name);
  for (int i = 0; i < sk_ASN1_OCTET_STRING_num(info->property->cert_list); ++i)
    out.cert_list_der.push_back(str(sk_ASN1_OCTET_STRING_value(info->property->cert_list, i)));
  out.created = epoch(info->property->create_date);
  out.valid_from = epoch(info->property->valid_start);
  out.valid_to = epoch(info->property->valid_end);
  out.picture_type = str(info->picture->type);
  out.picture = str(info->picture->data);
  out.width_mm = int(integer(info->picture->width));
  out.height_mm = int(integer(info->picture->height));
  return out;
}

void set_algorithm(ASN1_OBJECT** slot) {
  ASN1_OBJECT_free(*slot);
  *slot = OBJ_txt2obj(kSm2WithSm3Oid, 1);
}

SES_TBS* build_tbs(const std::string& seal_der, EpochMs time, const std::string& data_hash,
                   const std::string& property) {
  SES_TBS* tbs = SES_TBS_new();
  set_int(tbs->version, kSesVersion);
  SES_SEAL_free(tbs->seal);
  tbs->seal = parse<SES_SEAL, d2i_SES_SEAL>(seal_der);
  if (!tbs->seal) {
    SES_TBS_free(tbs);
    throw FatalError("the seal to sign with is not a SESeal");
  }
  set_time(tbs->time, time);
  set_bits(tbs->data_hash, data_hash);
  set_string(tbs->property, property);
  return tbs;
}

}  // namespace

std::string encode_seal_info(const SealInfo& in) {
  SealInfoPtr info(build_info(in));
  return der_of<SES_SEALINFO, i2d_SES_SEALINFO>(info.get());
}

std::string encode_seal(const SealInfo& in, const std::string& maker_cert_der, const std::string& signature) {
  SealPtr seal(SES_SEAL_new());
  SES_SEALINFO_free(seal->info);
  seal->info = build_info(in);
  set_string(seal->cert, maker_cert_der);
  set_algorithm(&seal->sign_alg);
  set_bits(seal->signed_value, signature);
  return der_of<SES_SEAL, i2d_SES_SEAL>(seal.get());
}

std::optional<DecodedSeal> decode_seal(const std::string& der) {
  SealPtr seal(parse<SES_SEAL, d2i_SES_SEAL>(der));
  if (!seal) return std::nullopt;
  DecodedSeal out;
  out.info = read_info(seal->info);
  out.info_der = der_of<SES_SEALINFO, i2d_SES_SEALINFO>(seal->info);
  out.maker_cert_der = str(seal->cert);
  out.algorithm = oid_text(seal->sign_alg);
  out.signature = str(seal->signed_value);
  return out;
}

std::string encode_to_sign(const std::string& seal_der, EpochMs time, const std::string& data_hash,
                           const std::string& property) {
  TbsPtr tbs(build_tbs(seal_der, time, data_hash, property));
  return der_of<SES_TBS, i2d_SES_TBS>(tbs.get());
}

std::string encode_signature(const std::string& seal_der, EpochMs time, const std::string& data_hash,
                             const std::string& property, const std::string& signer_cert_der,
                             const std::string& signature) {
  SignaturePtr sig(SES_SIGNATURE_new());
  SES_TBS_free(sig->to_sign);
  sig->to_sign = build_tbs(seal_der, time, data_hash, property);
  set_string(sig->cert, signer_cert_der);
  set_algorithm(&sig->sign_alg);
  set_bits(sig->signature, signature);
  return der_of<SES_SIGNATURE, i2d_SES_SIGNATURE>(sig.get());
}

std::optional<DecodedSignature> decode_signature(const std::string& der) {
  SignaturePtr sig(parse<SES_SIGNATURE, d2i_SES_SIGNATURE>(der));
  if (!sig) return std::nullopt;
  DecodedSignature out;
  out.to_sign_der = der_of<SES_TBS, i2d_SES_TBS>(sig->to_sign);
  out.seal_der = der_of<SES_SEAL, i2d_SES_SEAL>(sig->to_sign->seal);
  out.time = epoch(sig->to_sign->time);
  out.data_hash = str(sig->to_sign->data_hash);
  out.property = str(sig->to_sign->property);
  out.signer_cert_der = str(sig->cert);
  out.algorithm = oid_text(sig->sign_alg);
  out.signature = str(sig->signature);
  return out;
}

}  // namespace tb::seal
