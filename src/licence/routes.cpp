#include <charconv>

#include "http/router.h"
#include "identity/permissions.h"
#include "licence/licence.h"

namespace tb::licence {
namespace {

using http::Request;
using http::Response;
using identity::kAuthenticated;

using audit::actor_of;

}  // namespace

void add_routes(http::Router& router, LicenceService& svc) {
  router.add(http::get("/api/v1/licence-types", http::kPublic, [&svc](Request&) { return Response::json(svc.types()); }));

  // ---- issuing departments ----------------------------------------------------------------
  router.add(http::post("/api/v1/licences", "licences.issue",
                        [&svc](Request& r) { return http::render(svc.issue(r.json, actor_of(r)), 201); }));
  router.add(http::post("/api/v1/licences/{id}/actions", "licences.issue",
                        [&svc](Request& r) { return http::render(svc.act(r.param("id"), r.json, actor_of(r))); }));

  // ---- the holder (and the issuing department) ---------------------------------------------
  router.add(http::get("/api/v1/licences/{id}", kAuthenticated,
                       [&svc](Request& r) { return http::render(svc.get(r.param("id"), actor_of(r))); }));
  router.add(http::get("/api/v1/licences/{id}/signature", kAuthenticated,
                       [&svc](Request& r) { return http::render(svc.signature(r.param("id"), actor_of(r))); }));
  router.add(http::get("/api/v1/licences/{id}/pdf", kAuthenticated, [&svc](Request& r) {
    TB_TRY(bytes, svc.pdf(r.param("id"), actor_of(r)));
    auto res = Response::text(std::move(*bytes), "application/pdf");
    res.headers.emplace_back("Content-Disposition", "inline; filename=\"licence.pdf\"");
    return res;
  }));
  router.add(http::get("/api/v1/me/licences", kAuthenticated, [&svc](Request& r) { return http::render(svc.mine(actor_of(r))); }));
  router.add(http::post("/api/v1/me/licences/{id}/grants", kAuthenticated,
                        [&svc](Request& r) { return http::render(svc.grant(r.param("id"), r.json, actor_of(r)), 201); }));
  router.add(http::del("/api/v1/me/licences/{id}/grants/{grant}", kAuthenticated, [&svc](Request& r) {
    std::int64_t grant = 0;
    const std::string& text = r.param("grant");
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), grant);
    if (ec != std::errc() || p != text.data() + text.size())
      return Response::error(fail(codes::kValidationFailed, "grant 须为整数", {{"field", "grant"}}).error());
    return http::render(svc.revoke_grant(r.param("id"), grant, actor_of(r)));
  }));

  // ---- anyone: the QR code's target ---------------------------------------------------------
  router.add(http::get("/api/v1/licences/{id}/verify", http::kPublic,
                       [&svc](Request& r) { return http::render(svc.verify(r.param("id"), r.remote_address)); }));
}

}  // namespace tb::licence
