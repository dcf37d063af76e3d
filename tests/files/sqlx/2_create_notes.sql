CREATE TABLE notes (
  id       INTEGER PRIMARY KEY,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body     TEXT NOT NULL,
  pinned   TEXT DEFAULT 'no'   -- 'yes' / 'no'; fixed in 3
);
CREATE INDEX notes_user ON notes(user_id);

INSERT INTO users(id, email, name) VALUES (1, 'ann@example.com', 'Ann');
INSERT INTO notes(user_id, body, pinned) VALUES (1, 'Buy milk; eggs', 'yes'), (1, 'Call Bob', 'no');
