# helpers.bash: common setup for every bats file: a fresh database in a
# temporary directory, a fixed clock, no colour, no profile.
# Load with:  load helpers

bats_require_minimum_version 1.5.0

setup() {
	export CRM_DB="$BATS_TEST_TMPDIR/crm.db"
	export CRM_NOW="${CRM_NOW_FIXED:-2026-11-22T09:00:00Z}"
	export CRM_USER=tester NO_COLOR=1 CRM_RC=/dev/null TZ=UTC
	unset CRM_FORCE_TTY
	TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
	TESTDATA="${CRM_TESTDATA:-$TOP/tests/data/ext}"
	DATA="$TOP/tests/data"
	cd "$BATS_TEST_TMPDIR"
	if declare -F local_setup >/dev/null; then local_setup; fi
}

# run_split CMD...: like run, but stdout in $output and stderr in $stderr.
run_split() {
	run --separate-stderr "$@"
}

# assert_status N: fail with the command's stdout and stderr shown.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status"
		echo "stdout: $output"
		echo "stderr: ${stderr:-}"
		return 1
	fi
}

# field ROW COLUMN: the value of COLUMN (by header name) in row ROW (1 = first
# record) of TSV on stdin; "(no column C)" or "(no row N)" when there is
# none, so that an expected empty value cannot match a missing one.
field() {
	awk -F'\t' -v row="$1" -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i
			if (!c) { print "(no column " col ")"; exit 1 }
			next }
		NR == row + 1 { print $c; found = 1; exit }
		END { if (c && !found) print "(no row " row ")" }'
}

# count_rows: records (lines after the header) on stdin.
count_rows() {
	awk 'END { print (NR > 0 ? NR - 1 : 0) }'
}

# sql QUERY: read the test database directly, to check what was stored.
sql() {
	sqlite3 -batch -noheader -separator '	' "$CRM_DB" "$1"
}
