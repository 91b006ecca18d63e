#!/bin/sh
# bench-report.sh [N]: crm-report over N deals (default 1,000,000), 5N
# follow-ups and their history (deal_stages, stage and owner changes),
# made once in SQL and kept in tests/bench/out/report-N.db:
#  1. funnel and performance: wall time beside the anchor, the same
#     figures computed by one hand-written SQL query in the sqlite3 shell
#     (the same page cache), in the same run, best of 3; the outputs must
#     be equal.  Target: at most 1.5x.
#  2. customer ID: the median of 100 runs (target: under 20 ms).
#  3. peak memory of funnel and performance at N/4 and N deals: flat.
# Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
out=$top/tests/bench/out
mkdir -p "$out"
PATH=$top/bin:$PATH
export CRM_USER=boss CRM_NOW=2026-01-01T00:00:00Z TZ=UTC

# make_db N FILE: N deals of 200 days or so each, N/5 customers, 5N
# follow-ups, 100 reps in 10 teams, all in 2024 and 2025 (UTC).  Numbers
# come from multiplicative hashes of the row number: the same every time.
# No ANALYZE, as crm never runs it: with its statistics SQLite reads a
# year of follow-ups by a skip-scan of activities_user, a row at a time
# at random (50 s for performance --period 2025 instead of 4 s).
make_db() {
	nd=$1 db=$2
	rm -f "$db" "$db-wal" "$db-shm"
	CRM_DB=$db crm-db init --timezone UTC -q >/dev/null
	sqlite3 -bail "$db" <<SQL
PRAGMA synchronous=OFF;
PRAGMA cache_size=-262144;
BEGIN;
INSERT INTO config VALUES ('test-clock', 'on');
WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t WHERE i < 10)
INSERT INTO teams (id, name, created_at)
 SELECT i, printf('team%02d', i), '2024-01-01T00:00:00Z' FROM t;
INSERT INTO users (id, login, role, created_at)
 VALUES (1, 'boss', 'admin', '2024-01-01T00:00:00Z');
WITH RECURSIVE t(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM t WHERE i < 101)
INSERT INTO users (id, login, team_id, role, created_at)
 SELECT i, printf('rep%03d', i - 1), 1 + (i - 2) / 10, 'rep',
 '2024-01-01T00:00:00Z' FROM t;

CREATE TEMP TABLE c AS WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL
 SELECT i + 1 FROM t WHERE i < $nd / 5) SELECT i AS id, 2 + i % 100 AS owner,
 strftime('%Y-%m-%dT%H:%M:%SZ', 1704067200 + (i * 7 % 700) * 86400 + i % 86400,
 'unixepoch') AS created FROM t;
INSERT INTO customers (id, name, company, region, industry, source, status,
 owner_id, owner_since, created_by, created_at, updated_at)
 SELECT id, '客户' || id, '公司' || id,
 CASE id % 5 WHEN 0 THEN '华东' WHEN 1 THEN '华南' WHEN 2 THEN '华北'
  WHEN 3 THEN '西南' ELSE NULL END,
 CASE id % 4 WHEN 0 THEN '制造' WHEN 1 THEN '零售' WHEN 2 THEN '金融' ELSE '教育' END,
 CASE id % 3 WHEN 0 THEN '展会' WHEN 1 THEN '官网' ELSE '转介绍' END,
 CASE WHEN id % 3 = 0 THEN 'customer' ELSE 'lead' END,
 owner, created, 'boss', created, created FROM c;
INSERT INTO history (entity, entity_id, field, old_value, new_value, actor,
 at, reason, command)
 SELECT 'customer', id, 'owner', NULL, printf('rep%03d', owner - 1), 'boss',
 created, 'created', 'crm-lead import' FROM c;
INSERT INTO history (entity, entity_id, field, old_value, new_value, actor,
 at, command)
 SELECT 'customer', id, 'status', 'lead', 'customer', printf('rep%03d', owner - 1),
 strftime('%Y-%m-%dT%H:%M:%SZ', created, '+30 days'), 'crm-lead convert'
 FROM c WHERE id % 3 = 0;

-- a deal: won (40%), lost (25%) after reaching stage k, or open at k
CREATE TEMP TABLE g AS WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL
 SELECT i + 1 FROM t WHERE i < $nd) SELECT i AS id, h, 1 + h % ($nd / 5) AS cust,
 CASE WHEN (h / 4001) % 100 < 40 THEN 'w' WHEN (h / 4001) % 100 < 65 THEN 'l'
  ELSE 'o' END AS kind,
 1 + (h / 400100) % 4 AS k, 2 + (h / 1600400) % 25 AS len,
 1704067200 + ((i * 7919) % 600) * 86400 + i % 86400 AS t0
 FROM (SELECT i, (i * 48271) % 2147483647 AS h FROM t);
CREATE TEMP TABLE gs AS SELECT g.id, j.j,
 CASE WHEN g.kind = 'w' THEN (CASE WHEN j.j <= 4 THEN j.j ELSE 5 END)
  WHEN g.kind = 'l' THEN (CASE WHEN j.j <= g.k THEN j.j ELSE 6 END)
  ELSE j.j END AS stage,
 g.t0 + (j.j - 1) * g.len * 86400 AS t_in,
 CASE WHEN j.j < (CASE g.kind WHEN 'w' THEN 5 WHEN 'l' THEN g.k + 1 ELSE g.k END)
  THEN g.t0 + j.j * g.len * 86400 END AS t_out
 FROM g JOIN (SELECT 1 AS j UNION SELECT 2 UNION SELECT 3 UNION SELECT 4
 UNION SELECT 5) j ON j.j <= (CASE g.kind WHEN 'w' THEN 5 WHEN 'l' THEN g.k + 1
 ELSE g.k END);
INSERT INTO deals (id, customer_id, owner_id, title, amount, currency, stage_id,
 stage_since, expected_close, closed_at, created_at)
 SELECT g.id, g.cust, 2 + g.cust % 100, '商机' || g.id, 100000 + g.h % 9000000,
 'CNY', s.stage, strftime('%Y-%m-%dT%H:%M:%SZ', s.t_in, 'unixepoch'),
 CASE WHEN g.kind = 'o' THEN date(s.t_in + 3 * g.len * 86400, 'unixepoch') END,
 CASE WHEN g.kind <> 'o' THEN strftime('%Y-%m-%dT%H:%M:%SZ', s.t_in, 'unixepoch') END,
 strftime('%Y-%m-%dT%H:%M:%SZ', g.t0, 'unixepoch')
 FROM g JOIN gs s ON s.id = g.id AND s.t_out IS NULL;
INSERT INTO deal_stages (deal_id, stage_id, entered_at, left_at)
 SELECT id, stage, strftime('%Y-%m-%dT%H:%M:%SZ', t_in, 'unixepoch'),
 strftime('%Y-%m-%dT%H:%M:%SZ', t_out, 'unixepoch') FROM gs ORDER BY id, j;
INSERT INTO history (entity, entity_id, field, old_value, new_value, actor,
 at, command)
 SELECT 'deal', b.id, 'stage', (SELECT name FROM stages WHERE id = a.stage),
 (SELECT name FROM stages WHERE id = b.stage), 'boss',
 strftime('%Y-%m-%dT%H:%M:%SZ', b.t_in, 'unixepoch'), 'crm-deal stage'
 FROM gs b JOIN gs a ON a.id = b.id AND a.j = b.j - 1;

-- 5 follow-ups a deal over the two years, by the customer's owner; one
-- in 20 is planned, due in January 2026
WITH RECURSIVE t(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM t WHERE i < 5 * $nd)
INSERT INTO activities (customer_id, user_id, kind, at, note, due_at, done_at,
 created_at)
 SELECT cust, 2 + cust % 100,
 CASE i % 6 WHEN 0 THEN 'call' WHEN 1 THEN 'visit' WHEN 2 THEN 'meeting'
  WHEN 3 THEN 'email' WHEN 4 THEN 'wechat' ELSE 'note' END,
 CASE WHEN i % 20 = 0 THEN NULL ELSE ts END, '跟进' || i,
 CASE WHEN i % 20 = 0 THEN strftime('%Y-%m-%dT%H:%M:%SZ', 1767225600 + (i % 30) * 86400, 'unixepoch') END,
 CASE WHEN i % 20 = 0 THEN NULL ELSE ts END, ts
 FROM (SELECT i, 1 + (i * 31) % ($nd / 5) AS cust,
 strftime('%Y-%m-%dT%H:%M:%SZ', 1704067200 + (i * 7919) % 63072000, 'unixepoch') AS ts
 FROM t);
UPDATE customers SET last_activity_at = (SELECT max(at) FROM activities a
 WHERE a.customer_id = customers.id AND a.done_at IS NOT NULL),
 next_due_at = (SELECT min(due_at) FROM activities a WHERE a.customer_id = customers.id
 AND a.due_at IS NOT NULL AND a.done_at IS NULL);
COMMIT;
SQL
}

# The anchors are written as one would by hand, and then helped: left
# alone, SQLite's planner walks an index to save the sort of a GROUP BY or
# window and then fetches every row at random (on 1,000,000 deals the
# activities by user took 54 s that way, the days in stage 68 s), so the
# big tables are read NOT INDEXED, as crm-report reads them: in order.
#
# The anchor of funnel: the same figures in one query (the site is UTC,
# so a day is a date of the stored text).  Its output must equal
# crm-report's.
cat >"$out/funnel.sql" <<'SQL'
PRAGMA cache_size=-65536;
PRAGMA temp_store=MEMORY;
.mode tabs
.headers on
.nullvalue '\N'
WITH st AS (SELECT id, name, label, position, outcome FROM stages),
-- every deal has a stay in its current stage (deal_stages), so its stays
-- say how far it got and whether it was won
dr AS (SELECT x.deal_id AS id,
  max(CASE WHEN s.outcome = 'open' THEN s.position END) AS reach,
  max(s.outcome = 'won') AS won FROM deal_stages x NOT INDEXED
  JOIN st s ON s.id = x.stage_id GROUP BY x.deal_id),
inn AS (SELECT DISTINCT deal_id, stage_id FROM deal_stages NOT INDEXED),
now AS (SELECT stage_id, count(*) AS n, sum(amount) AS cents FROM deals GROUP BY stage_id),
ent AS (SELECT s.id, CASE WHEN s.outcome = 'open'
   THEN (SELECT count(*) FROM dr WHERE dr.won OR dr.reach >= s.position)
   ELSE (SELECT count(*) FROM inn WHERE inn.stage_id = s.id) END AS n FROM st s),
won AS (SELECT count(*) AS n FROM dr WHERE won),
-- the whole days of the finished stays as a histogram per stage: the
-- k-th smallest is the first day whose running count passes k
h AS (SELECT stage_id, (CAST(strftime('%s', left_at) AS INTEGER) -
  CAST(strftime('%s', entered_at) AS INTEGER)) / 86400 AS days, count(*) AS c
  FROM deal_stages NOT INDEXED WHERE left_at IS NOT NULL GROUP BY 1, 2),
cum AS (SELECT stage_id, days, sum(c) OVER (PARTITION BY stage_id ORDER BY days) AS upto,
  sum(c) OVER (PARTITION BY stage_id) AS n FROM h),
pk AS (SELECT DISTINCT stage_id, n, p, (n - 1) * p / 100 AS lo, (n - 1) * p % 100 AS fr
  FROM cum CROSS JOIN (SELECT 50 AS p UNION SELECT 90)),
pc AS (SELECT stage_id, p,
  (SELECT min(days) FROM cum WHERE cum.stage_id = pk.stage_id AND upto > lo) * 100 +
  fr * (coalesce((SELECT min(days) FROM cum WHERE cum.stage_id = pk.stage_id
  AND upto > lo + 1), 0) - (SELECT min(days) FROM cum WHERE cum.stage_id = pk.stage_id
  AND upto > lo)) AS v
  FROM pk),
stal AS (SELECT d.stage_id, count(*) AS n FROM deals d JOIN st s ON s.id = d.stage_id
  JOIN deal_stages x ON x.deal_id = d.id AND x.stage_id = d.stage_id AND x.left_at IS NULL
  WHERE s.outcome = 'open' AND strftime('%s', '2026-01-01T00:00:00Z') - strftime('%s', x.entered_at) > 30 * 86400
  GROUP BY d.stage_id),
f AS (SELECT s.*, coalesce(now.n, 0) AS deals, coalesce(now.cents, 0) AS cents, e.n AS entered,
  (SELECT e2.n FROM ent e2 JOIN st s2 ON s2.id = e2.id WHERE s2.outcome = 'open'
   AND s2.position > s.position ORDER BY s2.position LIMIT 1) AS next,
  (SELECT v FROM pc WHERE pc.stage_id = s.id AND p = 50) AS p50,
  (SELECT v FROM pc WHERE pc.stage_id = s.id AND p = 90) AS p90,
  coalesce(stal.n, 0) AS stalled
  FROM st s JOIN ent e ON e.id = s.id LEFT JOIN now ON now.stage_id = s.id
  LEFT JOIN stal ON stal.stage_id = s.id)
SELECT name AS stage, label, 'CNY' AS currency, deals,
  printf('%d.%02d', cents / 100, cents % 100) AS amount, entered,
  CASE WHEN outcome <> 'open' THEN NULL ELSE printf('%d.%04d',
   ((coalesce(next, (SELECT n FROM won)) * 20000 + entered) / (2 * entered)) / 10000,
   ((coalesce(next, (SELECT n FROM won)) * 20000 + entered) / (2 * entered)) % 10000) END AS to_next,
  CASE WHEN outcome <> 'open' THEN NULL ELSE printf('%d.%04d',
   (((SELECT n FROM won) * 20000 + entered) / (2 * entered)) / 10000,
   (((SELECT n FROM won) * 20000 + entered) / (2 * entered)) % 10000) END AS to_won,
  CASE WHEN p50 IS NULL THEN NULL WHEN p50 % 100 = 0 THEN p50 / 100
   WHEN p50 % 10 = 0 THEN printf('%d.%d', p50 / 100, p50 % 100 / 10)
   ELSE printf('%d.%02d', p50 / 100, p50 % 100) END AS median_days,
  CASE WHEN p90 IS NULL THEN NULL WHEN p90 % 100 = 0 THEN p90 / 100
   WHEN p90 % 10 = 0 THEN printf('%d.%d', p90 / 100, p90 % 100 / 10)
   ELSE printf('%d.%02d', p90 / 100, p90 % 100) END AS p90_days,
  CASE WHEN outcome = 'open' THEN stalled END AS stalled
  FROM f ORDER BY position, id;
SQL

# The anchor of performance by rep over all time: leads, customers won
# over, follow-ups, deals won and lost, cycle; no period, so no target.
cat >"$out/performance.sql" <<'SQL'
PRAGMA cache_size=-65536;
PRAGMA temp_store=MEMORY;
.mode tabs
.headers on
.nullvalue '\N'
WITH l AS (SELECT owner_id AS o, count(*) AS n FROM customers
  WHERE merged_into IS NULL GROUP BY owner_id),
nc AS (SELECT c.owner_id AS o, count(*) AS n FROM customers c WHERE c.merged_into IS NULL
  AND (EXISTS (SELECT 1 FROM history h WHERE h.entity = 'customer' AND h.entity_id = c.id
  AND h.field = 'status' AND h.new_value = 'customer') OR c.status = 'customer')
  GROUP BY c.owner_id),
a AS (SELECT user_id AS o, sum(kind = 'call') AS calls, sum(kind = 'visit') AS visits,
  count(*) AS n FROM activities NOT INDEXED WHERE done_at IS NOT NULL GROUP BY user_id),
d AS (SELECT d.owner_id AS o, sum(s.outcome = 'won') AS won, sum(s.outcome = 'lost') AS lost,
  sum(CASE WHEN s.outcome = 'won' THEN d.amount ELSE 0 END) AS cents,
  sum(CASE WHEN s.outcome = 'won' THEN (CAST(strftime('%s', d.closed_at) AS INTEGER) -
   CAST(strftime('%s', d.created_at) AS INTEGER)) / 86400 ELSE 0 END) AS days
  FROM deals d NOT INDEXED JOIN stages s ON s.id = d.stage_id
  WHERE d.closed_at IS NOT NULL AND s.outcome <> 'open' GROUP BY d.owner_id)
SELECT u.login AS owner, t.name AS team, CASE WHEN d.o IS NOT NULL THEN 'CNY' END AS currency,
  coalesce(l.n, 0) AS new_leads, coalesce(nc.n, 0) AS new_customers,
  coalesce(a.calls, 0) AS calls, coalesce(a.visits, 0) AS visits,
  coalesce(a.n, 0) AS activities, coalesce(d.won, 0) AS deals_won,
  coalesce(d.lost, 0) AS deals_lost,
  printf('%d.%02d', coalesce(d.cents, 0) / 100, coalesce(d.cents, 0) % 100) AS won_amount,
  CASE WHEN coalesce(d.won + d.lost, 0) > 0 THEN printf('%d.%04d',
   ((d.won * 20000 + d.won + d.lost) / (2 * (d.won + d.lost))) / 10000,
   ((d.won * 20000 + d.won + d.lost) / (2 * (d.won + d.lost))) % 10000) END AS win_rate,
  CASE WHEN d.won > 0 THEN printf('%d.%02d', ((d.cents * 2 + d.won) / (2 * d.won)) / 100,
   ((d.cents * 2 + d.won) / (2 * d.won)) % 100) END AS avg_deal,
  CASE WHEN d.won > 0 THEN printf('%d.%d', ((d.days * 20 + d.won) / (2 * d.won)) / 10,
   ((d.days * 20 + d.won) / (2 * d.won)) % 10) END AS avg_cycle_days,
  NULL AS target, NULL AS achieved, NULL AS left_to_target
  FROM users u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN l ON l.o = u.id
  LEFT JOIN nc ON nc.o = u.id LEFT JOIN a ON a.o = u.id LEFT JOIN d ON d.o = u.id
  WHERE u.role = 'rep' AND u.active = 1 ORDER BY u.login;
SQL

# measure CMD...: "SECONDS PEAK_KB" of CMD, its output in $out/got.
measure() {
	/usr/bin/time -f '%e %M' -o "$out/time" "$@" >"$out/got"
	cat "$out/time"
}

min() {
	echo "$1 $2" | awk '{ print ($1 < $2 ? $1 : $2) }'
}

# compare NAME DB ARGS...: crm-report ARGS against sqlite3 < NAME.sql, best
# of 3 each, alternating; their outputs must be equal.
compare() {
	name=$1 db=$2
	shift 2
	best_sql=999999 best_ours=999999
	for i in 1 2 3; do
		r=$(measure sqlite3 "$db" <"$out/$name.sql" 2>&1)
		best_sql=$(min "${r%% *}" "$best_sql")
		cp "$out/got" "$out/want.$name"
		r=$(measure env CRM_DB="$db" crm-report "$@")
		best_ours=$(min "${r%% *}" "$best_ours")
		peak=${r##* }
	done
	if ! cmp -s "$out/want.$name" "$out/got"; then
		echo "$name: crm-report and the SQL disagree:"
		diff "$out/want.$name" "$out/got" | head -20
		exit 1
	fi
	echo "$name over $(sqlite3 "$db" 'SELECT count(*) FROM deals') deals: crm-report ${best_ours}s, sqlite3 ${best_sql}s, ratio $(echo "$best_ours $best_sql" | awk '{ printf "%.2f", $1 / $2 }')x (target <= 1.5x); peak $((peak / 1024)) MB; same output"
}

db=$out/report-$n.db
[ -f "$db" ] || { echo "making $db ..."; make_db "$n" "$db"; }
compare funnel "$db" funnel
compare performance "$db" performance

# customer ID: the median of 100 runs over customers spread over the
# file, each timed from the shell (fork and exec included)
i=0
: >"$out/times"
while [ $i -lt 100 ]; do
	id=$(( (i * 1999) % (n / 5) + 1 ))
	t0=$(date +%s%N)
	CRM_DB=$db crm-report customer "$id" >/dev/null
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 )) >>"$out/times"
	i=$((i + 1))
done
echo "customer ID: median $(sort -n "$out/times" | awk '{ v[NR] = $1 } END { printf "%.1f", (v[50] + v[51]) / 2 / 1000 }') ms of 100 runs (target < 20 ms)"

# peak memory against the number of deals
small=$((n / 4))
sdb=$out/report-$small.db
[ -f "$sdb" ] || { echo "making $sdb ..."; make_db "$small" "$sdb"; }
for cmd in funnel performance; do
	a=$(measure env CRM_DB="$sdb" crm-report $cmd)
	b=$(measure env CRM_DB="$db" crm-report $cmd)
	echo "$cmd peak memory: $((${a##* } / 1024)) MB at $small deals, $((${b##* } / 1024)) MB at $n"
done
