PRAGMA foreign_keys = OFF;
BEGIN TRANSACTION;
CREATE TABLE old_notes (
  id       INTEGER PRIMARY KEY,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body     TEXT NOT NULL,
  pinned   TEXT DEFAULT 'no'
);
INSERT INTO old_notes(id, user_id, body, pinned)
  SELECT id, user_id, body, CASE pinned WHEN 1 THEN 'yes' ELSE 'no' END FROM notes;
DROP TABLE notes;
ALTER TABLE old_notes RENAME TO notes;
CREATE INDEX notes_user ON notes(user_id);
COMMIT;
PRAGMA foreign_keys = ON;
