-- Supervision orders (督办): a supervisor orders a department to act on a case or a matter and
-- reply within working days; the reply and the closure are tracked.
CREATE TABLE supervision_orders (
  id INTEGER PRIMARY KEY,
  department TEXT NOT NULL,
  case_no TEXT,
  subject TEXT NOT NULL,
  content TEXT NOT NULL,
  reply_deadline TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'replied', 'closed')),
  issued_by INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  reply TEXT,
  replied_by INTEGER,
  replied_at INTEGER,
  closing_note TEXT,
  closed_by INTEGER,
  closed_at INTEGER
);
CREATE INDEX supervision_orders_department ON supervision_orders (department, state);
