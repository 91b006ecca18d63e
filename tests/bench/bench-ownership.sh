#!/bin/sh
# bench-ownership.sh [N]: the two figures of the ownership issue.
#  1. crm-pool reclaim over N customers (default 1,000,000) with 5N activities,
#     N/20 of them due, beside the anchor: the one hand-written SQL UPDATE
#     doing the same move in the sqlite3 shell, on a copy of the same file.
#  2. crm-assign --round-robin of 100,000 ids piped in (target: under 2 s).
# Setup is not timed.  Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
out=$top/tests/bench/out
mkdir -p "$out"
PATH=$top/bin:$PATH
export CRM_USER=boss CRM_NOW=2026-11-22T02:00:00Z
db=$out/own.db
rm -f "$db" "$db-wal" "$db-shm"
export CRM_DB=$db

crm-user add boss --role admin -q > /dev/null
i=1
while [ $i -le 100 ]; do
	crm-user add "rep$i" --team east -q > /dev/null
	i=$((i + 1))
done
crm-pool create east --members team:east --no-followup-days 30 -q > /dev/null

# N customers owned by the 100 reps since January; every 20th was last
# followed up in September (due), the rest this month.  5 activities each.
sqlite3 "$db" <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
INSERT INTO customers (id, name, company, status, owner_id, owner_since,
    last_activity_at, created_at, updated_at)
SELECT i, '客户' || i, '公司' || i, 'customer',
    (SELECT id FROM users WHERE login = 'rep' || (1 + i % 100)),
    '2026-01-05T00:00:00Z',
    CASE WHEN i % 20 = 0 THEN '2026-09-01T10:00:00Z'
        ELSE '2026-11-' || printf('%02d', 1 + i % 20) || 'T10:00:00Z' END,
    '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z'
FROM s;
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 5 * $n - 1)
INSERT INTO activities (customer_id, kind, at, note, created_at)
SELECT 1 + i / 5, 'call',
    CASE WHEN (1 + i / 5) % 20 = 0 THEN '2026-0' || (5 + i % 5) || '-01T10:00:00Z'
        ELSE '2026-11-' || printf('%02d', 1 + (1 + i / 5) % 20) || 'T10:00:00Z' END,
    '跟进', '2026-01-05T00:00:00Z'
FROM s;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
cp "$db" "$out/anchor.db"

measure() {
	/usr/bin/time -f '%e %M' -o "$out/time" "$@" > /dev/null
	cat "$out/time"
}
# The anchor: the same move as one UPDATE (no history), in the sqlite3 shell.
set -- $(measure sqlite3 "$out/anchor.db" "UPDATE customers SET
    pool_id = (SELECT id FROM pools WHERE name = 'east'),
    pool_since = '$CRM_NOW', prev_owner_id = owner_id, owner_id = NULL,
    owner_since = NULL, updated_at = '$CRM_NOW'
  WHERE owner_id IN (SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id
        WHERE t.name = 'east')
    AND max(owner_since, coalesce(last_activity_at, owner_since)) < '2026-10-23T02:00:00Z'")
anchor=$1
set -- $(measure crm-pool reclaim -q)
ours=$1 peak=$2
moved=$(sqlite3 "$db" "SELECT count(*) FROM customers WHERE pool_id IS NOT NULL")
amoved=$(sqlite3 "$out/anchor.db" "SELECT count(*) FROM customers WHERE pool_id IS NOT NULL")
hist=$(sqlite3 "$db" "SELECT count(*) FROM history WHERE command = 'crm-pool reclaim'")
echo "reclaim over $n customers, $((5 * n)) activities: moved $moved (anchor $amoved), $hist history rows; crm-pool ${ours}s (peak $((peak / 1024)) MB), hand-written UPDATE ${anchor}s, ratio $(echo "$ours $anchor" | awk '{ printf "%.2f", $1 / $2 }')x"

# Round-robin of 100,000 ids piped in, on 100,000 unowned customers.
sqlite3 "$db" "BEGIN; UPDATE customers SET pool_id = NULL, pool_since = NULL, owner_id = NULL,
    owner_since = NULL WHERE id <= 100000; COMMIT;"
{ echo id; seq 1 100000; } > "$out/ids.tsv"
set -- $(measure sh -c "crm-assign --round-robin team:east -q < '$out/ids.tsv'")
echo "crm-assign --round-robin team:east of 100000 ids: ${1}s (target < 2 s), peak $(($2 / 1024)) MB"
