# crm: a CRM toolkit for the Unix shell.  See README.md.
#   make          build bin/crm and bin/crm-*
#   make check    build (also with ASan+UBSan) and run every test, the
#                 shell tests on PostgreSQL too when its server is installed
#   make check-pg the shell tests on a private PostgreSQL server alone
#   make demo     build and run a pipeline on a fresh demo.db
#   make deps     install the Debian packages it needs (as root)
#   make install  PREFIX=/usr/local: programs, man pages, completions
#   make fuzz     libFuzzer target for the record reader (clang)

PROGS    = $(sort $(patsubst src/cmd/%.c,%,$(wildcard src/cmd/*.c)))
PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
PQINC    = -I/usr/include/postgresql
# libpq is not linked: db_pg.c loads it when a program connects to a server
LIBS     = -lsqlite3 -lcsv -lpcre2-8 -pthread
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Everything the build and the core tests use; LibreOffice, Chromium and
# PostgreSQL are larger and optional: .ci/run installs them, and the tests
# that need them are skipped, by name, where they are missing.
DEB_PKGS = build-essential libsqlite3-dev libpq-dev libcsv-dev libpcre2-dev libxlsxwriter-dev \
           libcmocka-dev bats mandoc sqlite3 pkg-config python3 unzip miller jq \
           clang libclang-rt-14-dev
HEADERS  = sqlite3.h libpq-fe.h csv.h pcre2.h cmocka.h
LIBSRC   = $(wildcard src/lib/*.c)
SCHEMA   = $(sort $(wildcard src/lib/schema/*.sql))
PGRIGHTS = src/lib/schema/pg/rights.sql

# B is the build directory: build/opt for bin/, build/san for the tests.
B        = build/opt
LIBOBJ   = $(LIBSRC:src/lib/%.c=$(B)/lib/%.o) $(B)/lib/schema.o $(B)/lib/pgrights.o
BINS     = bin/crm $(PROGS:%=bin/crm-%)

all: deps-ok $(BINS)

# ---- dependencies --------------------------------------------------------
deps-ok:
	@missing=""; for h in $(HEADERS); do \
	  printf '#include <%s>\n' $$h | $(CC) -DPCRE2_CODE_UNIT_WIDTH=8 $(PQINC) -E -x c - >/dev/null 2>&1 || missing="$$missing $$h"; \
	done; \
	if [ -n "$$missing" ]; then echo "missing headers:$$missing"; $(MAKE) --no-print-directory deps; fi

deps:
	@need=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || need="$$need $$p"; \
	done; \
	if [ -z "$$need" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$need"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$need; \
	else echo "deps: missing Debian packages:$$need"; echo "deps: run 'sudo make deps' or: sudo apt-get install$$need"; exit 1; fi

# ---- build ---------------------------------------------------------------
$(B)/lib/%.o: src/lib/%.c src/lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -c -o $@ $<

# libpq's header is in a directory of its own; only db_pg.c includes it.
$(B)/lib/db_pg.o: src/lib/db_pg.c src/lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(PQINC) $(CFLAGS) -c -o $@ $<

$(B)/lib/schema.c: $(SCHEMA) src/lib/schema src/gen/embed-sql.sh
	@mkdir -p $(@D)
	sh src/gen/embed-sql.sh $(SCHEMA) > $@

$(B)/lib/pgrights.c: $(PGRIGHTS) src/gen/embed-sql.sh
	@mkdir -p $(@D)
	sh src/gen/embed-sql.sh -n crm_pg_rights $(PGRIGHTS) > $@

$(B)/lib/schema.o $(B)/lib/pgrights.o: $(B)/lib/%.o: $(B)/lib/%.c
	$(CC) $(WARN) -Wno-missing-prototypes $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(B)/libcrm.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(B)/main.o: src/main.c src/crm.h src/lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/cmd/%.o: src/cmd/%.c src/cmd/%.opts src/crm.h src/lib/*.h src/lib/common.opts
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/bin/crm-%: $(B)/main.o $(B)/cmd/%.o $(B)/libcrm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(B)/main.o $(B)/cmd/$*.o $(B)/libcrm.a $(LIBS) $(EXTRA_LIBS_$*)

$(B)/bin/crm: src/crm.c src/lib/version.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -o $@ src/crm.c

EXTRA_LIBS_export = -lxlsxwriter

# A copy and a rename, so a program that is running is not "text file busy".
bin/%: $(B)/bin/%
	@mkdir -p bin
	cp $< $@.new && mv -f $@.new $@

# ---- tests ---------------------------------------------------------------
SAN = build/san
san:
	@$(MAKE) --no-print-directory B=$(SAN) CFLAGS="$(SANFLAGS)" \
	    $(SAN)/libcrm.a $(SAN)/bin/crm $(PROGS:%=$(SAN)/bin/crm-%)

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(SAN)/unit/%)
UNIT_BIN += $(SAN)/unit/render_demo	# driver for tests/render.bats
$(SAN)/unit/%: tests/unit/%.c $(SAN)/libcrm.a
	@mkdir -p $(@D)
	$(CC) $(WARN) -Wno-missing-prototypes $(SANFLAGS) -Isrc -Isrc/lib -o $@ $< $(SAN)/libcrm.a $(LIBS) -lxlsxwriter -lcmocka

check: deps all san fuzz-build
	@$(MAKE) --no-print-directory B=$(SAN) CFLAGS="$(SANFLAGS)" $(UNIT_BIN)
	@sh tests/run.sh $(SAN)

# The bats suite on PostgreSQL alone: a private server (tests/pg-run.sh),
# the sanitizer build; check runs it after the SQLite run (tests/run.sh).
check-pg: deps all san
	@$(MAKE) --no-print-directory B=$(SAN) CFLAGS="$(SANFLAGS)" $(UNIT_BIN)
	@sh tests/pg-run.sh $(SAN)

# ---- docs and completions -----------------------------------------------
# Rewrites completions/ and the OPTIONS block of every man/crm-NAME.1 that
# exists from `crm-NAME --dump-options`; src/gen/check-generated.sh checks it.
generated: all
	sh src/gen/gen-completions.sh bin completions
	@for p in $(PROGS); do \
	  if [ ! -f man/crm-$$p.1 ]; then echo "generated: no man/crm-$$p.1 yet (copy man/crm-lead.1)"; continue; fi; \
	  bin/crm-$$p --dump-options > man/crm-$$p.1.dump && \
	  awk -f src/gen/gen-man.awk man/crm-$$p.1.dump man/crm-$$p.1 > man/crm-$$p.1.new && \
	  rm -f man/crm-$$p.1.dump && \
	  { cmp -s man/crm-$$p.1.new man/crm-$$p.1 && rm -f man/crm-$$p.1.new || { mv man/crm-$$p.1.new man/crm-$$p.1; echo "generated: man/crm-$$p.1"; }; } \
	  || { rm -f man/crm-$$p.1.dump man/crm-$$p.1.new; exit 1; }; \
	done

# ---- demo ----------------------------------------------------------------
demo: all
	@sh share/demo/demo.sh

# ---- install -------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 completions/crm.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/crm
	for p in $(PROGS); do ln -sf crm $(DESTDIR)$(PREFIX)/share/bash-completion/completions/crm-$$p; done
	install -m 644 completions/_crm $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_crm
	install -m 644 completions/crm.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/crm.fish

# ---- fuzzing -------------------------------------------------------------
# make check builds the target (so it cannot rot); make fuzz also runs it.
FUZZ = build/fuzz/fuzz_rec
fuzz-build: $(FUZZ)
$(FUZZ): tests/fuzz/fuzz_rec.c $(LIBSRC) src/lib/*.h $(SCHEMA) $(PGRIGHTS)
	@mkdir -p build/fuzz
	sh src/gen/embed-sql.sh $(SCHEMA) > build/fuzz/schema.c
	sh src/gen/embed-sql.sh -n crm_pg_rights $(PGRIGHTS) >> build/fuzz/schema.c
	clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Isrc $(PQINC) \
	    -o $@ tests/fuzz/fuzz_rec.c $(LIBSRC) build/fuzz/schema.c $(LIBS) -lxlsxwriter

fuzz: deps-ok fuzz-build
	@mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_rec -max_total_time=$${FUZZ_SECONDS:-60} -artifact_prefix=build/fuzz/ \
	    build/fuzz/corpus tests/fuzz/corpus

clean:
	rm -rf build bin demo.db demo.db-wal demo.db-shm

.PHONY: all deps deps-ok check check-pg san demo install fuzz fuzz-build clean generated
.SECONDARY:
