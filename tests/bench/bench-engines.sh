#!/bin/sh
# bench-engines.sh [N]: the same crm commands on the same data, on SQLite
# and on PostgreSQL (a private server, tests/pg-server.sh, stopped on the
# way out), side by side in one table: N customers (default 100,000),
# 3N deals.  Each engine's database is made by the programs themselves
# (crm-lead import, crm-deal import: timed, they are rows of the table);
# reads are the best of three; writes run once, each on its own copy.
# Not part of make check.  Uses the programs in bin/ (make).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-100000}
out=$top/tests/bench/out
mkdir -p "$out"
. "$top/tests/bench/pg.sh"

# db ENGINE NAME: a new, empty database NAME of ENGINE; prints its CRM_DB
db() {
	if [ "$1" = sqlite ]; then
		rm -f "$out/$2.db" "$out/$2.db-wal" "$out/$2.db-shm"
		echo "$out/$2.db"
	else
		newdb "$2"
	fi
}
# copy ENGINE FROM NAME: a copy of database FROM as NAME; prints its CRM_DB
copy() {
	if [ "$1" = sqlite ]; then
		rm -f "$out/$3.db-wal" "$out/$3.db-shm"
		sqlite3 "$2" ".backup '$out/$3.db'"
		echo "$out/$3.db"
	else
		psql_su -d postgres -c "DROP DATABASE IF EXISTS $3" \
		    -c "CREATE DATABASE $3 TEMPLATE $(echo "${2#postgresql:///}" | cut -d'?' -f1)" >/dev/null
		echo "postgresql:///$3?host=$dir"
	fi
}
# best CMD...: the best wall seconds of three runs
best() {
	b=
	for i in 1 2 3; do
		t=$(wall "$@")
		b=$(echo "${b:-$t} $t" | awk '{ print ($2 < $1 ? $2 : $1) }')
	done
	echo "$b"
}
# median20 CMD...: the median wall milliseconds of 20 runs
median20() {
	for i in $(seq 20); do
		s=$(date +%s%N)
		"$@" >/dev/null
		echo $((($(date +%s%N) - s) / 1000))
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (v[10] + v[11]) / 2000 }'
}
row() {	# row WHAT SQLITE POSTGRESQL UNIT
	printf '| %s | %s %s | %s %s | %s |\n' "$1" "$2" "$4" "$3" "$4" \
	    "$(echo "$3 $2" | awk '{ printf "%.2fx", $1 / $2 }')"
}

cc -O2 -o "$out/gen-leads" "$top/tests/bench/gen-leads.c"
"$out/gen-leads" -n "$n" --dup-rate 0 --csv >"$out/engines-leads.csv"
awk -F, -v n=$((3 * n)) -v c="$n" '
	NR > 1 { co[NR - 2] = $2 }
	END {
		split("new qualified proposal negotiation", open, " ")
		split("li wang zhao qian sun", rep, " ")
		print "company,owner,title,amount,currency,stage,created_at,expected_close,closed_at,lost_reason"
		for (i = 0; i < n; i++) {
			r = i % 20
			d = (i * 7919) % 280
			created = sprintf("2026-%02d-%02d", 1 + int(d / 28), 1 + d % 28)
			closed = ""; reason = ""
			if (r < 12) stage = open[1 + i % 4]
			else if (r < 17) stage = "won"
			else { stage = "lost"; reason = "价格" }
			d += 1 + i % 50
			if (r >= 12 && d < 308)
				closed = sprintf("2026-%02d-%02d", 1 + int(d / 28), 1 + d % 28)
			else if (r >= 12) { stage = "new"; reason = "" }
			printf "%s,%s,单 %d,%d.%02d,CNY,%s,%s,2026-12-15,%s,%s\n", co[i % c],
			    rep[1 + i % 5], i, 1000 + i % 99000, i % 100, stage, created,
			    closed, reason
		}
	}' "$out/engines-leads.csv" >"$out/engines-deals.csv"

for e in sqlite postgresql; do
	base=$(db $e base)
	{
		CRM_DB=$base crm-user add boss --role admin -q
		CRM_DB=$base crm-db config timezone UTC -q
		for u in li wang zhao qian sun; do
			CRM_DB=$base crm-user add "$u" --team east -q
		done
		CRM_DB=$base crm-pool create east --members team:east \
		    --no-followup-days 30 -q
	} >/dev/null
	imp=$(copy $e "$base" imp)
	eval "import_$e=\$(wall env CRM_DB=\"\$imp\" crm-lead import --csv -q \"\$out/engines-leads.csv\")"
	eval "deals_$e=\$(wall env CRM_DB=\"\$imp\" crm-deal import --csv -q \"\$out/engines-deals.csv\")"
	full=$imp
	eval "list_$e=\$(best env CRM_DB=\"\$full\" crm-lead list)"
	eval "region_$e=\$(best env CRM_DB=\"\$full\" crm-lead list --region 华东 -m name=^张)"
	eval "export_$e=\$(best env CRM_DB=\"\$full\" crm-export -q --query customers)"
	eval "dlist_$e=\$(best env CRM_DB=\"\$full\" crm-deal list --open)"
	eval "rfm_$e=\$(best env CRM_DB=\"\$full\" crm-score rfm)"
	eval "funnel_$e=\$(best env CRM_DB=\"\$full\" crm-report funnel)"
	eval "perf_$e=\$(best env CRM_DB=\"\$full\" crm-report performance --period 2026)"
	eval "cust_$e=\$(median20 env CRM_DB=\"\$full\" crm-report customer $((n / 2 + 1)))"
	eval "add_$e=\$(median20 env CRM_DB=\"\$full\" crm-lead add -q --name 新客户)"
	w=$(copy $e "$full" w1)
	export CRM_DB=$w
	seq 1 $((n < 10000 ? n : 10000)) | awk 'BEGIN { print "id" } { print }' >"$out/ids.tsv"
	eval "assign_$e=\$(wall sh -c 'exec crm-assign --round-robin team:east -q <\"\$1\"' sh \"\$out/ids.tsv\")"
	eval "reclaim_$e=\$(wall crm-pool reclaim -q --now 2027-03-01T02:00:00Z)"
	unset CRM_DB
done

echo "# $n customers, $((3 * n)) deals; $(nproc) processors; $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| command | SQLite | PostgreSQL | PostgreSQL / SQLite |"
echo "|---|---|---|---|"
row "crm-lead import, $n leads" "$import_sqlite" "$import_postgresql" s
row "crm-deal import, $((3 * n)) deals" "$deals_sqlite" "$deals_postgresql" s
row "crm-lead list, all" "$list_sqlite" "$list_postgresql" s
row "crm-lead list --region -m name=" "$region_sqlite" "$region_postgresql" s
row "crm-export --query customers" "$export_sqlite" "$export_postgresql" s
row "crm-deal list --open" "$dlist_sqlite" "$dlist_postgresql" s
row "crm-score rfm" "$rfm_sqlite" "$rfm_postgresql" s
row "crm-report funnel" "$funnel_sqlite" "$funnel_postgresql" s
row "crm-report performance" "$perf_sqlite" "$perf_postgresql" s
row "crm-report customer ID, median of 20" "$cust_sqlite" "$cust_postgresql" ms
row "crm-lead add, median of 20" "$add_sqlite" "$add_postgresql" ms
row "crm-assign --round-robin, $((n < 10000 ? n : 10000)) ids" "$assign_sqlite" "$assign_postgresql" s
row "crm-pool reclaim" "$reclaim_sqlite" "$reclaim_postgresql" s
