#!/usr/bin/env python3
"""xl.py: read back the cells LibreOffice wrote, compare with the input.

Used by tests/export.bats and, as a module, by tests/xl_roundtrip.sh.

xl.py check PROP KIND SRC BACK: PROP is exact (every cell of SRC, a UTF-8
  CSV, comes back as the same text, and nothing more), formulas (no
  formula of the data was evaluated: KIND csv allows only formulas of
  constant strings spelling the value, KIND xlsx no formula at all) or
  chinese (every cell with CJK text comes back exactly, and there are
  some).  KIND own reads crm-export's own XLSX as Excel would.  Prints
  one line per failure; exits 1 if any.
xl.py query SRC BACK NOW: a --query customers export of the leads SRC,
  imported at time NOW into a fresh database: ids and scores are
  numbers, created_at the date NOW, the rest the exact text of SRC.
xl.py split SRC BACK COL: every sheet has SRC's header, its rows share
  one value of COL, and the rows of all sheets are SRC's rows.
xl.py sheets BACK: the sheet names, one a line.
xl.py cells BOOK: the value of every cell of every sheet, one a line, in
  row order (as Excel reads it: _xHHHH_ unescaped).
xl.py injections DIR: every string in DIR/*.json as a one-column CSV.
"""
import csv, datetime, glob, json, os, re, sys, zipfile
import xml.etree.ElementTree as ET

S = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
R = '{http://schemas.openxmlformats.org/officeDocument/2006/relationships}'
fails = 0

def fail(msg):
	global fails
	fails += 1
	print('FAIL: ' + msg)

def text(e):
	return ''.join(t.text or '' for t in e.iter(S + 't'))

def colnum(letters):
	n = 0
	for ch in letters:
		n = n * 26 + ord(ch) - 64
	return n - 1

def sheets(path):
	"""[(name, {(row, col): (type, formula, value)})], rows from 0."""
	z = zipfile.ZipFile(path)
	sst = []
	if 'xl/sharedStrings.xml' in z.namelist():
		sst = [text(si) for si in
		    ET.fromstring(z.read('xl/sharedStrings.xml')).iter(S + 'si')]
	rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
	target = {r.get('Id'): r.get('Target') for r in rels}
	out = []
	for sh in ET.fromstring(z.read('xl/workbook.xml')).iter(S + 'sheet'):
		t = target[sh.get(R + 'id')].lstrip('/')
		if not t.startswith('xl/'):
			t = 'xl/' + t
		cells = {}
		for c in ET.fromstring(z.read(t)).iter(S + 'c'):
			m = re.fullmatch(r'([A-Z]+)(\d+)', c.get('r', ''))
			ty, f, v = c.get('t', 'n'), c.find(S + 'f'), c.find(S + 'v')
			v = (v.text or '') if v is not None else ''
			if ty == 's':
				ty, v = 'str', sst[int(v)]
			elif ty == 'inlineStr':
				ty, v = 'str', text(c.find(S + 'is'))
			if ty == 'n' and v == '' and f is None:
				continue	# a styled empty cell
			cells[(int(m.group(2)) - 1, colnum(m.group(1)))] = \
			    (ty, f.text if f is not None else None, v)
		out.append((sh.get('name'), cells))
	return out

part = re.compile(r'"((?:[^"]|"")*)"|CHAR\((10|13)\)')

def constant(formula):
	"""The text a formula of constant strings spells, else None."""
	i, out = 0, []
	while True:
		m = part.match(formula, i)
		if m is None:
			return None
		out.append(m.group(1).replace('""', '"')
		    if m.group(1) is not None else chr(int(m.group(2))))
		i = m.end()
		if i == len(formula):
			return ''.join(out)
		if formula[i] != '&':
			return None
		i += 1

def unescape(s):
	"""What Excel reads in an XLSX string: _xHHHH_ is character HHHH."""
	return re.sub(r'_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)),
	    s)

def rows_of(path):
	with open(path, encoding='utf-8', newline='') as f:
		return list(csv.reader(f))

def show(v):
	return repr(v if len(v) <= 50 else v[:47] + '...')

cjk = re.compile('[\u3400-\u9fff\uf900-\ufaff]')

def check(prop, kind, src, back):
	rows = rows_of(src)
	name, cells = sheets(back)[0]
	seen = 0
	for r, row in enumerate(rows):
		for c, v in enumerate(row):
			ty, f, val = cells.get((r, c), ('str', None, ''))
			where = '%s R%dC%d %s' % (os.path.basename(src), r + 1, c + 1,
			    show(v))
			want = v
			if kind == 'xlsx':
				# LibreOffice 7.4 reads CR LF in an XLSX string as one
				# line break, and then any other CR in it as another;
				# Excel keeps them (check own reads the file exactly).
				want = v.replace('\r\n', '\n')
				if '\n' in want:
					want = want.replace('\r', '\n')
			if kind == 'own':
				val = unescape(val)
			if prop == 'exact' and (ty != 'str' or val != want):
				fail('%s: came back as %s %s' % (where, ty, show(val)))
			if prop == 'formulas' and f is not None:
				k = constant(f) if kind == 'csv' else None
				if k is None:
					fail('%s: formula %s evaluated to %s' %
					    (where, show(f), show(val)))
				elif k != v:
					fail('%s: formula %s spells %s' % (where, show(f),
					    show(k)))
			if prop == 'formulas' and ty == 'e':
				fail('%s: an error value %s' % (where, show(val)))
			if prop == 'chinese' and cjk.search(v):
				seen += 1
				if val != v:
					fail('%s: came back as %s' % (where, show(val)))
	if prop == 'exact':
		for (r, c), got in cells.items():
			if r >= len(rows) or c >= len(rows[r]):
				fail('%s: extra cell R%dC%d %s' % (os.path.basename(src),
				    r + 1, c + 1, show(got[2])))
	if prop == 'chinese' and seen == 0:
		fail('%s: no Chinese text to check' % src)

def serial(iso):
	"""Excel's serial number of an ISO date or date-time."""
	d = datetime.datetime.fromisoformat(iso.replace(' ', 'T').rstrip('Z'))
	return (d - datetime.datetime(1899, 12, 30)).total_seconds() / 86400

def query(src, back, now):
	rows = rows_of(src)
	name, cells = sheets(back)[0]
	header = [cells.get((0, c), ('str', None, ''))[2] for c in range(40)]
	col = {h: i for i, h in enumerate(header) if h}
	for want in ['id', 'created_at', 'status', 'score'] + rows[0]:
		if want not in col:
			fail('no column %s in %s' % (want, header))
			return
	for i, row in enumerate(rows[1:], 1):
		def get(h):
			return cells.get((i, col[h]), ('str', None, ''))
		ty, f, v = get('id')
		if ty != 'n' or float(v) != i:
			fail('row %d: id %s %s, want number %d' % (i, ty, v, i))
		ty, f, v = get('created_at')
		if ty != 'n' or abs(float(v) - serial(now)) > 1e-6:
			fail('row %d: created_at %s %s, want date %s' % (i, ty, v, now))
		for h, want in zip(rows[0], row):
			ty, f, v = get(h)
			if h == 'score' and want:
				if ty != 'n' or float(v) != float(want):
					fail('row %d: score %s %s' % (i, ty, v))
			elif ty != 'str' or v != want or (f is not None and
			    constant(f) != want):
				fail('row %d: %s %s came back as %s %s (formula %s)' %
				    (i, h, show(want), ty, show(v), f))

def split(src, back, colname):
	rows = rows_of(src)
	k = rows[0].index(colname)
	got = []
	for name, cells in sheets(back):
		nrow = 1 + max(r for r, c in cells)
		ncol = len(rows[0])
		grid = [[cells.get((r, c), ('str', None, ''))[2] for c in range(ncol)]
		    for r in range(nrow)]
		if grid[0] != rows[0]:
			fail('sheet %s: header %s' % (name, grid[0]))
		if len({g[k] for g in grid[1:]}) != 1:
			fail('sheet %s: more than one %s' % (name, colname))
		got += grid[1:]
	if sorted(got) != sorted(rows[1:]):
		fail('the sheets hold %d rows, not the %d of the input' %
		    (len(got), len(rows) - 1))

def json_strings(paths):
	"""Every string in the JSON files PATHS, once each, in order."""
	seen, out = set(), []
	def walk(x):
		if isinstance(x, str):
			if x not in seen:
				seen.add(x)
				out.append(x)
		elif isinstance(x, list):
			for y in x:
				walk(y)
		elif isinstance(x, dict):
			for y in x.values():
				walk(y)
	for path in paths:
		with open(path, encoding='utf-8') as f:
			walk(json.load(f))
	return out

def injections(d):
	w = csv.writer(sys.stdout, lineterminator='\n', quoting=csv.QUOTE_ALL)
	w.writerow(['value'])
	for v in json_strings(sorted(glob.glob(os.path.join(d, '*.json')))):
		w.writerow([v])

if __name__ == "__main__":
	cmd = sys.argv[1]
	if cmd == 'check':
		check(*sys.argv[2:6])
	elif cmd == 'query':
		query(*sys.argv[2:5])
	elif cmd == 'split':
		split(*sys.argv[2:5])
	elif cmd == 'sheets':
		for name, cells in sheets(sys.argv[2]):
			print(name)
	elif cmd == 'cells':
		for name, cells in sheets(sys.argv[2]):
			for rc in sorted(cells):
				print(unescape(cells[rc][2]))
	elif cmd == 'injections':
		injections(sys.argv[2])
	sys.exit(1 if fails else 0)
