#!/usr/bin/env bats
# crm-report on the small database of report_fixture.bash, built with
# SQL (sql_script) following the schema as crm-deal and crm-lead fill it: every deal has its deal_stages
# rows (entered_at of each stage it passed, left_at when it moved on),
# every change of owner or pool its history rows (crm-db check agrees).
# The site is in Beijing time (UTC+8) and the clock reads 2026-11-22
# 17:00 there, so some rows fall on the other side of a day, a month, a
# quarter than their UTC text says.  Every expected figure is worked out
# by hand in the comments of the test that checks it.

load helpers
load report_fixture

local_setup() {
	export CRM_USER=boss
	fixture
}

@test "the fixture is a consistent database (crm-db check)" {
	run_split crm-db check
	assert_status 0
	[ "$output" = $'check\tentity\tid\tproblem' ]
}

# The funnel of all deals.  Now: new D5, D8 (30000 + 10000); proposal
# D3; negotiation D4; won D1, D6, D7 (100000 + 60000 + 40000); lost D2.
# Entered (every open stage up to the furthest reached; a won deal all):
#   new: all 8; qualified: D1 D2 D3 D4 D6 D7 = 6; proposal: D1 D3 D4 D6
#   D7 = 5; negotiation: D1 D4 D6 D7 = 4; won 3; lost 1.
# To next: 6/8, 5/6 = .83333, 4/5, won 3 of 4; to won: 3/8, 3/6, 3/5, 3/4.
# Whole days of finished stays: new D3 1, D4 1, D1 4, D2 8, D6 10 ->
#   median 4, p90 at rank 0.9 * 4 = 3.6: 8 + .6 * (10 - 8) = 9.2;
#   qualified D1 10, D3 16, D2 21 (10-10 to 10-31T17), D7 31 (10-08 to
#   11-08T01) -> median (16 + 21) / 2 = 18.5, p90 at 2.7: 21 + .7 * 10 = 28;
#   proposal D1 5; negotiation D1 14 (10-20 to 11-03T02).
# Stalled over 30 days: D3 in proposal since 10-20 (33 days); D8 (22) and
# D5 (17) in new and D4 in negotiation (20) are not.
@test "funnel: deals and amounts now, entered, conversions, days in stage, stalled" {
	report funnel
	assert_status 0
	expect <<-EOF
	stage | label | currency | deals | amount | entered | to_next | to_won | median_days | p90_days | stalled
	new | 初步接洽 | CNY | 2 | 40000.00 | 8 | 0.7500 | 0.3750 | 4 | 9.2 | 0
	qualified | 需求确认 | CNY | 0 | 0.00 | 6 | 0.8333 | 0.5000 | 18.5 | 28 | 0
	proposal | 方案报价 | CNY | 1 | 80000.00 | 5 | 0.8000 | 0.6000 | 5 | 5 | 1
	negotiation | 谈判 | CNY | 1 | 20000.00 | 4 | 0.7500 | 0.7500 | 14 | 14 | 0
	won | 赢单 | CNY | 3 | 200000.00 | 3 |  |  |  |  |
	lost | 输单 | CNY | 1 | 50000.00 | 1 |  |  |  |  |
	EOF
}

# li's deals only (D1 D2 D7 D8), whoever asks: now new D8, won D1 D7,
# lost D2.  Entered: new 4, qualified D1 D2 D7 = 3, proposal and
# negotiation D1 D7 = 2, won 2, lost 1.  Days: new D1 4, D2 8 -> median
# 6, p90 4 + .9 * 4 = 7.6; qualified 10, 21, 31 -> 21, p90 at 1.8:
# 21 + .8 * 10 = 29.
@test "funnel: a rep's covers its own deals; another's needs an admin" {
	for who in li boss; do
		if [ $who = li ]; then as li funnel; else report funnel --owner li; fi
		assert_status 0
		expect <<-EOF
		stage | label | currency | deals | amount | entered | to_next | to_won | median_days | p90_days | stalled
		new | 初步接洽 | CNY | 1 | 10000.00 | 4 | 0.7500 | 0.5000 | 6 | 7.6 | 0
		qualified | 需求确认 | CNY | 0 | 0.00 | 3 | 0.6667 | 0.6667 | 21 | 29 | 0
		proposal | 方案报价 | CNY | 0 | 0.00 | 2 | 1.0000 | 1.0000 | 5 | 5 | 0
		negotiation | 谈判 | CNY | 0 | 0.00 | 2 | 1.0000 | 1.0000 | 14 | 14 | 0
		won | 赢单 | CNY | 2 | 140000.00 | 2 |  |  |  |  |
		lost | 输单 | CNY | 1 | 50000.00 | 1 |  |  |  |  |
		EOF
	done
	as li funnel --owner wang
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"permission denied: a rep's reports cover its own work; --owner wang needs an admin (you are 'li', a rep)"* ]]
	as li funnel --team west
	assert_status 1
	[[ "$stderr" == *"--team west is not its team (you are 'li', a rep)"* ]]
	report funnel --owner nobody
	assert_status 1
	[[ "$stderr" == *"no user 'nobody'"* ]]
}

# --stalled 20: D8 in new since 10-31T17Z (21.7 days), D3 in proposal
# (33 days) and D4 in negotiation since 11-02 (20.4 days) have stalled;
# D5 (17.4 days) has not.
@test "funnel --stalled: the limit in days, counted from entering the stage" {
	report funnel --stalled 20
	assert_status 0
	[ "$(cut -f11 <<<"$output" | paste -sd' ')" = "stalled 1 0 1 1  " ]
	report funnel --stalled 0
	assert_status 2
	[[ "$stderr" == *"--stalled must be a whole number from 1 to 36500, got '0'"* ]]
}

# Deals created from 2026-11-01 in Beijing (10-31T16Z): D4, D5 and D8
# (10-31T17Z, 01:00 on the 1st there).  Entered: new 3; D4 reached
# negotiation, so qualified, proposal and negotiation 1 each.
@test "funnel --since: the deals created from that day of the site, a cohort" {
	report funnel --since 2026-11-01
	assert_status 0
	[ "$(cut -f1,4,6 <<<"$output" | flat)" = \
	    "stage deals entered new 2 3 qualified 0 1 proposal 0 1 negotiation 1 1 won 0 0 lost 0 0" ]
	# by the month each deal was created: October D1 D2 D3 D6 D7, November 3
	report funnel --by month
	assert_status 0
	[ "$(awk -F'\t' '$2 == "new" { print $1, $7 }' <<<"$output" | paste -sd' ')" = \
	    "2026-10 5 2026-11 3" ]
}

# In November in Beijing ([10-31T16Z, 11-30T16Z)):
#   li: new leads c6 (c8 was merged away); became a customer c1 (11-03);
#   calls 11-02 and 11-18 (10-31T15Z is October there), a visit 11-10, a
#   wechat 11-16: 4 follow-ups; won D1 100000 and D7 40000, lost D2
#   (10-31T17Z is 11-01 there): rate 2/3, average 70000, cycles 33 days
#   (10-01 to 11-03T02) and 31 (10-08 to 11-08T01): 32.0; target 200000,
#   achieved 140000/200000, 60000 to go.
#   wang: new lead c7, a call; no deals closed, no target.
#   zhao: nothing; its target is for 2026-Q4, not for 2026-11.
@test "performance: per rep in the site's month, against the rep's target" {
	report performance --period 2026-11
	assert_status 0
	expect <<-EOF
	owner | team | currency | new_leads | new_customers | calls | visits | activities | deals_won | deals_lost | won_amount | win_rate | avg_deal | avg_cycle_days | target | achieved | left_to_target
	li | east | CNY | 1 | 1 | 2 | 1 | 4 | 2 | 1 | 140000.00 | 0.6667 | 70000.00 | 32.0 | 200000.00 | 0.7000 | 60000.00
	wang | east |  | 1 | 0 | 1 | 0 | 1 | 0 | 0 | 0.00 |  |  |  |  |  |
	zhao | west |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0.00 |  |  |  |  |  |
	EOF
	# the same days given as dates
	report performance --since 2026-11-01 --until 2026-12-01
	assert_status 0
	[ "$(sed -n 2p <<<"$output" | cut -f15-17)" = $'200000.00\t0.7000\t60000.00' ]
	# any other span has no target
	report performance --since 2026-11-01 --until 2026-11-30
	assert_status 0
	[ "$(sed -n 2p <<<"$output" | cut -f15-17)" = $'\t\t' ]
}

# The fourth quarter: li as in November plus leads c1, c5 and the call of
# 10-31T15Z (3 calls, 5 follow-ups); wang leads c2 (its owner now), c3,
# c7; zhao lead c4 (created a customer, 10-01), won D6 60000 in 10 days
# (10-01 to 10-11) against its quarter's target 100000: 0.6, 40000 to go.
@test "performance: the quarter, and the target set for it" {
	report performance --period 2026-Q4
	assert_status 0
	expect <<-EOF
	owner | team | currency | new_leads | new_customers | calls | visits | activities | deals_won | deals_lost | won_amount | win_rate | avg_deal | avg_cycle_days | target | achieved | left_to_target
	li | east | CNY | 3 | 1 | 3 | 1 | 5 | 2 | 1 | 140000.00 | 0.6667 | 70000.00 | 32.0 |  |  |
	wang | east |  | 3 | 0 | 1 | 0 | 1 | 0 | 0 | 0.00 |  |  |  |  |  |
	zhao | west | CNY | 1 | 1 | 0 | 0 | 0 | 1 | 0 | 60000.00 | 1.0000 | 60000.00 | 10.0 | 100000.00 | 0.6000 | 40000.00
	EOF
}

# Team east in November: li's and wang's rows added; its target 500000:
# 140000/500000 = 0.28, 360000 to go.
@test "performance --by team: the team's figures against the team's target" {
	report performance --period 2026-11 --by team
	assert_status 0
	expect <<-EOF
	team | currency | new_leads | new_customers | calls | visits | activities | deals_won | deals_lost | won_amount | win_rate | avg_deal | avg_cycle_days | target | achieved | left_to_target
	east | CNY | 2 | 1 | 3 | 1 | 5 | 2 | 1 | 140000.00 | 0.6667 | 70000.00 | 32.0 | 500000.00 | 0.2800 | 360000.00
	west |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0.00 |  |  |  |  |  |
	EOF
}

# By rep and month over October and November: every rep has both months.
# li in October: leads c1 and c5, the call of 10-31T15Z (23:00 in
# Beijing); zhao in October: lead c4, a customer, D6 won.
@test "performance --by owner,month: a row per rep and month, empty ones too" {
	report performance --by owner,month --since 2026-10-01 --until 2026-12-01
	assert_status 0
	[ "$(cut -f1-4,6,10,12,16 <<<"$output")" = "$(tsv <<-EOF
	owner | team | month | currency | new_customers | deals_won | won_amount | target
	li | east | 2026-10 |  | 0 | 0 | 0.00 |
	li | east | 2026-11 | CNY | 1 | 2 | 140000.00 | 200000.00
	wang | east | 2026-10 |  | 0 | 0 | 0.00 |
	wang | east | 2026-11 |  | 0 | 0 | 0.00 |
	zhao | west | 2026-10 | CNY | 1 | 1 | 60000.00 |
	zhao | west | 2026-11 |  | 0 | 0 | 0.00 |
	EOF
	)" ]
	[ "$(awk -F'\t' '$1 == "li" { print $3, $5, $7 }' <<<"$output" | paste -sd' ')" = \
	    "2026-10 2 1 2026-11 1 2" ]
}

@test "performance: a rep sees its own row; --owner and --team of others need an admin" {
	as li performance --period 2026-11
	assert_status 0
	[ "$(cut -f1 <<<"$output" | paste -sd' ')" = "owner li" ]
	as li performance --period 2026-11 --team east --owner li
	assert_status 0
	[ "$(cut -f1 <<<"$output" | paste -sd' ')" = "owner li" ]
	# by team: li's own share of east, so not east's target
	as li performance --period 2026-11 --by team
	assert_status 0
	[ "$(cut -f1,3,10,14 <<<"$output" | flat)" = \
	    "team new_leads won_amount target east 1 140000.00 " ]
	as wang performance --owner li
	assert_status 1
	[[ "$stderr" == *"--owner li needs an admin (you are 'wang', a rep)"* ]]
	# an admin narrows to a team
	report performance --period 2026-11 --team east
	assert_status 0
	[ "$(cut -f1 <<<"$output" | paste -sd' ')" = "owner li wang" ]
	report performance --team nowhere
	assert_status 1
	[[ "$stderr" == *"no team 'nowhere'"* ]]
}

# A deal in dollars: zhao's D9, 1000.00 USD won on 11-15 after 5 days.
# Money is never added across currencies: a row per currency, and the
# table's totals leave the money columns empty.
@test "currencies that mix: one row per currency, no money totals across them" {
	sql "INSERT INTO deals (id, customer_id, owner_id, title, amount, currency,
	 stage_id, stage_since, expected_close, closed_at, created_at) VALUES
	 (9, 4, 4, 'Export', 100000, 'USD', 5, '2026-11-15T00:00:00Z', '2026-11-15',
	  '2026-11-15T00:00:00Z', '2026-11-10T00:00:00Z');
	 INSERT INTO deal_stages VALUES (9, 1, '2026-11-10T00:00:00Z',
	  '2026-11-15T00:00:00Z'), (9, 5, '2026-11-15T00:00:00Z', NULL)"
	report performance --period 2026-11 --owner zhao
	assert_status 0
	expect <<-EOF
	owner | team | currency | new_leads | new_customers | calls | visits | activities | deals_won | deals_lost | won_amount | win_rate | avg_deal | avg_cycle_days | target | achieved | left_to_target
	zhao | west | USD | 0 | 0 | 0 | 0 | 0 | 1 | 0 | 1000.00 | 1.0000 | 1000.00 | 5.0 |  |  |
	EOF
	report performance --period 2026-11 --table
	assert_status 0
	# the totals: counts summed, the won amount not (CNY and USD)
	tail -n 1 <<<"$output" | grep -q '^合计 *2 *1 *3 *1 *5 *3 *1 *75.00%$'
	report funnel
	assert_status 0
	[ "$(awk -F'\t' '$3 == "USD" { print $1, $4, $5, $6, $7 }' <<<"$output" | paste -sd,)" = \
	    "new 0 0.00 1 1.0000,qualified 0 0.00 1 1.0000,proposal 0 0.00 1 1.0000,negotiation 0 0.00 1 1.0000,won 1 1000.00 1 ,lost 0 0.00 0 " ]
}

# From the start of this month in Beijing (11-01), open deals by the
# month they are expected to close, and the deals won in it:
#   2026-11 li: D8 10000 at 10% (expected 11-10); won D1 + D7 = 140000:
#     weighted 140000 + 1000, committed (>= 70%) 140000 + 0, best case
#     140000 + 10000.
#   2026-11 wang: D4 20000 at 80%: weighted 16000, committed 20000.
#   2026-12 wang: D3 80000 at 60%: weighted 48000, committed 0; by its
#     predicted 55%: 44000 (the others keep their stage's).
#   2026-12 zhao: D5 30000 at 10%: weighted 3000.
@test "forecast: weighted, committed and best case by month and rep, won included" {
	report forecast
	assert_status 0
	expect <<-EOF
	month | owner | team | currency | deals | pipeline | weighted | committed | best_case | won
	2026-11 | li | east | CNY | 1 | 10000.00 | 141000.00 | 140000.00 | 150000.00 | 140000.00
	2026-11 | wang | east | CNY | 1 | 20000.00 | 16000.00 | 20000.00 | 20000.00 | 0.00
	2026-12 | wang | east | CNY | 1 | 80000.00 | 48000.00 | 0.00 | 80000.00 | 0.00
	2026-12 | zhao | west | CNY | 1 | 30000.00 | 3000.00 | 0.00 | 30000.00 | 0.00
	EOF
	report forecast --predicted --commit 60 --by month
	assert_status 0
	expect <<-EOF
	month | currency | deals | pipeline | weighted | predicted | committed | best_case | won
	2026-11 | CNY | 2 | 30000.00 | 157000.00 | 157000.00 | 160000.00 | 170000.00 | 140000.00
	2026-12 | CNY | 2 | 110000.00 | 51000.00 | 47000.00 | 80000.00 | 110000.00 | 0.00
	EOF
	# December only, by team: wang's D3, zhao's D5
	report forecast --period 2026-12 --by team
	assert_status 0
	[ "$(cut -f1,3,5 <<<"$output" | flat)" = "team deals weighted east 1 48000.00 west 1 3000.00" ]
	report forecast --commit 101
	assert_status 2
}

# All time.  Leads by source (c8 merged away): 官网 c2 c5; 展会 c1 c3 c6
# c9, of which c1 became a customer; 转介绍 c4, created one; none: c7.
# Won: 展会 D1 + D7 (c1), 转介绍 D6 (c4); 官网 has D2, lost.
# Regions: 华东 c1 c2 c5 c6 c9 (c1 a customer; D1 D7 won, D2 lost);
# 华北 c4 (D6); 华南 c3 (open deals only); none c7.
@test "sources and regions: leads, conversion to customer, won amount" {
	report sources
	assert_status 0
	expect <<-EOF
	source | currency | leads | converted | conversion | deals_won | won_amount
	官网 | CNY | 2 | 0 | 0.0000 | 0 | 0.00
	展会 | CNY | 4 | 1 | 0.2500 | 2 | 140000.00
	转介绍 | CNY | 1 | 1 | 1.0000 | 1 | 60000.00
	 |  | 1 | 0 | 0.0000 | 0 | 0.00
	EOF
	report regions
	assert_status 0
	expect <<-EOF
	region | currency | leads | converted | conversion | deals_won | won_amount
	华东 | CNY | 5 | 1 | 0.2000 | 2 | 140000.00
	华北 | CNY | 1 | 1 | 1.0000 | 1 | 60000.00
	华南 |  | 1 | 0 | 0.0000 | 0 | 0.00
	 |  | 1 | 0 | 0.0000 | 0 | 0.00
	EOF
	# industries by owner: li lost D2 in 零售 (c2, now wang's) and has no
	# lead there: its conversion has no denominator, so it is empty
	report industries --by owner
	assert_status 0
	[ "$(awk -F'\t' '$1 == "零售" && $2 == "li"' <<<"$output")" = \
	    "$(printf '零售\tli\teast\tCNY\t0\t0\t\t0\t0.00')" ]
	report sources --by region
	assert_status 2
	[[ "$stderr" == *"--by: no grouping by 'region' here (owner, team, week, month, quarter, year)"* ]]
}

# From the history: c2 reclaimed from li (11-10T02Z), claimed by wang
# (11-15T03Z, 5 days in the pool); c6 released by li (11-12), claimed back
# by li (11-20, 8 days); c9 created in the pool, lost by nobody.
@test "pool: put in (reclaimed, released), claimed, claimed back, days in the pool" {
	report pool
	assert_status 0
	expect <<-EOF
	pool | owner | put_in | reclaimed | released | claimed | assigned | claimed_back | median_days_in_pool
	华东公海 | li | 2 | 1 | 1 | 1 | 0 | 1 | 8
	华东公海 | wang | 0 | 0 | 0 | 1 | 0 | 0 | 5
	华东公海 |  | 1 | 0 | 0 | 0 | 0 | 0 |
	EOF
	# from 11-11: c6's release and both claims
	as li pool --since 2026-11-11
	assert_status 0
	expect <<-EOF
	pool | owner | put_in | reclaimed | released | claimed | assigned | claimed_back | median_days_in_pool
	华东公海 | li | 1 | 0 | 1 | 1 | 0 | 1 | 8
	EOF
	report pool --pool 西区
	assert_status 1
	[[ "$stderr" == *"no pool '西区'"* ]]
}

# boss hands c9 to zhao out of the pool (11-21, 81 days after it went in
# on 09-01), then undoes it: the undo puts it back, which is no put_in.
@test "pool: assigned by an admin counts apart from claims; an undo counts nothing" {
	sql "INSERT INTO batches (id, command, actor, at) VALUES
	 (120, 'crm-pool assign', 'boss', '2026-11-21T00:00:00Z'),
	 (121, 'crm-pool undo', 'boss', '2026-11-21T01:00:00Z');
	 INSERT INTO history (entity, entity_id, field, old_value, new_value,
	 actor, at, reason, command, batch_id) VALUES
	 ('customer', 9, 'pool', '华东公海', NULL, 'boss', '2026-11-21T00:00:00Z', 'assign', 'crm-pool assign', 120),
	 ('customer', 9, 'owner', NULL, 'zhao', 'boss', '2026-11-21T00:00:00Z', 'assign', 'crm-pool assign', 120),
	 ('customer', 9, 'owner', 'zhao', NULL, 'boss', '2026-11-21T01:00:00Z', 'undo', 'crm-pool undo', 121),
	 ('customer', 9, 'pool', NULL, '华东公海', 'boss', '2026-11-21T01:00:00Z', 'undo', 'crm-pool undo', 121)"
	report pool --since 2026-11-21
	assert_status 0
	expect <<-EOF
	pool | owner | put_in | reclaimed | released | claimed | assigned | claimed_back | median_days_in_pool
	华东公海 | zhao | 0 | 0 | 0 | 0 | 1 | 0 | 81
	EOF
}

# Segments (c8 merged away): 强活跃 c1 (90) c3 (70): won D1 D7, open D3
# D4; 新客 c5 (50): open D8; 沉睡 c2 (30): only the lost D2; none: c4 c6
# c7 c9, no health: won D6, open D5.  Grades: A c1 c5; B c3 c4 (only c3
# has a health); C c2; none c6 c7 c9.
@test "rfm and health: customers, health and amounts per segment and grade" {
	report rfm
	assert_status 0
	expect <<-EOF
	segment | customers | avg_health | currency | won_amount | open_amount
	强活跃 | 2 | 80.0 | CNY | 140000.00 | 100000.00
	新客 | 1 | 50.0 | CNY | 0.00 | 10000.00
	沉睡 | 1 | 30.0 |  | 0.00 | 0.00
	 | 4 |  | CNY | 60000.00 | 30000.00
	EOF
	report health
	assert_status 0
	expect <<-EOF
	grade | customers | avg_health | currency | won_amount | open_amount
	A | 2 | 70.0 | CNY | 140000.00 | 10000.00
	B | 2 | 70.0 | CNY | 60000.00 | 130000.00
	C | 1 | 30.0 |  | 0.00 | 0.00
	 | 3 |  |  | 0.00 | 0.00
	EOF
	# li's own customers: c1 and c5 (and c6, not scored)
	as li health
	assert_status 0
	[ "$(cut -f1,2 <<<"$output" | flat)" = "grade customers A 2  1" ]
	report rfm --by month
	assert_status 2
}

# Today is 11-22 in Beijing.  li: the call planned on c1 for 11-20T02Z
# (2 days late) and the visit on c5 at 11-22T10Z (18:00 today); c5 is
# due for the pool (owned since 10-20, no follow-up: 30 days ended on
# 11-19, 33 days idle now); D8 was expected to close on 11-10.  The call
# planned for 11-25 is not due.  Nobody else has anything.
@test "agenda: follow-ups due, customers about to be reclaimed, deals past their close" {
	report agenda
	assert_status 0
	expect <<-EOF
	owner | kind | due | overdue_days | customer_id | customer | ref | detail
	li | follow-up | 2026-11-20T02:00:00Z | 2 | 1 | 上海甲科技有限公司 | activity 6 | call: 确认合同
	li | follow-up | 2026-11-22T10:00:00Z | 0 | 5 | <b>戊</b>公司 & Co | activity 7 | visit: 送样品
	li | reclaim | 2026-11-19T00:00:00Z | 3 | 5 | <b>戊</b>公司 & Co | 华东公海 | no-followup: 33 days idle, limit 30
	li | deal | 2026-11-10 | 12 | 5 | <b>戊</b>公司 & Co | deal 8 | 戊-样品 (10000.00 CNY, 初步接洽)
	EOF
	as wang agenda
	assert_status 0
	[ "$output" = $'owner\tkind\tdue\toverdue_days\tcustomer_id\tcustomer\tref\tdetail' ]
	# c1's no-follow-up clock (its last call, 11-18T06Z) ends on 12-18:
	# within 26 days it is due, within 25 not
	report agenda --within 26
	assert_status 0
	grep -q $'^li\treclaim\t2026-12-18T06:00:00Z\t-26\t1\t' <<<"$output"
	report agenda --within 25
	assert_status 0
	! grep -q $'\treclaim\t2026-12-18' <<<"$output"
}

# c1 as li, its owner.  This year (2026): D1 + D7 = 140000 won; last
# contact 11-18T06Z, 4 days ago; next follow-up the call of 11-20T02Z;
# the pool's 30 days since that contact end 12-18T06Z, 26 days from today.
@test "customer: facts, figures, contacts and the timeline newest first, for its owner" {
	as li customer 1
	assert_status 0
	[ "$(grep '^fact' <<<"$output" | cut -f3,4 | grep -v $'\t$' | flat)" = \
	    "id 1 name 王总 company 上海甲科技有限公司 phone 13800138000 email boss@jia.example region 华东 industry 制造 source 展会 status customer grade A segment 强活跃 health 90 owner li team east owner_since 2026-10-01T00:00:00Z locked 0 created_at 2026-10-01T00:00:00Z" ]
	diff -u <(tsv <<-EOF
	figure |  | won_this_year | 140000.00 | CNY
	figure |  | won_last_year | 0 |
	figure | 2026-11-18T06:00:00Z | last_contact | 4 | days since
	figure |  | health | 90 |
	figure | 2026-11-20T02:00:00Z | next_followup | call | 确认合同, by li
	figure | 2026-12-18T06:00:00Z | days_until_reclaim | 26 | 华东公海: no-followup 30 days
	contact |  | 王经理 | 13800138000 | 采购经理, wang@jia.example
	contact |  | 小刘 | 021-5555 |
	EOF
	) <(grep -e '^figure' -e '^contact' <<<"$output")
	# the timeline, newest first: what happened to it, its deals, its duplicate
	diff -u <(tsv <<-EOF
	2026-11-25T02:00:00Z | planned
	2026-11-20T02:00:00Z | planned
	2026-11-18T06:00:00Z | call
	2026-11-16T01:00:00Z | wechat
	2026-11-10T06:00:00Z | visit
	2026-11-08T01:00:00Z | stage
	2026-11-07T00:00:00Z | merge
	2026-11-03T02:00:00Z | status
	2026-11-03T02:00:00Z | stage
	2026-11-02T02:00:00Z | call
	2026-10-31T15:00:00Z | call
	2026-10-20T00:00:00Z | stage
	2026-10-15T00:00:00Z | stage
	2026-10-08T00:00:00Z | stage
	2026-10-05T00:00:00Z | stage
	2026-10-01T00:00:00Z | owner
	2026-10-01T00:00:00Z | stage
	2026-10-01T00:00:00Z | created
	EOF
	) <(grep '^event' <<<"$output" | cut -f2,3)
	grep -q $'^event\t2026-11-07T00:00:00Z\tmerge\tcustomer 8 王总 merged in\t$' <<<"$output"
	grep -q $'^event\t2026-11-03T02:00:00Z\tstatus\tlead → customer\tby li$' <<<"$output"
	grep -q $'^event\t2026-11-08T01:00:00Z\tstage\tdeal 7 甲-二期: 赢单\twon, 100%$' <<<"$output"
	# c5's open deal, with its stage and probability
	as li customer 5
	assert_status 0
	grep -q $'^deal\t2026-11-10\tdeal 8 戊-样品\t10000.00\tCNY, 初步接洽, 10%$' <<<"$output"
}

@test "customer: what a rep may see of another's (name only) and of its pool's (masked)" {
	# c1 is li's: wang sees that it exists, its name, company and owner
	as wang customer 1
	assert_status 0
	[ "$(cut -f1 <<<"$output" | sort -u | flat)" = "fact section" ]
	[ "$(awk -F'\t' '$4 != ""' <<<"$output" | cut -f3,4 | flat)" = \
	    "item value id 1 name 王总 company 上海甲科技有限公司 owner li" ]
	# c9 is in 华东公海, whose member li is: phone and email masked
	as li customer 9
	assert_status 0
	grep -q $'^fact\t\tphone\t139\\*\\*\\*\\*5678\t$' <<<"$output"
	grep -q $'^fact\t\temail\tw\\*\\*\\*@ji.example\t$' <<<"$output"
	grep -q $'^contact\t\t吴九\t139\\*\\*\\*\\*5678\t经理, w\\*\\*\\*@ji.example$' <<<"$output"
	! grep -q 13912345678 <<<"$output"
	# zhao (west) is no member of it
	as zhao customer 9
	assert_status 0
	! grep -q -e '^contact' -e 139 <<<"$output"
	report customer 99
	assert_status 1
	[[ "$stderr" == *"no customer 99"* ]]
	report customer x1
	assert_status 2
	[[ "$stderr" == *"customer takes one customer ID"* ]]
}

@test "output: --csv, --table with totals and percentages, --chart in colour only on a terminal" {
	report performance --period 2026-11 --csv
	assert_status 0
	[ "$(sed -n 2p <<<"$output")" = "li,east,CNY,1,1,2,1,4,2,1,140000.00,0.6667,70000.00,32.0,200000.00,0.7000,60000.00" ]
	report funnel --table
	assert_status 0
	# columns aligned by display width: 初步接洽 is 8 cells wide
	[ "$(sed -n 3p <<<"$output")" = "new          初步接洽  CNY           2   40000.00        8   75.00%  37.50%            4       9.2        0" ]
	grep -q '^qualified    需求确认  CNY           0       0.00        6   83.33%  50.00%         18.5        28        0$' <<<"$output"
	[ "$(tail -n 1 <<<"$output")" = "合计                                 8  390000.00                                                         1" ]
	report funnel --chart
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = "销售漏斗 funnel" ]
	# 8 entered fills 40 cells; 6 of 8 is 30
	grep -q "^初步接洽 $(printf '█%.0s' {1..40}) 8 (75.00%)$" <<<"$output"
	grep -q "^需求确认 $(printf '█%.0s' {1..30}) *6 (83.33%)$" <<<"$output"
	! grep -q $'\e' <<<"$output"
	run_split env CRM_FORCE_TTY=1 NO_COLOR= crm-report funnel --chart
	assert_status 0
	[ "$(grep -c $'\e\\[36m' <<<"$output")" = 6 ]
	run_split env CRM_FORCE_TTY=1 NO_COLOR=1 crm-report funnel --chart
	assert_status 0
	! grep -q $'\e' <<<"$output"
}

@test "usage: options of other commands, bad dates and periods, charts that do not exist" {
	report pool --chart
	assert_status 2
	[[ "$stderr" == *"option '--chart' is not for pool"* ]]
	report funnel --period 2026-Q5
	assert_status 2
	[[ "$stderr" == *"--period must be a year, quarter, month or ISO week"* ]]
	report funnel --since 2026-13-01
	assert_status 2
	[[ "$stderr" == *"--since: bad date '2026-13-01'"* ]]
	report funnel --since 2026-11-01 --until 2026-10-01
	assert_status 2
	report performance --period 2026 --since 2026-01-01
	assert_status 2
	report performance --by owner,team
	assert_status 2
	[[ "$stderr" == *"--by: 'owner' and 'team' together"* ]]
	report performance --by weekly
	assert_status 2
	report funnel --table --chart
	assert_status 2
	report funnel extra
	assert_status 2
	report
	assert_status 2
	[[ "$stderr" == *"missing command"* ]]
	CRM_DB=$BATS_TEST_TMPDIR/none.db report funnel
	assert_status 1
	[[ "$stderr" == *"no database"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/none.db" ]
}
