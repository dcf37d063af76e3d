.load ./libsqlmig
-- sqlmig recipe: generate a revision from the schema you want.
--
--   sqlite3 app.db < sql/autogenerate.sql      (from the repository root)
--
-- 1. Put the desired schema into an attached database (here in memory,
--    with qualified names; for a schema kept in a file, build it with
--    `rm -f desired.db && sqlite3 desired.db < schema.sql` and
--    `ATTACH 'desired.db' AS desired;` instead).
-- 2. Look at what would change, destructive steps first of all.
-- 3. One INSERT stores the revision with both scripts generated; migrate()
--    applies it. The down script brings the old schema back.
-- The suite runs this file (tests/diff_recipe.test), so it cannot go stale.
-- The database as the app has it today: revision 1 made it.
INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES
  (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);', 'DROP TABLE users;');
SELECT migrate();
INSERT INTO users(name) SELECT 'ada' WHERE NOT EXISTS (SELECT 1 FROM users);

-- 1. The desired schema.
ATTACH ':memory:' AS desired;
CREATE TABLE desired.users(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', email TEXT);
CREATE UNIQUE INDEX desired.users_email ON users(email);
CREATE TABLE desired.posts(id INTEGER PRIMARY KEY, author INTEGER REFERENCES users(id) ON DELETE CASCADE, body TEXT);
CREATE VIEW desired.post_count AS SELECT author, count(*) AS n FROM posts GROUP BY author;

-- 2. What would change.
SELECT seq, kind, object, change, destructive FROM migrate_changes('main', 'desired');

-- 3. Generate, store and apply the revision.
INSERT INTO migrations(version, name, up, down)
VALUES (2, 'sync with desired', migrate_diff('main', 'desired'), migrate_diff('desired', 'main'));
SELECT migrate();
SELECT migrate_diff('main', 'desired') = '' AS in_sync;
SELECT id, name, email FROM users;

-- The down script (stored with the revision) goes back to version 1.
SELECT migrate(1);
SELECT sql FROM sqlite_master WHERE name = 'users';
DETACH desired;
