#!/usr/bin/env bats
# Writers after writers: each pipeline runs RUNS times (helpers.bash: 10,
# 5 on PostgreSQL), each time on a fresh copy of one database, and must
# succeed every time with every row.  A
# writer that took the write lock before its piped input ended would make
# the writer upstream wait for it, and exit 3 (busy) now and then.

load helpers

# The template: an admin (boss), reps li and wang in team east, pool 东区公海
# of team east, the test clock on; and a CSV of 12 new leads.
setup_file() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		TEMPLATE=$(pg_new_db "t$(printf %s "$BATS_FILE_TMPDIR" | md5sum | cut -c1-20)")
		export TEMPLATE
	else
		export TEMPLATE="$BATS_FILE_TMPDIR/template.db"
	fi
	export LEADS="$BATS_FILE_TMPDIR/leads.csv"
	export CRM_DB="$TEMPLATE" CRM_NOW=2026-11-22T09:00:00Z CRM_USER=boss \
	    CRM_RC=/dev/null TZ=UTC
	crm-user add -q boss --role admin >/dev/null
	crm-user add -q li --team east >/dev/null
	crm-user add -q wang --team east >/dev/null
	crm-pool create -q 东区公海 --members team:east >/dev/null
	crm-db config -q test-clock on >/dev/null
	# 8 customers already there: 1-4 li's, 5-8 in the pool since November 1st
	printf 'name,company,phone,owner,pool\n' >"$BATS_FILE_TMPDIR/have.csv"
	for i in 1 2 3 4; do
		printf '老客户%d,老公司%d,1370000000%d,li,\n' "$i" "$i" "$i"
	done >>"$BATS_FILE_TMPDIR/have.csv"
	for i in 5 6 7 8; do
		printf '公海客户%d,公海公司%d,1370000000%d,,东区公海\n' "$i" "$i" "$i"
	done >>"$BATS_FILE_TMPDIR/have.csv"
	crm-lead import -q --csv --now 2026-11-01T00:00:00Z "$BATS_FILE_TMPDIR/have.csv" >/dev/null
	printf 'name,company,phone,region\n' >"$LEADS"
	for i in $(seq 10 21); do
		printf '新客户%d,新公司%d,1390000%04d,华东\n' "$i" "$i" "$i"
	done >>"$LEADS"
}

teardown_file() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		pg_psql -d postgres -c "DROP DATABASE IF EXISTS $(pg_db_of "$TEMPLATE") WITH (FORCE)" \
		    >/dev/null 2>&1 || true
	fi
}

setup() {
	new_db
	export CRM_NOW=2026-11-22T09:00:00Z \
	    CRM_USER=boss NO_COLOR=1 CRM_RC=/dev/null TZ=UTC
	cd "$BATS_TEST_TMPDIR"
}

# fresh: CRM_DB a new copy of the template
fresh() {
	if [ -n "${CRM_TEST_PG:-}" ]; then
		pg_psql -d postgres -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" \
		    -c "CREATE DATABASE $PG_DB TEMPLATE $(pg_db_of "$TEMPLATE")" >/dev/null
	else
		rm -f "$CRM_DB" "$CRM_DB-wal" "$CRM_DB-shm"
		cp "$TEMPLATE" "$CRM_DB"
	fi
}

# each_run ROWS PIPELINE [SQL WANT]: run PIPELINE RUNS times, each on a fresh
# copy of the template; every stage must exit 0, the last print ROWS
# records, and SQL (when given) answer WANT afterwards.
each_run() {
	local rows=$1 pipeline=$2 q=${3:-} want=${4:-} ok=0 i got
	for i in $(seq "$RUNS"); do
		fresh
		if ! bash -c "set -o pipefail; $pipeline" >out 2>err; then
			echo "run $i failed: $(head -3 err)"
			continue
		fi
		got=$(count_rows <out)
		if [ "$got" != "$rows" ]; then
			echo "run $i: $got rows, not $rows"
			continue
		fi
		if [ -n "$q" ] && [ "$(sql "$q")" != "$want" ]; then
			echo "run $i: '$q' gives '$(sql "$q")', not '$want'"
			continue
		fi
		ok=$((ok + 1))
	done
	[ "$ok" -eq "$RUNS" ]
}

@test "import | crm-pool move" {
	each_run 12 "crm-lead import -q --csv '$LEADS' | crm-pool move -q --to 东区公海" \
	    "SELECT count(*) FROM customers c JOIN pools p ON p.id = c.pool_id WHERE c.name LIKE '新客户%'" 12
}

@test "import | crm-assign --to | crm-pool move" {
	each_run 12 "crm-lead import -q --csv '$LEADS' | crm-assign -q --to li | crm-pool move -q --to 东区公海" \
	    "SELECT count(*) FROM customers WHERE pool_id IS NOT NULL AND prev_owner_id IS NOT NULL AND name LIKE '新客户%'" 12
}

@test "list | crm-lead qualify | crm-pool move" {
	each_run 4 "crm-lead list --owner li | crm-lead qualify -q | crm-pool move -q --to 东区公海" \
	    "SELECT group_concat(status) FROM customers WHERE pool_id IS NOT NULL AND id <= 4" \
	    "qualified,qualified,qualified,qualified"
}

@test "list | crm-assign | crm-pool release" {
	each_run 4 "crm-lead list --owner li | crm-assign -q -f --to wang | crm-pool release -q --reason 无意向" \
	    "SELECT count(*) FROM customers WHERE pool_id IS NOT NULL" 8
}

@test "crm-pool move | crm-pool claim" {
	each_run 2 "crm-pool move -q --to 东区公海 1 2 | crm-pool claim -q --force" \
	    "SELECT group_concat(u.login) FROM customers c JOIN users u ON u.id = c.owner_id WHERE c.id <= 2" "boss,boss"
}

@test "import | crm-lead update" {
	each_run 12 "crm-lead import -q --csv '$LEADS' | sed '1s/region/industry/' | crm-lead update -q" \
	    "SELECT count(*) FROM customers WHERE industry = '华东'" 12
}

@test "import | crm-lead qualify | crm-lead lock" {
	each_run 12 "crm-lead import -q --csv '$LEADS' | crm-lead qualify -q | crm-lead lock -q --reason 重点" \
	    "SELECT count(*) FROM customers WHERE locked = 1 AND status = 'qualified'" 12
}

@test "import | crm-assign --round-robin | crm-activity log" {
	each_run 12 "crm-lead import -q --csv '$LEADS' | crm-assign -q --round-robin team:east | crm-activity log -q --kind call --note 首次联系" \
	    "SELECT count(*) FROM activities a JOIN customers c ON c.id = a.customer_id WHERE c.owner_id = a.user_id OR a.user_id = (SELECT id FROM users WHERE login = 'boss')" 12
}

@test "import | crm-deal add | crm-deal won" {
	each_run 12 "crm-lead import -q --csv '$LEADS' | crm-assign -q --to li | crm-deal add -q --title 首单 --amount 1000 | crm-deal won -q" \
	    "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id WHERE s.outcome = 'won'" 12
}

@test "crm-pool claim | crm-lead update | crm-activity log" {
	each_run 2 "crm-pool claim -q --force 5 6 | crm-lead update -q | crm-activity log -q --kind visit" \
	    "SELECT count(*) FROM activities" 2
}

@test "crm-pool reclaim | crm-pool assign" {
	each_run 4 "crm-pool set -q 东区公海 --no-followup-days 10 >/dev/null; crm-pool reclaim -q | crm-pool assign -q --to wang" \
	    "SELECT group_concat(c.id) FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.login = 'wang'" "1,2,3,4"
}

@test "import | crm-lead disqualify" {
	each_run 12 "crm-lead import -q --csv '$LEADS' | crm-lead disqualify -q --reason 空号" \
	    "SELECT count(*) FROM customers WHERE status = 'disqualified'" 12
}

@test "crm-activity log | crm-activity done" {
	each_run 4 "crm-activity log -q --kind call --due 2026-11-25 1 2 3 4 | crm-activity done -q --note 已回电" \
	    "SELECT count(*) FROM activities WHERE done_at IS NOT NULL" 4
}

@test "crm-user add | crm-user import" {
	each_run 1 "crm-user add -q zhao --team east | sed '1!s/\t[^\t]*\$/\tX/' | cut -f1,2 | crm-user import -q" \
	    "SELECT login FROM users WHERE login = 'zhao'" zhao
}

@test "crm-deal add | crm-deal stage | crm-assign: a customer and its deals change hands" {
	each_run 4 "crm-lead list --owner li | crm-deal add -q --title 续约 | crm-deal stage -q proposal | cut -f2 | sed '1s/.*/id/' | crm-assign -q -f --to wang" \
	    "SELECT count(*) FROM deals d JOIN users u ON u.id = d.owner_id WHERE u.login = 'wang'" 4
}

@test "import | crm-assign | crm-score --save" {
	printf '+10 region ~ 华东\ngrade A >= 10\n' >rules.txt
	each_run 12 "crm-lead import -q --csv '$LEADS' | crm-assign -q --to li | crm-score -q --rules rules.txt --save" \
	    "SELECT count(*) FROM customers WHERE score = 10 AND grade = 'A'" 12
}
