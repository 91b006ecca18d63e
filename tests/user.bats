#!/usr/bin/env bats
# crm-user: reps and teams, roles and the authorization rules.

load helpers

# An admin "boss" (added under the bootstrap rule) acting from now on.
admin() {
	crm-user add boss --role admin -q >/dev/null
	export CRM_USER=boss
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
	# role, capacity and team are recorded as set at creation
	[ "$(sql "SELECT field || '=' || new_value FROM history WHERE entity = 'user' ORDER BY id" | tr '\n' ' ')" = "role=rep capacity=30 team=华东 " ]
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
	run_split crm-user add wang
	assert_status 1
	[ -z "$output" ]
	[[ "$stderr" == *"permission denied: adding a user needs an admin (you are 'tester', not a user)"* ]]
	[ "$(snapshot)" = "$before" ]
	run_split crm-user --as boss add wang
	assert_status 0
}

@test "a rep may not add, update, deactivate, import or add teams" {
	admin
	crm-user add li -q >/dev/null
	before=$(snapshot)
	for cmd in "add wang" "update li --capacity 99" "deactivate li" \
	    "activate li" "team add east"; do
		# shellcheck disable=SC2086
		run_split crm-user --as li $cmd
		assert_status 1
		[ -z "$output" ]
		[[ "$stderr" == *"permission denied: "*" needs an admin (you are 'li', a rep)"* ]]
	done
	run_split crm-user --as li import <<<"$(printf 'login\nzhao\n')"
	assert_status 1
	[[ "$stderr" == *"permission denied: importing users needs an admin (you are 'li', a rep)"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "a deactivated admin is no admin" {
	admin
	crm-user add boss2 --role admin -q >/dev/null
	crm-user deactivate boss2 -q >/dev/null
	run_split crm-user --as boss2 add wang
	assert_status 1
	[[ "$stderr" == *"(you are 'boss2', an inactive admin)"* ]]
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
	    WHERE command = 'crm-user update' ORDER BY id")" = "role	rep	admin	boss	update
capacity	10	20	boss	update
team	east	west	boss	update
weight	1	3	boss	update" ]
	[ "$(sql "SELECT command, actor, rows FROM batches ORDER BY id DESC LIMIT 1")" = "crm-user update	boss	1" ]
}

@test "update: capacity none, leaving the team, email cleared" {
	admin
	crm-user add li --team east --capacity 10 --email li@example.com -q >/dev/null
	run_split crm-user update li --capacity none --team '' --email ''
	assert_status 0
	[ "$(sql "SELECT coalesce(capacity, 'NULL'), coalesce(team_id, 'NULL'), coalesce(email, 'NULL') FROM users WHERE login = 'li'")" = "NULL	NULL	NULL" ]
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
	[[ "$stderr" == *"note: 'li' still owns 2 customers (reassign them with crm-assign)"* ]]
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
