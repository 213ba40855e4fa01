-- Supervision alerts (监察预警 / 异常, issue 8): one row per case or item and kind, raised by
-- the outbox consumer and its daily sweep, cleared when the condition ends. A row is never
-- duplicated: a cleared alert that comes back is reopened, and only a new row notifies.
CREATE TABLE supervision_alerts (
  id INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,            -- 'case:<case_no>' or 'item:<impl_code>'
  kind TEXT NOT NULL CHECK (kind IN ('case_warning', 'case_overdue', 'closed_without_delivery',
                                     'result_without_licence', 'step_without_role', 'item_incomplete')),
  case_no TEXT,
  item_code TEXT,
  title TEXT NOT NULL,              -- the item's name
  department TEXT NOT NULL,         -- catalogue code
  division TEXT NOT NULL,
  detail TEXT NOT NULL,             -- JSON: what was found
  raised_at INTEGER NOT NULL,
  cleared_at INTEGER,
  UNIQUE (subject, kind)
);
CREATE INDEX supervision_alerts_department ON supervision_alerts (department, cleared_at);
CREATE INDEX supervision_alerts_kind ON supervision_alerts (kind, cleared_at);

-- The daily sweep finds the cases whose warning or overdue day came since the last sweep by a
-- range over these dates, never by reading every open case.
CREATE INDEX supervised_warn ON supervised_cases (open, warn_from, case_id);
CREATE INDEX supervised_overdue ON supervised_cases (open, overdue_from, case_id);

-- When the sweep last ran (a business date) and up to which publication time it has checked
-- the catalogue's items.
CREATE TABLE supervision_sweeps (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  swept_on TEXT NOT NULL,
  items_checked_to INTEGER NOT NULL
);

-- Approved cases whose item yields a licence, waiting until the licence consumer has read
-- their decision: then either the licence is there or the alert is raised.
CREATE TABLE supervision_licence_checks (
  case_no TEXT PRIMARY KEY,
  decided_position INTEGER NOT NULL,
  licence_type TEXT NOT NULL
);
CREATE INDEX supervision_licence_checks_position ON supervision_licence_checks (decided_position);
