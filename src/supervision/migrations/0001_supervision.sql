-- Electronic supervision (电子监察, issue 8, STANDARDS §3): one row per accepted case, kept up
-- to date from the case outbox. The dates a case turns yellow and red are computed once per
-- transition from the calendar, so the board's counts for any day are index range counts,
-- never a recomputation of every case.
CREATE TABLE supervised_cases (
  case_id INTEGER PRIMARY KEY,
  case_no TEXT NOT NULL UNIQUE,
  item_name TEXT NOT NULL,
  department TEXT NOT NULL,
  division TEXT NOT NULL,
  accepted_on TEXT NOT NULL,
  limit_days INTEGER NOT NULL,
  deadline TEXT NOT NULL,          -- the last working day allowed
  warn_from TEXT NOT NULL,         -- first day of the warning (yellow)
  overdue_from TEXT NOT NULL,      -- first day overdue (red): the day after the deadline
  open INTEGER NOT NULL,           -- 0 once decided, refused, withdrawn or closed
  paused INTEGER NOT NULL,         -- 1 during a correction or a special procedure
  finished_on TEXT,
  finished_late INTEGER,
  updated_at INTEGER NOT NULL
);
-- The board reads only this index (covering): open cases by department and division with
-- their two dates; the drill-down walks it in deadline order.
CREATE INDEX supervised_board ON supervised_cases (open, department, division, paused, warn_from, overdue_from);
CREATE INDEX supervised_deadline ON supervised_cases (open, deadline);

-- Thresholds as configuration (supervisors may change them).
CREATE TABLE supervision_rules (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The consumer's position in the case outbox.
CREATE TABLE supervision_consumer (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
);
