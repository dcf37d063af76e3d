// The Go package installed in a module of its own: migrate_down() and
// migrate_diff through mattn's connections, and a file that is not a
// database (run by tests/check_go.sh; prints ok / not ok lines).
package main

import (
	"database/sql"
	"fmt"
	"os"
	"strings"

	sqlmig "github.com/sqlmig/sqlmig-go"
)

var failed bool

func check(name string, ok bool, why string) {
	if ok {
		fmt.Println("ok - go package: " + name)
	} else {
		failed = true
		fmt.Println("not ok - go package: " + name + ": " + why)
	}
}

func main() {
	db, err := sql.Open("sqlite3", "more.db")
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`INSERT INTO migrations(version, name, up, down) VALUES
	  (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)', 'DROP TABLE users'),
	  (2, 'email', 'ALTER TABLE users ADD COLUMN email TEXT', 'ALTER TABLE users DROP COLUMN email')`)
	var v, down sql.NullInt64
	if err == nil {
		err = db.QueryRow(`SELECT migrate()`).Scan(&v)
	}
	if err == nil {
		err = db.QueryRow(`SELECT migrate_down()`).Scan(&down)
	}
	check("migrate() then migrate_down() on a pooled connection", err == nil && v.Int64 == 2 && down.Int64 == 1,
		fmt.Sprint(err, v, down))
	var diff string
	err = db.QueryRow(`SELECT migrate_diff('main', 'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)')`).Scan(&diff)
	check("migrate_diff from main to a schema script", err == nil &&
		diff == "ALTER TABLE \"users\" ADD COLUMN \"name\" TEXT;\n", fmt.Sprintf("%v %q", err, diff))
	_, err = db.Exec(`INSERT INTO migrations(version, name, up, down) VALUES
	  (3, 'notes', 'CREATE TABLE notes(id INTEGER PRIMARY KEY)', 'DROP TABLE notes')`)
	if err == nil {
		_, err = db.Exec(`SELECT migrate()`)
	}
	var n int
	if err == nil {
		err = db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name IN ('notes', 'users')`).Scan(&n)
	}
	check("db.Exec(\"SELECT migrate()\") applies what is registered", err == nil && n == 2, fmt.Sprint(err, n))
	var lib string
	err = db.QueryRow(`SELECT sqlmig_version()`).Scan(&lib)
	check("sqlmig.Version is the library's sqlmig_version()", err == nil && lib == sqlmig.Version && lib != "",
		fmt.Sprint(err, lib, sqlmig.Version))
	db.Close()

	if err := os.WriteFile("notes.txt", []byte(strings.Repeat("not a database\n", 100)), 0o644); err != nil {
		panic(err)
	}
	bad, _ := sql.Open("sqlite3", "notes.txt")
	_, err = bad.Exec(`SELECT migrate()`)
	data, _ := os.ReadFile("notes.txt")
	check("a file that is not a database: the driver's error, the file unchanged",
		err != nil && strings.Contains(err.Error(), "file is not a database") &&
			string(data) == strings.Repeat("not a database\n", 100), fmt.Sprint(err))
	bad.Close()
	if failed {
		os.Exit(1)
	}
}
