#!/bin/sh
# bench-export.sh [N]: crm-export --query customers of N generated customers
# (default 1,000,000) to Excel CSV, beside the anchor, `sqlite3 -csv` of the
# same query (the SELECT of crm_customers_open, the same parameters), in the
# same run: wall time of each, best of 3, and the ratio (target <= 1.5x).
# Then --xlsx of the same rows: wall time and peak memory (target < 100 MB).
# The database is made once with crm-lead import and kept in
# tests/bench/out/export-N.db.  Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
out=$top/tests/bench/out
mkdir -p "$out"
PATH=$top/bin:$PATH
db=$out/export-$n.db
if [ ! -f "$db" ]; then
	cc -O2 -o "$out/gen-leads" "$top/tests/bench/gen-leads.c"
	"$out/gen-leads" -n "$n" --csv >"$out/export-leads.csv"
	CRM_DB=$db crm-lead import --csv -q "$out/export-leads.csv" >/dev/null
	rm -f "$out/export-leads.csv"
fi
rows=$(sqlite3 "$db" "SELECT count(*) FROM customers WHERE merged_into IS NULL")

# The statement crm_customers_open() runs (src/lib/customer.c), with its
# parameters as crm-export binds them: no filters, live customers only.
cat >"$out/export-query.sql" <<'EOF'
.parameter init
.parameter set ?9 0
.parameter set ?10 0
SELECT c.id, c.name, c.company, c.phone, c.email, c.region, c.industry,
 c.source, c.status, u.login, p.name, c.score, c.created_at
 FROM customers c LEFT JOIN users u ON u.id = c.owner_id
 LEFT JOIN pools p ON p.id = c.pool_id
 WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR u.login = ?2)
 AND (?3 IS NULL OR p.name = ?3) AND (?4 IS NULL OR c.region = ?4)
 AND (?5 IS NULL OR c.industry = ?5) AND (?6 IS NULL OR c.source = ?6)
 AND (?7 IS NULL OR c.created_at >= ?7) AND (?8 IS NULL OR c.created_at < ?8)
 AND (?9 = 0 OR c.id = ?9) AND (?10 = 1 OR c.merged_into IS NULL)
 ORDER BY c.id;
EOF

# wall SECONDS and peak KB of a command, as "S KB"
measure() {
	/usr/bin/time -f '%e %M' -o "$out/time" "$@" >/dev/null
	cat "$out/time"
}

best_anchor=999999 best_ours=999999
for i in 1 2 3; do
	set -- $(measure sh -c "sqlite3 -csv '$db' <'$out/export-query.sql'")
	best_anchor=$(echo "$1 $best_anchor" | awk '{ print ($1 < $2 ? $1 : $2) }')
	set -- $(measure env CRM_DB="$db" crm-export -q --query customers)
	best_ours=$(echo "$1 $best_ours" | awk '{ print ($1 < $2 ? $1 : $2) }')
	peak_csv=$2
done
echo "Excel CSV of $rows customers: crm-export ${best_ours}s, sqlite3 -csv ${best_anchor}s, ratio $(echo "$best_ours $best_anchor" | awk '{ printf "%.2f", $1 / $2 }')x (target <= 1.5x); peak $((peak_csv / 1024)) MB"
set -- $(measure env CRM_DB="$db" crm-export -q --query customers --xlsx "$out/export.xlsx")
echo "XLSX of $rows customers: ${1}s, peak memory $(($2 / 1024)) MB (target < 100 MB), $(($(wc -c <"$out/export.xlsx") / 1048576)) MB file"
rm -f "$out/export.xlsx"
