# chromium.bash: headless Chromium for the tests of charts and pages
# (render.bats, report_render.bats): render an SVG or HTML file to a PNG
# and to the DOM it builds, and what a file is made of.  Load it after
# helpers; call find_chromium from local_setup.

# find_chromium: CHROMIUM is the first headless Chromium on PATH, or empty.
find_chromium() {
	CHROMIUM=
	for c in chromium-headless-shell chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			CHROMIUM=$c
			break
		fi
	done
}

# need_chromium: skip the test when there is no headless Chromium.
need_chromium() {
	if [ -z "$CHROMIUM" ]; then
		skip "no chromium-headless-shell or chromium on PATH (apt-get install chromium-headless-shell fonts-wqy-zenhei)"
	fi
}

# browse ARGS... FILE: headless Chromium on FILE with a fresh profile and
# nothing fetched or synced; its own chatter goes to chromium.log.
browse() {
	local file=${*: -1}
	set -- "${@:1:$#-1}"
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --hide-scrollbars \
	    --user-data-dir="$(mktemp -d "$BATS_TEST_TMPDIR/profile.XXXXXX")" \
	    "$@" "file://$BATS_TEST_TMPDIR/$file" 2>>"$BATS_TEST_TMPDIR/chromium.log"
}

# screenshot FILE.svg|FILE.html W H: FILE.png of W by H pixels, and its
# pngstat.py line (width height colours non-white counts...) in $stat,
# counting the colours given after H.
screenshot() {
	local f=$1 w=$2 h=$3
	shift 3
	browse --screenshot="$BATS_TEST_TMPDIR/${f%.*}.png" --window-size="$w,$h" "$f" >/dev/null
	[ -s "${f%.*}.png" ] || { echo "no screenshot of $f:"; cat chromium.log; return 1; }
	stat=$(python3 "$TOP/tests/pngstat.py" "${f%.*}.png" "$@")
}

# dom FILE: the document Chromium built from FILE, in dom.html, after it
# had its chance to run anything (it must not run anything).
dom() {
	browse --virtual-time-budget=2000 --dump-dom "$1" >dom.html
	[ -s dom.html ] || { echo "no DOM of $1:"; cat chromium.log; return 1; }
}

# has TEXT: dom.html contains TEXT exactly.
has() {
	grep -qF -- "$1" dom.html || { echo "not in the DOM: $1"; cat dom.html; return 1; }
}

# svg_size FILE: "W H" of the svg element in FILE.
svg_size() {
	sed -n '1s/^<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$1"
}

# made_of FILE ELEMENTS ATTRIBUTES: FILE has exactly those elements and
# attributes (tests/markup.py parses it) and nothing that loads or runs.
made_of() {
	run_split python3 "$TOP/tests/markup.py" "$1"
	assert_status 0
	diff -u - <(printf '%s\n' "$output") <<-EOF
	elements: $2
	attributes: $3
	references:
	EOF
}

# well_formed FILE: FILE parses as XML (a standalone SVG must).
well_formed() {
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1"
}

