-- A rater's own evaluations (GET /api/v1/me/evaluations) without a scan.
CREATE INDEX evaluations_account ON evaluations (account_id, id);
