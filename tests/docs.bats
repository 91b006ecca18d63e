#!/usr/bin/env bats
# Documentation: every program has a man page that lints clean, whose
# SYNOPSIS says what --help says (git t0450) and which names every option;
# generated files are fresh; completions know every program.

load helpers

progs() {
	for p in "$CRM_BIN"/crm-*; do
		[ -x "$p" ] || continue
		p=${p##*/}
		case $p in *[!a-z0-9-]*) continue ;; esac
		echo "$p"
	done
}

# lint PAGE: mandoc -Tlint messages, minus the ones we accept: a page that
# names a page not installed here, and mandoc's own database notices.
lint() {
	mandoc -Tlint "$1" 2>&1 |
	    grep -v -e 'referenced manual not found' -e 'mandoc\.db' || true
}

# help_usage PROG: the usage lines of --help, without "usage:" and the name.
help_usage() {
	"$CRM_BIN/$1" --help | awk -v p="$1" '
		$1 == "usage:" && $2 == p { on = 1; sub(/^usage:[ ]+/, "") }
		on && /^$/ { exit }
		on { sub(/^[ ]+/, ""); sub("^" p " ", ""); gsub(/[ \t]+/, " "); print }'
}

# man_synopsis PAGE PROG: the SYNOPSIS as mandoc renders it, one line per
# usage, markup removed, whitespace collapsed, without the program name.
man_synopsis() {
	mandoc -T ascii -O width=1000 "$1" | sed 's/.\x08//g' | awk -v p="$2" '
		/^SYNOPSIS/ { on = 1; next }
		on && /^[A-Z]/ { exit }
		on && NF {
			sub(/^[ ]+/, ""); gsub(/[ \t]+/, " "); sub(/ $/, "")
			if (index($0, p " ") == 1)
				print substr($0, length(p) + 2)
			else if ($0 == p)
				print ""
			else
				print "(continued) " $0
		}'
}

@test "every program has a man page" {
	missing=""
	for p in $(progs); do
		[ -f "$TOP/man/$p.1" ] || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		for p in $missing; do
			echo "$p: no man/$p.1 (write it after man/crm-lead.1)"
		done
		return 1
	fi
}

@test "the man pages lint clean with mandoc -Tlint" {
	bad=0
	for page in "$TOP"/man/*.[157]; do
		out=$(lint "$page")
		if [ -n "$out" ]; then
			echo "${page#"$TOP"/}:"
			echo "$out"
			bad=1
		fi
	done
	for p in $(progs); do
		[ -f "$TOP/man/$p.1" ] || { echo "$p: no man/$p.1 to lint"; bad=1; }
	done
	[ "$bad" -eq 0 ]
}

@test "each man page SYNOPSIS matches the usage lines of --help" {
	bad=0
	for p in $(progs); do
		page="$TOP/man/$p.1"
		if [ ! -f "$page" ]; then
			echo "$p: no man/$p.1, so no SYNOPSIS to compare"
			bad=1
			continue
		fi
		help_usage "$p" >"$BATS_TEST_TMPDIR/help"
		man_synopsis "$page" "$p" >"$BATS_TEST_TMPDIR/man"
		if [ ! -s "$BATS_TEST_TMPDIR/help" ]; then
			echo "$p: --help printed no usage lines"
			bad=1
		elif ! diff -u "$BATS_TEST_TMPDIR/help" "$BATS_TEST_TMPDIR/man" \
		    >"$BATS_TEST_TMPDIR/diff"; then
			echo "$p: SYNOPSIS of man/$p.1 (+) differs from --help (-):"
			cat "$BATS_TEST_TMPDIR/diff"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "every command's --help prints its own usage lines" {
	bad=0
	for p in $(progs); do
		# the commands a usage line names: "add ...", "[score] ...", "a | b ..."
		for c in $(help_usage "$p" | awk '{
			for (i = 1; i <= NF; i++) {
				w = $i; gsub(/^\[|\]$/, "", w)
				if (w !~ /^[a-z][a-z-]*$/) break
				print w
				if ($(i + 1) != "|") break
				i++
			} }' | sort -u); do
			if ! "$CRM_BIN/$p" "$c" --help | grep -Eq "^usage: $p ([a-z-]+ \| )*\[?$c([] ]|$)"; then
				echo "$p $c --help: no usage line of $c"
				bad=1
			fi
		done
	done
	[ "$bad" -eq 0 ]
}

@test "each man page names every option of its program" {
	bad=0
	for p in $(progs); do
		page="$TOP/man/$p.1"
		if [ ! -f "$page" ]; then
			echo "$p: no man/$p.1"
			bad=1
			continue
		fi
		text=$(mandoc -T ascii -O width=1000 "$page" | sed 's/.\x08//g')
		for o in $("$CRM_BIN/$p" --dump-options | awk -F'\t' 'NR > 1 { print $2 }'); do
			if ! grep -q -e "--$o\\b" <<<"$text"; then
				echo "$p: man/$p.1 does not mention --$o"
				bad=1
			fi
		done
	done
	[ "$bad" -eq 0 ]
}

@test "the generated completions and OPTIONS blocks are fresh" {
	run sh "$TOP/src/gen/check-generated.sh" "$CRM_BIN"
	if [ "$status" -ne 0 ]; then
		echo "$output"
		return 1
	fi
}

@test "check-generated.sh names a stale OPTIONS block and a stale completion" {
	# a copy of the tree's generated files, one of each made stale
	mkdir -p tree/src/gen tree/man tree/completions
	cp "$TOP"/src/gen/*.sh "$TOP"/src/gen/*.awk tree/src/gen/
	cp "$TOP"/man/* tree/man/
	# made fresh here, so this test does not depend on the committed state
	sh tree/src/gen/gen-completions.sh "$CRM_BIN" tree/completions
	for page in tree/man/crm-*.1; do
		p=$(basename "$page" .1)
		[ -x "$CRM_BIN/$p" ] || continue
		"$CRM_BIN/$p" --dump-options >dump
		awk -f tree/src/gen/gen-man.awk dump "$page" >new && mv new "$page"
	done
	run sh tree/src/gen/check-generated.sh "$CRM_BIN"
	assert_status 0
	sed -i 's/^read and write CSV instead of TSV$/stale text/' tree/man/crm-lead.1
	echo '# edited by hand' >>tree/completions/crm.fish
	run sh tree/src/gen/check-generated.sh "$CRM_BIN"
	assert_status 1
	[[ "$output" == *"stale: man/crm-lead.1: its OPTIONS block differs"* ]]
	[[ "$output" == *"stale: completions/crm.fish differs"* ]]
	[[ "$output" != *"completions/crm.bash"* ]]
	[[ "$output" == *"make generated"* ]]
}

@test "gen-man.awk rewrites only the OPTIONS block, escaping mdoc" {
	printf 'short\tlong\targ\tmetavar\tcomplete\thelp\n' >dump
	printf 'x\tdry-run\tnone\t\\N\t\tshow it; change nothing\n' >>dump
	printf '\\N \tout-file\trequired\tFILE\t_files\t.dot first \\\\ and a backslash\n' >>dump
	cat >page.1 <<'EOF'
.Sh OPTIONS
.\" BEGIN OPTIONS (generated; edit src/cmd/x.opts)
.It old stuff
.\" END OPTIONS
hand-written prose
EOF
	run awk -f "$TOP/src/gen/gen-man.awk" dump page.1
	assert_status 0
	expected='.Sh OPTIONS
.\" BEGIN OPTIONS (generated; edit src/cmd/x.opts)
.Bl -tag -width Ds
.It Fl x , Fl \-dry\-run
show it; change nothing
.It Fl \-out\-file Ar FILE
\&.dot first \e and a backslash
.El
.\" END OPTIONS
hand-written prose'
	[ "$output" = "$expected" ]
	printf '.Sh OPTIONS\n' >nomark.1
	run awk -f "$TOP/src/gen/gen-man.awk" dump nomark.1
	[ "$status" -ne 0 ]
	[[ "$output" == *"no '.\\\" BEGIN OPTIONS' line"* ]]
}

@test "the completions name crm and every program" {
	bad=0
	for p in $(progs); do
		grep -q "^complete -F _crm crm .*\\b$p\\b" "$TOP/completions/crm.bash" ||
		    { echo "$p: not in completions/crm.bash"; bad=1; }
		grep -q "^#compdef crm .*\\b$p\\b" "$TOP/completions/_crm" ||
		    { echo "$p: not in completions/_crm"; bad=1; }
		grep -q "^complete -c $p " "$TOP/completions/crm.fish" ||
		    { echo "$p: not in completions/crm.fish"; bad=1; }
	done
	[ "$bad" -eq 0 ]
}

@test "bash completion completes commands, option values and crm NAME" {
	# shellcheck disable=SC1091
	source "$TOP/completions/crm.bash"
	comp() {
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_crm
		echo "${COMPREPLY[*]}"
	}
	[ "$(comp crm-lead im)" = import ]
	[ "$(comp crm lead im)" = import ]
	[ "$(comp crm-lead import --on-duplicate u)" = update ]
	[ "$(comp crm lead list --status dis)" = disqualified ]
	[ "$(comp crm-lead list --sk)" = --skip-bad ]
	: >leads.csv
	[ "$(comp crm-lead import --db x.db lead)" = leads.csv ]
	[ "$(comp crm-lead --rejects lead)" = leads.csv ]
	[[ " $(comp crm '') " == *" lead "* ]]
}

@test "the overview pages exist: crm(7) and crm-tsv(5)" {
	[ -f "$TOP/man/crm.7" ] || { echo "no man/crm.7"; return 1; }
	[ -f "$TOP/man/crm-tsv.5" ] || { echo "no man/crm-tsv.5"; return 1; }
	# crm(7) lists every program that exists
	text=$(mandoc -T ascii "$TOP/man/crm.7" | sed 's/.\x08//g')
	for p in $(progs); do
		grep -q "$p" <<<"$text" || { echo "crm(7) does not mention $p"; return 1; }
	done
}

@test "the crm-lead(1) examples run" {
	cat >leads.csv <<'EOF'
name,company,phone,email,region,source
张三,上海某某科技有限公司,138 1234 5678,zs@example.com,华东,展会
李四,上海某某科技,139 0000 1111,,华东,官网
王五,北京某某,1111111111,,华北,展会
EOF
	run_split crm-lead import --csv leads.csv
	assert_status 0
	# 李四's company is 上海某某科技 once the ending is gone: a duplicate
	[ "$(count_rows <<<"$output")" -eq 2 ]
	[[ "$stderr" == *"leads.csv:3: not imported: duplicate of customer 1 (same company)"* ]]
	crm-lead list --status lead --source 展会 | crm-lead qualify >/dev/null
	[ "$(sql "SELECT count(*) FROM customers WHERE status = 'qualified'")" -eq 2 ]
	crm-lead list -m 'phone=^1{5,}$' | crm-lead disqualify --reason 'fake number' >/dev/null
	[ "$(sql "SELECT status FROM customers WHERE name = '王五'")" = disqualified ]
	run_split crm-lead check --csv leads.csv
	assert_status 0
	[ "$(field 2 dup_id <<<"$(tr , '\t' <<<"$output")")" = 1 ]
}

@test "the zsh and fish completions parse (when those shells are installed)" {
	command -v zsh >/dev/null || command -v fish >/dev/null ||
	    skip "neither zsh nor fish is installed"
	if command -v zsh >/dev/null; then
		run zsh -n "$TOP/completions/_crm"
		assert_status 0
	fi
	if command -v fish >/dev/null; then
		run fish -n "$TOP/completions/crm.fish"
		assert_status 0
	fi
}
