# sqlmig build. `make` builds ./libsqlmig.so; see README.md for the rest.
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -std=c99 -Wall -Wextra -pedantic -Wshadow -Wmissing-prototypes
PREFIX   ?= /usr/local
DESTDIR  ?=
# Where SQLite's headers and library come from (the system's by default).
SQLITE_CFLAGS ?=
SQLITE_LIBS   ?= -lsqlite3

UNAME := $(shell uname -s)
ifeq ($(UNAME),Darwin)
  SOEXT   := dylib
  SOFLAGS := -dynamiclib
else
  SOEXT   := so
  # -z defs: every symbol resolved at link time (SQLite comes through
  # sqlite3_api). -z noseparate-code: no page padding between the code and
  # the other segments (8 KB of the 100 KB size budget; same code).
  # -z norelro: no page padding before the relocated data that RELRO would
  # make read-only after loading (sqlmig reaches SQLite through the
  # sqlite3_api pointer, writable data whatever RELRO does), and data placed
  # right after the code in the file (common-page-size=64: at most 64 bytes
  # of padding instead of up to a page; pages still 4 KB aligned in memory).
  # No build-id note (80 bytes): nothing here looks it up.
  SOFLAGS := -shared -Wl,-z,defs -Wl,-z,noseparate-code -Wl,-z,norelro \
             -Wl,-z,common-page-size=64 -Wl,--build-id=none
endif

LIB     := libsqlmig.$(SOEXT)
SRC     := $(sort $(wildcard ext/*.c))
HDR     := ext/sqlmig.h ext/sqlmig_int.h
BUILD   := build
# No unwind tables: C code that never throws needs none (12 KB of the size
# budget); debuggers use -g, sanitizers frame pointers.
# -fno-plt: libc called through the GOT, without a PLT stub each (200 B).
EXTCFLAGS := $(WARN) -fPIC -fvisibility=hidden -fno-asynchronous-unwind-tables -fno-plt \
             $(SQLITE_CFLAGS) -Iext

.PHONY: FORCE all test test-long asan valgrind demo bench amalgamation static test-matrix install clean dist

all: $(LIB) sqlmig

# The library's code is compiled for size (LIBOPT, after CFLAGS: -Oz where
# the compiler has it, else -Os), except the tokenizer and the checksum
# that the start-up idiom runs for every revision (HOT, at HOTOPT): 119 KB
# stripped instead of 154 KB at -O2, as fast where it counts.
# `make LIBOPT= HOTOPT=` leaves CFLAGS alone.
LIBOPT  ?= $(shell $(CC) -Oz -x c -c -o /dev/null /dev/null 2>/dev/null && echo -Oz || echo -Os)
# The build for apps that only migrate (-DSQLMIG_OMIT_DIFF) is the one
# for size: the hot files at -Oz too (1.2 KB; README, Size).
HOTOPT  ?= $(if $(findstring SQLMIG_OMIT_DIFF,$(CFLAGS)),-Oz,-O2)
HOT     := token checksum
OBJ     := $(patsubst ext/%.c,$(BUILD)/obj/%.o,$(SRC))

# The flags the objects were built with: a build with other CFLAGS (say
# -DSQLMIG_OMIT_DIFF after a full one) rebuilds them instead of linking
# the old ones.
$(BUILD)/cflags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CFLAGS) $(LIBOPT) $(HOTOPT) $(EXTCFLAGS) $(SOFLAGS)' | cmp -s - $@ || \
	  echo '$(CC) $(CFLAGS) $(LIBOPT) $(HOTOPT) $(EXTCFLAGS) $(SOFLAGS)' >$@
FORCE:

$(BUILD)/obj/%.o: ext/%.c $(HDR) $(BUILD)/cflags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(if $(filter $*,$(HOT)),$(HOTOPT),$(LIBOPT)) $(EXTCFLAGS) -c -o $@ $<

$(LIB): $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EXTCFLAGS) $(SOFLAGS) -o $@ $(OBJ) $(LDFLAGS)

# The sqlmig command (ext/cli/): the library's sources compiled in with
# -DSQLITE_CORE next to the command's own, over the system SQLite. Built as
# $(BUILD)/sqlmig (so `make asan` gets a sanitized one) and copied to ./sqlmig.
CLISRC  := $(sort $(wildcard ext/cli/*.c))
CLIOBJ  := $(patsubst ext/%.c,$(BUILD)/cliobj/%.o,$(SRC) $(CLISRC))

$(BUILD)/cliobj/%.o: ext/%.c $(HDR) ext/cli/cli.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -DSQLITE_CORE $(SQLITE_CFLAGS) -Iext -c -o $@ $<

$(BUILD)/sqlmig: $(CLIOBJ)
	$(CC) $(CFLAGS) -o $@ $(CLIOBJ) $(SQLITE_LIBS) -lpthread $(LDFLAGS)

sqlmig: $(BUILD)/sqlmig
	cp $(BUILD)/sqlmig $@

# The scenario runner: a small C program over the system SQLite that loads
# the extension and checks each tests/*.test file.
$(BUILD)/runner: tests/runner.c | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) $(SQLITE_CFLAGS) -o $@ tests/runner.c $(SQLITE_LIBS) $(LDFLAGS)

$(BUILD)/ctest_%: tests/ctest_%.c tests/ctest.h $(SRC) $(HDR) $(BUILD)/cflags | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) $(SQLITE_CFLAGS) -Iext -o $@ $< $(SQLITE_LIBS) -lpthread $(LDFLAGS)

$(BUILD):
	mkdir -p $@

CTESTS := $(patsubst tests/ctest_%.c,$(BUILD)/ctest_%,$(wildcard tests/ctest_*.c))

test: $(LIB) $(BUILD)/runner $(CTESTS) $(BUILD)/sqlmig
	@LIB=./$(LIB) RUNNER=$(BUILD)/runner BUILD=$(BUILD) SQLMIG=$(BUILD)/sqlmig sh tests/run.sh

# The diff's property and syntax-fuzz tests over many more random schema
# pairs than `make test` (PAIRS, SEED to change them), and its
# allocation-failure test at every point.
PAIRS ?= 5000
SEED  ?= 1
test-long: $(LIB) $(BUILD)/ctest_diffprop $(BUILD)/ctest_difffuzz $(BUILD)/ctest_diffnomem
	LIB=./$(LIB) $(BUILD)/ctest_diffprop --pairs $(PAIRS) --seed $(SEED)
	LIB=./$(LIB) $(BUILD)/ctest_difffuzz --iters $$(( $(PAIRS) * 4 )) --seed $(SEED)
	LIB=./$(LIB) NOMEM_STRIDE=1 $(BUILD)/ctest_diffnomem

# The same suite under AddressSanitizer + UBSan, and under valgrind.
# (in build/asan, so the ordinary build stays as it is)
asan:
	$(MAKE) test BUILD=build/asan LIB=build/asan/libsqlmig.$(SOEXT) ASAN=1 \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined"

valgrind: $(LIB) $(BUILD)/runner $(CTESTS) $(BUILD)/sqlmig
	@LIB=./$(LIB) RUNNER=$(BUILD)/runner BUILD=$(BUILD) SQLMIG=$(BUILD)/sqlmig VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" sh tests/run.sh

demo: $(LIB)
	@rm -f $(BUILD)/demo.db; mkdir -p $(BUILD)
	sqlite3 $(BUILD)/demo.db < sql/demo.sql

# The single-file distribution for apps that compile SQLite in:
# amalgamation/sqlmig.c and sqlmig.h, generated from ext/ (not committed).
amalgamation:
	sh amalgamation/mkamal.sh

amalgamation/sqlmig.c: amalgamation/mkamal.sh $(SRC) $(HDR)
	sh amalgamation/mkamal.sh

# sqlmig compiled in (-DSQLITE_CORE) as a static library, for linking next
# to the system SQLite or the app's own sqlite3.c.
static: libsqlmig.a

libsqlmig.a: amalgamation/sqlmig.c | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) $(SQLITE_CFLAGS) -DSQLITE_CORE -c -o $(BUILD)/sqlmig-core.o amalgamation/sqlmig.c
	rm -f $@ && $(AR) rcs $@ $(BUILD)/sqlmig-core.o

# The scenario suite on SQLite 3.31.1, 3.44.2, 3.52.0 (fetched with npm and
# cached in ~/.cache/sqlmig) and the system SQLite, loadable and compiled in.
test-matrix:
	@CC="$(CC)" CFLAGS="$(CFLAGS)" BUILD=$(BUILD) sh tests/matrix.sh

# The benchmark driver (loads the extension at run time) and the budgets.
$(BUILD)/bench: bench/bench.c | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) $(SQLITE_CFLAGS) -o $@ bench/bench.c $(SQLITE_LIBS) $(LDFLAGS)

bench: $(LIB) $(BUILD)/bench sqlmig
	@LIB=./$(LIB) SQLMIG=./sqlmig BENCH=$(BUILD)/bench BUILD=$(BUILD) CC="$(CC)" \
	  EXTCFLAGS="$(EXTCFLAGS)" SOFLAGS="$(SOFLAGS)" LDFLAGS="$(LDFLAGS)" \
	  sh bench/run.sh

# The Python wheel, the npm tarball and the Go module folder in dist/,
# offline (ext/dist.sh; the README's "Packages" section).
dist: $(LIB)
	@LIB=./$(LIB) DIST=dist BUILD=$(BUILD) sh ext/dist.sh

install: $(LIB) sqlmig
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin
	install -m 755 sqlmig $(DESTDIR)$(PREFIX)/bin/sqlmig
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/$(LIB)
	install -m 644 ext/sqlmig.h $(DESTDIR)$(PREFIX)/include/sqlmig.h

clean:
	rm -rf $(BUILD) $(LIB) sqlmig libsqlmig.a tests/out amalgamation/sqlmig.c amalgamation/sqlmig.h dist
