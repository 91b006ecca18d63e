#!/bin/bash
# xl_roundtrip.sh: write test values through xl_csv_put_cell, open the CSV in
# LibreOffice Calc as Excel would (UTF-8, detect special numbers), read the
# cells back and check that every value comes back as the exact text, that
# declared numbers and dates come back as such, and that no user-supplied
# formula was evaluated.
#
# Values: every field of every CSV in $CRM_TESTDATA/excel/ (header cells too),
# every string in $CRM_TESTDATA/csv_injection/*.json, and a few extras.
# Needs soffice (Debian libreoffice-calc-nogui), python3 (to read the XLSX
# back) and cc.  Prints one line per failure; exits 0 if all pass, 1 if any
# fails, 77 if a tool is missing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
testdata=${CRM_TESTDATA:-$root/tests/data/ext}
infilter='CSV:44,34,76,1,,1033,false,true'

for tool in soffice python3 cc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "xl_roundtrip: skipped: $tool not found" >&2
		exit 77
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$root/src/lib" \
    "$root/tests/unit/xlcell_dump.c" "$root/src/lib/xlcell.c" \
    -o "$tmp/xlcell_dump"

# Write text.in, number.in, date.in (one TSV-escaped value per line) and
# expect.json (for each file: the values and the type they must come back as).
python3 - "$testdata" "$tmp" "$root/tests" <<'PY'
import csv, glob, json, os, sys

testdata, tmp = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from xl import json_strings
text = ['ID']	# first cell of the file: must not look like SYLK to Excel

def add(v):
	if isinstance(v, str) and v not in text:
		text.append(v)

excel = sorted(glob.glob(os.path.join(testdata, 'excel', '*.csv')))
inj = sorted(glob.glob(os.path.join(testdata, 'csv_injection', '*.json')))
if not excel or not inj:
	sys.exit('xl_roundtrip: no test data under %s' % testdata)
for path in excel:
	with open(path, encoding='utf-8', newline='') as f:
		for row in csv.reader(f):
			for v in row:
				add(v)
for v in json_strings(inj):
	add(v)
for v in ['TRUE', 'false', '#N/A', '12:30', '5pm', '50%', '$100', '(100)',
    '1 1/2', 'May 5', 'Jan-2023', '2023-03-15T12:30:00', ' 123', '1.30',
    '.5', ' =1+1', 'a\r\nb', 'line one\nline two', 'x\ty\nz', 'tab\there',
    '\t0123', 'sep=,', 'IDENT', '客户编号 0012', '北京市朝阳区建国路88号',
    '张伟,李娜', '"王芳"', '=' + 'x' * 300, '=' + '中文' * 150, '0' + '😍' * 200,
    '=1+1\r\n' + 'y' * 260 + '"\n2']:
	add(v)

number = [('float', v) for v in ['0', '-1.3', '+5', '42', '0.5', '1.30',
    '123456789012345', '-0.000123']]
number += [('string', v) for v in ['0123', '1,000.00', '1E5',
    '1234567890123456', '=1+1', 'n/a']]
date = [('date', v) for v in ['2023-03-15', '2024-02-29',
    '2023-03-15 12:30:00', '2023-03-15T08:05', '2026-11-22T09:00:00Z']]
date += [('string', v) for v in ['2023-02-29', '15/03/2023', '2023-3-15',
    '2023-03-15Z']]
files = {'text': [('string', v) for v in text], 'number': number,
    'date': date}

def esc(v):
	return (v.replace('\\', '\\\\').replace('\t', '\\t')
	    .replace('\n', '\\n').replace('\r', '\\r'))

for name, rows in files.items():
	with open(os.path.join(tmp, name + '.in'), 'w', encoding='utf-8') as f:
		for _, v in rows:
			f.write(esc(v) + '\n')
with open(os.path.join(tmp, 'expect.json'), 'w') as f:
	json.dump(files, f)
PY

for k in text number date; do
	"$tmp/xlcell_dump" -k "$k" <"$tmp/$k.in" >"$tmp/$k.csv"
done

# Read back from XLSX, as Excel would load it.  (LibreOffice 7.4's flat ODS
# export drops a TAB from a cell that also holds a line break; XLSX keeps it.)
(cd "$tmp" && soffice -env:UserInstallation="file://$tmp/profile" \
    --headless --infilter="$infilter" --convert-to xlsx --outdir out \
    text.csv number.csv date.csv >soffice.log 2>&1) || {
	echo "xl_roundtrip: soffice failed:" >&2
	cat "$tmp/soffice.log" >&2
	exit 1
}

python3 - "$tmp" "$root/tests" <<'PY'
import json, os, sys

tmp = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import xl
from xl import constant, fail, serial, show
expect = json.load(open(os.path.join(tmp, 'expect.json')))

def cells(path):
	"""Column A by row number from 1: (type, formula or None, value)."""
	return {r + 1: v for (r, c), v in xl.sheets(path)[0][1].items() if c == 0}

with open(os.path.join(tmp, 'text.csv'), 'rb') as f:
	if f.read(7) != b'\xef\xbb\xbf"ID"':
		fail('text.csv does not start with BOM and "ID" (SYLK guard)')
for name, rows in expect.items():
	path = os.path.join(tmp, 'out', name + '.xlsx')
	if not os.path.exists(path):
		fail('%s: LibreOffice wrote no %s' % (name, path))
		continue
	got = cells(path)
	if got and max(got) > len(rows):
		fail('%s: %d rows sent, %d read back' % (name, len(rows), max(got)))
	for i, (want, v) in enumerate(rows, 1):
		typ, fml, val = got.get(i, ('str', None, ''))
		where = '%s row %d: sent %s' % (name, i, show(v))
		if fml is not None:
			k = constant(fml)
			if k is None:
				fail('%s: evaluated formula %s -> %s' %
				    (where, show(fml), show(val)))
				continue
			if k != v:
				fail('%s: formula %s holds %s' % (where, show(fml), show(k)))
		if want == 'string':
			if typ != 'str' or val != v:
				fail('%s: got %s %s' % (where, typ, show(val)))
		elif want == 'float':
			if typ != 'n' or float(val) != float(v):
				fail('%s: got %s %s, want number' % (where, typ, val))
		elif want == 'date':
			if typ != 'n' or abs(float(val) - serial(v)) > 1e-6:
				fail('%s: got %s %s, want date %s' %
				    (where, typ, val, serial(v)))
n = sum(len(r) for r in expect.values())
print('xl_roundtrip: %d cells, %d failed' % (n, xl.fails))
sys.exit(1 if xl.fails else 0)
PY
