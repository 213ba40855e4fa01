-- Administrative divisions (GB/T 2260 and the statistical codes): city, counties and
-- districts, townships and streets, villages and communities.
CREATE TABLE divisions (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
  parent_code TEXT
);
CREATE INDEX divisions_parent ON divisions (parent_code, code);

-- The working-day calendar, one row per loaded year and one per day that differs from
-- the Monday–Friday rule (is_off_day 1 = public holiday, 0 = make-up working day).
CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY,
  revision INTEGER NOT NULL,
  source TEXT NOT NULL,
  loaded_at INTEGER NOT NULL
);
CREATE TABLE calendar_days (
  day TEXT PRIMARY KEY,
  year INTEGER NOT NULL REFERENCES calendar_years (year),
  is_off_day INTEGER NOT NULL CHECK (is_off_day IN (0, 1)),
  name TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days (year);
