#!/bin/sh
# check-generated.sh [BINDIR]: are the generated files up to date?
#
# Regenerates, into a temporary directory, the completions (with
# gen-completions.sh) and the OPTIONS block of every man/crm-NAME.1 whose
# program is in BINDIR (default bin; with gen-man.awk), from what the
# programs in BINDIR print, and compares each with the committed file
# using cmp.  Prints one line per stale or broken file and exits 1 if there
# is any; the fix is `make generated`.  A program without a man page is
# noted on stderr but is not stale (tests/docs.bats fails on it instead).
# Run from anywhere; the files checked are those of this source tree.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=${1:-$top/bin}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
stale=0

if ! sh "$top/src/gen/gen-completions.sh" "$bindir" "$tmp/completions"; then
	echo "stale: cannot generate the completions (see above)"
	exit 1
fi
for f in crm.bash _crm crm.fish; do
	if [ ! -f "$top/completions/$f" ]; then
		echo "stale: completions/$f is missing"
		stale=1
	elif ! cmp -s "$tmp/completions/$f" "$top/completions/$f"; then
		echo "stale: completions/$f differs from what the programs say"
		stale=1
	fi
done

for bin in "$bindir"/crm-*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	prog=${bin##*/}
	case $prog in
	*[!a-z0-9-]*) continue ;;
	esac
	page=man/$prog.1
	if [ ! -f "$top/$page" ]; then
		echo "check-generated.sh: note: no $page yet" >&2
		continue
	fi
	if ! "$bin" --dump-options >"$tmp/$prog.dump" ||
	    ! awk -f "$top/src/gen/gen-man.awk" "$tmp/$prog.dump" "$top/$page" \
	    >"$tmp/$prog.1"; then
		echo "stale: $page: cannot regenerate its OPTIONS block (see above)"
		stale=1
	elif ! cmp -s "$tmp/$prog.1" "$top/$page"; then
		echo "stale: $page: its OPTIONS block differs from '$prog --dump-options'"
		stale=1
	fi
done

if [ "$stale" -ne 0 ]; then
	echo "run 'make generated' and commit the result"
	exit 1
fi
exit 0
