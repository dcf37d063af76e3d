// dqtest: sqlmig on a 3-node dqlite cluster, one process per node.
//
//	dqtest test LIB        the checks (what tests/check_dqlite.sh runs)
//	dqtest node ...        one node (started by `test`; see nodeMain)
//
// Every node process registers sqlmig with sqlite3_auto_extension before
// app.New, so each connection dqlite opens (the leader's included) has it:
// registerSqlmig() dlopens LIB and hands its sqlite3_sqlmig_init to SQLite.
// The test process drives the nodes over their stdin/stdout, one JSON
// request and one JSON reply a line, and prints ok / not ok lines.
//
// Built offline on Debian 12 with golang-github-canonical-go-dqlite-dev
// (the v1 module, package app) and libdqlite-dev:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off CGO_LDFLAGS_ALLOW='-Wl,-z,now' \
//	  go build -tags libsqlite3 -o dqtest tests/dqlite/dqtest.go
package main

/*
#cgo LDFLAGS: -lsqlite3 -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <sqlite3.h>

// Registers the init function of the library at zPath for every new
// connection; returns NULL, or why not (static or dlerror's text).
static const char *sqlmigRegister(const char *zPath){
  void *h = dlopen(zPath, RTLD_NOW|RTLD_GLOBAL);
  void *pInit;
  if( h==0 ) return dlerror();
  pInit = dlsym(h, "sqlite3_sqlmig_init");
  if( pInit==0 ) return "no sqlite3_sqlmig_init in the library";
  if( sqlite3_auto_extension((void(*)(void))pInit)!=SQLITE_OK ){
    return "sqlite3_auto_extension failed";
  }
  return 0;
}
*/
import "C"

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/canonical/go-dqlite/app"
	"github.com/canonical/go-dqlite/client"
)

// registerSqlmig makes SQLite load sqlmig into every connection opened
// from now on in this process.
func registerSqlmig(lib string) error {
	z := C.CString(lib)
	defer C.free(unsafe.Pointer(z))
	if why := C.sqlmigRegister(z); why != nil {
		return fmt.Errorf("sqlmig: cannot load %s: %s", lib, C.GoString(why))
	}
	return nil
}

// request and reply: the protocol between the test and a node.
type request struct {
	Op  string   `json:"op"`  // exec, query, startup, leader, transfer
	SQL []string `json:"sql"` // statements (startup: the revisions' INSERT)
	ID  uint64   `json:"id"`  // transfer: the node to lead
}

type reply struct {
	Err  string     `json:"err,omitempty"`
	Rows [][]string `json:"rows,omitempty"`
	ID   uint64     `json:"id,omitempty"`
	// Retries: how often `database is locked` was retried.
	Retries int `json:"retries,omitempty"`
}

// retryable: dqlite answers a second writer with `database is locked` at
// once (no busy wait), and a pooled connection to a former leader fails
// with `driver: bad connection`; the start-up is one transaction, so the
// recipe retries both.
func retryable(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "database is locked") ||
		errors.Is(err, driver.ErrBadConn))
}

// startup is the recipe: on one connection, in one transaction, register
// every revision and migrate with the execute form; retried while the
// database is locked by another migrating client.
func startup(ctx context.Context, db *sql.DB, inserts []string) (int, error) {
	for retries := 0; ; retries++ {
		err := startupOnce(ctx, db, inserts)
		if !retryable(err) || retries == 200 {
			return retries, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func startupOnce(ctx context.Context, db *sql.DB, inserts []string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Foreign keys on: a rebuild must not fire ON DELETE CASCADE. A big
	// revision needs cache_spill off (dqlite 1.11 cannot read spilled pages).
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON; PRAGMA cache_spill = OFF"); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range inserts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "SELECT 1 WHERE migrate() < 0"); err != nil {
		return err
	}
	return tx.Commit()
}

// nodeMain: dqtest node ID DIR ADDRESS LIB [JOIN]. Prints {} when ready,
// then answers requests until stdin closes.
func nodeMain(args []string) {
	dir, addr, lib := args[1], args[2], args[3]
	out := json.NewEncoder(os.Stdout)
	fail := func(err error) {
		out.Encode(reply{Err: err.Error()})
		os.Exit(1)
	}
	if err := registerSqlmig(lib); err != nil {
		fail(err)
	}
	opts := []app.Option{app.WithAddress(addr),
		app.WithRolesAdjustmentFrequency(200 * time.Millisecond),
		app.WithLogFunc(func(client.LogLevel, string, ...interface{}) {})}
	if len(args) > 4 {
		opts = append(opts, app.WithCluster([]string{args[4]}))
	}
	node, err := app.New(dir, opts...)
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := node.Ready(ctx); err != nil {
		fail(err)
	}
	db, err := node.Open(ctx, "app")
	if err != nil {
		fail(err)
	}
	out.Encode(reply{ID: node.ID()})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		var req request
		var rep reply
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fail(err)
		}
		rctx, rcancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = serve(rctx, node, db, req, &rep)
		rcancel()
		if err != nil {
			rep.Err = err.Error()
		}
		out.Encode(rep)
	}
	db.Close()
	node.Handover(context.Background())
	node.Close()
}

func serve(ctx context.Context, node *app.App, db *sql.DB, req request, rep *reply) error {
	switch req.Op {
	case "startup":
		n, err := startup(ctx, db, req.SQL)
		rep.Retries = n
		return err
	case "exec":
		for _, s := range req.SQL {
			if _, err := db.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	case "query":
		for _, s := range req.SQL {
			rows, err := db.QueryContext(ctx, s)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				v := make([]sql.NullString, len(cols))
				p := make([]interface{}, len(cols))
				for i := range v {
					p[i] = &v[i]
				}
				if err := rows.Scan(p...); err != nil {
					rows.Close()
					return err
				}
				row := make([]string, len(cols))
				for i := range v {
					row[i] = "NULL"
					if v[i].Valid {
						row[i] = v[i].String
					}
				}
				rep.Rows = append(rep.Rows, row)
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return err
			}
		}
		return nil
	case "leader", "voters", "transfer":
		cli, err := node.Leader(ctx)
		if err != nil {
			return err
		}
		defer cli.Close()
		switch req.Op {
		case "leader":
			info, err := cli.Leader(ctx)
			if err != nil {
				return err
			}
			if info != nil {
				rep.ID = info.ID
			}
			return nil
		case "voters":
			nodes, err := cli.Cluster(ctx)
			for _, n := range nodes {
				if n.Role == client.Voter {
					rep.ID++
				}
			}
			return err
		default:
			return cli.Transfer(ctx, req.ID)
		}
	}
	return fmt.Errorf("unknown op %q", req.Op)
}

// ------------------------------------------------------------ the test

type proc struct {
	cmd  *exec.Cmd
	in   *json.Encoder
	out  *json.Decoder
	id   uint64
	addr string
	dir  string
	mu   sync.Mutex
}

var failed int

func check(name string, ok bool, why string, args ...interface{}) {
	if ok {
		fmt.Printf("ok - dqlite: %s\n", name)
	} else {
		failed++
		fmt.Printf("not ok - dqlite: %s: %s\n", name, fmt.Sprintf(why, args...))
	}
}

// start runs `dqtest node` and waits for its first reply.
func start(self, dir, addr, lib, join string) (*proc, reply) {
	args := []string{"node", dir, addr, lib}
	if join != "" {
		args = append(args, join)
	}
	p := &proc{cmd: exec.Command(self, args...), addr: addr, dir: dir}
	p.cmd.Stderr = os.Stderr
	w, _ := p.cmd.StdinPipe()
	r, _ := p.cmd.StdoutPipe()
	p.in, p.out = json.NewEncoder(w), json.NewDecoder(r)
	if err := p.cmd.Start(); err != nil {
		return nil, reply{Err: err.Error()}
	}
	var rep reply
	if err := p.out.Decode(&rep); err != nil {
		rep.Err = "no reply: " + err.Error()
	}
	p.id = rep.ID
	return p, rep
}

func (p *proc) call(req request) reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	var rep reply
	if err := p.in.Encode(req); err != nil {
		return reply{Err: err.Error()}
	}
	if err := p.out.Decode(&rep); err != nil {
		return reply{Err: "no reply: " + err.Error()}
	}
	return rep
}

func (p *proc) stop() {
	if p != nil && p.cmd.Process != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

// state: what a node serves as leader, as text: schema, history (without
// applied_at's clock), the rows of the app's tables.
const stateSQL = `SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name;
SELECT version || ' ' || coalesce(name, '') || ' ' || checksum || ' ' || (applied_at IS NOT NULL) || ' ' || coalesce(deleted_at, '-') FROM sqlmig_history ORDER BY version;
SELECT 'users ' || count(*) || ' ' || coalesce(group_concat(id || '=' || name), '') FROM users;
SELECT 'notes ' || count(*) || ' ' || coalesce(sum(user_id), 0) FROM notes;
SELECT 'log ' || coalesce(group_concat(v), '') FROM (SELECT v FROM applied_log ORDER BY rowid);
SELECT 'big ' || (SELECT count(*) FROM sqlite_master WHERE name = 'big') || ' ' || (SELECT count(*) FROM sqlmig_history WHERE version = 7 AND applied_at IS NOT NULL)`

func state(p *proc) (string, error) {
	rep := p.call(request{Op: "query", SQL: strings.Split(stateSQL, ";\n")})
	if rep.Err != "" {
		return "", errors.New(rep.Err)
	}
	var b strings.Builder
	for _, r := range rep.Rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return b.String(), nil
}

// leaderOf returns the leader's id as a node sees it, waiting for one.
func leaderOf(p *proc) uint64 {
	for i := 0; i < 100; i++ {
		if rep := p.call(request{Op: "leader"}); rep.Err == "" && rep.ID != 0 {
			return rep.ID
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0
}

// states: each live node's own copy, by making it the leader in turn.
func states(nodes []*proc) ([]string, error) {
	var all []string
	for _, n := range nodes {
		if n == nil {
			continue
		}
		var err error
		for try := 0; try < 50; try++ {
			if leaderOf(n) == n.id {
				break
			}
			if rep := n.call(request{Op: "transfer", ID: n.id}); rep.Err != "" {
				err = errors.New(rep.Err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if leaderOf(n) != n.id {
			return nil, fmt.Errorf("node %d cannot become leader: %v", n.id, err)
		}
		s, err := state(n)
		if err != nil {
			return nil, fmt.Errorf("node %d: %v", n.id, err)
		}
		all = append(all, s)
	}
	return all, nil
}

// allEqual: every live node holds want (or the first node's, want "").
func allEqual(name string, nodes []*proc, want string) string {
	all, err := states(nodes)
	if err != nil {
		check(name, false, "%v", err)
		return ""
	}
	if want == "" {
		want = all[0]
	}
	for i, s := range all {
		if s != want {
			check(name, false, "node %d holds\n%s\nwanted\n%s", i+1, indent(s), indent(want))
			return want
		}
	}
	check(name, true, "")
	return want
}

func indent(s string) string {
	return "#   " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n#   ")
}

func revision(v int, name, up, down string) string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	return fmt.Sprintf("INSERT OR IGNORE INTO migrations(version, name, up, down) VALUES (%d, %s, %s, %s)",
		v, q(name), q(up), q(down))
}

// The app's history: a table rebuild whose ON DELETE CASCADE children must
// keep their rows, and a log of which up scripts ran.
var history = []string{
	revision(1, "users", "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE applied_log(v)", "DROP TABLE users; DROP TABLE applied_log"),
	revision(2, "notes", "CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users ON DELETE CASCADE)", "DROP TABLE notes"),
	revision(3, "seed", "INSERT INTO users VALUES (1, 'ann'), (2, 'bob'); INSERT INTO notes VALUES (1, 1), (2, 2), (3, 2)", "DELETE FROM notes; DELETE FROM users"),
	revision(4, "name not null", "CREATE TABLE users_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO users_new SELECT * FROM users; DROP TABLE users; ALTER TABLE users_new RENAME TO users; INSERT INTO applied_log VALUES (4)",
		"CREATE TABLE users_old(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users_old SELECT * FROM users; DROP TABLE users; ALTER TABLE users_old RENAME TO users"),
}

func testMain(lib string) {
	self, _ := os.Executable()
	base, err := os.MkdirTemp("", "sqlmig-dqlite-")
	if err != nil {
		check("a scratch folder", false, "%v", err)
		return
	}
	defer os.RemoveAll(base)
	// Free loopback ports, one per node, picked by the kernel.
	addrs := map[int]string{}
	addr := func(i int) string {
		if addrs[i] == "" {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return "127.0.0.1:1"
			}
			addrs[i] = l.Addr().String()
			l.Close()
		}
		return addrs[i]
	}
	dir := func(i int) string {
		d := filepath.Join(base, fmt.Sprint("node", i))
		os.MkdirAll(d, 0o755)
		return d
	}

	// A node that cannot load sqlmig does not start.
	bad, rep := start(self, dir(9), addr(9), filepath.Join(base, "no-such-lib.so"), "")
	check("a node that cannot load sqlmig refuses to start",
		strings.HasPrefix(rep.Err, "sqlmig: cannot load "), "got %q", rep.Err)
	bad.stop()

	nodes := make([]*proc, 3)
	defer func() {
		for _, n := range nodes {
			n.stop()
		}
	}()
	for i := range nodes {
		join := ""
		if i > 0 {
			join = addr(0)
		}
		nodes[i], rep = start(self, dir(i), addr(i), lib, join)
		if rep.Err != "" {
			check(fmt.Sprint("node ", i+1, " starts"), false, "%s", rep.Err)
			return
		}
	}
	voters := uint64(0)
	for i := 0; i < 100 && voters < 3; i++ {
		voters = nodes[0].call(request{Op: "voters"}).ID
		time.Sleep(100 * time.Millisecond)
	}
	check("3 nodes, 3 voters", voters == 3, "%d voters", voters)
	if voters != 3 {
		return
	}

	// The start-up idiom through the leader (node 2's app: its driver
	// finds the leader).
	rep = nodes[1].call(request{Op: "startup", SQL: history})
	check("the start-up idiom applies revisions 1-4", rep.Err == "", "%s", rep.Err)
	want := "notes 3 5\n"
	s, _ := state(nodes[1])
	check("the rebuild keeps the ON DELETE CASCADE children", strings.Contains(s, want), "state:\n%s", indent(s))
	applied := allEqual("every node holds the same schema, history and rows", nodes, "")

	rep = nodes[2].call(request{Op: "startup", SQL: history})
	check("the start-up idiom again changes nothing", rep.Err == "", "%s", rep.Err)
	allEqual("... on every node", nodes, applied)

	// Why the execute form: dqlite's Exec rejects the row of SELECT migrate().
	rep = nodes[0].call(request{Op: "exec", SQL: []string{"SELECT migrate()"}})
	check("Exec of SELECT migrate() is refused for its row (so the recipe uses the execute form)",
		strings.Contains(rep.Err, "another row available"), "got %q", rep.Err)

	// A failing revision: every node as it was.
	bad5 := append(append([]string{}, history...), revision(5, "bad",
		"CREATE TABLE t5(x); INSERT INTO t5 VALUES (1); INSERT INTO nosuch VALUES (1)", "DROP TABLE t5"))
	rep = nodes[0].call(request{Op: "startup", SQL: bad5})
	check("a failing revision fails naming it",
		strings.Contains(rep.Err, `up script of revision 5 "bad" failed: no such table: nosuch`), "got %q", rep.Err)
	allEqual("a failing revision leaves every node as it was", nodes, applied)

	// migrate_down() reverts on all.
	rep = nodes[2].call(request{Op: "exec", SQL: []string{"SELECT 1 WHERE migrate_down() < 0"}})
	check("migrate_down() through the execute form", rep.Err == "", "%s", rep.Err)
	s, _ = state(nodes[2])
	check("revision 4 reverted", strings.Contains(s, "4 name not null") && !strings.Contains(s, "NOT NULL)"), "state:\n%s", indent(s))
	allEqual("migrate_down() reverted it on every node", nodes, "")

	// Two app processes on two nodes start up at once: revision 6 once.
	six := append(append([]string{}, history...), revision(6, "six",
		"CREATE TABLE t6(x); INSERT INTO applied_log VALUES (6)", "DROP TABLE t6"))
	var wg sync.WaitGroup
	reps := make([]reply, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			reps[i] = nodes[i+1].call(request{Op: "startup", SQL: six})
		}(i)
	}
	wg.Wait()
	check("two start-ups at once both succeed (retrying `database is locked`)",
		reps[0].Err == "" && reps[1].Err == "", "%q / %q", reps[0].Err, reps[1].Err)
	s, _ = state(nodes[0])
	check("... and each up script ran once", strings.Contains(s, "log 4,4,6\n"), "state:\n%s", indent(s))
	allEqual("... the same on every node", nodes, "")

	// The leader killed while a long revision runs: before or after,
	// never between; the next start-up finishes.
	seven := append(append([]string{}, six...), revision(7, "big",
		"CREATE TABLE big(i INTEGER PRIMARY KEY, pad TEXT); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 2000000) INSERT INTO big SELECT i / 40, hex(randomblob(16)) FROM c WHERE i % 40 = 0",
		"DROP TABLE big"))
	leader := leaderOf(nodes[0])
	var victim, caller *proc
	for _, n := range nodes {
		if n.id == leader {
			victim = n
		} else if caller == nil {
			caller = n
		}
	}
	done := make(chan reply)
	t0 := time.Now()
	go func() { done <- caller.call(request{Op: "startup", SQL: seven}) }()
	time.Sleep(150 * time.Millisecond)
	victim.cmd.Process.Signal(syscall.SIGKILL)
	victim.cmd.Wait()
	rep = <-done
	fmt.Printf("# the start-up during the kill: %q after %v\n", rep.Err, time.Since(t0))
	live := []*proc{}
	for _, n := range nodes {
		if n != victim {
			live = append(live, n)
		}
	}
	newLeader := leaderOf(caller)
	check("a new leader after SIGKILL", newLeader != 0 && newLeader != victim.id, "leader %d", newLeader)
	s, err = state(caller)
	before := strings.Contains(s, "big 0 0")
	after := strings.Contains(s, "big 1 1")
	fmt.Printf("# after the kill the new leader is %s revision 7\n", map[bool]string{true: "after", false: "before"}[after])
	check("the new leader is before or after the revision, never between", err == nil && (before || after),
		"%v state:\n%s", err, indent(s))
	rep = caller.call(request{Op: "startup", SQL: seven})
	check("the next start-up finishes the job", rep.Err == "", "%s", rep.Err)
	s, _ = state(caller)
	check("... revision 7 applied", strings.Contains(s, "big 1 1"), "state:\n%s", indent(s))
	rows := caller.call(request{Op: "query", SQL: []string{"SELECT count(*) FROM big"}})
	check("... with all its rows", rows.Err == "" && len(rows.Rows) == 1 && rows.Rows[0][0] == "50000", "%v %s", rows.Rows, rows.Err)

	// The killed node comes back and catches up.
	for i, n := range nodes {
		if n == victim {
			nodes[i], rep = start(self, n.dir, n.addr, lib, "")
			if rep.Err != "" {
				check("the killed node restarts", false, "%s", rep.Err)
				nodes[i] = nil
			}
		}
	}
	allEqual("after the restart every node holds the same", nodes, "")
}

func main() {
	if len(os.Args) >= 5 && os.Args[1] == "node" {
		nodeMain(os.Args[1:])
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "test" {
		testMain(os.Args[2])
		if failed > 0 {
			os.Exit(1)
		}
		return
	}
	fmt.Fprintln(os.Stderr, "usage: dqtest test LIB | dqtest node DIR ADDRESS LIB [JOIN]")
	os.Exit(2)
}
