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
