#!/bin/bash
# xl_roundtrip.sh: write test values through xl_csv_put_cell, open the CSV in
# LibreOffice Calc as Excel would (UTF-8, detect special numbers), read the
# cells back and check that every value comes back as the exact text, that
# declared numbers and dates come back as such, and that no user-supplied
# formula was evaluated.
#
# Values: every field of every CSV in $CRM_TESTDATA/excel/ (header cells too),
# every string in $CRM_TESTDATA/csv_injection/*.json, and a few extras.
# Needs soffice (Debian libreoffice-calc-nogui), python3 (to read the flat
# ODS back) and cc.  Prints one line per failure; exits 0 if all pass, 1 if
# any fails, 77 if a tool is missing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
testdata=${CRM_TESTDATA:-$root/../shared/testdata}
infilter='CSV:44,34,76,1,,1033,false,true'

for tool in soffice python3 cc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "xl_roundtrip: skipped: $tool not found" >&2
		exit 77
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -std=c11 -Wall -Wextra -Werror -I"$root/src/lib" \
    "$root/tests/unit/xlcell_dump.c" "$root/src/lib/xlcell.c" \
    -o "$tmp/xlcell_dump"

# Write text.in, number.in, date.in (one TSV-escaped value per line) and
# expect.json (for each file: the values and the type they must come back as).
python3 - "$testdata" "$tmp" <<'EOF'
import csv, glob, json, os, sys

testdata, tmp = sys.argv[1], sys.argv[2]
text = ['ID']	# first cell of the file: must not look like SYLK to Excel

def add(v):
	if isinstance(v, str) and v not in text:
		text.append(v)

def walk(x):
	if isinstance(x, str):
		add(x)
	elif isinstance(x, list):
		for y in x:
			walk(y)
	elif isinstance(x, dict):
		for y in x.values():
			walk(y)

for path in sorted(glob.glob(os.path.join(testdata, 'excel', '*.csv'))):
	with open(path, encoding='utf-8', newline='') as f:
		for row in csv.reader(f):
			for v in row:
				add(v)
for path in sorted(glob.glob(os.path.join(testdata, 'csv_injection', '*.json'))):
	with open(path, encoding='utf-8') as f:
		walk(json.load(f))
for v in ['TRUE', 'false', '#N/A', '12:30', '5pm', '50%', '$100', '(100)',
    '1 1/2', 'May 5', 'Jan-2023', '2023-03-15T12:30:00', ' 123', '1.30',
    '.5', 'a\r\nb', 'line one\nline two', '\t0123', 'sep=,', 'IDENT',
    '客户编号 0012', '北京市朝阳区建国路88号', '张伟,李娜', '"王芳"',
    '=' + 'x' * 300, '=' + '中文' * 150, '0' + '😍' * 200,
    '=1+1\r\n' + 'y' * 260 + '"\n2']:
	add(v)

number = [('float', v) for v in ['0', '-1.3', '+5', '42', '0.5', '1.30',
    '123456789012345', '-0.000123']]
number += [('string', v) for v in ['0123', '1,000.00', '1E5',
    '1234567890123456', '=1+1', 'n/a']]
date = [('date', v) for v in ['2023-03-15', '2024-02-29', '2023-03-15 12:30:00',
    '2023-03-15T08:05']]
date += [('string', v) for v in ['2023-02-29', '15/03/2023', '2023-3-15',
    '2023-03-15Z']]
files = {'text': [('string', v) for v in text], 'number': number, 'date': date}

def esc(v):
	return (v.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n')
	    .replace('\r', '\\r'))

for name, rows in files.items():
	with open(os.path.join(tmp, name + '.in'), 'w', encoding='utf-8') as f:
		for _, v in rows:
			f.write(esc(v) + '\n')
with open(os.path.join(tmp, 'expect.json'), 'w') as f:
	json.dump(files, f)
EOF

for k in text number date; do
	"$tmp/xlcell_dump" -k "$k" <"$tmp/$k.in" >"$tmp/$k.csv"
done
(cd "$tmp" && soffice -env:UserInstallation="file://$tmp/profile" \
    --headless --infilter="$infilter" --convert-to fods --outdir out \
    text.csv number.csv date.csv >soffice.log 2>&1) || {
	echo "xl_roundtrip: soffice failed:" >&2
	cat "$tmp/soffice.log" >&2
	exit 1
}

python3 - "$tmp" <<'EOF'
import json, os, re, sys
import xml.etree.ElementTree as ET

tmp = sys.argv[1]
T = '{urn:oasis:names:tc:opendocument:xmlns:table:1.0}'
O = '{urn:oasis:names:tc:opendocument:xmlns:office:1.0}'
X = '{urn:oasis:names:tc:opendocument:xmlns:text:1.0}'
expect = json.load(open(os.path.join(tmp, 'expect.json')))
fails = 0

def fail(msg):
	global fails
	fails += 1
	print('FAIL: ' + msg)

def para(p):
	"""Text of a text:p, with text:s, text:tab and text:line-break expanded."""
	out = [p.text or '']
	for ch in p:
		tag = ch.tag[len(X):] if ch.tag.startswith(X) else ''
		if tag == 's':
			out.append(' ' * int(ch.get(X + 'c', '1')))
		elif tag == 'tab':
			out.append('\t')
		elif tag == 'line-break':
			out.append('\n')
		else:
			out.append(para(ch))
		out.append(ch.tail or '')
	return ''.join(out)

def cells(path, n):
	"""The first cell of the first N rows: (value-type, value, formula, text)."""
	rows = []
	for row in ET.parse(path).iter(T + 'table-row'):
		c = row.find(T + 'table-cell')
		txt = '\n'.join(para(p) for p in c.findall(X + 'p'))
		val = c.get(O + 'value') or c.get(O + 'date-value')
		got = (c.get(O + 'value-type'), val, c.get(T + 'formula'), txt)
		for _ in range(int(row.get(T + 'number-rows-repeated', '1'))):
			if len(rows) == n:
				return rows
			rows.append(got)
	return rows

# A formula we may have written: a constant, "literal" and CHAR(10|13)
# joined by &; anything else is a formula from the data, evaluated.
part = re.compile(r'"((?:[^"]|"")*)"|CHAR\((10|13)\)')

def constant(formula):
	if not formula.startswith('of:='):
		return None
	s, i, out = formula[4:], 0, []
	while True:
		m = part.match(s, i)
		if m is None:
			return None
		out.append(m.group(1).replace('""', '"') if m.group(1) is not None
		    else chr(int(m.group(2))))
		i = m.end()
		if i == len(s):
			return ''.join(out)
		if s[i] != '&':
			return None
		i += 1

def show(v):
	return repr(v if len(v) <= 60 else v[:57] + '...')

with open(os.path.join(tmp, 'text.csv'), 'rb') as f:
	if f.read(7) != b'\xef\xbb\xbf"ID"':
		fail('text.csv does not start with BOM and "ID" (SYLK guard)')
for name, rows in expect.items():
	path = os.path.join(tmp, 'out', name + '.fods')
	if not os.path.exists(path):
		fail('%s: LibreOffice wrote no %s' % (name, path))
		continue
	got = cells(path, len(rows))
	if len(got) != len(rows):
		fail('%s: %d rows sent, %d read back' % (name, len(rows), len(got)))
	for i, ((want, v), (typ, val, fml, txt)) in enumerate(zip(rows, got), 1):
		where = '%s row %d: sent %s' % (name, i, show(v))
		if fml is not None:
			k = constant(fml)
			if k is None:
				fail('%s: evaluated formula %s -> %s' % (where, show(fml), show(txt)))
				continue
			if k != v:
				fail('%s: formula %s holds %s' % (where, show(fml), show(k)))
		if want == 'string':
			if (typ or 'string') != 'string' or txt != v:
				fail('%s: got %s %s' % (where, typ, show(txt)))
		elif want == 'float':
			if typ != 'float' or float(val) != float(v):
				fail('%s: got %s %s, want number' % (where, typ, val))
		elif want == 'date':
			d = v.replace(' ', 'T')
			if typ != 'date' or not (val == d or val.startswith(d + ':')):
				fail('%s: got %s %s, want date' % (where, typ, val))
n = sum(len(r) for r in expect.values())
print('xl_roundtrip: %d cells, %d failed' % (n, fails))
sys.exit(1 if fails else 0)
EOF
