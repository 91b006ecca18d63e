#!/bin/sh
# bench-deal-import.sh [N] [C]: crm-deal import of N generated deals (default
# 1,000,000) of C customers (default 100,000, imported first and not timed),
# matched by company name, beside the anchor, sqlite3's .import of the same
# CSV into a bare table; each timed three times on a fresh copy, medians
# compared (target: at most 3x); then, to show where the floor is, what
# SQLite itself takes to write the same end state (our rows copied from the
# result into the base database, indexes and foreign keys as they are).
# Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
c=${2:-100000}
out=$top/tests/bench/out
mkdir -p "$out"
PATH=$top/bin:$PATH
export CRM_USER=boss CRM_RC=/dev/null
cc -O2 -o "$out/gen-leads" "$top/tests/bench/gen-leads.c"

# The customers: C leads, owned round the five reps by the deals below.
"$out/gen-leads" -n "$c" --dup-rate 0 --csv > "$out/customers.csv"
fresh() { rm -f "$1" "$1-wal" "$1-shm"; }
fresh "$out/base.db"
export CRM_DB="$out/base.db"
crm-user add boss --role admin -q > /dev/null
for u in li wang zhao qian sun; do crm-user add "$u" --team east -q > /dev/null; done
crm-lead import --csv -q "$out/customers.csv" > /dev/null

# The deals: row I is of the customer I mod C, in one of the stages (six in
# ten open, a quarter won, the rest lost), created in 2025, closed 1-90 days
# later, with amounts written as people write them.
awk -F, -v n="$n" -v c="$c" '
	NR > 1 { co[NR - 2] = $2 }
	END {
		split("new qualified proposal negotiation 谈判 方案报价", open, " ")
		split("CRM 系统,ERP 实施,数据平台,年度服务,培训", prod, ",")
		split("li wang zhao qian sun", rep, " ")
		print "company,owner,title,amount,currency,stage,product,source," \
		    "created_at,expected_close,closed_at,lost_reason"
		for (i = 0; i < n; i++) {
			r = i % 20
			d = (i * 7919) % 280	# 28-day months: d / 28 is the month
			created = sprintf("2025-%02d-%02d", 1 + int(d / 28), 1 + d % 28)
			closed = ""; reason = ""
			if (r < 12) stage = open[1 + i % 6]
			else if (r < 17) stage = (i % 2 ? "won" : "赢单")
			else { stage = "lost"; reason = "价格" }
			d += 1 + i % 50
			if (r >= 12)
				closed = sprintf("2025-%02d-%02d", 1 + int(d / 28), 1 + d % 28)
			amount = (i % 3 == 0) ? sprintf("\"¥%d,%03d.%02d\"", 1 + i % 900, i % 1000, i % 100) : sprintf("%d.%02d", 1000 + i % 99000, i % 100)
			printf "%s,%s,%s %d,%s,CNY,%s,%s,官网,%s,2026-%02d-15,%s,%s\n",
			    co[i % c], rep[1 + i % 5], prod[1 + i % 5], i, amount, stage,
			    prod[1 + i % 5], created, 1 + i % 12, closed, reason
		}
	}' "$out/customers.csv" > "$out/deals.csv"

# wall SECONDS of a command
measure() {
	/usr/bin/time -f '%e' -o "$out/time" "$@" > /dev/null
	cat "$out/time"
}
median() { sort -n | sed -n 2p; }

: > "$out/anchor-times"
: > "$out/deal-times"
for run in 1 2 3; do
	fresh "$out/anchor.db"
	measure sqlite3 "$out/anchor.db" ".import --csv $out/deals.csv deals" >> "$out/anchor-times"
	fresh "$out/run.db"
	cp "$out/base.db" "$out/run.db"
	measure env CRM_DB="$out/run.db" crm-deal import --csv -q "$out/deals.csv" >> "$out/deal-times"
done
anchor=$(median < "$out/anchor-times")
ours=$(median < "$out/deal-times")
rows=$(sqlite3 "$out/run.db" "SELECT count(*) FROM deals")
stages=$(sqlite3 "$out/run.db" "SELECT count(*) FROM deal_stages")
echo "import of $n deals of $c customers ($rows deals, $stages stage rows): crm-deal $(tr '\n' ' ' < "$out/deal-times")-> median ${ours}s; sqlite3 .import $(tr '\n' ' ' < "$out/anchor-times")-> median ${anchor}s; ratio $(echo "$ours $anchor" | awk '{ printf "%.2f", $1 / $2 }')x (target 3x)"

fresh "$out/floor.db"
cp "$out/base.db" "$out/floor.db"
floor=$(measure sqlite3 "$out/floor.db" "PRAGMA journal_mode=WAL" "PRAGMA cache_size=-65536" \
    "PRAGMA foreign_keys=ON" "ATTACH '$out/run.db' AS r" "BEGIN" \
    "INSERT INTO batches SELECT * FROM r.batches WHERE id > (SELECT max(id) FROM main.batches)" \
    "INSERT INTO deals SELECT * FROM r.deals" "INSERT INTO deal_stages SELECT * FROM r.deal_stages" \
    "INSERT INTO history SELECT * FROM r.history WHERE id > (SELECT coalesce(max(id), 0) FROM main.history)" \
    "UPDATE customers SET status = (SELECT status FROM r.customers c WHERE c.id = customers.id)" "COMMIT")
echo "sqlite3 alone, writing the same end state (rows copied from the result): ${floor}s, $(echo "$floor $anchor" | awk '{ printf "%.2f", $1 / $2 }')x the anchor"
