#!/usr/bin/env bats
# crm-lead: every command, its options and its errors.
# Concurrency and crash safety are in lead_concurrency.bats.

load helpers

local_setup() {
	LD="$DATA/lead"
	ODOO="$TESTDATA/odoo_crm_demo/crm_lead_demo_flattened.csv"
	DEMO="$TOP/share/demo/leads.csv"
	COLS="id	name	company	phone	email	region	industry	source	status	owner	pool	score	created_at"
	WIDE="$COLS	grade	reason	owner_since	pool_since	last_activity_at	next_due_at	locked	merged_into	updated_at"
}

# An empty database with its schema (an import of a header only).
init_db() {
	printf 'name\n' | crm-lead import -q >/dev/null
}

# Two reps and a pool, written directly (crm-user/crm-pool are not ours).
seed_people() {
	sql "INSERT INTO users (login, created_at) VALUES ('li', '2026-01-01T00:00:00Z'), ('wang', '2026-01-01T00:00:00Z');
	     INSERT INTO pools (name, created_at) VALUES ('华东公海', '2026-01-01T00:00:00Z')"
}

# What must not change when a command fails or runs with --dry-run.
snapshot() {
	sql "SELECT count(*) FROM customers"
	crm-lead list -a -l | cksum
	dump | cksum
}

# assert_unchanged FILE: the database is as snapshot FILE recorded.
assert_unchanged() {
	snapshot | diff "$1" -
}

# ---- usage -------------------------------------------------------------

@test "no command, an unknown command and stray operands exit 2 with nothing on stdout" {
	run_split crm-lead
	assert_status 2
	[ -z "$output" ]
	[[ "$stderr" == *"missing command (add, import, list"* ]]
	run_split crm-lead frobnicate
	assert_status 2
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
	init_db
	for args in "add extra" "list extra" "merge 1" "unmerge" "merge x 2" \
	    "unmerge 0" "qualify abc" "update 12abc --name x"; do
		run_split crm-lead $args
		[ "$status" -eq 2 ] || { echo "'$args': status $status: $stderr"; return 1; }
		[ -z "$output" ]
		[[ "$stderr" == *"Try 'crm-lead --help'"* ]]
	done
}

@test "bad option values exit 2 and name the option" {
	init_db
	snapshot >before
	run_split crm-lead add --name x --on-duplicate sometimes
	assert_status 2
	[[ "$stderr" == *"--on-duplicate must be skip, update, error, allow or pass, got 'sometimes'"* ]]
	run_split crm-lead add --name x --field novalue
	assert_status 2
	[[ "$stderr" == *"--field takes NAME=VALUE, got 'novalue'"* ]]
	run_split crm-lead list --match nameonly
	assert_status 2
	[[ "$stderr" == *"--match takes FIELD=REGEX"* ]]
	run_split crm-lead list --limit 0
	assert_status 2
	[[ "$stderr" == *"--limit"* ]]
	run_split crm-lead list --status vip
	assert_status 2
	[[ "$stderr" == *"--status must be lead, qualified, customer or disqualified, got 'vip'"* ]]
	run_split crm-lead list --since yesterday
	assert_status 2
	[[ "$stderr" == *"--since: bad date 'yesterday'"* ]]
	run_split crm-lead list --until 2026-13-45
	assert_status 2
	run_split crm-lead add --name x --wait soon
	assert_status 2
	run_split crm-lead import -E NO-SUCH-ENCODING "$LD/zh.csv" --csv
	assert_status 2
	[[ "$stderr" == *"unknown encoding 'NO-SUCH-ENCODING'"* ]]
	[ -z "$output" ]
	assert_unchanged before
}

# ---- add ---------------------------------------------------------------

@test "add: every field option is stored and the record comes back with its id" {
	run_split crm-lead add --name 张伟 --company 北京星辰科技有限公司 \
	    --phone '+86 138-0013-8001' --email ZW@XingChen.cn --region 华北 \
	    --industry 互联网 --source 展会 --score 42 --grade A --field 微信=zw_001
	assert_status 0
	[ "${lines[0]}" = "$WIDE	微信" ]
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(field 1 name <<<"$output")" = 张伟 ]
	[ "$(field 1 status <<<"$output")" = lead ]
	[ "$(field 1 score <<<"$output")" = 42 ]
	[ "$(field 1 grade <<<"$output")" = A ]
	[ "$(field 1 微信 <<<"$output")" = zw_001 ]
	[ "$(field 1 created_at <<<"$output")" = 2026-11-22T09:00:00Z ]
	# the keys duplicate detection uses
	[ "$(sql "SELECT phone_key, email_key, company_key FROM customers")" = \
	    "13800138001	zw@xingchen.cn	北京星辰科技" ]
	[ "$(sql "SELECT command, actor, rows FROM batches ORDER BY id DESC LIMIT 1")" = \
	    "crm-lead add	tester	1" ]
	[ "$(sql "SELECT created_by FROM customers")" = tester ]
}

@test "add: --status, --reason, --owner, --pool, --now and --db" {
	init_db
	seed_people
	run_split crm-lead add --name a --owner li --status 合格 --now 2026-10-01T08:00:00Z
	assert_status 0
	[ "$(field 1 owner <<<"$output")" = li ]
	[ "$(field 1 status <<<"$output")" = qualified ]
	[ "$(field 1 owner_since <<<"$output")" = 2026-10-01T08:00:00Z ]
	[ "$(field 1 created_at <<<"$output")" = 2026-10-01T08:00:00Z ]
	run_split crm-lead add --name b --pool 华东公海
	assert_status 0
	[ "$(field 1 pool <<<"$output")" = 华东公海 ]
	[ "$(field 1 owner <<<"$output")" = '' ]
	# an owner or pool at creation is a change of owner or pool
	[ "$(sql "SELECT entity_id, field, coalesce(old_value, 'NULL'), new_value, actor, at, reason, command FROM history ORDER BY id")" = \
"1	owner	NULL	li	tester	2026-10-01T08:00:00Z	created	crm-lead add
2	pool	NULL	华东公海	tester	2026-11-22T09:00:00Z	created	crm-lead add" ]
	run_split crm-lead add --name c --status disqualified --reason 空号
	assert_status 0
	[ "$(field 1 reason <<<"$output")" = 空号 ]
	other=$(other_db other.db)
	run_split crm-lead --db "$other" add --name elsewhere
	assert_status 0
	[ "$(CRM_DB=$other sql "SELECT name FROM customers")" = elsewhere ]
	[ "$(sql "SELECT count(*) FROM customers")" = 3 ]
}

@test "add: a phone alone or an email alone is a lead" {
	run_split crm-lead add --phone 13800000000
	assert_status 0
	[ "$(field 1 phone <<<"$output")" = 13800000000 ]
	run_split crm-lead add --email only@example.cn
	assert_status 0
	[ "$(sql "SELECT count(*) FROM customers WHERE name IS NULL AND company IS NULL")" = 2 ]
}

@test "add: bad values fail with the field named, print nothing and change nothing" {
	init_db
	seed_people
	snapshot >before
	check() {	# check WANT ARGS...: exit 1, stderr has WANT
		local want=$1; shift
		run_split crm-lead add "$@"
		[ "$status" -eq 1 ] || { echo "$*: status $status"; return 1; }
		[ -z "$output" ] || { echo "$*: stdout '$output'"; return 1; }
		[[ "$stderr" == *"$want"* ]] || { echo "$*: stderr '$stderr'"; return 1; }
	}
	check "name: a lead needs a name, a company, a phone or an email" --name '  '
	check "name: a lead needs a name, a company, a phone or an email" --source 官网
	check "phone: 'call me' is not a phone number" --name a --phone 'call me'
	check "phone: '123' is not a phone number" --name a --phone 123
	check "email: 'a@b' is not an email address" --name a --email a@b
	check "email: 'a@@b.cn' is not an email address" --name a --email a@@b.cn
	check "status: 'vip' is not one of lead, qualified, customer, disqualified" --name a --status vip
	check "score: 'high' is not a whole number" --name a --score high
	check "owner: no user 'nobody'" --name a --owner nobody
	check "pool: no pool '西北公海'" --name a --pool 西北公海
	check "pool: a customer is owned or pooled, not both" --name a --owner li --pool 华东公海
	# 不合格 is a status with a reason
	check "reason: a disqualified lead needs a reason" --name a --status 不合格
	assert_unchanged before
}

@test "add: an email with blanks around it is valid and its key is trimmed" {
	run_split crm-lead add --name a --email '  Mixed.Case@Example.COM '
	assert_status 0
	[ "$(sql "SELECT email_key FROM customers")" = mixed.case@example.com ]
}

@test "add: duplicates by phone, email and company are refused with the holder named" {
	init_db
	seed_people
	crm-lead add -q --name 甲 --phone 13800138000 --owner li >/dev/null
	crm-lead add -q --name 乙 --email sales@huawei.com --pool 华东公海 >/dev/null
	crm-lead add -q --name 丙 --company 深圳市腾讯计算机系统有限公司 >/dev/null
	snapshot >before
	dup() {		# dup WANT ARGS...
		local want=$1; shift
		run_split crm-lead add "$@"
		[ "$status" -eq 1 ] || { echo "$*: status $status"; return 1; }
		[ -z "$output" ]
		[[ "$stderr" == *"not added: duplicate of customer $want"* ]] || { echo "$*: $stderr"; return 1; }
	}
	# phone: digits only, +86 / 0086 / 86 and a mobile's trunk 0 folded
	dup "1 (same phone), owned by li" --name x --phone '+86 138-0013-8000'
	dup "1 (same phone), owned by li" --name x --phone '0086 13800138000'
	dup "1 (same phone), owned by li" --name x --phone '8613800138000'
	dup "1 (same phone), owned by li" --name x --phone '013800138000'
	dup "1 (same phone), owned by li" --name x --phone '(138) 0013 8000'
	# email: trimmed, lower-case
	dup "2 (same email), in pool 华东公海" --name x --email ' Sales@HUAWEI.com'
	# company: full-width folded, punctuation, spaces and legal suffixes dropped
	dup "3 (same company), unowned" --name x --company '深圳市腾讯计算机系统股份有限公司'
	dup "3 (same company), unowned" --name x --company '深圳市 腾讯计算机系统（有限责任公司）'
	dup "3 (same company), unowned" --name x --company '深圳市腾讯计算机系统'
	dup "3 (same company), unowned" --name x --company '深圳市腾讯计算机系统有限公司' --on-duplicate error
	assert_unchanged before
	# a different number is not a duplicate
	run_split crm-lead add --name y --phone 13800138001
	assert_status 0
	[ "$(sql "SELECT count(*) FROM customers")" = 4 ]
}

@test "add: full-width letters and digits in a company name are folded" {
	crm-lead add -q --name a --company 'ABC 电子有限公司' >/dev/null
	run_split crm-lead add --name b --company 'ＡＢＣ电子股份有限公司'
	assert_status 1
	[[ "$stderr" == *"duplicate of customer 1 (same company)"* ]]
}

@test "add: --on-duplicate allow creates, update changes the existing lead" {
	crm-lead add -q --name 甲 --phone 13800138000 --region 华东 >/dev/null
	run_split crm-lead add --name 甲2 --phone '+86 13800138000' --on-duplicate allow
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 2 ]
	run_split crm-lead add --name 甲3 --email a@b.cn --phone 13800138000 --on-duplicate update
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(sql "SELECT name, email, region FROM customers WHERE id = 1")" = "甲3	a@b.cn	华东" ]
	[ "$(sql "SELECT count(*) FROM customers")" = 2 ]
}

@test "add --dry-run shows the record and changes nothing" {
	init_db
	snapshot >before
	run_split crm-lead add -n --name 试试 --phone 13800000000
	assert_status 0
	[ "$(field 1 name <<<"$output")" = 试试 ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	assert_unchanged before
}

# ---- import ------------------------------------------------------------

@test "import: a file and stdin; stdout is the records with their new ids" {
	init_db
	printf 'name\tphone\nA\t13100000001\nB\t13100000002\n' >a.tsv
	run_split crm-lead import a.tsv
	assert_status 0
	[ "$output" = "id	name	phone
1	A	13100000001
2	B	13100000002" ]
	[[ "$stderr" == *"2 created, 0 updated, 0 duplicates skipped"* ]]
	run_split crm-lead import < <(printf 'name\tphone\nC\t13100000003\n')
	assert_status 0
	[ "${lines[1]}" = "3	C	13100000003" ]
	[ "$(sql "SELECT source, rows FROM batches WHERE command = 'crm-lead import' ORDER BY id")" = \
"-	0
a.tsv	2
-	1" ]
}

@test "import: Chinese headers map to our columns; unknown ones are kept and listed" {
	run_split crm-lead import --csv "$LD/zh.csv"
	assert_status 0
	[ "${lines[0]}" = "id,name,company,phone,email,region,industry,source,微信,备注" ]
	run crm-lead list
	assert_status 0
	[ "${lines[0]}" = "$COLS	微信	备注" ]
	[ "$(field 1 company <<<"$output")" = 北京星辰科技有限公司 ]
	[ "$(field 2 phone <<<"$output")" = '+86 139-0000-0002' ]
	[ "$(field 2 email <<<"$output")" = Lina@HaiNa.com.cn ]
	[ "$(field 3 region <<<"$output")" = 华南 ]
	[ "$(field 3 industry <<<"$output")" = 制造 ]
	[ "$(field 3 source <<<"$output")" = 百度推广 ]
	[ "$(field 1 微信 <<<"$output")" = zw_001 ]
	[ "$(field 2 微信 <<<"$output")" = '' ]
	[ "$(field 3 备注 <<<"$output")" = '需要报价, 下周回访' ]
	[ "$(sql "SELECT company_key FROM customers WHERE id = 3")" = "abc深圳电子" ]
}

@test "import: a custom column that is empty in every row is kept too, in input order" {
	printf 'name\tzip\tnothing_yet\t微信\nA\t01234\t\t\nB\t00501\t\twx\n' >c.tsv
	crm-lead import -q c.tsv >/dev/null
	run crm-lead list
	[ "${lines[0]}" = "$COLS	zip	nothing_yet	微信" ]
	[ "$(field 1 zip <<<"$output")" = 01234 ]
	[ "$(field 2 微信 <<<"$output")" = wx ]
	run crm-lead list -l
	[ "${lines[0]}" = "$WIDE	zip	nothing_yet	微信" ]
}

@test "import: GBK input is detected and converted, with a note on stderr" {
	init_db
	printf '姓名,公司,电话,地区\n张伟,北京某某科技有限公司,13600000001,华北\n' >utf8.csv
	iconv -f UTF-8 -t GBK utf8.csv >gbk.csv
	! cmp -s utf8.csv gbk.csv
	run_split crm-lead import --csv gbk.csv
	assert_status 0
	[[ "$stderr" == *"note: 'gbk.csv' is not UTF-8; reading it as GB18030 (GBK)"* ]]
	[ "${lines[1]}" = "1,张伟,北京某某科技有限公司,13600000001,华北" ]
	[ "$(sql "SELECT name, company, region FROM customers")" = "张伟	北京某某科技有限公司	华北" ]
	# named: no note; -q: no note either
	printf '姓名,电话\n李娜,13600000002\n' | iconv -f UTF-8 -t GBK >gbk2.csv
	run_split crm-lead import --csv --encoding GBK gbk2.csv
	assert_status 0
	[[ "$stderr" != *"note:"* ]]
	[ "$(sql "SELECT name FROM customers WHERE id = 2")" = 李娜 ]
	printf '姓名,电话\n王芳,13600000003\n' | iconv -f UTF-8 -t GB18030 >gbk3.csv
	run_split crm-lead import --csv -q gbk3.csv
	assert_status 0
	[ -z "$stderr" ]
	[ "$(sql "SELECT name FROM customers WHERE id = 3")" = 王芳 ]
}

@test "import: GBK read as the wrong encoding, or bytes that are no encoding, fail with the line" {
	init_db
	snapshot >before
	printf '姓名,电话\n张伟,13600000001\n' | iconv -f UTF-8 -t GBK >gbk.csv
	run_split crm-lead import --csv --encoding UTF-8 gbk.csv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"gbk.csv:1: invalid UTF-8; name the encoding with --encoding"* ]]
	printf 'name\tphone\nok\t13600000002\nbad\377\376\377\t13600000003\n' >junk.tsv
	run_split crm-lead import junk.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"junk.tsv:3: invalid UTF-8"* ]]
	assert_unchanged before
}

@test "import: a UTF-8 BOM is dropped and CRLF line ends are accepted" {
	printf '\357\273\277name,phone,zip\r\n甲,13700000001,01234\r\n乙,13700000002,00501\r\n' >bom.csv
	run_split crm-lead import --csv bom.csv
	assert_status 0
	[ "${lines[0]}" = "id,name,phone,zip" ]
	run crm-lead list --csv
	[ "${lines[0]}" = "id,name,company,phone,email,region,industry,source,status,owner,pool,score,created_at,zip" ]
	[ "${lines[1]}" = "1,甲,,13700000001,,,,,lead,,,,2026-11-22T09:00:00Z,01234" ]
	[ "${lines[2]}" = "2,乙,,13700000002,,,,,lead,,,,2026-11-22T09:00:00Z,00501" ]
	[ "$(crm-lead list | tr -cd '\r\357' | wc -c)" -eq 0 ]
	# the same for TSV
	printf '\357\273\277name\tphone\r\n丙\t13700000003\r\n' >bom.tsv
	run_split crm-lead import bom.tsv
	assert_status 0
	[ "$(sql "SELECT name || '|' || phone FROM customers WHERE id = 3")" = "丙|13700000003" ]
}

@test "import: CSV with commas, quotes, newlines and tabs round-trips through list --csv" {
	run_split crm-lead import --csv "$LD/quoted.csv"
	assert_status 0
	run crm-lead list --csv
	assert_status 0
	expected='id,name,company,phone,email,region,industry,source,status,owner,pool,score,created_at,note
1,"Smith, John","He said ""hi""",,,,,,lead,,,,2026-11-22T09:00:00Z,"line1
line2"
2,张三,"甲,乙 公司",,,,,,lead,,,,2026-11-22T09:00:00Z,plain
3," padded ",,,,,,,lead,,,,2026-11-22T09:00:00Z,tab	here'
	[ "$output" = "$expected" ]
	# TSV escapes what CSV quotes
	run crm-lead list
	[ "$(field 1 note <<<"$output")" = 'line1\nline2' ]
	[ "$(field 3 note <<<"$output")" = 'tab\there' ]
	# and what list writes, import reads back the same
	crm-lead list --csv | crm-lead import --csv -q --db copy.db >/dev/null
	[ "$(crm-lead list --csv --db copy.db)" = "$expected" ]
	crm-lead list | crm-lead import -q --db copy2.db >/dev/null
	[ "$(crm-lead list --csv --db copy2.db)" = "$expected" ]
}

@test "import: a malformed CSV quote fails with the line and changes nothing" {
	init_db
	snapshot >before
	printf 'name,phone\nA,13100000001\n"B,13100000002\n' >unterminated.csv
	run_split crm-lead import --csv unterminated.csv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *'unterminated.csv:3: unterminated "-quoted field'* ]]
	printf 'name,phone\nA"x",13100000001\n' >stray.csv
	run_split crm-lead import --csv stray.csv
	assert_status 1
	[[ "$stderr" == *"stray.csv:2: malformed quoting"* ]]
	assert_unchanged before
}

@test "import: one bad row fails the whole import with FILE:LINE: field: reason" {
	init_db
	crm-lead add -q --name 旧 --phone 13500000000 >/dev/null
	snapshot >before
	cp "$LD/bad.tsv" bad.tsv
	run_split crm-lead import bad.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"bad.tsv:3: phone: 'abc' is not a phone number"* ]]
	[[ "$stderr" == *"bad.tsv:4: email: 'not-mail' is not an email address"* ]]
	[[ "$stderr" == *"bad.tsv:5: expected 4 fields, got 2"* ]]
	[[ "$stderr" == *"bad.tsv: 3 bad rows: nothing imported (fix them, or use --skip-bad)"* ]]
	[[ "$stderr" != *"bad.tsv:2:"* && "$stderr" != *"bad.tsv:6:"* ]]
	[ ! -e bad.tsv.rejects ]
	assert_unchanged before
}

@test "import: other bad values are reported by field" {
	init_db
	seed_people
	snapshot >before
	printf 'name\tcompany\towner\tpool\tscore\tstatus\tcreated_at\n' >f.tsv
	printf '\t\t\\N\t\\N\t\t\t\n' >>f.tsv
	printf 'a\t\tnobody\t\\N\t\t\t\n' >>f.tsv
	printf 'b\t\t\\N\t无此公海\t\t\t\n' >>f.tsv
	printf 'c\t\t\\N\t\\N\t九十\t\t\n' >>f.tsv
	printf 'd\t\t\\N\t\\N\t\t作废\t\n' >>f.tsv
	printf 'e\t\t\\N\t\\N\t\t\t昨天\n' >>f.tsv
	printf 'f\t\t\\N\t\\N\t\t不合格\t\n' >>f.tsv
	printf 'g\t\tli\t华东公海\t\t\t\n' >>f.tsv
	run_split crm-lead import f.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"f.tsv:2: name: a lead needs a name, a company, a phone or an email"* ]]
	[[ "$stderr" == *"f.tsv:3: owner: no user 'nobody'"* ]]
	[[ "$stderr" == *"f.tsv:4: pool: no pool '无此公海'"* ]]
	[[ "$stderr" == *"f.tsv:5: score: '九十' is not a whole number"* ]]
	[[ "$stderr" == *"f.tsv:6: status: '作废' is not one of lead, qualified, customer, disqualified"* ]]
	[[ "$stderr" == *"f.tsv:7: created_at: '昨天' is not a date"* ]]
	[[ "$stderr" == *"f.tsv:8: reason: a disqualified lead needs a reason"* ]]
	[[ "$stderr" == *"f.tsv:9: pool: a customer is owned or pooled, not both"* ]]
	[[ "$stderr" == *"8 bad rows: nothing imported"* ]]
	assert_unchanged before
}

@test "import --skip-bad imports the good rows and writes the rejects with their reasons" {
	cp "$LD/bad.tsv" bad.tsv
	run_split crm-lead import --skip-bad bad.tsv
	assert_status 0
	[ "$output" = "id	name	phone	email	region
1	赵六	13900000001	zhao@x.cn	华东
2	吴十	13900000005	wu@x.cn	华南" ]
	[[ "$stderr" == *"bad.tsv:3: phone: 'abc' is not a phone number (skipped)"* ]]
	[[ "$stderr" == *"3 rejected rows written to 'bad.tsv.rejects'"* ]]
	[ "$(cat bad.tsv.rejects)" = "reject_line	reject_reason	name	phone	email	region
3	phone: 'abc' is not a phone number	钱七	abc	qian@x.cn	华东
4	email: 'not-mail' is not an email address	孙八	13900000003	not-mail	华北
5	expected 4 fields, got 2	周九	13900000004" ]
	[ "$(sql "SELECT group_concat(name, ',') FROM customers")" = "赵六,吴十" ]
	# --rejects names the file; from stdin the default is stdin.rejects
	new_db
	run_split crm-lead import --skip-bad --rejects out/../r.tsv <bad.tsv
	assert_status 1	# no directory 'out'
	[[ "$stderr" == *"r.tsv"* ]]
	run_split crm-lead import --skip-bad --rejects r.tsv <bad.tsv
	assert_status 0
	[ "$(wc -l <r.tsv)" -eq 4 ]
	run_split crm-lead import --skip-bad --on-duplicate allow <bad.tsv
	assert_status 0
	[ "$(wc -l <stdin.rejects)" -eq 4 ]
}

@test "import: duplicates inside the input count; skip reports, error fails, allow creates, update merges" {
	init_db
	printf 'name\tphone\temail\n甲\t13700000001\t\n乙\t137-0000-0001\t\n丙\t13700000003\tC@x.cn\n丁\t\tc@X.CN\n' >d.tsv
	snapshot >before
	run_split crm-lead import --on-duplicate error d.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"d.tsv:3: duplicate of customer 1 (same phone), created from an earlier row of this input"* ]]
	# line 3 was rejected, so 丙 on line 4 became customer 2
	[[ "$stderr" == *"d.tsv:5: duplicate of customer 2 (same email), created from an earlier row of this input"* ]]
	assert_unchanged before
	run_split crm-lead import d.tsv
	assert_status 0
	[[ "$stderr" == *"d.tsv:3: not imported: duplicate of customer 1 (same phone), created from an earlier row of this input"* ]]
	[[ "$stderr" == *"d.tsv:5: not imported: duplicate of customer 2 (same email), created from an earlier row of this input"* ]]
	[[ "$stderr" == *"2 created, 0 updated, 2 duplicates skipped"* ]]
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(sql "SELECT group_concat(name, ',') FROM customers")" = "甲,丙" ]
	# again: everything collides with the database now
	run_split crm-lead import d.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 0 ]
	[[ "$stderr" == *"0 created, 0 updated, 4 duplicates skipped"* ]]
	run_split crm-lead import --on-duplicate allow d.tsv
	assert_status 0
	[ "$(sql "SELECT count(*) FROM customers")" = 6 ]
}

@test "import --on-duplicate update changes the existing lead and prints its id" {
	crm-lead add -q --name 甲 --phone 13800000001 --email a@x.cn --region 华东 >/dev/null
	printf 'name\tphone\tindustry\n甲二\t+86 138 0000 0001\t制造\n丙\t13800000009\t零售\n' >u.tsv
	run_split crm-lead import --on-duplicate update u.tsv
	assert_status 0
	[ "$output" = "id	name	phone	industry
1	甲二	+86 138 0000 0001	制造
2	丙	13800000009	零售" ]
	[[ "$stderr" == *"1 created, 1 updated, 0 duplicates skipped"* ]]
	[ "$(sql "SELECT name, email, region, industry FROM customers WHERE id = 1")" = "甲二	a@x.cn	华东	制造" ]
}

@test "import --dry-run prints what would be created and changes nothing" {
	init_db
	crm-lead add -q --name 旧 --phone 13100000001 >/dev/null
	snapshot >before
	printf 'name\tphone\nA\t13100000001\nB\t13100000002\n' >a.tsv
	run_split crm-lead import --dry-run a.tsv
	assert_status 0
	[ "$output" = "id	name	phone
2	B	13100000002" ]
	[[ "$stderr" == *"would have: 1 created, 0 updated, 1 duplicate skipped"* ]]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	assert_unchanged before
}

@test "import: several files are one transaction; a bad later file undoes the earlier" {
	init_db
	snapshot >before
	printf 'name\tphone\nA\t13100000001\n' >a.tsv
	printf 'name\tphone\nB\tnope\n' >b.tsv
	printf 'name\temail\nC\tc@x.cn\n' >c.tsv
	run_split crm-lead import a.tsv b.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"b.tsv:2: phone: 'nope' is not a phone number"* ]]
	assert_unchanged before
	run_split crm-lead import a.tsv c.tsv
	assert_status 1
	[[ "$stderr" == *"c.tsv: its columns differ from the first input's"* ]]
	assert_unchanged before
	printf 'name\tphone\nB\t13100000002\n' >b.tsv
	run_split crm-lead import a.tsv b.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(sql "SELECT count(*) FROM batches WHERE command = 'crm-lead import' AND rows = 2")" = 1 ]
}

@test "import: an id column is ignored with a note; header errors are fatal" {
	init_db
	snapshot >before
	printf 'id\tname\n77\tA\n' >i.tsv
	run_split crm-lead import i.tsv
	assert_status 0
	[[ "$stderr" == *"note: i.tsv: the 'id' column is ignored"* ]]
	[ "$output" = "id	name
1	A" ]
	snapshot >before
	: >empty.tsv
	run_split crm-lead import empty.tsv
	assert_status 1
	[[ "$stderr" == *"empty.tsv: no header row"* ]]
	printf 'phone\tphone\n1\t2\n' >twice.tsv
	run_split crm-lead import twice.tsv
	assert_status 1
	[[ "$stderr" == *"twice.tsv:1: header: column 'phone' appears twice"* ]]
	printf 'name\t\tphone\n' >noname.tsv
	run_split crm-lead import noname.tsv
	assert_status 1
	[[ "$stderr" == *"noname.tsv:1: header: column 2 has no name"* ]]
	run_split crm-lead import no-such-file.tsv
	assert_status 1
	[[ "$stderr" == *"cannot open 'no-such-file.tsv': No such file or directory"* ]]
	[ -z "$output" ]
	assert_unchanged before
}

@test "import: progress on a terminal (CRM_FORCE_TTY=1), none with -q or off a terminal" {
	awk 'BEGIN { print "name\tphone"; for (i = 1; i <= 500; i++) printf "n%d\t139%08d\n", i, i }' >p.tsv
	CRM_FORCE_TTY=1 run_split crm-lead import p.tsv
	assert_status 0
	[[ "$stderr" == *"importing ["*"] 100%, done."* ]]
	[ "$(count_rows <<<"$output")" = 500 ]
	[[ "$output" != *importing* ]]
	new_db
	CRM_FORCE_TTY=1 run_split crm-lead import -q p.tsv
	assert_status 0
	[ -z "$stderr" ]
	new_db
	run_split crm-lead import p.tsv
	assert_status 0
	[[ "$stderr" != *importing* ]]
	[[ "$stderr" == *"500 created"* ]]
}

@test "import: the Odoo demo leads mean what Odoo means; unknown columns and leading-zero zips are kept" {
	[ -f "$ODOO" ] || skip "no $ODOO"
	# Odoo's name is the opportunity's title and its id an external id:
	# the person is contact_name, the company partner_name
	init_db
	run_split crm-lead import --csv --dry-run "$ODOO"
	assert_status 1
	[[ "$stderr" == *"header from Odoo CRM: reading name as title, id as external_id, partner_name as company, contact_name as name, email_from as email, function as job_title"* ]]
	# two opportunities name no person, company, phone or email:
	# crm_case_21 and 23, on lines 22 and 24 (15 and 24 have an email only)
	for line in 22 24; do
		[[ "$stderr" == *"crm_lead_demo_flattened.csv:$line: name: a lead needs a name, a company, a phone or an email"* ]]
	done
	[ "$(grep -c 'a lead needs a name' <<<"$stderr")" = 2 ]
	crm-lead import --csv -q --skip-bad --rejects rej.csv --on-duplicate allow "$ODOO" >/dev/null
	[ "$(sql "SELECT count(*) FROM customers")" = 42 ]
	[ "$(grep -c '"name: a lead needs a name, a company, a phone or an email"' rej.csv)" = 2 ]
	run crm-lead list
	# ours first, then every other Odoo column in its order, by its new name
	hdr=$(head -1 "$ODOO" | tr -d '\r' | tr , '\n' |
	    grep -vxE 'contact_name|partner_name|email_from|phone' |
	    sed 's/^id$/external_id/; s/^name$/title/; s/^function$/job_title/' |
	    tr '\n' '\t' | sed 's/\t$//')
	[ "${lines[0]}" = "$COLS	$hdr" ]
	[ "$(field 1 external_id <<<"$output")" = crm_case_1 ]
	[ "$(field 1 name <<<"$output")" = "Jacques Dunagan" ]
	[ "$(field 1 company <<<"$output")" = "Le Club SARL" ]
	[ "$(field 1 title <<<"$output")" = "Club Office Furnitures" ]
	[ "$(field 1 email <<<"$output")" = jdunagan@leclub.example.com ]
	[ "$(field 1 job_title <<<"$output")" = "Training Manager" ]
	[ "$(field 1 phone <<<"$output")" = "+33 1 25 54 45 69" ]
	[ "$(field 1 tag_ids <<<"$output")" = "eval:[(6, 0, [ref('sales_team.categ_oppor6')])]" ]
	[ "$(field 4 zip <<<"$output")" = 03101 ]		# crm_case_4
	[ "$(field 6 zip <<<"$output")" = 00118 ]		# crm_case_6
	[ "$(field 9 zip <<<"$output")" = "OX1 1RQ" ]	# crm_case_9
	# crm_case_28, the 26th imported: a title and a company, no person
	[ "$(field 26 external_id <<<"$output")" = crm_case_28 ]
	[ "$(field 26 title <<<"$output")" = "Furnish a 60m² office" ]
	[ "$(field 26 company <<<"$output")" = "Deco Addict" ]
	[ "$(field 26 name <<<"$output")" = "" ]
}

@test "import: the generated demo leads (6 re-entered leads are caught)" {
	[ -f "$DEMO" ] || skip "no $DEMO"
	n=$(($(wc -l <"$DEMO") - 1))
	run_split crm-lead import --csv "$DEMO"
	assert_status 0
	[[ "$stderr" == *"$((n - 6)) created, 0 updated, 6 duplicates skipped"* ]]
	[ "$(sql "SELECT count(*) FROM customers")" = $((n - 6)) ]
}

# ---- check -------------------------------------------------------------

@test "check annotates each row with what it collides with, and writes nothing" {
	init_db
	seed_people
	crm-lead add -q --name 甲 --phone 13800000001 --owner li >/dev/null
	crm-lead add -q --company 乙有限公司 --pool 华东公海 >/dev/null
	snapshot >before
	printf 'name\tphone\tcompany\temail\n' >in.tsv
	printf 'A\t0086 138 0000 0001\t\t\n' >>in.tsv
	printf 'B\t\t（乙）股份有限公司\t\n' >>in.tsv
	printf 'C\t\t\tX@Y.CN\n' >>in.tsv
	printf 'D\t15000000000\t\t x@y.cn \n' >>in.tsv
	printf 'E\t150-0000-0000\t\t\n' >>in.tsv
	printf 'F\t\t新公司\t\n' >>in.tsv
	run_split crm-lead check in.tsv
	assert_status 0
	[ "$output" = "name	phone	company	email	dup_id	dup_on	dup_owner	dup_pool	dup_line
A	0086 138 0000 0001			1	phone	li		
B		（乙）股份有限公司		2	company		华东公海	
C			X@Y.CN					
D	15000000000		 x@y.cn 		email			4
E	150-0000-0000				phone			5
F		新公司						" ]
	assert_unchanged before
	# stdin, CSV, and the demo file: its six re-entered leads
	run_split crm-lead check --csv < <(printf 'name,phone\nX,13800000001\n')
	assert_status 0
	[ "${lines[1]}" = "X,13800000001,1,phone,li,," ]
	if [ -f "$DEMO" ]; then
		[ "$(crm-lead check --csv "$DEMO" | awk -F, 'NR > 1 && $NF != ""' | wc -l)" -eq 6 ]
	fi
	run_split crm-lead check no-such.tsv
	assert_status 1
	[ -z "$output" ]
}

# ---- list --------------------------------------------------------------

# Five leads: two owned, one pooled, in different regions, sources and times.
list_fixture() {
	init_db
	seed_people
	printf 'name\tcompany\tphone\tregion\tindustry\tsource\towner\tpool\tcreated_at\tstatus\treason\n' >f.tsv
	printf '张三\t上海海纳贸易有限公司\t13100000001\t华东\t制造\t展会\tli\t\\N\t2026-01-05\tlead\t\n' >>f.tsv
	printf '李四\t北京星辰科技有限公司\t13100000002\t华北\t零售\t官网\t\\N\t华东公海\t2026-02-05T10:00:00Z\t合格\t\n' >>f.tsv
	printf '王五\t深圳某某电子\t13100000003\t华东\t零售\t官网\twang\t\\N\t2026-03-05 08:00\t不合格\t空号\n' >>f.tsv
	printf '张六\tABC Ltd\t13100000004\t华南\t制造\t展会\tli\t\\N\t2026-03-06\tcustomer\t\n' >>f.tsv
	printf 'Zoe\t\\N\t13100000005\t华东\t\\N\t\\N\t\\N\t\\N\t2026-04-01\t\\N\t\n' >>f.tsv
	crm-lead import -q f.tsv >/dev/null
}

names() {	# the name column of list output, comma-separated
	awk -F'\t' 'NR > 1 { printf "%s%s", sep, $2; sep = "," }'
}

@test "list: stable columns, id first" {
	list_fixture
	run_split crm-lead list
	assert_status 0
	[ "${lines[0]}" = "$COLS" ]
	[ "$(names <<<"$output")" = "张三,李四,王五,张六,Zoe" ]
	[ "$(field 1 id <<<"$output")" = 1 ]
	run crm-lead list -l
	[ "${lines[0]}" = "$WIDE" ]
	[ "$(field 3 reason <<<"$output")" = 空号 ]
	run crm-lead list --csv
	[ "${lines[0]}" = "$(tr '\t' , <<<"$COLS")" ]
}

@test "list: filters by status, owner, pool, region, industry, source, dates; --limit" {
	list_fixture
	[ "$(crm-lead list --status lead | names)" = "张三,Zoe" ]
	[ "$(crm-lead list --status 合格 | names)" = "李四" ]
	[ "$(crm-lead list --status disqualified | names)" = "王五" ]
	[ "$(crm-lead list --status 客户 | names)" = "张六" ]
	[ "$(crm-lead list --owner li | names)" = "张三,张六" ]
	[ "$(crm-lead list --owner nobody | names)" = "" ]
	[ "$(crm-lead list --pool 华东公海 | names)" = "李四" ]
	[ "$(crm-lead list --region 华东 | names)" = "张三,王五,Zoe" ]
	[ "$(crm-lead list --industry 零售 | names)" = "李四,王五" ]
	[ "$(crm-lead list --source 展会 | names)" = "张三,张六" ]
	[ "$(crm-lead list --region 华东 --industry 零售 | names)" = "王五" ]
	# since is inclusive, until exclusive
	[ "$(crm-lead list --since 2026-02-05T10:00:00Z | names)" = "李四,王五,张六,Zoe" ]
	[ "$(crm-lead list --until 2026-03-05T08:00:00Z | names)" = "张三,李四" ]
	[ "$(crm-lead list --since 2026-03-01 --until '2026-03-06 00:00:01' | names)" = "王五,张六" ]
	[ "$(crm-lead list --since '2026-03-05T16:00:00+08:00' | names)" = "王五,张六,Zoe" ]
	[ "$(crm-lead list --limit 2 | names)" = "张三,李四" ]
	[ "$(crm-lead list --region 华东 --limit 2 | names)" = "张三,王五" ]
}

@test "list --match: PCRE2 on any column, Chinese patterns, header aliases; bad patterns exit 2" {
	list_fixture
	[ "$(crm-lead list -m 'name=^张' | names)" = "张三,张六" ]
	[ "$(crm-lead list -m 'company=有限公司$' | names)" = "张三,李四" ]
	[ "$(crm-lead list -m 'company=(?i)abc' | names)" = "张六" ]
	[ "$(crm-lead list -m 'name=^\p{Han}{2}$' | names)" = "张三,李四,王五,张六" ]
	[ "$(crm-lead list -m 'name=^张' -m 'region=华南' | names)" = "张六" ]
	[ "$(crm-lead list --match '姓名=四$' | names)" = "李四" ]
	[ "$(crm-lead list -m 'phone=5$' --status lead | names)" = "Zoe" ]
	# NULL never matches, not even .*
	[ "$(crm-lead list -m 'industry=.*' | names)" = "张三,李四,王五,张六" ]
	run_split crm-lead list -m 'name=(张'
	assert_status 2
	[ -z "$output" ]
	[[ "$stderr" == *"--match name: bad pattern: missing closing parenthesis"* ]]
	run_split crm-lead list -m 'name=[张'
	assert_status 2
	run_split crm-lead list -m 'colour=red'
	assert_status 2
	[ -z "$output" ]
	[[ "$stderr" == *"--match: no column 'colour'"* ]]
}

@test "list --match works on custom columns too" {
	printf 'name\t微信\nA\twx_a\nB\t\nC\tqq_c\n' >c.tsv
	crm-lead import -q c.tsv >/dev/null
	[ "$(crm-lead list -m '微信=^wx' | names)" = "A" ]
}

@test "list and show without a database fail" {
	run_split crm-lead list
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"no database '$CRM_DB'"* ]]
	run_split crm-lead show 1
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"no database '$CRM_DB'"* ]]
	no_db
}

# ---- show --------------------------------------------------------------

@test "show: ids as operands or an id column on stdin; a missing id exits 1" {
	list_fixture
	run_split crm-lead show 2 4
	assert_status 0
	[ "${lines[0]}" = "$WIDE" ]
	[ "$(names <<<"$output")" = "李四,张六" ]
	[ "$(field 1 pool_since <<<"$output")" = 2026-02-05T10:00:00Z ]
	run_split crm-lead show < <(crm-lead list --owner li)
	assert_status 0
	[ "$(names <<<"$output")" = "张三,张六" ]
	run_split crm-lead show 3 99
	assert_status 1
	[ "$(names <<<"$output")" = "王五" ]
	[[ "$stderr" == *"argument 2: no customer 99"* ]]
	run_split crm-lead show < <(printf 'name\nx\n')
	assert_status 1
	[[ "$stderr" == *"stdin: no 'id' column in the input"* ]]
	run_split crm-lead show < <(printf 'id\nseven\n')
	assert_status 1
	[[ "$stderr" == *"stdin:2: id: 'seven' is not a customer id"* ]]
}

# ---- update ------------------------------------------------------------

@test "update ID: options and --field; score changes are in history" {
	list_fixture
	run_split crm-lead update 1 --region 华南 --score 50 --field 微信=wx9 --name 张三丰
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(field 1 region <<<"$output")" = 华南 ]
	[ "$(field 1 微信 <<<"$output")" = wx9 ]
	[ "$(sql "SELECT name, region, score FROM customers WHERE id = 1")" = "张三丰	华南	50" ]
	[ "$(sql "SELECT field, coalesce(old_value, 'NULL'), new_value, reason, command FROM history WHERE field = 'score'")" = \
	    "score	NULL	50	update	crm-lead update" ]
	run_split crm-lead update 1 --status qualified
	assert_status 0
	[ "$(sql "SELECT old_value, new_value FROM history WHERE entity_id = 1 AND field = 'status'")" = "lead	qualified" ]
	# the owner it already has may be repeated
	run_split crm-lead update 1 --owner li
	assert_status 0
}

@test "update ID: errors name the customer and the field, and change nothing" {
	list_fixture
	snapshot >before
	run_split crm-lead update 99 --name x
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"customer 99: id: no customer 99"* ]]
	run_split crm-lead update 1 --owner wang
	assert_status 1
	[[ "$stderr" == *"customer 1: owner: changing owners is crm-assign's job"* ]]
	run_split crm-lead update 5 --pool 华东公海
	assert_status 1
	[[ "$stderr" == *"customer 5: pool: moving to a pool is crm-pool's job"* ]]
	run_split crm-lead update 1 --phone abc
	assert_status 1
	[[ "$stderr" == *"customer 1: phone: 'abc' is not a phone number"* ]]
	run_split crm-lead update 4 --status lead
	assert_status 1
	[[ "$stderr" == *"customer 4 is already a customer; it cannot become lead"* ]]
	run_split crm-lead update 1 --status disqualified
	assert_status 1
	[[ "$stderr" == *"reason:"* ]]
	assert_unchanged before
	run_split crm-lead update -n 1 --region 西北
	assert_status 0
	[ "$(field 1 region <<<"$output")" = 西北 ]
	assert_unchanged before
}

@test "update from a stream keyed by id: all or nothing, --skip-bad, --dry-run" {
	list_fixture
	snapshot >before
	printf 'id\tregion\tscore\tname\n1\t西南\t60\t张三\n5\t东北\t\tZoe\n' >ok.tsv
	run_split crm-lead update --dry-run <ok.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	assert_unchanged before
	printf 'id\tregion\n1\t西北\n999\tx\nzz\ty\n3\n' >bad.tsv
	run_split crm-lead update bad.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"bad.tsv:3: id: no customer 999"* ]]
	[[ "$stderr" == *"bad.tsv:4: id: not a customer id"* ]]
	[[ "$stderr" == *"bad.tsv:5: expected 2 fields, got 1"* ]]
	[[ "$stderr" == *"bad.tsv: 3 bad rows: nothing updated"* ]]
	assert_unchanged before
	run_split crm-lead update --skip-bad bad.tsv
	assert_status 0
	[ "$(field 1 region <<<"$output")" = 西北 ]
	[ "$(cut -f1,3 bad.tsv.rejects)" = "reject_line	id
3	999
4	zz
5	3" ]
	run_split crm-lead update <ok.tsv
	assert_status 0
	[ "$(sql "SELECT id, region, coalesce(CAST(score AS TEXT), 'NULL') FROM customers WHERE id IN (1, 5)")" = \
"1	西南	60
5	东北	NULL" ]
	run_split crm-lead update < <(printf 'name\tregion\nx\ty\n')
	assert_status 1
	[[ "$stderr" == *"stdin: no 'id' column: update needs it"* ]]
}

# ---- qualify, disqualify, convert --------------------------------------

@test "qualify, disqualify, convert write history: who, when, old, new, reason" {
	list_fixture
	run_split crm-lead qualify 1 --as boss --now 2026-12-01T10:00:00Z
	assert_status 0
	[ "$(field 1 status <<<"$output")" = qualified ]
	run_split crm-lead disqualify 1 5 --reason 预算不足
	assert_status 0
	[ "$(names <<<"$output")" = "张三,Zoe" ]
	[ "$(field 1 reason <<<"$output")" = 预算不足 ]
	run_split crm-lead convert 1
	assert_status 0
	[ "$(field 1 reason <<<"$output")" = '' ]
	[ "$(sql "SELECT entity_id, old_value, new_value, actor, at, coalesce(reason, 'NULL'), command FROM history WHERE field = 'status' ORDER BY id")" = \
"1	lead	qualified	boss	2026-12-01T10:00:00Z	NULL	crm-lead qualify
1	qualified	disqualified	tester	2026-11-22T09:00:00Z	预算不足	crm-lead disqualify
5	lead	disqualified	tester	2026-11-22T09:00:00Z	预算不足	crm-lead disqualify
1	disqualified	customer	tester	2026-11-22T09:00:00Z	NULL	crm-lead convert" ]
	# disqualified is a status, not a deletion
	[ "$(sql "SELECT count(*) FROM customers")" = 5 ]
	[ "$(crm-lead list --status disqualified | names)" = "王五,Zoe" ]
	# no change, no history
	n=$(sql "SELECT count(*) FROM history")
	run_split crm-lead convert 1
	assert_status 0
	[ "$(sql "SELECT count(*) FROM history")" = "$n" ]
}

@test "qualify/disqualify/convert: errors are all or nothing; --dry-run changes nothing" {
	list_fixture
	snapshot >before
	run_split crm-lead disqualify 1
	assert_status 2
	[[ "$stderr" == *"disqualify needs --reason"* ]]
	run_split crm-lead disqualify 1 --reason '  '
	assert_status 1
	[[ "$stderr" == *"reason: disqualifying needs a reason"* ]]
	run_split crm-lead qualify 1 99
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"argument 2: id: no customer 99"* ]]
	run_split crm-lead disqualify 1 4 --reason x
	assert_status 1
	[[ "$stderr" == *"argument 2: status: customer 4 is already a customer; it cannot become disqualified"* ]]
	run_split crm-lead qualify < <(printf 'id\n1\nx\n')
	assert_status 1
	[[ "$stderr" == *"stdin:3: id: 'x' is not a customer id"* ]]
	assert_unchanged before
	run_split crm-lead qualify -n 1 5
	assert_status 0
	[ "$(names <<<"$output")" = "张三,Zoe" ]
	[ "$(field 2 status <<<"$output")" = qualified ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	assert_unchanged before
}

@test "pipelines: import | qualify, list --status lead | disqualify" {
	init_db
	printf 'name\tphone\nA\t13100000001\nB\t13100000002\nC\t13100000003\n' >a.tsv
	run_split bash -c 'crm-lead import -q a.tsv | crm-lead qualify'
	assert_status 0
	[ "$(names <<<"$output")" = "A,B,C" ]
	[ "$(sql "SELECT group_concat(status, ',') FROM customers")" = "qualified,qualified,qualified" ]
	printf 'name,phone\nD,13100000004\nE,13100000005\n' >b.csv
	run_split bash -c 'crm-lead import --csv -q b.csv | crm-lead qualify --csv'
	assert_status 0
	[ "${lines[0]%%,*}" = id ]
	crm-lead add -q --name F >/dev/null
	run_split bash -c 'crm-lead list --status lead | crm-lead disqualify --reason 重复'
	assert_status 0
	[ "$(names <<<"$output")" = "F" ]
	[ "$(sql "SELECT name, status, status_reason FROM customers WHERE status = 'disqualified'")" = "F	disqualified	重复" ]
	# nothing listed, nothing to do: an empty stream, its header alone
	run_split bash -c 'crm-lead list --status lead | crm-lead disqualify --reason 重复'
	assert_status 0
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]%%	*}" = id ]
}

@test "pipelines: a writer reading a slow pipe holds no lock while it reads" {
	init_db
	mkfifo in
	# the import reads its whole input before it takes the write lock
	bash -c 'crm-lead import -q <in | crm-lead qualify --wait 0 >out 2>err; echo "${PIPESTATUS[*]}" >rc' 3>&- &
	exec 5>in
	printf 'name\tphone\nA\t13100000001\n' >&5
	sleep 0.3
	# meanwhile another writer gets the lock at once, and writes
	crm-lead add -q --wait 0 --name 旁人 >/dev/null
	exec 5>&-
	wait
	[ "$(cat rc)" = "0 0" ] || { cat rc err; return 1; }
	[ "$(field 1 status <out)" = qualified ]
	[ "$(sql "SELECT group_concat(name || ':' || status, ',') FROM customers")" = "旁人:lead,A:qualified" ]
}

# ---- merge, unmerge ----------------------------------------------------

merge_fixture() {
	init_db
	seed_people
	printf 'name\tphone\towner\tpool\n' >m.tsv
	printf 'A\t13200000001\t\\N\t\\N\nB\t13200000002\tli\t\\N\nC\t13200000003\t\\N\t华东公海\n' >>m.tsv
	crm-lead import -q m.tsv >/dev/null
	sql "INSERT INTO activities (customer_id, kind, at, created_at) VALUES
	       (2, 'call', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
	       (2, 'visit', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z'),
	       (3, 'note', NULL, '2026-11-03T00:00:00Z'),
	       (1, 'email', '2026-11-04T00:00:00Z', '2026-11-04T00:00:00Z');
	     INSERT INTO deals (customer_id, title, stage_id, stage_since, created_at) VALUES
	       (2, '50 把椅子', 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');
	     INSERT INTO contacts (customer_id, name, created_at) VALUES
	       (2, '采购 王', '2026-11-01T00:00:00Z'), (3, '前台', '2026-11-01T00:00:00Z')"
}

children() {	# children ID: activities, deals, contacts of customer ID
	sql "SELECT (SELECT group_concat(id, ',') FROM (SELECT id FROM activities WHERE customer_id = $1 ORDER BY id) x),
	            (SELECT group_concat(id, ',') FROM (SELECT id FROM deals WHERE customer_id = $1 ORDER BY id) x),
	            (SELECT group_concat(id, ',') FROM (SELECT id FROM contacts WHERE customer_id = $1 ORDER BY id) x)"
}

@test "merge moves activities, deals and contacts to KEEP; unmerge restores them" {
	merge_fixture
	[ "$(children 1)" = "4		" ]
	run_split crm-lead merge 1 2 3
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 1 ]
	[ "$(children 1)" = "1,2,3,4	1	1,2" ]
	[ "$(children 2)" = "		" ]
	[ "$(sql "SELECT id, coalesce(CAST(merged_into AS TEXT), 'NULL'), coalesce(CAST(owner_id AS TEXT), 'NULL'), coalesce(CAST(pool_id AS TEXT), 'NULL') FROM customers ORDER BY id")" = \
"1	NULL	NULL	NULL
2	1	NULL	NULL
3	1	NULL	NULL" ]
	[ "$(sql "SELECT keep_id, dup_id FROM merges ORDER BY id")" = "1	2
1	3" ]
	# one batch per duplicate, so each can be undone alone
	[ "$(sql "SELECT count(DISTINCT batch_id) FROM merges")" = 2 ]
	[ "$(sql "SELECT entity, entity_id, field, old_value, new_value FROM history WHERE reason = 'merge' AND entity <> 'customer' ORDER BY entity, entity_id")" = \
"activity	1	customer_id	2	1
activity	2	customer_id	2	1
activity	3	customer_id	3	1
contact	1	customer_id	2	1
contact	2	customer_id	3	1
deal	1	customer_id	2	1" ]
	[ "$(sql "SELECT entity_id, field, coalesce(old_value, 'NULL'), coalesce(new_value, 'NULL') FROM history WHERE reason = 'merge' AND entity = 'customer' ORDER BY id")" = \
"2	owner	li	NULL
2	merged_into	NULL	1
3	pool	华东公海	NULL
3	merged_into	NULL	1" ]
	# merged leads leave the list, and come back with -a
	[ "$(crm-lead list | names)" = "A" ]
	[ "$(crm-lead list -a | names)" = "A,B,C" ]
	[ "$(crm-lead list -a -l | field 2 merged_into)" = 1 ]
	# a merged duplicate no longer blocks a new lead with its phone
	run_split crm-lead add -n --name x --phone 13200000002
	assert_status 0
	run_split crm-lead unmerge 2
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 2 ]
	[ "$(field 1 owner <<<"$output")" = li ]
	[ "$(field 1 merged_into <<<"$output")" = '' ]
	[ "$(children 2)" = "1,2	1	1" ]
	[ "$(children 1)" = "3,4		2" ]
	[ "$(sql "SELECT count(*) FROM merges WHERE undone_at = '2026-11-22T09:00:00Z'")" = 1 ]
	run_split crm-lead unmerge 3
	assert_status 0
	[ "$(field 1 pool <<<"$output")" = 华东公海 ]
	[ "$(children 3)" = "3		2" ]
	[ "$(children 1)" = "4		" ]
	[ "$(crm-lead list | names)" = "A,B,C" ]
}

@test "merge and unmerge: errors and --dry-run change nothing" {
	merge_fixture
	snapshot >before
	run_split crm-lead merge 1 1
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"merge 1 into 1: id: cannot merge a customer into itself"* ]]
	run_split crm-lead merge 9 2
	assert_status 1
	[[ "$stderr" == *"merge 2 into 9: id: no customer 9"* ]]
	run_split crm-lead merge 1 2 9
	assert_status 1
	[[ "$stderr" == *"merge 9 into 1: id: no customer 9"* ]]
	run_split crm-lead unmerge 2
	assert_status 1
	[[ "$stderr" == *"unmerge 2: id: customer 2 is not merged"* ]]
	assert_unchanged before
	run_split crm-lead merge -n 1 2
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 1 ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	assert_unchanged before
	crm-lead merge -q 1 2 >/dev/null
	run_split crm-lead merge 3 2
	assert_status 1
	[[ "$stderr" == *"merge 2 into 3: id: no customer 2 (or merged already)"* ]]
	run_split crm-lead merge 2 3
	assert_status 1
	[[ "$stderr" == *"no customer 2"* ]]
	snapshot >before
	run_split crm-lead unmerge --dry-run 2
	assert_status 0
	assert_unchanged before
	crm-lead unmerge -q 2 >/dev/null
	run_split crm-lead unmerge 2
	assert_status 1
	[[ "$stderr" == *"customer 2 is not merged"* ]]
}
