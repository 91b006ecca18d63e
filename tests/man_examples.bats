#!/usr/bin/env bats
# The examples of the manual pages that show their output are run, and
# must print exactly that (as jq's manual tests do).  An example is a
# literal block (.Bd -literal ... .Ed) whose first line starts "$ ": the
# command, continued on lines that start with blanks, then its output.
# Blocks with no output lines, or with several commands, are illustrations
# and are not run.
#
# They run on this database (crm(7) describes it as the example data):
#   users boss (admin), li and wang (reps of team east);
#   customer 1 李一 of 甲公司, 13800000001, li's; customer 2 王二 of 乙公司,
#   13800000002, wang's;
#   deal 1 年度维保 ¥120,000 of customer 1, won on 2026-11-10; deal 2 二期扩容
#   ¥80,000 of customer 1, open in 需求确认 (qualified); li's November
#   target ¥150,000.

load helpers

setup_file() {
	export EXDB="$BATS_FILE_TMPDIR/example.db"
	export CRM_DB="$EXDB" CRM_NOW=2026-11-22T09:00:00Z CRM_USER=boss \
	    CRM_RC=/dev/null TZ=UTC
	crm-user add -q boss --role admin >/dev/null
	crm-user add -q li --team east >/dev/null
	crm-user add -q wang --team east >/dev/null
	crm-db config -q test-clock on >/dev/null
	crm-lead add -q --name 李一 --company 甲公司 --phone 13800000001 --owner li \
	    --now 2026-11-01T00:00:00Z >/dev/null
	crm-lead add -q --name 王二 --company 乙公司 --phone 13800000002 --owner wang \
	    --now 2026-11-01T00:00:00Z >/dev/null
	crm-deal add -q --title 年度维保 --amount 120000 --at 2026-11-02 1 >/dev/null
	crm-deal won -q --at 2026-11-10 1 >/dev/null
	crm-deal add -q --title 二期扩容 --amount 80000 --stage qualified \
	    --at 2026-11-12 1 >/dev/null
	crm-user target -q li --period 2026-11 --amount 150000 >/dev/null
}

setup() {
	TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
	export CRM_DB="$EXDB" CRM_NOW=2026-11-22T09:00:00Z CRM_USER=boss \
	    NO_COLOR=1 CRM_RC=/dev/null TZ=UTC
	cd "$BATS_TEST_TMPDIR"
}

# examples PAGE: each example of PAGE with an output, as "CMD\tWANT" lines
# with newlines written \n (mdoc's \e is a backslash, \(dq a quote).
examples() {
	awk '
	function plain(s) {
		gsub(/\\e/, "\\", s); gsub(/\\\(dq/, "\"", s); gsub(/\\&/, "", s)
		gsub(/\\-/, "-", s)
		return s
	}
	/^\.Bd -literal/ { inb = 1; cmd = ""; out = ""; n = 0; many = 0; next }
	/^\.Ed/ {
		if (inb && cmd != "" && n > 0 && !many)
			printf "%s\t%s\n", cmd, out
		inb = 0
		next
	}
	!inb { next }
	cmd != "" && /^\$ / { many = 1; next }	# several commands: an illustration
	n == 0 && cmd == "" && /^\$ / { cmd = plain(substr($0, 3)); next }
	n == 0 && cmd != "" && /^[ \t]/ { cmd = cmd " " plain($0); next }
	cmd != "" { out = out (n++ ? "\\n" : "") plain($0) }
	' "$1"
}

@test "the examples of the manual pages print what the pages say" {
	local page cmd want got ran=0 bad=0
	for page in "$TOP"/man/*.[157]; do
		while IFS='	' read -r cmd want; do
			ran=$((ran + 1))
			got=$(bash -c "$cmd" 2>&1) || true
			want=$(printf '%b' "$want")
			if [ "$got" != "$want" ]; then
				echo "${page##*/}: \$ $cmd"
				diff <(echo "$want") <(echo "$got") | sed 's/^/  /'
				bad=$((bad + 1))
			fi
		done < <(examples "$page")
	done
	echo "$ran examples run"
	[ "$ran" -ge 6 ]
	[ "$bad" -eq 0 ]
}

@test "the examples that use jq are among them" {
	local n=0 page
	for page in "$TOP"/man/*.[157]; do
		n=$((n + $(examples "$page" | grep -c 'jq ' || true)))
	done
	[ "$n" -ge 5 ]
}
