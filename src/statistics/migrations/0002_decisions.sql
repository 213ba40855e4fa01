-- One row per decided case, for the figures that need cases rather than sums: the "13550"
-- promises (a scenario's time is its slowest child's, known once every child is decided).
-- Written by the same consumer, in the same transaction as its position; the key makes a
-- replayed event change nothing.
CREATE TABLE stat_decisions (
  case_no TEXT PRIMARY KEY,
  parent_case_no TEXT,
  scenario_code TEXT,
  siblings INTEGER NOT NULL,
  item_code TEXT NOT NULL,
  department TEXT NOT NULL,
  day TEXT NOT NULL,
  workdays_used INTEGER NOT NULL
);
CREATE INDEX stat_decisions_day ON stat_decisions (day);
CREATE INDEX stat_decisions_parent ON stat_decisions (parent_case_no);
