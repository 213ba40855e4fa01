#include "http/router.h"
#include "identity/oidc.h"
#include "identity/permissions.h"

namespace tb::identity {
namespace {

using http::Request;
using http::Response;

Response render(const OAuthReply& reply) {
  if (!reply.location.empty()) return Response::redirect(reply.location);
  auto res = Response::json(reply.body, reply.status);
  // Token responses must not be cached (RFC 6749 §5.1).
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("Pragma", "no-cache");
  if (reply.status == 401 && reply.body.value("error", "") == "invalid_client")
    res.headers.emplace_back("WWW-Authenticate", "Basic realm=\"tongban\"");
  if (reply.status == 401 && reply.body.value("error", "") == "invalid_token")
    res.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return res;
}

// The browser's session, if its cookie names a live one.
std::optional<Session> browser_session(const Request& r, IdentityService& identity) {
  std::string token = r.cookie("tb_session");
  if (token.empty()) return std::nullopt;
  auto s = identity.authenticate(token, origin_of(r));
  if (!s) return std::nullopt;
  return *s;
}

std::vector<std::string> strings(const Json& body, const std::string& field) {
  std::vector<std::string> out;
  if (body.contains(field) && body[field].is_array())
    for (const auto& v : body[field])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

void add_oidc_routes(http::Router& router, OidcProvider& oidc, IdentityService& identity) {
  router.add(http::get("/.well-known/openid-configuration", http::kPublic,
                       [&oidc](Request&) { return Response::json(oidc.discovery()); }));

  router.add(http::get("/oauth2/jwks", http::kPublic, [&oidc](Request&) { return Response::json(oidc.jwks()); }));

  router.add(http::get("/oauth2/authorize", http::kPublic, [&oidc, &identity](Request& r) {
    return render(oidc.authorize(r.query, browser_session(r, identity), origin_of(r)));
  }));

  router.add(http::post("/oauth2/token", http::kPublic, [&oidc](Request& r) {
    return render(oidc.token(r.form, r.header("authorization"), origin_of(r)));
  }, http::Body::kForm));

  auto userinfo = [&oidc](Request& r) {
    std::string auth = r.header("authorization");
    if (auth.rfind("Bearer ", 0) != 0) return render({401, {{"error", "invalid_token"}, {"error_description", "缺少访问令牌"}}, ""});
    return render(oidc.userinfo(auth.substr(7)));
  };
  router.add(http::get("/oauth2/userinfo", http::kPublic, userinfo));
  router.add(http::post("/oauth2/userinfo", http::kPublic, userinfo, http::Body::kForm));

  router.add(http::get("/oauth2/logout", http::kPublic, [&oidc, &identity](Request& r) {
    auto reply = oidc.end_session(r.query, browser_session(r, identity), origin_of(r));
    auto res = render(reply);
    res.headers.emplace_back("Set-Cookie", "tb_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return res;
  }));

  router.add(http::post("/api/v1/admin/oidc/clients", "oidc.manage", [&oidc](Request& r) {
    OidcClientInput in;
    in.name = r.json.value("name", "");
    in.redirect_uris = strings(r.json, "redirect_uris");
    in.post_logout_redirect_uris = strings(r.json, "post_logout_redirect_uris");
    in.scopes = strings(r.json, "scopes");
    in.public_client = r.json.value("public", false);
    in.id_token_alg = r.json.value("id_token_alg", "RS256");
    auto created = oidc.register_client(*r.principal, in, origin_of(r));
    return created ? Response::json(*created, 201) : Response::error(created.error());
  }));

  router.add(http::get("/api/v1/admin/oidc/clients", "oidc.manage", [&oidc](Request&) {
    return Response::json(oidc.clients());
  }));

  router.add(http::post("/api/v1/admin/oidc/keys/rotate", "oidc.manage", [&oidc](Request& r) {
    return http::render(oidc.rotate_keys(*r.principal, origin_of(r)));
  }, http::Body::kNone));
}

}  // namespace tb::identity
