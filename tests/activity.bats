#!/usr/bin/env bats
# crm-activity: follow-ups done and planned, the reclaim clock, the agenda.
# The clock is CRM_NOW=2026-11-22T09:00:00Z (helpers.bash).

load helpers

# boss (admin), reps li and wang; customers 1 and 2 owned by li, 3 by wang,
# 4 unowned, 5 in pool 公海.
local_setup() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-db config test-clock on -q >/dev/null	# reps act at the fixed clock
	crm-user add li -q >/dev/null
	crm-user add wang -q >/dev/null
	sql "INSERT INTO pools (name, created_at) VALUES ('公海', '2026-01-01T00:00:00Z')"
	printf 'name\tcompany\tphone\towner\tpool\nA\tAco\t13800000001\tli\t\\N\nB\tBco\t13800000002\tli\t\\N\nC\tCco\t13800000003\twang\t\\N\nD\tDco\t13800000004\t\\N\t\\N\nE\tEco\t13800000005\t\\N\t公海\n' |
	    crm-lead import -q >/dev/null
}

# Everything crm-activity writes, to prove a refusal changed nothing.
snapshot() {
	sql "SELECT * FROM activities ORDER BY id;
	    SELECT id, last_activity_at, next_due_at FROM customers ORDER BY id;
	    SELECT count(*) FROM batches"
}

clock() {	# clock ID: last_activity_at and next_due_at of customer ID
	sql "SELECT coalesce(last_activity_at, 'NULL'), coalesce(next_due_at, 'NULL') FROM customers WHERE id = $1"
}

@test "log: a call done now restarts the customer's clock" {
	run_split crm-activity --as li log 1 --kind call --note '问了价格' --next 报价
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id	customer_id	customer	user	kind	at	note	next	due_at	done_at" ]
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 customer_id <<<"$output")" = 1 ]
	[ "$(field 1 customer <<<"$output")" = Aco ]
	[ "$(field 1 user <<<"$output")" = li ]
	[ "$(field 1 kind <<<"$output")" = call ]
	[ "$(field 1 at <<<"$output")" = 2026-11-22T09:00:00Z ]
	[ "$(field 1 note <<<"$output")" = 问了价格 ]
	[ "$(field 1 next <<<"$output")" = 报价 ]
	[ "$(field 1 due_at <<<"$output")" = '' ]
	[ "$(field 1 done_at <<<"$output")" = 2026-11-22T09:00:00Z ]
	[ "$(clock 1)" = "2026-11-22T09:00:00Z	NULL" ]
	[ "$(sql "SELECT b.command, b.actor FROM activities a JOIN batches b ON b.id = a.batch_id")" = "crm-activity log	li" ]
}

@test "log: an older follow-up does not move the clock back" {
	crm-activity log 1 --kind visit --at 2026-11-20T10:00 -q >/dev/null
	[ "$(clock 1)" = "2026-11-20T10:00:00Z	NULL" ]
	crm-activity log 1 --kind call --at '2026-11-19 08:00' -q >/dev/null
	[ "$(clock 1)" = "2026-11-20T10:00:00Z	NULL" ]
	# a zone is honoured: 2026-11-21 08:00 in Beijing is 00:00 UTC
	crm-activity log 1 --kind 微信 --at 2026-11-21T08:00+08:00 -q >/dev/null
	[ "$(clock 1)" = "2026-11-21T00:00:00Z	NULL" ]
	[ "$(sql "SELECT kind FROM activities ORDER BY id DESC LIMIT 1")" = wechat ]
}

@test "log --due: a planned follow-up sets next_due_at to the earliest open one" {
	run_split crm-activity --as li log 1 --kind visit --due 2026-11-25 --note 上门
	assert_status 0
	[ "$(field 1 at <<<"$output")" = '' ]
	[ "$(field 1 due_at <<<"$output")" = 2026-11-25T00:00:00Z ]
	[ "$(field 1 done_at <<<"$output")" = '' ]
	# planning is not a follow-up: the clock is not restarted
	[ "$(clock 1)" = "NULL	2026-11-25T00:00:00Z" ]
	crm-activity --as li log 1 --kind call --due 2026-11-28 -q >/dev/null
	[ "$(clock 1)" = "NULL	2026-11-25T00:00:00Z" ]
	crm-activity --as li log 1 --kind call --due 2026-11-23T10:00 -q >/dev/null
	[ "$(clock 1)" = "NULL	2026-11-23T10:00:00Z" ]
}

@test "log --at with --due: done now and the next step planned" {
	run_split crm-activity --as li log 1 --kind call --note 要报价 --next 发报价单 \
	    --at 2026-11-22T08:00 --due 2026-11-27
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(field 1 at <<<"$output")" = 2026-11-22T08:00:00Z ]
	[ "$(field 1 note <<<"$output")" = 要报价 ]
	[ "$(field 1 due_at <<<"$output")" = '' ]
	[ "$(field 2 kind <<<"$output")" = call ]
	[ "$(field 2 at <<<"$output")" = '' ]
	[ "$(field 2 note <<<"$output")" = 发报价单 ]
	[ "$(field 2 due_at <<<"$output")" = 2026-11-27T00:00:00Z ]
	[ "$(clock 1)" = "2026-11-22T08:00:00Z	2026-11-27T00:00:00Z" ]
}

@test "log: a rep may not log on a customer owned by another, unowned or pooled" {
	before=$(snapshot)
	run_split crm-activity --as li log 3 --kind call
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"permission denied: customer 3 is owned by 'wang', not by you ('li', a rep)"* ]]
	run_split crm-activity --as li log 4 --kind call
	assert_status 1
	[[ "$stderr" == *"permission denied: customer 4 has no owner"* ]]
	run_split crm-activity --as li log 5 --kind call
	assert_status 1
	[[ "$stderr" == *"permission denied: customer 5 is in pool '公海', not owned by you ('li', a rep): claim it first"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "log: an admin may log on any customer" {
	for id in 3 4 5; do
		run_split crm-activity log "$id" --kind note --note checked
		assert_status 0
		[ "$(field 1 user <<<"$output")" = boss ]
	done
	[ "$(sql "SELECT count(*) FROM activities")" = 3 ]
	[ "$(clock 5)" = "2026-11-22T09:00:00Z	NULL" ]
}

@test "log: the actor must be an active user" {
	before=$(snapshot)
	run_split crm-activity --as ghost log 1 --kind call
	assert_status 1
	[[ "$stderr" == *"you ('ghost') are not a crm user"* ]]
	crm-user deactivate li -q >/dev/null
	before=$(snapshot)
	run_split crm-activity --as li log 1 --kind call
	assert_status 1
	[[ "$stderr" == *"permission denied: user 'li' is deactivated"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "log: bad kind, bad date, missing kind or id are usage errors" {
	before=$(snapshot)
	run_split crm-activity log 1 --kind fax
	assert_status 2
	[[ "$stderr" == *"--kind must be call, visit, meeting, email, wechat or note, got 'fax'"* ]]
	run_split crm-activity log 1 --kind call --at 2026-02-30
	assert_status 2
	[[ "$stderr" == *"--at: bad date '2026-02-30'"* ]]
	run_split crm-activity log 1 --kind call --due tomorrow
	assert_status 2
	[[ "$stderr" == *"--due: bad date 'tomorrow'"* ]]
	run_split crm-activity log 1
	assert_status 2
	[[ "$stderr" == *"log needs --kind"* ]]
	# no ID: ids come from records on stdin, and there are none
	run_split crm-activity log --kind call </dev/null
	assert_status 1
	[[ "$stderr" == *"stdin: no header row"* ]]
	run_split crm-activity log x1 --kind call
	assert_status 2
	[[ "$stderr" == *"'x1' is not a customer id"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "log: a follow-up in the future, an unknown or merged customer are refused" {
	before=$(snapshot)
	run_split crm-activity log 1 --kind call --at 2026-11-22T09:00:01Z
	assert_status 1
	[[ "$stderr" == *"--at: '2026-11-22T09:00:01Z' is in the future"* ]]
	run_split crm-activity log 99 --kind call
	assert_status 1
	[[ "$stderr" == *"no customer 99"* ]]
	crm-lead merge 1 2 >/dev/null
	before=$(snapshot)
	run_split crm-activity log 2 --kind call
	assert_status 1
	[[ "$stderr" == *"customer 2 was merged into 1 (log on 1)"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "log: dry run prints the row and writes nothing" {
	before=$(snapshot)
	run_split crm-activity log 1 --kind call -n
	assert_status 0
	[ "$(field 1 kind <<<"$output")" = call ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "done: a planned follow-up becomes one done at that time; next_due_at moves on" {
	crm-activity --as li log 1 --kind visit --due 2026-11-21 -q >/dev/null
	crm-activity --as li log 1 --kind call --due 2026-11-26 -q >/dev/null
	[ "$(clock 1)" = "NULL	2026-11-21T00:00:00Z" ]
	run_split crm-activity --as li done 1 --note 见了采购 --at 2026-11-22T08:30
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(field 1 at <<<"$output")" = 2026-11-22T08:30:00Z ]
	[ "$(field 1 done_at <<<"$output")" = 2026-11-22T08:30:00Z ]
	[ "$(field 1 due_at <<<"$output")" = 2026-11-21T00:00:00Z ]
	[ "$(field 1 note <<<"$output")" = 见了采购 ]
	[ "$(clock 1)" = "2026-11-22T08:30:00Z	2026-11-26T00:00:00Z" ]
	crm-activity --as li done 2 -q >/dev/null
	[ "$(clock 1)" = "2026-11-22T09:00:00Z	NULL" ]
}

@test "done: refusals: done already, not planned, no such activity, another rep's" {
	crm-activity --as li log 1 --kind visit --due 2026-11-21 -q >/dev/null
	crm-activity --as li log 1 --kind call -q >/dev/null
	crm-activity --as li done 1 -q >/dev/null
	crm-activity --as wang log 3 --kind call --due 2026-11-23 -q >/dev/null
	before=$(snapshot)
	run_split crm-activity done 1
	assert_status 1
	[[ "$stderr" == *"activity 1 was done already (at 2026-11-22T09:00:00Z)"* ]]
	run_split crm-activity done 2
	assert_status 1
	[[ "$stderr" == *"activity 2 was done already"* ]]
	run_split crm-activity done 3 99
	assert_status 1
	[[ "$stderr" == *"no activity 99"* ]]
	run_split crm-activity --as li done 3
	assert_status 1
	[[ "$stderr" == *"activity 3: permission denied: customer 3 is owned by 'wang'"* ]]
	run_split crm-activity done 3 --at 2026-12-01
	assert_status 1
	[[ "$stderr" == *"is in the future"* ]]
	[ "$(snapshot)" = "$before" ]
	run_split crm-activity done </dev/null
	assert_status 1
	[[ "$stderr" == *"stdin: no header row"* ]]
	run_split crm-activity done abc
	assert_status 2
	[[ "$stderr" == *"'abc' is not an activity id"* ]]
}

@test "import: call logs with Chinese headers, done and planned rows" {
	cat >calls.csv <<'EOF'
客户编号,类型,时间,内容,跟进人,下一步,计划时间,录音
1,电话,2026-11-21 10:00,问价格,li,发报价,2026-11-24,a.mp3
3,拜访,2026-11-20T15:00:00Z,见面,wang,,,
3,微信,,约时间,wang,,2026-11-23T02:00,
EOF
	run_split crm-activity import --csv calls.csv
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id,customer_id,customer,user,kind,at,note,next,due_at,done_at" ]
	[ "$(count_rows <<<"$output")" = 4 ]
	[[ "$stderr" == *"column '录音' is not an activity field: ignored"* ]]
	[[ "$stderr" == *"4 activities imported"* ]]
	[ "$(sql "SELECT customer_id, u.login, kind, coalesce(at, '-'), coalesce(due_at, '-'), coalesce(note, '-') FROM activities a JOIN users u ON u.id = a.user_id ORDER BY a.id")" = "1	li	call	2026-11-21T10:00:00Z	-	问价格
1	li	call	-	2026-11-24T00:00:00Z	发报价
3	wang	visit	2026-11-20T15:00:00Z	-	见面
3	wang	wechat	-	2026-11-23T02:00:00Z	约时间" ]
	[ "$(clock 1)" = "2026-11-21T10:00:00Z	2026-11-24T00:00:00Z" ]
	[ "$(clock 3)" = "2026-11-20T15:00:00Z	2026-11-23T02:00:00Z" ]
	[ "$(sql "SELECT source, rows FROM batches ORDER BY id DESC LIMIT 1")" = "calls.csv	4" ]
}

@test "import: all or nothing, every bad row named by FILE:LINE" {
	printf 'customer_id\tkind\tat\tuser\tdue\n' >bad.tsv
	printf '1\tcall\t2026-11-21\tli\t\\N\n' >>bad.tsv
	printf '99\tcall\t2026-11-21\tli\t\\N\n' >>bad.tsv
	printf '1\tfax\t2026-11-21\tli\t\\N\n' >>bad.tsv
	printf '1\tcall\t2026-11-31\tli\t\\N\n' >>bad.tsv
	printf '1\tcall\t2026-12-01\tli\t\\N\n' >>bad.tsv
	printf '1\tcall\t\\N\tli\t\\N\n' >>bad.tsv
	printf '1\tcall\t2026-11-21\tghost\t\\N\n' >>bad.tsv
	printf 'x\tcall\t2026-11-21\tli\t\\N\n' >>bad.tsv
	before=$(snapshot)
	run_split crm-activity import bad.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"bad.tsv:3: customer_id: no customer 99"* ]]
	[[ "$stderr" == *"bad.tsv:4: kind: 'fax' is not call, visit, meeting, email, wechat or note"* ]]
	[[ "$stderr" == *"bad.tsv:5: at: '2026-11-31' is not a date"* ]]
	[[ "$stderr" == *"bad.tsv:6: at: '2026-12-01' is in the future"* ]]
	[[ "$stderr" == *"bad.tsv:7: at: empty (give at for a follow-up done, or due for one planned)"* ]]
	[[ "$stderr" == *"bad.tsv:8: user: no user 'ghost'"* ]]
	[[ "$stderr" == *"bad.tsv:9: customer_id: 'x' is not a customer id"* ]]
	[[ "$stderr" == *"bad.tsv: 7 bad rows: nothing imported (fix them, or use --skip-bad)"* ]]
	[ "$(snapshot)" = "$before" ]
	[ ! -e bad.tsv.rejects ]
}

@test "import --skip-bad: good rows written, bad ones in the reject file" {
	printf 'id\tkind\tat\tnote\n1\tcall\t2026-11-21\tok\n1\tfax\t2026-11-21\tbad\n' >calls.tsv
	run_split crm-activity import --skip-bad calls.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[[ "$stderr" == *"calls.tsv:3: kind: 'fax' is not call"*"(skipped)"* ]]
	[[ "$stderr" == *"1 rejected row written to 'calls.tsv.rejects'"* ]]
	[ "$(sql "SELECT count(*) FROM activities")" = 1 ]
	[ "$(head -1 calls.tsv.rejects)" = "reject_line	reject_reason	id	kind	at	note" ]
	[ "$(field 1 reject_line <calls.tsv.rejects)" = 3 ]
	[ "$(field 1 note <calls.tsv.rejects)" = bad ]
	run_split crm-activity import --skip-bad --rejects my.rej calls.tsv
	assert_status 0
	[ -f my.rej ]
}

@test "import: a rep imports only its own follow-ups on its own customers" {
	printf 'customer_id\tkind\tat\tuser\n1\tcall\t2026-11-21\tli\n3\tcall\t2026-11-21\t\\N\n1\tcall\t2026-11-21\twang\n' >calls.tsv
	before=$(snapshot)
	run_split crm-activity --as li import calls.tsv
	assert_status 1
	[[ "$stderr" == *"calls.tsv:3: customer_id: permission denied: customer 3 is owned by 'wang'"* ]]
	[[ "$stderr" == *"calls.tsv:4: user: permission denied: a rep logs only their own follow-ups (you are 'li', not 'wang')"* ]]
	[[ "$stderr" != *"calls.tsv:2:"* ]]
	[ "$(snapshot)" = "$before" ]
	printf 'customer_id\tkind\tat\n1\tcall\t2026-11-21\n' >mine.tsv
	run_split crm-activity --as li import mine.tsv
	assert_status 0
	[ "$(field 1 user <<<"$output")" = li ]
}

@test "import: a missing customer or kind column stops before any row" {
	printf 'kind\tat\ncall\t2026-11-21\n' >nocust.tsv
	run_split crm-activity import nocust.tsv
	assert_status 1
	[[ "$stderr" == *"no customer id column (customer_id, id or 客户编号)"* ]]
	printf 'id\tat\n1\t2026-11-21\n' >nokind.tsv
	run_split crm-activity import nokind.tsv
	assert_status 1
	[[ "$stderr" == *"no 'kind' (类型) column"* ]]
	[ "$(sql "SELECT count(*) FROM activities")" = 0 ]
}

@test "list: by customer, user, time and planned, oldest first" {
	crm-activity --as li log 1 --kind call --at 2026-11-20 -q >/dev/null
	crm-activity --as li log 2 --kind visit --at 2026-11-18 -q >/dev/null
	crm-activity --as wang log 3 --kind email --at 2026-11-21 -q >/dev/null
	crm-activity --as li log 1 --kind call --due 2026-11-25 -q >/dev/null
	run_split crm-activity list
	assert_status 0
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "2 1 3 4 " ]
	run_split crm-activity list --customer 1
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "1 4 " ]
	run_split crm-activity list --user wang
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "3 " ]
	run_split crm-activity list --since 2026-11-19 --until 2026-11-21
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "1 " ]
	run_split crm-activity list --planned
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "4 " ]
	run_split crm-activity list --user ghost
	assert_status 1
	[[ "$stderr" == *"no user 'ghost'"* ]]
	run_split crm-activity list --customer 99
	assert_status 1
	[[ "$stderr" == *"no customer 99"* ]]
	run_split crm-activity list --since yesterday
	assert_status 2
	[[ "$stderr" == *"--since: bad date 'yesterday'"* ]]
	run_split crm-activity list --customer x
	assert_status 2
}

@test "due: today's agenda by user then time, overdue ones marked" {
	crm-activity --as wang log 3 --kind call --due 2026-11-22T15:00 -q >/dev/null	# 1: today
	crm-activity --as li log 1 --kind visit --due 2026-11-22T10:00 -q >/dev/null	# 2: today
	crm-activity --as li log 2 --kind call --due 2026-11-20 -q >/dev/null		# 3: overdue
	crm-activity --as li log 1 --kind call --due 2026-11-23T00:00 -q >/dev/null	# 4: tomorrow
	crm-activity --as li log 1 --kind call --due 2026-11-19 -q >/dev/null		# 5: done below
	crm-activity --as li done 5 -q >/dev/null
	run_split crm-activity due
	assert_status 0
	[ "$(head -1 <<<"$output")" = "user	due_at	overdue	id	customer_id	customer	phone	kind	note	next" ]
	[ "$(cut -f1,3,4 <<<"$output" | tail -n +2 | tr '\t\n' ', ')" = "li,1,3 li,0,2 wang,0,1 " ]
	[ "$(field 1 phone <<<"$output")" = 13800000002 ]
	[ "$(field 1 customer <<<"$output")" = Bco ]
	run_split crm-activity due --user wang
	[ "$(cut -f4 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "1 " ]
	# within a day of 09:00: up to 2026-11-23T09:00, so tomorrow's 00:00 too
	run_split crm-activity due --within 1d
	[ "$(cut -f4 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "3 2 4 1 " ]
	# within an hour: up to 10:00, exclusive, so only the overdue one of li's
	run_split crm-activity due --within 1h --user li
	[ "$(cut -f4 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "3 " ]
}

@test "due: an empty agenda is just the header; a merged customer's follow-up follows it" {
	crm-activity --as li log 2 --kind call --due 2026-11-25 -q >/dev/null
	run_split crm-activity due
	assert_status 0
	[ "$(count_rows <<<"$output")" = 0 ]
	[ "$(head -1 <<<"$output")" = "user	due_at	overdue	id	customer_id	customer	phone	kind	note	next" ]
	crm-activity --as li log 2 --kind call --due 2026-11-22T10:00 -q >/dev/null
	crm-lead merge 3 2 >/dev/null
	run_split crm-activity due
	assert_status 0
	[ "$(field 1 customer_id <<<"$output")" = 3 ]
	[ "$(field 1 id <<<"$output")" = 2 ]
	run_split crm-activity due --within soon
	assert_status 2
	[[ "$stderr" == *"--within takes a duration such as 1d, 12h or 2w, got 'soon'"* ]]
	run_split crm-activity due --user ghost
	assert_status 1
	[[ "$stderr" == *"no user 'ghost'"* ]]
}

@test "the clock follows CRM_NOW and --now" {
	run_split crm-activity --now 2026-11-25T12:00:00Z log 1 --kind call
	assert_status 0
	[ "$(field 1 at <<<"$output")" = 2026-11-25T12:00:00Z ]
	CRM_NOW=2026-11-30T08:00:00Z run_split crm-activity log 1 --kind call
	[ "$(clock 1)" = "2026-11-30T08:00:00Z	NULL" ]
}

@test "unknown and missing commands are usage errors" {
	run_split crm-activity
	assert_status 2
	[[ "$stderr" == *"missing command"* ]]
	run_split crm-activity frob
	assert_status 2
	[[ "$stderr" == *"unknown command 'frob'"* ]]
}

@test "merge and unmerge carry the follow-up clock with the activities" {
	crm-activity --as li log 2 --kind call --at 2026-11-21T10:00 -q >/dev/null
	crm-activity --as li log 2 --kind call --due 2026-11-25 -q >/dev/null
	crm-activity --as wang log 3 --kind call --at 2026-11-20T10:00 -q >/dev/null
	[ "$(clock 2)" = "2026-11-21T10:00:00Z	2026-11-25T00:00:00Z" ]
	crm-lead merge 3 2 >/dev/null
	[ "$(clock 3)" = "2026-11-21T10:00:00Z	2026-11-25T00:00:00Z" ]
	[ "$(clock 2)" = "NULL	NULL" ]
	crm-lead unmerge 2 >/dev/null
	[ "$(clock 2)" = "2026-11-21T10:00:00Z	2026-11-25T00:00:00Z" ]
	[ "$(clock 3)" = "2026-11-20T10:00:00Z	NULL" ]
}

# trail ID: the history of activity ID as field=old>new, "-" for NULL.
trail() {
	sql "SELECT field || '=' || coalesce(old_value, '-') || '>' || coalesce(new_value, '-')
	    FROM history WHERE entity = 'activity' AND entity_id = $1 ORDER BY id" | tr '\n' ' '
}

@test "log and done: a history row for every field set, by whom and in which batch" {
	crm-activity --as li log 1 --kind call --note 要报价 --next 报价 --at 2026-11-22T09:00 \
	    --due 2026-11-27 -q >/dev/null
	[ "$(trail 1)" = "customer_id=->1 user=->li kind=->call at=->2026-11-22T09:00:00Z note=->要报价 next=->报价 done_at=->2026-11-22T09:00:00Z " ]
	[ "$(trail 2)" = "customer_id=->1 user=->li kind=->call note=->报价 due_at=->2026-11-27T00:00:00Z " ]
	crm-activity done 2 --at 2026-11-22T08:00 -q >/dev/null
	[ "$(trail 2)" = "customer_id=->1 user=->li kind=->call note=->报价 due_at=->2026-11-27T00:00:00Z user=li>boss at=->2026-11-22T08:00:00Z done_at=->2026-11-22T08:00:00Z " ]
	[ "$(sql "SELECT actor || ' ' || command FROM history WHERE entity = 'activity' AND entity_id = 2 GROUP BY actor, command ORDER BY min(id)")" = "li crm-activity log
boss crm-activity done" ]
	[ "$(sql "SELECT rows FROM batches ORDER BY id DESC LIMIT 1")" = 1 ]
}

@test "edit: a planned follow-up moved, renamed and noted anew; next_due_at follows; history per field" {
	crm-activity --as li log 1 --kind call --due 2026-11-25 --note 报价 -q >/dev/null
	crm-activity --as li log 1 --kind visit --due 2026-11-28 -q >/dev/null
	[ "$(clock 1)" = "NULL	2026-11-25T00:00:00Z" ]
	run_split crm-activity --as li edit 1 --due 2026-11-30 --kind 拜访 --note '' --reason 客户出差
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(field 1 kind <<<"$output")" = visit ]
	[ "$(field 1 note <<<"$output")" = '' ]
	[ "$(field 1 due_at <<<"$output")" = 2026-11-30T00:00:00Z ]
	[ "$(clock 1)" = "NULL	2026-11-28T00:00:00Z" ]
	[ "$(sql "SELECT field, coalesce(old_value, '-'), coalesce(new_value, '-'), reason, actor, command FROM history
	    WHERE entity = 'activity' AND entity_id = 1 AND command = 'crm-activity edit' ORDER BY id")" = "kind	call	visit	客户出差	li	crm-activity edit
note	报价	-	客户出差	li	crm-activity edit
due_at	2026-11-25T00:00:00Z	2026-11-30T00:00:00Z	客户出差	li	crm-activity edit" ]
	[ "$(sql "SELECT rows FROM batches ORDER BY id DESC LIMIT 1")" = 1 ]
	# a note again; an edit that changes nothing writes no history
	crm-activity --as li edit 1 --note 带样品 -q >/dev/null
	[ "$(sql "SELECT note FROM activities WHERE id = 1")" = 带样品 ]
	n=$(sql "SELECT count(*) FROM history")
	crm-activity --as li edit 1 --kind visit -q >/dev/null
	[ "$(sql "SELECT count(*) FROM history")" = "$n" ]
	[ "$(sql "SELECT rows FROM batches ORDER BY id DESC LIMIT 1")" = 0 ]
	# moved earlier than the other: next_due_at follows it back
	crm-activity --as li edit 1 --due 2026-11-24T10:00 -q >/dev/null
	[ "$(clock 1)" = "NULL	2026-11-24T10:00:00Z" ]
}

@test "edit: refusals change nothing: done, not planned, no such, another rep's; usage errors exit 2" {
	crm-activity --as li log 1 --kind call --due 2026-11-25 -q >/dev/null	# 1
	crm-activity --as li log 1 --kind call -q >/dev/null			# 2: done
	crm-activity --as wang log 3 --kind call --due 2026-11-25 -q >/dev/null	# 3
	before=$(snapshot)
	run_split crm-activity --as li edit 2 --due 2026-11-26
	assert_status 1
	[[ "$stderr" == *"activity 2 was done already (at 2026-11-22T09:00:00Z)"* ]]
	run_split crm-activity --as li edit 1 9 --due 2026-11-26
	assert_status 1
	[[ "$stderr" == *"no activity 9"* ]]
	[ -z "$output" ]
	run_split crm-activity --as li edit 3 --due 2026-11-26
	assert_status 1
	[[ "$stderr" == *"activity 3: permission denied: customer 3 is owned by 'wang', not by you ('li', a rep)"* ]]
	run_split crm-activity --as li edit 1
	assert_status 2
	[[ "$stderr" == *"edit needs --due, --note or --kind"* ]]
	run_split crm-activity --as li edit 1 --at 2026-11-20
	assert_status 2
	[[ "$stderr" == *"option '--at' is not for edit"* ]]
	run_split crm-activity --as li edit 1 --due someday
	assert_status 2
	[[ "$stderr" == *"--due: bad date 'someday'"* ]]
	run_split crm-activity --as li edit 1 --kind fax
	assert_status 2
	[ "$(snapshot)" = "$before" ]
	# an admin may edit any; --dry-run shows it and keeps nothing
	run_split crm-activity edit 3 --due 2026-11-29 -n
	assert_status 0
	[ "$(field 1 due_at <<<"$output")" = 2026-11-29T00:00:00Z ]
	[ "$(snapshot)" = "$before" ]
	crm-activity edit 3 --due 2026-11-29 -q >/dev/null
	[ "$(clock 3)" = "NULL	2026-11-29T00:00:00Z" ]
}

@test "cancel: a planned follow-up is gone, printed as it was, kept in the history with the reason" {
	crm-activity --as li log 1 --kind call --due 2026-11-25 --note 报价 -q >/dev/null	# 1
	crm-activity --as li log 1 --kind visit --due 2026-11-28 -q >/dev/null		# 2
	crm-activity --as li log 1 --kind call -q >/dev/null				# 3: done
	run_split crm-activity --as li cancel 1 --reason 客户不需要了
	assert_status 0
	[ "$(head -1 <<<"$output")" = "id	customer_id	customer	user	kind	at	note	next	due_at	done_at" ]
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(field 1 due_at <<<"$output")" = 2026-11-25T00:00:00Z ]
	[ "$(sql "SELECT count(*) FROM activities WHERE id = 1")" = 0 ]
	[ "$(clock 1)" = "2026-11-22T09:00:00Z	2026-11-28T00:00:00Z" ]
	[ "$(sql "SELECT field || '=' || old_value || '>' || coalesce(new_value, '-') || ' ' || reason FROM history
	    WHERE entity = 'activity' AND entity_id = 1 AND command = 'crm-activity cancel' ORDER BY id" | tr '\n' ',')" = "customer_id=1>- 客户不需要了,user=li>- 客户不需要了,kind=call>- 客户不需要了,note=报价>- 客户不需要了,due_at=2026-11-25T00:00:00Z>- 客户不需要了," ]
	# refusals: done, cancelled already, another rep's; nothing changes
	before=$(snapshot)
	run_split crm-activity --as li cancel 3
	assert_status 1
	[[ "$stderr" == *"activity 3 was done already"* ]]
	run_split crm-activity --as li cancel 2 1
	assert_status 1
	[[ "$stderr" == *"no activity 1"* ]]
	[ -z "$output" ]
	run_split crm-activity --as wang cancel 2
	assert_status 1
	[[ "$stderr" == *"activity 2: permission denied: customer 1 is owned by 'li', not by you ('wang', a rep)"* ]]
	run_split crm-activity cancel 2 --note x
	assert_status 2
	[[ "$stderr" == *"option '--note' is not for cancel"* ]]
	run_split crm-activity cancel 2 -n
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 2 ]
	[ "$(snapshot)" = "$before" ]
	# an admin may cancel any; the last open one gone, next_due_at is NULL
	crm-activity cancel 2 -q >/dev/null
	[ "$(clock 1)" = "2026-11-22T09:00:00Z	NULL" ]
}

@test "dates without an offset are the site's time zone; due's today is the site's day" {
	crm-db config timezone Asia/Shanghai -q >/dev/null
	run_split crm-activity --as li log 1 --kind call --at '2026-11-22 08:00'
	assert_status 0
	[ "$(field 1 at <<<"$output")" = 2026-11-22T00:00:00Z ]
	run_split crm-activity --as li log 1 --kind visit --due 2026-11-25
	[ "$(field 1 due_at <<<"$output")" = 2026-11-24T16:00:00Z ]
	# an offset is still honoured
	run_split crm-activity --as li log 2 --kind call --at 2026-11-22T08:00Z
	[ "$(field 1 at <<<"$output")" = 2026-11-22T08:00:00Z ]
	crm-activity --as li edit 2 --due 2026-11-26 -q >/dev/null
	[ "$(sql "SELECT due_at FROM activities WHERE id = 2")" = 2026-11-25T16:00:00Z ]
	printf 'customer_id\tkind\tat\tdue\n2\tcall\t2026-11-21 10:00\t2026-11-24\n' >calls.tsv
	crm-activity --as li import -q calls.tsv >/dev/null
	[ "$(sql "SELECT coalesce(at, '-') || ' ' || coalesce(due_at, '-') FROM activities WHERE id > 3 ORDER BY id")" = "2026-11-21T02:00:00Z -
- 2026-11-23T16:00:00Z" ]
	# since the site's 2026-11-22, that is 2026-11-21T16:00Z
	run_split crm-activity list --since 2026-11-22 --until 2026-11-23
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "1 3 " ]
	# at 2026-11-22T17:00Z it is 01:00 on the 23rd in Shanghai: due at
	# 15:00Z (the 22nd's 23:00) is overdue, 10:00Z on the 23rd (18:00) is
	# today, 17:00Z on the 23rd (the 24th's 01:00) is tomorrow
	crm-activity --as wang log 3 --kind call --due 2026-11-22T15:00Z -q >/dev/null	# 6
	crm-activity --as wang log 3 --kind call --due 2026-11-23T10:00Z -q >/dev/null	# 7
	crm-activity --as wang log 3 --kind call --due 2026-11-23T17:00Z -q >/dev/null	# 8
	CRM_NOW=2026-11-22T17:00:00Z run_split crm-activity --as wang due --user wang
	assert_status 0
	[ "$(cut -f3,4 <<<"$output" | tail -n +2 | tr '\t\n' ', ')" = "1,6 0,7 " ]
}

@test "list and due show a rep the follow-ups of the customers it sees; due masks a pooled customer's phone" {
	sql "INSERT INTO pool_members (pool_id, user_id) SELECT 1, id FROM users WHERE login = 'li'"
	crm-activity --as li log 1 --kind call --due 2026-11-22T10:00 -q >/dev/null	# 1: li's own
	crm-activity log 3 --kind call --due 2026-11-22T11:00 -q >/dev/null		# 2: wang's customer
	crm-activity log 5 --kind call --due 2026-11-22T12:00 -q >/dev/null		# 3: pooled in 公海
	run_split crm-activity --as li list
	assert_status 0
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "1 3 " ]
	# by user (boss logged 2 and 3), then due time
	run_split crm-activity --as li due
	assert_status 0
	[ "$(cut -f4,7 <<<"$output" | tail -n +2 | tr '\t\n' ', ')" = "3,138****0005 1,13800000001 " ]
	run_split crm-activity --as wang due
	[ "$(cut -f4,7 <<<"$output" | tail -n +2 | tr '\t\n' ', ')" = "2,13800000003 " ]
	run_split crm-activity --as wang list
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "2 " ]
	run_split crm-activity due
	[ "$(cut -f4,7 <<<"$output" | tail -n +2 | tr '\t\n' ', ')" = "2,13800000003 3,13800000005 1,13800000001 " ]
	run_split crm-activity --as li list --customer 3
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"permission denied: the follow-ups of customer 3 are for its owner and the members of its pool (you are 'li', a rep)"* ]]
}

@test "ids from stdin: follow-up records for done, edit and cancel, customer records for log; others refused" {
	crm-activity --as li log 1 --kind call --due 2026-11-22T10:00 -q >/dev/null
	crm-activity --as li log 2 --kind call --due 2026-11-22T11:00 -q >/dev/null
	before=$(snapshot)
	# customer records are no follow-ups: their ids are customers'
	crm-lead list >customers.tsv
	run_split crm-activity --as li done <customers.tsv
	assert_status 1
	[[ "$stderr" == *"stdin: no 'customer_id' column: the input is no follow-ups"* ]]
	printf 'id\tcustomer_id\n2\t1\n' >wrong.tsv
	run_split crm-activity --as li cancel <wrong.tsv
	assert_status 1
	[[ "$stderr" == *"stdin:2: activity 2 is not of customer '1', as the input says"* ]]
	[ "$(snapshot)" = "$before" ]
	# follow-ups into log: their customers get one each
	crm-activity --as li list --planned | crm-activity --as li log --kind note --note 已提醒 -q >out.tsv
	[ "$(cut -f2 out.tsv | tail -n +2 | tr '\n' ' ')" = "1 2 " ]
	[ "$(clock 2)" = "2026-11-22T09:00:00Z	2026-11-22T11:00:00Z" ]
}

@test "pipelines ending in crm-activity, on fresh databases (10 times, 5 on PostgreSQL)" {
	printf 'name\tphone\nA\t13900000001\nB\t13900000002\nC\t13900000003\n' >leads.tsv
	# each run starts from a copy of this: boss (admin, test clock on), rep li
	empty=$(other_db empty.db)
	export CRM_DB=$empty
	crm-user add boss --role admin -q >/dev/null
	CRM_USER=boss crm-db config test-clock on -q >/dev/null
	CRM_USER=boss crm-user add li -q >/dev/null
	export CRM_USER=li
	ok=0
	for i in $(seq "$RUNS"); do
		CRM_DB=$(CRM_DB=$empty copy_db "p$i.db")
		export CRM_DB
		# writer after writer: each waits for the one before to commit
		crm-lead import -q leads.tsv |
		    crm-activity log -q --kind call --due 2026-11-22T10:00 |
		    crm-activity edit -q --due 2026-11-22T11:00 --note 改约 |
		    crm-activity done -q --note 打过了 >done.tsv || continue
		[ "$(cut -f1,2,6,7,9 done.tsv | tail -n +2 | tr '\t\n' ', ')" = "1,1,2026-11-22T09:00:00Z,打过了,2026-11-22T11:00:00Z 2,2,2026-11-22T09:00:00Z,打过了,2026-11-22T11:00:00Z 3,3,2026-11-22T09:00:00Z,打过了,2026-11-22T11:00:00Z " ] || continue
		# the agenda into cancel and into done
		crm-activity log -q 1 2 --kind visit --due 2026-11-22T12:00 >/dev/null &&
		    crm-activity log -q 3 --kind visit --due 2026-11-25 >/dev/null || continue
		crm-activity due | crm-activity cancel -q --reason 改期 >cancelled.tsv || continue
		[ "$(cut -f1 cancelled.tsv | tail -n +2 | tr '\n' ' ')" = "4 5 " ] || continue
		crm-activity list --planned | crm-activity done -q >/dev/null || continue
		[ "$(sql "SELECT count(*), count(done_at) FROM activities")" = "4	4" ] || continue
		[ "$(sql "SELECT group_concat(coalesce(next_due_at, '-')) FROM customers")" = "-,-,-" ] || continue
		[ "$(sql "SELECT group_concat(command, ',') FROM (SELECT command FROM batches WHERE actor = 'li' ORDER BY id) x")" = "crm-lead import,crm-activity log,crm-activity edit,crm-activity done,crm-activity log,crm-activity log,crm-activity cancel,crm-activity done" ] || continue
		ok=$((ok + 1))
	done
	[ "$ok" -eq "$RUNS" ]
}
