#!/usr/bin/env bats
# crm-pool: pools and their rules, the reclaim (each clock, exemptions,
# grades, history, idempotence, back-testing), due warnings, claims and
# every refusal, masking, release, move, assign, undo and errors.
# The clock is CRM_NOW=2026-11-22T09:00:00Z (helpers.bash).

load helpers

# boss is the admin; li and wang are reps of team east, zhao of team
# west; chen is a rep who will administer a pool without being a member.
local_setup() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-db config test-clock on -q >/dev/null	# reps act at CRM_NOW too
	crm-user add li --team east -q >/dev/null
	crm-user add wang --team east -q >/dev/null
	crm-user add zhao --team west -q >/dev/null
	crm-user add chen -q >/dev/null
}

# own NAME OWNER SINCE [crm-lead add options]: a customer OWNER got at SINCE.
own() {
	crm-lead add --name "$1" --owner "$2" --now "$3" "${@:4}" -q >/dev/null
}

# pooled NAME POOL SINCE [options]: a customer that entered POOL at SINCE.
pooled() {
	crm-lead add --name "$1" --pool "$2" --now "$3" "${@:4}" -q >/dev/null
}

# deal CUSTOMER STAGE CREATED: a deal (stages: new, won, lost, ...).
deal() {
	sql "INSERT INTO deals (customer_id, title, stage_id, stage_since, created_at)
	    SELECT $1, 'd', id, '$3', '$3' FROM stages WHERE name = '$2'"
}

# null VALUE: a NULL field, written as an empty field.
null() {
	[ -z "$1" ]
}

# holder ID: "owner:LOGIN", "pool:NAME" or "none".
holder() {
	sql "SELECT CASE WHEN u.login IS NOT NULL THEN 'owner:' || u.login
	    WHEN p.name IS NOT NULL THEN 'pool:' || p.name ELSE 'none' END
	    FROM customers c LEFT JOIN users u ON u.id = c.owner_id
	    LEFT JOIN pools p ON p.id = c.pool_id WHERE c.id = $1"
}

# Everything crm-pool may write, to prove a refusal changed nothing.
snapshot() {
	sql "SELECT * FROM customers ORDER BY id; SELECT * FROM history ORDER BY id;
	    SELECT * FROM pools ORDER BY id;
	    SELECT * FROM pool_members ORDER BY pool_id, role, team_id, user_id;
	    SELECT * FROM batches ORDER BY id"
}

# ---- create and set ------------------------------------------------------

@test "create: stores the rules, members and admins, and prints the pool" {
	run_split crm-pool create 华东公海 --members team:east,user:zhao --admins chen \
	    --no-followup-days 30 --no-deal-days 60 --not-won-days 90 --warn-days 3 \
	    --claim-limit 5 --max-owned 50 --lockout-days 7 --cooling-days 2 \
	    --exempt locked,open-deal --grade-days A=60,B=45 --region 华东
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 name <<<"$output")" = 华东公海 ]
	[ "$(field 1 members <<<"$output")" = team:east,user:zhao ]
	[ "$(field 1 admins <<<"$output")" = user:chen ]
	[ "$(field 1 exempt <<<"$output")" = locked,open_deal ]
	[ "$(field 1 grade_days <<<"$output")" = A=60,B=45 ]
	[ "$(field 1 region <<<"$output")" = 华东 ]
	[ "$(field 1 customers <<<"$output")" = 0 ]
	[ "$(sql "SELECT no_followup_days, no_deal_days, not_won_days, warn_days,
	    claim_limit, max_owned, lockout_days, cooling_days, exempt, grade_days
	    FROM pools")" = "30	60	90	3	5	50	7	2	locked,open_deal	A=60,B=45" ]
	[ "$(sql "SELECT count(*) FROM pool_members WHERE role = 'member'")" = 2 ]
	[ "$(sql "SELECT u.login FROM pool_members m JOIN users u ON u.id = m.user_id
	    WHERE m.role = 'admin'")" = chen ]
	[ "$(sql "SELECT field, new_value FROM history WHERE entity = 'pool'
	    ORDER BY id" | tr '\t\n' '= ')" = "name=华东公海 members=team:east,user:zhao admins=user:chen " ]
}

@test "create: refused for a rep, an existing name or an unknown member; bad values are usage errors" {
	crm-pool create p1 -q >/dev/null
	before=$(snapshot)
	run_split crm-pool --as li create p2
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: creating a pool needs an admin (you are 'li', a rep)" ]
	run_split crm-pool create p1
	assert_status 1
	[ "$stderr" = "crm-pool: pool 'p1' exists already (change it with set)" ]
	run_split crm-pool create p3 --members team:nosuch
	assert_status 1
	[ "$stderr" = "crm-pool: members: no team 'nosuch'" ]
	run_split crm-pool create p3 --admins ghost
	assert_status 1
	[ "$stderr" = "crm-pool: admins: no user 'ghost'" ]
	[ -z "$output" ]
	run_split crm-pool create p3 --claim-limit lots
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: --claim-limit must be a whole number from 0 to 36500, or off, got 'lots'" ]
	run_split crm-pool create p3 --exempt sleepy
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: --exempt: no exemption 'sleepy' (locked, won, open-deal, each optionally after RULE:)" ]
	run_split crm-pool create p3 --grade-days A
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: --grade-days: 'A' is not GRADE=DAYS" ]
	run_split crm-pool claim 1 --claim-limit 3
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: option '--claim-limit' is not for claim (it is for create set)" ]
	[ "$(snapshot)" = "$before" ]
}

@test "create: names with control characters are refused, as logins are" {
	before=$(snapshot)
	run_split crm-pool create "$(printf 'east\tpool')"
	assert_status 1
	[ "$stderr" = "crm-pool: pool name: control characters are not allowed" ]
	run_split crm-pool create "$(printf 'east\033[2J')"
	assert_status 1
	[ "$stderr" = "crm-pool: pool name: control characters are not allowed" ]
	run_split crm-pool create " "
	assert_status 1
	[ "$stderr" = "crm-pool: pool name: empty" ]
	# a team or user named in a list: refused without echoing the name
	run_split crm-pool create east --members "$(printf 'team:ea\033st')"
	assert_status 1
	[ "$stderr" = "crm-pool: members: control characters are not allowed in names" ]
	run_split crm-pool create east --admins "$(printf 'li\r')"
	assert_status 1
	[ "$stderr" = "crm-pool: admins: control characters are not allowed in names" ]
	[ -z "$output" ]
	[ "$(snapshot)" = "$before" ]
}

@test "create --dry-run: prints the pool and writes nothing" {
	before=$(snapshot)
	run_split crm-pool create p1 --no-followup-days 10 -n
	assert_status 0
	[ "$(field 1 name <<<"$output")" = p1 ]
	[ "$(field 1 no_followup_days <<<"$output")" = 10 ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "set: changes only the settings given, with a history row each; off clears" {
	crm-pool create p --members team:east --no-followup-days 30 --claim-limit 3 -q >/dev/null
	run_split crm-pool set p --claim-limit off --cooling-days 2 --members team:east,team:west
	assert_status 0
	null "$(field 1 claim_limit <<<"$output")"
	[ "$(field 1 cooling_days <<<"$output")" = 2 ]
	[ "$(field 1 no_followup_days <<<"$output")" = 30 ]
	[ "$(field 1 members <<<"$output")" = team:east,team:west ]
	[ "$(sql "SELECT field, coalesce(old_value, '-'), coalesce(new_value, '-'), reason
	    FROM history WHERE command = 'crm-pool set' ORDER BY id" | tr '\t\n' ' |')" = \
	    "claim_limit 3 - configure|cooling_days - 2 configure|members team:east team:east,team:west configure|" ]
}

@test "set: a pool's admin may configure it, a rep may not, and set needs a change" {
	crm-pool create p --admins chen -q >/dev/null
	run_split crm-pool --as chen set p --warn-days 5
	assert_status 0
	[ "$(sql "SELECT warn_days FROM pools")" = 5 ]
	before=$(snapshot)
	run_split crm-pool --as li set p --warn-days 1
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: configuring pool 'p' needs an admin of it (you are 'li', a rep)" ]
	run_split crm-pool set nosuch --warn-days 1
	assert_status 1
	[ "$stderr" = "crm-pool: no pool 'nosuch'" ]
	run_split crm-pool set p
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: set: nothing to change (give a rule, --members or --admins)" ]
	[ "$(snapshot)" = "$before" ]
}

@test "pools: a rep sees the pools it is a member of, an admin all" {
	crm-pool create east --members team:east -q >/dev/null
	crm-pool create west --members team:west -q >/dev/null
	pooled X east 2026-11-01T00:00:00Z
	run_split crm-pool --as li pools
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 name <<<"$output")" = east ]
	[ "$(field 1 customers <<<"$output")" = 1 ]
	run_split crm-pool pools
	[ "$(count_rows <<<"$output")" = 2 ]
}

# ---- reclaim: the clocks -------------------------------------------------

@test "reclaim no-followup: the clock is the later of the last follow-up and owner_since" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A li 2026-10-01T09:00:00Z		# 1: never followed up: 52 days
	own B li 2026-09-01T09:00:00Z		# 2: followed up 21 days ago
	own C wang 2026-11-10T09:00:00Z		# 3: owned 12 days, old follow-up
	own D wang 2026-09-01T09:00:00Z		# 4: followed up 38 days ago
	own E li 2026-10-23T09:00:00Z		# 5: exactly 30 days
	own F li 2026-10-23T09:00:01Z		# 6: one second short of 30 days
	crm-activity log 2 --kind call --at 2026-11-01T09:00:00Z -q >/dev/null
	crm-activity log 3 --kind call --at 2026-09-01T09:00:00Z -q >/dev/null
	crm-activity log 4 --kind visit --at 2026-10-15T09:00:00Z -q >/dev/null
	run_split crm-pool reclaim
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id	name	company	owner	pool	rule	idle_days	limit_days	since" ]
	[ "$(count_rows <<<"$output")" = 3 ]
	[ "$(field 1 id <<<"$output") $(field 1 owner <<<"$output") $(field 1 rule <<<"$output") $(field 1 idle_days <<<"$output") $(field 1 since <<<"$output")" = \
	    "1 li no-followup 52 2026-10-01T09:00:00Z" ]
	[ "$(field 2 id <<<"$output") $(field 2 idle_days <<<"$output") $(field 2 since <<<"$output")" = \
	    "4 38 2026-10-15T09:00:00Z" ]
	[ "$(field 3 id <<<"$output") $(field 3 idle_days <<<"$output") $(field 3 limit_days <<<"$output")" = "5 30 30" ]
	for i in 1 4 5; do [ "$(holder $i)" = pool:east ]; done
	[ "$(holder 2)" = owner:li ]
	[ "$(holder 3)" = owner:wang ]
	[ "$(holder 6)" = owner:li ]
	[[ "$stderr" == *"pool 'east': 3 customers reclaimed"* ]]
}

@test "reclaim writes what crm_customer_set_pool writes: history, prev_owner, clocks" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A li 2026-10-01T09:00:00Z
	own B wang 2026-10-02T09:00:00Z
	own C li 2026-11-20T09:00:00Z
	crm-pool reclaim -q >/dev/null
	# per moved customer: the owner and its clock to none, the pool and its
	# clock from none, each row naming the rule and the idle days
	[ "$(sql "SELECT entity_id, field, coalesce(old_value, '-'), coalesce(new_value, '-'), reason
	    FROM history WHERE command = 'crm-pool reclaim' ORDER BY id" | tr '\t' ' ')" = \
	    "1 owner_since 2026-10-01T09:00:00Z - reclaim: no-followup 52 days (limit 30)
1 owner li - reclaim: no-followup 52 days (limit 30)
1 pool_since - 2026-11-22T09:00:00Z reclaim: no-followup 52 days (limit 30)
1 pool - east reclaim: no-followup 52 days (limit 30)
2 owner_since 2026-10-02T09:00:00Z - reclaim: no-followup 51 days (limit 30)
2 owner wang - reclaim: no-followup 51 days (limit 30)
2 pool_since - 2026-11-22T09:00:00Z reclaim: no-followup 51 days (limit 30)
2 pool - east reclaim: no-followup 51 days (limit 30)" ]
	[ "$(sql "SELECT count(DISTINCT batch_id), min(actor), min(at) FROM history
	    WHERE command = 'crm-pool reclaim'")" = "1	boss	2026-11-22T09:00:00Z" ]
	[ "$(sql "SELECT c.id, u.login, coalesce(CAST(c.owner_id AS TEXT), '-'), coalesce(c.owner_since, '-'), c.pool_since, c.updated_at
	    FROM customers c JOIN users u ON u.id = c.prev_owner_id ORDER BY c.id" | tr '\t' ' ')" = \
	    "1 li - - 2026-11-22T09:00:00Z 2026-11-22T09:00:00Z
2 wang - - 2026-11-22T09:00:00Z 2026-11-22T09:00:00Z" ]
	[ "$(sql "SELECT rows FROM batches WHERE command = 'crm-pool reclaim'")" = 2 ]
}

@test "reclaim no-deal: the clock is the later of the latest deal and owner_since" {
	crm-pool create east --members team:east --no-deal-days 45 -q >/dev/null
	own A li 2026-08-01T09:00:00Z		# 1: last deal 2026-09-01: 82 days
	own B li 2026-08-01T09:00:00Z		# 2: a deal 2026-11-01
	own C li 2026-11-01T09:00:00Z		# 3: no deal, but owned 21 days
	own D wang 2026-09-01T09:00:00Z		# 4: no deal for 82 days
	deal 1 new 2026-08-15T09:00:00Z
	deal 1 lost 2026-09-01T09:00:00Z
	deal 2 lost 2026-11-01T09:00:00Z
	run_split crm-pool reclaim
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(field 1 id <<<"$output") $(field 1 rule <<<"$output") $(field 1 idle_days <<<"$output") $(field 1 since <<<"$output")" = \
	    "1 no-deal 82 2026-09-01T09:00:00Z" ]
	[ "$(field 2 id <<<"$output") $(field 2 rule <<<"$output") $(field 2 idle_days <<<"$output")" = "4 no-deal 82" ]
	[ "$(holder 2)" = owner:li ]
	[ "$(holder 3)" = owner:li ]
	[ "$(sql "SELECT reason FROM history WHERE entity_id = 1 AND field = 'pool'")" = \
	    "reclaim: no-deal 82 days (limit 45)" ]
}

@test "reclaim not-won: N days after the owner got it, unless a deal was won" {
	crm-pool create east --members team:east --not-won-days 90 -q >/dev/null
	own A li 2026-07-01T09:00:00Z		# 1: 144 days, nothing won
	own B li 2026-07-01T09:00:00Z		# 2: a deal won
	own C li 2026-10-01T09:00:00Z		# 3: 52 days only
	deal 1 lost 2026-11-20T09:00:00Z
	deal 2 won 2026-08-01T09:00:00Z
	crm-activity log 1 --kind call -q >/dev/null	# follow-ups do not stop this clock
	run_split crm-pool reclaim
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output") $(field 1 rule <<<"$output") $(field 1 idle_days <<<"$output") $(field 1 limit_days <<<"$output")" = \
	    "1 not-won 144 90" ]
	[ "$(holder 2)" = owner:li ]
	[ "$(holder 3)" = owner:li ]
}

@test "reclaim: of several rules due, the one that fired first is named" {
	crm-pool create east --members team:east --no-followup-days 30 --not-won-days 60 -q >/dev/null
	own A li 2026-08-01T09:00:00Z
	crm-activity log 1 --kind call --at 2026-10-20T09:00:00Z -q >/dev/null
	# not-won fired 2026-09-30, no-followup 2026-11-19
	run_split crm-pool reclaim
	[ "$(field 1 rule <<<"$output") $(field 1 idle_days <<<"$output")" = "not-won 113" ]
}

# ---- reclaim: exemptions and grades --------------------------------------

@test "reclaim exemptions: locked, won and open-deal customers stay" {
	crm-pool create east --members team:east --no-followup-days 30 --exempt locked,won,open-deal -q >/dev/null
	own A li 2026-09-01T09:00:00Z	# 1: locked
	own B li 2026-09-01T09:00:00Z	# 2: a won deal
	own C li 2026-09-01T09:00:00Z	# 3: an open deal
	own D li 2026-09-01T09:00:00Z	# 4: only a lost deal: reclaimed
	sql "UPDATE customers SET locked = 1 WHERE id = 1"
	deal 2 won 2026-09-10T09:00:00Z
	deal 3 proposal 2026-09-10T09:00:00Z
	deal 4 lost 2026-09-10T09:00:00Z
	run_split crm-pool reclaim
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output")" = 4 ]
	for i in 1 2 3; do [ "$(holder $i)" = owner:li ]; done
	# without exemptions all four go
	crm-pool set east --exempt none -q >/dev/null
	run_split crm-pool reclaim
	[ "$(count_rows <<<"$output")" = 3 ]
}

@test "reclaim exemptions per rule: RULE:KIND exempts from that rule only" {
	crm-pool create east --members team:east --no-followup-days 30 --no-deal-days 60 \
	    --exempt no-followup:open-deal -q >/dev/null
	own A li 2026-07-01T09:00:00Z	# 1: open deal made 2026-08-01: no-deal still applies
	own B li 2026-07-01T09:00:00Z	# 2: open deal made 2026-11-01: only no-followup is due
	deal 1 new 2026-08-01T09:00:00Z
	deal 2 new 2026-11-01T09:00:00Z
	run_split crm-pool reclaim
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output") $(field 1 rule <<<"$output") $(field 1 idle_days <<<"$output")" = "1 no-deal 113" ]
	[ "$(holder 2)" = owner:li ]
	[ "$(sql "SELECT exempt FROM pools")" = no-followup:open_deal ]
}

@test "reclaim per-grade limits replace the no-follow-up days for that grade" {
	crm-pool create east --members team:east --no-followup-days 30 --grade-days A=60,B=45 -q >/dev/null
	own A1 li 2026-10-01T09:00:00Z --grade A	# 1: 52 days < 60
	own A2 li 2026-09-01T09:00:00Z --grade A	# 2: 82 days >= 60
	own B1 li 2026-10-01T09:00:00Z --grade B	# 3: 52 days >= 45
	own C1 li 2026-10-01T09:00:00Z --grade C	# 4: no grade limit: 30
	own N1 li 2026-10-01T09:00:00Z			# 5: no grade: 30
	run_split crm-pool reclaim
	assert_status 0
	[ "$(awk -F'\t' 'NR > 1 { print $1 ":" $8 }' <<<"$output" | tr '\n' ' ')" = "2:60 3:45 4:30 5:30 " ]
	[ "$(holder 1)" = owner:li ]
	[ "$(sql "SELECT reason FROM history WHERE entity_id = 2 AND field = 'pool'")" = \
	    "reclaim: no-followup 82 days (limit 60 for grade A)" ]
	# a grade limit works with the default rule off, too
	crm-pool set east --no-followup-days off -q >/dev/null
	own A3 li 2026-09-01T09:00:00Z --grade A	# 6
	own N2 li 2026-09-01T09:00:00Z			# 7
	run_split crm-pool reclaim
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output")" = 6 ]
}

# ---- reclaim: which pool, idempotence, back-testing, dry run -------------

@test "reclaim: only members' customers, into the first pool whose filters match" {
	crm-pool create south --members team:east --region 华南 --no-followup-days 30 -q >/dev/null
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	crm-pool create west --members team:west --no-followup-days 30 -q >/dev/null
	own A li 2026-09-01T09:00:00Z --region 华南	# 1 -> south
	own B li 2026-09-01T09:00:00Z --region 华东	# 2 -> east
	own C zhao 2026-09-01T09:00:00Z			# 3 -> west
	own D chen 2026-09-01T09:00:00Z			# 4: no pool covers chen
	run_split crm-pool reclaim
	assert_status 0
	[ "$(awk -F'\t' 'NR > 1 { print $1 ":" $5 }' <<<"$output" | tr '\n' ' ')" = "1:south 2:east 3:west " ]
	[ "$(holder 4)" = owner:chen ]
	# --pool reclaims one pool only
	own E li 2026-09-01T09:00:00Z	# 5
	own F zhao 2026-09-01T09:00:00Z	# 6
	run_split crm-pool reclaim --pool west
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output")" = 6 ]
	[ "$(holder 5)" = owner:li ]
}

@test "reclaim is idempotent: a rerun at the same time moves nothing and writes no history" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A li 2026-09-01T09:00:00Z
	own B wang 2026-09-01T09:00:00Z
	crm-pool reclaim -q >/dev/null
	customers=$(sql "SELECT * FROM customers ORDER BY id")
	history=$(sql "SELECT * FROM history ORDER BY id")
	run_split crm-pool reclaim
	assert_status 0
	[ "$(count_rows <<<"$output")" = 0 ]
	[[ "$stderr" == *"nothing is due"* ]]
	[ "$(sql "SELECT * FROM customers ORDER BY id")" = "$customers" ]
	[ "$(sql "SELECT * FROM history ORDER BY id")" = "$history" ]
	# and a customer claimed since is not due again at that time
	crm-pool --as li claim 1 -q >/dev/null
	run_split crm-pool reclaim
	[ "$(count_rows <<<"$output")" = 0 ]
}

@test "reclaim --now back-tests: what was due then, recorded at that time" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A li 2026-09-01T09:00:00Z	# 1: due from 2026-10-01
	own B li 2026-10-01T09:00:00Z	# 2: due from 2026-10-31
	run_split crm-pool reclaim --now 2026-10-15 --dry-run
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output") $(field 1 idle_days <<<"$output")" = "1 43" ]
	[ "$(holder 1)" = owner:li ]
	CRM_NOW=2026-10-31T09:00:00Z run_split crm-pool reclaim
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(sql "SELECT DISTINCT at FROM history WHERE command = 'crm-pool reclaim'")" = 2026-10-31T09:00:00Z ]
}

@test "reclaim --dry-run --explain: says why, shows the exempt ones, changes nothing" {
	crm-pool create east --members team:east --no-followup-days 30 --exempt locked -q >/dev/null
	own A li 2026-09-01T09:00:00Z
	own B li 2026-09-01T09:00:00Z
	crm-activity log 1 --kind call --at 2026-10-01T09:00:00Z -q >/dev/null
	sql "UPDATE customers SET locked = 1 WHERE id = 2"
	before=$(snapshot)
	run_split crm-pool reclaim --dry-run --explain
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id	name	company	owner	pool	rule	idle_days	limit_days	since	action	explain" ]
	[ "$(field 1 action <<<"$output")" = move ]
	[ "$(field 1 explain <<<"$output")" = \
	    "last follow-up 2026-10-01T09:00:00Z, owner since 2026-09-01T09:00:00Z: 52 days without a follow-up, limit 30" ]
	[ "$(field 2 action <<<"$output")" = exempt ]
	[[ "$(field 2 explain <<<"$output")" == *"; exempt: locked" ]]
	[[ "$stderr" == *"1 customer would be reclaimed"* ]]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "reclaim: a rep may not run it; a pool admin may for that pool" {
	crm-pool create east --members team:east --admins chen --no-followup-days 30 -q >/dev/null
	own A li 2026-09-01T09:00:00Z
	before=$(snapshot)
	run_split crm-pool --as li reclaim
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: reclaim of every pool needs an admin (you are 'li', a rep)" ]
	run_split crm-pool --as chen reclaim
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: reclaim of every pool needs an admin (you are 'chen', a rep)" ]
	run_split crm-pool --as li reclaim --pool east
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: reclaiming into pool 'east' needs an admin of it (you are 'li', a rep)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-pool --as chen reclaim --pool east
	assert_status 0
	[ "$(holder 1)" = pool:east ]
}

# ---- due -------------------------------------------------------------------

@test "due --within: what will be reclaimed soon, by owner, with days left" {
	crm-pool create east --members team:east --no-followup-days 30 --warn-days 1 -q >/dev/null
	own A wang 2026-10-25T09:00:00Z	# 1: due 2026-11-24: in 2 days
	own B li 2026-10-28T09:00:00Z	# 2: due 2026-11-27: in 5 days
	own C li 2026-09-01T09:00:00Z	# 3: due already
	own D li 2026-10-24T09:00:00Z	# 4: due 2026-11-23: in 1 day
	run_split crm-pool due --within 3d
	assert_status 0
	[ "$(head -1 <<<"$output")" = "owner	owner_email	id	name	company	pool	rule	idle_days	limit_days	due_at	days_left" ]
	[ "$(awk -F'\t' 'NR > 1 { print $1 ":" $3 ":" $10 ":" $11 }' <<<"$output" | tr '\n' ' ')" = \
	    "li:3:2026-10-01T09:00:00Z:0 li:4:2026-11-23T09:00:00Z:1 wang:1:2026-11-24T09:00:00Z:2 " ]
	[ "$(field 3 idle_days <<<"$output")" = 28 ]
	# the default window is the pool's --warn-days
	run_split crm-pool due
	[ "$(awk -F'\t' 'NR > 1 { print $3 }' <<<"$output" | tr '\n' ' ')" = "3 4 " ]
	# nothing was moved
	[ "$(holder 3)" = owner:li ]
}

@test "due: a rep sees its own customers only" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A wang 2026-09-01T09:00:00Z
	own B li 2026-09-01T09:00:00Z
	run_split crm-pool --as li due
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output")" = 2 ]
	run_split crm-pool --as li due --owner wang
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: only an admin may see the customers due of 'wang' (you are 'li', a rep)" ]
	run_split crm-pool due --owner wang
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 1 ]
	run_split crm-pool due --within soon
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: --within takes a duration such as 3d, 12h or 2w, got 'soon'" ]
}

# ---- claim -----------------------------------------------------------------

@test "claim: a member takes a pooled customer; history says who and which pool" {
	crm-pool create east --members team:east -q >/dev/null
	pooled X east 2026-11-01T09:00:00Z --phone 13800138000
	run_split crm-pool --as li claim 1
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(field 1 owner <<<"$output")" = li ]
	null "$(field 1 pool <<<"$output")"
	[ "$(field 1 phone <<<"$output")" = 13800138000 ]
	[ "$(holder 1)" = owner:li ]
	[ "$(sql "SELECT owner_since, coalesce(pool_since, '-') FROM customers")" = "2026-11-22T09:00:00Z	-" ]
	[ "$(sql "SELECT field, coalesce(old_value, '-'), coalesce(new_value, '-'), actor, reason, command
	    FROM history WHERE command = 'crm-pool claim' ORDER BY id" | tr '\t' ' ')" = \
	    "pool_since 2026-11-01T09:00:00Z - li claim crm-pool claim
pool east - li claim crm-pool claim
owner_since - 2026-11-22T09:00:00Z li claim crm-pool claim
owner - li li claim crm-pool claim" ]
}

@test "claim refusals: not pooled, not a member, no customer, not a user" {
	crm-pool create east --members team:east -q >/dev/null
	pooled X east 2026-11-01T09:00:00Z
	own Y wang 2026-11-01T09:00:00Z
	before=$(snapshot)
	run_split crm-pool --as li claim 2
	assert_status 1
	[ "$stderr" = "crm-pool: claim 2: refused: not in a pool (owned by 'wang')" ]
	run_split crm-pool --as zhao claim 1
	assert_status 1
	[ "$stderr" = "crm-pool: claim 1: refused by membership (you are not a member of pool 'east')" ]
	run_split crm-pool --as li claim 99
	assert_status 1
	[ "$stderr" = "crm-pool: claim 99: no such customer" ]
	run_split crm-pool --as ghost claim 1
	assert_status 1
	[ "$stderr" = "crm-pool: you ('ghost') are not a crm user: act as your login with --as or CRM_USER (crm-user list shows them)" ]
	[ -z "$output" ]
	run_split crm-pool --as ghost list
	assert_status 1
	[ "$stderr" = "crm-pool: you ('ghost') are not a crm user: act as your login with --as or CRM_USER (crm-user list shows them)" ]
	[ -z "$output" ]
	[ "$(snapshot)" = "$before" ]
}

@test "claim refused by cooling-off until the pool's days have passed" {
	crm-pool create east --members team:east --cooling-days 2 -q >/dev/null
	pooled X east 2026-11-21T09:00:00Z
	before=$(snapshot)
	run_split crm-pool --as li claim 1
	assert_status 1
	[ "$stderr" = "crm-pool: claim 1: refused by cooling-off (2 days; in the pool since 2026-11-21T09:00:00Z, claimable from 2026-11-23T09:00:00Z)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-pool --as li claim 1 --now 2026-11-23T09:00:00Z
	assert_status 0
	[ "$(holder 1)" = owner:li ]
}

@test "claim refused by lockout for the rep who lost it, not for others" {
	crm-pool create east --members team:east --no-followup-days 30 --lockout-days 7 -q >/dev/null
	own A li 2026-09-01T09:00:00Z
	crm-pool reclaim -q >/dev/null
	before=$(snapshot)
	run_split crm-pool --as li claim 1
	assert_status 1
	[ "$stderr" = "crm-pool: claim 1: refused by lockout (7 days; you lost it on 2026-11-22T09:00:00Z, and may claim it back from 2026-11-29T09:00:00Z)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-pool --as li claim 1 --now 2026-11-29T09:00:00Z
	assert_status 0
	# a release counts as losing it too
	crm-pool --as li release 1 --reason 不需要 --now 2026-11-29T10:00:00Z -q >/dev/null
	run_split crm-pool --as li claim 1 --now 2026-11-30T10:00:00Z
	assert_status 1
	[ "$stderr" = "crm-pool: claim 1: refused by lockout (7 days; you lost it on 2026-11-29T10:00:00Z, and may claim it back from 2026-12-06T10:00:00Z)" ]
	run_split crm-pool --as wang claim 1 --now 2026-11-30T10:00:00Z
	assert_status 0
}

@test "claim refused by claim-limit: N a day per rep per pool, counted since the day began" {
	crm-pool create east --members team:east --claim-limit 2 -q >/dev/null
	crm-pool create west --members team:east -q >/dev/null
	for n in 1 2 3 4; do pooled X$n east 2026-11-01T09:00:00Z; done
	pooled W west 2026-11-01T09:00:00Z		# 5
	crm-pool --as li claim 1 --now 2026-11-22T00:00:00Z -q >/dev/null
	crm-pool --as li claim 2 -q >/dev/null
	before=$(snapshot)
	run_split crm-pool --as li claim 3
	assert_status 1
	[ "$stderr" = "crm-pool: claim 3: refused by claim-limit (2 a day; you claimed 2 today)" ]
	[ "$(snapshot)" = "$before" ]
	# other reps and other pools have their own count
	run_split crm-pool --as wang claim 3
	assert_status 0
	run_split crm-pool --as li claim 5
	assert_status 0
	# the next day starts afresh
	run_split crm-pool --as li claim 4 --now 2026-11-23T00:00:00Z
	assert_status 0
}

@test "claim-limit: today is the site's day (Asia/Shanghai), not UTC's" {
	crm-db config timezone Asia/Shanghai -q >/dev/null
	crm-pool create east --members team:east --claim-limit 1 -q >/dev/null
	for n in 1 2 3 4; do pooled X$n east 2026-11-01T09:00:00Z; done
	# 15:59:59Z is 23:59:59 on the 22nd in Shanghai; 17:00Z is 01:00 on the 23rd
	crm-pool --as li claim 1 --now 2026-11-22T15:59:59Z -q >/dev/null
	run_split crm-pool --as li claim 2 --now 2026-11-22T17:00:00Z
	assert_status 0
	# 2026-11-23T10:00Z is another UTC day, but the 23rd in Shanghai still,
	# and the claim at 17:00Z counted for the 23rd
	before=$(snapshot)
	run_split crm-pool --as li claim 3 --now 2026-11-23T10:00:00Z
	assert_status 1
	[ "$stderr" = "crm-pool: claim 3: refused by claim-limit (1 a day; you claimed 1 today)" ]
	[ "$(snapshot)" = "$before" ]
	# 16:00Z is midnight in Shanghai: the 24th begins
	run_split crm-pool --as li claim 3 --now 2026-11-23T16:00:00Z
	assert_status 0
	[ "$(holder 1) $(holder 2) $(holder 3) $(holder 4)" = "owner:li owner:li owner:li pool:east" ]
}

@test "claim refused by max-owned and by the rep's capacity" {
	crm-pool create east --members team:east --max-owned 2 -q >/dev/null
	own A li 2026-11-01T09:00:00Z
	own B li 2026-11-01T09:00:00Z
	pooled X east 2026-11-01T09:00:00Z	# 3
	before=$(snapshot)
	run_split crm-pool --as li claim 3
	assert_status 1
	[ "$stderr" = "crm-pool: claim 3: refused by max-owned (2 at most in pool 'east'; you own 2)" ]
	[ "$(snapshot)" = "$before" ]
	crm-pool set east --max-owned off -q >/dev/null
	crm-user update li --capacity 2 -q >/dev/null
	run_split crm-pool --as li claim 3
	assert_status 1
	[ "$stderr" = "crm-pool: claim 3: refused by capacity (you own 2 of at most 2)" ]
	run_split crm-pool --as wang claim 3
	assert_status 0
}

@test "claim several: all or nothing, or with --partial what the rules allow" {
	crm-pool create east --members team:east --claim-limit 2 -q >/dev/null
	for n in 1 2 3; do pooled X$n east 2026-11-01T09:00:00Z; done
	before=$(snapshot)
	run_split crm-pool --as li claim 1 2 3
	assert_status 1
	[ -z "$output" ]
	[ "$stderr" = "crm-pool: claim 3: refused by claim-limit (2 a day; you claimed 2 today)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-pool --as li claim --partial 1 2 3
	assert_status 1
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$stderr" = "crm-pool: claim 3: refused by claim-limit (2 a day; you claimed 2 today)
crm-pool: 2 claimed, 1 refused" ]
	[ "$(holder 1) $(holder 2) $(holder 3)" = "owner:li owner:li pool:east" ]
}

@test "claim ids from stdin, and --dry-run checks without writing" {
	crm-pool create east --members team:east -q >/dev/null
	pooled X east 2026-11-01T09:00:00Z
	pooled Y east 2026-11-01T09:00:00Z
	before=$(snapshot)
	run_split bash -c 'crm-pool --as li list | crm-pool --as li claim -n'
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(snapshot)" = "$before" ]
	run_split bash -c 'crm-pool --as li list | crm-pool --as li claim'
	assert_status 0
	[ "$(holder 1) $(holder 2)" = "owner:li owner:li" ]
}

@test "claim -n shows no contact the rep would see only after the claim" {
	crm-pool create east --members team:east -q >/dev/null
	pooled X east 2026-11-01T09:00:00Z --phone 13800138000 --email zhang@example.com
	before=$(snapshot)
	run_split crm-pool --as li claim -n 1
	assert_status 0
	[ "$(field 1 owner <<<"$output")" = li ]
	[ "$(field 1 phone <<<"$output")" = '138****8000' ]
	[ "$(field 1 email <<<"$output")" = 'z***@example.com' ]
	[[ "$output" != *13800138000* && "$output" != *zhang@* ]]
	[ "$stderr" = "crm-pool: dry run: nothing was changed" ]
	[ "$(snapshot)" = "$before" ]
	# the claim itself shows them: the rep owns the customer now
	run_split crm-pool --as li claim 1
	assert_status 0
	[ "$(field 1 phone <<<"$output")" = 13800138000 ]
	[ "$(field 1 email <<<"$output")" = zhang@example.com ]
}

@test "claim --force: an admin of the pool overrides the rules, a rep may not" {
	crm-pool create east --members team:east --cooling-days 5 -q >/dev/null
	pooled X east 2026-11-21T09:00:00Z
	before=$(snapshot)
	run_split crm-pool --as li claim --force 1
	assert_status 1
	[ "$stderr" = "crm-pool: claim 1: permission denied: --force needs an admin of pool 'east' (you are 'li', a rep)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-pool claim --force 1
	assert_status 0
	[ "$(holder 1)" = owner:boss ]
	[ "$(sql "SELECT DISTINCT reason FROM history WHERE command = 'crm-pool claim'")" = "claim (forced)" ]
}

# ---- list and masking ------------------------------------------------------

@test "list: a rep sees phones and emails masked, with days in pool and previous owner" {
	crm-pool create east --members team:east --no-followup-days 30 --cooling-days 1 -q >/dev/null
	own A li 2026-09-01T09:00:00Z --phone 13800138000 --email zhang@example.com
	crm-pool reclaim --now 2026-11-19T09:00:00Z -q >/dev/null
	pooled B east 2026-11-01T09:00:00Z --phone '+86 139-1234-5678' --email 王@例子.cn
	run_split crm-pool --as wang list
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id	name	company	phone	email	region	industry	grade	pool	pool_since	days_in_pool	prev_owner	claimable_from" ]
	[ "$(field 1 phone <<<"$output")" = '138****8000' ]
	[ "$(field 1 email <<<"$output")" = 'z***@example.com' ]
	[ "$(field 1 days_in_pool <<<"$output")" = 3 ]
	[ "$(field 1 prev_owner <<<"$output")" = li ]
	[ "$(field 1 claimable_from <<<"$output")" = 2026-11-20T09:00:00Z ]
	[ "$(field 2 phone <<<"$output")" = '139****5678' ]
	[ "$(field 2 email <<<"$output")" = '王***@例子.cn' ]
	[ "$(field 2 days_in_pool <<<"$output")" = 21 ]
	null "$(field 2 prev_owner <<<"$output")"
	# nothing of the contact leaks anywhere in the rep's listing
	[[ "$output" != *13800138000* && "$output" != *zhang@* ]]
}

@test "list: admins and the pool's admins see everything; others see nothing" {
	crm-pool create east --members team:east --admins chen -q >/dev/null
	pooled X east 2026-11-01T09:00:00Z --phone 13800138000 --email zhang@example.com
	for who in boss chen; do
		run_split crm-pool --as $who list
		assert_status 0
		[ "$(field 1 phone <<<"$output")" = 13800138000 ]
		[ "$(field 1 email <<<"$output")" = zhang@example.com ]
	done
	run_split crm-pool --as zhao list
	assert_status 0
	[ "$(count_rows <<<"$output")" = 0 ]
	run_split crm-pool --as zhao list --pool east
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: you ('zhao', a rep) are not a member of pool 'east'" ]
	run_split crm-pool list --pool nosuch
	assert_status 1
	[ "$stderr" = "crm-pool: no pool 'nosuch'" ]
}

@test "list masks by the policy: 11+ digits keep 3 and 4, 8 to 10 keep 2 and 2, fewer the last 2" {
	crm-pool create east --members team:east --admins chen -q >/dev/null
	pooled A east 2026-11-01T09:00:00Z --phone 021-62345678 --email Zhang.San@Example.COM
	pooled B east 2026-11-01T09:00:00Z --phone 62345678
	pooled C east 2026-11-01T09:00:00Z --phone 1234567890
	pooled D east 2026-11-01T09:00:00Z --phone 12345
	run_split crm-pool --as li list
	assert_status 0
	[ "$(awk -F'\t' 'NR > 1 { print $4 }' <<<"$output" | tr '\n' ' ')" = \
	    "021****5678 62****78 12******90 ***45 " ]
	[ "$(field 1 email <<<"$output")" = 'Z***@Example.COM' ]
	# the pool's admin (no member) and an admin see them in full
	for who in chen boss; do
		run_split crm-pool --as $who list
		assert_status 0
		[ "$(awk -F'\t' 'NR > 1 { print $4 }' <<<"$output" | tr '\n' ' ')" = \
		    "021-62345678 62345678 1234567890 12345 " ]
		[ "$(field 1 email <<<"$output")" = Zhang.San@Example.COM ]
	done
}

# ---- release, move, assign -------------------------------------------------

@test "release: a rep gives back its own customer to the pool that covers it" {
	crm-pool create east --members team:east -q >/dev/null
	own A li 2026-11-01T09:00:00Z
	run_split crm-pool --as li release 1 --reason '客户没有预算'
	assert_status 0
	[ "$(field 1 pool <<<"$output")" = east ]
	[ "$(holder 1)" = pool:east ]
	[ "$(sql "SELECT u.login FROM customers c JOIN users u ON u.id = c.prev_owner_id")" = li ]
	[ "$(sql "SELECT field || ':' || reason FROM history WHERE command = 'crm-pool release' ORDER BY id" | tr '\n' ' ')" = \
	    "owner_since:release: 客户没有预算 owner:release: 客户没有预算 pool_since:release: 客户没有预算 pool:release: 客户没有预算 " ]
}

@test "release refusals: no reason, not yours, not owned, no pool covers it" {
	crm-pool create east --members team:east -q >/dev/null
	crm-pool create west --members team:west -q >/dev/null
	own A wang 2026-11-01T09:00:00Z		# 1
	pooled B east 2026-11-01T09:00:00Z	# 2
	own C chen 2026-11-01T09:00:00Z		# 3
	own D li 2026-11-01T09:00:00Z		# 4
	before=$(snapshot)
	run_split crm-pool --as li release 1
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: release needs --reason TEXT" ]
	run_split crm-pool --as li release 1 --reason x
	assert_status 1
	[ "$stderr" = "crm-pool: release 1: refused: owned by 'wang', not you" ]
	run_split crm-pool --as li release 2 --reason x
	assert_status 1
	[ "$stderr" = "crm-pool: release 2: refused: not owned (it is in pool 'east')" ]
	run_split crm-pool --as chen release 3 --reason x
	assert_status 1
	[ "$stderr" = "crm-pool: release 3: refused: no pool covers chen customers (name one with --to)" ]
	# a rep puts a customer only into a pool it is a member of
	run_split crm-pool --as li release 4 --reason x --to west
	assert_status 1
	[ "$stderr" = "crm-pool: release 4: permission denied: you ('li', a rep) are not a member of pool 'west'" ]
	run_split crm-pool --as li release 4 --reason x --to nosuch
	assert_status 1
	[ "$stderr" = "crm-pool: no pool 'nosuch'" ]
	[ "$(snapshot)" = "$before" ]
	# an admin may release anyone's, anywhere
	run_split crm-pool release 1 3 --reason 调整 --to west
	assert_status 0
	[ "$(holder 1) $(holder 3)" = "pool:west pool:west" ]
}

@test "move: an admin moves customers between pools, ids from stdin too" {
	crm-pool create east --members team:east -q >/dev/null
	crm-pool create west --members team:west --admins chen -q >/dev/null
	pooled A east 2026-11-01T09:00:00Z
	pooled B east 2026-11-01T09:00:00Z
	before=$(snapshot)
	run_split crm-pool --as li move 1 --to west
	assert_status 1
	[ "$stderr" = "crm-pool: move 1: permission denied: moving into pool 'west' needs an admin of it (you are 'li', a rep)" ]
	run_split crm-pool --as chen move 1 --to west
	assert_status 1
	[ "$stderr" = "crm-pool: move 1: permission denied: moving out of pool 'east' needs an admin of it (you are 'chen', a rep)" ]
	run_split crm-pool move 1
	assert_status 2
	[ "$(head -1 <<<"$stderr")" = "crm-pool: move needs --to POOL" ]
	[ "$(snapshot)" = "$before" ]
	run_split bash -c 'crm-pool list --pool east | crm-pool move --to west --reason 区域调整'
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(holder 1) $(holder 2)" = "pool:west pool:west" ]
	[ "$(sql "SELECT field || ':' || old_value || '>' || new_value || ':' || reason FROM history
	    WHERE command = 'crm-pool move' AND entity_id = 1 ORDER BY id" | tr '\n' ' ')" = \
	    "pool_since:2026-11-01T09:00:00Z>2026-11-22T09:00:00Z:move: 区域调整 pool:east>west:move: 区域调整 " ]
	# moving into the pool it is in is no change; it is printed as it stands
	history=$(sql "SELECT * FROM history ORDER BY id")
	run_split crm-pool move 1 --to west
	assert_status 0
	[ "$(field 1 id <<<"$output") $(field 1 pool <<<"$output")" = "1 west" ]
	[ "$stderr" = "crm-pool: move 1: in pool 'west' already" ]
	[ "$(sql "SELECT * FROM history ORDER BY id")" = "$history" ]
}

@test "assign: an admin hands a pooled customer to a member; the rules for it still apply" {
	crm-pool create east --members team:east --max-owned 1 --cooling-days 9 -q >/dev/null
	pooled A east 2026-11-21T09:00:00Z
	pooled B east 2026-11-21T09:00:00Z
	before=$(snapshot)
	run_split crm-pool --as li assign 1 --to li
	assert_status 1
	[ "$stderr" = "crm-pool: assign 1: permission denied: assigning needs an admin of pool 'east' (you are 'li', a rep)" ]
	run_split crm-pool assign 1 --to zhao
	assert_status 1
	[ "$stderr" = "crm-pool: assign 1: refused by membership ('zhao' is not a member of pool 'east')" ]
	run_split crm-pool assign 1 --to nobody
	assert_status 1
	[ "$stderr" = "crm-pool: assign: no user 'nobody'" ]
	[ "$(snapshot)" = "$before" ]
	# cooling-off is for claims; an admin's assignment is not held by it
	run_split crm-pool assign 1 --to li
	assert_status 0
	[ "$(holder 1)" = owner:li ]
	run_split crm-pool assign 2 --to li
	assert_status 1
	[ "$stderr" = "crm-pool: assign 2: refused by max-owned (1 at most in pool 'east'; 'li' owns 1)" ]
	run_split crm-pool assign 2 --to li --force
	assert_status 0
	[ "$(sql "SELECT DISTINCT reason FROM history WHERE command = 'crm-pool assign'")" = "assign
assign (forced)" ]
}

@test "assign: not to a deactivated, away or full rep; only an admin's --force passes leave and capacity" {
	crm-pool create east --members team:east --admins chen -q >/dev/null
	pooled A east 2026-11-01T09:00:00Z
	crm-user add zhou --team east -q >/dev/null
	crm-user deactivate zhou -q >/dev/null
	crm-user update li --away 2026-11-20..2026-11-30 -q >/dev/null
	crm-user update wang --capacity 0 -q >/dev/null
	before=$(snapshot)
	run_split crm-pool assign 1 --to li
	assert_status 1
	[ "$stderr" = "crm-pool: assign 1: refused: 'li' is away until 2026-11-30T23:59:59Z" ]
	run_split crm-pool assign 1 --to wang
	assert_status 1
	[ "$stderr" = "crm-pool: assign 1: refused by capacity ('wang' owns 0 of at most 0)" ]
	run_split crm-pool assign 1 --to zhou
	assert_status 1
	[ "$stderr" = "crm-pool: assign 1: refused: 'zhou' is deactivated" ]
	run_split crm-pool assign 1 --to zhou --force
	assert_status 1
	[ "$stderr" = "crm-pool: assign 1: refused: 'zhou' is deactivated" ]
	# the pool's admin, a rep, overrides the pool's rules, not the rep's limits
	run_split crm-pool --as chen assign 1 --to li --force
	assert_status 1
	[ "$stderr" = "crm-pool: assign 1: refused: 'li' is away until 2026-11-30T23:59:59Z" ]
	# and a rep on leave claims nothing
	run_split crm-pool --as li claim 1
	assert_status 1
	[ "$stderr" = "crm-pool: claim 1: refused: you are away until 2026-11-30T23:59:59Z" ]
	[ -z "$output" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-pool assign 1 --to wang --force
	assert_status 0
	[ "$(holder 1)" = owner:wang ]
}

@test "assign passes input records through, the holder's columns as they now stand" {
	crm-pool create east --members team:east -q >/dev/null
	pooled X east 2026-11-01T09:00:00Z --score 7	# 1
	pooled Y east 2026-11-01T09:00:00Z		# 2
	crm-lead list -l --pool east |
	    awk -F'\t' -v OFS='\t' '{ print $0, (NR == 1 ? "note" : "n" NR) }' >in.tsv
	run_split crm-pool assign --to li <in.tsv
	assert_status 0
	[ "$(head -1 <<<"$output")" = "$(head -1 in.tsv)" ]
	[ "$(count_rows <<<"$output")" = 2 ]
	for r in 1 2; do
		[ "$(field $r owner <<<"$output")" = li ]
		null "$(field $r pool <<<"$output")"
		[ "$(field $r owner_since <<<"$output")" = 2026-11-22T09:00:00Z ]
		null "$(field $r pool_since <<<"$output")"
		[ "$(field $r note <<<"$output")" = "n$((r + 1))" ]
	done
	[ "$(field 1 score <<<"$output")" = 7 ]
	# columns that did not come in are added at the end
	run_split bash -c 'printf "id\tmine\n2\tx\n" | crm-pool release --reason 退回'
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id	mine	owner	owner_since	pool	pool_since" ]
	[ "$(field 1 mine <<<"$output") $(field 1 pool <<<"$output")" = "x east" ]
}

# ---- pipelines ---------------------------------------------------------------

# each_run CMD CHECK: run the pipeline CMD (shell text) RUNS times, each on a new
# copy of the database pipeline_setup made, and CHECK OUT (a function, with
# CRM_DB that copy) on each; every run must succeed with every row.
each_run() {
	local ok=0 i db
	for i in $(seq 1 "$RUNS"); do
		db=$(CRM_DB=$TEMPLATE copy_db "run$i.db")
		if CRM_DB=$db bash -c "set -o pipefail; $1" >"out$i" 2>"err$i" &&
		    CRM_DB=$db "$2" "out$i"; then
			ok=$((ok + 1))
		else
			echo "run $i: status or rows wrong; stderr:"
			cat "err$i"
		fi
	done
	[ "$ok" = "$RUNS" ]
}

# Customers 1-3 in pool west, 4-6 owned by wang, 7-9 in pool east.
pipeline_setup() {
	crm-pool create east --members team:east -q >/dev/null
	crm-pool create west --members team:west -q >/dev/null
	for n in 1 2 3; do pooled W$n west 2026-11-01T09:00:00Z; done
	for n in 4 5 6; do own O$n wang 2026-11-01T09:00:00Z; done
	for n in 7 8 9; do pooled E$n east 2026-11-01T09:00:00Z; done
	TEMPLATE=$CRM_DB
}

# ids_of OUT COLUMN: "id:value" of each record of OUT.
ids_of() {
	awk -F'\t' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
	    { print $1 ":" $c }' "$1" | tr '\n' ' '
}

moved_then_claimed() {
	[ "$(ids_of "$1" owner)" = "1:li 2:li 3:li " ] &&
	    [ "$(ids_of "$1" pool | tr -d '\\N')" = "1: 2: 3: " ] &&
	    [ "$(sql "SELECT group_concat(c.id) FROM customers c JOIN users u
	        ON u.id = c.owner_id WHERE u.login = 'li'")" = 1,2,3 ]
}

@test "crm-pool move | crm-pool claim: run on fresh databases (10 times, 5 on PostgreSQL), every run a success" {
	pipeline_setup
	each_run 'crm-pool move --to east 1 2 3 | crm-pool --as li claim' moved_then_claimed
}

assigned_then_released() {
	[ "$(ids_of "$1" pool)" = "4:east 5:east 6:east " ] &&
	    [ "$(ids_of "$1" owner | tr -d '\\N')" = "4: 5: 6: " ] &&
	    [ "$(sql "SELECT group_concat(c.id || ':' || p.name || ':' || u.login)
	        FROM customers c JOIN pools p ON p.id = c.pool_id
	        JOIN users u ON u.id = c.prev_owner_id WHERE c.id BETWEEN 4 AND 6")" = \
	    "4:east:li,5:east:li,6:east:li" ]
}

@test "crm-lead list | crm-assign | crm-pool release: run on fresh databases (10 times, 5 on PostgreSQL), every run a success" {
	pipeline_setup
	each_run 'crm-lead list --owner wang | crm-assign -f --to li -q |
	    crm-pool --as li release --reason 换人' assigned_then_released
}

claimed_then_qualified() {
	[ "$(ids_of "$1" status)" = "7:qualified 8:qualified 9:qualified " ] &&
	    [ "$(ids_of "$1" owner)" = "7:li 8:li 9:li " ] &&
	    [ "$(sql "SELECT group_concat(id || ':' || status) FROM customers
	        WHERE id BETWEEN 7 AND 9")" = "7:qualified,8:qualified,9:qualified" ]
}

@test "crm-pool claim | crm-lead qualify: run on fresh databases (10 times, 5 on PostgreSQL), every run a success" {
	pipeline_setup
	each_run 'crm-pool --as li claim 7 8 9 | crm-lead --as li qualify' claimed_then_qualified
}

# ---- the site's day and undo -------------------------------------------------

@test "due: today and days_left are the site's days (Asia/Shanghai), not UTC's" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A li 2026-10-23T15:00:00Z	# 1: due 15:00Z on the 22nd: 23:00 in Shanghai
	own B li 2026-10-23T17:00:00Z	# 2: due 17:00Z on the 22nd: the 23rd, 01:00 in Shanghai
	own C li 2026-10-25T15:30:00Z	# 3: due 15:30Z on the 24th: 23:30 in Shanghai
	# now is 09:00Z on the 22nd; in UTC both 1 and 2 fall due today
	run_split crm-pool due
	assert_status 0
	[ "$(awk -F'\t' 'NR > 1 { print $3 ":" $11 }' <<<"$output" | tr '\n' ' ')" = "1:0 2:0 " ]
	crm-db config timezone Asia/Shanghai -q >/dev/null
	# in Shanghai it is 17:00 on the 22nd: 1 falls due today, 2 tomorrow
	run_split crm-pool due
	assert_status 0
	[ "$(awk -F'\t' 'NR > 1 { print $3 ":" $11 }' <<<"$output" | tr '\n' ' ')" = "1:0 " ]
	run_split crm-pool due --within 1d
	[ "$(awk -F'\t' 'NR > 1 { print $3 ":" $11 }' <<<"$output" | tr '\n' ' ')" = "1:0 2:1 " ]
	run_split crm-pool due --within 2d
	[ "$(awk -F'\t' 'NR > 1 { print $3 ":" $11 }' <<<"$output" | tr '\n' ' ')" = "1:0 2:1 3:2 " ]
}

@test "undo puts back every clock it moved: owner_since after a reclaim, pool_since after a claim" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A li 2026-09-01T09:00:00Z		# 1: reclaimed
	pooled B east 2026-11-01T09:00:00Z	# 2: claimed
	crm-pool reclaim -q >/dev/null
	crm-pool --as wang claim 2 --now 2026-11-22T10:00:00Z -q >/dev/null
	r=$(sql "SELECT id FROM batches WHERE command = 'crm-pool reclaim'")
	c=$(sql "SELECT id FROM batches WHERE command = 'crm-pool claim'")
	# a day later: the clocks are the first ones, not the time of the undo
	CRM_NOW=2026-11-23T09:00:00Z run_split crm-pool undo "$r"
	assert_status 0
	CRM_NOW=2026-11-23T09:00:00Z run_split crm-pool undo "$c"
	assert_status 0
	[ "$(sql "SELECT c.id, coalesce(u.login, '-'), coalesce(c.owner_since, '-'),
	    coalesce(p.name, '-'), coalesce(c.pool_since, '-') FROM customers c
	    LEFT JOIN users u ON u.id = c.owner_id LEFT JOIN pools p ON p.id = c.pool_id
	    ORDER BY c.id" | tr '\t' ' ')" = \
	    "1 li 2026-09-01T09:00:00Z - -
2 - - east 2026-11-01T09:00:00Z" ]
	[ "$(sql "SELECT entity_id, field, coalesce(new_value, '-') FROM history
	    WHERE reason IN ('undo batch $r', 'undo batch $c')
	    AND field IN ('owner_since', 'pool_since') ORDER BY id" | tr '\t' ' ')" = \
	    "1 pool_since -
1 owner_since 2026-09-01T09:00:00Z
2 owner_since -
2 pool_since 2026-11-01T09:00:00Z" ]
}

# ---- undo and errors -------------------------------------------------------

@test "undo: an admin reverts a reclaim batch; other programs' batches are refused" {
	crm-pool create east --members team:east --no-followup-days 30 -q >/dev/null
	own A li 2026-09-01T09:00:00Z
	own B wang 2026-09-01T09:00:00Z
	crm-pool reclaim -q >/dev/null
	b=$(sql "SELECT id FROM batches WHERE command = 'crm-pool reclaim'")
	run_split crm-pool --as li undo "$b"
	assert_status 1
	[ "$stderr" = "crm-pool: permission denied: undo needs an admin (you are 'li', a rep)" ]
	lead_batch=$(sql "SELECT min(id) FROM batches WHERE command = 'crm-lead add'")
	run_split crm-pool undo "$lead_batch"
	assert_status 1
	[ "$stderr" = "crm-pool: batch $lead_batch was made by 'crm-lead add': undo it with that program" ]
	run_split crm-pool undo "$b"
	assert_status 0
	[ "$(holder 1) $(holder 2)" = "owner:li owner:wang" ]
	# owner, pool and their two clocks for each of the two
	[ "$stderr" = "crm-pool: 8 changes of batch $b undone" ]
	run_split crm-pool undo 9999
	assert_status 1
	[ "$stderr" = "crm-pool: no batch 9999" ]
}

@test "usage errors exit 2 without touching the database" {
	crm-pool create east -q >/dev/null
	before=$(snapshot)
	# usage FIRST-LINE CMD...: CMD exits 2 saying FIRST-LINE, printing nothing
	usage() {
		local want=$1
		shift
		run_split "$@"
		assert_status 2
		[ "$(head -1 <<<"$stderr")" = "crm-pool: $want" ]
		[ -z "$output" ]
	}
	usage "missing command (create, set, pools, list, due, claim, assign, release, move, reclaim, undo)" crm-pool
	usage "unknown command 'frobnicate' (create, set, pools, list, due, claim, assign, release, move, reclaim, undo)" crm-pool frobnicate
	usage "'abc' is not a customer id" crm-pool claim abc
	usage "option '--explain' is not for list (it is for reclaim)" crm-pool list --explain
	usage "option '--to' is not for claim (it is for move release assign)" crm-pool claim 1 --to li
	usage "option '--dry-run' is not for due (it is for create set claim release assign move reclaim undo)" crm-pool due -n
	usage "assign needs --to USER" crm-pool assign 1
	usage "bad time 'yesterday' in --now or CRM_NOW (use YYYY-MM-DD[THH:MM[:SS]])" crm-pool reclaim --now yesterday
	usage "create takes one NAME" crm-pool create
	usage "undo takes one BATCH number" crm-pool undo x
	usage "list takes no operands (use --pool)" crm-pool list east
	[ "$(snapshot)" = "$before" ]
}
