-- Accounts of natural persons and staff. Personal data (ID number, phone) is stored
-- SM4-sealed with a keyed blind index for exact look-up and a masked form for lists;
-- the key lives outside the database (ARCHITECTURE §4).
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('person', 'staff')),
  name TEXT NOT NULL,
  id_number_sealed BLOB,
  id_number_index TEXT UNIQUE,
  id_number_masked TEXT,
  phone_sealed BLOB,
  phone_index TEXT UNIQUE,
  phone_masked TEXT,
  staff_no TEXT UNIQUE,
  department TEXT,
  division_code TEXT,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  real_name_level INTEGER NOT NULL DEFAULT 1 CHECK (real_name_level BETWEEN 1 AND 3),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  totp_secret_sealed BLOB,
  totp_enabled INTEGER NOT NULL DEFAULT 0,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Roles; staff roles carry a department and a division subtree.
CREATE TABLE account_roles (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  role TEXT NOT NULL,
  department TEXT,
  division_code TEXT,
  granted_by INTEGER,
  granted_at INTEGER NOT NULL
);
CREATE INDEX account_roles_account ON account_roles (account_id);

-- Legal persons and the natural persons authorised to act for them (经办人).
CREATE TABLE companies (
  id INTEGER PRIMARY KEY,
  uscc TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  legal_representative TEXT NOT NULL,
  registered_by INTEGER NOT NULL REFERENCES accounts (id),
  created_at INTEGER NOT NULL
);
CREATE TABLE company_agents (
  id INTEGER PRIMARY KEY,
  company_id INTEGER NOT NULL REFERENCES companies (id),
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  scope TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  granted_by INTEGER NOT NULL REFERENCES accounts (id),
  granted_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX company_agents_account ON company_agents (account_id);
CREATE UNIQUE INDEX company_agents_once ON company_agents (company_id, account_id);

-- Sessions: only the SM3 digest of the token is stored.
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  csrf_token TEXT NOT NULL,
  mfa_passed INTEGER NOT NULL DEFAULT 0,
  acting_company_id INTEGER REFERENCES companies (id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX sessions_account ON sessions (account_id);

-- One-time codes sent to phones (digest only), and the messages themselves: the built-in
-- sender keeps them here for administrators; a real SMS gateway is configuration.
CREATE TABLE otp_codes (
  id INTEGER PRIMARY KEY,
  phone_index TEXT NOT NULL,
  purpose TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  consumed_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX otp_codes_phone ON otp_codes (phone_index, purpose, id);
CREATE TABLE message_outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  recipient_sealed BLOB NOT NULL,
  recipient_masked TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);

-- Fixed-window counters for throttling (per IP, per phone), shared by every node.
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
);
