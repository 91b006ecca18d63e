#!/bin/sh
# pg-run.sh BUILD [FILE.bats ...]: run the bats files (default: all of
# tests/*.bats) against PostgreSQL with the programs of BUILD/bin: a
# private server (tests/pg-server.sh) in a temporary directory, on a Unix
# socket there only, a fresh database per test (helpers.bash new_db),
# stopped and removed on the way out whatever happens.  The files run
# CRM_TEST_JOBS at a time (default: the processors), as tests/run.sh
# runs them.  Prints each file's failures, counts and time, then one
# line "N passed, N failed, N skipped"; exits 1 on any failure or when
# the server does not start.
set -u
build=${1:?usage: pg-run.sh BUILD [FILE.bats ...]}
shift
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
export PATH="$build/bin:$PATH" CRM_BIN="$build/bin" NO_COLOR=1 CRM_RC=/dev/null
export CRM_TESTDATA="${CRM_TESTDATA:-$top/tests/data/ext}"
# Leaks are the SQLite run's to find (the same library, every test): at
# some 40 ms a process here, LeakSanitizer would double this run.
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1

dir=$(mktemp -d "${TMPDIR:-/tmp}/crm-pg.XXXXXX")
log=$(mktemp)
logs=$(mktemp -d)
stop() {
	sh "$top/tests/pg-server.sh" stop "$dir"
	rm -rf "$log" "$logs"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP
sh "$top/tests/pg-server.sh" start "$dir" || exit 1
export CRM_TEST_PG="$dir" PATH="$build/bin:$(sh "$top/tests/pg-server.sh" bin):$PATH"

[ $# -gt 0 ] || set -- "$top"/tests/*.bats
jobs=${CRM_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
start=$(date +%s)
# CRM_TEST_JOBS files at a time, the longest first, each into its own log
# (its last line: how long it took), printed in order when all are done
ls -S "$@" | xargs -P "$jobs" -I{} sh -c 't0=$(date +%s)
	bats --tap "$1" >"$2/$(basename "$1").log" 2>&1
	echo "# took $(($(date +%s) - t0)) s" >>"$2/$(basename "$1").log"' sh {} "$logs"
for f in "$@"; do
	out=$(cat "$logs/${f##*/}.log")
	printf '%s\n' "$out" >> "$log"
	printf '%s\n' "$out" | grep -E '^not ok' -A 12 | grep -v '^ok ' || true
	printf '%s\n' "$out" | grep -E '^ok .*# (skip|SKIP)' || true
	p=$(printf '%s\n' "$out" | grep -cE '^ok ')
	s=$(printf '%s\n' "$out" | grep -cE '^ok .*# (skip|SKIP)')
	x=$(printf '%s\n' "$out" | grep -cE '^not ok')
	echo "# ${f##*/}: $((p - s)) passed, $x failed, $s skipped, $(tail -1 "$logs/${f##*/}.log" | sed 's/# took //')"
done
pass=$(grep -cE '^ok ' "$log")
skip=$(grep -cE '^ok .*# (skip|SKIP)' "$log")
fail=$(grep -cE '^not ok' "$log")
pass=$((pass - skip))
echo "# PostgreSQL, $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
