# helpers.bash: common setup for every bats file: a fresh database in a
# temporary directory, a fixed clock, no colour, no profile.
# Load with:  load helpers
#
# With CRM_TEST_PG set (the socket directory of tests/pg-server.sh) the
# fresh database is a PostgreSQL one on that server instead, owned by
# the login tester, and CRM_DB is its URI: the same tests, the other
# engine.  Tests that hold for one engine only say so with skip_on.

bats_require_minimum_version 1.5.0

# RUNS: how often the pipeline tests run each pipeline, on fresh
# databases: 10 times on SQLite, 5 on PostgreSQL, where each fresh
# database is a CREATE DATABASE.  The races they hunt are the library's
# (a writer reads its input before it takes the lock, prints after it
# commits); the server's own locking has its 50-client tests.  More runs
# with CRM_TEST_RUNS (20 was the rule until the suite outgrew CI's time).
if [ -n "${CRM_TEST_RUNS:-}" ]; then RUNS=$CRM_TEST_RUNS
elif [ -n "${CRM_TEST_PG:-}" ]; then RUNS=5; else RUNS=10; fi

# pg_psql ARGS...: psql as the server's superuser, on the test database.
pg_psql() {
	PGOPTIONS=--search_path=crm,public psql -X -q -v ON_ERROR_STOP=1 \
	    -h "$CRM_TEST_PG" -U postgres "$@"
}

# pg_new_db NAME: a new empty PostgreSQL database NAME (dropped first if
# there is one), owned by tester, in which anyone may create the crm
# schema; prints its URI.
pg_new_db() {
	pg_psql -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
	    -c "CREATE DATABASE $1 OWNER tester" \
	    -c "GRANT CREATE ON DATABASE $1 TO PUBLIC" >/dev/null 2>&1
	echo "postgresql:///$1?host=$CRM_TEST_PG"
}

# pg_fresh_db NAME: database NAME as new: made when there is none, else
# emptied (no crm schema, no groups of its own, no databases NAME_*,
# nobody connected), which costs a tenth of making one.
pg_fresh_db() {
	if [ -z "$(pg_psql -A -t -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" ]; then
		pg_new_db "$1" >/dev/null
		return
	fi
	pg_psql -A -t -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '$1\_%'" |
	    while read -r d; do
		pg_psql -d postgres -c "DROP DATABASE $d WITH (FORCE)" >/dev/null
	done
	pg_psql -d "$1" >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid();
DROP SCHEMA IF EXISTS crm CASCADE;
DO $$
DECLARE
	g text;
BEGIN
	FOREACH g IN ARRAY ARRAY[current_database() || '_crm_admin',
	    current_database() || '_crm_rep'] LOOP
		IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
			EXECUTE format('DROP OWNED BY %I CASCADE', g);
			EXECUTE format('DROP ROLE %I', g);
		END IF;
	END LOOP;
END $$;
SQL
}

# new_db: CRM_DB names a database that does not exist yet: a file name, or
# on PostgreSQL an empty database (the crm schema is what is missing):
# for a test's first, one per bats file, emptied for each of its tests;
# another in the same test is made beside it.
new_db() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		local base
		base=f$(printf %s "$BATS_FILE_TMPDIR" | md5sum | cut -c1-20)
		if [ "${PG_DB_TEST:-}" != "$BATS_TEST_TMPDIR" ]; then
			PG_DB_TEST=$BATS_TEST_TMPDIR PG_DB_N=0 PG_DB=$base
			pg_fresh_db "$PG_DB"
		else
			PG_DB_N=$((PG_DB_N + 1)) PG_DB=${base}_new$PG_DB_N
			pg_new_db "$PG_DB" >/dev/null
		fi
		CRM_DB="postgresql:///$PG_DB?host=$CRM_TEST_PG"
		export CRM_DB
	else
		rm -f "$BATS_TEST_TMPDIR/crm.db" "$BATS_TEST_TMPDIR/crm.db-wal" \
		    "$BATS_TEST_TMPDIR/crm.db-shm"
		export CRM_DB="$BATS_TEST_TMPDIR/crm.db"
	fi
}

# db_exists: is there a crm database at CRM_DB (a file; the crm schema)?
db_exists() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		[ "$(sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'crm'")" = 1 ]
	else
		[ -e "$CRM_DB" ]
	fi
}

# no_db: there is no crm database at CRM_DB (bats ignores a bare "!").
no_db() {
	! db_exists
}

# integrity: the engine's own check of the database finds nothing wrong.
integrity() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		[ "$(sql "SELECT 'ok'")" = ok ]
	else
		[ "$(sqlite3 "$CRM_DB" "PRAGMA integrity_check")" = ok ]
	fi
}

setup() {
	new_db
	export CRM_NOW="${CRM_NOW_FIXED:-2026-11-22T09:00:00Z}"
	export CRM_USER=tester NO_COLOR=1 CRM_RC=/dev/null TZ=UTC
	unset CRM_FORCE_TTY
	TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
	TESTDATA="${CRM_TESTDATA:-$TOP/tests/data/ext}"
	DATA="$TOP/tests/data"
	cd "$BATS_TEST_TMPDIR"
	if declare -F local_setup >/dev/null; then local_setup; fi
}

# run_split CMD...: like run, but stdout in $output and stderr in $stderr.
run_split() {
	run --separate-stderr "$@"
}

# assert_status N: fail with the command's stdout and stderr shown.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status"
		echo "stdout: $output"
		echo "stderr: ${stderr:-}"
		return 1
	fi
}

# field ROW COLUMN: the value of COLUMN (by header name) in row ROW (1 = first
# record) of TSV on stdin; "(no column C)" or "(no row N)" when there is
# none, so that an expected empty value cannot match a missing one.
field() {
	awk -F'\t' -v row="$1" -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i
			if (!c) { print "(no column " col ")"; exit 1 }
			next }
		NR == row + 1 { print $c; found = 1; exit }
		END { if (c && !found) print "(no row " row ")" }'
}

# count_rows: records (lines after the header) on stdin.
count_rows() {
	awk 'END { print (NR > 0 ? NR - 1 : 0) }'
}

# The test's PostgreSQL database stays for the next test (new_db empties
# it); the server goes with all of them when the run ends (pg-run.sh).
teardown() {
	:
}

# engine: the engine of the test database, "sqlite" or "postgresql".
engine() {
	if [ -n "${CRM_TEST_PG:-}" ]; then echo postgresql; else echo sqlite; fi
}

# skip_on ENGINE REASON: skip this test on ENGINE, saying which engine
# it holds for ("SQLite only: REASON", "PostgreSQL only: REASON"); the
# one way a test may be excused on one engine.
skip_on() {
	if [ "$(engine)" = "$1" ]; then
		case $1 in
		postgresql) skip "SQLite only: $2" ;;
		*) skip "PostgreSQL only: $2" ;;
		esac
	fi
}

# pg_db_of URI: the database a postgresql:///NAME?host=... URI names.
pg_db_of() {
	local d=${1#postgresql:///}
	echo "${d%%\?*}"
}

# db_named NAME: CRM_DB for the test's database NAME (see other_db).
db_named() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		echo "postgresql:///${PG_DB}_$(printf %s "$1" | tr -c 'a-z0-9\n' _)?host=$CRM_TEST_PG"
	else
		echo "$BATS_TEST_TMPDIR/$1"
	fi
}

# other_db NAME: CRM_DB for a second database of the test, a fresh one
# (none yet): the file NAME, or the PostgreSQL database <test's>_NAME.
other_db() {
	local to
	to=$(db_named "$1")
	if [ -n "${CRM_TEST_PG:-}" ]; then
		pg_new_db "$(pg_db_of "$to")" >/dev/null
	else
		rm -f "$to" "$to-wal" "$to-shm"
	fi
	echo "$to"
}

# copy_db TO: a copy of the database CRM_DB as other_db TO names it;
# prints its CRM_DB.
copy_db() {
	local to
	to=$(other_db "$1")
	if [ -n "${CRM_TEST_PG:-}" ]; then
		pg_psql -d postgres -c "DROP DATABASE $(pg_db_of "$to")" \
		    -c "CREATE DATABASE $(pg_db_of "$to") TEMPLATE $(pg_db_of "$CRM_DB")" \
		    -c "GRANT CREATE ON DATABASE $(pg_db_of "$to") TO PUBLIC" >/dev/null
	else
		sqlite3 "$CRM_DB" ".backup '$to'"
	fi
	echo "$to"
}

# dump: the whole content of the test database as text, to compare
# before and after: on PostgreSQL every row of every table of the crm
# schema, table by table, in the order of their text (one psql, where
# pg_dump takes many times as long).
dump() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		pg_psql -A -t -d "$(pg_db_of "$CRM_DB")" <<'SQL'
SELECT format('SELECT %L || '' '' || t::text FROM crm.%I t ORDER BY t::text', relname, relname)
FROM pg_class WHERE relnamespace = 'crm'::regnamespace AND relkind = 'r'
ORDER BY relname
\gexec
SQL
	else
		sqlite3 "$CRM_DB" .dump
	fi
}

# indexes: the indexes of the test database with their definitions.
indexes() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		sql "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'crm' ORDER BY 1"
	else
		sql "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
	fi
}

# sql_script: run the SQL on stdin in the test database, as sql does, and
# stop at the first error (sqlite3 -bail; psql ON_ERROR_STOP).
sql_script() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		pg_psql -A -t -F '	' -d "$(pg_db_of "$CRM_DB")" -f - |
		    awk -F'\t' -v OFS='\t' '/^(INSERT|UPDATE|DELETE|CREATE|DROP) / { next }
			{ for (i = 1; i <= NF; i++)
			if ($i == "t") $i = 1; else if ($i == "f") $i = 0; print }'
	else
		sqlite3 -bail -batch -noheader -separator '	' "$CRM_DB"
	fi
}

# sync_logins: after users were written with sql, give each its server
# login and group, as crm-user add does (PostgreSQL; nothing on SQLite).
sync_logins() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		sql "SELECT crm.sync_login(NULL, login, role, active = 1) FROM users" >/dev/null
	fi
}

# sql QUERY: read (or, to set a scene, write) the test database directly,
# bypassing the programs: sqlite3 on the file, psql as the superuser on
# PostgreSQL.  Values come tab-separated, NULL as an empty field, truth
# values as 1 and 0 on both (psql's t and f are turned into them: a text
# value "t" or "f" would be too).
sql() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		pg_psql -A -t -F '	' -d "$(pg_db_of "$CRM_DB")" -c "$1" |
		    awk -F'\t' -v OFS='\t' '{ for (i = 1; i <= NF; i++)
			if ($i == "t") $i = 1; else if ($i == "f") $i = 0; print }'
	else
		sqlite3 -batch -noheader -separator '	' "$CRM_DB" "$1"
	fi
}
