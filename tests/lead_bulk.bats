#!/usr/bin/env bats
# crm-lead import in bulk: past CRM_IMPORT_BULK_ROWS rows (and past the
# size of the table) the key indexes are dropped, rows appended, the
# indexes built again, and rows that may be duplicates checked at the end.
# It must decide exactly what one-at-a-time import decides.

load helpers

setup_file() {
	cc -O1 -o "$BATS_FILE_TMPDIR/gen-leads" \
	    "$BATS_TEST_DIRNAME/bench/gen-leads.c"
}

local_setup() {
	GEN="$BATS_FILE_TMPDIR/gen-leads"
	NEVER=1000000000
}

# on DB CMD...: CMD with CRM_DB the test's database DB (db_named), or
# the test's own for "main".
on() {
	local db=$1
	shift
	if [ "$db" = main ]; then
		"$@"
	else
		CRM_DB=$(db_named "$db") "$@"
	fi
}

# import_to BULK_ROWS DB FILE [ARGS...]: import into DB as it is ("main",
# or one copy_db made); stdout to DB.out, stderr to DB.err.
import_to() {
	local rows=$1 db=$2 file=$3
	shift 3
	CRM_IMPORT_BULK_ROWS=$rows on "$db" crm-lead import "$@" "$file" \
	    >"$db.out" 2>"$db.err"
}

# import_as BULK_ROWS DB FILE [ARGS...]: import_to into DB, a fresh one
# but for "main".
import_as() {
	[ "$2" = main ] || other_db "$2" >/dev/null
	import_to "$@"
}

# reported DB: each "not imported" line as LINE, the name of the customer
# it duplicates, and the key, so runs that number ids apart compare.
reported() {
	local db=$1
	grep 'not imported: duplicate of customer' "$db.err" |
	    sed 's/^crm-lead: [^:]*:\([0-9]*\): not imported: duplicate of customer \([0-9]*\) (same \([a-z]*\)).*/\1 \2 \3/' |
	    awk -v names=<(on "$db" sql "SELECT id, name FROM customers") '
		BEGIN { FS = "\t"; while ((getline l < names) > 0) {
			split(l, f, "\t"); name[f[1]] = f[2] }; FS = " " }
		{ printf "%s\t%s\t%s\n", $1, name[$2], $3 }'
}

@test "bulk, one at a time and a switch half-way decide the same, with the same output" {
	"$GEN" -n 3000 --dup-rate 25 -s 7 >leads.tsv
	import_as $NEVER one.db leads.tsv
	import_as 0 bulk.db leads.tsv
	import_as 700 half.db leads.tsv
	created=$(on one.db sql "SELECT count(*) FROM customers")
	# there were duplicates (a failed [ ] before && would not fail the test)
	[ "$created" -gt 2000 ]
	[ "$created" -lt 2900 ]
	[ "$(reported one.db | wc -l)" -eq $((3000 - created)) ]
	for db in bulk.db half.db; do
		[ "$(on $db sql "SELECT count(*) FROM customers")" = "$created" ]
		# the same rows out, in input order, with the same ids
		diff one.db.out $db.out
		diff <(on one.db sql "SELECT * FROM customer_keys ORDER BY 1, 2") \
		    <(on $db sql "SELECT * FROM customer_keys ORDER BY 1, 2")
		diff <(tail -n 1 one.db.err) <(tail -n 1 $db.err)
		diff <(reported one.db) <(reported $db)
		diff <(on one.db crm-lead list | cut -f2-12) \
		    <(on $db crm-lead list | cut -f2-12)
		# the ids printed are those of the customers created, and no other
		diff <(tail -n +2 $db.out | cut -f1,2) \
		    <(on $db sql "SELECT id, name FROM customers ORDER BY id")
		diff <(on one.db indexes) <(on $db indexes)
		on $db integrity
	done
}

@test "a row that matches only a skipped duplicate is created, in bulk as one at a time" {
	printf 'name\tcompany\tphone\temail\n' >in.tsv
	printf '甲\t\t13800000001\ta@example.cn\n' >>in.tsv	# created
	printf '乙\t\t13800000001\tb@example.cn\n' >>in.tsv	# same phone as 甲
	printf '丙\t\t13800000003\tb@example.cn\n' >>in.tsv	# only as 乙: created
	printf '丁\t\t13800000004\tA@example.cn\n' >>in.tsv	# same email as 甲
	printf '戊\t\t+86 138 0000 0003\t\n' >>in.tsv		# same phone as 丙
	for rows in $NEVER 0 2; do
		import_as $rows t.db in.tsv
		[ "$(cut -f2 t.db.out | tr '\n' ' ')" = "name 甲 丙 " ]
		[ "$(reported t.db | tr '\t\n' ', ')" = "3,甲,phone 5,甲,email 6,丙,phone " ]
		[[ "$(cat t.db.err)" == *"2 created, 0 updated, 3 duplicates skipped"* ]]
		[[ "$(cat t.db.err)" == *"created from an earlier row of this input"* ]]
	done
}

@test "bulk: duplicates of customers already there are caught, with their owner" {
	"$GEN" -n 400 -s 3 >old.tsv
	crm-lead import -q old.tsv >/dev/null
	sql "INSERT INTO users (login, created_at) VALUES ('li', '2026-01-01T00:00:00Z');
	     UPDATE customers SET owner_id = 1, owner_since = created_at WHERE id <= 10"
	"$GEN" -n 500 -s 4 >new.tsv
	# five old leads again, written differently
	tail -n +2 old.tsv | head -n 5 |
	    awk -F'\t' -v OFS='\t' '{ $1 = $1 "二"; $4 = toupper($4); print }' >>new.tsv
	copy_db one.db >/dev/null
	CRM_IMPORT_BULK_ROWS=$NEVER on one.db crm-lead import new.tsv >one.db.out 2>one.db.err
	import_as 0 main new.tsv
	diff <(tail -n 1 one.db.err) <(tail -n 1 main.err)
	diff <(reported one.db) <(reported main)
	[ "$(grep -c 'owned by li' main.err)" -ge 5 ]
	diff <(cut -f2- one.db.out) <(cut -f2- main.out)
	integrity
}

@test "bulk as a rep: duplicates of another rep's customers, asked of the server as rows go in, decide as one at a time" {
	CRM_USER=boss crm-user add -q boss --role admin >/dev/null
	CRM_USER=boss crm-user add -q li >/dev/null
	CRM_USER=boss crm-user add -q wang >/dev/null
	CRM_USER=boss crm-db config -q test-clock on >/dev/null
	"$GEN" -n 300 -s 5 >old.tsv
	CRM_USER=li crm-lead import -q old.tsv >/dev/null
	# 1,500 new leads, a quarter repeating earlier ones, and every 60th
	# line one of li's leads again, written differently
	"$GEN" -n 1500 --dup-rate 25 -s 6 |
	    awk -F'\t' -v OFS='\t' -v old=<(tail -n +2 old.tsv) '
		{ print }
		NR > 1 && NR % 60 == 0 && (getline l < old) > 0 {
			n = split(l, f, "\t"); f[1] = f[1] "二"; f[4] = toupper(f[4])
			for (i = 1; i <= n; i++) printf "%s%s", f[i], i < n ? OFS : ORS }' >new.tsv
	copy_db one.db >/dev/null
	CRM_IMPORT_BULK_ROWS=$NEVER CRM_USER=wang on one.db crm-lead import new.tsv \
	    >one.db.out 2>one.db.err
	CRM_IMPORT_BULK_ROWS=0 CRM_USER=wang crm-lead import new.tsv >main.out 2>main.err
	[ "$(grep -c 'owned by li' main.err)" -ge 25 ]
	diff <(tail -n 1 one.db.err) <(tail -n 1 main.err)
	diff <(reported one.db) <(reported main)
	diff <(cut -f2- one.db.out) <(cut -f2- main.out)
	[ "$(sql "SELECT count(*) FROM customers WHERE owner_id =
	    (SELECT id FROM users WHERE login = 'wang')")" -gt 1000 ]
	integrity
}

# fields DB: each custom field of DB with the number of values it holds.
fields() {
	on "$1" sql "SELECT f.name || ':' || count(*) FROM customer_fields v
	    JOIN custom_fields f ON f.id = v.field_id GROUP BY f.name ORDER BY 1"
}

@test "bulk: the input's own columns are kept as fields, a rep's and an admin's, as one at a time" {
	CRM_USER=boss crm-user add -q boss --role admin >/dev/null
	CRM_USER=boss crm-user add -q wang >/dev/null
	CRM_USER=boss crm-db config -q test-clock on >/dev/null
	# two columns of the user's own; every third 微信 empty
	"$GEN" -n 1500 --dup-rate 10 -s 8 |
	    awk -F'\t' -v OFS='\t' 'NR == 1 { print $0, "微信", "备注"; next }
		{ print $0, (NR % 3 ? "wx" NR : ""), "备注 " NR }' >own.tsv
	for who in boss wang; do
		other_db $who.one.db >/dev/null
		other_db $who.bulk.db >/dev/null
		CRM_IMPORT_BULK_ROWS=$NEVER CRM_USER=$who on $who.one.db crm-lead import own.tsv \
		    >$who.one.out 2>$who.one.err
		CRM_IMPORT_BULK_ROWS=0 CRM_USER=$who on $who.bulk.db crm-lead import own.tsv \
		    >$who.bulk.out 2>$who.bulk.err
		diff <(tail -n 1 $who.one.err) <(tail -n 1 $who.bulk.err)
		diff <(CRM_USER=$who on $who.one.db crm-lead list | cut -f1-12,14-) \
		    <(CRM_USER=$who on $who.bulk.db crm-lead list | cut -f1-12,14-)
		# a value for each non-empty cell, and no other: every lead has
		# its 备注, and a third have no 微信
		n=$(on $who.bulk.db sql "SELECT count(*) FROM customers")
		[ "$(fields $who.bulk.db | grep '^备注:')" = "备注:$n" ]
		wx=$(fields $who.bulk.db | sed -n 's/^微信://p')
		[ "$wx" -gt $((n / 2)) ]
		[ "$wx" -lt "$n" ]
		diff <(fields $who.one.db) <(fields $who.bulk.db)
		on $who.bulk.db integrity
	done
}

@test "bulk: a duplicate taken out again leaves no history, custom values or output" {
	printf 'name\n' | crm-lead import -q >/dev/null
	sql "INSERT INTO users (login, created_at) VALUES ('li', '2026-01-01T00:00:00Z')"
	printf 'name\tphone\towner\twechat\n甲\t13800000001\tli\twx-a\n乙\t13800000001\tli\twx-b\n丙\t13800000002\tli\twx-c\n' >in.tsv
	import_as 0 main in.tsv
	[ "$(cut -f2 main.out | tr '\n' ' ')" = "name 甲 丙 " ]
	[ "$(sql "SELECT group_concat(name) FROM (SELECT name FROM customers ORDER BY id) x")" = "甲,丙" ]
	ids=$(sql "SELECT group_concat(id) FROM customers")
	[ "$(sql "SELECT count(*) FROM history WHERE entity = 'customer' AND entity_id NOT IN ($ids)")" = 0 ]
	[ "$(sql "SELECT count(*) FROM history WHERE field = 'owner'")" = 2 ]
	[ "$(sql "SELECT group_concat(value) FROM (SELECT value FROM customer_fields ORDER BY customer_id) x")" = "wx-a,wx-c" ]
	[ "$(sql "SELECT rows FROM batches WHERE command = 'crm-lead import' ORDER BY id DESC LIMIT 1")" = 2 ]
}

@test "bulk --dry-run changes nothing" {
	"$GEN" -n 300 -s 5 >old.tsv
	crm-lead import -q old.tsv >/dev/null
	before=$(dump | cksum)
	"$GEN" -n 600 --dup-rate 20 -s 6 >new.tsv
	CRM_IMPORT_BULK_ROWS=0 run_split crm-lead import --dry-run new.tsv
	assert_status 0
	[[ "$stderr" == *"would have: "*" created"* ]]
	[ "$(count_rows <<<"$output")" -gt 400 ]
	[ "$(dump | cksum)" = "$before" ]
}

@test "bulk: allow creates every row; error and update answer each row at once" {
	"$GEN" -n 200 --dup-rate 30 -s 8 >in.tsv
	import_as 0 allow.db in.tsv --on-duplicate allow
	[ "$(on allow.db sql "SELECT count(*) FROM customers")" = 200 ]
	[ "$(count_rows <allow.db.out)" = 200 ]
	on allow.db integrity
	# error: the first duplicate fails the import, as one at a time
	import_as $NEVER one.db in.tsv --on-duplicate error || true
	run import_as 0 err.db in.tsv --on-duplicate error
	assert_status 1
	diff <(grep -v '^crm-lead: in.tsv: .* bad row' one.db.err | sed 's/customer [0-9]*/customer N/') \
	    <(grep -v '^crm-lead: in.tsv: .* bad row' err.db.err | sed 's/customer [0-9]*/customer N/')
	[ ! -s err.db.out ]
	# update: the same updates either way
	import_as $NEVER one-u.db in.tsv --on-duplicate update
	import_as 0 bulk-u.db in.tsv --on-duplicate update
	diff one-u.db.out bulk-u.db.out
	diff <(on one-u.db crm-lead list) <(on bulk-u.db crm-lead list)
}

@test "bulk --skip-bad imports the good rows and rejects the bad ones" {
	"$GEN" -n 100 --dup-rate 20 -s 9 >in.tsv
	printf '\t\t\tnot-an-email\t\t\t\n' >>in.tsv
	import_as $NEVER one.db in.tsv --skip-bad --rejects one.rej
	import_as 0 bulk.db in.tsv --skip-bad --rejects bulk.rej
	diff one.rej bulk.rej
	[ "$(count_rows <bulk.rej)" = 1 ]
	diff <(cut -f2- one.db.out) <(cut -f2- bulk.db.out)
	diff <(reported one.db) <(reported bulk.db)
}

@test "bulk over several CSV files: duplicates across files name the later file and line" {
	"$GEN" -n 300 --csv -s 11 >a.csv
	{ head -n 1 a.csv; "$GEN" -n 200 --csv -s 12 | tail -n +2; tail -n +2 a.csv | head -n 4; } >b.csv
	# import_as puts its file last: a.csv, then b.csv
	import_as $NEVER one.db b.csv --csv a.csv
	import_as 0 bulk.db b.csv --csv a.csv
	diff <(tail -n 1 one.db.err) <(tail -n 1 bulk.db.err)
	diff <(reported one.db) <(reported bulk.db)
	[ "$(grep -c '^crm-lead: b.csv:20[2-5]: not imported' bulk.db.err)" = 4 ]
	# CSV out, in input order, the same rows but for their ids
	diff <(cut -d, -f2- one.db.out) <(cut -d, -f2- bulk.db.out)
	[ "$(head -n 1 bulk.db.out)" = "id,name,company,phone,email,region,industry,source" ]
}

@test "bulk --on-duplicate pass writes the ids one at a time writes, as JSON too" {
	"$GEN" -n 400 -s 13 >old.tsv
	crm-lead import -q old.tsv >/dev/null
	{ "$GEN" -n 600 --dup-rate 20 -s 14; tail -n +2 old.tsv | head -n 30; } >new.tsv
	copy_db one.db >/dev/null
	import_to $NEVER one.db new.tsv --on-duplicate pass --json
	import_to 0 main new.tsv --on-duplicate pass --json
	diff one.db.out main.out
	# every input row out once; the 30 old leads with their old ids
	[ "$(wc -l <main.out)" = 630 ]
	[ "$(tail -n 30 main.out | grep -c '^{"id":\([1-9]\|[1-9][0-9]\|[1-3][0-9][0-9]\),')" = 30 ]
	diff <(tail -n 1 one.db.err) <(tail -n 1 main.err)
}

@test "bulk: a malformed line stops the import there, after what came before it was said; nothing is written" {
	"$GEN" -n 100 -s 15 >seed.tsv
	crm-lead import -q seed.tsv >/dev/null
	before=$(dump | cksum)
	"$GEN" -n 3000 --csv --dup-rate 10 -s 16 >in.csv
	awk 'NR == 2500 { $0 = "\"" $0 } { print }' in.csv >bad.csv
	# what one at a time reports of the lines before it
	head -n 2499 in.csv >head.csv
	copy_db one.db >/dev/null
	import_to $NEVER one.db head.csv --csv
	CRM_IMPORT_BULK_ROWS=100 run_split crm-lead import --csv bad.csv
	assert_status 1
	[ -z "$output" ]
	[[ "${stderr##*$'\n'}" == 'crm-lead: bad.csv:'*': malformed quoting in the record begun on line 2500 '* ]]
	[ "$(grep -c 'not imported' one.db.err)" -gt 100 ]
	diff <(grep 'not imported' one.db.err | sed 's/head.csv/bad.csv/') \
	    <(grep 'not imported' <<<"$stderr")
	[ "$(dump | cksum)" = "$before" ]
}

@test "a key found by its hash is compared as text before it makes a duplicate" {
	printf 'name\tphone\n甲\t13800000001\n' | crm-lead import -q >/dev/null
	# customer 1's phone hash now stands for another phone
	sql "UPDATE customers SET phone_key = '13800000009' WHERE id = 1"
	printf 'name\tphone\n乙\t13800000001\n' >in.tsv
	for rows in $NEVER 0; do
		copy_db t$rows.db >/dev/null
		import_to $rows t$rows.db in.tsv
		[ "$(cut -f1,2 t$rows.db.out | tr '\t\n' ': ')" = "id:name 2:乙 " ]
	done
}

@test "migration 7: a database from before customer_keys gets every customer's keys" {
	"$GEN" -n 500 --dup-rate 0 -s 17 >old.tsv
	crm-lead import -q old.tsv >/dev/null
	keys=$(sql "SELECT count(phone_key) + count(email_key) + count(company_key) FROM customers")
	# as schema 6 had it: three text indexes, no customer_keys
	sql "DROP TABLE customer_keys;
	    CREATE INDEX customers_phone_key ON customers(phone_key) WHERE phone_key IS NOT NULL AND merged_into IS NULL;
	    CREATE INDEX customers_email_key ON customers(email_key) WHERE email_key IS NOT NULL AND merged_into IS NULL;
	    CREATE INDEX customers_company_key ON customers(company_key) WHERE company_key IS NOT NULL AND merged_into IS NULL;
	    $(if [ "$(engine)" = postgresql ]; then echo "UPDATE crm_meta SET version = 6"; else echo "PRAGMA user_version = 6"; fi)"
	[ "$(crm-db version | field 1 schema)" = 6 ]
	crm-lead list >/dev/null
	[ "$(crm-db version | field 1 schema)" -gt 6 ]
	[ "$keys" -ge 1400 ]
	[ "$(sql "SELECT count(*) FROM customer_keys")" = "$keys" ]
	[ "$(indexes | grep -c '^customers_[a-z]*_key')" = 0 ]
	# every customer's keys found through them: each old lead again is a duplicate of itself
	{ head -n 1 old.tsv; tail -n +2 old.tsv | awk -F'\t' -v OFS='\t' '{ $1 = $1 "二"; print }'; } >again.tsv
	run_split crm-lead import again.tsv
	assert_status 0
	[ "$(count_rows <<<"$output")" = 0 ]
	[[ "$stderr" == *"0 created, 0 updated, 500 duplicates skipped"* ]]
}

@test "dups after an import that allowed them: each duplicate once, against the lowest id, bulk as one at a time" {
	printf 'name\tphone\temail\n' >in.tsv
	printf '甲\t13800000001\ta@x.cn\n乙\t13800000002\tb@x.cn\n' >>in.tsv
	printf '丙\t138-0000-0001\tc@x.cn\n丁\t13800000004\tB@x.cn\n' >>in.tsv
	printf '戊\t13800000001\tb@x.cn\n' >>in.tsv
	for rows in $NEVER 0; do
		import_as $rows t$rows.db in.tsv --on-duplicate allow
		[ "$(on t$rows.db crm-lead dups | cut -f1-3 | tr '\t\n' ', ')" = \
		    "keep,dup,on 1,3,phone 2,4,email 1,5,phone " ]
	done
}

@test "bulk on a terminal: a progress line while the keys held back are written" {
	"$GEN" -n 300 -s 18 >in.tsv
	CRM_FORCE_TTY=1 CRM_IMPORT_BULK_ROWS=10 run_split crm-lead import in.tsv
	assert_status 0
	[[ "$stderr" == *"writing keys ["*"] 100%, done."* ]]
}

@test "PostgreSQL: a table filled in bulk has its statistics at once, for the next command's plans" {
	skip_on sqlite "statistics for the server's planner"
	"$GEN" -n 10500 --dup-rate 0 -s 23 >big.tsv
	crm-lead import -q big.tsv >/dev/null
	# never analyzed, a table counts -1 rows, and plans take it for empty
	[ "$(sql "SELECT reltuples::bigint FROM pg_class WHERE oid = 'crm.customers'::regclass")" -ge 10000 ]
	[ "$(sql "SELECT reltuples::bigint FROM pg_class WHERE oid = 'crm.customer_keys'::regclass")" -ge 20000 ]
}
