#!/usr/bin/env bats
# crm-lead contact: a customer's contacts (联系人): add, list, update and
# remove under the rights policy and in the history; their phones and
# emails count in the duplicate check (add, import, bulk import, check).
# The clock is CRM_NOW=2026-11-22T09:00:00Z (helpers.bash).

load helpers

# An admin (boss), reps li and wang of team east, a pool of east; the test
# clock on.  Customers 1 (li's), 2 (wang's), 3 (in the pool).
local_setup() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-user add li --team east -q >/dev/null
	crm-user add wang --team east -q >/dev/null
	crm-pool create 东区公海 --members team:east -q >/dev/null
	crm-db config -q test-clock on >/dev/null
	crm-lead add --name 李一 --company 甲公司 --phone 13800000001 --owner li -q >/dev/null
	crm-lead add --name 王二 --company 乙公司 --phone 13800000002 --owner wang -q >/dev/null
	crm-lead add --name 张三 --company 丙公司 --pool 东区公海 -q >/dev/null
}

snapshot() {
	sql "SELECT * FROM contacts ORDER BY id; SELECT * FROM history ORDER BY id;
	    SELECT * FROM customers ORDER BY id; SELECT * FROM batches ORDER BY id"
}

# contact_history ID: field:old>new of contact ID, "-" for NULL.
contact_history() {
	sql "SELECT field || ':' || coalesce(old_value, '-') || '>' || coalesce(new_value, '-')
	    FROM history WHERE entity = 'contact' AND entity_id = $1 ORDER BY id" | paste -sd ' '
}

@test "contact add: a contact of one's own customer, printed, keyed and in the history" {
	run_split crm-lead --as li contact add 1 --name 王五 --title 采购经理 --phone '138 0000 1111' --email ' Wang@Jia.cn'
	assert_status 0
	[ "$output" = "id	customer_id	name	title	phone	email	created_at	updated_at
1	1	王五	采购经理	138 0000 1111	 Wang@Jia.cn	2026-11-22T09:00:00Z	2026-11-22T09:00:00Z" ]
	[ "$(sql "SELECT phone_key || ' ' || email_key || ' ' || batch_id FROM contacts")" = \
	    "13800001111 wang@jia.cn $(sql "SELECT max(id) FROM batches")" ]
	[ "$(contact_history 1)" = "created:->1 name:->王五 title:->采购经理 phone:->138 0000 1111 email:-> Wang@Jia.cn" ]
	[ "$(sql "SELECT DISTINCT actor || ' ' || command FROM history WHERE entity = 'contact'")" = "li crm-lead contact add" ]
}

@test "contact add: refusals name why, and change nothing" {
	before=$(snapshot)
	run_split crm-lead contact add 9 --name x
	assert_status 1
	[ "$stderr" = "crm-lead: no customer 9" ]
	run_split crm-lead contact add 1 --title 经理
	assert_status 1
	[ "$stderr" = "crm-lead: name: a contact needs a name, a phone or an email" ]
	run_split crm-lead contact add 1 --name x --phone 12ab
	assert_status 1
	[ "$stderr" = "crm-lead: phone: '12ab' is not a phone number" ]
	run_split crm-lead contact add 1 --name x --email x@
	assert_status 1
	[ "$stderr" = "crm-lead: email: 'x@' is not an email address" ]
	run_split crm-lead --as li contact add 2 --name x
	assert_status 1
	[ "$stderr" = "crm-lead: permission denied: customer 2 is owned by 'wang', not by you ('li', a rep)" ]
	run_split crm-lead --as li contact add 3 --name x
	assert_status 1
	[ "$stderr" = "crm-lead: permission denied: customer 3 is in pool '东区公海', not owned by you ('li', a rep): claim it first" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-lead contact add --name x
	assert_status 2
	[[ "$stderr" == "crm-lead: contact add takes one customer ID"* ]]
	run_split crm-lead contact
	assert_status 2
	[[ "$stderr" == "crm-lead: contact needs a command: add, list, update or remove"* ]]
	run_split crm-lead contact add 1 --name x --region 华东
	assert_status 2
	[[ "$stderr" == "crm-lead: option '--region' is not for contact"* ]]
	run_split crm-lead add --name x --title 经理
	assert_status 2
	[[ "$stderr" == "crm-lead: option '--title' is not for add (it is for contact)"* ]]
}

@test "contact add -n: printed, not kept" {
	before=$(snapshot)
	run_split crm-lead contact add -n 1 --name 王五
	assert_status 0
	[ "$(field 1 name <<<"$output")" = 王五 ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "duplicates: a contact's phone and email are its customer's keys" {
	crm-lead --as li contact add 1 --name 王五 --phone 13800001111 --email wang@jia.cn -q >/dev/null
	run_split crm-lead add --name 某人 --phone '+86 138 0000 1111'
	assert_status 1
	[ "$stderr" = "crm-lead: not added: duplicate of customer 1 (same phone), owned by li" ]
	run_split crm-lead add --name 某人 --email ' WANG@jia.cn'
	assert_status 1
	[ "$stderr" = "crm-lead: not added: duplicate of customer 1 (same email), owned by li" ]
	printf 'name\tphone\n新人\t13900000009\n撞单\t0086-138-0000-1111\n' >l.tsv
	run_split crm-lead import l.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[[ "$stderr" == *"l.tsv:3: not imported: duplicate of customer 1 (same phone), owned by li"* ]]
	run_split crm-lead check l.tsv
	[ "$(field 2 dup_id <<<"$output") $(field 2 dup_on <<<"$output") $(field 2 dup_owner <<<"$output")" = "1 phone li" ]
	# another customer's contact may not carry it either; its own customer's may
	run_split crm-lead contact add 2 --name x --phone 13800001111
	assert_status 1
	[ "$stderr" = "crm-lead: phone: duplicate of customer 1 (same phone), owned by li" ]
	run_split crm-lead contact add 1 --name 李一 --phone 13800000001
	assert_status 0
}

@test "duplicates: a bulk import finds a contact's phone too" {
	crm-lead contact add 2 --name 王五 --phone 13800001111 -q >/dev/null
	printf 'name\tphone\n' >l.tsv
	for i in 1 2 3 4 5 6; do printf '新人%s\t1390000000%s\n' $i $i >>l.tsv; done
	printf '撞单\t138-0000-1111\n' >>l.tsv
	run_split env CRM_IMPORT_BULK_ROWS=1 crm-lead import l.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 6 ]
	[[ "$stderr" == *"l.tsv:8: not imported: duplicate of customer 2 (same phone), owned by wang"* ]]
	[ "$(sql "SELECT count(*) FROM customers")" = 9 ]
}

@test "contact list: in full for the owner, masked for the pool's members, refused for others" {
	crm-lead contact add 1 --name 王五 --phone 13800001111 --email wang@jia.cn -q >/dev/null
	crm-lead contact add 3 --name 赵六 --phone 13900002222 --email zhao@bing.cn -q >/dev/null
	crm-lead contact add 2 --name 钱七 --phone 13700003333 -q >/dev/null
	run_split crm-lead --as li contact list 1 3
	assert_status 0
	[ "$(cut -f1,2,3,5,6 <<<"$output" | tr '\t' ' ' | paste -sd ';')" = \
	    "id customer_id name phone email;1 1 王五 13800001111 wang@jia.cn;2 3 赵六 139****2222 z***@bing.cn" ]
	run_split crm-lead --as li contact list 2 1
	assert_status 1
	[ "$stderr" = "crm-lead: argument 1: permission denied: the contacts of customer 2 are for its owner and the members of its pool (you are 'li', a rep)" ]
	[ "$(count_rows <<<"$output")" = 1 ]
	run_split crm-lead contact list 9
	assert_status 1
	[ "$stderr" = "crm-lead: argument 1: no customer 9" ]
	# ids from stdin: the contacts of li's customers
	run_split sh -c 'crm-lead list --owner li | crm-lead --as li contact list'
	assert_status 0
	[ "$(field 1 name <<<"$output") $(count_rows <<<"$output")" = "王五 1" ]
	run_split crm-lead contact list 1 --phone 1
	assert_status 2
}

@test "contact update: each field that changes in the history; '' clears; checks as add" {
	crm-lead contact add 1 --name 王五 --title 采购经理 --email wang@jia.cn -q >/dev/null
	crm-lead contact add 2 --name 钱七 -q >/dev/null
	run_split crm-lead --as li contact update 1 --title 总监 --email '' --phone 13800001111
	assert_status 0
	[ "$(cut -f3-6 <<<"$output" | sed -n 2p | tr '\t' ' ')" = "王五 总监 13800001111 \\N" ] ||
	    [ "$(cut -f3-6 <<<"$output" | sed -n 2p | tr '\t' ' ')" = "王五 总监 13800001111 " ]
	[ "$(sql "SELECT coalesce(phone_key, '-') || ' ' || coalesce(email_key, '-') FROM contacts WHERE id = 1")" = "13800001111 -" ]
	[ "$(contact_history 1)" = "created:->1 name:->王五 title:->采购经理 email:->wang@jia.cn title:采购经理>总监 phone:->13800001111 email:wang@jia.cn>-" ]
	before=$(snapshot)
	run_split crm-lead --as li contact update 2 --title x
	assert_status 1
	[ "$stderr" = "crm-lead: contact 2: permission denied: customer 2 is owned by 'wang', not by you ('li', a rep)" ]
	run_split crm-lead contact update 2 --phone 13800001111
	assert_status 1
	[ "$stderr" = "crm-lead: contact 2: phone: duplicate of customer 1 (same phone), owned by li" ]
	run_split crm-lead contact update 1 --name '' --phone ''
	assert_status 1
	[ "$stderr" = "crm-lead: contact 1: name: a contact needs a name, a phone or an email" ]
	run_split crm-lead contact update 9 --name x
	assert_status 1
	[ "$stderr" = "crm-lead: contact 9: no such contact" ]
	run_split crm-lead contact update 1
	assert_status 2
	[[ "$stderr" == "crm-lead: contact update needs --name, --title, --phone or --email"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "contact remove: prints what it removed, the history keeps it, and erase blanks it there" {
	crm-lead contact add 1 --name 王五 --phone 13800001111 -q >/dev/null
	crm-lead contact add 2 --name 钱七 -q >/dev/null
	before=$(snapshot)
	run_split crm-lead --as li contact remove 2
	assert_status 1
	[ "$stderr" = "crm-lead: contact 2: permission denied: customer 2 is owned by 'wang', not by you ('li', a rep)" ]
	run_split crm-lead contact remove 9
	assert_status 1
	[ "$stderr" = "crm-lead: contact 9: no such contact" ]
	[ "$(snapshot)" = "$before" ]
	run_split crm-lead --as li contact remove 1
	assert_status 0
	[ "$(field 1 id <<<"$output") $(field 1 name <<<"$output")" = "1 王五" ]
	[ "$(sql "SELECT count(*) FROM contacts WHERE id = 1")" = 0 ]
	[ "$(contact_history 1)" = "created:->1 name:->王五 phone:->13800001111 name:王五>- phone:13800001111>- removed:1>-" ]
	# its phone is nobody's key any more
	run_split crm-lead add --name 新人 --phone 13800001111
	assert_status 0
	# erasing customer 1 blanks what its removed contact left in the history
	crm-lead erase 1 --reason 本人要求删除 -q >/dev/null
	[ "$(sql "SELECT count(*) FROM history WHERE entity = 'contact' AND entity_id = 1
	    AND (old_value LIKE '%王五%' OR new_value LIKE '%王五%' OR old_value LIKE '%1111' OR new_value LIKE '%1111')")" = 0 ]
	[ "$(sql "SELECT count(*) FROM history WHERE entity = 'contact' AND entity_id = 2 AND new_value = '钱七'")" = 1 ]
}
