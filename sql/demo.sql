-- sqlmig demo: run with `make demo` (sqlite3 on a fresh file database).
.load ./libsqlmig
.headers on
.mode column

.print '== 1. Register three revisions: each has an up script and the down script that reverts it'
INSERT INTO migrations(version, name, up, down) VALUES
  (1, 'create users',
      'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);',
      'DROP TABLE users;'),
  (2, 'add email',
      'ALTER TABLE users ADD COLUMN email TEXT;
       CREATE UNIQUE INDEX users_email ON users(email);',
      '-- a table rebuild (SQLite before 3.35 has no DROP COLUMN)
       DROP INDEX users_email;
       CREATE TABLE users_old(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
       INSERT INTO users_old SELECT id, name FROM users;
       DROP TABLE users;
       ALTER TABLE users_old RENAME TO users;'),
  (3, 'seed users',
      'INSERT INTO users(name, email) VALUES (''Ada'', ''ada@example.org''), (''Linus'', NULL);',
      'DELETE FROM users WHERE name IN (''Ada'', ''Linus'');');

.print ''
.print '== 2. What migrate() would do (nothing has run yet)'
SELECT step, version, name, direction FROM migrate_plan();

.print ''
.print '== 3. SELECT migrate(); applies them in one transaction and returns the version reached'
SELECT migrate() AS version;
SELECT version, name, applied_at IS NOT NULL AS applied, checksum FROM migrations;
SELECT * FROM users;

.print ''
.print '== 4. Revert one: DELETE it from the table, then migrate() runs its stored down script'
DELETE FROM migrations WHERE version = 3;
SELECT step, version, name, direction FROM migrate_plan();
SELECT migrate() AS version;
SELECT count(*) AS users_left FROM users;

.print ''
.print '== 5. migrate(0) reverts everything that is left; the revisions stay, pending'
SELECT migrate(0) AS version;
SELECT version, name, applied_at IS NOT NULL AS applied FROM migrations;
SELECT count(*) AS user_tables FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlmig%';

.print ''
.print '== 6. The history is an ordinary table, readable without the extension'
SELECT version, name, applied_at IS NOT NULL AS applied, deleted_at FROM sqlmig_history;
