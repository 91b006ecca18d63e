#!/usr/bin/env bats
# crm-db: the database itself: its schema version, upgrades, copies from
# one engine to the other, backups, the check.  Runs on both engines.

load helpers

# A small database: an admin (boss), a rep (li), a pool, customers with a
# custom field, a contact, a follow-up, a deal and their history.
fill() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-db config test-clock on -q >/dev/null
	crm-user add li --team east -q >/dev/null
	crm-pool create 东区 --members team:east -q >/dev/null
	printf 'name\tcompany\tphone\temail\towner\tpool\t微信\n' >c.tsv
	printf '李一\t甲公司\t13800000001\tyi@jia.cn\tli\t\twx-1\n' >>c.tsv
	printf '张三\t丙公司\t13800000003\tsan@bing.cn\t\t东区\t\n' >>c.tsv
	printf '赵四\t丁公司\t0755-86001234\t\t\t\twx-4\n' >>c.tsv
	crm-lead import -q c.tsv >/dev/null
	crm-lead contact add 1 --name 王经理 --phone 13900000009 -q >/dev/null
	crm-activity --as li log 1 --kind call --note '问价格' -q >/dev/null
	crm-deal add 1 --title 首单 --amount 1000 -q >/dev/null
	crm-lead qualify 3 -q >/dev/null
}

# everything a user sees of the database, as the programs print it
content() {
	crm-lead list -a -l
	crm-lead show 1 2 3
	crm-lead history 1 3
	crm-user list -a
	crm-pool pools
	crm-deal list
	crm-activity list
	crm-lead contact list 1
	crm-db config
}

# set_version N: stamp the schema as version N behind the programs' back
set_version() {
	if [ "$(engine)" = postgresql ]; then
		sql "UPDATE crm_meta SET version = $1"
	else
		sql "PRAGMA user_version = $1"
	fi
}

@test "version: the engine, the schema's version and the program's, nothing changed" {
	crm-db init -q >/dev/null
	run_split crm-db version
	assert_status 0
	n=$(ls "$TOP"/src/lib/schema/[0-9]*.sql | wc -l)
	[ "$output" = "engine	schema	program	state
$(engine)	$n	$n	current" ]
	set_version 99
	run_split crm-db version
	assert_status 0
	[ "$(field 1 state <<<"$output")" = "newer: upgrade crm" ]
	[ "$(field 1 schema <<<"$output")" = 99 ]
	# every other program refuses it, the same way on both engines
	run_split crm-db migrate
	assert_status 1
	[[ "$stderr" == *"has schema version 99, newer than this program knows ($n): upgrade crm"* ]]
	run_split crm-lead list
	assert_status 1
	[[ "$stderr" == *"has schema version 99, newer than this program knows ($n)"* ]]
}

@test "version and migrate name a missing database and create none" {
	for cmd in version migrate; do
		run_split crm-db $cmd
		assert_status 1
		[[ "$stderr" == *"no database '$CRM_DB'"* ]]
		no_db
	done
}

@test "migrate: an existing database at this program's version stays as it is" {
	fill
	before=$(dump | cksum)
	run_split crm-db migrate
	assert_status 0
	n=$(ls "$TOP"/src/lib/schema/[0-9]*.sql | wc -l)
	[ "$output" = "engine	from	to
$(engine)	$n	$n" ]
	[ "$(dump | cksum)" = "$before" ]
}

@test "copy: a whole database into a new one of either engine, ids kept, checked per table" {
	fill
	content >before.txt
	# into a SQLite file, and from it into a new database of this run's engine
	run_split crm-db copy "$CRM_DB" "$BATS_TEST_TMPDIR/copy.db"
	assert_status 0
	[ "$(head -1 <<<"$output")" = "table	rows	checksum	state" ]
	[ "$(field 1 table <<<"$output")" = teams ]
	# every table checked, and every check passed
	[ "$(awk -F'\t' 'NR > 1 && $4 != "ok"' <<<"$output")" = "" ]
	[ "$(awk -F'\t' '$1 == "customers" { print $2 }' <<<"$output")" = 3 ]
	[ "$(awk -F'\t' '$1 == "history" { print $2 }' <<<"$output")" = "$(sql "SELECT count(*) FROM history")" ]
	sums=$(cut -f1-3 <<<"$output")
	back=$(other_db back.db)
	run_split crm-db copy "$BATS_TEST_TMPDIR/copy.db" "$back"
	assert_status 0
	# the same rows and values on the way back: the same checksums
	[ "$(cut -f1-3 <<<"$output")" = "$sums" ]
	CRM_DB=$back content >after.txt
	diff before.txt after.txt
	# the copies work: li may log in and act (on PostgreSQL, its login was
	# granted the rep group of the new database), ids go on from the last
	run_split env CRM_DB="$back" crm-lead --as li add --name 新客 --phone 13800000077
	assert_status 0
	[ "$(field 1 id <<<"$output")" = 4 ]
	[ "$(field 1 owner <<<"$output")" = li ]
	run_split env CRM_DB="$back" crm-lead --as li show 2
	assert_status 0
	[ "$(field 1 phone <<<"$output")" = '138****0003' ]
}

@test "copy: a target that holds data is refused unless --replace" {
	fill
	crm-db copy -q "$CRM_DB" "$BATS_TEST_TMPDIR/copy.db" >/dev/null
	printf 'name\n后来\n' | CRM_DB="$BATS_TEST_TMPDIR/copy.db" crm-lead import -q >/dev/null
	before=$(CRM_DB="$BATS_TEST_TMPDIR/copy.db" crm-lead list -a | cksum)
	run_split crm-db copy "$CRM_DB" "$BATS_TEST_TMPDIR/copy.db"
	assert_status 1
	[[ "$stderr" == *"copy: '$BATS_TEST_TMPDIR/copy.db' holds data already: copy into a new database, or replace its content with --replace"* ]]
	[ -z "$output" ]
	[ "$(CRM_DB="$BATS_TEST_TMPDIR/copy.db" crm-lead list -a | cksum)" = "$before" ]
	run_split crm-db copy --replace "$CRM_DB" "$BATS_TEST_TMPDIR/copy.db"
	assert_status 0
	[ "$(CRM_DB="$BATS_TEST_TMPDIR/copy.db" crm-lead list -a | cut -f2 | tr '\n' ' ')" = "name 李一 张三 赵四 " ]
	run_split crm-db copy "$CRM_DB" "$CRM_DB"
	assert_status 1
	[[ "$stderr" == *"is both the source and the target"* ]]
}

@test "copy and backup are an admin's" {
	fill
	run_split crm-db --as li copy "$CRM_DB" "$BATS_TEST_TMPDIR/copy.db"
	assert_status 1
	[[ "$stderr" == *"permission denied: copying a database needs an admin (you are 'li', a rep)"* ]]
	run_split crm-db --as li backup b.db
	assert_status 1
	[[ "$stderr" == *"permission denied: a backup needs an admin"* ]]
}

@test "backup: a consistent copy into a new SQLite file, from either engine" {
	fill
	content >before.txt
	run_split crm-db backup b.db
	assert_status 0
	[[ "$stderr" == *"backed up '$CRM_DB' to 'b.db'"* ]]
	CRM_DB=b.db content >after.txt
	diff before.txt after.txt
	run_split crm-db backup b.db
	assert_status 1
	[[ "$stderr" == *"'b.db' exists: a backup goes to a new file"* ]]
}

@test "check: a sound database has no problem; a broken invariant is named" {
	fill
	run_split crm-db check
	assert_status 0
	[ "$output" = "check	entity	id	problem" ]
	sql "UPDATE customers SET owner_since = NULL WHERE id = 1"
	run_split crm-db check
	assert_status 1
	[ "$(tail -n +2 <<<"$output")" = "clock	customer	1	owned, no owner_since" ]
	[[ "$stderr" == *"1 problem"* ]]
}
