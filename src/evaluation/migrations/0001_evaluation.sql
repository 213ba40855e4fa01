-- Good/bad reviews (好差评, STANDARDS §6): one rating per case (一事一评), bad ones followed
-- through a call-back and, unless the facts were clear at once, a rectification with a
-- deadline in working days; appeals against mistaken or malicious reviews.
CREATE TABLE evaluations (
  id INTEGER PRIMARY KEY,
  case_no TEXT NOT NULL UNIQUE,
  department TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL,
  account_id INTEGER NOT NULL,            -- the rater (always known to the platform)
  anonymous INTEGER NOT NULL,             -- hidden from the department when 1
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),  -- 5 非常满意 … 1 非常不满意
  tags TEXT NOT NULL,
  comment TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('rated', 'callback_due', 'rectifying', 'rectified', 'removed')),
  ratings INTEGER NOT NULL,               -- 2 after a re-rating
  first_level INTEGER NOT NULL,
  callback_by INTEGER,
  callback_at INTEGER,
  callback_note TEXT,
  rectify_deadline TEXT,
  rectify_result TEXT,
  rectified_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX evaluations_department ON evaluations (department, state);
CREATE INDEX evaluations_item ON evaluations (item_code);

CREATE TABLE evaluation_appeals (
  id INTEGER PRIMARY KEY,
  evaluation_id INTEGER NOT NULL REFERENCES evaluations (id),
  reason TEXT NOT NULL,
  appealed_by INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'upheld', 'rejected')),
  decided_by INTEGER,
  decision_note TEXT,
  created_at INTEGER NOT NULL,
  decided_at INTEGER
);
CREATE INDEX evaluation_appeals_state ON evaluation_appeals (state);
