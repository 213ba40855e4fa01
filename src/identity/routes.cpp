#include "crypto/crypto.h"
#include "http/router.h"
#include "identity/identity.h"
#include "identity/permissions.h"

namespace tb::identity {
namespace {

using http::Request;
using http::Response;

constexpr const char* kCookie = "tb_session";

Json to_json(const Account& a) {
  Json roles = Json::array();
  for (const auto& g : a.roles)
    roles.push_back({{"role", g.role},
                     {"department", g.department ? Json(*g.department) : Json(nullptr)},
                     {"division_code", g.division ? Json(*g.division) : Json(nullptr)}});
  Json j{{"id", a.id},
         {"kind", a.kind},
         {"name", a.name},
         {"real_name_level", a.real_name_level},
         {"totp_enabled", a.totp_enabled},
         {"must_change_password", a.must_change_password},
         {"status", a.status},
         {"roles", roles}};
  if (a.kind == "person") {
    j["id_number"] = a.id_number_masked;  // masked: lists and logs never show it whole
    j["phone"] = a.phone_masked;
  } else {
    j["staff_no"] = a.staff_no ? Json(*a.staff_no) : Json(nullptr);
    j["department"] = a.department ? Json(*a.department) : Json(nullptr);
    j["division_code"] = a.division_code ? Json(*a.division_code) : Json(nullptr);
  }
  return j;
}

Json to_json(const Agent& a) {
  return Json{{"uscc", a.uscc},
              {"company_name", a.company_name},
              {"account_id", a.account_id},
              {"account_name", a.account_name},
              {"scope", a.scope},
              {"expires_at", format_instant(a.expires_at)}};
}

Result<std::string> text_field(const Json& body, const std::string& name) {
  if (!body.is_object() || !body.contains(name) || !body[name].is_string())
    return fail(codes::kValidationFailed, "缺少字段 " + name, {{"field", name}});
  return body[name].get<std::string>();
}

Result<std::int64_t> id_param(const Request& r, const std::string& name) {
  auto v = http::parse_int(r.param(name), name);
  if (!v) return std::unexpected(v.error());
  return *v;
}

std::string session_cookie(const std::string& token, EpochMs expires_at, bool secure, EpochMs now) {
  long max_age = token.empty() ? 0 : static_cast<long>((expires_at - now) / 1000);
  return std::string(kCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age) +
         (secure ? "; Secure" : "");
}

}  // namespace

Origin origin_of(const Request& r) { return Origin{r.remote_address, r.header("user-agent"), r.request_id}; }

void install_guard(http::Router& router, IdentityService& svc) {
  router.set_guard([&svc](Request& r, const http::Route& route) -> std::optional<Response> {
    std::string token;
    bool via_cookie = false;
    std::string auth = r.header("authorization");
    if (auth.rfind("Bearer ", 0) == 0) {
      token = auth.substr(7);
    } else {
      token = r.cookie(kCookie);
      via_cookie = !token.empty();
    }
    if (token.empty()) return Response::error(fail(codes::kUnauthenticated, "请先登录").error());
    auto session = svc.authenticate(token, origin_of(r));
    if (!session) return Response::error(session.error());
    // Cookies ride along on cross-site requests; a write must also carry the CSRF token.
    if (via_cookie && r.method != "GET" && r.method != "HEAD" && r.header("x-csrf-token") != session->csrf_token)
      return Response::error(fail(codes::kCsrfMissing, "缺少或错误的 X-CSRF-Token").error());
    session->principal.via_cookie = via_cookie;
    r.principal = session->principal;
    if (route.permission == kSession) return std::nullopt;
    if (session->mfa_enrollment_pending)
      return Response::error(fail(codes::kMfaEnrollmentRequired, "管理员须先绑定动态口令（TOTP）").error());
    if (session->mfa_pending) return Response::error(fail(codes::kMfaRequired, "请输入动态口令完成登录").error());
    if (session->password_change_pending)
      return Response::error(fail(codes::kPasswordChangeRequired, "请先修改初始密码").error());
    if (!allowed(session->principal, route.permission))
      return Response::error(fail(codes::kForbidden, "无权执行此操作", {{"permission", route.permission}}).error());
    return std::nullopt;
  });
}

void add_routes(http::Router& router, IdentityService& svc) {
  router.add(http::post("/api/v1/auth/otp", http::kPublic, [&svc](Request& r) {
    TB_TRY(phone, text_field(r.json, "phone"));
    TB_TRY(purpose, text_field(r.json, "purpose"));
    return http::render(svc.request_otp(*phone, *purpose, origin_of(r)));
  }));

  router.add(http::post("/api/v1/auth/register", http::kPublic, [&svc](Request& r) {
    Registration reg;
    for (auto [field, target] : {std::pair{"name", &reg.name}, {"id_number", &reg.id_number}, {"phone", &reg.phone},
                                 {"password", &reg.password}, {"otp", &reg.otp}}) {
      TB_TRY(v, text_field(r.json, field));
      *target = *v;
    }
    TB_TRY(account, svc.register_person(reg, origin_of(r)));
    return Response::json(to_json(*account), 201);
  }));

  router.add(http::post("/api/v1/auth/login", http::kPublic, [&svc](Request& r) {
    TB_TRY(login, text_field(r.json, "login"));
    TB_TRY(password, text_field(r.json, "password"));
    TB_TRY(result, svc.login(*login, *password, origin_of(r)));
    auto res = Response::json({{"token", result->token},
                               {"csrf_token", result->csrf_token},
                               {"expires_at", format_instant(result->expires_at)},
                               {"mfa_required", result->mfa_required},
                               {"mfa_enrollment_required", result->mfa_enrollment_required},
                               {"password_change_required", result->password_change_required},
                               {"account", to_json(result->account)}});
    EpochMs now = result->expires_at -
                  std::chrono::duration_cast<std::chrono::milliseconds>(svc.config().session_absolute).count();
    res.headers.emplace_back("Set-Cookie", session_cookie(result->token, result->expires_at,
                                                          svc.config().secure_cookies, now));
    return res;
  }));

  router.add(http::post("/api/v1/auth/mfa", kSession, [&svc](Request& r) {
    TB_TRY(code, text_field(r.json, "code"));
    return http::render(svc.verify_mfa(*r.principal, *code, origin_of(r)));
  }));

  router.add(http::post("/api/v1/auth/logout", kSession, [&svc](Request& r) {
    auto res = http::render(svc.logout(*r.principal, origin_of(r)));
    res.headers.emplace_back("Set-Cookie", session_cookie("", 0, svc.config().secure_cookies, 0));
    return res;
  }, http::Body::kNone));

  router.add(http::post("/api/v1/auth/password", kSession, [&svc](Request& r) {
    TB_TRY(old_pw, text_field(r.json, "old_password"));
    TB_TRY(new_pw, text_field(r.json, "new_password"));
    return http::render(svc.change_password(*r.principal, *old_pw, *new_pw, origin_of(r)));
  }));

  router.add(http::post("/api/v1/auth/password/reset", http::kPublic, [&svc](Request& r) {
    TB_TRY(phone, text_field(r.json, "phone"));
    TB_TRY(otp, text_field(r.json, "otp"));
    TB_TRY(new_pw, text_field(r.json, "new_password"));
    return http::render(svc.reset_password_with_otp(*phone, *otp, *new_pw, origin_of(r)));
  }));

  // The web's first question on every load, answered 200 either way (a 401 would be an
  // error in every anonymous visitor's console): who the cookie's session is, what it still
  // owes, and the CSRF token a reloaded page needs for its writes.
  router.add(http::get("/api/v1/session", http::kPublic, [&svc](Request& r) {
    std::string token = r.cookie(kCookie);
    auto session = token.empty() ? fail(codes::kUnauthenticated, "未登录") : svc.authenticate(token, origin_of(r));
    if (!session) return Response::json({{"account", nullptr}});
    TB_TRY(account, svc.account(session->principal.account_id));
    account->roles = session->principal.roles;
    Json a = to_json(*account);
    a["acting_company_id"] = session->principal.acting_company_id ? Json(*session->principal.acting_company_id) : Json(nullptr);
    return Response::json({{"account", a},
                           {"csrf_token", session->csrf_token},
                           {"mfa_pending", session->mfa_pending},
                           {"mfa_enrollment_pending", session->mfa_enrollment_pending},
                           {"password_change_pending", session->password_change_pending}});
  }));

  router.add(http::get("/api/v1/me", kSession, [&svc](Request& r) {
    TB_TRY(account, svc.account(r.principal->account_id));
    account->roles = r.principal->roles;  // as this session holds them (company_agent while acting for one)
    Json j = to_json(*account);
    j["acting_company_id"] = r.principal->acting_company_id ? Json(*r.principal->acting_company_id) : Json(nullptr);
    return Response::json(j);
  }));

  router.add(http::get("/api/v1/me/sessions", kAuthenticated, [&svc](Request& r) {
    Json items = Json::array();
    for (const auto& s : svc.sessions(*r.principal))
      items.push_back({{"id", s.id},
                       {"created_at", format_instant(s.created_at)},
                       {"last_seen_at", format_instant(s.last_seen_at)},
                       {"expires_at", format_instant(s.expires_at)},
                       {"ip", s.ip},
                       {"user_agent", s.user_agent},
                       {"current", s.current}});
    return Response::json({{"items", items}});
  }));

  router.add(http::del("/api/v1/me/sessions/{id}", kAuthenticated, [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    return http::render(svc.revoke_session(*r.principal, *id, origin_of(r)));
  }));

  router.add(http::post("/api/v1/me/mfa/totp", kSession, [&svc](Request& r) {
    return http::render(svc.totp_begin(*r.principal, origin_of(r)));
  }, http::Body::kNone));

  router.add(http::post("/api/v1/me/mfa/totp/confirm", kSession, [&svc](Request& r) {
    TB_TRY(code, text_field(r.json, "code"));
    return http::render(svc.totp_confirm(*r.principal, *code, origin_of(r)));
  }));

  router.add(http::post("/api/v1/me/face-verification", kAuthenticated, [&svc](Request& r) {
    TB_TRY(text, text_field(r.json, "image_base64"));
    auto image = crypto::base64_decode(*text);
    if (!image)
      return Response::error(fail(codes::kValidationFailed, "照片须为 base64 编码", {{"field", "image_base64"}}).error());
    TB_TRY(account, svc.verify_face(*r.principal, *image, origin_of(r)));
    return Response::json(to_json(*account));
  }));

  router.add(http::get("/api/v1/me/companies", kAuthenticated, [&svc](Request& r) {
    Json items = Json::array();
    for (const auto& a : svc.my_companies(*r.principal)) items.push_back(to_json(a));
    return Response::json({{"items", items}});
  }));

  router.add(http::post("/api/v1/me/acting-for", kAuthenticated, [&svc](Request& r) {
    std::optional<std::string> uscc;
    if (r.json.is_object() && r.json.contains("uscc") && r.json["uscc"].is_string()) uscc = r.json["uscc"].get<std::string>();
    return http::render(svc.act_for(*r.principal, uscc, origin_of(r)));
  }));

  router.add(http::post("/api/v1/companies", "companies.manage", [&svc](Request& r) {
    TB_TRY(uscc, text_field(r.json, "uscc"));
    TB_TRY(name, text_field(r.json, "name"));
    TB_TRY(company, svc.register_company(*r.principal, *uscc, *name, origin_of(r)));
    return Response::json({{"id", company->id},
                           {"uscc", company->uscc},
                           {"name", company->name},
                           {"legal_representative", company->legal_representative}},
                          201);
  }));

  router.add(http::get("/api/v1/companies/{uscc}/agents", "companies.manage", [&svc](Request& r) {
    auto agents = svc.company_agents(*r.principal, r.param("uscc"));
    if (agents.empty())
      return Response::error(
          fail(codes::kCompanyNotFound, "企业不存在或您未获授权", {{"uscc", r.param("uscc")}}).error());
    Json items = Json::array();
    for (const auto& a : agents) items.push_back(to_json(a));
    return Response::json({{"items", items}});
  }));

  router.add(http::post("/api/v1/companies/{uscc}/agents", "companies.manage", [&svc](Request& r) {
    TB_TRY(id_number, text_field(r.json, "id_number"));
    TB_TRY(expires, text_field(r.json, "expires_on"));
    auto date = Date::parse(*expires);
    if (!date) return Response::error(fail(codes::kValidationFailed, date.error().message, {{"field", "expires_on"}}).error());
    std::vector<std::string> scope;
    if (r.json.contains("scope") && r.json["scope"].is_array())
      for (const auto& s : r.json["scope"])
        if (s.is_string()) scope.push_back(s.get<std::string>());
    TB_TRY(agent, svc.grant_agent(*r.principal, r.param("uscc"), *id_number, scope, *date, origin_of(r)));
    return Response::json(to_json(*agent), 201);
  }));

  router.add(http::del("/api/v1/companies/{uscc}/agents/{account_id}", "companies.manage", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "account_id"));
    return http::render(svc.revoke_agent(*r.principal, r.param("uscc"), *id, origin_of(r)));
  }));

  router.add(http::get("/api/v1/admin/staff", "staff.manage", [&svc](Request& r) {
    Json items = Json::array();
    for (const auto& a : svc.staff(*r.principal)) items.push_back(to_json(a));
    return Response::json({{"items", items}});
  }));

  router.add(http::post("/api/v1/admin/staff", "staff.manage", [&svc](Request& r) {
    StaffInput in;
    for (auto [field, target] : {std::pair{"name", &in.name}, {"staff_no", &in.staff_no},
                                 {"department", &in.department}, {"division_code", &in.division_code},
                                 {"password", &in.password}}) {
      TB_TRY(v, text_field(r.json, field));
      *target = *v;
    }
    if (r.json.contains("roles") && r.json["roles"].is_array())
      for (const auto& g : r.json["roles"])
        if (g.is_string()) in.roles.push_back({g.get<std::string>(), std::nullopt, std::nullopt});
    TB_TRY(account, svc.create_staff(*r.principal, in, origin_of(r)));
    return Response::json(to_json(*account), 201);
  }));

  router.add(http::post("/api/v1/admin/staff/{id}/roles", "staff.manage", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    TB_TRY(role, text_field(r.json, "role"));
    RoleGrant g{*role, std::nullopt, std::nullopt};
    if (r.json.contains("department") && r.json["department"].is_string()) g.department = r.json["department"];
    if (r.json.contains("division_code") && r.json["division_code"].is_string()) g.division = r.json["division_code"];
    TB_TRY(account, svc.grant_role(*r.principal, *id, g, origin_of(r)));
    return Response::json(to_json(*account));
  }));

  router.add(http::del("/api/v1/admin/staff/{id}/roles/{role}", "staff.manage", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    TB_TRY(account, svc.revoke_role(*r.principal, *id, r.param("role"), origin_of(r)));
    return Response::json(to_json(*account));
  }));

  router.add(http::post("/api/v1/admin/staff/{id}/password-reset", "staff.manage", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    return http::render(svc.admin_reset_password(*r.principal, *id, origin_of(r)));
  }, http::Body::kNone));

  router.add(http::get("/api/v1/admin/roles", "staff.manage", [](Request&) {
    Json items = Json::array();
    for (const auto& role : all_roles()) {
      const auto& perms = role_permissions().at(role);
      items.push_back({{"role", role}, {"staff", is_staff_role(role)}, {"permissions", Json(perms)}});
    }
    return Response::json({{"items", items}});
  }));

  router.add(http::post("/api/v1/admin/accounts/{id}/verify", "accounts.verify", [&svc](Request& r) {
    TB_TRY(id, id_param(r, "id"));
    TB_TRY(account, svc.verify_real_name(*r.principal, *id, origin_of(r)));
    return Response::json(to_json(*account));
  }, http::Body::kNone));

  router.add(http::get("/api/v1/admin/outbox", "outbox.read", [&svc](Request& r) {
    auto limit = http::int_query(r, "limit", 50);
    if (!limit || *limit < 1 || *limit > 500)
      return Response::error(fail(codes::kValidationFailed, "limit 须在 1 到 500 之间", {{"field", "limit"}}).error());
    return http::render(svc.outbox(*limit));
  }));
}

}  // namespace tb::identity
