-- Electronic seals (GB/T 38540, STANDARDS §5): the platform's seal CA, each department's
-- seals with their lifecycle, the users a seal is authorised for, and every step taken.
-- Private keys are SM4-sealed (crypto::DataKey); the clear key never leaves the module.
CREATE TABLE seal_ca (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cert_pem TEXT NOT NULL,
  key_sealed BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE seals (
  id INTEGER PRIMARY KEY,
  es_id TEXT NOT NULL UNIQUE,
  department TEXT NOT NULL,
  type INTEGER NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('applied', 'approved', 'rejected', 'made', 'recorded', 'issued',
                                       'suspended', 'lost', 'destroyed')),
  valid_from INTEGER NOT NULL,
  valid_to INTEGER NOT NULL,
  cert_pem TEXT,
  key_sealed BLOB,
  seal_der BLOB,
  picture TEXT,
  applied_by INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX seals_department ON seals (department);

CREATE TABLE seal_users (
  seal_id INTEGER NOT NULL REFERENCES seals (id),
  account_id INTEGER NOT NULL,
  granted_by INTEGER NOT NULL,
  granted_at INTEGER NOT NULL,
  revoked_at INTEGER,
  PRIMARY KEY (seal_id, account_id)
);

CREATE TABLE seal_events (
  id INTEGER PRIMARY KEY,
  seal_id INTEGER NOT NULL REFERENCES seals (id),
  action TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  actor_id INTEGER,
  details TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX seal_events_seal ON seal_events (seal_id, id);

-- Every signature made, for the seal's register (what was sealed, by whom, when).
CREATE TABLE seal_signatures (
  id INTEGER PRIMARY KEY,
  seal_id INTEGER NOT NULL REFERENCES seals (id),
  account_id INTEGER,
  property TEXT NOT NULL,
  document_sm3 TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX seal_signatures_seal ON seal_signatures (seal_id, id);
