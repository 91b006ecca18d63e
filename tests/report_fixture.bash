# report_fixture.bash: the small database of report.bats and
# report_render.bats, and helpers to read crm-report's records.  Load it
# after helpers; local_setup calls fixture.

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
	sql_script <<-'EOF'
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
	sync_logins
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
