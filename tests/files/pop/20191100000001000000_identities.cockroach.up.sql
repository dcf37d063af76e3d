CREATE TABLE identities(
  id UUID NOT NULL PRIMARY KEY,
  nid UUID,
  traits JSONB NOT NULL
);
