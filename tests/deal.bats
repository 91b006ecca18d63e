#!/usr/bin/env bats
# crm-deal: deals (商机): adding with amounts as people type them, the
# pipeline and its Chinese labels, stage moves and back-filled dates in
# deal_stages and the history, won and lost, update, list filters, import
# (company matching, --create-customers, Chinese headers, bad rows), the
# rights, pipelines of writers, the pool clocks read from real deals, and
# deals following their customer's owner.
# The clock is CRM_NOW=2026-11-22T09:00:00Z (helpers.bash).

load helpers

# boss is the admin; li and wang are reps of team east, zhao of team west.
local_setup() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-user add li --team east -q >/dev/null
	crm-user add wang --team east -q >/dev/null
	crm-user add zhao --team west -q >/dev/null
	crm-db config -q test-clock on >/dev/null
}

# Customers 1 (li's), 2 (wang's), 3 (zhao's).
customers() {
	crm-lead add --company 上海甲科技有限公司 --name 李一 --owner li -q >/dev/null
	crm-lead add --company 北京乙贸易有限公司 --name 王二 --owner wang -q >/dev/null
	crm-lead add --company 深圳丙电子有限公司 --name 赵三 --owner zhao -q >/dev/null
}

# NULL as the writer prints it: an empty field.
null() {
	[ -z "$1" ]
}

# Everything crm-deal may write, to prove a refusal changed nothing.
snapshot() {
	sql "SELECT * FROM deals ORDER BY id; SELECT * FROM deal_stages ORDER BY deal_id, entered_at, coalesce(left_at, '9999'), stage_id;
	    SELECT * FROM history ORDER BY id; SELECT * FROM customers ORDER BY id;
	    SELECT * FROM stages ORDER BY id; SELECT * FROM batches ORDER BY id"
}

# stages_of ID: the deal_stages rows of deal ID as "stage entered left" lines
# joined by "; " ("-" for a stage it is still in).
stages_of() {
	sql "SELECT s.name || ' ' || ds.entered_at || ' ' || coalesce(ds.left_at, '-')
	    FROM deal_stages ds JOIN stages s ON s.id = ds.stage_id
	    WHERE ds.deal_id = $1 ORDER BY ds.entered_at, coalesce(ds.left_at, '9999')" | paste -sd ';' | sed 's/;/; /g'
}

# stage_history ID: the history of deal ID's stage as "old>new@at; ...".
stage_history() {
	sql "SELECT coalesce(old_value, '-') || '>' || new_value || '@' || at FROM history
	    WHERE entity = 'deal' AND entity_id = $1 AND field = 'stage' ORDER BY id" |
	    paste -sd ';' | sed 's/;/; /g'
}

# flat: records on stdin as one line, fields and records split by blanks.
flat() {
	tr '\t' ' ' | paste -sd ' '
}

ids() {
	awk -F'\t' 'NR > 1 { printf "%s%s", sep, $1; sep = " " } END { print "" }'
}

# ---- the pipeline ----------------------------------------------------------

@test "stages: the seeded pipeline, with Chinese labels, probabilities and outcomes" {
	crm-lead add --name x -q >/dev/null
	run_split crm-deal stages
	assert_status 0
	[ "$output" = "name	label	position	probability	outcome
new	初步接洽	1	10	open
qualified	需求确认	2	30	open
proposal	方案报价	3	60	open
negotiation	谈判	4	80	open
won	赢单	5	100	won
lost	输单	6	0	lost" ]
}

@test "stages set: replaces the pipeline, in the history; an admin's action" {
	customers
	printf 'name\tlabel\tprobability\toutcome\n' >p.tsv
	printf 'new\t初步接洽\t10\topen\n' >>p.tsv
	printf 'demo\t演示\t40\topen\n' >>p.tsv
	printf 'proposal\t方案报价\t65%%\topen\n' >>p.tsv
	printf 'won\t赢单\t100\twon\n' >>p.tsv
	printf 'lost\t输单\t0\t输单\n' >>p.tsv
	before=$(snapshot)
	run_split crm-deal --as li stages set p.tsv
	assert_status 1
	[ "$stderr" = "crm-deal: permission denied: changing the pipeline needs an admin (you are 'li', a rep)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-deal stages set p.tsv
	assert_status 0
	[ "$(cut -f1,3,4 <<<"$output" | flat)" = "name position probability new 1 10 demo 2 40 proposal 3 65 won 4 100 lost 5 0" ]
	# qualified and negotiation held no deal ever: gone
	[ "$(sql "SELECT count(*) FROM stages WHERE name IN ('qualified', 'negotiation')")" = 0 ]
	[ "$(sql "SELECT field || ':' || coalesce(old_value, '-') || '>' || coalesce(new_value, '-') FROM history
	    WHERE entity = 'stage' ORDER BY id" | paste -sd ' ')" = \
	    "removed:qualified>- removed:negotiation>- created:->demo label:->演示 position:->2 probability:->40 outcome:->open probability:60>65 position:5>4 position:6>5" ]
	# input accepts the new label
	run_split crm-deal add 1 --title t --stage 演示
	assert_status 0
	[ "$(field 1 stage <<<"$output") $(field 1 stage_label <<<"$output") $(field 1 probability <<<"$output")" = "demo 演示 40" ]
}

@test "stages set: refused while a deal is in a stage to be removed or to change its outcome" {
	customers
	crm-deal add 1 --title a --stage qualified -q >/dev/null
	crm-deal stages >p.tsv
	grep -v '^qualified' p.tsv >nq.tsv
	before=$(snapshot)
	run_split crm-deal stages set nq.tsv
	assert_status 1
	[[ "$stderr" == *"stage 'qualified' cannot be removed: 1 deal is in it (move them first: crm-deal list --stage qualified | crm-deal stage OTHER)"* ]]
	sed 's/^qualified\t\(.*\)\topen$/qualified\t\1\tlost/' p.tsv >out.tsv
	run_split crm-deal stages set out.tsv
	assert_status 1
	[[ "$stderr" == *"stage 'qualified' cannot change its outcome from open to lost: 1 deal is in it"* ]]
	# no won stage; a label that is another stage's name; a bad probability
	grep -v '^won' p.tsv >nowon.tsv
	run_split crm-deal stages set nowon.tsv
	assert_status 1
	[ "$stderr" = "crm-deal: nowon.tsv: a pipeline needs an open, a won and a lost stage" ]
	sed 's/^new\t初步接洽/new\tproposal/; s/^lost\t输单\t6\t0/lost\t输单\t6\t101/' p.tsv >bad.tsv
	run_split crm-deal stages set bad.tsv
	assert_status 1
	[[ "$stderr" == *"bad.tsv:4: name: 'proposal' or its label is already a name or label on line 2"* ]]
	[[ "$stderr" == *"bad.tsv:7: probability: '101' is not a whole number from 0 to 100"* ]]
	[[ "$stderr" == *"bad.tsv: 2 bad rows: the pipeline is unchanged"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "stages set: a stage deals passed through leaves the pipeline but stays for their history" {
	customers
	crm-deal add 1 --title a --stage qualified --at 2026-11-01 -q >/dev/null
	crm-deal stage 1 proposal --at 2026-11-10 -q >/dev/null
	crm-deal stages | grep -v '^qualified' >p.tsv
	run_split crm-deal stages set p.tsv
	assert_status 0
	[ "$(crm-deal stages | cut -f1 | paste -sd ' ')" = "name new proposal negotiation won lost" ]
	[ "$(sql "SELECT position FROM stages WHERE name = 'qualified'")" = 0 ]
	[ "$(stages_of 1)" = "qualified 2026-11-01T00:00:00Z 2026-11-10T00:00:00Z; proposal 2026-11-10T00:00:00Z -" ]
	run_split crm-deal add 1 --title b --stage qualified
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: customer 1: stage: no stage 'qualified' (new, proposal, negotiation, won, lost)" ]
}

# ---- add ---------------------------------------------------------------------

@test "add: amounts as typed, kept in minor units; the customer's owner; the first stage" {
	customers
	run_split crm-deal add 1 --title 'CRM 系统' --amount '¥1,054.50'
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id	customer_id	customer	title	amount	currency	stage	stage_label	outcome	probability	owner	expected_close	product	source	lost_reason	external_id	created_at	stage_since	closed_at	updated_at" ]
	[ "$(cut -f1-11,17,18 <<<"$output" | sed -n 2p)" = "1	1	上海甲科技有限公司	CRM 系统	1054.50	CNY	new	初步接洽	open	10	li	2026-11-22T09:00:00Z	2026-11-22T09:00:00Z" ]
	null "$(field 1 closed_at <<<"$output")"
	crm-deal add 1 --title b --amount 1054 -q >/dev/null
	crm-deal add 1 --title c --amount '1,054.50' -q >/dev/null
	crm-deal add 1 --title d --amount '１，０５４．５元' -q >/dev/null
	crm-deal add 2 --title e --amount 'USD 99.99' -q >/dev/null
	crm-deal add 2 --title f --amount 5000 --currency jpy -q >/dev/null
	crm-deal add 2 --title g -q >/dev/null
	[ "$(sql "SELECT id || ':' || coalesce(CAST(amount AS TEXT), '-') || ':' || currency FROM deals ORDER BY id" | paste -sd ' ')" = \
	    "1:105450:CNY 2:105400:CNY 3:105450:CNY 4:105450:CNY 5:9999:USD 6:5000:JPY 7:-:CNY" ]
	[ "$(crm-deal list | cut -f5,6 | sed 's/^\\N//' | flat)" = "amount currency 1054.50 CNY 1054.00 CNY 1054.50 CNY 1054.50 CNY 99.99 USD 5000 JPY  CNY" ]
	# it entered its stage now: one deal_stages row, one history row
	[ "$(stages_of 1)" = "new 2026-11-22T09:00:00Z -" ]
	[ "$(stage_history 1)" = "->new@2026-11-22T09:00:00Z" ]
}

@test "add: bad money, unknown stage or customer, a missing title are refused, nothing written" {
	customers
	before=$(snapshot)
	run_split crm-deal add 1 --title t --amount '1,05.4'
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: customer 1: amount: '1,05.4' has a misplaced thousands separator" ]
	run_split crm-deal add 1 --title t --amount '1.234'
	[ "$stderr" = "crm-deal: argument 1: customer 1: amount: '1.234' has more than 2 decimals for CNY" ]
	run_split crm-deal add 1 --title t --amount '-5'
	[ "$stderr" = "crm-deal: argument 1: customer 1: amount: '-5' is negative" ]
	run_split crm-deal add 1 --title t --amount 'USD 5' --currency CNY
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: customer 1: amount: 'USD 5' is in USD, but the deal's currency is CNY" ]
	run_split crm-deal add 1 --title t --currency XYZ
	[ "$stderr" = "crm-deal: argument 1: customer 1: currency: 'XYZ' is not an ISO 4217 currency code" ]
	run_split crm-deal add 1 --title t --stage 签约
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: customer 1: stage: no stage '签约' (new, qualified, proposal, negotiation, won, lost)" ]
	run_split crm-deal add 9 --title t
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: no customer 9" ]
	run_split crm-deal add 1 --title t --stage lost
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: customer 1: lost_reason: a lost deal needs a reason" ]
	run_split crm-deal add 1 --title t --at 2026-12-01
	assert_status 1
	[ "$stderr" = "crm-deal: --at: '2026-12-01' is in the future" ]
	run_split crm-deal add 1 --amount 5
	assert_status 2
	[[ "$stderr" == "crm-deal: add needs --title"* ]]
	run_split crm-deal add 1 --title t --team east
	assert_status 2
	[[ "$stderr" == "crm-deal: option '--team' is not for add (it is for list)"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "add: a Chinese label names the stage; records carry the name and the label" {
	customers
	run_split crm-deal add 1 --title t --stage 方案报价 --amount 10
	assert_status 0
	[ "$(field 1 stage <<<"$output")" = proposal ]
	[ "$(field 1 stage_label <<<"$output")" = 方案报价 ]
	[ "$(field 1 probability <<<"$output")" = 60 ]
	run_split crm-deal add 1 --title u --stage ' Negotiation '
	[ "$(field 1 stage <<<"$output")" = negotiation ]
}

@test "add --at: back-filled, created and entered at that time; added won it closes at once" {
	customers
	run_split crm-deal add 1 --title t --at 2026-11-01 --expected-close 2026-12-31 --product ERP --source 展会
	assert_status 0
	[ "$(field 1 created_at <<<"$output") $(field 1 stage_since <<<"$output") $(field 1 expected_close <<<"$output") $(field 1 product <<<"$output") $(field 1 source <<<"$output")" = \
	    "2026-11-01T00:00:00Z 2026-11-01T00:00:00Z 2026-12-31 ERP 展会" ]
	[ "$(stages_of 1)" = "new 2026-11-01T00:00:00Z -" ]
	[ "$(stage_history 1)" = "->new@2026-11-01T00:00:00Z" ]
	# won when added: the first open stage and won, both at --at
	crm-deal add 2 --title w --stage 赢单 --at '2026-11-05 10:00' -q >/dev/null
	[ "$(stages_of 2)" = "new 2026-11-05T10:00:00Z 2026-11-05T10:00:00Z; won 2026-11-05T10:00:00Z -" ]
	[ "$(sql "SELECT closed_at FROM deals WHERE id = 2")" = 2026-11-05T10:00:00Z ]
	[ "$(sql "SELECT status FROM customers WHERE id = 2")" = customer ]
}

@test "a rep adds deals to its own customers only, and owns them; only an admin gives them away" {
	customers
	before=$(snapshot)
	run_split crm-deal --as li add 2 --title t
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: customer 2: permission denied: customer 2 is owned by 'wang', not by you ('li', a rep)" ]
	run_split crm-deal --as li add 1 --title t --owner wang
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: customer 1: owner: permission denied: a rep makes only itself an owner, not 'wang' (you are 'li', a rep)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-deal --as li add 1 --title t
	assert_status 0
	[ "$(field 1 owner <<<"$output")" = li ]
	run_split crm-deal add 1 --title u --owner wang
	assert_status 0
	[ "$(field 1 owner <<<"$output")" = wang ]
}

# ---- stage, won, lost ----------------------------------------------------------

@test "stage, won: each change a deal_stages row and a history row dated when it happened" {
	customers
	crm-deal add 1 --title t --amount 100 --at 2026-11-01 -q >/dev/null
	run_split crm-deal stage 1 qualified --at 2026-11-05
	assert_status 0
	[ "$(field 1 stage <<<"$output") $(field 1 stage_since <<<"$output")" = "qualified 2026-11-05T00:00:00Z" ]
	crm-deal stage 1 谈判 --at 2026-11-10 -q >/dev/null
	run_split crm-deal won 1 --at 2026-11-15T08:30:00
	assert_status 0
	[ "$(field 1 stage <<<"$output") $(field 1 outcome <<<"$output") $(field 1 closed_at <<<"$output")" = "won won 2026-11-15T08:30:00Z" ]
	[ "$(stages_of 1)" = "new 2026-11-01T00:00:00Z 2026-11-05T00:00:00Z; qualified 2026-11-05T00:00:00Z 2026-11-10T00:00:00Z; negotiation 2026-11-10T00:00:00Z 2026-11-15T08:30:00Z; won 2026-11-15T08:30:00Z -" ]
	[ "$(stage_history 1)" = "->new@2026-11-01T00:00:00Z; new>qualified@2026-11-05T00:00:00Z; qualified>negotiation@2026-11-10T00:00:00Z; negotiation>won@2026-11-15T08:30:00Z" ]
	# time in stage, as a report reads it: 5 days in qualified, 5.354 in
	# negotiation (in thousandths of a day)
	[ "$(sql "SELECT s.name || '=' || CAST(round((julianday(ds.left_at) - julianday(ds.entered_at)) * 1000) AS INTEGER)
	    FROM deal_stages ds JOIN stages s ON s.id = ds.stage_id WHERE ds.left_at IS NOT NULL ORDER BY ds.entered_at" | paste -sd ' ')" = \
	    "new=4000 qualified=5000 negotiation=5354" ]
	# a won deal makes its customer a customer
	[ "$(sql "SELECT status FROM customers WHERE id = 1")" = customer ]
	[ "$(sql "SELECT old_value || '>' || new_value || ' ' || reason FROM history WHERE entity = 'customer' AND field = 'status'")" = "lead>customer deal 1 won" ]
	# ... when the deal was won, not when it was recorded
	[ "$(sql "SELECT at FROM history WHERE entity = 'customer' AND field = 'status'")" = 2026-11-15T08:30:00Z ]
}

@test "stage: a date before the stage was entered, or in the future, is refused" {
	customers
	crm-deal add 1 --title t --at 2026-11-10 -q >/dev/null
	before=$(snapshot)
	run_split crm-deal stage 1 proposal --at 2026-11-09
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1: 2026-11-09T00:00:00Z is before it entered stage 'new' at 2026-11-10T00:00:00Z" ]
	run_split crm-deal stage 1 proposal --at 2026-11-23
	assert_status 1
	[ "$stderr" = "crm-deal: --at: '2026-11-23' is in the future" ]
	run_split crm-deal stage 1 proposal --at yesterday
	assert_status 2
	[[ "$stderr" == "crm-deal: --at: bad date 'yesterday'"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "a closed deal's stage cannot change; won again is no change; an unknown stage is named" {
	customers
	crm-deal add 1 --title t --at 2026-11-01 -q >/dev/null
	crm-deal add 1 --title u --at 2026-11-01 -q >/dev/null
	crm-deal won 1 --at 2026-11-02 -q >/dev/null
	before=$(snapshot)
	run_split crm-deal stage 1 proposal
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1 is closed (won at 2026-11-02T00:00:00Z): its stage cannot change" ]
	run_split crm-deal lost 1 --reason 价格
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1 is closed (won at 2026-11-02T00:00:00Z): its stage cannot change" ]
	run_split crm-deal stage 2 签约
	assert_status 1
	[ "$stderr" = "crm-deal: no stage '签约' (new, qualified, proposal, negotiation, won, lost)" ]
	run_split crm-deal stage 9 proposal
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: no deal 9" ]
	# all or nothing: deal 2 would move, deal 1 cannot
	run_split crm-deal stage 2 1 proposal
	assert_status 1
	[ "$(snapshot)" = "$before" ]
	run_split crm-deal won 1
	assert_status 0
	[ "$(field 1 closed_at <<<"$output")" = 2026-11-02T00:00:00Z ]
	[ "$(sql "SELECT rows FROM batches ORDER BY id DESC LIMIT 1")" = 0 ]
}

@test "lost: needs --reason, which is kept and in the history" {
	customers
	crm-deal add 1 --title t --at 2026-11-01 -q >/dev/null
	run_split crm-deal lost 1
	assert_status 2
	[[ "$stderr" == "crm-deal: lost needs --reason"* ]]
	run_split crm-deal stage 1 输单
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1: a lost deal needs --reason" ]
	run_split crm-deal lost 1 --reason 价格太高 --at 2026-11-20
	assert_status 0
	[ "$(field 1 stage <<<"$output") $(field 1 lost_reason <<<"$output") $(field 1 closed_at <<<"$output")" = "lost 价格太高 2026-11-20T00:00:00Z" ]
	[ "$(sql "SELECT field || ':' || coalesce(old_value, '-') || '>' || new_value || '@' || at FROM history
	    WHERE entity = 'deal' AND entity_id = 1 ORDER BY id" | paste -sd ' ')" = \
	    "stage:->new@2026-11-01T00:00:00Z stage:new>lost@2026-11-20T00:00:00Z closed_at:->2026-11-20T00:00:00Z@2026-11-20T00:00:00Z lost_reason:->价格太高@2026-11-20T00:00:00Z" ]
	# a lost deal leaves its customer's status alone
	[ "$(sql "SELECT status FROM customers WHERE id = 1")" = lead ]
}

@test "a rep moves and changes only its own customers' deals" {
	customers
	crm-deal add 2 --title t -q >/dev/null
	before=$(snapshot)
	run_split crm-deal --as li won 1
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1: permission denied: customer 2 is owned by 'wang', not by you ('li', a rep)" ]
	run_split crm-deal --as li update 1 --title x
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1: permission denied: customer 2 is owned by 'wang', not by you ('li', a rep)" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-deal --as wang won 1
	assert_status 0
}

# ---- update ------------------------------------------------------------------

@test "update: each field that changes in the history; money keeps to its currency" {
	customers
	crm-deal add 1 --title t --amount 1054.5 --at 2026-11-01 -q >/dev/null
	run_split crm-deal update 1 --title 'CRM 二期' --amount '2,000' --expected-close 2027-01-31 --product CRM --at 2026-11-03
	assert_status 0
	[ "$(field 1 title <<<"$output") $(field 1 amount <<<"$output") $(field 1 expected_close <<<"$output")" = "CRM 二期 2000.00 2027-01-31" ]
	[ "$(sql "SELECT field || ':' || coalesce(old_value, '-') || '>' || new_value || '@' || at FROM history
	    WHERE entity = 'deal' AND field <> 'stage' ORDER BY id" | paste -sd ' ')" = \
	    "title:t>CRM 二期@2026-11-03T00:00:00Z product:->CRM@2026-11-03T00:00:00Z expected_close:->2027-01-31@2026-11-03T00:00:00Z amount:1054.50>2000.00@2026-11-03T00:00:00Z" ]
	before=$(snapshot)
	run_split crm-deal update 1 --amount 'USD 5'
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1: amount: 'USD 5' is in USD, but the deal's currency is CNY (give the currency too to change it)" ]
	run_split crm-deal update 1 --currency USD
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1: currency: its amount is in CNY: give the amount in USD too" ]
	run_split crm-deal update 1 --title ''
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: deal 1: title: cannot be empty" ]
	run_split crm-deal update 1 --reason x
	[ "$stderr" = "crm-deal: argument 1: deal 1: lost_reason: the deal is not lost" ]
	run_split crm-deal update 1
	assert_status 2
	[ "$(snapshot)" = "$before" ]
	run_split crm-deal update 1 --amount 'USD 300' --currency USD
	assert_status 0
	[ "$(field 1 amount <<<"$output") $(field 1 currency <<<"$output")" = "300.00 USD" ]
	[ "$(sql "SELECT amount || currency FROM deals")" = 30000USD ]
}

@test "update and stage take deal ids from stdin; other columns pass through" {
	customers
	crm-deal add 1 2 --title t -q >/dev/null
	crm-deal list | awk -F'\t' -v OFS='\t' 'NR == 1 { print $0, "note"; next } { print $0, "备注" NR }' >in.tsv
	run_split crm-deal stage proposal <in.tsv
	assert_status 0
	[ "$(cut -f1,7,21 <<<"$output" | flat)" = "id stage note 1 proposal 备注2 2 proposal 备注3" ]
	run_split crm-deal update --product ERP <in.tsv
	assert_status 0
	[ "$(cut -f1,7,13,21 <<<"$output" | flat)" = "id stage product note 1 proposal ERP 备注2 2 proposal ERP 备注3" ]
}

# ---- list and show -----------------------------------------------------------

# Deals 1 li's open closing 2026-12-15, 2 wang's open closing 2027-01-10,
# 3 zhao's won 2026-11-10, 4 li's lost 2026-10-20, 5 li's proposal (no date).
deals() {
	customers
	crm-deal add 1 --title 一期 --expected-close 2026-12-15 --at 2026-09-01 -q >/dev/null
	crm-deal add 2 --title 二期 --expected-close 2027-01-10 --at 2026-09-01 -q >/dev/null
	crm-deal add 3 --title 三期 --expected-close 2026-12-01 --at 2026-09-01 -q >/dev/null
	crm-deal add 1 --title 四期 --expected-close 2026-11-30 --at 2026-09-01 -q >/dev/null
	crm-deal add 1 --title 五期 --stage proposal --at 2026-09-01 -q >/dev/null
	crm-deal won 3 --at 2026-11-10 -q >/dev/null
	crm-deal lost 4 --reason 预算 --at 2026-10-20 -q >/dev/null
}

@test "list: by owner, team, customer, stage (name or label) and outcome" {
	deals
	[ "$(crm-deal list | ids)" = "1 2 3 4 5" ]
	[ "$(crm-deal list --owner li | ids)" = "1 4 5" ]
	[ "$(crm-deal list --team east | ids)" = "1 2 4 5" ]
	[ "$(crm-deal list --team west | ids)" = "3" ]
	[ "$(crm-deal list --customer 1 | ids)" = "1 4 5" ]
	[ "$(crm-deal list --stage 方案报价 | ids)" = "5" ]
	[ "$(crm-deal list --stage new | ids)" = "1 2" ]
	[ "$(crm-deal list --open | ids)" = "1 2 5" ]
	[ "$(crm-deal list --won | ids)" = "3" ]
	[ "$(crm-deal list --lost | ids)" = "4" ]
	[ "$(crm-deal list -m title=^[一二]期$ | ids)" = "1 2" ]
	[ "$(crm-deal list -m stage_label=报价 | ids)" = "5" ]
	run_split crm-deal list --open --won
	assert_status 2
	[[ "$stderr" == "crm-deal: --open, --won and --lost exclude each other"* ]]
	run_split crm-deal list --owner nobody
	assert_status 1
	[ "$stderr" = "crm-deal: --owner: no user 'nobody'" ]
	run_split crm-deal list --team nowhere
	assert_status 1
	[ "$stderr" = "crm-deal: --team: no team 'nowhere'" ]
	run_split crm-deal list -m nosuch=x
	assert_status 2
	[[ "$stderr" == "crm-deal: --match: no column 'nosuch'"* ]]
}

@test "list --closing: open deals by expected close, closed ones by when they closed" {
	deals
	# Q4 2026: 1 (12-15), 3 (won 11-10), 4 (lost 10-20); not 2 (2027), 5 (no date)
	[ "$(crm-deal list --closing 2026-Q4 | ids)" = "1 3 4" ]
	[ "$(crm-deal list --closing 2026-12 | ids)" = "1" ]
	[ "$(crm-deal list --closing 2027 | ids)" = "2" ]
	# ISO week 46 of 2026 is 9-15 November
	[ "$(crm-deal list --closing 2026-W46 | ids)" = "3" ]
	[ "$(crm-deal list --closing 2026-11-10 | ids)" = "3" ]
	[ "$(crm-deal list --closing 2026-10-20..2026-11-10 | ids)" = "3 4" ]
	[ "$(crm-deal list --closing 2026-12-01.. | ids)" = "1 2" ]
	[ "$(crm-deal list --closing ..2026-10-31 --lost | ids)" = "4" ]
	run_split crm-deal list --closing 2026-13
	assert_status 2
	[[ "$stderr" == "crm-deal: --closing: '2026-13' is no period"* ]]
}

@test "list and show: a rep reads the deals of customers it sees, not of others'" {
	deals
	crm-pool create 东区公海 --members team:east -q >/dev/null
	crm-lead add --company 公海丁有限公司 --pool 东区公海 -q >/dev/null
	crm-deal add 4 --title 公海单 -q >/dev/null
	[ "$(crm-deal --as li list | ids)" = "1 4 5 6" ]
	[ "$(crm-deal --as zhao list | ids)" = "3" ]
	run_split crm-deal --as li show 2 1
	assert_status 1
	[ "$stderr" = "crm-deal: argument 1: permission denied: deal 2 is of customer 2, which you ('li', a rep) neither own nor share a pool with, and not yours" ]
	[ "$(ids <<<"$output")" = 1 ]
	run_split crm-deal show 1 99
	assert_status 1
	[ "$stderr" = "crm-deal: argument 2: no deal 99" ]
	run_split crm-deal show 5 3
	assert_status 0
	[ "$(ids <<<"$output")" = "5 3" ]
	[ "$(crm-deal list --won | crm-deal show | ids)" = 3 ]
	# the customer moves on: its open deals follow it, the one li lost
	# stays li's own work, which li still reads, as its reports count it
	# (on both engines); the customer's contacts li does not
	crm-lead update 1 --phone 13800000001 -q >/dev/null
	crm-assign --force --to wang 1 -q >/dev/null
	[ "$(crm-deal --as li list | ids)" = "4 6" ]
	[ "$(crm-deal --as li show 4 | ids)" = 4 ]
	run_split crm-deal --as li show 1
	assert_status 1
	run_split crm-lead --as li show 1
	[[ "$output" != *13800000001* ]]
	[ "$(crm-lead show 1 | field 1 phone)" = 13800000001 ]
}

@test "a missing database is refused, not created" {
	none=$(other_db none.db)
	run_split crm-deal --db "$none" list
	assert_status 1
	[[ "$stderr" == *"$none"* ]]
	run_split crm-deal --db "$none" add 1 --title t
	assert_status 1
	CRM_DB=$none no_db
}

@test "add -n: the same records, nothing changed" {
	customers
	before=$(snapshot)
	run_split crm-deal add -n 1 --title t --amount 5
	assert_status 0
	[ "$(field 1 amount <<<"$output")" = 5.00 ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	[ "$(snapshot)" = "$before" ]
}

# ---- import ------------------------------------------------------------------

@test "import: Chinese headers, companies matched as duplicates are, stages entered when they happened" {
	customers
	printf '客户名称\t商机名称\t金额\t币种\t阶段\t负责人\t创建时间\t成交日期\t输单原因\t预计成交日期\t备注\n' >d.tsv
	printf '上海甲科技\tA\t¥1,000\t\t谈判\tli\t2026-10-01\t\t\t2026-12-31\t第一\n' >>d.tsv
	printf '北京乙贸易有限责任公司\tB\t2,500.50\tCNY\t赢单\t\t2026-09-01\t2026-10-15\t\t\t第二\n' >>d.tsv
	printf '深圳 丙电子 有限公司\tC\t300\tUSD\tlost\tzhao\t2026-08-01\t2026-08-20\t价格\t\t第三\n' >>d.tsv
	run_split crm-deal import d.tsv
	assert_status 0
	[ "$stderr" = "crm-deal: 3 deals imported, 0 customers created" ]
	[ "$(head -1 <<<"$output" | cut -f1,7,8,21)" = "id	stage	stage_label	备注" ]
	[ "$(cut -f1,2,5,6,7,8,11,21 <<<"$output" | sed 1d | flat)" = \
	    "1 1 1000.00 CNY negotiation 谈判 li 第一 2 2 2500.50 CNY won 赢单 wang 第二 3 3 300.00 USD lost 输单 zhao 第三" ]
	# an open deal enters its stage at created_at; a closed one the first
	# open stage at created_at and its outcome at closed_at
	[ "$(stages_of 1)" = "negotiation 2026-10-01T00:00:00Z -" ]
	[ "$(stages_of 2)" = "new 2026-09-01T00:00:00Z 2026-10-15T00:00:00Z; won 2026-10-15T00:00:00Z -" ]
	[ "$(stages_of 3)" = "new 2026-08-01T00:00:00Z 2026-08-20T00:00:00Z; lost 2026-08-20T00:00:00Z -" ]
	[ "$(stage_history 2)" = "->new@2026-09-01T00:00:00Z; new>won@2026-10-15T00:00:00Z" ]
	[ "$(stage_history 1)" = "->negotiation@2026-10-01T00:00:00Z" ]
	[ "$(sql "SELECT id || ':' || stage_since || ':' || coalesce(closed_at, '-') || ':' || coalesce(lost_reason, '-') || ':' || coalesce(expected_close, '-') FROM deals ORDER BY id" | paste -sd ' ')" = \
	    "1:2026-10-01T00:00:00Z:-:-:2026-12-31 2:2026-10-15T00:00:00Z:2026-10-15T00:00:00Z:-:- 3:2026-08-20T00:00:00Z:2026-08-20T00:00:00Z:价格:-" ]
	# the won deal made customer 2 a customer, in the history
	[ "$(sql "SELECT id || ':' || status FROM customers ORDER BY id" | paste -sd ' ')" = "1:lead 2:customer 3:lead" ]
	[ "$(sql "SELECT entity_id || ':' || old_value || '>' || new_value || ':' || reason FROM history WHERE field = 'status'")" = "2:lead>customer:deal 2 won" ]
	[ "$(sql "SELECT rows FROM batches WHERE command = 'crm-deal import'")" = 3 ]
}

@test "import: by customer_id, CSV, and the output of list read back" {
	customers
	printf 'customer_id,title,amount,stage\n2,X,"1,234.5",qualified\n' >d.csv
	run_split crm-deal import --csv d.csv
	assert_status 0
	[ "$(sql "SELECT customer_id || ':' || title || ':' || amount FROM deals")" = "2:X:123450" ]
	# what list prints reads back: its id is kept by the database
	crm-deal list >l.tsv
	run_split crm-deal import l.tsv
	assert_status 0
	[ "$(field 1 id <<<"$output") $(field 1 amount <<<"$output") $(field 1 stage <<<"$output")" = "2 1234.50 qualified" ]
	# another CRM's id, without an external_id column, is kept as one
	printf '编号	客户编号	title
OPP-7	1	Y
' >x.tsv
	run_split crm-deal import x.tsv
	assert_status 0
	[ "$(sql "SELECT id || ':' || customer_id || ':' || coalesce(external_id, '-') FROM deals ORDER BY id" | paste -sd ' ')" = "1:2:- 2:2:- 3:1:OPP-7" ]
}

@test "import: bad rows are named, nothing is written; --skip-bad keeps the good ones" {
	customers
	printf 'company\ttitle\tamount\tstage\tcreated_at\tclosed_at\tlost_reason\n' >d.tsv
	printf '上海甲科技\tok\t10\tnew\t\t\t\n' >>d.tsv
	printf '无此公司\tA\t10\tnew\t\t\t\n' >>d.tsv
	printf '上海甲科技\tB\t1.234\tnew\t\t\t\n' >>d.tsv
	printf '上海甲科技\tC\t10\t签约\t\t\t\n' >>d.tsv
	printf '上海甲科技\tD\t10\twon\t2026-10-01\t\t\n' >>d.tsv
	printf '上海甲科技\tE\t10\tlost\t2026-10-01\t2026-10-05\t\n' >>d.tsv
	printf '上海甲科技\tF\t10\twon\t2026-10-05\t2026-10-01\t\n' >>d.tsv
	printf '上海甲科技\tG\t10\tnew\t\t2026-10-01\t\n' >>d.tsv
	printf '\tH\t10\tnew\t\t\t\n' >>d.tsv
	before=$(snapshot)
	run_split crm-deal import d.tsv
	assert_status 1
	[ "$stderr" = "crm-deal: d.tsv:3: company: no customer '无此公司' (--create-customers adds it as a lead)
crm-deal: d.tsv:4: amount: '1.234' has more than 2 decimals for CNY
crm-deal: d.tsv:5: stage: no stage '签约' (new, qualified, proposal, negotiation, won, lost)
crm-deal: d.tsv:6: closed_at: a won deal needs the date it closed
crm-deal: d.tsv:7: lost_reason: a lost deal needs a reason
crm-deal: d.tsv:8: closed_at: '2026-10-01' is before created_at
crm-deal: d.tsv:9: closed_at: an open deal (stage 'new') is not closed
crm-deal: d.tsv:10: customer_id: empty (a deal needs customer_id or company)
crm-deal: d.tsv: 8 bad rows: nothing imported (fix them, or use --skip-bad)" ]
	[ -z "$output" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-deal import --skip-bad d.tsv
	assert_status 0
	[ "$(sql "SELECT title FROM deals")" = ok ]
	[ "$(cut -f1,2 d.tsv.rejects | flat)" = "reject_line reject_reason 3 company: no customer '无此公司' (--create-customers adds it as a lead) 4 amount: '1.234' has more than 2 decimals for CNY 5 stage: no stage '签约' (new, qualified, proposal, negotiation, won, lost) 6 closed_at: a won deal needs the date it closed 7 lost_reason: a lost deal needs a reason 8 closed_at: '2026-10-01' is before created_at 9 closed_at: an open deal (stage 'new') is not closed 10 customer_id: empty (a deal needs customer_id or company)" ]
}

@test "import --create-customers: an unmatched company becomes a lead owned by the deal's owner" {
	customers
	printf 'company\ttitle\towner\n新公司有限公司\tA\tli\n新公司\tB\twang\n' >d.tsv
	run_split crm-deal import --create-customers d.tsv
	assert_status 0
	[ "$stderr" = "crm-deal: 2 deals imported, 1 customer created" ]
	# B matches the lead A created, through the company key
	[ "$(sql "SELECT id || ':' || company || ':' || status || ':' || (SELECT login FROM users WHERE id = owner_id) FROM customers WHERE id = 4")" = "4:新公司有限公司:lead:li" ]
	[ "$(sql "SELECT d.title || ':' || d.customer_id || ':' || u.login FROM deals d JOIN users u ON u.id = d.owner_id ORDER BY d.id" | paste -sd ' ')" = "A:4:li B:4:wang" ]
	[ "$(sql "SELECT field || ':' || new_value FROM history WHERE entity = 'customer' AND entity_id = 4")" = "owner:li" ]
	# a rep's new lead is its own; it may not name another owner
	printf 'company\ttitle\n李的新客户\tC\n' >r.tsv
	run_split crm-deal --as li import --create-customers r.tsv
	assert_status 0
	[ "$(sql "SELECT (SELECT login FROM users WHERE id = owner_id) FROM customers WHERE company = '李的新客户'")" = li ]
	[ "$(sql "SELECT new_value FROM history WHERE entity = 'customer' AND field = 'owner' AND entity_id = 5")" = li ]
	printf 'company\ttitle\towner\n王的新客户\tD\twang\n' >w.tsv
	run_split crm-deal --as li import --create-customers w.tsv
	assert_status 1
	[[ "$stderr" == "crm-deal: w.tsv:2: company: owner: permission denied: a rep makes only itself an owner, not 'wang'"* ]]
}

@test "import: every row's owner is checked, an owner named before as well" {
	customers
	crm-user deactivate zhao -q >/dev/null
	printf 'customer_id\ttitle\towner\n' >d.tsv
	printf '1\tA\tli\n1\tB\tnobody\n1\tC\tli\n1\tD\tzhao\n1\tE\tnobody\n1\tF\tzhao\n' >>d.tsv
	run_split crm-deal import --skip-bad d.tsv
	assert_status 0
	[ "$(cut -f1,2 d.tsv.rejects | tail -n +2 | flat)" = "3 owner: no user 'nobody' 5 owner: refused: 'zhao' is deactivated and may own nothing 6 owner: no user 'nobody' 7 owner: refused: 'zhao' is deactivated and may own nothing" ]
	[ "$(sql "SELECT title || ':' || (SELECT login FROM users WHERE id = owner_id) FROM deals ORDER BY id" | flat)" = "A:li C:li" ]
	# a rep names itself, then another: refused each time, as the first
	printf 'customer_id\ttitle\towner\n1\tG\tli\n1\tH\twang\n1\tI\twang\n' >r.tsv
	run_split crm-deal --as li import --skip-bad r.tsv
	assert_status 0
	[ "$(cut -f1 r.tsv.rejects | tail -n +2 | flat)" = "3 4" ]
	[ "$(sql "SELECT count(*) FROM deals WHERE title IN ('H', 'I')")" = 0 ]
}

@test "import as a rep: only deals of its own customers" {
	customers
	printf 'customer_id\ttitle\n1\tmine\n2\ttheirs\n' >d.tsv
	run_split crm-deal --as li import d.tsv
	assert_status 1
	[[ "$stderr" == "crm-deal: d.tsv:3: permission denied: customer 2 is owned by 'wang', not by you ('li', a rep)"* ]]
	[ "$(sql "SELECT count(*) FROM deals")" = 0 ]
	printf 'customer_id\ttitle\n9\tnone\n' >n.tsv
	run_split crm-deal import n.tsv
	assert_status 1
	[[ "$stderr" == "crm-deal: n.tsv:2: customer_id: no customer 9"* ]]
}

@test "import: a large one is a bulk load with the same result" {
	customers
	{
		printf 'customer_id\ttitle\tamount\tstage\tcreated_at\tclosed_at\tlost_reason\n'
		for i in $(seq 1 30); do
			c=$(( (i - 1) % 3 + 1 ))
			case $(( i % 3 )) in
			0) printf '%s\td%s\t%s\tproposal\t2026-09-%02d\t\t\n' $c $i $i $i ;;
			1) printf '%s\td%s\t%s\twon\t2026-09-%02d\t2026-10-%02d\t\n' $c $i $i $i $i ;;
			2) printf '%s\td%s\t%s\tlost\t2026-09-%02d\t2026-10-%02d\t价格\n' $c $i $i $i $i ;;
			esac
		done
	} >d.tsv
	CRM_IMPORT_BULK_ROWS=5 crm-deal import -q d.tsv >bulk.out
	bulk=$(copy_db bulk.db)
	new_db
	local_setup
	customers
	crm-deal import -q d.tsv >plain.out
	q="SELECT * FROM deals ORDER BY id; SELECT * FROM deal_stages ORDER BY deal_id, entered_at, stage_id;
	    SELECT entity, entity_id, field, old_value, new_value, at FROM history WHERE entity = 'deal' ORDER BY entity_id, at, id;
	    "
	[ "$(CRM_DB=$bulk sql "$q")" = "$(sql "$q")" ]
	[ "$(CRM_DB=$bulk indexes)" = "$(indexes)" ]
	diff bulk.out plain.out
	# 30 deals, 10 open (one stage row each), 20 closed (two each)
	[ "$(sql "SELECT count(*) FROM deal_stages")" = 50 ]
	[ "$(sql "SELECT count(*) FROM history WHERE entity = 'deal'")" = 50 ]
	CRM_DB=$bulk integrity
}

# ---- the owner of a customer's deals ---------------------------------------

@test "a customer's open deals follow it to a new owner; closed ones stay; a pool clears them" {
	customers
	crm-pool create 东区公海 --members team:east -q >/dev/null
	crm-deal add 1 --title open --at 2026-11-01 -q >/dev/null
	crm-deal add 1 --title won --at 2026-11-01 -q >/dev/null
	crm-deal won 2 -q >/dev/null
	crm-deal add 1 --title other --owner zhao -q >/dev/null
	crm-assign --force --to wang 1 -q >/dev/null
	[ "$(sql "SELECT d.title || ':' || coalesce(u.login, '-') FROM deals d LEFT JOIN users u ON u.id = d.owner_id ORDER BY d.id" | paste -sd ' ')" = "open:wang won:li other:wang" ]
	[ "$(sql "SELECT entity_id || ':' || old_value || '>' || new_value || ':' || command FROM history WHERE entity = 'deal' AND field = 'owner' ORDER BY id" | paste -sd ' ')" = \
	    "1:li>wang:crm-assign 3:zhao>wang:crm-assign" ]
	# into a pool: nobody's until claimed, and then the claimer's
	crm-pool release --reason 无意向 1 --as wang -q >/dev/null
	[ "$(sql "SELECT d.title || ':' || coalesce(u.login, '-') FROM deals d LEFT JOIN users u ON u.id = d.owner_id ORDER BY d.id" | paste -sd ' ')" = "open:- won:li other:-" ]
	crm-pool claim 1 --as li -q >/dev/null
	[ "$(sql "SELECT d.title || ':' || coalesce(u.login, '-') FROM deals d LEFT JOIN users u ON u.id = d.owner_id ORDER BY d.id" | paste -sd ' ')" = "open:li won:li other:li" ]
	# undo of the assignment puts the deals back with the customer
	b=$(sql "SELECT id FROM batches WHERE command = 'crm-pool claim'")
	crm-pool undo "$b" -q >/dev/null
	[ "$(sql "SELECT d.title || ':' || coalesce(u.login, '-') FROM deals d LEFT JOIN users u ON u.id = d.owner_id ORDER BY d.id" | paste -sd ' ')" = "open:- won:li other:-" ]
}

@test "a merge brings the duplicate's open deals to the kept customer and its owner" {
	customers
	crm-lead add --company 上海甲科技 --name 李一号 --owner wang --on-duplicate allow -q >/dev/null
	crm-deal add 4 --title 重复的单 -q >/dev/null
	crm-deal add 4 --title 已赢 -q >/dev/null
	crm-deal won 2 -q >/dev/null
	crm-lead merge 1 4 -q >/dev/null
	[ "$(sql "SELECT d.title || ':' || d.customer_id || ':' || u.login FROM deals d JOIN users u ON u.id = d.owner_id ORDER BY d.id" | paste -sd ' ')" = "重复的单:1:li 已赢:1:wang" ]
	[ "$(sql "SELECT old_value || '>' || new_value || ':' || reason FROM history WHERE entity = 'deal' AND entity_id = 1 AND field = 'owner'")" = "wang>li:merge" ]
	# and the merge's undo puts them back
	crm-lead unmerge 4 -q >/dev/null
	[ "$(sql "SELECT d.customer_id || ':' || u.login FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.id = 1")" = "4:wang" ]
}

# ---- the pool clocks read real deals -----------------------------------------

# own NAME SINCE: a customer li got at SINCE.
own() {
	crm-lead add --name "$1" --owner li --now "$2" -q >/dev/null
}

@test "reclaim --no-deal-days: the clock runs from the last deal, or from the owner" {
	crm-pool create east --members team:east --no-deal-days 30 -q >/dev/null
	own A 2026-09-01T09:00:00Z
	own B 2026-09-01T09:00:00Z
	crm-deal add 1 --title d --at 2026-10-10 -q >/dev/null
	# 2026-10-25: B is due (owner since 09-01, 54 days); A's deal of 10-10 keeps it until 11-09
	run_split crm-pool reclaim --dry-run --explain --now 2026-10-25T09:00:00Z
	assert_status 0
	[ "$(ids <<<"$output")" = 2 ]
	[ "$(field 1 explain <<<"$output")" = "last deal never, owner since 2026-09-01T09:00:00Z: 54 days without a new deal, limit 30" ]
	# 2026-11-10T09:00: A too, 31 days (and 9 hours) after its deal
	run_split crm-pool reclaim --dry-run --explain --now 2026-11-10T09:00:00Z
	[ "$(ids <<<"$output")" = "1 2" ]
	[ "$(field 1 explain <<<"$output")" = "last deal 2026-10-10T00:00:00Z, owner since 2026-09-01T09:00:00Z: 31 days without a new deal, limit 30" ]
}

@test "reclaim --not-won-days: a customer with a won deal is not due" {
	crm-pool create east --members team:east --not-won-days 60 -q >/dev/null
	own A 2026-09-01T09:00:00Z
	own B 2026-09-01T09:00:00Z
	crm-deal add 1 --title w --at 2026-09-15 -q >/dev/null
	crm-deal add 2 --title o --at 2026-09-15 -q >/dev/null
	crm-deal won 1 --at 2026-10-01 -q >/dev/null
	# 82 days from 09-01T09:00 to 11-22T09:00
	run_split crm-pool reclaim --dry-run --explain
	assert_status 0
	[ "$(ids <<<"$output")" = 2 ]
	[ "$(field 1 explain <<<"$output")" = "owner since 2026-09-01T09:00:00Z and no deal won: 82 days, limit 60" ]
	crm-deal won 2 -q >/dev/null
	run_split crm-pool reclaim --dry-run --explain
	[ "$(count_rows <<<"$output")" = 0 ]
}

@test "reclaim --exempt won,open-deal: deals in those stages keep their customers" {
	crm-pool create east --members team:east --no-followup-days 30 --exempt won,open-deal -q >/dev/null
	own A 2026-09-01T09:00:00Z
	own B 2026-09-01T09:00:00Z
	own C 2026-09-01T09:00:00Z
	own D 2026-09-01T09:00:00Z
	crm-deal add 1 --title won --stage won --at 2026-09-10 -q >/dev/null
	crm-deal add 2 --title open --stage proposal --at 2026-09-10 -q >/dev/null
	crm-deal add 3 --title lost --stage lost --reason 价格 --at 2026-09-10 -q >/dev/null
	run_split crm-pool reclaim --dry-run --explain
	assert_status 0
	[ "$(cut -f1,10 <<<"$output" | sed 1d | flat)" = "1 exempt 2 exempt 3 move 4 move" ]
	[ "$(field 1 explain <<<"$output")" = "last follow-up never, owner since 2026-09-01T09:00:00Z: 82 days without a follow-up, limit 30; exempt: won deal" ]
	[ "$(field 2 explain <<<"$output")" = "last follow-up never, owner since 2026-09-01T09:00:00Z: 82 days without a follow-up, limit 30; exempt: open deal" ]
	# once its deal is lost, B is reclaimed too, and the open deals lose their owner
	crm-deal lost 2 --reason 预算 -q >/dev/null
	run_split crm-pool reclaim
	assert_status 0
	[ "$(ids <<<"$output")" = "2 3 4" ]
	[ "$(sql "SELECT d.title || ':' || coalesce(u.login, '-') FROM deals d LEFT JOIN users u ON u.id = d.owner_id ORDER BY d.id" | paste -sd ' ')" = "won:li open:li lost:li" ]
}

# ---- pipelines ---------------------------------------------------------------

@test "pipelines: crm-deal after another writer and before another, on fresh databases (10 times, 5 on PostgreSQL), every row" {
	printf 'name\tcompany\n' >leads.tsv
	for i in $(seq 1 40); do printf '客户%s\t公司%s有限公司\n' $i $i >>leads.tsv; done
	printf 'company\ttitle\tamount\tcreated_at\n' >deals.tsv
	for i in $(seq 1 40); do printf '公司%s\t单%s\t%s00\t2026-11-01\n' $i $i $i >>deals.tsv; done
	sed 's/\t单/\t续单/' deals.tsv >more.tsv
	for run in $(seq 1 "$RUNS"); do
		new_db
		crm-user add boss --role admin -q >/dev/null
		crm-user add li -q >/dev/null
		# after a writer: each lead imported gets a deal
		crm-lead import -q leads.tsv | crm-deal add --title 首单 --amount 100 -q >add.out
		[ "$(count_rows <add.out)" = 40 ] || { echo "run $run: add printed $(count_rows <add.out)"; return 1; }
		[ "$(sql "SELECT count(*) FROM deals WHERE title = '首单'")" = 40 ] || { echo "run $run: add"; return 1; }
		# before a writer, and after one: import | won | show (which waits for it)
		crm-deal import -q deals.tsv | crm-deal won -q --at 2026-11-21 | crm-deal show >won.out
		[ "$(count_rows <won.out)" = 40 ] || { echo "run $run: won listed $(count_rows <won.out)"; return 1; }
		[ "$(sql "SELECT count(*) FROM deals WHERE closed_at = '2026-11-21T00:00:00Z'")" = 40 ] || { echo "run $run: won"; return 1; }
		[ "$(sql "SELECT count(*) FROM customers WHERE status = 'customer'")" = 40 ] || { echo "run $run: status"; return 1; }
		# before another program's writer: their customers to li, open deals along
		crm-deal import -q more.tsv | awk -F'\t' -v OFS='\t' 'NR == 1 { print "id"; next } { print $2 }' |
		    crm-assign --to li -q >assign.out
		[ "$(count_rows <assign.out)" = 40 ] || { echo "run $run: assign printed $(count_rows <assign.out)"; return 1; }
		[ "$(sql "SELECT count(*) FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.login = 'li'")" = 40 ] || { echo "run $run: owners"; return 1; }
		# 40 首单 and 40 续单 open deals follow their customers; the won ones do not
		[ "$(sql "SELECT count(*) FROM deals d JOIN users u ON u.id = d.owner_id WHERE u.login = 'li' AND d.closed_at IS NULL")" = 80 ] || { echo "run $run: deals"; return 1; }
		[ "$(sql "SELECT count(*) FROM deals WHERE owner_id IS NULL")" = 40 ] || { echo "run $run: won deals"; return 1; }
	done
}
