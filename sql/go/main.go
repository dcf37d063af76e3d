// A program that migrates app.db at start-up with sqlmig.
//
// Importing github.com/sqlmig/sqlmig-go (the Go package `make dist` writes
// to dist/go) registers sqlmig on every connection mattn/go-sqlite3 opens:
// no shared library, no .load.
package main

import (
	"database/sql"
	"fmt"
	"log"

	_ "github.com/sqlmig/sqlmig-go"
)

// migrate runs the start-up idiom: register every revision, then migrate(),
// in one transaction on one connection.
func migrate(db *sql.DB) (version sql.NullInt64, err error) {
	tx, err := db.Begin()
	if err != nil {
		return version, err
	}
	defer tx.Rollback()
	if _, err = tx.Exec(`INSERT OR IGNORE INTO migrations(version, name, up, down)
	    VALUES (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)', 'DROP TABLE users')`); err != nil {
		return version, err
	}
	if err = tx.QueryRow(`SELECT migrate()`).Scan(&version); err != nil {
		return version, err
	}
	return version, tx.Commit()
}

func main() {
	db, err := sql.Open("sqlite3", "app.db")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	version, err := migrate(db)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("at version", version.Int64)
}
