# load.tcl: loads sqlmig into Tcl's sqlite3 package and uses it.
#
#   tclsh tests/load.tcl ./libsqlmig.so
#
# Run by tests/run.sh (needs libsqlite3-tcl). Checks that the extension
# loads with `db enable_load_extension 1` and SQL load_extension(), that
# sqlmig_version() agrees with ext/sqlmig.h, and that a revision inserted
# into `migrations` is applied by migrate() and reverted by migrate(0).
# Prints one `ok - ` / `not ok - ` line per check; exits 1 when any failed.

package require sqlite3

set failed 0

# Prints the result line of one check.
proc check {name cond {why ""}} {
  global failed
  if {$cond} {
    puts "ok - tcl: $name"
  } else {
    incr failed
    puts "not ok - tcl: $name: $why"
  }
  flush stdout
}

# SQLMIG_VERSION from ext/sqlmig.h, or "".
proc header_version {} {
  set path [file join [file dirname [file normalize [info script]]] .. ext sqlmig.h]
  set f [open $path]
  set text [read $f]
  close $f
  if {[regexp {#define\s+SQLMIG_VERSION\s+"([^"]*)"} $text -> v]} {
    return $v
  }
  return ""
}

# Whether main has a table called $name.
proc table_exists {name} {
  db eval {SELECT count(*) FROM sqlite_master WHERE type='table' AND name=$name}
}

proc main {lib} {
  set tmp [file join [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}] \
           sqlmig-tcl-[pid]]
  file delete -force $tmp
  file mkdir $tmp
  sqlite3 db [file join $tmp test.db]
  db enable_load_extension 1
  set lib [file normalize $lib]
  if {[catch {db eval {SELECT load_extension($lib, 'sqlite3_sqlmig_init')}} err]} {
    check "load_extension($lib)" 0 $err
    db close
    file delete -force $tmp
    return
  }
  check "load_extension($lib)" 1

  set want [header_version]
  if {[catch {db onecolumn {SELECT sqlmig_version()}} got]} {
    check "sqlmig_version()" 0 $got
  } else {
    check "sqlmig_version()" [expr {$got eq $want}] \
        "got \"$got\", ext/sqlmig.h says \"$want\""
  }

  if {[catch {
    db eval {
      INSERT INTO migrations(version, name, up, down)
      VALUES (1, 'create tcl_t', 'CREATE TABLE tcl_t(x);', 'DROP TABLE tcl_t;')
    }
    set at [db onecolumn {SELECT migrate()}]
    check "migrate() applies a revision" \
        [expr {$at eq "1" && [table_exists tcl_t]}] \
        "migrate() returned \"$at\", tcl_t exists: [table_exists tcl_t]"
    set isnull [db onecolumn {SELECT migrate(0) IS NULL}]
    check "migrate(0) reverts it" \
        [expr {$isnull eq "1" && ![table_exists tcl_t]}] \
        "migrate(0) IS NULL: $isnull, tcl_t exists: [table_exists tcl_t]"
  } err]} {
    check "migrations table and migrate()" 0 $err
  }
  db close
  file delete -force $tmp
}

main [expr {$argc > 0 ? [lindex $argv 0] : "./libsqlmig.so"}]
exit [expr {$failed ? 1 : 0}]
