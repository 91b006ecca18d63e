# width.awk: the display-width tables of src/lib/table.c, from the
# Unicode Character Database as Debian's unicode-data package installs it:
#   awk -f tests/width.awk /usr/share/unicode/EastAsianWidth.txt \
#       /usr/share/unicode/UnicodeData.txt
# prints the lines from "BEGIN WIDTH TABLES" to "END WIDTH TABLES" that
# table.c holds, so an edit by hand or a new Unicode version shows up as
# a difference (tests/render.bats compares them).
#
# Two cells (wide): East_Asian_Width W or F, including the unassigned code
# points that EastAsianWidth.txt says default to W.  No cells (zero):
# General_Category Mn, Me and Cf except U+00AD SOFT HYPHEN (printed as a
# hyphen), and the Hangul vowel and final-consonant jamo that join the
# preceding syllable (U+1160..U+11FF, U+D7B0..U+D7FF).  Zero wins where a
# code point is in both (U+302A..U+302D, U+3099..U+309A).

function hex(s,    i, n, c)
{
	n = 0
	s = toupper(s)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789ABCDEF", substr(s, i, 1))
		if (c == 0)
			break
		n = n * 16 + c - 1
	}
	return n
}

# add(SET, LO, HI): remember the range LO..HI in table SET.
function add(set, lo, hi)
{
	n[set]++
	lo_[set, n[set]] = lo
	hi_[set, n[set]] = hi
}

# range(S, SET): add the "XXXX" or "XXXX..YYYY" in S to SET.
function range(s, set,    p)
{
	if ((p = index(s, "..")) > 0)
		add(set, hex(substr(s, 1, p - 1)), hex(substr(s, p + 2)))
	else
		add(set, hex(s), hex(s))
}

# emit(SET, NAME): sort, merge adjacent ranges and print a C array.
function emit(set, name,    i, j, k, m, tl, th, lo, hi, line, item)
{
	for (i = 2; i <= n[set]; i++)
		for (j = i; j > 1 && lo_[set, j - 1] > lo_[set, j]; j--) {
			tl = lo_[set, j]; th = hi_[set, j]
			lo_[set, j] = lo_[set, j - 1]; hi_[set, j] = hi_[set, j - 1]
			lo_[set, j - 1] = tl; hi_[set, j - 1] = th
		}
	m = 0
	for (i = 1; i <= n[set]; i++) {
		if (m > 0 && lo_[set, i] <= hi[m] + 1) {
			if (hi_[set, i] > hi[m])
				hi[m] = hi_[set, i]
			continue
		}
		m++
		lo[m] = lo_[set, i]
		hi[m] = hi_[set, i]
	}
	printf "static const struct cp_range %s[] = {\n", name
	line = ""
	for (k = 1; k <= m; k++) {
		item = sprintf("{ 0x%04X, 0x%04X },", lo[k], hi[k])
		if (line != "" && length(line) + 1 + length(item) > 72) {
			print "\t" line
			line = ""
		}
		line = line == "" ? item : line " " item
	}
	if (line != "")
		print "\t" line
	print "};"
}

FNR == 1 && FILENAME ~ /EastAsianWidth/ {
	version = $2
	sub(/\.txt$/, "", version)
}

# The default-W blocks: "#   ...: U+3400..U+4DBF" in the header of
# 15.0 and earlier, "# @missing: 3400..4DBF; W" from 15.1 on.
FILENAME ~ /EastAsianWidth/ && /^#.*: *U\+[0-9A-F]+\.\.U\+[0-9A-F]+ *$/ {
	s = $NF
	gsub(/U\+/, "", s)
	range(s, "wide")
	next
}
FILENAME ~ /EastAsianWidth/ && /^# @missing: / {
	s = $0
	sub(/^# @missing: */, "", s)
	gsub(/ /, "", s)
	if (s ~ /;W$/) {
		sub(/;W$/, "", s)
		range(s, "wide")
	}
	next
}
FILENAME ~ /EastAsianWidth/ && /^[0-9A-F]/ {
	s = $0
	sub(/#.*/, "", s)
	gsub(/[ \t]/, "", s)
	split(s, f, ";")
	if (f[2] == "W" || f[2] == "F")
		range(f[1], "wide")
	next
}

FILENAME ~ /UnicodeData/ {
	split($0, f, ";")
	if ((f[3] == "Mn" || f[3] == "Me" || f[3] == "Cf") && f[1] != "00AD")
		range(f[1], "zero")
}

END {
	range("1160..11FF", "zero")
	range("D7B0..D7FF", "zero")
	printf "/* BEGIN WIDTH TABLES (tests/width.awk, %s) */\n", version
	emit("zero", "zero_width")
	emit("wide", "double_width")
	print "/* END WIDTH TABLES */"
}
