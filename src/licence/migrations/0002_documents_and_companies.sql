-- The rendered document of each licence version, in the blob store by its SM3 digest; and the
-- registered company that holds a company licence (its legal representative and agents see it).
ALTER TABLE licences ADD COLUMN pdf_sm3 TEXT;
ALTER TABLE licences ADD COLUMN holder_company_id INTEGER;
CREATE INDEX licences_company ON licences (holder_company_id);
