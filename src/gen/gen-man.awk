# gen-man.awk: rewrite the generated OPTIONS block of a crm man page.
#
#   bin/crm-lead --dump-options >lead.dump
#   awk -f src/gen/gen-man.awk lead.dump man/crm-lead.1 >man/crm-lead.1.new
#
# The dump is given as a file, not with -v, because awk would interpret the
# backslashes of "\N" in a -v value.
# The dump is the TSV that `crm-NAME --dump-options` prints: a header row, then
# one row per option with the columns short, long, arg, metavar, complete,
# help (\N for none).  The page is copied to stdout unchanged except for the
# lines strictly between
#	.\" BEGIN OPTIONS (generated; edit src/cmd/NAME.opts)
#	.\" END OPTIONS
# which are replaced by an mdoc list, one item per option:
#	.It Fl d , Fl \-db Ar FILE
#	help text
# Exits 1 with a message on stderr when the page has no such block, when the
# block is not closed, or when DUMP is empty or malformed.

# Undo the TSV escapes of crm-tsv(5); "\N" becomes "".
function untsv(s,    out, c, i, n)
{
	if (trim(s) == "\\N")
		return ""
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c == "\\" && i < n) {
			c = substr(s, ++i, 1)
			if (c == "t") c = "\t"
			else if (c == "n") c = " "
			else if (c == "r") c = ""
			else if (c != "\\") c = "\\" c
		}
		out = out c
	}
	return out
}

# Trim blanks at both ends (crm-lead 0.1 prints the short column "\N ").
function trim(s)
{
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# Make S safe as an argument of an mdoc macro line: backslashes, hyphens,
# and double quotes.  Arguments holding spaces are quoted.
function marg(s)
{
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	gsub(/"/, "\\(dq", s)
	if (s ~ /[ \t]/)
		s = "\"" s "\""
	return s
}

# Make S safe as a text line: backslashes, and a leading dot or quote that
# would make it a request.
function mtext(s)
{
	gsub(/\\/, "\\e", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	if (s == "")
		s = "\\&"
	return s
}

function fail(msg)
{
	printf "gen-man.awk: %s: %s\n", FILENAME, msg > "/dev/stderr"
	failed = 1
	exit 1
}

function emit(    i, f, sh, lo, arg, meta, help, item)
{
	if (nl < 2 || lines[1] !~ /^short\tlong\targ\tmetavar\tcomplete\thelp$/)
		fail("the --dump-options TSV is missing or has no header")
	print ".Bl -tag -width Ds"
	for (i = 2; i <= nl; i++) {
		if (lines[i] == "")
			continue
		if (split(lines[i], f, "\t") != 6)
			fail("--dump-options line " i ": expected 6 fields")
		sh = trim(untsv(f[1]))
		lo = untsv(f[2])
		arg = untsv(f[3])
		meta = untsv(f[4])
		help = untsv(f[6])
		item = ".It"
		if (sh != "")
			item = item " Fl " marg(sh) " ,"
		item = item " Fl " marg("-" lo)
		if (arg == "required")
			item = item " Ar " marg(meta != "" ? meta : "ARG")
		print item
		print mtext(help)
	}
	print ".El"
}

BEGIN {
	state = 0	# 0 before the block, 1 inside it, 2 after it
	if (ARGC != 3) {
		print "usage: awk -f gen-man.awk DUMP PAGE" > "/dev/stderr"
		failed = 1
		exit 1
	}
}

# The first file: the dump, kept line by line.
FILENAME == ARGV[1] {
	lines[++nl] = $0
	next
}

state == 1 && /^\.\\" END OPTIONS/ {
	print
	state = 2
	next
}

state == 1 {
	next
}

state == 0 && /^\.\\" BEGIN OPTIONS/ {
	print
	emit()
	state = 1
	next
}

{
	print
}

END {
	if (failed)
		exit 1
	if (state == 0)
		fail("no '.\\\" BEGIN OPTIONS' line")
	if (state == 1)
		fail("no '.\\\" END OPTIONS' line after BEGIN OPTIONS")
}
