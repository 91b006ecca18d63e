#!/usr/bin/env bats
# crm-lead under the rights policy, and its audit verbs: history, lock,
# erase, undo, dups, --on-duplicate pass; opening rules and --wait.

load helpers

# NULL as the writer prints it: an empty field.
null() {
	[ -z "$1" ]
}

# An admin (boss), two reps (li, wang) in team east, a pool of east; the
# test clock on, so the reps may act at the fixed time.
people() {
	CRM_USER=boss crm-user add -q boss --role admin >/dev/null
	CRM_USER=boss crm-user add -q li --team east >/dev/null
	CRM_USER=boss crm-user add -q wang --team east >/dev/null
	CRM_USER=boss crm-pool create -q 东区公海 --members team:east >/dev/null
	CRM_USER=boss crm-db config -q test-clock on >/dev/null
}

# Customers 1 (li's), 2 (wang's), 3 (in the pool), 4 (nobody's).
customers() {
	printf 'name\tcompany\tphone\temail\towner\tpool\n' >c.tsv
	printf '李一\t甲公司\t13800000001\tyi@jia.cn\tli\t\n' >>c.tsv
	printf '王二\t乙公司\t13800000002\ter@yi.cn\twang\t\n' >>c.tsv
	printf '张三\t丙公司\t13800000003\tsan@bing.cn\t\t东区公海\n' >>c.tsv
	printf '赵四\t丁公司\t0755-86001234\tsi@ding.cn\t\t\n' >>c.tsv
	CRM_USER=boss crm-lead import -q c.tsv >/dev/null
}

# The database but for batches and history (refusals write neither).
dump_data() {
	if [ "$(engine)" = postgresql ]; then
		dump | awk '/^COPY crm\.(batches|history) / { skip = 1 } !skip { print } /^\\\.$/ { skip = 0 }'
	else
		dump | grep -v '^INSERT INTO batches\|^INSERT INTO history\|sqlite_sequence'
	fi
}

# ---- who may act at all --------------------------------------------------

@test "once an admin exists, an unknown or deactivated login is refused by every command" {
	people
	customers
	for args in "list" "show 1" "history 1" "dups" "add --name x" "qualify 1"; do
		run_split env CRM_USER=ghost crm-lead $args
		assert_status 1
		[[ "$stderr" == *"you ('ghost') are not a crm user"* ]] || { echo "$args: $stderr"; return 1; }
	done
	CRM_USER=boss crm-user deactivate -q wang >/dev/null
	run_split env CRM_USER=wang crm-lead list
	assert_status 1
	[[ "$stderr" == *"permission denied: user 'wang' is deactivated"* ]]
}

@test "moving the clock is an admin's right unless the test clock is on" {
	people
	CRM_USER=boss crm-db config -q test-clock off >/dev/null
	run_split env CRM_USER=li crm-lead add --name 未来 --now 2030-01-01
	assert_status 1
	[[ "$stderr" == *"permission denied: --now and CRM_NOW move the clock"* ]]
	[ "$(sql "SELECT count(*) FROM customers")" = 0 ]
	run_split env CRM_USER=boss crm-lead add --name 过去 --now 2026-01-01T00:00:00Z
	assert_status 0
	[ "$(sql "SELECT created_at FROM customers")" = 2026-01-01T00:00:00Z ]
	CRM_USER=boss crm-db config -q test-clock on >/dev/null
	run_split env CRM_USER=li crm-lead add --name 测试
	assert_status 0
}

# ---- reading ---------------------------------------------------------------

@test "list and show: a rep sees its own in full, its pool's masked, others' by name only" {
	people
	customers
	run_split env CRM_USER=li crm-lead list
	assert_status 0
	[ "$(field 1 phone <<<"$output")" = 13800000001 ]
	[ "$(field 1 email <<<"$output")" = yi@jia.cn ]
	# wang's: name, company and owner only
	[ "$(field 2 name <<<"$output")" = 王二 ]
	[ "$(field 2 owner <<<"$output")" = wang ]
	null "$(field 2 phone <<<"$output")"
	null "$(field 2 email <<<"$output")"
	null "$(field 2 status <<<"$output")"
	# the pool's: masked, 11 digits keep 3 and 4
	[ "$(field 3 phone <<<"$output")" = '138****0003' ]
	[ "$(field 3 email <<<"$output")" = 's***@bing.cn' ]
	[ "$(field 3 status <<<"$output")" = lead ]
	# nobody's: by name
	[ "$(field 4 company <<<"$output")" = 丁公司 ]
	null "$(field 4 phone <<<"$output")"
	# an admin sees everything; show follows the same rules
	run_split env CRM_USER=boss crm-lead show 3 4
	[ "$(field 2 phone <<<"$output")" = 0755-86001234 ]
	run_split env CRM_USER=wang crm-lead show 1
	assert_status 0
	null "$(field 1 phone <<<"$output")"
}

@test "masking keeps 3 and 4 of 11+ digits, 2 and 2 of 8 to 10, the last 2 of fewer" {
	people
	printf 'name\tphone\tpool\n' >p.tsv
	printf 'a\t+86 138 0013 8000\t东区公海\n' >>p.tsv
	printf 'b\t8765-4321\t东区公海\n' >>p.tsv
	printf 'c\t12345\t东区公海\n' >>p.tsv
	CRM_USER=boss crm-lead import -q p.tsv >/dev/null
	run_split env CRM_USER=li crm-lead list
	[ "$(field 1 phone <<<"$output")" = '138****8000' ]
	[ "$(field 2 phone <<<"$output")" = '87****21' ]
	[ "$(field 3 phone <<<"$output")" = '***45' ]
}

@test "history: the owner and the pool's members see the trail, others are refused" {
	people
	customers
	CRM_USER=li crm-lead update -q 1 --phone 13900000001 --region 华东 >/dev/null
	run_split env CRM_USER=li crm-lead history 1
	assert_status 0
	[ "${lines[0]}" = "id	at	actor	entity	entity_id	field	old	new	reason	batch	command" ]
	[[ "$output" == *"customer	1	phone	13800000001	13900000001	update"* ]]
	[[ "$output" == *"region		华东	update"* ]]
	run_split env CRM_USER=wang crm-lead history 1
	assert_status 1
	[[ "$stderr" == *"permission denied: the history of customer 1 is for its owner"* ]]
	# a pool member sees a pooled customer's changes, contacts masked
	CRM_USER=boss crm-lead update -q 3 --phone 13700000003 >/dev/null
	run_split env CRM_USER=wang crm-lead history 3
	assert_status 0
	[[ "$output" == *"phone	138****0003	137****0003"* ]]
	# a follow-up and a deal of the customer are in its trail too
	CRM_USER=li crm-activity log -q 1 --kind call --note 约了周三 >/dev/null
	run_split env CRM_USER=li crm-lead history 1
	[[ "$output" == *"activity	1	note		约了周三"* ]]
}

@test "check names the holder of a duplicate to anyone, and works before the first import" {
	printf 'name\tphone\nx\t13800000001\nx\t13800000001\n' >in.tsv
	run_split crm-lead check in.tsv
	assert_status 0
	[[ "$stderr" == *"no database '$CRM_DB': checking against nothing"* ]]
	[ "$(field 2 dup_line <<<"$output")" = 2 ]
	no_db
	people
	customers
	run_split env CRM_USER=wang crm-lead check in.tsv
	assert_status 0
	[ "$(field 1 dup_id <<<"$output")" = 1 ]
	[ "$(field 1 dup_owner <<<"$output")" = li ]
}

@test "list: a phone or email given plainly to --match is compared as duplicates are" {
	people
	customers
	export CRM_USER=boss
	run_split crm-lead list -m 'phone=+86 138-0000-0003' -m 'name=张'
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 id <<<"$output")" = 3 ]
	run_split crm-lead list -m 'email= SAN@Bing.CN'
	[ "$(field 1 id <<<"$output")" = 3 ]
	run_split crm-lead list -m 'phone=^138'
	[ "$(count_rows <<<"$output")" = 3 ]
	run_split crm-lead list --owner nobody
	assert_status 1
	[[ "$stderr" == *"--owner: no user 'nobody'"* ]]
	run_split crm-lead list --pool 无此
	assert_status 1
	[[ "$stderr" == *"--pool: no pool '无此'"* ]]
}

# ---- changing ----------------------------------------------------------------

@test "a rep's leads are its own; it may not give them to others or to a pool it is not in" {
	people
	CRM_USER=boss crm-user add -q zhao --team west >/dev/null
	CRM_USER=boss crm-pool create -q 西区公海 --members team:west >/dev/null
	run_split env CRM_USER=li crm-lead add --name 自己的
	assert_status 0
	[ "$(field 1 owner <<<"$output")" = li ]
	before=$(dump_data)
	run_split env CRM_USER=li crm-lead add --name 别人的 --owner wang
	assert_status 1
	[[ "$stderr" == *"owner: permission denied: a rep makes only itself an owner, not 'wang'"* ]]
	run_split env CRM_USER=li crm-lead add --name 公海的 --pool 西区公海
	assert_status 1
	[[ "$stderr" == *"pool: permission denied: you ('li', a rep) are not a member of pool '西区公海'"* ]]
	printf 'name\towner\nA\tli\nB\twang\n' >two.tsv
	run_split env CRM_USER=li crm-lead import two.tsv
	assert_status 1
	[[ "$stderr" == *"two.tsv:3: owner: permission denied"* ]]
	[ "$(dump_data)" = "$before" ]
	# into its own pool it may, and the lead is the pool's, not li's
	run_split env CRM_USER=li crm-lead add --name 放公海 --pool 东区公海
	assert_status 0
	null "$(field 1 owner <<<"$output")"
	# nobody may be given to a deactivated rep, not even by an admin
	CRM_USER=boss crm-user deactivate -q zhao >/dev/null
	run_split env CRM_USER=boss crm-lead add --name 离职 --owner zhao
	assert_status 1
	[[ "$stderr" == *"owner: refused: 'zhao' is deactivated"* ]]
}

@test "a full or away rep may not add leads for itself past its limits" {
	people
	CRM_USER=boss crm-user update -q li --capacity 1 >/dev/null
	CRM_USER=li crm-lead add -q --name 一 >/dev/null
	run_split env CRM_USER=li crm-lead add --name 二
	assert_status 1
	[[ "$stderr" == *"owner: refused: you ('li') are at capacity (1 of 1)"* ]]
	CRM_USER=boss crm-user update -q wang --away 2026-11-20..2026-11-30 >/dev/null
	run_split env CRM_USER=wang crm-lead add --name 三
	assert_status 1
	[[ "$stderr" == *"you ('wang') are away until"* ]]
}

@test "a rep may not change, disqualify, merge or erase another rep's customer" {
	people
	customers
	before=$(dump_data)
	for args in "update 2 --region 华北" "disqualify --reason x 2" "qualify 3" \
	    "merge 1 2" "merge 2 1" "lock 1" "erase --reason x 1" "undo 1"; do
		run_split env CRM_USER=li crm-lead $args
		assert_status 1
		[[ "$stderr" == *"permission denied"* ]] || { echo "$args: $stderr"; return 1; }
		[ -z "$output" ] || { echo "$args: $output"; return 1; }
	done
	[ "$(dump_data)" = "$before" ]
	# its own it may
	run_split env CRM_USER=li crm-lead disqualify --reason 空号 1
	assert_status 0
	[ "$(field 1 status <<<"$output")" = disqualified ]
}

@test "import --on-duplicate: allow is an admin's; update touches only your own" {
	people
	customers
	printf 'name\tphone\tregion\n二号\t13800000002\t华北\n一号\t13800000001\t华东\n' >d.tsv
	run_split env CRM_USER=li crm-lead import --on-duplicate allow d.tsv
	assert_status 1
	[[ "$stderr" == *"permission denied: --on-duplicate allow"* ]]
	run_split env CRM_USER=li crm-lead import --on-duplicate update d.tsv
	assert_status 0
	[[ "$stderr" == *"d.tsv:2: not imported: duplicate of customer 2 (same phone), owned by wang"* ]]
	[ "$(sql "SELECT region FROM customers WHERE id = 2")" = "" ]
	[ "$(sql "SELECT region FROM customers WHERE id = 1")" = 华东 ]
}

@test "import --on-duplicate pass writes the customer it duplicates, so a rerun finishes" {
	people
	printf 'name\tphone\nA\t13100000001\nB\t13100000002\n' >in.tsv
	# the first run's second half fails: B's assignment is refused
	CRM_USER=boss crm-lead import -q in.tsv >/dev/null
	run_split bash -c 'CRM_USER=boss crm-lead import -q --on-duplicate pass in.tsv'
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(field 2 id <<<"$output")" = 2 ]
	[ "$(field 2 name <<<"$output")" = B ]
	run_split bash -c 'CRM_USER=boss crm-lead import -q --on-duplicate pass in.tsv | CRM_USER=boss crm-assign -q --to li'
	assert_status 0
	[ "$(sql "SELECT group_concat(u.login) FROM customers c JOIN users u ON u.id = c.owner_id")" = "li,li" ]
}

# ---- audit --------------------------------------------------------------------

@test "every field changed by update writes a history row, a field of your own too" {
	people
	customers
	CRM_USER=boss crm-lead update -q 4 --name 赵四四 --email new@ding.cn --grade B \
	    --field 微信=zs4 >/dev/null
	[ "$(sql "SELECT field || ':' || coalesce(old_value, '-') || '>' || new_value FROM history
	    WHERE entity = 'customer' AND entity_id = 4 ORDER BY id")" = "name:赵四>赵四四
email:si@ding.cn>new@ding.cn
grade:->B
微信:->zs4" ]
	# the key follows the email
	[ "$(sql "SELECT email_key FROM customers WHERE id = 4")" = new@ding.cn ]
}

@test "lock and unlock: an admin's, recorded, and the pool's locked exemption uses it" {
	people
	customers
	run_split env CRM_USER=li crm-lead lock 1
	assert_status 1
	[[ "$stderr" == *"permission denied: locking customers needs an admin"* ]]
	run_split env CRM_USER=boss crm-lead lock --reason 重点客户 1
	assert_status 0
	[ "$(field 1 locked <<<"$output")" = 1 ]
	[ "$(sql "SELECT old_value || '>' || new_value || ':' || reason || ':' || actor FROM history WHERE field = 'locked'")" = "0>1:重点客户:boss" ]
	# ids from stdin pass through with locked set
	run_split bash -c "printf 'id\tnote\n1\tkeep\n' | CRM_USER=boss crm-lead unlock"
	assert_status 0
	[ "${lines[0]}" = "id	note	locked" ]
	[ "${lines[1]}" = "1	keep	0" ]
}

@test "erase: personal data gone everywhere, history included; the erasure recorded" {
	people
	customers
	CRM_USER=boss crm-lead update -q 1 --phone 13900000009 --field 微信=liyi >/dev/null
	CRM_USER=li crm-activity log -q 1 --kind call --note '李一说 13900000009 可打' >/dev/null
	run_split env CRM_USER=li crm-lead erase --reason 本人要求 1
	assert_status 1
	[[ "$stderr" == *"permission denied: erasing personal data needs an admin"* ]]
	run_split env CRM_USER=boss crm-lead erase 1
	assert_status 2
	run_split env CRM_USER=boss crm-lead erase --reason '本人要求 PIPL' 1
	assert_status 0
	[[ "$stderr" == *"customer 1: erased name,phone,email,微信,activity notes"* ]]
	[ "$(sql "SELECT coalesce(name, '-') || coalesce(phone, '-') || coalesce(email, '-') || company FROM customers WHERE id = 1")" = "---甲公司" ]
	[ "$(sql "SELECT count(*) FROM customer_fields WHERE customer_id = 1")" = 0 ]
	[ "$(sql "SELECT count(*) FROM activities WHERE note IS NOT NULL")" = 0 ]
	# no trace of the values in any history row
	[ "$(sql "SELECT count(*) FROM history WHERE old_value LIKE '%1390000000%' OR new_value LIKE '%1390000000%' OR new_value = 'liyi' OR old_value = '李一' OR new_value = '李一'")" = 0 ]
	[ "$(sql "SELECT field || ':' || new_value || ':' || reason || ':' || actor FROM history WHERE field = 'erased'")" = "erased:name,phone,email,微信,activity notes:本人要求 PIPL:boss" ]
	# nor a duplicate key: the number is free again
	run_split env CRM_USER=boss crm-lead add --name 新人 --phone 13900000009
	assert_status 0
}

@test "undo: an import batch's untouched customers go, changed ones stay, updates go back" {
	people
	CRM_USER=boss crm-lead import -q --csv "$TOP/share/demo/leads.csv" >/dev/null
	b=$(sql "SELECT max(id) FROM batches WHERE command = 'crm-lead import'")
	n=$(sql "SELECT count(*) FROM customers")
	CRM_USER=boss crm-lead update -q 7 --region 东北 >/dev/null
	u=$(sql "SELECT max(id) FROM batches")
	run_split env CRM_USER=li crm-lead undo "$b"
	assert_status 1
	run_split env CRM_USER=boss crm-lead undo "$b"
	assert_status 0
	[[ "$stderr" == *"not undone: customer 7 created: changed since"* ]]
	[[ "$stderr" == *"$((n - 1)) changes of batch $b undone"* ]]
	[ "$(sql "SELECT group_concat(id) FROM customers")" = 7 ]
	# what went is in the history, as it was
	[ "$(sql "SELECT count(*) FROM history WHERE field = 'deleted' AND old_value LIKE '{\"id\":\"1\",%'")" = 1 ]
	run_split env CRM_USER=boss crm-lead undo "$u"
	assert_status 0
	[ "$(sql "SELECT region FROM customers WHERE id = 7")" != 东北 ]
	run_split env CRM_USER=boss crm-lead undo "$b"
	assert_status 1
	[[ "$stderr" == *"batch $b was undone already"* ]]
	c=$(sql "SELECT max(id) FROM batches WHERE command = 'crm-pool create'")
	run_split env CRM_USER=boss crm-lead undo "$c"
	assert_status 1
	[[ "$stderr" == *"was made by 'crm-pool create': undo it with that program"* ]]
}

@test "dups: customers already sharing a key, ready for merge" {
	people
	printf 'name\tphone\tcompany\nA\t13100000001\t甲\nB\t131 0000 0001\t乙\nC\t13100000003\t甲公司\nD\t13100000004\t丙\n' >d.tsv
	CRM_USER=boss crm-lead import -q --on-duplicate allow d.tsv >/dev/null
	run_split env CRM_USER=boss crm-lead dups
	assert_status 0
	[ "${lines[0]}" = "keep	dup	on	keep_name	keep_company	dup_name	dup_company" ]
	[ "${lines[1]}" = "1	2	phone	A	甲	B	乙" ]
	[ "${lines[2]}" = "1	3	company	A	甲	C	甲公司" ]
	[ "${#lines[@]}" = 3 ]
	CRM_USER=boss crm-lead merge -q 1 2 3 >/dev/null
	run_split env CRM_USER=boss crm-lead dups
	[ "${#lines[@]}" = 1 ]
}

# ---- opening ------------------------------------------------------------------

@test "only adding commands create a database; the others name the missing file" {
	for args in "list" "show 1" "qualify 1" "update 1 --name x" "dups" "history 1" \
	    "import -n /dev/null" "add -n --name x"; do
		run_split crm-lead $args
		assert_status 1
		[[ "$stderr" == *"no database '$CRM_DB'"* ]] || { echo "$args: $stderr"; return 1; }
		no_db
	done
	# an empty file is SQLite's own case
	[ "$(engine)" = sqlite ] || return 0
	: >"$CRM_DB"
	run_split crm-lead list
	assert_status 1
	[[ "$stderr" == *"database '$CRM_DB' is an empty file, not a crm database"* ]]
	rm "$CRM_DB"
	run_split crm-lead add --name x
	assert_status 0
	[ -s "$CRM_DB" ]
}

@test "--wait bounds the whole wait, opening included, and exit 3 is busy" {
	crm-lead add -q --name x >/dev/null
	# an exclusive lock held by another connection for 30 s (on
	# PostgreSQL readers wait only for a lock on the table itself)
	if [ "$(engine)" = postgresql ]; then
		pg_psql -d "$(pg_db_of "$CRM_DB")" -c "BEGIN" \
		    -c "LOCK TABLE crm.customers IN ACCESS EXCLUSIVE MODE" \
		    -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
	else
		( printf 'PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; INSERT INTO teams (name, created_at) VALUES (%s, %s);\n' "'t'" "'x'"; sleep 30 ) |
		    sqlite3 "$CRM_DB" &
	fi
	holder=$!
	sleep 0.5
	start=$(date +%s%N)
	run_split crm-lead list --wait 1
	end=$(date +%s%N)
	kill "$holder" 2>/dev/null || true
	assert_status 3
	[[ "$stderr" == *"database '$CRM_DB' is busy (waited 1 s): try again"* ]]
	[ $(( (end - start) / 1000000 )) -lt 4000 ]
}

@test "dates without an offset are the site's days" {
	people
	CRM_USER=boss crm-db config -q timezone Asia/Shanghai >/dev/null
	# 2026-11-22 00:30 in Shanghai is 2026-11-21T16:30Z
	CRM_USER=boss crm-lead add -q --name 早 --now 2026-11-21T16:30:00Z >/dev/null
	CRM_USER=boss crm-lead add -q --name 前一天 --now 2026-11-21T15:30:00Z >/dev/null
	run_split env CRM_USER=boss crm-lead list --since 2026-11-22
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 name <<<"$output")" = 早 ]
	run_split env CRM_USER=boss crm-lead list --until '2026-11-22 00:00'
	[ "$(field 1 name <<<"$output")" = 前一天 ]
}

# ---- the server's own rights (PostgreSQL) ---------------------------------

@test "postgresql: a rep connected with psql reads and changes only what the policy lets it" {
	skip_on sqlite "rights the server enforces: anyone who opens a SQLite file may change it"
	people
	customers
	CRM_USER=wang crm-lead contact add 2 --name 王秘书 --phone 13900000002 -q >/dev/null
	# as_li SQL: what the server answers li, its own login, in psql
	as_li() {
		PGOPTIONS=--search_path=crm psql -X -A -t -q -h "$CRM_TEST_PG" -U li \
		    -d "$PG_DB" -c "$1" 2>&1
	}
	# a pooled customer's phone: the table's column is not a rep's to read,
	# the view shows it masked, as the programs do
	[[ "$(as_li "SELECT phone FROM customers WHERE id = 3")" == *"permission denied for table customers"* ]]
	[[ "$(as_li "SELECT phone_key FROM customers WHERE id = 3")" == *"permission denied"* ]]
	[ "$(as_li "SELECT phone FROM seen_customers WHERE id = 3")" = '138****0003' ]
	[ "$(as_li "SELECT email FROM seen_customers WHERE id = 3")" = 's***@bing.cn' ]
	# another rep's customer: its contacts are not in the table for li, and
	# the view shows neither their names nor their phones; its own phone
	# and its follow-up history neither
	[ "$(as_li "SELECT count(*) FROM contacts WHERE customer_id = 2")" = 0 ]
	[ "$(as_li "SELECT coalesce(name, '-') || coalesce(phone, '-') FROM seen_contacts WHERE customer_id = 2")" = "--" ]
	[ "$(as_li "SELECT coalesce(phone, '-') || coalesce(email, '-') || coalesce(status, '-') FROM seen_customers WHERE id = 2")" = "---" ]
	[ "$(as_li "SELECT count(*) FROM customers WHERE id = 2")" = 0 ]
	[ "$(as_li "SELECT count(*) FROM seen_history WHERE entity = 'contact' AND new_value = '13900000002'")" = 0 ]
	# nor change it: the update finds no row li may change
	as_li "UPDATE customers SET name = '改了', owner_id = (SELECT id FROM users WHERE login = 'li') WHERE id = 2"
	as_li "DELETE FROM contacts WHERE customer_id = 2"
	[ "$(sql "SELECT name FROM customers WHERE id = 2")" = 王二 ]
	[ "$(sql "SELECT count(*) FROM contacts WHERE customer_id = 2")" = 1 ]
	# nor write history in another's name
	[[ "$(as_li "INSERT INTO history (entity, entity_id, field, actor, at, command) VALUES ('customer', 2, 'x', 'wang', 'x', 'x')")" == *"row-level security"* ]]
	# its own customer in full; the duplicate check tells an id and no more
	[ "$(as_li "SELECT phone FROM seen_customers WHERE id = 1")" = 13800000001 ]
	h=$(sql "SELECT key FROM customer_keys WHERE customer_id = 2 AND key & 3 = 0")
	[ "$(as_li "SELECT crm.dup_key('phone', $h, '13800000002', 0, 9223372036854775807)")" = 2 ]
	[ "$(as_li "SELECT string_agg(i || ':' || id, ',') FROM crm.dup_keys('{$h,$h}', '{13800000002,13800000009}', 9223372036854775807)")" = 1:2 ]
	# nor the hashes of another's phones and emails (guessed offline)
	[ "$(sql "SELECT count(*) FROM customer_keys WHERE customer_id = 2 AND key & 3 < 2")" -gt 0 ]
	[ "$(as_li "SELECT count(*) FROM customer_keys WHERE customer_id = 2 AND key & 3 < 2")" = 0 ]
	[ "$(as_li "SELECT count(*) FROM customer_keys WHERE customer_id = 1 AND key & 3 < 2")" -gt 0 ]
	as_li "DELETE FROM customer_keys WHERE customer_id = 2"
	[ "$(sql "SELECT count(*) FROM customer_keys WHERE customer_id = 2 AND key & 3 < 2")" -gt 0 ]
	# a login that is no crm user here gets nothing at all
	[[ "$(PGOPTIONS=--search_path=crm psql -X -A -t -q -h "$CRM_TEST_PG" -U nobody -d "$PG_DB" \
	    -c "SELECT count(*) FROM seen_customers" 2>&1)" == *"permission denied"* ]]
	# and the programs, which go through the same server, agree
	run_split crm-lead --as li update 2 --name 改了
	assert_status 1
	[[ "$stderr" == *"permission denied: customer 2 is owned by 'wang'"* ]]
}

@test "a rep's change keeps every character in the history: quotes, backslashes, tabs" {
	people
	customers
	# a rep's history rows are appended under the server's row-level
	# security (a few go in as one INSERT of their values): as written
	company=$'甲\'公司\\分部\t二部'
	crm-lead --as li update 1 --company "$company" -q >/dev/null
	[ "$(sql "SELECT new_value FROM history WHERE field = 'company' AND actor = 'li'")" = "$company" ]
	[ "$(sql "SELECT old_value FROM history WHERE field = 'company' AND actor = 'li'")" = 甲公司 ]
	[ "$(sql "SELECT company FROM customers WHERE id = 1")" = "$company" ]
}
