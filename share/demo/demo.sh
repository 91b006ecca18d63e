#!/bin/sh
# demo.sh: build a fresh demo.db from share/demo/leads.csv and run a short
# pipeline, printing what each step does.  Run by `make demo`.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$top/bin:$PATH"
export CRM_DB="$top/demo.db" CRM_USER=admin
rm -f "$CRM_DB" "$CRM_DB-wal" "$CRM_DB-shm"
step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "import 200 leads (some are duplicates written differently)" \
    "crm-lead import --csv share/demo/leads.csv | wc -l"
crm-lead import --csv "$top/share/demo/leads.csv" 2>&1 >/dev/null | sed -n '1,8p'
echo "customers in demo.db: $(crm-lead list | awk 'END { print NR - 1 }')"

step "who already holds these companies? (防撞单, read-only)" \
    "printf ... | crm-lead check | cut -f1,2,6-9"
first=$(crm-lead list --limit 1 | awk -F'\t' 'NR == 2 { print $3 }')
printf 'name\tcompany\tphone\n新联系人\t%s\t\\N\n另一人\t全新的测试公司\t13900000000\n' \
    "$(printf '%s' "$first" | sed 's/有限公司$/有限责任公司/')" |
    crm-lead check | cut -f1,2,4-8

step "leads per region" "crm-lead list | awk ... | sort"
crm-lead list | awk -F'\t' 'NR > 1 { n[$6]++ } END { for (r in n) print n[r] "\t" r }' | sort -rn

step "qualify the 华东 leads from 官网, disqualify one with a reason" \
    "crm-lead list --region 华东 --source 官网 | crm-lead qualify"
crm-lead list --region 华东 --source 官网 | crm-lead qualify | cut -f1,2,3,9 | head -6
crm-lead disqualify --reason 空号 2 | cut -f1,2,9,15

step "history of customer 2" "sqlite3 demo.db 'select ... from history'"
if command -v sqlite3 >/dev/null; then
	sqlite3 -separator '	' "$CRM_DB" \
	    "SELECT at, actor, field, old_value, new_value, reason FROM history WHERE entity_id = 2"
fi
printf '\ndemo.db is ready: try  CRM_DB=demo.db bin/crm lead list --match company=科技 | head\n'
