DROP INDEX notes_user;
DROP TABLE notes;
DELETE FROM users WHERE id = 1;
