CREATE INDEX IF NOT EXISTS identities_nid_idx ON identities (nid);
