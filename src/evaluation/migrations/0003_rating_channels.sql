-- Rating channels beyond the logged-in web (好差评, STANDARDS §6: web, phone, hall pad, SMS,
-- hotline). An in-person service recorded at a window (一次一评) is rated as its own subject:
-- its evaluation row carries the service's number (XC + business date + id) where a case's
-- carries the case number, so `evaluations.case_no` stays one rating per subject.
CREATE TABLE service_events (
  id INTEGER PRIMARY KEY,
  department TEXT NOT NULL,               -- the clerk's: a catalogue code, else the name the role carries
  window_name TEXT NOT NULL,              -- the window that served ("window" is reserved in PostgreSQL)
  item_code TEXT NOT NULL,                -- '' for a service described in words
  item_name TEXT NOT NULL,                -- the item's name, or the description
  case_no TEXT,                           -- the case it was about, if any
  applicant_account_id INTEGER,           -- a registered person, identified by resident ID at the window
  clerk_account_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX service_events_clerk ON service_events (clerk_account_id, id);

-- Single-use rating links: texted once a case has its result, or shown on the hall pad for a
-- service event. Only the token's SM3 digest is kept.
CREATE TABLE rating_links (
  id INTEGER PRIMARY KEY,
  token_digest TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'pad')),
  case_no TEXT UNIQUE,                    -- an SMS invitation: at most one per case
  service_event_id INTEGER UNIQUE REFERENCES service_events (id),
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  evaluation_id INTEGER,
  created_at INTEGER NOT NULL,
  CHECK ((case_no IS NULL) <> (service_event_id IS NULL))
);

-- How far the invitation consumer has read the case outbox.
CREATE TABLE evaluation_consumer (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
);
-- A database that already holds decided cases starts at the outbox's end, so upgrading does
-- not text every past applicant at once; a fresh one starts at the beginning (no row). The
-- one read of the cases module's table outside its code, on purpose and only here.
INSERT INTO evaluation_consumer (id, position) SELECT 1, max(id) FROM case_events HAVING count(*) > 0;
