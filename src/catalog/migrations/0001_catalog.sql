-- The service-item catalogue (STANDARDS §2): departments, implementation items with every
-- change kept as a version, scenarios (一件事) and the catalogue's editable word lists.
CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  uscc TEXT NOT NULL UNIQUE,
  division_code TEXT NOT NULL,
  parent_code TEXT,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX departments_division ON departments (division_code);

-- One row per implementation item (one per basic code, department and division).
-- published_version points at the version the public sees; cases will name exact versions.
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  impl_code TEXT NOT NULL UNIQUE,
  basic_code TEXT NOT NULL,
  department_code TEXT NOT NULL REFERENCES departments (code),
  division_code TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  published_version INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX items_basic ON items (basic_code);
CREATE INDEX items_department ON items (department_code);

CREATE TABLE item_versions (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES items (id),
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'published', 'superseded')),
  data TEXT NOT NULL,
  guide TEXT NOT NULL,
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  submitted_at INTEGER,
  reviewed_by INTEGER,
  reviewed_at INTEGER,
  review_comment TEXT,
  published_at INTEGER,
  UNIQUE (item_id, version)
);

CREATE TABLE scenarios (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- themes and synonyms: data that editors maintain, not code.
CREATE TABLE catalog_lists (
  name TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
