-- Cases (办件, STANDARDS §3). The whole lifecycle state (workflow, pauses, extensions) is one
-- JSON column guarded by `version` (optimistic locking); the columns beside it are what lists,
-- to-do queues, the progress query and supervision filter and sort on.
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  case_no TEXT NOT NULL UNIQUE,
  parent_id INTEGER REFERENCES cases (id),   -- a scenario's (一件事) parent case
  scenario_code TEXT,
  impl_code TEXT NOT NULL,                   -- '' for a scenario parent
  item_version INTEGER NOT NULL,             -- the exact published version filed against
  item_name TEXT NOT NULL,
  department TEXT NOT NULL,
  division TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('online', 'window', 'terminal')),
  applicant_account_id INTEGER NOT NULL,
  applicant_name TEXT NOT NULL,
  company_id INTEGER,                        -- filed for a company by its agent or legal representative
  filed_by INTEGER NOT NULL,                 -- the applicant, or the window clerk
  status TEXT NOT NULL,
  state TEXT NOT NULL,
  form TEXT NOT NULL,
  deadline TEXT,                             -- the promised limit's last working day, once accepted
  version INTEGER NOT NULL,
  submitted_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX cases_applicant ON cases (applicant_account_id, id);
CREATE INDEX cases_parent ON cases (parent_id);
CREATE INDEX cases_status_deadline ON cases (status, deadline);

-- Materials of a case: an uploaded file in the blob store (by SM3 digest) or an e-licence the
-- applicant holds. A correction replaces a material: the old row stays, superseded.
CREATE TABLE case_materials (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases (id),
  name TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('upload', 'licence')),
  upload_id INTEGER,
  licence_ref TEXT,
  superseded INTEGER NOT NULL DEFAULT 0,
  added_at INTEGER NOT NULL
);
CREATE INDEX case_materials_case ON case_materials (case_id);

-- Files uploaded by an account, before they are attached to a case or a draft.
CREATE TABLE uploads (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  digest TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX uploads_account ON uploads (account_id);

-- Drafts: an application saved before submission, resumed later.
CREATE TABLE case_drafts (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  impl_code TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX case_drafts_account ON case_drafts (account_id);

-- The work queue: one row per open task (acceptance of a submitted case, or an active
-- workflow step), rebuilt with every transition of its case.
CREATE TABLE case_tasks (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases (id),
  step_key TEXT NOT NULL,                    -- 'accept' for the acceptance queue
  step_name TEXT NOT NULL,
  role TEXT NOT NULL,
  department TEXT NOT NULL,
  division TEXT NOT NULL,
  started_on TEXT NOT NULL,
  deadline TEXT,
  claimed_by INTEGER,
  UNIQUE (case_id, step_key)
);
CREATE INDEX case_tasks_queue ON case_tasks (role, department, deadline);

-- The transactional outbox: every transition's events, written with the state they describe.
-- Consumers (exchange, supervision, evaluation, statistics) read by id, which is the position.
CREATE TABLE case_events (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases (id),
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Case numbers: implementation code + business date + a sequence per (code, date).
CREATE TABLE case_number_sequences (
  prefix TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);

-- Idempotency-Key of creating POSTs: the same key and body return the first answer.
CREATE TABLE idempotency_keys (
  account_id INTEGER NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, idem_key)
);
