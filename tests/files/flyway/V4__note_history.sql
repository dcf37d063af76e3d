CREATE TABLE note_history (
  note_id    INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  old_body   TEXT,
  changed_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TRIGGER notes_history AFTER UPDATE OF body ON notes
BEGIN
  INSERT INTO note_history(note_id, old_body) VALUES (OLD.id, OLD.body);
END;
