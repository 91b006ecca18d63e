#!/bin/sh
# bench-score.sh [N]: crm-score with 50 field rules over N generated
# customers (default 1,000,000), beside the anchor, `grep -cP` running the
# same 50 patterns over the same customers exported as TSV (crm-lead list),
# one pattern after the other, in the same run.  Median of three
# side-by-side runs of each, wall time and CPU time; the ratio's target is
# <= 1x (one pass with 50 compiled patterns beats 50 passes).  Timed both ways crm-score reads:
# --all (the database alone) and records on stdin (the exported TSV, each
# id looked up).  The database is made once, from gen-leads, and kept in
# tests/bench/out/score-N.db.  Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
out=$top/tests/bench/out
mkdir -p "$out"
PATH=$top/bin:$PATH
export CRM_RC=/dev/null CRM_USER=bench CRM_NOW=2026-11-22T09:00:00Z
db=$out/score-$n.db
if [ ! -f "$db" ]; then
	cc -O2 -o "$out/gen-leads" "$top/tests/bench/gen-leads.c"
	"$out/gen-leads" -n "$n" --csv --dup-rate 0 >"$out/score-leads.csv"
	CRM_DB=$db crm-db init -q >/dev/null
	sqlite3 "$db" ".import --csv $out/score-leads.csv g" \
	    "INSERT INTO customers (name, company, phone, email, region,
	     industry, source, status, created_at, updated_at)
	     SELECT name, company, phone, email, region, industry, source, 'lead',
	     '2026-01-05T02:00:00Z', '2026-01-05T02:00:00Z' FROM g" \
	    "DROP TABLE g"
	rm -f "$out/score-leads.csv"
fi
CRM_DB=$db crm-lead list >"$out/score-export.tsv"
rows=$(($(wc -l <"$out/score-export.tsv") - 1))

# The 50 patterns: industries, regions, sources, company words, email
# domains and phone shapes, as a sales team would weigh them.
cat >"$out/score-patterns" <<'EOF'
industry 互联网
industry 制造业
industry 零售
industry 医疗
industry 房地产
industry 能源
industry 物流
industry 教育
industry 金融
industry 政府
region 华东
region 华南
region 华北
region 华中
region 西南
region 东北
region 西北
source 官网
source 百度推广
source 微信
source 转介绍
source 展会
source 电话营销
source 老客户
source 合作伙伴
company 科技
company 贸易
company 机械
company 软件
company 医疗器械
company 电子商务
company 置业
company 融资租赁
company 广告
company 股份有限公司
company 集团
company 汽车零部件
company 上海|北京
company 深圳|广州
company 信息(技术|科技)
email @qq\.com
email @126\.com
email @gmail\.com
email \.com\.cn
email ^\d+@
phone ^1[3-5]\d
phone ^1[89]\d
phone ^0\d{2,3}-
phone \d{4} \d{4}
phone -\d{4}-
EOF
awk '{ printf "+%d %s ~ %s\n", NR % 9 + 1, $1, $2 }' "$out/score-patterns" \
    >"$out/score.rules"
printf 'grade A >= 20\ngrade B >= 10\ngrade C >= 0\n' >>"$out/score.rules"
cut -d' ' -f2- "$out/score-patterns" >"$out/score-greps"

# The wall and CPU (user + system) seconds of each run, a line each, and
# their medians: on a machine others share, the CPU seconds are steadier.
median() { sort -n | sed -n 2p; }
timed() {	# FILE COMMAND...: run it, add "wall cpu" to FILE
	f=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$out/time" "$@"
	awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$out/time" >>"$f"
}

: >"$out/t-grep"; : >"$out/t-all"; : >"$out/t-stdin"
for i in 1 2 3; do
	timed "$out/t-grep" sh -c '
		while IFS= read -r p; do grep -cP -- "$p" "$1" || true; done <"$2"
	    ' sh "$out/score-export.tsv" "$out/score-greps" >"$out/score-counts"
	timed "$out/t-all" env CRM_DB="$db" crm-score -q --all \
	    --rules "$out/score.rules" >/dev/null
	timed "$out/t-stdin" env CRM_DB="$db" crm-score -q \
	    --rules "$out/score.rules" <"$out/score-export.tsv" >/dev/null
done
for t in grep all stdin; do
	eval "w_$t=\$(cut -d' ' -f1 \"\$out/t-$t\" | median)"
	eval "c_$t=\$(cut -d' ' -f2 \"\$out/t-$t\" | median)"
done
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
echo "score $rows customers, 50 field rules: crm-score --all ${w_all}s, 50 x grep -cP ${w_grep}s, ratio $(ratio "$w_all" "$w_grep")x (target <= 1x); CPU ${c_all}s against ${c_grep}s, $(ratio "$c_all" "$c_grep")x"
echo "score $rows customers, 50 field rules, records on stdin: crm-score ${w_stdin}s, ratio $(ratio "$w_stdin" "$w_grep")x; CPU ${c_stdin}s, $(ratio "$c_stdin" "$c_grep")x"
