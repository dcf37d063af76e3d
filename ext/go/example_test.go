package sqlmig_test

import (
	"database/sql"
	"fmt"
	"log"

	sqlmig "github.com/sqlmig/sqlmig-go"
)

// The start-up idiom on a connection the driver opened: sqlmig is there
// without any loading.
func Example() {
	db, err := sql.Open("sqlite3", "file:example?mode=memory&cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		log.Fatal(err)
	}
	if _, err = tx.Exec(`INSERT OR IGNORE INTO migrations(version, name, up, down)
	    VALUES (1, 'users', 'CREATE TABLE users(id INTEGER PRIMARY KEY)', 'DROP TABLE users')`); err != nil {
		log.Fatal(err)
	}
	var version int
	if err = tx.QueryRow(`SELECT migrate()`).Scan(&version); err != nil {
		log.Fatal(err)
	}
	if err = tx.Commit(); err != nil {
		log.Fatal(err)
	}
	var libVersion string
	if err = db.QueryRow(`SELECT sqlmig_version()`).Scan(&libVersion); err != nil {
		log.Fatal(err)
	}
	fmt.Println("at version", version, libVersion == sqlmig.Version)
	// Output: at version 1 true
}
