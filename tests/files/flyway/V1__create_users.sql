-- Accounts. Emails are unique, compared without case.
CREATE TABLE users (
  id    INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name  TEXT
);
