// tongban as an OpenID Connect provider (authorization code flow with PKCE, refresh-token
// rotation, pairwise subjects), so department systems log their users in through it.
// Endpoints follow OpenID Connect Core 1.0 and RFC 6749/7636; their errors use the OAuth
// form {"error", "error_description"}, which relying-party libraries expect.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/jws.h"
#include "identity/identity.h"

namespace tb::identity {

struct OidcClientInput {
  std::string name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  std::vector<std::string> scopes;  // allowed beyond "openid": profile, phone, id_number
  bool public_client = false;       // no secret; PKCE is then required
  std::string id_token_alg = "RS256";
};

// An OAuth answer: a status and a JSON body, or a redirect.
struct OAuthReply {
  int status = 200;
  Json body;
  std::string location;  // set for redirects
};

class OidcProvider {
 public:
  OidcProvider(store::Db& db, const Clock& clock, IdentityService& identity, std::string issuer);

  Json discovery() const;
  Json jwks();
  Result<Json> register_client(const Principal& admin, const OidcClientInput& in, const Origin& origin);
  Json clients();
  Result<Json> rotate_keys(const Principal& admin, const Origin& origin);

  // The browser's session (from its cookie) may be absent: then the user is sent to log in.
  OAuthReply authorize(const std::map<std::string, std::string>& query, const std::optional<Session>& session,
                       const Origin& origin);
  OAuthReply token(const std::map<std::string, std::string>& form, const std::string& authorization,
                   const Origin& origin);
  OAuthReply userinfo(const std::string& access_token);
  OAuthReply end_session(const std::map<std::string, std::string>& query, const std::optional<Session>& session,
                         const Origin& origin);

  const std::string& issuer() const { return issuer_; }

 private:
  std::vector<crypto::SigningKey> active_keys();
  crypto::SigningKey signing_key(const std::string& alg);
  // Inside the caller's transaction: nothing here may borrow a second connection. The
  // reply carries the ID token's claims; finish_tokens() signs them after the commit.
  OAuthReply issue_tokens(store::Conn& c, const std::string& client_id,
                          std::int64_t account_id, std::optional<std::int64_t> session_id, const std::string& scope,
                          EpochMs auth_time, const std::optional<std::string>& nonce, const std::string& family);
  Json claims_for(store::Conn& c, std::int64_t account_id, const std::string& client_id, const std::string& scope);

  store::Db& db_;
  const Clock& clock_;
  IdentityService& identity_;
  std::string issuer_;
  std::mutex keys_mutex_;
  std::map<std::string, crypto::SigningKey> key_cache_;  // kid → key, parsed once
};

void add_oidc_routes(http::Router& router, OidcProvider& oidc, IdentityService& identity);

}  // namespace tb::identity
