#!/bin/sh
# demo.sh: build a fresh demo.db from share/demo/leads.csv and run the main
# job of crm on it, printing each step.  Run by `make demo`.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$top/bin:$PATH"
export CRM_DB="$top/demo.db" CRM_USER=boss CRM_NOW=2026-11-22T09:00:00Z
rm -f "$CRM_DB" "$CRM_DB-wal" "$CRM_DB-shm"
step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "a team of three reps in 华东, and an admin" \
    "crm-user add li --team east --capacity 40 ..."
crm-user add boss --role admin -q >/dev/null
for rep in li wang zhao; do crm-user add "$rep" --team east --capacity 40 -q >/dev/null; done
# The demo replays a month at fixed times: the test clock lets reps act then.
crm-db config test-clock on -q >/dev/null
crm-user list | cut -f1,3,4,5

step "import 200 leads from a spreadsheet (6 are the same people written differently)" \
    "crm-lead import --csv share/demo/leads.csv"
crm-lead import --csv "$top/share/demo/leads.csv" 2>&1 >/dev/null | sed 's/^/  /'

step "before chasing a company: who holds it already? (防撞单)" \
    "crm-lead check new.tsv | cut -f1,2,4-7"
first=$(crm-lead list --limit 1 | awk -F'\t' 'NR == 2 { print $3 }')
printf 'name\tcompany\tphone\n新联系人\t%s\t\\N\n另一人\t全新测试科技有限公司\t13900000000\n' \
    "$(printf '%s' "$first" | sed 's/有限公司$/有限责任公司/')" > "$top/build/new.tsv"
crm-lead check "$top/build/new.tsv" | cut -f1,2,4-7

step "hand the 华东 leads to the team, round-robin" \
    "crm-lead list --region 华东 | crm-assign --round-robin team:east | cut -f1,3,10"
crm-lead list --region 华东 | crm-assign --round-robin team:east -q | cut -f1,3,10 | head -7
echo "  ..."
crm-lead list --region 华东 | awk -F'\t' 'NR > 1 { n[$10]++ } END { for (o in n) print "  " o ": " n[o] }' | sort

step "li follows up one customer; a public pool reclaims the rest after 30 idle days" \
    "crm-activity log ID --kind call; crm-pool create 华东公海 ...; crm-pool reclaim --now 2027-01-05"
kept=$(crm-lead list --owner li --limit 1 | awk -F'\t' 'NR == 2 { print $1 }')
CRM_USER=li CRM_NOW=2026-12-20T10:00:00Z crm-activity log "$kept" --kind call --note '约了下周拜访' -q >/dev/null
crm-pool create 华东公海 --members team:east --admins boss --no-followup-days 30 --claim-limit 2 -q >/dev/null
CRM_NOW=2027-01-05T02:00:00Z crm-pool reclaim -q | cut -f1,3 | head -4
echo "  ... owned by li now: $(crm-lead list --owner li | awk 'END { print NR - 1 }') (customer $kept, followed up)"

step "zhao claims two from the pool (phones masked until claimed); a third is over the daily limit" \
    "crm-pool list; crm-pool claim ID; crm-pool claim ID; crm-pool claim ID"
export CRM_NOW=2027-01-05T09:00:00Z
CRM_USER=zhao crm-pool list | cut -f1,2,4 | head -4
for id in $(CRM_USER=zhao crm-pool list | awk -F'\t' 'NR > 1 && NR <= 4 { print $1 }'); do
	CRM_USER=zhao crm-pool claim "$id" -q 2>&1 | sed 's/^/  /' | cut -f1,3,10 | grep -v '^  id' || true
done

step "every change is in history: who, when, why, old, new" \
    "crm-lead history ID | cut -f2,3,6-9"
first=$(crm-lead list --pool 华东公海 --limit 1 | awk -F'\t' 'NR == 2 { print $1 }')
crm-lead history "$first" | cut -f2,3,6-9 | grep -v '_since' | sed 's/^/  /'

step "deals (商机): December's opportunities, imported by company, with stages in Chinese" \
    "crm-deal import build/deals.tsv; crm-deal stage --at ...; crm-deal won --at ..."
nth() { crm-lead list --owner "$1" | awk -F'\t' -v n="$2" 'NR == n + 1 { print $3 }'; }
# wang lost his to the pool: the admin hands him two back
crm-pool list | awk -F'\t' 'NR > 1 && NR <= 3 { print $1 }' |
    xargs crm-pool assign --to wang -q >/dev/null
{
	printf '公司\t负责人\t标题\t金额\t阶段\t产品\t创建时间\t预计成交\n'
	printf '%s\tli\t年度维保合同\t¥120,000\t需求确认\t维保\t2026-12-01\t2027-01-20\n' "$(nth li 1)"
	printf '%s\tli\t二期扩容\t80000\t初步接洽\t扩容\t2026-12-03\t2027-02-15\n' "$(nth li 1)"
	printf '%s\twang\t设备采购\t200,000\t方案报价\t设备\t2026-12-02\t2027-01-10\n' "$(nth wang 1)"
	printf '%s\twang\t咨询项目\t60000\t需求确认\t咨询\t2026-12-05\t2027-01-31\n' "$(nth wang 2)"
	printf '%s\tzhao\t系统集成\t150000\t初步接洽\t集成\t2026-12-04\t2027-03-01\n' "$(nth zhao 1)"
	printf '%s\tzhao\t云服务\t36000\t需求确认\t云\t2026-12-06\t2027-01-15\n' "$(nth zhao 2)"
} >"$top/build/deals.tsv"
crm-deal import "$top/build/deals.tsv" -q | cut -f1,3,5,7,9 | sed 's/^/  /'
crm-deal stage --at 2026-12-10 1 3 negotiation -q >/dev/null
crm-deal stage --at 2026-12-12 4 proposal -q >/dev/null
crm-deal won --at 2026-12-20 1 3 -q >/dev/null
crm-deal lost --at 2026-12-22 --reason 预算取消 4 -q >/dev/null
crm-deal stage --at 2026-12-15 6 negotiation -q >/dev/null
crm-deal won --at 2026-12-28 6 -q >/dev/null
crm-deal list | cut -f1,4,6,8,9 | sed 's/^/  /'

step "targets for December, and what each rep has won toward them" \
    "crm-user target li --period 2026-12 --amount 150000; crm-user targets"
for rep in li wang zhao; do crm-user target "$rep" --period 2026-12 --amount 150000 -q >/dev/null; done
crm-user targets | sed 's/^/  /'

step "which leads to call first: every customer scored by rules, graded, explained" \
    "crm-score --rules share/demo/score-rules.txt --all --explain -o id,company,score,grade,explain"
crm-score --rules "$top/share/demo/score-rules.txt" --all --explain \
    -o id,company,score,grade,explain >"$top/build/scores.tsv"
{ head -1 "$top/build/scores.tsv"; tail -n +2 "$top/build/scores.tsv" |
    sort -t"$(printf '\t')" -k3,3nr -k1,1n | head -5; } | sed 's/^/  /'

step "RFM: the customers with a won deal, by recency, frequency and money (强活跃 ...)" \
    "crm-score rfm --save | cut -f1,2,...; crm-lead list --long | ..."
crm-score rfm --save -q | awk -F'\t' 'NR == 1 || $NF ~ /强/' | head -6 | sed 's/^/  /'

step "the sales funnel of December's deals, as a chart" \
    "crm-report funnel --period 2026-12 --chart"
crm-report funnel --period 2026-12 --chart | sed 's/^/  /'

step "each rep in December, against the target" \
    "crm-report performance --period 2026-12 -t"
crm-report performance --period 2026-12 -t | sed 's/^/  /'

cust=$(crm-deal show 1 | awk -F'\t' 'NR == 2 { print $2 }')
step "one customer's overview (客户总览), and its page for the browser" \
    "crm-report customer $cust -t --html build/customer-$cust.html"
CRM_USER=li crm-report customer "$cust" --html "$top/build/customer-$cust.html" \
    -o section,at,item,value | awk -F'\t' '$4 != "" && $1 != "fact" || $3 ~ /^(company|owner|segment)$/' |
    head -24 | sed 's/^/  /'
echo "  ... build/customer-$cust.html: $(wc -c <"$top/build/customer-$cust.html") bytes: open it in a browser"

step "for the sales manager: an Excel file with one sheet per owner" \
    "crm-export --query customers --xlsx build/customers.xlsx --sheet-by owner"
crm-export --query customers --xlsx "$top/build/customers.xlsx" --sheet-by owner -q
ls -l "$top/build/customers.xlsx" | awk '{ print "  " $NF ": " $5 " bytes" }'
printf '\ndemo.db is ready: try  CRM_DB=demo.db bin/crm lead list --match company=科技 | head\n'
