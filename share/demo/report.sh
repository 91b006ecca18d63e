#!/bin/sh
# report.sh: the reports of `make demo`, for share/demo/demo.sh to run
# after its own steps, on the demo.db it made (li, wang and zhao of team
# east, their leads, the pool 华东公海):
#     sh "$top/share/demo/report.sh"
# Until crm-deal is in, a dozen deals of December 2026 are written here
# with sqlite3 as crm-deal keeps them (each with its deal_stages rows),
# and the reps' December targets too; the follow-ups go through
# crm-activity.  Then: the funnel as a chart, performance against the
# targets as a table, and one customer's overview with its HTML page
# (build/customer-ID.html).  Run alone, it makes demo.db first.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$top/bin:$PATH"
export CRM_DB="$top/demo.db" CRM_USER=boss CRM_NOW=2027-01-05T09:00:00Z
[ -f "$CRM_DB" ] || sh "$top/share/demo/demo.sh" >/dev/null 2>&1 || true
crm-db config test-clock on >/dev/null	# the reps act at the demo's times
mkdir -p "$top/build"
step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

# customer N of REP's, by id
nth() {
	crm-lead list --owner "$1" | awk -F'\t' -v n="$2" 'NR == n + 1 { print $1 }'
}

# deal ID CUSTOMER OWNER TITLE YUAN STAGES...: a deal that went through
# STAGES (stage ids), one every 5 days from 2026-12-01; the last is where
# it is now, and closes it when won (5) or lost (6).
deal() {
	id=$1 cust=$2 owner=$3 title=$4 yuan=$5
	shift 5
	n=$# day=1 sql="" last=""
	for s in "$@"; do
		at=$(printf '2026-12-%02dT02:00:00Z' "$day")
		if [ -n "$last" ]; then
			sql="$sql UPDATE deal_stages SET left_at = '$at' WHERE deal_id = $id AND left_at IS NULL;"
		fi
		sql="$sql INSERT INTO deal_stages VALUES ($id, $s, '$at', NULL);"
		last=$s
		day=$((day + 5))
	done
	closed=NULL
	[ "$last" -ge 5 ] && closed="'$at'"
	sqlite3 "$CRM_DB" "INSERT INTO deals (id, customer_id, owner_id, title,
	 amount, currency, stage_id, stage_since, expected_close, closed_at,
	 created_at) VALUES ($id, $cust, (SELECT id FROM users WHERE login = '$owner'),
	 '$title', $yuan * 100, 'CNY', $last, '$at', '2027-01-20', $closed,
	 '2026-12-01T02:00:00Z'); $sql"
}

if [ "$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM deals')" = 0 ]; then
	l1=$(nth li 1) l2=$(nth li 2) l3=$(nth li 3)
	w1=$(nth wang 1) w2=$(nth wang 2) z1=$(nth zhao 1) z2=$(nth zhao 2)
	deal 1 "$l1" li 年度维保合同 120000 1 2 3 4 5
	deal 2 "$l1" li 二期扩容 80000 1 2 3 4
	deal 3 "$l2" li 试点项目 30000 1 2 6
	deal 4 "$l3" li 软件许可 45000 1 2 3
	deal 5 "$w1" wang 设备采购 200000 1 2 3 4 5
	deal 6 "$w1" wang 培训服务 15000 1 2 3 4 5
	deal 7 "$w2" wang 咨询项目 60000 1 2 3 6
	deal 8 "$w2" wang 备件 8000 1
	deal 9 "$z1" zhao 系统集成 150000 1 2 3 4 6
	deal 10 "$z1" zhao 运维外包 90000 1 2
	deal 11 "$z2" zhao 云服务 36000 1 2 3 4 5
	deal 12 "$z2" zhao 数据迁移 22000 1
	for rep in li wang zhao; do
		sqlite3 "$CRM_DB" "INSERT INTO targets (user_id, period, amount, currency)
		 SELECT id, '2026-12', 15000000, 'CNY' FROM users WHERE login = '$rep'"
	done
	CRM_USER=li CRM_NOW=2026-12-03T03:00:00Z crm-activity log "$l1" --kind visit \
	    --note '现场演示，客户很感兴趣' -q >/dev/null
	CRM_USER=li CRM_NOW=2026-12-18T06:00:00Z crm-activity log "$l1" --kind call \
	    --note '确认年度维保条款' -q >/dev/null
	CRM_USER=li crm-activity log "$l1" --kind call --due 2027-01-08 \
	    --note '回访二期需求' -q >/dev/null
fi
cust=$(sqlite3 "$CRM_DB" 'SELECT customer_id FROM deals WHERE id = 1')

step "the sales funnel of December's deals: who entered each stage, and how many moved on" \
    "crm-report funnel --period 2026-12 --chart"
crm-report funnel --period 2026-12 --chart

step "each rep in December against a target of 150000" \
    "crm-report performance --period 2026-12 -t"
crm-report performance --period 2026-12 -t

step "one customer's overview (客户总览), and its page for the browser" \
    "crm-report customer $cust -t --html build/customer-$cust.html"
CRM_USER=li crm-report customer "$cust" -t --html "$top/build/customer-$cust.html" |
    grep -Ev '^fact +[a-z_]+$' | head -30
echo "  ... build/customer-$cust.html: $(wc -c <"$top/build/customer-$cust.html") bytes, open it in a browser"
