#!/usr/bin/env bats
# The rights policy, one matrix: every command as each of six actors,
# each on a fresh copy of one database, and each answer checked.
#
#   boss   an admin
#   li     the rep that owns customer 1 (a member of the pool, team east)
#   wang   another rep, a member of the pool (team east)
#   zhao   a rep of team west: not a member of the pool
#   old    a deactivated rep of team east
#   ghost  no user at all
#
# Customer 1 is li's, 2 wang's, 3 in pool 东区公海, 4 nobody's.  Their phones
# are 1380000000N.  li has a planned follow-up (activity 1), a deal (deal 1)
# and a contact (contact 1) on customer 1.

load helpers

setup_file() {
	export TEMPLATE="$BATS_FILE_TMPDIR/template.db"
	export CRM_DB="$TEMPLATE" CRM_NOW=2026-11-22T09:00:00Z CRM_USER=boss \
	    CRM_RC=/dev/null TZ=UTC
	crm-user add -q boss --role admin >/dev/null
	crm-user add -q li --team east >/dev/null
	crm-user add -q wang --team east >/dev/null
	crm-user add -q zhao --team west >/dev/null
	crm-user add -q old --team east >/dev/null
	crm-pool create -q 东区公海 --members team:east --no-followup-days 10 >/dev/null
	crm-db config -q test-clock on >/dev/null
	printf 'name\tcompany\tphone\temail\towner\tpool\n' >"$BATS_FILE_TMPDIR/c.tsv"
	printf '李一\t甲公司\t13800000001\tyi@jia.cn\tli\t\n' >>"$BATS_FILE_TMPDIR/c.tsv"
	printf '王二\t乙公司\t13800000002\ter@yi.cn\twang\t\n' >>"$BATS_FILE_TMPDIR/c.tsv"
	printf '张三\t丙公司\t13800000003\tsan@bing.cn\t\t东区公海\n' >>"$BATS_FILE_TMPDIR/c.tsv"
	printf '赵四\t丁公司\t13800000004\tsi@ding.cn\t\t\n' >>"$BATS_FILE_TMPDIR/c.tsv"
	crm-lead import -q --now 2026-11-01T00:00:00Z "$BATS_FILE_TMPDIR/c.tsv" >/dev/null
	crm-activity log -q --as li --kind call --due 2026-11-25 1 >/dev/null
	crm-deal add -q --as li --title 首单 --amount 5000 1 >/dev/null
	crm-lead contact add -q --as li 1 --name 联系人 --phone 13900000001 >/dev/null
	crm-user deactivate -q old >/dev/null
	printf 'name\tphone\nX\t13100000001\n' >"$BATS_FILE_TMPDIR/new.tsv"
	printf 'customer_id\tkind\tat\n1\tcall\t2026-11-21\n' >"$BATS_FILE_TMPDIR/calls.tsv"
	printf 'login\tteam\nnew1\teast\n' >"$BATS_FILE_TMPDIR/users.tsv"
	printf '+10 region ~ .\ngrade A >= 10\n' >"$BATS_FILE_TMPDIR/rules.txt"
	crm-deal stages >"$BATS_FILE_TMPDIR/stages.tsv"
	echo "$(sqlite3 "$TEMPLATE" "SELECT id FROM batches WHERE command = 'crm-lead import'")" \
	    >"$BATS_FILE_TMPDIR/import.batch"
}

setup() {
	export CRM_DB="$BATS_TEST_TMPDIR/crm.db" CRM_NOW=2026-11-22T09:00:00Z \
	    NO_COLOR=1 CRM_RC=/dev/null TZ=UTC
	unset CRM_USER
	cd "$BATS_TEST_TMPDIR"
}

# check ACTOR WANT COMMAND...: run COMMAND as ACTOR on a fresh copy of the
# template and check the answer WANT:
#   ok     exit 0                deny  exit 1, "permission denied" or "refused"
#   fail   exit 1
#   fullN  exit 0, customer N's phone (1380000000N) shown in full
#   maskN  exit 0, customer N's phone masked (138****000N), never in full
#   nameN  exit 0, customer N's phone neither in full nor masked
#   off    exit 1, the actor is deactivated
#   who    exit 1, the actor is no crm user
check() {
	local actor=$1 want=$2 ok=1
	shift 2
	rm -f "$CRM_DB" "$CRM_DB-wal" "$CRM_DB-shm"
	cp "$TEMPLATE" "$CRM_DB"
	run_split env CRM_USER="$actor" "$@" </dev/null
	case $want in
	ok) [ "$status" -eq 0 ] || ok=0 ;;
	deny) [ "$status" -eq 1 ] && [[ "$stderr" == *"permission denied"* || "$stderr" == *"refused"* ]] || ok=0 ;;
	fail) [ "$status" -eq 1 ] || ok=0 ;;
	full?) [ "$status" -eq 0 ] && [[ "$output" == *"1380000000${want#full}"* ]] || ok=0 ;;
	mask?) [ "$status" -eq 0 ] && [[ "$output" == *"138****000${want#mask}"* &&
	    "$output" != *"1380000000${want#mask}"* ]] || ok=0 ;;
	name?) [ "$status" -eq 0 ] && [[ "$output" != *"138****000${want#name}"* &&
	    "$output" != *"1380000000${want#name}"* ]] || ok=0 ;;
	off) [ "$status" -eq 1 ] && [[ "$stderr" == *"user 'old' is deactivated"* ]] || ok=0 ;;
	who) [ "$status" -eq 1 ] && [[ "$stderr" == *"you ('ghost') are not a crm user"* ]] || ok=0 ;;
	esac
	if [ "$ok" -eq 0 ]; then
		echo "$actor: '$*': wanted $want, got status $status"
		echo "stdout: $(head -c 400 <<<"$output")"
		echo "stderr: $(head -c 400 <<<"$stderr")"
		return 1
	fi
}

# row "BOSS LI WANG ZHAO OLD GHOST" COMMAND...: check COMMAND as each actor.
row() {
	local wants=($1) actors=(boss li wang zhao old ghost) bad=0
	shift
	for k in 0 1 2 3 4 5; do
		check "${actors[$k]}" "${wants[$k]}" "$@" || bad=1
	done
	[ "$bad" -eq 0 ]
}

@test "crm-lead reading: list, show, history, check, dups" {
	row "full1 full1 name1 name1 off who" crm-lead list
	row "full3 mask3 mask3 name3 off who" crm-lead list
	row "full2 name2 full2 name2 off who" crm-lead list
	row "full1 full1 name1 name1 off who" crm-lead show 1
	row "full3 mask3 mask3 name3 off who" crm-lead show 3
	row "ok ok deny deny off who" crm-lead history 1
	row "ok ok ok deny off who" crm-lead history 3
	row "ok ok ok ok off who" crm-lead check "$BATS_FILE_TMPDIR/new.tsv"
	row "ok ok ok ok off who" crm-lead dups
}

@test "crm-lead writing: add, import, update, status, lock, merge, erase, undo" {
	row "ok ok ok ok off who" crm-lead add --name 新人
	row "ok ok ok ok off who" crm-lead import "$BATS_FILE_TMPDIR/new.tsv"
	row "ok ok deny deny off who" crm-lead add --name 新人 --owner li
	row "ok deny ok deny off who" crm-lead add --name 新人 --owner wang
	row "ok ok ok deny off who" crm-lead add --name 新人 --pool 东区公海
	row "ok ok deny deny off who" crm-lead update 1 --region 华东
	row "ok ok deny deny off who" crm-lead qualify 1
	row "ok ok deny deny off who" crm-lead disqualify --reason 空号 1
	row "ok deny deny deny off who" crm-lead qualify 3
	row "ok deny deny deny off who" crm-lead lock 1
	row "ok deny deny deny off who" crm-lead merge 1 4
	row "ok deny deny deny off who" crm-lead erase --reason 本人要求 1
	row "ok deny deny deny off who" crm-lead undo "$(cat "$BATS_FILE_TMPDIR/import.batch")"
	row "ok ok deny deny off who" crm-lead contact add 1 --name 新联系人
	row "ok ok fail fail off who" crm-lead contact list 1
}

@test "crm-user: reading for all, writing for admins" {
	row "ok ok ok ok off who" crm-user list
	row "ok deny deny deny off who" crm-user add new1
	row "ok deny deny deny off who" crm-user update li --capacity 5
	row "ok deny deny deny off who" crm-user deactivate wang
	row "ok deny deny deny off who" crm-user import "$BATS_FILE_TMPDIR/users.tsv"
	row "ok deny deny deny off who" crm-user team add south
}

@test "crm-activity: a rep's own customers' follow-ups" {
	row "ok ok deny deny off who" crm-activity log --kind call 1
	row "ok ok deny deny off who" crm-activity done 1
	row "ok ok deny deny off who" crm-activity edit --due 2026-11-30 1
	row "ok ok deny deny off who" crm-activity cancel 1
	row "ok ok deny deny off who" crm-activity import "$BATS_FILE_TMPDIR/calls.tsv"
	row "ok ok fail fail off who" crm-activity list --customer 1
	row "ok ok ok ok off who" crm-activity due
}

@test "crm-assign: an admin's" {
	row "ok deny deny deny off who" crm-assign --to wang -f 1
	row "ok deny deny deny off who" crm-assign --round-robin team:east 4
	row "ok deny deny deny off who" crm-assign --transfer-from li --to wang
}

@test "crm-pool: members claim, owners release, admins move and reclaim" {
	row "full3 mask3 mask3 name3 off who" crm-pool list
	row "ok ok ok deny off who" crm-pool claim 3
	row "ok ok deny deny off who" crm-pool release --reason 无意向 1
	row "ok deny deny deny off who" crm-pool move --to 东区公海 4
	row "ok deny deny deny off who" crm-pool assign --to wang 3
	row "ok deny deny deny off who" crm-pool reclaim
	row "ok deny deny deny off who" crm-pool create 西区公海
	row "ok deny deny deny off who" crm-pool set 东区公海 --claim-limit 3
	row "ok ok ok ok off who" crm-pool due
}

@test "crm-deal: a rep works on its own customers' deals" {
	row "ok ok deny deny off who" crm-deal add --title 二单 1
	row "ok ok deny deny off who" crm-deal won 1
	row "ok ok deny deny off who" crm-deal lost --reason 价格 1
	row "ok ok deny deny off who" crm-deal stage 1 proposal
	row "ok ok deny deny off who" crm-deal update --amount 6000 1
	row "ok ok fail fail off who" crm-deal show 1
	row "ok ok ok ok off who" crm-deal list
	row "ok deny deny deny off who" crm-deal stages set "$BATS_FILE_TMPDIR/stages.tsv"
}

@test "crm-export: every format shows what the policy lets the actor see" {
	row "full1 full1 name1 name1 off who" crm-export --plain --query customers
	row "full1 full1 name1 name1 off who" crm-export --json --query customers
	row "full1 full1 name1 name1 off who" crm-export --query customers
	row "full3 mask3 mask3 name3 off who" crm-export --plain --query leads
	row "ok ok ok ok off who" crm-export --plain --query deals
}

@test "crm-score: a rep scores what it sees and saves only its own" {
	row "full1 full1 name1 name1 off who" crm-score --rules "$BATS_FILE_TMPDIR/rules.txt" --all
	row "ok ok fail fail off who" crm-score --rules "$BATS_FILE_TMPDIR/rules.txt" --save 1
	row "ok ok ok ok off who" crm-score rfm
	row "ok ok ok ok off who" crm-score health
	row "ok ok ok ok off who" crm-score predict
}

@test "crm-report: a rep's reports cover what it may see" {
	row "ok ok ok ok off who" crm-report funnel
	row "ok ok ok ok off who" crm-report performance --period 2026-11
	row "ok deny ok deny off who" crm-report performance --owner wang --period 2026-11
	row "full1 full1 name1 name1 off who" crm-report customer 1
	row "full3 mask3 mask3 name3 off who" crm-report customer 3
	row "ok ok ok ok off who" crm-report agenda
	row "ok ok ok ok off who" crm-report pool
}

@test "crm-db: checks for all, settings and backups for admins" {
	row "ok ok ok ok off who" crm-db check
	row "ok ok ok ok off who" crm-db config
	row "ok deny deny deny off who" crm-db config test-clock off
	row "ok deny deny deny off who" crm-db backup copy.db
}

@test "the clock: moving it is an admin's unless the test clock is on" {
	crm-db --db "$TEMPLATE" --as boss config -q test-clock off >/dev/null
	row "ok deny deny deny off who" crm-lead list --now 2026-12-01T00:00:00Z
	crm-db --db "$TEMPLATE" --as boss config -q test-clock on >/dev/null
	row "ok ok ok ok off who" crm-lead list --now 2026-12-01T00:00:00Z
}
