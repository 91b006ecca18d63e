#!/bin/sh
# bench-rfm.sh [N]: crm-score rfm over N generated customers (default
# 1,000,000) and 3N deals, beside the anchor, the same quintiles computed by
# one hand-written SQL query with NTILE in the sqlite3 shell, in the same
# run.  Median of three side-by-side runs of each, wall and CPU time; the
# ratio's target is <= 1.5x.  The quintiles of both are compared first: they must be the same.
# The data is made by SQL alone (deterministic): 40% of deals won, 20% lost,
# the rest open, closed over the two years before the fixed clock.  The
# database is kept in tests/bench/out/rfm-N.db.  Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
out=$top/tests/bench/out
mkdir -p "$out"
PATH=$top/bin:$PATH
export CRM_RC=/dev/null CRM_USER=bench CRM_NOW=2026-11-22T09:00:00Z
db=$out/rfm-$n.db
if [ ! -f "$db" ]; then
	CRM_DB=$db crm-db init -q >/dev/null
	sqlite3 "$db" <<EOF
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n)
INSERT INTO customers (id, name, status, created_at, updated_at)
SELECT i, 'c' || i, 'customer', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'
FROM k;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3 * $n),
t(i, at) AS (SELECT i, strftime('%Y-%m-%dT%H:%M:%SZ',
    1731000000 + (i * 7907) % 63000000, 'unixepoch') FROM k)
INSERT INTO deals (customer_id, title, amount, currency, stage_id,
    stage_since, closed_at, created_at)
SELECT ((i * 2654435761) >> 7) % $n + 1, 'deal ' || i, (i * 40503) % 100000 * 100,
    'CNY', CASE WHEN i % 5 < 2 THEN 5 WHEN i % 5 = 2 THEN 6 ELSE 1 + i % 4 END,
    at, CASE WHEN i % 5 < 3 THEN at END, at
FROM t;
EOF
fi

# The anchor: R, F and M by NTILE over the customers with a won deal, as
# crm-score-rules(5) defines them, in one query, in customer order.  The
# unary plus has SQLite read the deals in table order and group them by a
# sort; as first written, without it, SQLite walks the customer index and
# seeks every deal, which is timed too, as "the plain query".
cat >"$out/rfm-query.sql" <<'EOF'
WITH w AS (
  SELECT d.customer_id AS id, count(*) AS f,
         sum(coalesce(d.amount, 0)) AS m,
         max(coalesce(d.closed_at, d.stage_since)) AS last
  FROM deals d JOIN stages s ON s.id = d.stage_id
  WHERE s.outcome = 'won' AND coalesce(d.closed_at, d.stage_since) < '2026-11-23'
  GROUP BY +d.customer_id)
SELECT id,
  NTILE(5) OVER (ORDER BY julianday('2026-11-22') - julianday(date(last)) DESC, id),
  NTILE(5) OVER (ORDER BY f, id),
  NTILE(5) OVER (ORDER BY m, id)
FROM w ORDER BY id;
EOF
sed 's/GROUP BY +d/GROUP BY d/' "$out/rfm-query.sql" >"$out/rfm-plain.sql"

# the same quintiles
CRM_DB=$db crm-score rfm |
    awk -F'\t' 'NR > 1 && $6 != "" && $6 != "\\N" { print $1 "|" $6 "|" $7 "|" $8 }' \
    >"$out/rfm-ours"
sqlite3 "$db" <"$out/rfm-query.sql" >"$out/rfm-anchor"
if ! cmp -s "$out/rfm-ours" "$out/rfm-anchor"; then
	echo "bench-rfm.sh: crm-score rfm and the NTILE query disagree:" >&2
	diff "$out/rfm-ours" "$out/rfm-anchor" | head >&2
	exit 1
fi
won=$(wc -l <"$out/rfm-anchor")

# The wall and CPU (user + system) seconds of each run, and their medians.
median() { sort -n | sed -n 2p; }
timed() {	# FILE COMMAND...: run it, add "wall cpu" to FILE
	f=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$out/time" "$@"
	awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$out/time" >>"$f"
}
: >"$out/t-sql"; : >"$out/t-rfm"; : >"$out/t-plain"
for i in 1 2 3; do
	timed "$out/t-sql" sqlite3 "$db" <"$out/rfm-query.sql" >"$out/rfm-anchor"
	timed "$out/t-rfm" env CRM_DB="$db" crm-score rfm >"$out/rfm-ours"
	timed "$out/t-plain" sqlite3 "$db" <"$out/rfm-plain.sql" >"$out/rfm-anchor"
done
for t in sql rfm plain; do
	eval "w_$t=\$(cut -d' ' -f1 \"\$out/t-$t\" | median)"
	eval "c_$t=\$(cut -d' ' -f2 \"\$out/t-$t\" | median)"
done
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
echo "rfm of $n customers, $((3 * n)) deals ($won customers with a won deal): crm-score rfm ${w_rfm}s, sqlite3 NTILE query ${w_sql}s, ratio $(ratio "$w_rfm" "$w_sql")x (target <= 1.5x); CPU ${c_rfm}s against ${c_sql}s, $(ratio "$c_rfm" "$c_sql")x"
echo "the plain NTILE query (no unary plus): ${w_plain}s, ratio $(ratio "$w_rfm" "$w_plain")x; CPU ${c_plain}s, $(ratio "$c_rfm" "$c_plain")x"
