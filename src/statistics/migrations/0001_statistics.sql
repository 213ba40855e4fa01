-- Performance statistics (issue 8): counters per business day, department, item and channel,
-- added from the case outbox in the same transaction that moves the consumer's position, so a
-- consumer stopped at any point resumes without counting anything twice.
CREATE TABLE stat_counters (
  day TEXT NOT NULL,
  department TEXT NOT NULL,
  item_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  metric TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (day, department, item_code, channel, metric)
);
CREATE INDEX stat_counters_metric ON stat_counters (metric, day);

CREATE TABLE stat_consumer (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
);
