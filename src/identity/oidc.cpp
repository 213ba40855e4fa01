#include "identity/oidc.h"

#include <algorithm>
#include <sstream>

#include "crypto/crypto.h"
#include "crypto/password.h"
#include "http/http.h"
#include "identity/store.h"

namespace tb::identity {
namespace {

constexpr EpochMs kCodeLifetime = 60 * 1000;
constexpr EpochMs kAccessLifetime = 10 * 60 * 1000;
constexpr EpochMs kRefreshLifetime = 30LL * 24 * 3600 * 1000;
constexpr EpochMs kIdTokenLifetime = 10 * 60 * 1000;
constexpr EpochMs kRetiredKeyGrace = 24LL * 3600 * 1000;  // tokens signed just before a rotation still verify
const std::vector<std::string> kScopes{"openid", "profile", "phone", "id_number"};

OAuthReply oauth_error(int status, const std::string& error, const std::string& description) {
  return {status, Json{{"error", error}, {"error_description", description}}, ""};
}

std::string with_params(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = uri + (uri.find('?') == std::string::npos ? "?" : "&");
  bool first = true;
  for (const auto& [k, v] : params) {
    if (!first) out += "&";
    out += http::percent_encode(k) + "=" + http::percent_encode(v);
    first = false;
  }
  return out;
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string get(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? "" : it->second;
}

struct Client {
  std::string client_id, name;
  std::optional<std::string> secret_hash;
  std::vector<std::string> redirect_uris, post_logout_redirect_uris, scopes;
  std::string alg;
};

std::optional<Client> find_client(store::Conn& c, const std::string& client_id) {
  auto rows = c.query("SELECT client_id, name, secret_hash, redirect_uris, post_logout_redirect_uris, scopes, "
                      "id_token_alg FROM oidc_clients WHERE client_id = ? AND disabled_at IS NULL",
                      {client_id});
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return Client{r.text(0),
                r.text(1),
                r.opt_text(2),
                Json::parse(r.text(3)).get<std::vector<std::string>>(),
                Json::parse(r.text(4)).get<std::vector<std::string>>(),
                Json::parse(r.text(5)).get<std::vector<std::string>>(),
                r.text(6)};
}

bool contains(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// at_hash: the left half of the SHA-256 of the access token (RS256 and ES256 both use SHA-256).
std::string at_hash(const std::string& access_token) {
  return crypto::base64url_encode(crypto::sha256(access_token).substr(0, 16));
}

// RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
std::optional<std::pair<std::string, std::string>> basic_credentials(const std::string& header) {
  if (header.rfind("Basic ", 0) != 0) return std::nullopt;
  std::string b64 = header.substr(6);
  std::string std_b64 = b64;
  // base64url_decode takes the URL alphabet without padding; convert.
  std::replace(std_b64.begin(), std_b64.end(), '+', '-');
  std::replace(std_b64.begin(), std_b64.end(), '/', '_');
  while (!std_b64.empty() && std_b64.back() == '=') std_b64.pop_back();
  auto raw = crypto::base64url_decode(std_b64);
  if (!raw) return std::nullopt;
  auto colon = raw->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto id = http::percent_decode(raw->substr(0, colon), true);
  auto secret = http::percent_decode(raw->substr(colon + 1), true);
  if (!id || !secret) return std::nullopt;
  return std::pair{*id, *secret};
}

}  // namespace

OidcProvider::OidcProvider(store::Db& db, const Clock& clock, IdentityService& identity, std::string issuer)
    : db_(db), clock_(clock), identity_(identity), issuer_(std::move(issuer)) {}

Json OidcProvider::discovery() const {
  return Json{{"issuer", issuer_},
              {"authorization_endpoint", issuer_ + "/oauth2/authorize"},
              {"token_endpoint", issuer_ + "/oauth2/token"},
              {"userinfo_endpoint", issuer_ + "/oauth2/userinfo"},
              {"jwks_uri", issuer_ + "/oauth2/jwks"},
              {"end_session_endpoint", issuer_ + "/oauth2/logout"},
              {"response_types_supported", {"code"}},
              {"response_modes_supported", {"query"}},
              {"grant_types_supported", {"authorization_code", "refresh_token"}},
              {"subject_types_supported", {"pairwise"}},
              {"id_token_signing_alg_values_supported", {"RS256", "ES256"}},
              {"scopes_supported", kScopes},
              {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post", "none"}},
              {"code_challenge_methods_supported", {"S256"}},
              {"claims_supported",
               {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "account_type", "real_name_level",
                "phone_number", "id_number"}}};
}

std::vector<crypto::SigningKey> OidcProvider::active_keys() {
  EpochMs now = clock_.now_ms();
  auto rows = db_.read([&](store::Conn& c) {
    return c.query("SELECT kid, private_pem_sealed FROM oidc_keys WHERE retired_at IS NULL OR retired_at > ? "
                   "ORDER BY id",
                   {now - kRetiredKeyGrace});
  });
  std::vector<crypto::SigningKey> out;
  std::lock_guard lock(keys_mutex_);
  for (const auto& r : rows) {
    auto it = key_cache_.find(r.text(0));
    if (it == key_cache_.end()) {
      auto pem = identity_.key().open(r.blob(1), "oidc_keys.private_pem");
      auto key = pem ? crypto::SigningKey::from_pem(*pem) : std::nullopt;
      if (!key) throw FatalError("OIDC signing key " + r.text(0) + " does not open with this data key");
      it = key_cache_.emplace(r.text(0), *key).first;
    }
    out.push_back(it->second);
  }
  return out;
}

crypto::SigningKey OidcProvider::signing_key(const std::string& alg) {
  EpochMs now = clock_.now_ms();
  auto rows = db_.read([&](store::Conn& c) {
    return c.query("SELECT kid FROM oidc_keys WHERE alg = ? AND retired_at IS NULL ORDER BY id DESC LIMIT 1", {alg});
  });
  if (rows.empty()) {
    // First use: make the key. Two nodes racing both insert one; both are published.
    auto key = crypto::SigningKey::generate(alg == "ES256" ? crypto::JwsAlg::kES256 : crypto::JwsAlg::kRS256);
    db_.write([&](store::Conn& c) {
      c.exec("INSERT INTO oidc_keys (kid, alg, private_pem_sealed, public_jwk, created_at) VALUES (?, ?, ?, ?, ?)",
             {key.kid(), alg, store::Blob{identity_.key().seal(key.private_pem(), "oidc_keys.private_pem")},
              key.public_jwk().dump(), now});
    });
    std::lock_guard lock(keys_mutex_);
    key_cache_.emplace(key.kid(), key);
    return key;
  }
  for (auto& k : active_keys())
    if (k.kid() == rows[0].text(0)) return k;
  throw FatalError("active OIDC key vanished");
}

Json OidcProvider::jwks() {
  signing_key("RS256");  // make sure both kinds exist before anyone fetches the set
  signing_key("ES256");
  Json keys = Json::array();
  for (const auto& k : active_keys()) keys.push_back(k.public_jwk());
  return Json{{"keys", keys}};
}

Result<Json> OidcProvider::rotate_keys(const Principal& admin, const Origin& origin) {
  EpochMs now = clock_.now_ms();
  db_.write([&](store::Conn& c) { c.exec("UPDATE oidc_keys SET retired_at = ? WHERE retired_at IS NULL", {now}); });
  auto rs = signing_key("RS256");
  auto es = signing_key("ES256");
  db_.write([&](store::Conn& c) {
    audit::record(c, clock_, {.actor = &admin, .action = "oidc.keys.rotate", .target = "oidc_keys", .ip = origin.ip,
                              .request_id = origin.request_id, .details = {{"kids", {rs.kid(), es.kid()}}}});
  });
  return Json{{"active", {rs.kid(), es.kid()}}};
}

Result<Json> OidcProvider::register_client(const Principal& admin, const OidcClientInput& in, const Origin& origin) {
  auto invalid = [](const std::string& field, const std::string& msg) {
    return fail(codes::kValidationFailed, msg, {{"field", field}});
  };
  if (in.name.empty()) return invalid("name", "请填写接入系统名称");
  if (in.redirect_uris.empty()) return invalid("redirect_uris", "至少登记一个回调地址");
  for (const auto& uri : in.redirect_uris) {
    bool https = uri.rfind("https://", 0) == 0;
    bool loopback = uri.rfind("http://127.0.0.1", 0) == 0 || uri.rfind("http://localhost", 0) == 0;
    if ((!https && !loopback) || uri.find('#') != std::string::npos)
      return invalid("redirect_uris", "回调地址须为 https（本机测试可用 http://127.0.0.1），且不含 #");
  }
  for (const auto& s : in.scopes)
    if (!contains(kScopes, s)) return invalid("scopes", "不支持的 scope：" + s);
  if (in.id_token_alg != "RS256" && in.id_token_alg != "ES256") return invalid("id_token_alg", "签名算法须为 RS256 或 ES256");
  std::string client_id = "tb-" + crypto::random_hex(12);
  std::string secret = in.public_client ? "" : crypto::random_hex(32);
  EpochMs now = clock_.now_ms();
  std::vector<std::string> scopes = in.scopes;
  if (!contains(scopes, "openid")) scopes.insert(scopes.begin(), "openid");
  db_.write([&](store::Conn& c) {
    c.exec("INSERT INTO oidc_clients (client_id, name, secret_hash, redirect_uris, post_logout_redirect_uris, scopes, "
           "id_token_alg, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
           {client_id, in.name, in.public_client ? store::Value() : store::Value(crypto::sm3_hex(secret)),
            Json(in.redirect_uris).dump(), Json(in.post_logout_redirect_uris).dump(), Json(scopes).dump(),
            in.id_token_alg, admin.account_id, now});
    audit::record(c, clock_, {.actor = &admin, .action = "oidc.client.register", .target = "oidc_client:" + client_id,
                              .ip = origin.ip, .request_id = origin.request_id,
                              .details = {{"name", in.name}, {"redirect_uris", in.redirect_uris}}});
  });
  Json out{{"client_id", client_id}, {"name", in.name}, {"redirect_uris", in.redirect_uris}, {"scopes", scopes},
           {"public", in.public_client}, {"id_token_alg", in.id_token_alg}};
  // Shown once; only its digest is kept.
  if (!in.public_client) out["client_secret"] = secret;
  return out;
}

Json OidcProvider::clients() {
  Json items = Json::array();
  for (const auto& r : db_.read([&](store::Conn& c) {
         return c.query("SELECT client_id, name, redirect_uris, scopes, secret_hash IS NULL, id_token_alg, created_at "
                        "FROM oidc_clients ORDER BY id");
       }))
    items.push_back({{"client_id", r.text(0)},
                     {"name", r.text(1)},
                     {"redirect_uris", Json::parse(r.text(2))},
                     {"scopes", Json::parse(r.text(3))},
                     {"public", r.i64(4) != 0},
                     {"id_token_alg", r.text(5)},
                     {"created_at", format_instant(r.i64(6))}});
  return Json{{"items", items}};
}

OAuthReply OidcProvider::authorize(const std::map<std::string, std::string>& q, const std::optional<Session>& session,
                                   const Origin& origin) {
  std::string client_id = get(q, "client_id"), redirect_uri = get(q, "redirect_uri");
  auto client = db_.read([&](store::Conn& c) { return find_client(c, client_id); });
  // Until the client and its redirect URI are known good, errors are shown, not redirected.
  if (!client) return oauth_error(400, "invalid_request", "未登记的接入系统（client_id）");
  if (!contains(client->redirect_uris, redirect_uri))
    return oauth_error(400, "invalid_request", "回调地址与登记的不一致");
  std::string state = get(q, "state");
  auto back = [&](const std::string& error, const std::string& description) {
    std::vector<std::pair<std::string, std::string>> params{{"error", error}, {"error_description", description}};
    if (!state.empty()) params.emplace_back("state", state);
    return OAuthReply{302, Json(), with_params(redirect_uri, params)};
  };
  if (get(q, "response_type") != "code") return back("unsupported_response_type", "只支持 response_type=code");
  auto scopes = split_words(get(q, "scope"));
  if (!contains(scopes, "openid")) return back("invalid_scope", "scope 须包含 openid");
  for (const auto& s : scopes)
    if (!contains(client->scopes, s)) return back("invalid_scope", "接入系统无权申请 scope：" + s);
  std::string challenge = get(q, "code_challenge"), method = get(q, "code_challenge_method");
  if (!challenge.empty() && method != "S256") return back("invalid_request", "code_challenge_method 须为 S256");
  if (challenge.empty() && !client->secret_hash) return back("invalid_request", "公开客户端须使用 PKCE（S256）");
  if (!challenge.empty() && (challenge.size() != 43)) return back("invalid_request", "code_challenge 格式错误");

  bool logged_in = session && !session->mfa_pending && !session->mfa_enrollment_pending &&
                   !session->password_change_pending;
  if (!logged_in) {
    if (get(q, "prompt") == "none") return back("login_required", "需要登录");
    // The portal's login page returns here afterwards.
    std::string here = "/oauth2/authorize?";
    bool first = true;
    for (const auto& [k, v] : q) {
      here += (first ? "" : "&") + http::percent_encode(k) + "=" + http::percent_encode(v);
      first = false;
    }
    return OAuthReply{302, Json(), "/login?next=" + http::percent_encode(here)};
  }

  std::string code = crypto::random_hex(32);
  EpochMs now = clock_.now_ms();
  std::string scope;
  for (const auto& s : scopes) scope += (scope.empty() ? "" : " ") + s;
  std::string nonce = get(q, "nonce");
  db_.write([&](store::Conn& c) {
    auto auth_time = c.query("SELECT created_at FROM sessions WHERE id = ?", {session->principal.session_id}).at(0).i64(0);
    c.exec("INSERT INTO oidc_codes (code_hash, client_id, account_id, session_id, redirect_uri, scope, nonce, "
           "code_challenge, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
           {crypto::sm3_hex(code), client_id, session->principal.account_id, session->principal.session_id,
            redirect_uri, scope, nonce.empty() ? store::Value() : store::Value(nonce),
            challenge.empty() ? store::Value() : store::Value(challenge), auth_time, now + kCodeLifetime});
    audit::record(c, clock_, {.actor = &session->principal, .action = "oidc.authorize", .target = "oidc_client:" + client_id,
                              .ip = origin.ip, .request_id = origin.request_id, .details = {{"scope", scope}}});
  });
  std::vector<std::pair<std::string, std::string>> params{{"code", code}};
  if (!state.empty()) params.emplace_back("state", state);
  params.emplace_back("iss", issuer_);  // RFC 9207: lets the client check who answered
  return OAuthReply{302, Json(), with_params(redirect_uri, params)};
}

Json OidcProvider::claims_for(store::Conn& c, std::int64_t account_id, const std::string& client_id,
                              const std::string& scope) {
  auto a = sql::account_by_id(c, account_id);
  if (!a) throw FatalError("token for a missing account");
  // Pairwise: each client sees a different, stable subject for the same person.
  Json claims{{"sub", identity_.key().blind_index(std::to_string(account_id), "oidc.sub:" + client_id)}};
  auto scopes = split_words(scope);
  if (contains(scopes, "profile")) {
    claims["name"] = a->account.name;
    claims["account_type"] = a->account.kind == "person" ? "natural_person" : "staff";
    claims["real_name_level"] = a->account.real_name_level;
  }
  if (contains(scopes, "phone") && !a->phone_sealed.empty())
    claims["phone_number"] = identity_.key().open(a->phone_sealed, sql::kPhoneSeal).value_or("");
  if (contains(scopes, "id_number") && !a->id_number_sealed.empty())
    claims["id_number"] = identity_.key().open(a->id_number_sealed, sql::kIdNumberSeal).value_or("");
  return claims;
}

OAuthReply OidcProvider::issue_tokens(store::Conn& c, const std::string& client_id,
                                      std::int64_t account_id, std::optional<std::int64_t> session_id,
                                      const std::string& scope, EpochMs auth_time,
                                      const std::optional<std::string>& nonce, const std::string& family) {
  EpochMs now = clock_.now_ms();
  std::string access = crypto::random_hex(32), refresh = crypto::random_hex(32);
  auto insert = [&](const std::string& token, const char* kind, EpochMs lifetime) {
    c.exec("INSERT INTO oidc_tokens (token_hash, kind, family, client_id, account_id, session_id, scope, auth_time, "
           "expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
           {crypto::sm3_hex(token), kind, family, client_id, account_id, session_id, scope, auth_time, now + lifetime,
            now});
  };
  insert(access, "access", kAccessLifetime);
  insert(refresh, "refresh", kRefreshLifetime);
  Json id_claims = claims_for(c, account_id, client_id, scope);
  id_claims["iss"] = issuer_;
  id_claims["aud"] = client_id;
  id_claims["iat"] = now / 1000;
  id_claims["exp"] = (now + kIdTokenLifetime) / 1000;
  id_claims["auth_time"] = auth_time / 1000;
  id_claims["at_hash"] = at_hash(access);
  if (nonce) id_claims["nonce"] = *nonce;
  return OAuthReply{200,
                    Json{{"access_token", access},
                         {"token_type", "Bearer"},
                         {"expires_in", kAccessLifetime / 1000},
                         {"refresh_token", refresh},
                         {"scope", scope},
                         // Signed after the transaction commits (finish_tokens): an RSA signature
                         // is a quarter millisecond the write lock need not wait for.
                         {"id_token_claims", id_claims}},
                    ""};
}

namespace {
OAuthReply finish_tokens(OAuthReply reply, const crypto::SigningKey& key) {
  if (reply.status == 200 && reply.body.contains("id_token_claims")) {
    reply.body["id_token"] = key.sign(reply.body["id_token_claims"]);
    reply.body.erase("id_token_claims");
  }
  return reply;
}
}  // namespace

OAuthReply OidcProvider::token(const std::map<std::string, std::string>& form, const std::string& authorization,
                               const Origin& origin) {
  // Client authentication: Basic, or id and secret in the form, or a public client's id alone.
  std::string client_id = get(form, "client_id"), secret = get(form, "client_secret");
  if (auto basic = basic_credentials(authorization)) {
    if (!client_id.empty() && client_id != basic->first)
      return oauth_error(400, "invalid_request", "client_id 与认证信息不一致");
    client_id = basic->first;
    secret = basic->second;
  }
  auto client = db_.read([&](store::Conn& c) { return find_client(c, client_id); });
  if (!client) return oauth_error(401, "invalid_client", "接入系统认证失败");
  if (client->secret_hash) {
    if (secret.empty() || crypto::sm3_hex(secret) != *client->secret_hash)
      return oauth_error(401, "invalid_client", "接入系统认证失败");
  } else if (!secret.empty()) {
    return oauth_error(401, "invalid_client", "公开客户端不应提交密钥");
  }
  EpochMs now = clock_.now_ms();
  std::string grant = get(form, "grant_type");
  // Fetched (or made) before the transaction below, which must not wait on another connection.
  crypto::SigningKey key = signing_key(client->alg);

  if (grant == "authorization_code") {
    std::string code = get(form, "code");
    return finish_tokens(db_.write([&](store::Conn& c) -> OAuthReply {
      auto rows = c.query("SELECT client_id, account_id, session_id, redirect_uri, scope, nonce, code_challenge, "
                          "auth_time, expires_at, used_at FROM oidc_codes WHERE code_hash = ?",
                          {crypto::sm3_hex(code)});
      if (rows.empty()) return oauth_error(400, "invalid_grant", "授权码无效");
      const auto& r = rows[0];
      if (r.opt_i64(9)) {
        // A code used twice: revoke what the first use issued (RFC 6749 §4.1.2).
        c.exec("UPDATE oidc_tokens SET revoked_at = ? WHERE family = ?", {now, "code:" + crypto::sm3_hex(code)});
        return oauth_error(400, "invalid_grant", "授权码已使用");
      }
      if (r.text(0) != client_id) return oauth_error(400, "invalid_grant", "授权码不属于该接入系统");
      if (r.i64(8) <= now) return oauth_error(400, "invalid_grant", "授权码已过期");
      if (r.text(3) != get(form, "redirect_uri")) return oauth_error(400, "invalid_grant", "回调地址不一致");
      if (auto challenge = r.opt_text(6)) {
        std::string verifier = get(form, "code_verifier");
        if (verifier.size() < 43 || verifier.size() > 128 || crypto::base64url_encode(crypto::sha256(verifier)) != *challenge)
          return oauth_error(400, "invalid_grant", "PKCE 校验失败（code_verifier）");
      }
      c.exec("UPDATE oidc_codes SET used_at = ? WHERE code_hash = ?", {now, crypto::sm3_hex(code)});
      auto reply = issue_tokens(c, client_id, r.i64(1), r.i64(2), r.text(4), r.i64(7), r.opt_text(5),
                                "code:" + crypto::sm3_hex(code));
      audit::record(c, clock_, {.actor_name = "oidc_client:" + client_id, .action = "oidc.token", .target = "account:" + std::to_string(r.i64(1)),
                                .ip = origin.ip, .request_id = origin.request_id, .details = {{"grant", grant}}});
      return reply;
    }), key);
  }

  if (grant == "refresh_token") {
    std::string presented = crypto::sm3_hex(get(form, "refresh_token"));
    return finish_tokens(db_.write([&](store::Conn& c) -> OAuthReply {
      auto rows = c.query("SELECT family, client_id, account_id, session_id, scope, auth_time, expires_at, used_at, "
                          "revoked_at FROM oidc_tokens WHERE token_hash = ? AND kind = 'refresh'",
                          {presented});
      if (rows.empty()) return oauth_error(400, "invalid_grant", "刷新令牌无效");
      const auto& r = rows[0];
      if (r.text(1) != client_id) return oauth_error(400, "invalid_grant", "刷新令牌不属于该接入系统");
      if (r.opt_i64(7) || r.opt_i64(8)) {
        // Replay of a rotated token: whoever holds the family's tokens may be a thief.
        c.exec("UPDATE oidc_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL", {now, r.text(0)});
        return oauth_error(400, "invalid_grant", "刷新令牌已使用或已撤销");
      }
      if (r.i64(6) <= now) return oauth_error(400, "invalid_grant", "刷新令牌已过期");
      c.exec("UPDATE oidc_tokens SET used_at = ? WHERE token_hash = ?", {now, presented});
      return issue_tokens(c, client_id, r.i64(2), r.opt_i64(3), r.text(4), r.i64(5), std::nullopt, r.text(0));
    }), key);
  }
  return oauth_error(400, "unsupported_grant_type", "只支持 authorization_code 与 refresh_token");
}

OAuthReply OidcProvider::userinfo(const std::string& access_token) {
  EpochMs now = clock_.now_ms();
  auto rows = db_.read([&](store::Conn& c) {
    return c.query("SELECT client_id, account_id, scope, expires_at, revoked_at FROM oidc_tokens "
                   "WHERE token_hash = ? AND kind = 'access'",
                   {crypto::sm3_hex(access_token)});
  });
  if (rows.empty() || rows[0].i64(3) <= now || rows[0].opt_i64(4))
    return oauth_error(401, "invalid_token", "访问令牌无效或已过期");
  return db_.read([&](store::Conn& c) {
    return OAuthReply{200, claims_for(c, rows[0].i64(1), rows[0].text(0), rows[0].text(2)), ""};
  });
}

OAuthReply OidcProvider::end_session(const std::map<std::string, std::string>& q, const std::optional<Session>& session,
                                     const Origin& origin) {
  EpochMs now = clock_.now_ms();
  std::string redirect = get(q, "post_logout_redirect_uri");
  std::optional<std::string> client_id;
  if (auto hint = get(q, "id_token_hint"); !hint.empty()) {
    std::vector<Json> keys;
    for (const auto& k : active_keys()) keys.push_back(k.public_jwk());
    if (auto claims = crypto::verify_jws(hint, keys); claims && claims->value("iss", "") == issuer_)
      client_id = claims->value("aud", "");
  }
  if (session) {
    db_.write([&](store::Conn& c) {
      sql::revoke_session(c, session->principal.account_id, session->principal.session_id, now);
      c.exec("UPDATE oidc_tokens SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL",
             {now, session->principal.session_id});
      audit::record(c, clock_, {.actor = &session->principal, .action = "oidc.logout",
                                .target = "session:" + std::to_string(session->principal.session_id), .ip = origin.ip,
                                .request_id = origin.request_id});
    });
  }
  if (!redirect.empty() && client_id) {
    auto client = db_.read([&](store::Conn& c) { return find_client(c, *client_id); });
    if (client && contains(client->post_logout_redirect_uris, redirect)) {
      std::vector<std::pair<std::string, std::string>> params;
      if (auto state = get(q, "state"); !state.empty()) params.emplace_back("state", state);
      return OAuthReply{302, Json(), params.empty() ? redirect : with_params(redirect, params)};
    }
  }
  return OAuthReply{200, Json{{"logged_out", session.has_value()}}, ""};
}

}  // namespace tb::identity
