-- The notes app at revision 4, as another tool left it: the four
-- golang-migrate up scripts, run in order.
-- 000001_create_users.up.sql
-- Accounts. Emails are unique, compared without case.
CREATE TABLE users (
  id    INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name  TEXT
);
-- 000002_create_notes.up.sql
CREATE TABLE notes (
  id       INTEGER PRIMARY KEY,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body     TEXT NOT NULL,
  pinned   TEXT DEFAULT 'no'   -- 'yes' / 'no'; fixed in 3
);
CREATE INDEX notes_user ON notes(user_id);

INSERT INTO users(id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO notes(user_id, body, pinned) VALUES (1, 'Buy milk; eggs', 'yes'), (1, 'Call Bob', 'no');
-- 000003_notes_pinned_boolean.up.sql
-- SQLite's 12-step rebuild, written as its documentation shows it:
-- pinned becomes an integer flag with a CHECK.
PRAGMA foreign_keys = OFF;
BEGIN TRANSACTION;

CREATE TABLE new_notes (
  id       INTEGER PRIMARY KEY,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body     TEXT NOT NULL,
  pinned   INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1))
);
INSERT INTO new_notes(id, user_id, body, pinned)
  SELECT id, user_id, body, pinned = 'yes' FROM notes;
DROP TABLE notes;
ALTER TABLE new_notes RENAME TO notes;
CREATE INDEX notes_user ON notes(user_id);

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
-- 000004_note_history.up.sql
CREATE TABLE note_history (
  note_id    INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  old_body   TEXT,
  changed_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TRIGGER notes_history AFTER UPDATE OF body ON notes
BEGIN
  INSERT INTO note_history(note_id, old_body) VALUES (OLD.id, OLD.body);
END;
