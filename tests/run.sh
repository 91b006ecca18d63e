#!/bin/sh
# run.sh BUILD: run the C unit tests and the bats suites against BUILD/bin,
# then the bats suites again on PostgreSQL (tests/pg-run.sh) when the
# server's programs are installed (Debian postgresql) and CRM_TEST_PG_SKIP
# is not set (CRM_TEST_PG_FILES: only those files, names without .bats);
# print one line "N passed, N failed, N skipped" for them all; exit 1 on
# any failure.  The bats files run CRM_TEST_JOBS at a time
# (default: the processors), each into its own log, printed in order when
# all are done.  LeakSanitizer checks the unit tests, and every program
# the bats files run unless CRM_TEST_LEAKS=0 (.ci/run: it costs some 40 ms
# a process here, a third of the shell tests' time).
set -u
build=${1:-build/san}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
export PATH="$build/bin:$PATH" CRM_BIN="$build/bin" NO_COLOR=1 CRM_RC=/dev/null
export CRM_TESTDATA="${CRM_TESTDATA:-$top/tests/data/ext}"
export CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
log=$(mktemp)
logs=$(mktemp -d)
trap 'rm -rf "$log" "$logs"' EXIT
jobs=${CRM_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}

for t in "$build"/unit/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: ${t##*/}"
	out=$(cd "$top" && "$t" 2>&1); rc=$?
	printf '%s\n' "$out" >> "$log"
	printf '%s\n' "$out" | grep -E '^(not ok|# )' || true
	# a crash or sanitizer abort is a failure even after "ok" lines
	[ "$rc" -eq 0 ] || { echo "not ok - ${t##*/} exited with status $rc"; printf '%s\n' "$out" | tail -20; } | tee -a "$log"
done
if ! command -v bats >/dev/null 2>&1; then
	echo "not ok - bats is not installed (make deps)" | tee -a "$log"
else
	[ "${CRM_TEST_LEAKS:-1}" = 0 ] && export ASAN_OPTIONS=detect_leaks=0
	# the longest first, so the last to finish is a short one
	ls -S "$top"/tests/*.bats | xargs -P "$jobs" -I{} sh -c \
	    'bats --tap "$1" >"$2/$(basename "$1").log" 2>&1' sh {} "$logs"
	for f in "$top"/tests/*.bats; do
		[ -f "$f" ] || continue
		echo "# bats: ${f##*/}"
		tee -a "$log" <"$logs/${f##*/}.log" | grep -E '^(not ok|#)|^ok .*# skip' || true
	done
fi
pass=$(grep -cE '^ok ' "$log" | tr -d ' ')
skip=$(grep -cE '^ok .*# (skip|SKIP)' "$log" | tr -d ' ')
fail=$(grep -cE '^not ok' "$log" | tr -d ' ')
pass=$((pass - skip))
echo "# SQLite: $pass passed, $fail failed, $skip skipped"
# the same suites on PostgreSQL: its counts added to these
if [ -n "${CRM_TEST_PG_SKIP:-}" ]; then
	echo "# PostgreSQL: not run (CRM_TEST_PG_SKIP is set)"
elif ! sh "$top/tests/pg-server.sh" bin >/dev/null 2>&1; then
	echo "# PostgreSQL: not run: no server programs (apt-get install postgresql)"
else
	# CRM_TEST_PG_FILES: the files to run there (names without .bats)
	files=
	for f in ${CRM_TEST_PG_FILES:-}; do
		files="$files $top/tests/$f.bats"
	done
	sh "$top/tests/pg-run.sh" "$build" $files | tee "$log"
	set -- $(tail -n 1 "$log" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' ||
	    echo 0 passed, 1 failed, 0 skipped)
	pass=$((pass + $1)) fail=$((fail + $3)) skip=$((skip + $5))
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
