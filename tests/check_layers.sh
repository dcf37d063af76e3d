#!/bin/sh
# No two files of ext/ call each other in a circle: the files form layers,
# each calling only files below it.
#
#   BUILD=build sh tests/check_layers.sh
#
# Reads the call graph between files from the objects `make` built
# (BUILD/obj/*.o, from ext/*.c): an edge A -> B for each symbol that A.o
# leaves undefined and B.o defines. Prints the edges, then "ok - ..." when
# the graph is acyclic (every file can be put below the files that call
# it), else "not ok - ..." with the files on a circle and the edges. Also checks
# that no function of ext/ is longer than MAXLINES lines (default 125: "about 120"),
# counting from the line that opens the body to the line that closes it.
BUILD=${BUILD:-build}
MAXLINES=${MAXLINES:-125}
cd "$(dirname "$0")/.." || exit 2
failed=0

objs=$(ls "$BUILD"/obj/*.o 2>/dev/null)
if [ -z "$objs" ]; then
  echo "not ok - ext/ files form layers: no objects in $BUILD/obj (run make first)"
  exit 1
fi

# "def FILE SYM" and "use FILE SYM" lines, then the edges FILE -> FILE.
edges=$(for o in $objs; do
  f=$(basename "$o" .o)
  nm "$o" | awk -v f="$f" '
    $1 == "U" { print "use", f, $2; next }
    NF == 3 && $2 ~ /^[TDBR]$/ { print "def", f, $3 }'
done | awk '
  $1 == "def" { owner[$3] = $2; next }
  { use[++n] = $2 " " $3 }
  END {
    for (i = 1; i <= n; i++) {
      split(use[i], p, " ")
      if ((p[2] in owner) && owner[p[2]] != p[1]) print p[1], owner[p[2]]
    }
  }' | sort -u)

# Kahn's algorithm: remove files that call no remaining file, repeatedly,
# then files that no remaining file calls: whatever stays is on a circle.
left=$(printf '%s\n' "$edges" | awk '
  NF == 2 { out[$1] = out[$1] " " $2; node[$1]; node[$2] }
  END {
    do {
      changed = 0
      for (a in node) {
        k = split(out[a], t, " "); live = 0
        for (j = 1; j <= k; j++) if (t[j] in node) live = 1
        if (!live) { delete node[a]; changed = 1 }
      }
    } while (changed)
    do {                     # then those no remaining file calls
      changed = 0
      for (b in node) {
        called = 0
        for (a in node) {
          k = split(out[a], t, " ")
          for (j = 1; j <= k; j++) if (t[j] == b) called = 1
        }
        if (!called) { delete node[b]; changed = 1 }
      }
    } while (changed)
    for (a in node) printf "%s ", a
  }')

if [ -z "$left" ]; then
  echo "ok - ext/ files form layers (no circle among $(printf '%s\n' "$edges" | grep -c .) calls between files)"
else
  echo "not ok - ext/ files form layers: a circle among: $left"
  printf '%s\n' "$edges" | sed 's/ / -> /; s/^/#   /'
  failed=1
fi

# Function length: a function's head starts at column 0 with a name and
# "(" (not a prototype: no ";" before its "{"), its body opens at the line
# of the head ending in "{" and closes at the next "}" at column 0.
long=$(awk -v max="$MAXLINES" '
  FNR == 1 { inbody = 0; head = 0 }
  !inbody && /^[A-Za-z_][^=]*\(/ {
    head = 1; name = $0; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
  }
  !inbody && head && /;[[:space:]]*$/ { head = 0 }
  !inbody && head && /\{[[:space:]]*$/ { inbody = 1; head = 0; start = FNR; next }
  inbody && /^\}/ {
    n = FNR - start - 1
    if (n > max) printf "%s:%d %s (%d lines)\n", FILENAME, start, name, n
    inbody = 0
  }
' ext/*.c)
if [ -z "$long" ]; then
  echo "ok - no function of ext/ over $MAXLINES lines"
else
  echo "not ok - no function of ext/ over $MAXLINES lines:"
  printf '%s\n' "$long" | sed 's/^/#   /'
  failed=1
fi
exit $failed
