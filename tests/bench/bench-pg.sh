#!/bin/sh
# bench-pg.sh [N] [POOL] [CLAIMS]: crm on PostgreSQL beside its anchors,
# on a private server (tests/pg-server.sh) in a temporary directory,
# stopped on the way out.  Not part of make check.
#   1. crm-lead import of N generated leads (default 1,000,000) into a
#      new database, beside psql's \copy of the same CSV into a bare
#      table of text columns on the same server, one right after the
#      other: the ratio of the wall times (target: at most 3x).
#   2. 50 reps claiming at once from one pool of POOL customers (default
#      100,000), CLAIMS each (default 20), every claim one crm-pool claim
#      --next 1 process: claims per second over the whole run and the p99
#      latency of one claim, on PostgreSQL and on SQLite, same machine.
# Uses the programs in bin/ (make).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
pooln=${2:-100000}
claims=${3:-20}
clients=50
out=$top/tests/bench/out
mkdir -p "$out"
. "$top/tests/bench/pg.sh"
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
cc -O2 -o "$out/gen-leads" "$top/tests/bench/gen-leads.c"

# ---- 1. import --------------------------------------------------------------
"$out/gen-leads" -n "$n" --csv >"$out/leads.csv"
cols=$(head -n 1 "$out/leads.csv" | sed 's/,/ text, /g; s/$/ text/')
newdb anchor >/dev/null
psql_su -d anchor -c "CREATE TABLE leads ($cols)"
a=$(wall psql -X -q -h "$dir" -U postgres -d anchor \
    -c "\\copy leads FROM '$out/leads.csv' WITH (FORMAT csv, HEADER true)")
db=$(newdb imp)
CRM_DB=$db crm-user add boss --role admin -q >/dev/null
c=$(wall env CRM_DB="$db" crm-lead import --csv -q "$out/leads.csv")
rows=$(psql_su -A -t -d imp -c "SELECT count(*) FROM crm.customers")
printf "import of %s leads (%s created): crm-lead %ss, psql \\\\copy %ss: ratio %sx\\n" "$n" "$rows" "$c" "$a" "$(ratio "$c" "$a")"

# ---- 2. claims --------------------------------------------------------------
# setup DB: boss, rep1..rep50 in team east, pool east of POOL customers
setup() {
	CRM_DB=$1 crm-user add boss --role admin -q >/dev/null
	CRM_DB=$1 crm-db config test-clock on -q >/dev/null
	i=1
	while [ $i -le $clients ]; do
		CRM_DB=$1 crm-user add rep$i --team east -q >/dev/null
		i=$((i + 1))
	done
	CRM_DB=$1 crm-pool create east --members team:east -q >/dev/null
	awk -v n="$pooln" 'BEGIN { print "name\tphone\tpool"
		for (i = 1; i <= n; i++) printf "c%d\t137%08d\teast\n", i, i }' |
	    CRM_DB=$1 crm-lead import -q >/dev/null
}
# race DB ENGINE: 50 claimers, CLAIMS claims each; prints the figures
race() {
	rm -f "$out"/lat.*
	t0=$(date +%s.%N)
	k=1
	while [ $k -le $clients ]; do
		(
			j=0
			while [ $j -lt "$claims" ]; do
				s=$(date +%s%N)
				CRM_DB=$1 crm-pool --as rep$k --wait 60 claim --next 1 -p east \
				    -q >/dev/null 2>>"$out/err.$2" || true
				echo $((($(date +%s%N) - s) / 1000)) >>"$out/lat.$k"
				j=$((j + 1))
			done
		) &
		k=$((k + 1))
	done
	wait
	t1=$(date +%s.%N)
	total=$(cat "$out"/lat.* | wc -l)
	p99=$(cat "$out"/lat.* | sort -n | awk '{ v[NR] = $1 } END { print v[int(NR * 0.99 + 0.5)] / 1000 }')
	echo "$2: $total claims by $clients reps at once in $(echo "$t1 $t0" | awk '{ printf "%.1f", $1 - $2 }')s:" \
	    "$(echo "$total $t1 $t0" | awk '{ printf "%.1f", $1 / ($2 - $3) }') claims/s, p99 of one claim ${p99} ms"
}
db=$(newdb claims)
setup "$db"
race "$db" postgresql
rm -f "$out/claims.db" "$out/claims.db-wal" "$out/claims.db-shm"
setup "$out/claims.db"
race "$out/claims.db" sqlite
