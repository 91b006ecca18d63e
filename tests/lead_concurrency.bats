#!/usr/bin/env bats
# crm-lead under contention and crashes: concurrent imports, a held write
# lock (exit 3), and an import killed mid-way.

load helpers

local_setup() {
	HOLDER=
	IMPORT=
}

teardown() {
	# never leave a lock holder or an import behind a failed test
	[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null || true
	[ -z "$IMPORT" ] || kill -9 "$IMPORT" 2>/dev/null || true
	exec 5>&- 6>&-
	wait 2>/dev/null || true
}

# gen FILE N PREFIX: a TSV of N leads with phones PREFIX followed by 8 digits.
gen() {
	awk -v n="$2" -v p="$3" 'BEGIN {
		print "name\tphone\temail"
		for (i = 1; i <= n; i++)
			printf "%s-%d\t%s%08d\t%s%d@example.cn\n", p, i, p, i, p, i
	}' >"$1"
}

# hold_lock: a shell of the engine takes the write lock and keeps it
# until release_lock; returns once the lock is held.  On PostgreSQL the
# writers' lock is the advisory lock "CRM1" (db_pg.c).
hold_lock() {
	mkfifo ctl
	if [ "$(engine)" = postgresql ]; then
		pg_psql -d "$(pg_db_of "$CRM_DB")" <ctl >holder.out 2>&1 3>&- &
		HOLDER=$!
		exec 6>ctl
		printf 'SELECT pg_advisory_lock(1129465137);\n\\! touch locked\n' >&6
	else
		sqlite3 "$CRM_DB" <ctl >holder.out 2>&1 3>&- &
		HOLDER=$!
		exec 6>ctl
		printf 'BEGIN IMMEDIATE;\n.system touch locked\n' >&6
	fi
	for i in $(seq 200); do
		[ -e locked ] && return 0
		sleep 0.05
	done
	echo "the lock holder never got the lock"; cat holder.out
	return 1
}

release_lock() {
	[ "$(engine)" = postgresql ] || printf 'ROLLBACK;\n' >&6
	exec 6>&-
	wait "$HOLDER"
	HOLDER=
}

# race A B: import A.tsv and B.tsv at once; each must succeed or be busy.
race() {
	crm-lead import -q "$1.tsv" >"$1.out" 2>"$1.err" 3>&- &
	local pa=$!
	crm-lead import -q "$2.tsv" >"$2.out" 2>"$2.err" 3>&- &
	local pb=$!
	# (a bare wait of a busy one would end the test under set -e)
	ra=0 rb=0
	wait "$pa" || ra=$?
	wait "$pb" || rb=$?
	for x in "$1:$ra" "$2:$rb"; do
		local f=${x%:*} rc=${x#*:}
		case $rc in
		0)	[ "$(count_rows <"$f.out")" = 3000 ] || { echo "$f: short output"; return 1; } ;;
		3)	[ ! -s "$f.out" ] || { echo "$f: output although busy"; return 1; }
			grep -q "is busy (waited [0-9]* s): try again" "$f.err" ||
			    { echo "$f: no busy message"; cat "$f.err"; return 1; } ;;
		*)	echo "$f: status $rc"; cat "$f.err"; return 1 ;;
		esac
	done
}

@test "two imports at once: both succeed or one is busy, nothing is lost or doubled" {
	printf 'name\tphone\nseed\t13000000000\n' | crm-lead import -q >/dev/null
	gen a.tsv 3000 152
	gen b.tsv 3000 153
	race a b
	want=$((1 + (ra == 0 ? 3000 : 0) + (rb == 0 ? 3000 : 0)))
	[ "$(sql "SELECT count(*) FROM customers")" = "$want" ]
	[ "$(crm-lead list | count_rows)" = "$want" ]
	integrity
	# each import is one batch with its own rows
	[ "$(sql "SELECT group_concat(rows, ',') FROM (SELECT rows FROM batches WHERE source LIKE '%.tsv' ORDER BY id) x")" = \
	    "$( { [ $ra = 0 ] && echo 3000; [ $rb = 0 ] && echo 3000; } | paste -sd,)" ]
	# the ids are dense: no row from a failed transaction is left
	[ "$(sql "SELECT max(id) FROM customers")" = "$want" ]
}

@test "N imports at once, each waiting its turn: every row in, one batch each (50 on PostgreSQL)" {
	if [ "$(engine)" = postgresql ]; then n=50; else n=8; fi
	printf 'name\tphone\nseed\t13000000000\n' | crm-lead import -q >/dev/null
	for k in $(seq 1 $n); do
		gen "i$k.tsv" 200 $((150 + k))
	done
	for k in $(seq 1 $n); do
		crm-lead import -q --wait 120 "i$k.tsv" >"i$k.out" 2>"i$k.err" 3>&- &
	done
	wait
	for k in $(seq 1 $n); do
		[ "$(count_rows <"i$k.out")" = 200 ] || { echo "i$k: $(cat "i$k.err")"; return 1; }
	done
	[ "$(sql "SELECT count(*) FROM customers")" = $((1 + 200 * n)) ]
	[ "$(sql "SELECT count(*) FROM batches WHERE command = 'crm-lead import' AND rows = 200")" = $n ]
	# no two imports wrote into each other's batch
	[ "$(sql "SELECT count(*) FROM (SELECT batch_id FROM customers GROUP BY batch_id HAVING count(*) <> 200 AND count(*) <> 1) x")" = 0 ]
	integrity
}

@test "two imports at once on a database that does not exist yet" {
	gen a.tsv 3000 152
	gen b.tsv 3000 153
	race a b
	[ "$ra" = 0 ] || [ "$rb" = 0 ]
	want=$(((ra == 0 ? 3000 : 0) + (rb == 0 ? 3000 : 0)))
	[ "$(sql "SELECT count(*) FROM customers")" = "$want" ]
	integrity
}

@test "a held write lock: writers exit 3 after --wait and change nothing; readers still work" {
	gen a.tsv 200 152
	crm-lead import -q a.tsv >/dev/null
	gen b.tsv 100 153
	before=$(dump | cksum)
	hold_lock
	run_split crm-lead import --wait 1 b.tsv
	assert_status 3
	[ -z "$output" ]
	[[ "$stderr" == *"database '$CRM_DB' is busy (waited 1 s): try again"* ]]
	for cmd in "add --name x" "qualify 1" "disqualify --reason x 1" "convert 1" \
	    "update 1 --region 华东" "merge 1 2" "import b.tsv"; do
		run_split crm-lead --wait 0 $cmd
		[ "$status" -eq 3 ] || { echo "$cmd: status $status: $stderr"; return 1; }
		[ -z "$output" ]
		[[ "$stderr" == *"is busy (waited 0 s): try again"* ]]
	done
	# readers are not blocked by a writer
	run_split crm-lead list --wait 0
	assert_status 0
	[ "$(count_rows <<<"$output")" = 200 ]
	run_split crm-lead show --wait 0 1
	assert_status 0
	run_split crm-lead check --wait 0 b.tsv
	assert_status 0
	release_lock
	[ "$(dump | cksum)" = "$before" ]
	# busy is safe to retry
	run_split crm-lead import -q --wait 0 b.tsv
	assert_status 0
	[ "$(sql "SELECT count(*) FROM customers")" = 300 ]
	integrity
}

# killed_import: kill -9 an import after it has written rows; the
# database must be as before, and the next import must work.
killed_import() {
	gen seed.tsv 100 150
	crm-lead import -q seed.tsv >/dev/null
	before=$(dump | cksum)
	gen big.tsv 10000 152
	head -n 8001 big.tsv >part1
	mkfifo in
	crm-lead import <in >out 2>err 3>&- &
	IMPORT=$!
	exec 5>in
	# The import reads 64 KiB at a time and writes the rows of a chunk
	# before it reads the next.  When cat is done, all but the pipe's
	# 64 KiB of part1's 310 KiB have been read: the rows of the first
	# three chunks, some 4,900, are written.  They sit in SQLite's page
	# cache, uncommitted, while the import waits for the rest.
	[ "$(wc -c <part1)" -gt $((4 * 65536)) ]
	cat part1 >&5
	sleep 0.2
	kill -0 "$IMPORT"	# still running: no end of input yet
	kill -9 "$IMPORT"
	wait "$IMPORT" || rc=$?
	IMPORT=
	exec 5>&-
	[ "$rc" -eq 137 ]
	[ ! -s out ]
	integrity
	[ "$(dump | cksum)" = "$before" ]
	[ "$(sql "SELECT count(*) FROM customers")" = 100 ]
	[ "$(crm-lead list | count_rows)" = 100 ]
	# the next import takes the lock at once and commits everything
	run_split crm-lead import -q --wait 0 big.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 10000 ]
	[ "$(sql "SELECT count(*) FROM customers")" = 10100 ]
	[ "$(sql "SELECT count(*) FROM batches WHERE source = 'big.tsv'")" = 1 ]
	integrity
}

@test "an import killed mid-way leaves the database as it was; the next import works" {
	killed_import
}

@test "an import killed in bulk (keys held back) leaves the keys and the rows as they were" {
	export CRM_IMPORT_BULK_ROWS=1000
	killed_import
	# every key of every customer in customer_keys, and no other
	[ "$(sql "SELECT count(*) FROM customer_keys")" = \
	    "$(sql "SELECT count(phone_key) + count(email_key) + count(company_key) FROM customers")" ]
	[ "$(sql "SELECT count(*) FROM customer_keys k LEFT JOIN customers c ON c.id = k.customer_id WHERE c.id IS NULL")" = 0 ]
}
