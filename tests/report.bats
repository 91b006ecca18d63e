#!/usr/bin/env bats
# crm-report on a small database built here with sqlite3, following the
# schema as crm-deal and crm-lead fill it: every deal has its deal_stages
# rows (entered_at of each stage it passed, left_at when it moved on),
# every change of owner or pool its history rows (crm-db check agrees).
# The site is in Beijing time (UTC+8) and the clock reads 2026-11-22
# 17:00 there, so some rows fall on the other side of a day, a month, a
# quarter than their UTC text says.  Every expected figure is worked out
# by hand in the comments of the test that checks it.

load helpers

# The database:
#   teams east (li, wang), west (zhao); boss is the admin.
#   pool 华东公海: members team east, admin boss, no follow-up 30 days,
#   warn 3 days.
#   customers (owner now):
#     1 上海甲科技有限公司  li    华东 制造 展会    customer A 强活跃 health 90
#     2 乙贸易              wang  华东 零售 官网    lead     C 沉睡   30
#       (li's until the pool reclaimed it on 11-10, wang claimed it 11-15)
#     3 丙公司              wang  华南 制造 展会    lead     B 强活跃 70
#     4 丁公司              zhao  华北 零售 转介绍  customer B (created as one)
#     5 <b>戊</b>公司 & Co  li    华东 制造 官网    lead     A 新客   50
#       (its contact is named <script>alert(1)</script>)
#     6 庚公司              li    华东 制造 展会    lead (created 11-05;
#       released by li 11-12, claimed back by li 11-20)
#     7 辛公司              wang  (no region, industry, source), created 11-20
#     8 a duplicate of 1, created 11-06, merged into 1 on 11-07
#     9 己公司              in 华东公海 since creation (09-01), 展会
#   deals (CNY; stays: stage entered -> left):
#     D1 c1 li   100000.00 won 11-03T02Z: new 10-01->10-05, qualified
#        ->10-15, proposal ->10-20, negotiation ->11-03T02, won
#     D2 c2 li    50000.00 lost 10-31T17Z (11-01 in Beijing): new
#        10-02->10-10, qualified ->10-31T17, lost
#     D3 c3 wang  80000.00 proposal since 10-20, expected 12-15,
#        predicted 55%: new 10-03->10-04, qualified ->10-20, proposal
#     D4 c3 wang  20000.00 negotiation since 11-02, expected 11-30:
#        new 11-01->11-02, negotiation (it skipped two stages)
#     D5 c4 zhao  30000.00 new since 11-05, expected 12-20
#     D6 c4 zhao  60000.00 won 10-11: new 10-01->10-11, won
#     D7 c1 li    40000.00 won 11-08T01Z: qualified 10-08->11-08T01
#        (imported at qualified), won
#     D8 c5 li    10000.00 new since 10-31T17Z, expected 11-10
#   follow-ups of li: calls on c1 10-31T15Z (October in Beijing), 11-02,
#   11-18T06; a visit on c1 11-10; wechat on c1 11-16; planned: a call on
#   c1 due 11-20T02Z and 11-25, a visit on c5 due 11-22T10Z.  wang: a call
#   on c3 11-06T03Z.
#   targets: li 2026-11 200000.00; team east 2026-11 500000.00; zhao
#   2026-Q4 100000.00.
# The test clock is on, so that the reps too may run at the fixed time.
fixture() {
	crm-db init --timezone Asia/Shanghai -q >/dev/null
	sqlite3 -bail "$CRM_DB" <<-'EOF'
	INSERT INTO config (key, value) VALUES ('test-clock', 'on');
	INSERT INTO teams (id, name, created_at) VALUES
	 (1, 'east', '2026-01-01T00:00:00Z'), (2, 'west', '2026-01-01T00:00:00Z');
	INSERT INTO users (id, login, name, team_id, role, created_at) VALUES
	 (1, 'boss', '老板', NULL, 'admin', '2026-01-01T00:00:00Z'),
	 (2, 'li', '李娜', 1, 'rep', '2026-01-01T00:00:00Z'),
	 (3, 'wang', '王芳', 1, 'rep', '2026-01-01T00:00:00Z'),
	 (4, 'zhao', '赵磊', 2, 'rep', '2026-01-01T00:00:00Z');
	INSERT INTO pools (id, name, no_followup_days, warn_days, created_at)
	 VALUES (1, '华东公海', 30, 3, '2026-01-01T00:00:00Z');
	INSERT INTO pool_members (pool_id, team_id, user_id, role) VALUES
	 (1, 1, NULL, 'member'), (1, NULL, 1, 'admin');
	INSERT INTO batches (id, command, actor, at) VALUES
	 (101, 'crm-lead import', 'boss', '2026-09-01T00:00:00Z'),
	 (110, 'crm-pool reclaim', 'boss', '2026-11-10T02:00:00Z'),
	 (111, 'crm-pool claim', 'wang', '2026-11-15T03:00:00Z'),
	 (112, 'crm-pool release', 'li', '2026-11-12T00:00:00Z'),
	 (113, 'crm-pool claim', 'li', '2026-11-20T00:00:00Z'),
	 (114, 'crm-lead merge', 'boss', '2026-11-07T00:00:00Z'),
	 (115, 'crm-lead convert', 'li', '2026-11-03T02:00:00Z');
	INSERT INTO customers (id, name, company, phone, email, region, industry,
	 source, status, grade, owner_id, owner_since, pool_id, pool_since,
	 last_activity_at, next_due_at, segment, health, merged_into, batch_id,
	 created_by, created_at, updated_at) VALUES
	 (1, '王总', '上海甲科技有限公司', '13800138000', 'boss@jia.example', '华东',
	  '制造', '展会', 'customer', 'A', 2, '2026-10-01T00:00:00Z', NULL, NULL,
	  '2026-11-18T06:00:00Z', '2026-11-20T02:00:00Z', '强活跃', 90, NULL, 101,
	  'boss', '2026-10-01T00:00:00Z', '2026-11-03T02:00:00Z'),
	 (2, '李四', '乙贸易', NULL, NULL, '华东', '零售', '官网', 'lead', 'C', 3,
	  '2026-11-15T03:00:00Z', NULL, NULL, NULL, NULL, '沉睡', 30, NULL, 101,
	  'boss', '2026-10-02T00:00:00Z', '2026-11-15T03:00:00Z'),
	 (3, '张三', '丙公司', NULL, NULL, '华南', '制造', '展会', 'lead', 'B', 3,
	  '2026-10-01T00:00:00Z', NULL, NULL, '2026-11-06T03:00:00Z', NULL,
	  '强活跃', 70, NULL, 101, 'boss', '2026-10-03T00:00:00Z',
	  '2026-11-06T03:00:00Z'),
	 (4, '赵六', '丁公司', NULL, NULL, '华北', '零售', '转介绍', 'customer', 'B',
	  4, '2026-10-01T00:00:00Z', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 101,
	  'boss', '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z'),
	 (5, '钱五', '<b>戊</b>公司 & Co', NULL, NULL, '华东', '制造', '官网', 'lead',
	  'A', 2, '2026-10-20T00:00:00Z', NULL, NULL, NULL, '2026-11-22T10:00:00Z',
	  '新客', 50, NULL, 101, 'boss', '2026-10-20T00:00:00Z',
	  '2026-10-20T00:00:00Z'),
	 (6, '孙七', '庚公司', NULL, NULL, '华东', '制造', '展会', 'lead', NULL, 2,
	  '2026-11-20T00:00:00Z', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 101,
	  'boss', '2026-11-05T00:00:00Z', '2026-11-20T00:00:00Z'),
	 (7, '周八', '辛公司', NULL, NULL, NULL, NULL, NULL, 'lead', NULL, 3,
	  '2026-11-20T00:00:00Z', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 101,
	  'boss', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z'),
	 (8, '王总', '上海甲科技', NULL, NULL, '华东', '制造', '展会', 'lead', NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 101, 'boss',
	  '2026-11-06T00:00:00Z', '2026-11-07T00:00:00Z'),
	 (9, '吴九', '己公司', '13912345678', 'wu@ji.example', '华东', '零售', '展会',
	  'lead', NULL, NULL, NULL, 1, '2026-09-01T00:00:00Z', NULL, NULL, NULL,
	  NULL, NULL, 101, 'boss', '2026-09-01T00:00:00Z', '2026-09-01T00:00:00Z');
	INSERT INTO contacts (customer_id, name, title, phone, email, created_at) VALUES
	 (1, '王经理', '采购经理', '13800138000', 'wang@jia.example', '2026-10-01T00:00:00Z'),
	 (1, '小刘', NULL, '021-5555', NULL, '2026-10-01T00:00:00Z'),
	 (5, '<script>alert(1)</script>', '"总监"', '13700000000', NULL, '2026-10-20T00:00:00Z'),
	 (9, '吴九', '经理', '13912345678', 'wu@ji.example', '2026-09-01T00:00:00Z');
	INSERT INTO history (entity, entity_id, field, old_value, new_value, actor,
	 at, reason, command, batch_id) VALUES
	 ('customer', 1, 'owner', NULL, 'li', 'boss', '2026-10-01T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 2, 'owner', NULL, 'li', 'boss', '2026-10-02T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 3, 'owner', NULL, 'wang', 'boss', '2026-10-03T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 4, 'owner', NULL, 'zhao', 'boss', '2026-10-01T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 5, 'owner', NULL, 'li', 'boss', '2026-10-20T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 6, 'owner', NULL, 'li', 'boss', '2026-11-05T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 7, 'owner', NULL, 'wang', 'boss', '2026-11-20T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 8, 'owner', NULL, 'li', 'boss', '2026-11-06T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 9, 'pool', NULL, '华东公海', 'boss', '2026-09-01T00:00:00Z', 'created', 'crm-lead import', 101),
	 ('customer', 1, 'status', 'lead', 'customer', 'li', '2026-11-03T02:00:00Z', NULL, 'crm-lead convert', 115),
	 ('customer', 2, 'owner_since', '2026-10-02T00:00:00Z', NULL, 'boss', '2026-11-10T02:00:00Z', 'reclaim: no-followup 39 days (limit 30)', 'crm-pool reclaim', 110),
	 ('customer', 2, 'owner', 'li', NULL, 'boss', '2026-11-10T02:00:00Z', 'reclaim: no-followup 39 days (limit 30)', 'crm-pool reclaim', 110),
	 ('customer', 2, 'pool_since', NULL, '2026-11-10T02:00:00Z', 'boss', '2026-11-10T02:00:00Z', 'reclaim: no-followup 39 days (limit 30)', 'crm-pool reclaim', 110),
	 ('customer', 2, 'pool', NULL, '华东公海', 'boss', '2026-11-10T02:00:00Z', 'reclaim: no-followup 39 days (limit 30)', 'crm-pool reclaim', 110),
	 ('customer', 2, 'pool_since', '2026-11-10T02:00:00Z', NULL, 'wang', '2026-11-15T03:00:00Z', 'claim', 'crm-pool claim', 111),
	 ('customer', 2, 'pool', '华东公海', NULL, 'wang', '2026-11-15T03:00:00Z', 'claim', 'crm-pool claim', 111),
	 ('customer', 2, 'owner_since', NULL, '2026-11-15T03:00:00Z', 'wang', '2026-11-15T03:00:00Z', 'claim', 'crm-pool claim', 111),
	 ('customer', 2, 'owner', NULL, 'wang', 'wang', '2026-11-15T03:00:00Z', 'claim', 'crm-pool claim', 111),
	 ('customer', 8, 'owner', 'li', NULL, 'boss', '2026-11-07T00:00:00Z', 'merge', 'crm-lead merge', 114),
	 ('customer', 8, 'merged_into', NULL, '1', 'boss', '2026-11-07T00:00:00Z', 'merge', 'crm-lead merge', 114),
	 ('customer', 6, 'owner', 'li', NULL, 'li', '2026-11-12T00:00:00Z', '不需要了', 'crm-pool release', 112),
	 ('customer', 6, 'pool', NULL, '华东公海', 'li', '2026-11-12T00:00:00Z', '不需要了', 'crm-pool release', 112),
	 ('customer', 6, 'pool', '华东公海', NULL, 'li', '2026-11-20T00:00:00Z', 'claim', 'crm-pool claim', 113),
	 ('customer', 6, 'owner', NULL, 'li', 'li', '2026-11-20T00:00:00Z', 'claim', 'crm-pool claim', 113);
	INSERT INTO merges (keep_id, dup_id, batch_id, at) VALUES
	 (1, 8, 114, '2026-11-07T00:00:00Z');
	INSERT INTO activities (id, customer_id, user_id, kind, at, note, next_step,
	 due_at, done_at, created_at) VALUES
	 (1, 1, 2, 'call', '2026-11-02T02:00:00Z', '介绍方案', NULL, NULL, '2026-11-02T02:00:00Z', '2026-11-02T02:00:00Z'),
	 (2, 1, 2, 'visit', '2026-11-10T06:00:00Z', '上门拜访', NULL, NULL, '2026-11-10T06:00:00Z', '2026-11-10T06:00:00Z'),
	 (3, 1, 2, 'call', '2026-11-18T06:00:00Z', '催合同', '下周签约', NULL, '2026-11-18T06:00:00Z', '2026-11-18T06:00:00Z'),
	 (4, 1, 2, 'wechat', '2026-11-16T01:00:00Z', '发资料', NULL, NULL, '2026-11-16T01:00:00Z', '2026-11-16T01:00:00Z'),
	 (5, 1, 2, 'call', '2026-10-31T15:00:00Z', '初次联系', NULL, NULL, '2026-10-31T15:00:00Z', '2026-10-31T15:00:00Z'),
	 (6, 1, 2, 'call', NULL, '确认合同', NULL, '2026-11-20T02:00:00Z', NULL, '2026-11-18T06:00:00Z'),
	 (7, 5, 2, 'visit', NULL, '送样品', NULL, '2026-11-22T10:00:00Z', NULL, '2026-11-01T00:00:00Z'),
	 (8, 1, 2, 'call', NULL, '回访', NULL, '2026-11-25T02:00:00Z', NULL, '2026-11-18T06:00:00Z'),
	 (9, 3, 3, 'call', '2026-11-06T03:00:00Z', '报价', NULL, NULL, '2026-11-06T03:00:00Z', '2026-11-06T03:00:00Z');
	INSERT INTO deals (id, customer_id, owner_id, title, amount, currency,
	 stage_id, stage_since, expected_close, closed_at, predicted, created_at) VALUES
	 (1, 1, 2, '甲-一期', 10000000, 'CNY', 5, '2026-11-03T02:00:00Z', '2026-11-05', '2026-11-03T02:00:00Z', NULL, '2026-10-01T00:00:00Z'),
	 (2, 2, 2, '乙-试单', 5000000, 'CNY', 6, '2026-10-31T17:00:00Z', '2026-11-15', '2026-10-31T17:00:00Z', NULL, '2026-10-02T00:00:00Z'),
	 (3, 3, 3, '丙-设备', 8000000, 'CNY', 3, '2026-10-20T00:00:00Z', '2026-12-15', NULL, 5500, '2026-10-03T00:00:00Z'),
	 (4, 3, 3, '丙-配件', 2000000, 'CNY', 4, '2026-11-02T00:00:00Z', '2026-11-30', NULL, NULL, '2026-11-01T00:00:00Z'),
	 (5, 4, 4, '丁-扩容', 3000000, 'CNY', 1, '2026-11-05T00:00:00Z', '2026-12-20', NULL, NULL, '2026-11-05T00:00:00Z'),
	 (6, 4, 4, '丁-首单', 6000000, 'CNY', 5, '2026-10-11T00:00:00Z', '2026-10-15', '2026-10-11T00:00:00Z', NULL, '2026-10-01T00:00:00Z'),
	 (7, 1, 2, '甲-二期', 4000000, 'CNY', 5, '2026-11-08T01:00:00Z', '2026-11-30', '2026-11-08T01:00:00Z', NULL, '2026-10-08T00:00:00Z'),
	 (8, 5, 2, '戊-样品', 1000000, 'CNY', 1, '2026-10-31T17:00:00Z', '2026-11-10', NULL, NULL, '2026-10-31T17:00:00Z');
	INSERT INTO deal_stages (deal_id, stage_id, entered_at, left_at) VALUES
	 (1, 1, '2026-10-01T00:00:00Z', '2026-10-05T00:00:00Z'),
	 (1, 2, '2026-10-05T00:00:00Z', '2026-10-15T00:00:00Z'),
	 (1, 3, '2026-10-15T00:00:00Z', '2026-10-20T00:00:00Z'),
	 (1, 4, '2026-10-20T00:00:00Z', '2026-11-03T02:00:00Z'),
	 (1, 5, '2026-11-03T02:00:00Z', NULL),
	 (2, 1, '2026-10-02T00:00:00Z', '2026-10-10T00:00:00Z'),
	 (2, 2, '2026-10-10T00:00:00Z', '2026-10-31T17:00:00Z'),
	 (2, 6, '2026-10-31T17:00:00Z', NULL),
	 (3, 1, '2026-10-03T00:00:00Z', '2026-10-04T00:00:00Z'),
	 (3, 2, '2026-10-04T00:00:00Z', '2026-10-20T00:00:00Z'),
	 (3, 3, '2026-10-20T00:00:00Z', NULL),
	 (4, 1, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z'),
	 (4, 4, '2026-11-02T00:00:00Z', NULL),
	 (5, 1, '2026-11-05T00:00:00Z', NULL),
	 (6, 1, '2026-10-01T00:00:00Z', '2026-10-11T00:00:00Z'),
	 (6, 5, '2026-10-11T00:00:00Z', NULL),
	 (7, 2, '2026-10-08T00:00:00Z', '2026-11-08T01:00:00Z'),
	 (7, 5, '2026-11-08T01:00:00Z', NULL),
	 (8, 1, '2026-10-31T17:00:00Z', NULL);
	INSERT INTO targets (user_id, team_id, period, amount, currency) VALUES
	 (2, NULL, '2026-11', 20000000, 'CNY'),
	 (NULL, 1, '2026-11', 50000000, 'CNY'),
	 (4, NULL, '2026-Q4', 10000000, 'CNY');
	EOF
}

# report ARGS...: crm-report with a NULL field written empty (as the
# record writer will), its status kept; stdout in $output, stderr in
# $stderr.
_report() {
	set -o pipefail
	crm-report "$@" | awk -F'\t' -v OFS='\t' '
		{ for (i = 1; i <= NF; i++) if ($i == "\\N") $i = ""; print }'
}
report() {
	run --separate-stderr _report "$@"
}

# as USER ARGS...: report as USER.
as() {
	local who=$1
	shift
	CRM_USER=$who report "$@"
}

local_setup() {
	export CRM_USER=boss
	fixture
}

@test "the fixture is a consistent database (crm-db check)" {
	run_split crm-db check
	assert_status 0
	[ "$output" = $'check\tentity\tid\tproblem' ]
}

# tsv: the rows on stdin written as "a | b |  | d" into TSV (an empty
# field between two bars), for expected output that can be read.
tsv() {
	sed 's/ *| */\t/g; s/^ *//'
}

# flat: the lines on stdin in one, fields and lines joined by blanks.
flat() {
	tr '\t' ' ' | paste -sd' '
}

# expect: $output equals the rows on stdin (through tsv).
expect() {
	diff -u <(tsv) <(printf '%s\n' "$output")
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
