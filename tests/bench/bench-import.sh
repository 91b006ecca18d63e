#!/bin/sh
# bench-import.sh [N] [RUNS]: crm-lead import of N generated leads (default
# 1,000,000) beside the anchor, sqlite3's .import of the same CSV into a
# bare table: RUNS rounds (default 3), each the anchor and then the import
# on fresh files, one right after the other, so both see the same machine;
# the ratio is of the medians (target: at most 3x).  Wall seconds decide;
# CPU seconds (user + system, all threads) are shown beside them, as the
# import reads and parses in a second thread.  Then peak memory at N/10
# and N (it must not grow with the input), what SQLite alone takes to
# write the same end state (the floor), and crm-lead add of one lead into
# the N-lead database (target: < 10 ms).  Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
runs=${2:-3}
out=$top/tests/bench/out
mkdir -p "$out"
PATH=$top/bin:$PATH
export CRM_RC=/dev/null
unset CRM_NOW CRM_IMPORT_BULK_ROWS
cc -O2 -o "$out/gen-leads" "$top/tests/bench/gen-leads.c"
"$out/gen-leads" -n "$n" --csv > "$out/leads.csv"
"$out/gen-leads" -n $((n / 10)) --csv > "$out/leads-small.csv"

# "WALL CPU PEAK_KB" of a command
measure() {
	/usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" > /dev/null
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$out/time"
}
fresh() { rm -f "$1" "$1-wal" "$1-shm"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }

: > "$out/runs"
i=1
while [ $i -le "$runs" ]; do
	fresh "$out/anchor.db"
	a=$(measure sqlite3 "$out/anchor.db" ".import --csv $out/leads.csv leads")
	fresh "$out/crm.db"
	c=$(measure env CRM_DB="$out/crm.db" crm-lead import --csv -q "$out/leads.csv")
	echo "$a $c" >> "$out/runs"
	set -- $a $c
	echo "run $i: sqlite3 .import ${1}s (cpu ${2}s), crm-lead import ${4}s (cpu ${5}s, peak $(($6 / 1024)) MB): $(ratio "$4" "$1")x"
	i=$((i + 1))
done
anchor=$(awk '{ print $1 }' "$out/runs" | median)
ours=$(awk '{ print $4 }' "$out/runs" | median)
anchor_cpu=$(awk '{ print $2 }' "$out/runs" | median)
ours_cpu=$(awk '{ print $5 }' "$out/runs" | median)
peak=$(awk '{ print $6 }' "$out/runs" | median)
rows=$(sqlite3 "$out/crm.db" "SELECT count(*) FROM customers")
echo "import of $n leads ($rows created, the rest duplicates), median of $runs: crm-lead ${ours}s, sqlite3 .import ${anchor}s: ratio $(ratio "$ours" "$anchor")x (cpu ${ours_cpu}s / ${anchor_cpu}s: $(ratio "$ours_cpu" "$anchor_cpu")x)"

fresh "$out/small.db"
set -- $(measure env CRM_DB="$out/small.db" crm-lead import --csv -q "$out/leads-small.csv")
echo "peak memory: $(($3 / 1024)) MB for $((n / 10)) leads, $((peak / 1024)) MB for $n leads"

# What SQLite itself needs, beside the anchor, to show where the floor is:
# the end state alone, our rows and keys copied into an empty database of
# our schema (no parsing, no checks, no duplicates, no output).
fresh "$out/floor.db"
sqlite3 "$out/crm.db" .schema |
    sqlite3 "$out/floor.db" "PRAGMA journal_mode=WAL" ".read /dev/stdin" > /dev/null
set -- $(measure sqlite3 "$out/floor.db" "PRAGMA cache_size=-65536" \
    "PRAGMA foreign_keys=ON" "ATTACH '$out/crm.db' AS c" "BEGIN" \
    "INSERT INTO batches SELECT * FROM c.batches" \
    "INSERT INTO customers SELECT * FROM c.customers" \
    "INSERT INTO customer_keys SELECT * FROM c.customer_keys" "COMMIT")
echo "sqlite3 alone writing the same end state (copied from the result): ${1}s (cpu ${2}s): $(ratio "$1" "$anchor")x the anchor"

# One add into the big database: best and median of 21 runs, wall clock.
i=0
: > "$out/add-times"
while [ $i -lt 21 ]; do
	s=$(date +%s%N)
	CRM_DB="$out/crm.db" crm-lead add -q --name "基准$i" --phone "1990000$(printf %04d $i)" > /dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000)) >> "$out/add-times"
	i=$((i + 1))
done
sort -n "$out/add-times" | awk '{ t[NR] = $1 } END { printf "crm-lead add into %s leads: best %.1f ms, median %.1f ms (target < 10 ms)\n", "'"$rows"'", t[1] / 1000, t[11] / 1000 }'
