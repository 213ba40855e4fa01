#include <charconv>

#include "crypto/crypto.h"
#include "http/router.h"
#include "seal/seal.h"

namespace tb::seal {
namespace {

using http::Request;
using http::Response;

using audit::actor_of;

}  // namespace

void add_routes(http::Router& router, SealService& svc) {
  // ---- public: the CA certificate and seal pictures, and verification anyone can run ---------
  router.add(http::get("/api/v1/seal-ca", http::kPublic, [&svc](Request&) {
    return Response::text(svc.ca_certificate(), "application/x-pem-file");
  }));
  router.add(http::get("/api/v1/seals/{es_id}/picture.svg", http::kPublic, [&svc](Request& r) {
    TB_TRY(svg, svc.picture(r.param("es_id")));
    return Response::text(std::move(*svg), "image/svg+xml; charset=utf-8");
  }));
  // {"signature": base64 SES_Signature DER, "document": base64 bytes}
  router.add(http::post("/api/v1/seals/verify", http::kPublic, [&svc](Request& r) {
    auto field = [&](const char* name) -> std::optional<std::string> {
      if (!r.json.contains(name) || !r.json[name].is_string()) return std::nullopt;
      return crypto::base64_decode(r.json[name].get<std::string>());
    };
    auto signature = field("signature"), document = field("document");
    if (!signature || !document)
      return Response::error(fail(codes::kValidationFailed, "须给出 base64 编码的 signature 与 document",
                                  {{"problems", {{{"field", signature ? "document" : "signature"}, {"problem", "base64"}}}}})
                                 .error());
    return Response::json(svc.verify(*signature, *document));
  }));

  // 用印: {"document": base64, "property": "…"}; only users the seal is authorised for.
  router.add(http::post("/api/v1/seals/{es_id}/sign", "authenticated", [&svc](Request& r) {
    std::optional<std::string> document;
    if (r.json.contains("document") && r.json["document"].is_string())
      document = crypto::base64_decode(r.json["document"].get<std::string>());
    if (!document)
      return Response::error(fail(codes::kValidationFailed, "须给出 base64 编码的 document",
                                  {{"problems", {{{"field", "document"}, {"problem", "base64"}}}}})
                                 .error());
    std::string property = r.json.contains("property") && r.json["property"].is_string() ? r.json["property"].get<std::string>() : "";
    return http::render(svc.sign_document(r.param("es_id"), *document, property, actor_of(r)));
  }));

  // ---- administration: the lifecycle ---------------------------------------------------------
  router.add(http::get("/api/v1/admin/seals", "seals.apply", [&svc](Request& r) { return http::render(svc.list(actor_of(r))); }));
  router.add(http::post("/api/v1/admin/seals", "seals.apply",
                        [&svc](Request& r) { return http::render(svc.apply(r.json, actor_of(r)), 201); }));
  router.add(http::get("/api/v1/admin/seals/{es_id}", "seals.apply",
                       [&svc](Request& r) { return http::render(svc.get(r.param("es_id"))); }));
  router.add(http::post("/api/v1/admin/seals/{es_id}/actions", "seals.apply",
                        [&svc](Request& r) { return http::render(svc.act(r.param("es_id"), r.json, actor_of(r))); }));
  router.add(http::post("/api/v1/admin/seals/{es_id}/users", "seals.apply", [&svc](Request& r) {
    if (!r.json.contains("account_id") || !r.json["account_id"].is_number_integer())
      return Response::error(fail(codes::kValidationFailed, "须给出 account_id",
                                  {{"problems", {{{"field", "account_id"}, {"problem", "required"}}}}})
                                 .error());
    return http::render(svc.authorise(r.param("es_id"), r.json["account_id"], true, actor_of(r)));
  }));
  router.add(http::del("/api/v1/admin/seals/{es_id}/users/{account_id}", "seals.apply", [&svc](Request& r) {
    std::int64_t id = 0;
    const std::string& text = r.param("account_id");
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size())
      return Response::error(fail(codes::kValidationFailed, "account_id 须为整数", {{"field", "account_id"}}).error());
    return http::render(svc.authorise(r.param("es_id"), id, false, actor_of(r)));
  }));
}

}  // namespace tb::seal
