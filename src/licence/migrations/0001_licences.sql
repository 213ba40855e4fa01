-- Electronic licences (GB/T 36901–36905, STANDARDS §4). The signed payload carries the
-- holder's full number, so it is stored SM4-sealed; lists show the masked number and look
-- holders up by a keyed blind index. Each state change is a new signature.
CREATE TABLE licence_types (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  ministry TEXT NOT NULL,
  holder TEXT NOT NULL CHECK (holder IN ('person', 'company')),
  validity_years INTEGER,
  data TEXT NOT NULL
);

CREATE TABLE licences (
  id INTEGER PRIMARY KEY,
  licence_id TEXT NOT NULL UNIQUE,          -- GB/T 36904 identifier
  type_code TEXT NOT NULL REFERENCES licence_types (code),
  type_name TEXT NOT NULL,
  department TEXT NOT NULL,                 -- the issuing catalogue department
  serial TEXT NOT NULL,
  version INTEGER NOT NULL,
  holder_kind TEXT NOT NULL,
  holder_name TEXT NOT NULL,
  holder_id_masked TEXT NOT NULL,
  holder_index TEXT NOT NULL,               -- blind index of the holder's ID number or credit code
  holder_account_id INTEGER,
  payload_sealed BLOB NOT NULL,             -- the canonical JSON that was signed
  signature BLOB NOT NULL,                  -- SES_Signature DER over the payload
  seal_es_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('valid', 'suspended', 'revoked', 'replaced')),
  state_reason TEXT,
  valid_from TEXT NOT NULL,
  valid_to TEXT,                            -- NULL: long-term
  case_no TEXT,
  replaces INTEGER REFERENCES licences (id),
  issued_by INTEGER,
  issued_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX licences_holder ON licences (holder_index);
CREATE INDEX licences_account ON licences (holder_account_id);
-- A case yields its licence once, however often its events are read.
CREATE UNIQUE INDEX licences_case ON licences (case_no) WHERE case_no IS NOT NULL AND replaces IS NULL;

CREATE TABLE licence_sequences (
  prefix TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);

-- Every public verification (who looked, when, what they were told).
CREATE TABLE licence_verifications (
  id INTEGER PRIMARY KEY,
  licence_id TEXT NOT NULL,
  result TEXT NOT NULL,
  ip TEXT NOT NULL,
  at INTEGER NOT NULL
);

-- 用证授权: the holder lets a department use a licence (for a case), until revoked.
CREATE TABLE licence_grants (
  id INTEGER PRIMARY KEY,
  licence INTEGER NOT NULL REFERENCES licences (id),
  department TEXT NOT NULL,
  case_no TEXT,
  granted_by INTEGER NOT NULL,
  granted_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX licence_grants_licence ON licence_grants (licence);

-- The case-event consumer's position in the outbox, and cases it could not issue for.
CREATE TABLE licence_consumer (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
);
CREATE TABLE licence_issue_failures (
  case_no TEXT PRIMARY KEY,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  at INTEGER NOT NULL
);
