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

step "for the sales manager: an Excel file with one sheet per owner" \
    "crm-export --query customers --xlsx build/customers.xlsx --sheet-by owner"
crm-export --query customers --xlsx "$top/build/customers.xlsx" --sheet-by owner -q
ls -l "$top/build/customers.xlsx" | awk '{ print "  " $NF ": " $5 " bytes" }'
printf '\ndemo.db is ready: try  CRM_DB=demo.db bin/crm lead list --match company=科技 | head\n'
