#!/usr/bin/env bats
# crm-user: reps and teams, roles and the authorization rules.

load helpers

# An admin "boss" (added under the bootstrap rule) acting from now on;
# the test clock is switched on so that reps may act at the fixed CRM_NOW.
admin() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-db config test-clock on >/dev/null
}

# A snapshot of everything crm-user writes, to prove a refusal changed nothing.
snapshot() {
	sql "SELECT * FROM users ORDER BY id; SELECT * FROM teams ORDER BY id;
	    SELECT count(*) FROM history; SELECT count(*) FROM batches"
}

@test "add: a rep with a team, capacity and tags; the team is created with a note" {
	run_split crm-user add li --team 华东 --role rep --capacity 30 --weight 2 \
	    --regions '华东， 华南、华北' --industries 制造 --name 李四 --email li@example.com
	assert_status 0
	[ "$(head -1 <<<"$output")" = "login	name	email	team	role	capacity	weight	regions	industries	away_from	away_until	active	owned" ]
	[ "$(field 1 login <<<"$output")" = li ]
	[ "$(field 1 team <<<"$output")" = 华东 ]
	[ "$(field 1 capacity <<<"$output")" = 30 ]
	[ "$(field 1 weight <<<"$output")" = 2 ]
	[ "$(field 1 regions <<<"$output")" = 华东,华南,华北 ]
	[ "$(field 1 active <<<"$output")" = 1 ]
	[ "$(field 1 owned <<<"$output")" = 0 ]
	[[ "$stderr" == *"note: created team '华东'"* ]]
	[ "$(sql "SELECT name, email, role FROM users")" = "李四	li@example.com	rep" ]
	[ "$(sql "SELECT count(*) FROM teams WHERE name = '华东'")" = 1 ]
	# every field is recorded as set at creation, defaults too; the team's creation too
	[ "$(sql "SELECT field || '=' || new_value FROM history WHERE entity = 'user' ORDER BY id" | tr '\n' ' ')" = \
	    "login=li name=李四 email=li@example.com team=华东 role=rep capacity=30 weight=2 regions=华东,华南,华北 industries=制造 active=1 " ]
	[ "$(sql "SELECT entity, field, coalesce(old_value, 'NULL'), new_value, reason FROM history WHERE entity = 'team'")" = "team	name	NULL	华东	created" ]
	[ "$(sql "SELECT DISTINCT command FROM history")" = "crm-user add" ]
}

@test "add: defaults are rep, weight 1, no capacity; a second member joins the team quietly" {
	crm-user add li --team east -q >/dev/null
	run_split crm-user add wang --team east
	assert_status 0
	[ "$(field 1 role <<<"$output")" = rep ]
	[ "$(field 1 weight <<<"$output")" = 1 ]
	[ "$(field 1 capacity <<<"$output")" = '' ]
	[[ "$stderr" != *"created team"* ]]
	[ "$(sql "SELECT count(*) FROM teams")" = 1 ]
}

@test "add: an existing login is refused and nothing changes" {
	admin
	crm-user add li -q >/dev/null
	before=$(snapshot)
	run_split crm-user add li --capacity 5
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"not added: login: user 'li' exists already (use update)"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "add: bad role, capacity, weight and leave are usage errors; the database is not created" {
	run_split crm-user add li --role boss
	assert_status 2
	[[ "$stderr" == *"--role must be admin or rep, got 'boss'"* ]]
	run_split crm-user add li --capacity -1
	assert_status 2
	[[ "$stderr" == *"--capacity must be a whole number from 0 to 1000000, got '-1'"* ]]
	run_split crm-user add li --weight x
	assert_status 2
	[[ "$stderr" == *"--weight must be a whole number"* ]]
	run_split crm-user add li --away 2026-12-10..2026-12-01
	assert_status 2
	[[ "$stderr" == *"--away takes FROM..TO"* ]]
	run_split crm-user add li --away 2026-13-01..2026-12-01
	assert_status 2
	[ ! -e "$CRM_DB" ]
}

@test "add: a bad login is refused" {
	admin
	before=$(snapshot)
	run_split crm-user add 'li si'
	assert_status 1
	[[ "$stderr" == *"login: blanks, commas and control characters are not allowed"* ]]
	run_split crm-user add -- -x
	assert_status 1
	[[ "$stderr" == *"login: may not start with '-'"* ]]
	[ "$(snapshot)" = "$before" ]
	run_split crm-user add
	assert_status 2
	[[ "$stderr" == *"add takes one LOGIN"* ]]
}

@test "bootstrap: with no admin anyone may add; after the first admin only admins" {
	# tester is not a user at all, yet may add while there is no admin
	run_split crm-user add li
	assert_status 0
	run_split crm-user add boss --role admin
	assert_status 0
	before=$(snapshot)
	# tester is no user, and once an admin exists that is the end of it
	run_split crm-user add wang
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"crm-user: you ('tester') are not a crm user: act as your login with --as or CRM_USER"* ]]
	run_split crm-user list
	assert_status 1
	[[ "$stderr" == *"you ('tester') are not a crm user"* ]]
	[ "$(snapshot)" = "$before" ]
	run_split crm-user --as boss add wang
	assert_status 0
	[ "$(sql "SELECT actor FROM batches ORDER BY id DESC LIMIT 1")" = boss ]
}

@test "a rep may not add, update, deactivate, import or add teams" {
	admin
	crm-user add li -q >/dev/null
	before=$(snapshot)
	# refused CMD... WHAT: crm-user --as li CMD exits 1 saying WHAT needs an admin
	refused() {
		local what=${*: -1}
		run_split crm-user --as li "${@:1:$#-1}"
		assert_status 1
		[ -z "$output" ]
		[ "$stderr" = "crm-user: permission denied: $what needs an admin (you are 'li', a rep)" ] ||
		    { echo "stderr: $stderr"; return 1; }
	}
	refused add wang "adding a user"
	refused update li --capacity 99 "changing a user"
	refused deactivate li "changing a user"
	refused activate li "changing a user"
	refused team add east "adding a team"
	run_split crm-user --as li import <<<"$(printf 'login\nzhao\n')"
	assert_status 1
	[[ "$stderr" == *"permission denied: importing users needs an admin (you are 'li', a rep)"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "a rep may read the users and the teams" {
	admin
	crm-user add li --team east --capacity 5 -q >/dev/null
	run_split crm-user --as li list
	assert_status 0
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "boss li " ]
	[ "$(field 2 capacity <<<"$output")" = 5 ]
	run_split crm-user --as li show boss
	assert_status 0
	[ "$(field 1 role <<<"$output")" = admin ]
	run_split crm-user --as li team list
	assert_status 0
	[ "$(field 1 members <<<"$output")" = 1 ]
}

@test "a deactivated admin may not act at all" {
	admin
	crm-user add boss2 --role admin -q >/dev/null
	crm-user deactivate boss2 -q >/dev/null
	before=$(snapshot)
	run_split crm-user --as boss2 add wang
	assert_status 1
	[ "$stderr" = "crm-user: permission denied: user 'boss2' is deactivated" ]
	run_split crm-user --as boss2 list
	assert_status 1
	[ "$(snapshot)" = "$before" ]
}

@test "list: active users by login with the number of live customers each owns" {
	admin
	crm-user add zhang --team east --capacity 3 -q >/dev/null
	crm-user add li --team west -q >/dev/null
	crm-user add wang --team east -q >/dev/null
	printf 'name\towner\nA\tzhang\nB\tzhang\nC\tli\nD\t\\N\n' | crm-lead import -q >/dev/null
	# a customer merged away is not live: zhang owns 1 once B is merged into C
	crm-lead merge 3 2 >/dev/null
	run_split crm-user list
	assert_status 0
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "boss li wang zhang " ]
	[ "$(field 4 owned <<<"$output")" = 1 ]
	[ "$(field 2 owned <<<"$output")" = 1 ]
	[ "$(field 3 owned <<<"$output")" = 0 ]
	run_split crm-user list --team east
	assert_status 0
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "wang zhang " ]
	run_split crm-user list --team nowhere
	assert_status 1
	[[ "$stderr" == *"no team 'nowhere'"* ]]
}

@test "list: deactivated users only with --all; --csv" {
	admin
	crm-user add li -q >/dev/null
	crm-user add wang -q >/dev/null
	crm-user deactivate wang -q >/dev/null
	run_split crm-user list
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "boss li " ]
	run_split crm-user list -a
	[ "$(cut -f1 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "boss li wang " ]
	[ "$(field 3 active <<<"$output")" = 0 ]
	run_split crm-user list --csv
	[ "${lines[2]}" = "li,,,,rep,,1,,,,,1,0" ]
	run_split crm-user list extra
	assert_status 2
}

@test "list on a missing database is an error" {
	run_split crm-user list
	assert_status 1
	[[ "$stderr" == *"no database"* ]]
}

@test "show: users by login, deactivated too; a missing one exits 1 after the rest" {
	admin
	crm-user add li --capacity 4 -q >/dev/null
	crm-user deactivate li -q >/dev/null
	run_split crm-user show li nobody boss
	assert_status 1
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(field 1 login <<<"$output")" = li ]
	[ "$(field 1 active <<<"$output")" = 0 ]
	[ "$(field 2 login <<<"$output")" = boss ]
	[[ "$stderr" == *"no user 'nobody'"* ]]
	run_split crm-user show
	assert_status 2
}

@test "update: role, capacity, team and weight changes are recorded in the history" {
	admin
	crm-user add li --team east --capacity 10 -q >/dev/null
	run_split crm-user update li --role admin --capacity 20 --team west --weight 3 --name 李四
	assert_status 0
	[ "$(field 1 role <<<"$output")" = admin ]
	[ "$(field 1 capacity <<<"$output")" = 20 ]
	[ "$(field 1 team <<<"$output")" = west ]
	[ "$(field 1 name <<<"$output")" = 李四 ]
	[ "$(sql "SELECT field, old_value, new_value, actor, reason FROM history
	    WHERE command = 'crm-user update' AND entity = 'user' ORDER BY id")" = "name		李四	boss	update
team	east	west	boss	update
role	rep	admin	boss	update
capacity	10	20	boss	update
weight	1	3	boss	update" ]
	# the new team west is recorded too
	[ "$(sql "SELECT new_value FROM history WHERE command = 'crm-user update' AND entity = 'team'")" = west ]
	[ "$(sql "SELECT command, actor, rows FROM batches ORDER BY id DESC LIMIT 1")" = "crm-user update	boss	1" ]
}

@test "update: capacity none, leaving the team, email cleared" {
	admin
	crm-user add li --team east --capacity 10 --email li@example.com -q >/dev/null
	run_split crm-user update li --capacity none --team '' --email ''
	assert_status 0
	[ "$(sql "SELECT coalesce(CAST(capacity AS TEXT), 'NULL'), coalesce(CAST(team_id AS TEXT), 'NULL'), coalesce(email, 'NULL') FROM users WHERE login = 'li'")" = "NULL	NULL	NULL" ]
	[ "$(sql "SELECT old_value || '>' || coalesce(new_value, 'NULL') FROM history WHERE field = 'capacity' AND reason = 'update'")" = "10>NULL" ]
}

@test "update: leave from date to date (to the end of TO), then back" {
	admin
	crm-user add li -q >/dev/null
	run_split crm-user update li --away 2026-12-01..2026-12-07
	assert_status 0
	[ "$(field 1 away_from <<<"$output")" = 2026-12-01T00:00:00Z ]
	[ "$(field 1 away_until <<<"$output")" = 2026-12-07T23:59:59Z ]
	run_split crm-user update li --away '2026-12-01T08:00+08:00..'
	assert_status 0
	[ "$(field 1 away_from <<<"$output")" = 2026-12-01T00:00:00Z ]
	[ "$(field 1 away_until <<<"$output")" = '' ]
	run_split crm-user update li --back
	assert_status 0
	[ "$(sql "SELECT coalesce(away_from, 'NULL'), coalesce(away_until, 'NULL') FROM users WHERE login = 'li'")" = "NULL	NULL" ]
	run_split crm-user update li --back
	assert_status 0
	[[ "$stderr" == *"note: 'li' was so already"* ]]
}

@test "update: refusals: no such user, nothing to change, --away with --back" {
	admin
	crm-user add li -q >/dev/null
	before=$(snapshot)
	run_split crm-user update nobody --capacity 3
	assert_status 1
	[[ "$stderr" == *"not updated: login: no user 'nobody'"* ]]
	run_split crm-user update li
	assert_status 2
	[[ "$stderr" == *"update: nothing to change"* ]]
	run_split crm-user update li --away 2026-12-01..2026-12-02 --back
	assert_status 2
	[[ "$stderr" == *"--away and --back exclude each other"* ]]
	run_split crm-user add wang --back
	assert_status 2
	[[ "$stderr" == *"option '--back' is not for add (it is for update)"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "the last active admin cannot be demoted or deactivated" {
	admin
	before=$(snapshot)
	run_split crm-user update boss --role rep
	assert_status 1
	[[ "$stderr" == *"role: 'boss' is the last active admin (make another user an admin first)"* ]]
	run_split crm-user deactivate boss
	assert_status 1
	[[ "$stderr" == *"active: 'boss' is the last active admin"* ]]
	[ "$(snapshot)" = "$before" ]
	crm-user add boss2 --role admin -q >/dev/null
	run_split crm-user update boss --role rep
	assert_status 0
}

@test "deactivate and activate: history, a note about owned customers, all or nothing" {
	admin
	crm-user add li -q >/dev/null
	crm-user add wang -q >/dev/null
	printf 'name\towner\nA\tli\nB\tli\n' | crm-lead import -q >/dev/null
	run_split crm-user deactivate li wang
	assert_status 0
	[ "$(count_rows <<<"$output")" = 2 ]
	[ "$(field 1 active <<<"$output")" = 0 ]
	[[ "$stderr" == *"note: 'li' still owns 2 customers (hand them over with crm-assign --transfer-from)"* ]]
	[ "$(sql "SELECT login FROM users WHERE active = 0 ORDER BY login" | tr '\n' ' ')" = "li wang " ]
	[ "$(sql "SELECT count(*) FROM history WHERE field = 'active' AND old_value = '1' AND new_value = '0'")" = 2 ]
	run_split crm-user deactivate li
	assert_status 0
	[[ "$stderr" == *"note: 'li' was inactive already"* ]]
	before=$(snapshot)
	run_split crm-user activate li nobody
	assert_status 1
	[[ "$stderr" == *"nobody: login: no user 'nobody'"* ]]
	[ "$(snapshot)" = "$before" ]
	run_split crm-user activate li
	assert_status 0
	[ "$(sql "SELECT active FROM users WHERE login = 'li'")" = 1 ]
	run_split crm-user deactivate
	assert_status 2
}

@test "dry run: the same output, nothing written" {
	admin
	before=$(snapshot)
	run_split crm-user add li --team east -n
	assert_status 0
	[ "$(field 1 login <<<"$output")" = li ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "import: Chinese headers, new and existing users, leave columns" {
	admin
	crm-user add li --capacity 5 -q >/dev/null
	cat >staff.csv <<'EOF'
账号,姓名,团队,角色,容量,权重,地区,请假开始,请假结束,备注
li,李四,华东,销售,8,2,"华东,华南",2026-12-01,2026-12-03,x
zhao,赵六,华东,管理员,,,,,,y
EOF
	run_split crm-user import --csv staff.csv
	assert_status 0
	[ "$(head -1 <<<"$output")" = "login,name,email,team,role,capacity,weight,regions,industries,away_from,away_until,active,owned" ]
	[[ "$stderr" == *"column '备注' is not a user field: ignored"* ]]
	[[ "$stderr" == *"note: created team '华东'"* ]]
	[[ "$stderr" == *"2 users imported"* ]]
	[ "$(sql "SELECT login, name, role, capacity, weight, regions, away_from, away_until FROM users WHERE login IN ('li', 'zhao') ORDER BY login")" = "li	李四	rep	8	2	华东,华南	2026-12-01T00:00:00Z	2026-12-03T23:59:59Z
zhao	赵六	admin		1			" ]
	[ "$(sql "SELECT source, rows FROM batches ORDER BY id DESC LIMIT 1")" = "staff.csv	2" ]
}

@test "import: the output of list can be fed back" {
	admin
	crm-user add li --team east --capacity 5 --regions 华东 -q >/dev/null
	crm-user list >users.tsv
	sed -i 's/\t5\t1\t华东/\t7\t1\t华东/' users.tsv
	run_split crm-user import users.tsv
	assert_status 0
	[[ "$stderr" != *"not a user field"* ]]
	[ "$(sql "SELECT capacity FROM users WHERE login = 'li'")" = 7 ]
}

@test "import: all or nothing, every bad row named by FILE:LINE" {
	admin
	before=$(snapshot)
	printf 'login\trole\tcapacity\taway\n' >bad.tsv
	printf 'li\trep\t3\t\\N\n' >>bad.tsv
	printf 'wang\tboss\t3\t\\N\n' >>bad.tsv
	printf 'zhao\trep\tmany\t\\N\n' >>bad.tsv
	printf 'sun\trep\t1\t2026-12-05..2026-12-01\n' >>bad.tsv
	printf '\\N\trep\t1\t\\N\n' >>bad.tsv
	run_split crm-user import bad.tsv
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"bad.tsv:3: role: 'boss' is not admin or rep"* ]]
	[[ "$stderr" == *"bad.tsv:4: capacity: 'many' is not a whole number"* ]]
	[[ "$stderr" == *"bad.tsv:5: away: '2026-12-05..2026-12-01' is not FROM..TO"* ]]
	[[ "$stderr" == *"bad.tsv:6: login: empty"* ]]
	[[ "$stderr" == *"bad.tsv: 4 bad rows: nothing imported"* ]]
	[ "$(snapshot)" = "$before" ]
	printf 'name\nli\n' >nologin.tsv
	run_split crm-user import nologin.tsv
	assert_status 1
	[[ "$stderr" == *"no 'login' (账号) column"* ]]
	run_split crm-user import --capacity 3
	assert_status 2
	[[ "$stderr" == *"option '--capacity' is not for import (it is for add update)"* ]]
}

@test "team add and team list: member counts of active users" {
	admin
	run_split crm-user team add 华东 华南
	assert_status 0
	[ "$(head -1 <<<"$output")" = "team	members	created_at" ]
	[ "$(count_rows <<<"$output")" = 2 ]
	crm-user add li --team 华东 -q >/dev/null
	crm-user add wang --team 华东 -q >/dev/null
	crm-user add zhao --team 华南 -q >/dev/null
	crm-user deactivate zhao -q >/dev/null
	run_split crm-user team list
	assert_status 0
	[ "$(field 1 team <<<"$output")" = 华东 ]
	[ "$(field 1 members <<<"$output")" = 2 ]
	[ "$(field 2 members <<<"$output")" = 0 ]
	[ "$(field 1 created_at <<<"$output")" = 2026-11-22T09:00:00Z ]
	before=$(snapshot)
	run_split crm-user team add 西北 华东
	assert_status 1
	[[ "$stderr" == *"team '华东' exists already"* ]]
	[ "$(snapshot)" = "$before" ]
	run_split crm-user team
	assert_status 2
	run_split crm-user team rename x
	assert_status 2
	[[ "$stderr" == *"unknown team command 'rename'"* ]]
}

@test "unknown and missing commands are usage errors" {
	run_split crm-user
	assert_status 2
	[[ "$stderr" == *"missing command"* ]]
	run_split crm-user frobnicate
	assert_status 2
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
}

@test "every change of any field is a history row: email, tags, leave, activity" {
	admin
	crm-user add li --email li@example.com -q >/dev/null
	n=$(sql "SELECT count(*) FROM history")
	crm-user update li --email li@example.cn --regions 华东 --industries 制造,零售 -q >/dev/null
	crm-user update li --away 2026-12-01..2026-12-02 -q >/dev/null
	crm-user update li --back -q >/dev/null
	crm-user deactivate li -q >/dev/null
	[ "$(sql "SELECT field || ':' || coalesce(old_value, 'NULL') || '>' || coalesce(new_value, 'NULL')
	    || ':' || command FROM history WHERE id > $n ORDER BY id")" = \
	    "email:li@example.com>li@example.cn:crm-user update
regions:NULL>华东:crm-user update
industries:NULL>制造,零售:crm-user update
away_from:NULL>2026-12-01T00:00:00Z:crm-user update
away_until:NULL>2026-12-02T23:59:59Z:crm-user update
away_from:2026-12-01T00:00:00Z>NULL:crm-user update
away_until:2026-12-02T23:59:59Z>NULL:crm-user update
active:1>0:crm-user deactivate" ]
	# nothing changed, nothing written
	n=$(sql "SELECT count(*) FROM history")
	crm-user update li --email li@example.cn -q >/dev/null
	[ "$(sql "SELECT count(*) FROM history")" = "$n" ]
}

@test "team names with control characters or commas are refused, wherever they come from" {
	admin
	before=$(snapshot)
	run_split crm-user team add "$(printf 'east\tA')"
	assert_status 1
	[[ "$stderr" == *"not added: team: commas and control characters are not allowed in a name"* ]]
	run_split crm-user team add 'east,west'
	assert_status 1
	run_split crm-user add li --team "$(printf 'a\nb')"
	assert_status 1
	[[ "$stderr" == *"not added: team: commas and control characters are not allowed in a name"* ]]
	printf 'login\tteam\nzhao\tx\\ty\n' >t.tsv
	run_split crm-user import t.tsv
	assert_status 1
	[[ "$stderr" == *"t.tsv:2: team: commas and control characters"* ]]
	run_split crm-user add "$(printf 'l\ti')"
	assert_status 1
	[[ "$stderr" == *"login: blanks, commas and control characters are not allowed"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "only add creates a database; every other command refuses a missing one by name" {
	for cmd in "update li --capacity 3" "deactivate li" "activate li" \
	    "import /dev/null" "team add east" "team list" "show li" "list"; do
		# shellcheck disable=SC2086
		run_split crm-user $cmd
		assert_status 1
		[[ "$stderr" == *"$CRM_DB"* ]] || { echo "$cmd: $stderr"; return 1; }
		[ ! -e "$CRM_DB" ]
	done
	run_split crm-user add li -n
	assert_status 1
	[ ! -e "$CRM_DB" ]
	run_split crm-user add li
	assert_status 0
	[ "$(sql "SELECT login FROM users")" = li ]
}

@test "options belong to their commands" {
	admin
	before=$(snapshot)
	run_split crm-user list --capacity 3
	assert_status 2
	[[ "$stderr" == *"option '--capacity' is not for list (it is for add update)"* ]]
	run_split crm-user show boss -a
	assert_status 2
	[[ "$stderr" == *"option '--all' is not for show (it is for list)"* ]]
	run_split crm-user list -n
	assert_status 2
	run_split crm-user team list -n
	assert_status 2
	run_split crm-user deactivate boss --team x
	assert_status 2
	[ "$(snapshot)" = "$before" ]
	crm-user add --help | grep -q -- '--capacity'
	! crm-user list --help | grep -q -- '--capacity'
}

@test "team add: all or nothing, in history, dry run writes nothing" {
	admin
	before=$(snapshot)
	run_split crm-user team add 华东 -n
	assert_status 0
	[ "$(field 1 team <<<"$output")" = 华东 ]
	[[ "$stderr" == *"dry run: nothing was changed"* ]]
	[ "$(snapshot)" = "$before" ]
	crm-user team add 华东 华南 >/dev/null
	[ "$(sql "SELECT new_value FROM history WHERE entity = 'team' ORDER BY id" | tr '\n' ' ')" = "华东 华南 " ]
	[ "$(sql "SELECT command, actor, rows FROM batches ORDER BY id DESC LIMIT 1")" = "crm-user team add	boss	2" ]
}

@test "a writer after a writer: add | import reads the records after the first commits" {
	admin
	run_split bash -c 'crm-user add li --capacity 4 | sed "s/\t4\t1\t/\t6\t1\t/" | crm-user import'
	assert_status 0
	[ "$(field 1 capacity <<<"$output")" = 6 ]
	[ "$(sql "SELECT capacity FROM users WHERE login = 'li'")" = 6 ]
	[ "$(sql "SELECT command FROM batches WHERE id > 2 ORDER BY id" | tr '\n' ' ')" = "crm-user add crm-user import " ]
	# the same, piped from a file that is a pipe operand
	run_split bash -c 'crm-user import <(crm-user show li | sed "s/\t6\t1\t/\t7\t1\t/")'
	assert_status 0
	[ "$(sql "SELECT capacity FROM users WHERE login = 'li'")" = 7 ]
}

@test "target: what a rep or a team should win in a period, listed with what was won" {
	export CRM_NOW=2026-12-05T00:00:00Z
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
	crm-user add li --team east -q >/dev/null
	crm-user add wang --team east -q >/dev/null
	crm-user add zhao --team west -q >/dev/null
	crm-db config -q test-clock on >/dev/null
	run_split crm-user target li --period 2026-11 --amount '¥500,000'
	assert_status 0
	[ "${lines[0]}" = "who	period	currency	target	won	achieved	left" ]
	[ "${lines[1]}" = "li	2026-11	CNY	500000.00	0.00	0.0000	500000.00" ]
	crm-user target team:east --period 2026-q4 --amount 1000000 -q >/dev/null
	crm-user target li --period 2026-W45 --amount 1000 --currency USD -q >/dev/null
	# li wins 120,000.50 on Nov 10 and 3,000 on Dec 1; wang 79,999.50 on Nov 30;
	# zhao (west) 50,000 in November; a lost deal counts nothing
	crm-lead add -q --name a --owner li >/dev/null
	crm-lead add -q --name b --owner wang >/dev/null
	crm-lead add -q --name c --owner zhao >/dev/null
	crm-deal add -q --title 1 --amount 120000.50 --at 2026-11-05 1 >/dev/null
	crm-deal won -q --at 2026-11-10 1 >/dev/null
	crm-deal add -q --title 2 --amount 3000 --at 2026-11-05 1 >/dev/null
	crm-deal won -q --at 2026-12-01 2 >/dev/null
	crm-deal add -q --title 3 --amount 79999.50 --at 2026-11-05 2 >/dev/null
	crm-deal won -q --at 2026-11-30T23:00:00Z 3 >/dev/null
	crm-deal add -q --title 4 --amount 50000 --at 2026-11-05 3 >/dev/null
	crm-deal won -q --at 2026-11-15 4 >/dev/null
	crm-deal add -q --title 5 --amount 9999 --at 2026-11-05 1 >/dev/null
	crm-deal lost -q --reason 价格 --at 2026-11-20 5 >/dev/null
	run_split crm-user targets
	assert_status 0
	# li, 2026-11: 120000.50 of 500000 = 0.240001 -> 0.2400, 379999.50 left
	# team east, Q4: 120000.50 + 3000 + 79999.50 = 203000 of 1000000 = 0.2030
	# li in W45 (Nov 2-8), in USD: nothing won in USD
	[ "$output" = "who	period	currency	target	won	achieved	left
li	2026-11	CNY	500000.00	120000.50	0.2400	379999.50
team:east	2026-Q4	CNY	1000000.00	203000.00	0.2030	797000.00
li	2026-W45	USD	1000.00	0.00	0.0000	1000.00" ]
	run_split crm-user targets --period 2026-11
	[ "$(count_rows <<<"$output")" = 1 ]
	# a rep sees its own and its team's, no one else's; only admins set them
	run_split crm-user targets --as wang
	assert_status 0
	[ "$(count_rows <<<"$output")" = 1 ]
	[ "$(field 1 who <<<"$output")" = team:east ]
	run_split crm-user targets --as zhao li
	assert_status 1
	[[ "$stderr" == *"permission denied: a rep sees its own targets and its team's"* ]]
	run_split crm-user target --as li li --period 2026-12 --amount 1
	assert_status 1
	[[ "$stderr" == *"permission denied: setting a target needs an admin"* ]]
	# every change is in the history; none removes it
	crm-user target li --period 2026-11 --amount 600000 -q >/dev/null
	crm-user target li --period 2026-11 --amount none -q >/dev/null
	[ "$(sql "SELECT field || ':' || coalesce(old_value, '-') || '>' || coalesce(new_value, '-') FROM history WHERE entity = 'target' AND field LIKE 'li 2026-11%' ORDER BY id" | paste -sd ' ')" = \
	    "li 2026-11 CNY:->500000.00 li 2026-11 CNY:500000.00>600000.00 li 2026-11 CNY:600000.00>-" ]
	# errors
	run_split crm-user target li --period 2026-13 --amount 1
	assert_status 1
	[[ "$stderr" == *"--period: '2026-13' is not a year, quarter, month or ISO week"* ]]
	run_split crm-user target nobody --period 2026 --amount 1
	assert_status 1
	[[ "$stderr" == *"target nobody: no user 'nobody'"* ]]
	run_split crm-user target li --period 2026 --amount 1.234
	assert_status 1
	[[ "$stderr" == *"--amount:"* ]]
	run_split crm-user target li --amount 1
	assert_status 2
}
