-- What a search result lists, kept apart from the full item so a result page does not
-- parse twenty whole items (bench/catalog: 40 % of a search's time).
ALTER TABLE items ADD COLUMN summary TEXT;
