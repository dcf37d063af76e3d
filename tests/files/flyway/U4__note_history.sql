DROP TRIGGER notes_history;
DROP TABLE note_history;
