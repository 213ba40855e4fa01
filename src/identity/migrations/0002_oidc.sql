-- tongban as an OpenID Connect provider for department systems.
-- Client secrets and all tokens are stored as SM3 digests; signing keys SM4-sealed.
CREATE TABLE oidc_clients (
  id INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  secret_hash TEXT,
  redirect_uris TEXT NOT NULL,
  post_logout_redirect_uris TEXT NOT NULL,
  scopes TEXT NOT NULL,
  id_token_alg TEXT NOT NULL CHECK (id_token_alg IN ('RS256', 'ES256')),
  created_by INTEGER NOT NULL REFERENCES accounts (id),
  created_at INTEGER NOT NULL,
  disabled_at INTEGER
);

CREATE TABLE oidc_keys (
  id INTEGER PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  alg TEXT NOT NULL,
  private_pem_sealed BLOB NOT NULL,
  public_jwk TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);

CREATE TABLE oidc_codes (
  code_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  session_id INTEGER NOT NULL REFERENCES sessions (id),
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT,
  code_challenge TEXT,
  auth_time INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

-- Access and refresh tokens. Refresh tokens rotate: each use issues a new one in the same
-- family; presenting a used one revokes the whole family (a stolen token was replayed).
CREATE TABLE oidc_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  family TEXT NOT NULL,
  client_id TEXT NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  session_id INTEGER,
  scope TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX oidc_tokens_family ON oidc_tokens (family);
