#!/usr/bin/env bats
# crm-pool under contention: N reps claim from the same pool at the same
# time, racing for the same customers, while the reclaim runs; and N reps
# take the next free customers of a pool at once.  Afterwards every
# customer has one holder and a history that says so.  N is 8 on SQLite,
# which runs writers one at a time, and 50 on PostgreSQL, which runs
# claims side by side.

load helpers

# boss is the admin; rep1..repN are members of pool east (claim limit 3).
# Customers 1..30 are in the pool; 31..46 are owned by rep1..rep8 and due
# (owned since 2026-09-01, no follow-up, limit 30 days).
local_setup() {
	if [ "$(engine)" = postgresql ]; then N=50; else N=8; fi
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-db config test-clock on -q >/dev/null	# the reps act at CRM_NOW
	# one process for the N reps (crm-user add each would be N more)
	{
		printf 'login\tteam\n'
		for k in $(seq 1 $N); do printf 'rep%s\teast\n' "$k"; done
	} | crm-user import -q >/dev/null
	crm-pool create east --members team:east --no-followup-days 30 \
	    --claim-limit 3 -q >/dev/null
	{
		printf 'name\tphone\towner\tpool\tcreated_at\n'
		for i in $(seq 1 30); do
			printf 'p%s\t1380000%04d\t\\N\teast\t2026-11-01T00:00:00Z\n' "$i" "$i"
		done
		for i in $(seq 31 46); do
			printf 'o%s\t1390000%04d\trep%s\t\\N\t2026-09-01T00:00:00Z\n' "$i" "$i" $((i % 8 + 1))
		done
	} | crm-lead import -q >/dev/null
}

@test "N claimers in parallel and a reclaim meanwhile: one holder each, consistent history" {
	[ "$(sql "SELECT count(*) FROM customers WHERE pool_id IS NOT NULL")" = 30 ]
	# claimer k tries ten ids starting at 4k: neighbours overlap on six
	for k in $(seq 1 $N); do
		(
			for j in 0 1 2 3 4 5 6 7 8 9; do
				id=$(( (4 * k + j) % 30 + 1 ))
				st=0
				crm-pool --as rep$k --wait 30 claim $id >>"out.$k" \
				    2>>"err.$k" || st=$?
				echo "$id $st" >>"status.$k"
			done
		) &
	done
	(
		for r in 1 2 3; do
			st=0
			crm-pool --wait 30 reclaim >>reclaim.out 2>>reclaim.err || st=$?
			echo "reclaim $st" >>status.reclaim
		done
	) &
	wait

	# every process ended ok (0), refused (1) or busy (3)
	cat status.* >all-status
	[ "$(wc -l <all-status)" = $((N * 10 + 3)) ]
	if awk '$2 != 0 && $2 != 1 && $2 != 3' all-status | grep -q .; then
		cat all-status err.* reclaim.err
		return 1
	fi
	# they did race: some claims won, some were refused
	grep -q ' 0$' all-status
	grep -q ' 1$' all-status
	# every refusal says why
	if grep -hv -e 'refused' -e 'busy' err.* | grep -q .; then
		cat err.*
		return 1
	fi

	integrity
	# never owned and pooled (the CHECK constraint), never neither
	[ "$(sql "SELECT count(*) FROM customers WHERE owner_id IS NOT NULL AND pool_id IS NOT NULL")" = 0 ]
	[ "$(sql "SELECT count(*) FROM customers WHERE owner_id IS NULL AND pool_id IS NULL")" = 0 ]

	# pooled customers: claimed at most once; claimed ones are owned by the
	# claimer the one owner row of the claim names, the others still pooled
	bad=$(sql "SELECT c.id, count(h.id), coalesce(u.login, '-'), coalesce(max(h.new_value), '-')
	    FROM customers c LEFT JOIN users u ON u.id = c.owner_id
	    LEFT JOIN history h ON h.entity = 'customer' AND h.entity_id = c.id
	        AND h.field = 'owner' AND h.command = 'crm-pool claim'
	    WHERE c.id <= 30 GROUP BY c.id, u.login, c.owner_id
	    HAVING count(h.id) > 1 OR (count(h.id) = 1) <> (c.owner_id IS NOT NULL)
	        OR (count(h.id) = 1 AND max(h.new_value) <> u.login)")
	[ -z "$bad" ] || { echo "inconsistent: $bad"; return 1; }
	# each successful claim is one batch with four rows: pool, owner and
	# their clocks
	[ "$(sql "SELECT count(*) FROM batches b WHERE b.command = 'crm-pool claim'
	    AND (SELECT count(*) FROM history h WHERE h.batch_id = b.id) NOT IN (0, 4)")" = 0 ]
	for k in $(seq 1 $N); do
		won=$(awk '$2 == 0' "status.$k" | wc -l)
		[ "$(sql "SELECT count(*) FROM history WHERE command = 'crm-pool claim'
		    AND field = 'owner' AND actor = 'rep$k'")" = "$won" ]
		[ "$(sql "SELECT count(*) FROM customers c JOIN users u ON u.id = c.owner_id
		    WHERE u.login = 'rep$k' AND c.id <= 30")" = "$won" ]
		# the claim limit held under contention
		[ "$won" -le 3 ]
		# what a claimer printed is what it got
		[ "$(awk -F'\t' '$1 ~ /^[0-9]+$/ { print $1 }' "out.$k" | sort -n | tr '\n' ' ')" = \
		    "$(awk '$2 == 0 { print $1 }' "status.$k" | sort -n | tr '\n' ' ')" ]
	done

	# the reclaim moved each due customer exactly once, and only those
	[ "$(sql "SELECT count(*) FROM customers WHERE id > 30 AND pool_id IS NOT NULL")" = 16 ]
	[ "$(sql "SELECT count(*) FROM history WHERE command = 'crm-pool reclaim' AND field = 'pool'")" = 16 ]
	[ "$(sql "SELECT count(DISTINCT entity_id) FROM history WHERE command = 'crm-pool reclaim'")" = 16 ]
}

@test "N claimers take the next free customers of one pool at once: each its own, none twice" {
	crm-pool create west --members team:east --claim-limit 3 -q >/dev/null
	{
		printf 'name\tphone\tpool\tcreated_at\n'
		for i in $(seq 1 $((2 * N + 5))); do
			printf 'w%s\t1370000%04d\twest\t2026-11-01T00:00:00Z\n' "$i" "$i"
		done
	} | crm-lead import -q >/dev/null
	for k in $(seq 1 $N); do
		(
			st=0
			crm-pool --as rep$k --wait 60 claim --next 2 -p west >"next.$k" \
			    2>"nexterr.$k" || st=$?
			echo "$k $st" >"nextst.$k"
		) &
	done
	wait
	# every claimer got its two, nobody was busy or refused
	if [ "$(cat nextst.* | awk '$2 != 0' | wc -l)" != 0 ]; then
		cat nextst.* nexterr.*
		return 1
	fi
	for k in $(seq 1 $N); do
		[ "$(count_rows <"next.$k")" = 2 ] || { echo "rep$k: $(cat "next.$k")"; return 1; }
		[ "$(field 1 owner <"next.$k")" = "rep$k" ]
	done
	# 2N customers claimed, each by one claimer, once; five left over
	[ "$(cat next.* | awk -F'\t' '$1 ~ /^[0-9]+$/ { print $1 }' | sort | uniq -d)" = "" ]
	[ "$(cat next.* | awk -F'\t' '$1 ~ /^[0-9]+$/' | wc -l)" = $((2 * N)) ]
	[ "$(sql "SELECT count(*) FROM customers c JOIN pools p ON p.id = c.pool_id WHERE p.name = 'west'")" = 5 ]
	[ "$(sql "SELECT count(*) FROM customers WHERE owner_id IS NOT NULL AND pool_id IS NOT NULL")" = 0 ]
	[ "$(sql "SELECT count(*) FROM history WHERE command = 'crm-pool claim' AND field = 'owner'")" = $((2 * N)) ]
	[ "$(sql "SELECT count(DISTINCT entity_id) FROM history WHERE command = 'crm-pool claim' AND field = 'owner'")" = $((2 * N)) ]
	# the oldest in the pool went first: the five left are the last ids
	[ "$(sql "SELECT min(c.id) FROM customers c JOIN pools p ON p.id = c.pool_id WHERE p.name = 'west'")" = \
	    "$(sql "SELECT max(id) - 4 FROM customers")" ]
}
