/*
** test_rec.c: the record reader and writer (rec.h): the TSV dialect of
** crm-tsv(5), CSV through libcsv, header names, decoding, and the outside
** CSV test material under $CRM_TESTDATA:
**
**   csv-spectrum/csvs/NAME.csv with json/NAME.json     (12 cases)
**   cpython_test_csv/cpython313_excel_dialect_subset.json (36 reads, 12 writes)
**   papaparse_tests/papaparse_core_default_config.json (40 cases)
**
** Every case is either read and compared for equality, or must make the
** reader die with status 1 and "FILE:LINE:" on stderr (run in a child).
** The test prints how many of each.
**
** How cases are fed.  csv-spectrum files have a real header row: they are
** read as they are, and the JSON keys are compared with rec_colname()
** (after rec_canonical(), which leaves all of these names alone).  The
** CPython and PapaParse cases start with a data row (often with empty or
** repeated cells, which a header may not have), so a one-column header
** line "c" is put in front and every row of the case is compared as
** data.  CPython's input_lines are joined with "\n" added to each line
** that has no terminator of its own (csv.reader takes each item as one
** line).  An empty unquoted field reads as NULL (CSV_EMPTY_IS_NULL): it
** is compared as "" since the outside material has no NULL.  CPython's
** test_quoted_nl gives its input as a Python variable; the text is copied
** here from Lib/test/test_csv.py.
**
** Deliberate differences from lenient parsers:
**
** | outside case(s)                              | they expect      | we do             | why
** |----------------------------------------------|------------------|-------------------|-----------------------------
** | a""b, a"b"c, a"b, 12,12,1", ' "a"' (CPython) | quote kept as    | error "FILE:LINE: | a stray quote mostly means a
** | A,B",C / A,B "B",C / A, "B" ,C (PapaParse)   | data             | malformed quoting"| broken export; guessing
** | location_coordinates (csv-spectrum)          |                  |                   | mangles the record silently
** | "a"b, "a" "b" (CPython)                      | text after the   | same error        | same
** |                                              | closing quote    |                   |
** |                                              | joined on        |                   |
** | a," and "a (CPython test_read_eof)           | field runs to    | error "FILE:LINE: | a cut-off file must not
** |                                              | end of file      | unterminated"     | import half a record
** |                                              |                  | (line where the   |
** |                                              |                  | record started)   |
** | NUL bytes (CPython test_read_nul, 4 cases)   | NUL kept in the  | error "FILE:LINE: | fields are C strings: a NUL
** |                                              | field            | NUL byte"         | would cut the value short
** | [""] (CPython), "a\nb\n\n\nc..." (PapaParse  | an empty row per | no record         | blank lines carry no record
** | "One column input with empty fields")        | blank line, and  |                   | (crm-tsv(5)); expected rows
** |                                              | after a final \n |                   | [] and [""] are dropped
** | writes (CPython)                             | "\r\n" endings   | "\n"              | we never write CRLF
** | write ["", ""] (CPython)                     | ,                | "",""             | "" must read back as "", and
** |                                              |                  |                   | an empty unquoted field is NULL
**
** The PapaParse cases that expect errors (5) are errors here too.
*/
#include "unit.h"

#include <iconv.h>
#include <sys/stat.h>
#include <time.h>

#include "norm.h"
#include "rec.h"
#include "str.h"

/* ---- reading whole files -------------------------------------------- */

struct row {
	size_t n;
	char **v;		/* NULL entries are NULL fields */
	unsigned long line;
	char *width_error;	/* rec_width_error(), copied */
};

struct table {
	size_t ncol;
	char **cols;
	char *encoding;
	size_t n;
	struct row *rows;
};

static const char *current_case = "";

/* crm_die() calls this before it exits: say which case was being read. */
static void
note_case(void)
{
	fprintf(stderr, "# died while reading: %s\n", current_case);
}

static char *
dup_or_null(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	assert_non_null(d);
	return d;
}

/* Read every record of PATH, opened with O, into T (free with table_free). */
static void
read_table_with(const char *path, int csv, const struct rec_opts *o,
    struct table *t)
{
	struct rec_reader *r = rec_open_with(path, csv, o);
	struct rec *rec;
	size_t cap = 0;

	memset(t, 0, sizeof *t);
	t->ncol = rec_ncol(r);
	t->cols = calloc(t->ncol + 1, sizeof *t->cols);
	assert_non_null(t->cols);
	for (size_t i = 0; i < t->ncol; i++)
		t->cols[i] = dup_or_null(rec_colname(r, i));
	while ((rec = rec_next(r)) != NULL) {
		struct row *w;

		if (t->n == cap) {
			cap = cap ? cap * 2 : 16;
			t->rows = realloc(t->rows, cap * sizeof *t->rows);
			assert_non_null(t->rows);
		}
		w = &t->rows[t->n++];
		w->n = rec->n;
		w->line = rec->line;
		w->v = calloc(rec->n + 1, sizeof *w->v);
		assert_non_null(w->v);
		for (size_t i = 0; i < rec->n; i++)
			w->v[i] = dup_or_null(rec->v[i]);
		w->width_error = dup_or_null(rec_width_error(r, rec));
	}
	t->encoding = dup_or_null(rec_encoding(r));	/* GBK may start late */
	rec_close(r);
}

/* Read every record of PATH in encoding ENC (NULL: detect) into T. */
static void
read_table(const char *path, int csv, const char *enc, struct table *t)
{
	struct rec_opts o = { enc, NULL, 0 };

	read_table_with(path, csv, &o, t);
}

static void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; k < t->rows[i].n; k++)
			free(t->rows[i].v[k]);
		free(t->rows[i].v);
		free(t->rows[i].width_error);
	}
	for (size_t i = 0; i < t->ncol; i++)
		free(t->cols[i]);
	free(t->cols);
	free(t->rows);
	free(t->encoding);
	memset(t, 0, sizeof *t);
}

/* Reading that is expected to die: in a child, through unit_run(). */
struct read_job {
	const char *path;
	int csv;
	const char *enc;
	const struct rec_opts *o;	/* instead of ENC when set */
	int loud;			/* notes on stderr (not -q) */
};

static void
read_job(void *ctx)
{
	struct read_job *j = ctx;
	struct table t;

	crm_g.quiet = !j->loud;
	if (j->o)
		read_table_with(j->path, j->csv, j->o, &t);
	else
		read_table(j->path, j->csv, j->enc, &t);
	table_free(&t);
}

/* Assert that CHILD exited 2 (a usage error) with NEEDLE on stderr. */
#define assert_usage_died(child, needle) do { \
	if (!(child)->exited || (child)->status != 2 || \
	    strstr((child)->err, (needle)) == NULL) \
		fail_msg("expected exit 2 with \"%s\"; got %s %d, stderr: %s", \
		    (needle), (child)->exited ? "exit" : "signal", \
		    (child)->status, (child)->err); \
} while (0)

/*
** Assert that reading PATH dies with status 1 and "PATH:LINE: WHAT" on
** stderr.  LINE 0 accepts any line number; WHAT NULL any message.
*/
static void
assert_read_dies(const char *path, int csv, const char *enc,
    unsigned long line, const char *what)
{
	struct read_job j = { path, csv, enc, NULL, 0 };
	struct unit_child c;
	char want[1024];
	const char *p;

	unit_run(read_job, &j, &c);
	snprintf(want, sizeof want, "%s:", path);
	assert_died(&c, want);
	p = strstr(c.err, want) + strlen(want);
	if (*p < '0' || *p > '9')
		fail_msg("no line number after '%s' in: %s", want, c.err);
	if (line) {
		snprintf(want, sizeof want, "%s:%lu: %s", path, line, what ? what : "");
		assert_died(&c, want);
	} else if (what) {
		while (*p >= '0' && *p <= '9')
			p++;
		if (strncmp(p, ": ", 2) != 0 || strstr(p, what) == NULL)
			fail_msg("expected '%s' in: %s", what, c.err);
	}
}

/* Write S to a file and read it as one table. */
static void
read_string(const char *s, int csv, struct table *t)
{
	read_table(unit_writes(s), csv, NULL, t);
}

#define assert_field(t, row, col, want) do { \
	assert_true((row) < (t)->n); \
	assert_true((col) < (t)->rows[row].n); \
	assert_non_null((t)->rows[row].v[col]); \
	assert_string_equal((t)->rows[row].v[col], (want)); \
} while (0)

#define assert_field_null(t, row, col) do { \
	assert_true((row) < (t)->n); \
	assert_true((col) < (t)->rows[row].n); \
	assert_null((t)->rows[row].v[col]); \
} while (0)

/* ---- TSV ------------------------------------------------------------ */

static void
test_tsv_escapes(void **state)
{
	struct table t;

	(void)state;
	read_string("a\tb\tc\n"
	    "x\\\\y\tt\\tab\tn\\nl\n"
	    "c\\rr\t\\N\tq\\x\n"
	    "trail\\\t\\\\N\t\\Nx\n", 0, &t);
	assert_int_equal(t.n, 3);
	assert_field(&t, 0, 0, "x\\y");
	assert_field(&t, 0, 1, "t\tab");
	assert_field(&t, 0, 2, "n\nl");
	assert_field(&t, 1, 0, "c\rr");
	assert_field_null(&t, 1, 1);
	assert_field(&t, 1, 2, "q\\x");		/* unknown escape: kept */
	assert_field(&t, 2, 0, "trail\\");	/* lone final backslash: kept */
	assert_field(&t, 2, 1, "\\N");		/* escaped backslash, then N */
	assert_field(&t, 2, 2, "\\Nx");		/* \N only alone is NULL */
	table_free(&t);
}

static void
test_tsv_empty_and_null(void **state)
{
	struct table t;

	(void)state;
	read_string("a\tb\tc\n\t\\N\t\n\\N\t\t\\N", 0, &t);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.rows[0].n, 3);
	assert_field(&t, 0, 0, "");
	assert_field_null(&t, 0, 1);
	assert_field(&t, 0, 2, "");
	assert_field_null(&t, 1, 0);
	assert_field(&t, 1, 1, "");
	assert_field_null(&t, 1, 2);		/* no final newline */
	table_free(&t);
}

static void
test_tsv_lines(void **state)
{
	struct table t;

	(void)state;
	/* BOM dropped, CRLF accepted, blank lines skipped, no final newline */
	read_string("\xef\xbb\xbfname\tphone\r\n\r\nA\t1\r\n\nx\ry\tz\r\nB\t2", 0, &t);
	assert_int_equal(t.ncol, 2);
	assert_string_equal(t.cols[0], "name");
	assert_string_equal(t.cols[1], "phone");
	assert_int_equal(t.n, 3);
	assert_field(&t, 0, 0, "A");
	assert_field(&t, 0, 1, "1");
	assert_int_equal(t.rows[0].line, 3);
	assert_field(&t, 1, 0, "x\ry");		/* only a final CR is a line end */
	assert_field(&t, 1, 1, "z");
	assert_int_equal(t.rows[1].line, 5);
	assert_field(&t, 2, 0, "B");
	assert_field(&t, 2, 1, "2");
	assert_int_equal(t.rows[2].line, 6);
	table_free(&t);

	/* One column: a blank line is an empty value, not nothing. */
	read_string("note\nx\n\n\\N\n", 0, &t);
	assert_int_equal(t.n, 3);
	assert_field(&t, 0, 0, "x");
	assert_field(&t, 1, 0, "");
	assert_field_null(&t, 2, 0);
	table_free(&t);

	/* A header alone: no records. */
	read_string("name\tphone\n", 0, &t);
	assert_int_equal(t.ncol, 2);
	assert_int_equal(t.n, 0);
	table_free(&t);
}

static void
test_header_aliases(void **state)
{
	static const char *const canon[] = { "name", "company", "phone",
		"email", "region", "industry", "source" };
	static const char *const headers[] = {
		"姓名\t公司\t手机\t邮箱\t地区\t行业\t来源\n",
		"name\tcompany\tphone\temail\tregion\tindustry\tsource\n",
		"NAME\tCompany\tPHONE\tEmail\tREGION\tIndustry\tSOURCE\n",
		" 姓名 \t公司\t电话\tE-Mail\t地区\t行业\t来源\n",
		"name,company,phone,email,region,industry,source\n",
		"姓名,公司,电话,邮箱,地区,行业,来源\n",
	};
	char buf[64];

	(void)state;
	for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
		struct table t;

		read_string(headers[h], strchr(headers[h], ',') != NULL, &t);
		assert_int_equal(t.ncol, 7);
		for (size_t i = 0; i < 7; i++)
			assert_string_equal(t.cols[i], canon[i]);
		table_free(&t);
	}
	assert_string_equal(rec_canonical("手机", buf, sizeof buf), "phone");
	assert_string_equal(rec_canonical("Phone", buf, sizeof buf), "phone");
	assert_string_equal(rec_canonical("  微信号 ", buf, sizeof buf), "微信号");
}

static void
test_unknown_columns(void **state)
{
	struct rec_reader *r;
	struct rec *rec;
	char longname[600], header[1300];

	(void)state;
	r = rec_open(unit_writes("微信\tWeChat ID\t姓名\tx_y\nwx1\tid 1\t张三\t\\N\n"),
	    0, NULL);
	assert_int_equal(rec_ncol(r), 4);
	assert_string_equal(rec_colname(r, 0), "微信");
	assert_string_equal(rec_colname(r, 1), "WeChat ID");
	assert_string_equal(rec_colname(r, 2), "name");
	assert_string_equal(rec_colname(r, 3), "x_y");
	assert_int_equal(rec_col(r, "微信"), 0);
	assert_int_equal(rec_col(r, "name"), 2);
	assert_int_equal(rec_col(r, "姓名"), -1);
	assert_int_equal(rec_col(r, "phone"), -1);
	rec = rec_next(r);
	assert_non_null(rec);
	assert_int_equal(rec->n, 4);
	assert_string_equal(rec->v[0], "wx1");
	assert_string_equal(rec->v[1], "id 1");
	assert_string_equal(rec->v[2], "张三");
	assert_null(rec->v[3]);
	assert_null(rec_next(r));
	assert_null(rec_next(r));	/* stays at the end */
	rec_close(r);

	/* long names come through whole, and differ where they differ */
	longname[0] = '\0';
	for (int i = 0; i < 40; i++)	/* 480 bytes */
		strcat(longname, "客户备注");
	snprintf(header, sizeof header, "%s1\t%s2\n", longname, longname);
	r = rec_open(unit_writes(header), 0, NULL);
	assert_int_equal(rec_ncol(r), 2);
	assert_int_equal(strlen(rec_colname(r, 0)), strlen(longname) + 1);
	assert_int_equal(strncmp(rec_colname(r, 0), longname, strlen(longname)), 0);
	assert_string_equal(rec_colname(r, 1) + strlen(longname), "2");
	rec_close(r);
}

static void
test_header_errors(void **state)
{
	(void)state;
	/* the same name twice, however written */
	assert_read_dies(unit_writes("name\tphone\tname\n1\t2\t3\n"), 0, NULL, 1,
	    "header: column 'name' appears twice");
	assert_read_dies(unit_writes("phone,Email, phone \n"), 1, NULL, 1,
	    "header: column ' phone ' appears twice");
	assert_read_dies(unit_writes("姓名\tNAME\tname\n"), 0, NULL, 1,
	    "header: columns 'NAME' and 'name' differ only in case");
	/* equal but for case or spaces, whatever the names */
	assert_read_dies(unit_writes("foo,Foo\n"), 1, NULL, 1,
	    "header: columns 'foo' and 'Foo' differ only in case");
	assert_read_dies(unit_writes("Foo Bar\tid\tfoo_bar\n"), 0, NULL, 1,
	    "header: columns 'Foo Bar' and 'foo_bar' differ only in case or in "
	    "spaces and underscores");
	/* a second alias of a column (手机 beside 电话) keeps its own name */
	{
		struct table t;

		read_string("name\t手机\t电话\n张三\t13812345678\t021-62345678\n", 0, &t);
		assert_int_equal(t.ncol, 3);
		assert_string_equal(t.cols[0], "name");
		assert_string_equal(t.cols[1], "phone");
		assert_string_equal(t.cols[2], "电话");
		assert_field(&t, 0, 2, "021-62345678");
		table_free(&t);
	}
	assert_read_dies(unit_writes("name\t\tphone\n"), 0, NULL, 1,
	    "header: column 2 has no name");
	assert_read_dies(unit_writes("name\t\\N\n"), 0, NULL, 1,
	    "header: column 2 has no name");
	assert_read_dies(unit_writes("name\t \t\tphone\n"), 0, NULL, 1,
	    "header: column 2 has no name");
	assert_read_dies(unit_writes("name,\" \",phone\n"), 1, NULL, 1,
	    "header: column 2 has no name");
	assert_read_dies(unit_writes("\n\nname,,phone\n"), 1, NULL, 3,
	    "header: column 2 has no name");
	{
		struct read_job j = { unit_writes(""), 0, NULL, NULL, 0 };
		struct unit_child c;

		unit_run(read_job, &j, &c);
		assert_died(&c, "no header row");
	}
}

static void
test_width(void **state)
{
	struct table t;

	(void)state;
	read_string("a\tb\tc\n1\t2\n1\t2\t3\t4\n1\t2\t3\n\\N\n", 0, &t);
	assert_int_equal(t.n, 4);
	assert_non_null(t.rows[0].width_error);
	assert_string_equal(t.rows[0].width_error, "expected 3 fields, got 2");
	assert_string_equal(t.rows[1].width_error, "expected 3 fields, got 4");
	assert_null(t.rows[2].width_error);
	assert_string_equal(t.rows[3].width_error, "expected 3 fields, got 1");
	table_free(&t);
	read_string("a,b,c\n1,2\n1,2,3\n", 1, &t);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.rows[0].width_error, "expected 3 fields, got 2");
	assert_null(t.rows[1].width_error);
	table_free(&t);
}

/* ---- CSV ------------------------------------------------------------ */

static void
test_csv_basics(void **state)
{
	struct table t;

	(void)state;
	/* empty unquoted is NULL, "" is empty; spaces are data; CRLF */
	read_string("a,b,c,d\r\n,\"\", x ,\"q\"\"\"\r\n\"l1\nl2\",\"\r\n\",,\r\n", 1, &t);
	assert_int_equal(t.n, 2);
	assert_field_null(&t, 0, 0);
	assert_field(&t, 0, 1, "");
	assert_field(&t, 0, 2, " x ");
	assert_field(&t, 0, 3, "q\"");
	assert_int_equal(t.rows[0].line, 2);
	assert_field(&t, 1, 0, "l1\nl2");
	assert_field(&t, 1, 1, "\r\n");
	assert_field_null(&t, 1, 2);
	assert_field_null(&t, 1, 3);
	assert_int_equal(t.rows[1].line, 3);
	table_free(&t);

	/* a BOM, blank lines, a header with spaces and aliases */
	read_string("\xef\xbb\xbf\"Phone\", 客户 \n\n1,2\n\n", 1, &t);
	assert_int_equal(t.ncol, 2);
	assert_string_equal(t.cols[0], "phone");
	assert_string_equal(t.cols[1], "客户");
	assert_int_equal(t.n, 1);
	assert_field(&t, 0, 0, "1");
	assert_int_equal(t.rows[0].line, 3);
	table_free(&t);
}

static void
test_format_from_header(void **state)
{
	struct table t;

	(void)state;
	/* the header line says CSV or TSV, also after blank lines */
	read_string("\r\n\nname,phone\n张三,13812345678\n", 0, &t);
	assert_int_equal(t.ncol, 2);
	assert_field(&t, 0, 1, "13812345678");
	assert_int_equal(t.rows[0].line, 4);
	table_free(&t);
	read_string("\n名字\t电话\n张三\t1,2\n", 0, &t);
	assert_int_equal(t.ncol, 2);
	assert_field(&t, 0, 1, "1,2");
	table_free(&t);
	/* tabs and commas: TSV */
	read_string("name\tnote\nA\ta,b\n", 0, &t);
	assert_int_equal(t.ncol, 2);
	assert_field(&t, 0, 1, "a,b");
	table_free(&t);
	/* --csv named is not overridden by the header line */
	read_string("\n名字\t电话\n张三\t1,2\n", 1, &t);
	assert_int_equal(t.ncol, 1);
	assert_string_equal(t.cols[0], "名字\t电话");
	assert_int_equal(t.n, 1);
	assert_int_equal(t.rows[0].n, 2);
	assert_field(&t, 0, 0, "张三\t1");
	assert_string_equal(t.rows[0].width_error, "expected 1 fields, got 2");
	table_free(&t);
	/* one column, or both: as asked */
	read_string("name\n\"a,b\"\n", 1, &t);
	assert_field(&t, 0, 0, "a,b");
	table_free(&t);
	read_string("name\n\"a,b\"\n", 0, &t);
	assert_field(&t, 0, 0, "\"a,b\"");
	table_free(&t);
}

static void
test_csv_errors(void **state)
{
	(void)state;
	/* unterminated: the line where the record started */
	assert_read_dies(unit_writes("a,b\n1,2\n3,\"x\ny\nz\n"), 1, NULL, 3,
	    "unterminated \"-quoted field");
	assert_read_dies(unit_writes("a,b\n\"1"), 1, NULL, 2, "unterminated");
	assert_read_dies(unit_writes("\"a,b\n"), 1, NULL, 1, "unterminated");
	/* malformed quoting: the line where it is */
	assert_read_dies(unit_writes("a,b\n1,2\n1,x\"y\n"), 1, NULL, 3,
	    "malformed quoting");
	assert_read_dies(unit_writes("a,b\n\"1\nok\"x,2\n"), 1, NULL, 3,
	    "malformed quoting");
}

/* ---- round trips ----------------------------------------------------- */

static const char *const tricky[] = {
	"", "\t", "\n", "\r", "\\", "\\\\", "\\N", "N", "\\t", "a\tb\nc\\d\re",
	"\r\n", "\n\n", ",", "\"", "\"\"", "\"quoted\"", " lead", "trail ", " ",
	"中文，全角：ＡＢＣ", "上海恒瑞信息科技有限公司", "a,\"b\",c", "#", "=1+2",
	"\xef\xbb\xbf" "bom-like", "ends with backslash\\", "0123", "-",
};

struct values {
	size_t n;
	const char **v;		/* NULL entries are NULL */
};

static void
push_value(struct values *vs, const char *s)
{
	vs->v = realloc(vs->v, (vs->n + 1) * sizeof *vs->v);
	assert_non_null(vs->v);
	vs->v[vs->n++] = s;
}

/* The strings of blns.txt, without its comment and blank lines. */
static char *
load_blns(struct values *vs)
{
	char *text = unit_slurp(unit_testdata("blns/blns.txt"), NULL), *p, *nl;

	if (text == NULL)
		fail_msg("cannot read '%s' (set CRM_TESTDATA)",
		    unit_testdata("blns/blns.txt"));
	for (p = text; p && *p; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (*p != '\0' && *p != '#')
			push_value(vs, p);
	}
	return text;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/*
** Write VS as rows of NCOL columns (each value in every column but the
** first, which counts) and read them back: the same values must come out.
*/
static void
roundtrip(const struct values *vs, int csv, size_t ncol)
{
	static const char *const names[] = { "k", "name", "note", "x" };
	const char *path = unit_path(csv ? ".csv" : ".tsv");
	FILE *f = fopen(path, "wb");
	struct rec_writer *w;
	struct table t;
	char num[32];
	const char *row[4];

	assert_non_null(f);
	assert_true(ncol >= 1 && ncol <= 4);
	w = recw_open(f, path, csv);
	recw_header(w, ncol, names);
	for (size_t i = 0; i < vs->n; i++) {
		snprintf(num, sizeof num, "%zu", i);
		row[0] = ncol == 1 ? vs->v[i] : num;
		for (size_t c = 1; c < ncol; c++)
			row[c] = vs->v[i];
		recw_row(w, ncol, row);
	}
	recw_close(w);
	assert_int_equal(fclose(f), 0);
	{	/* never CRLF at a line end: every \r is inside a value */
		size_t len;
		char *text = unit_slurp(path, &len);

		if (!csv)
			assert_null(memchr(text, '\r', len));
		free(text);
	}
	read_table(path, csv, NULL, &t);
	assert_int_equal(t.ncol, ncol);
	for (size_t i = 0; i < vs->n; i++) {
		if (i >= t.n)
			fail_msg("%s round trip, %zu columns: %zu rows written, %zu "
			    "read", csv ? "CSV" : "TSV", ncol, vs->n, t.n);
		if (t.rows[i].n != ncol)
			fail_msg("%s round trip, %zu columns, value %zu ('%s'): read "
			    "%zu fields", csv ? "CSV" : "TSV", ncol, i,
			    vs->v[i] ? vs->v[i] : "(NULL)", t.rows[i].n);
		for (size_t c = ncol == 1 ? 0 : 1; c < ncol; c++) {
			const char *want = vs->v[i];

			/* a lone NULL in one-column CSV is written "" (else the
			 * line would be blank, and a blank line is no record);
			 * in TSV NULL is an empty field, read as "" */
			if (want == NULL && (!csv || ncol == 1))
				want = "";
			if (!same(t.rows[i].v[c], want))
				fail_msg("%s round trip, %zu columns, value %zu: wrote "
				    "'%s', read '%s'", csv ? "CSV" : "TSV", ncol, i,
				    want ? want : "(NULL)",
				    t.rows[i].v[c] ? t.rows[i].v[c] : "(NULL)");
		}
	}
	assert_int_equal(t.n, vs->n);
	table_free(&t);
}

static void
test_roundtrip(void **state)
{
	struct values vs = { 0, NULL };
	char *blns;

	(void)state;
	push_value(&vs, NULL);
	for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++)
		push_value(&vs, tricky[i]);
	push_value(&vs, NULL);
	blns = load_blns(&vs);
	assert_true(vs.n > 400);	/* blns has some 500 strings */
	printf("# round trip: %zu values (%zu from blns.txt), TSV and CSV, "
	    "1 and 3 columns\n", vs.n, vs.n - 2 - sizeof tricky / sizeof tricky[0]);
	for (int csv = 0; csv <= 1; csv++) {
		roundtrip(&vs, csv, 3);
		roundtrip(&vs, csv, 1);
	}
	free(vs.v);
	free(blns);
}

/* The field writers on their own. */
static char *
put_fields(int csv, const char *const *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc('|', f);
		if (csv)
			csv_put_field(f, v[i]);
		else
			tsv_put_field(f, v[i]);
	}
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
test_put_field(void **state)
{
	const char *v[] = { NULL, "", "a\tb", "a\\b\n\r", "x,y", "q\"", " s",
		"plain", "中文" };
	char *s;

	(void)state;
	s = put_fields(0, v, 9);
	assert_string_equal(s, "||a\\tb|a\\\\b\\n\\r|x,y|q\"| s|plain|中文");
	free(s);
	s = put_fields(1, v, 9);
	assert_string_equal(s, "|\"\"|a\tb|\"a\\b\n\r\"|\"x,y\"|\"q\"\"\"|\" s\"|plain|中文");
	free(s);
}

/*
** What FN(CTX) writes on standard output, run in a child whose stdout is
** a file (malloc'd).  The child must exit 0.
*/
static char *
stdout_of(void (*fn)(void *), void *ctx)
{
	const char *path = unit_path(".out");
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		if (freopen(path, "w", stdout) == NULL)
			_exit(99);
		fn(ctx);
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) == -1)
		assert_int_equal(errno, EINTR);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	return unit_slurp(path, NULL);
}

/* A writer of one kind, and what it writes: for stdout_of(). */
struct wjob {
	int csv, held, to_file;
	const char *null_text;
	const char *path;	/* to_file: where */
};

static void
write_small(void *ctx)
{
	static const char *const names[] = { "a", "b", "c" };
	static const char *const row[] = { NULL, "x", "" };
	struct wjob *j = ctx;
	struct rec_writer *w;
	FILE *f = NULL;

	crm_g.null_text = j->null_text;
	if (j->held)
		w = recw_open_held(j->csv);
	else if (j->to_file) {
		if ((f = fopen(j->path, "w")) == NULL)
			_exit(98);
		w = recw_open(f, j->path, j->csv);
	} else
		w = recw_open(stdout, "standard output", j->csv);
	recw_header(w, 3, names);
	recw_row(w, 3, row);
	recw_close(w);
	if (f)
		fclose(f);
}

static void
test_null_text(void **state)
{
	struct wjob j = { 0, 0, 0, NULL, NULL };
	char *out;

	(void)state;
	/* by default NULL is an empty field, as awk and cut see no value */
	out = stdout_of(write_small, &j);
	assert_string_equal(out, "a\tb\tc\n\tx\t\n");
	free(out);
	/* --null: written as it is, on stdout, held or not */
	j.null_text = "\\N";
	out = stdout_of(write_small, &j);
	assert_string_equal(out, "a\tb\tc\n\\N\tx\t\n");
	free(out);
	j.held = 1;
	out = stdout_of(write_small, &j);
	assert_string_equal(out, "a\tb\tc\n\\N\tx\t\n");
	free(out);
	/* CSV: "" stays quoted, the TEXT is a field like any other */
	j.csv = 1;
	j.null_text = "a,NULL";
	out = stdout_of(write_small, &j);
	assert_string_equal(out, "a,b,c\n\"a,NULL\",x,\"\"\n");
	free(out);
	/* not to a file: reject files and spools keep the plain form */
	j.held = 0;
	j.csv = 0;
	j.to_file = 1;
	j.null_text = "\\N";
	j.path = unit_path(".tsv");
	out = stdout_of(write_small, &j);
	assert_string_equal(out, "");
	free(out);
	out = unit_slurp(j.path, NULL);
	assert_string_equal(out, "a\tb\tc\n\tx\t\n");
	free(out);
	/* a row of one NULL is no blank line, but where one is a value */
	{
		static const char *const names[] = { "a", "b" };
		static const char *const lone[] = { NULL };
		const char *path = unit_path(".tsv");
		FILE *f = fopen(path, "w");
		struct rec_writer *w;

		assert_non_null(f);
		w = recw_open(f, path, 0);
		recw_header(w, 2, names);
		recw_row(w, 1, lone);
		recw_close(w);
		w = recw_open(f, path, 0);
		recw_header(w, 1, names);
		recw_row(w, 1, lone);
		recw_close(w);
		assert_int_equal(fclose(f), 0);
		out = unit_slurp(path, NULL);
		assert_string_equal(out, "a\tb\n\\N\na\n\n");
		free(out);
	}
}

/* ---- outside CSV material -------------------------------------------- */

struct counts {
	unsigned eq, err;
};

enum kind { K_EQUAL, K_ERROR, K_BLANK };

/* Compare T's rows with EXPECTED (an array of arrays of strings). */
static void
compare_rows(const char *label, const struct table *t, const struct jv *expected,
    int drop_blank)
{
	size_t k = 0;

	assert_int_equal(expected->t, J_ARR);
	for (size_t i = 0; i < expected->n; i++) {
		const struct jv *er = expected->items[i];
		const struct row *gr;

		assert_int_equal(er->t, J_ARR);
		if (drop_blank && (er->n == 0 || (er->n == 1 &&
		    er->items[0]->t == J_STR && er->items[0]->slen == 0)))
			continue;
		if (k >= t->n)
			fail_msg("%s: expected row %zu, got only %zu rows", label,
			    i + 1, t->n);
		gr = &t->rows[k++];
		if (gr->n != er->n)
			fail_msg("%s: row %zu: expected %zu fields, got %zu", label,
			    i + 1, er->n, gr->n);
		for (size_t c = 0; c < er->n; c++) {
			const struct jv *ef = er->items[c];
			const char *got = gr->v[c] ? gr->v[c] : "";

			if (ef->t != J_STR && ef->t != J_NUM)
				fail_msg("%s: row %zu field %zu: unexpected JSON", label,
				    i + 1, c + 1);
			if (strlen(got) != ef->slen || memcmp(got, ef->s, ef->slen) != 0)
				fail_msg("%s: row %zu field %zu: expected '%s', got '%s'",
				    label, i + 1, c + 1, ef->s, got);
		}
	}
	if (k != t->n)
		fail_msg("%s: expected %zu rows, got %zu", label, k, t->n);
}

/*
** One CSV case without a header: put the header line "c" in front, then
** either read it and compare with EXPECTED, or check that reading dies.
*/
static void
run_case(const char *label, const char *input, size_t len,
    const struct jv *expected, enum kind kind, struct counts *n)
{
	char *text = malloc(len + 3);
	const char *path;

	assert_non_null(text);
	memcpy(text, "c\n", 2);
	memcpy(text + 2, input, len);
	path = unit_write(text, len + 2);
	free(text);
	current_case = label;
	if (kind == K_ERROR) {
		assert_read_dies(path, 1, NULL, 0, NULL);
		n->err++;
	} else {
		struct table t;

		read_table(path, 1, NULL, &t);
		compare_rows(label, &t, expected, kind == K_BLANK);
		table_free(&t);
		n->eq++;
	}
	current_case = "";
}

/* A deliberate difference: which case, and how we differ. */
struct diff {
	const char *key;	/* CPython "test:line", PapaParse description */
	enum kind kind;
	int used;
};

static enum kind
diff_kind(struct diff *d, const char *key)
{
	for (; d->key; d++)
		if (strcmp(d->key, key) == 0) {
			d->used++;
			return d->kind;
		}
	return K_EQUAL;
}

static void
diffs_all_used(const struct diff *d, const char *what)
{
	for (; d->key; d++)
		if (d->used != 1)
			fail_msg("%s: the difference for '%s' matched %d cases, not 1",
			    what, d->key, d->used);
}

static void
test_csv_spectrum(void **state)
{
	static const char *const names[] = { "comma_in_quotes", "empty",
		"empty_crlf", "escaped_quotes", "json", "location_coordinates",
		"newlines", "newlines_crlf", "quotes_and_newlines", "simple",
		"simple_crlf", "utf8" };
	struct counts n = { 0, 0 };
	char rel[256];

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *csvpath;
		struct jv *want;
		struct table t;

		snprintf(rel, sizeof rel, "csv-spectrum/csvs/%s.csv", names[i]);
		csvpath = unit_testdata(rel);
		snprintf(rel, sizeof rel, "csv-spectrum/json/%s.json", names[i]);
		want = json_load(unit_testdata(rel));
		current_case = names[i];
		if (strcmp(names[i], "location_coordinates") == 0) {
			/* its JSON disagrees with its CSV upstream; it has
			 * a quote inside an unquoted field: an error here */
			assert_read_dies(csvpath, 1, NULL, 2, "malformed quoting");
			n.err++;
			json_free(want);
			continue;
		}
		read_table(csvpath, 1, NULL, &t);
		assert_int_equal(want->t, J_ARR);
		assert_int_equal(t.n, want->n);
		for (size_t r = 0; r < want->n; r++) {
			const struct jv *o = want->items[r];

			assert_int_equal(o->t, J_OBJ);
			assert_int_equal(o->n, t.ncol);
			assert_int_equal(t.rows[r].n, t.ncol);
			for (size_t c = 0; c < o->n; c++) {
				char buf[256];
				const char *got = t.rows[r].v[c] ? t.rows[r].v[c] : "";

				assert_string_equal(t.cols[c],
				    rec_canonical(o->keys[c], buf, sizeof buf));
				assert_int_equal(o->items[c]->t, J_STR);
				if (strcmp(got, o->items[c]->s) != 0)
					fail_msg("%s: row %zu, %s: expected '%s', got '%s'",
					    names[i], r + 1, o->keys[c], o->items[c]->s, got);
			}
		}
		table_free(&t);
		json_free(want);
		n.eq++;
	}
	current_case = "";
	printf("# csv-spectrum: %u cases equal, %u errors as designed\n", n.eq, n.err);
	assert_int_equal(n.eq + n.err, 12);
}

/* CPython's test_quoted_nl input, from Lib/test/test_csv.py. */
static const char quoted_nl_input[] =
	"1,2,3,\"\"\"I see,\"\"\nsaid the blind man\",\"as he picked up his\n"
	"hammer and saw\"\n9,8,7,6";

static void
test_cpython_reads(void **state)
{
	static struct diff diffs[] = {
		{ "test_read_oddinputs:371", K_BLANK, 0 },
		{ "test_read_eof:394", K_ERROR, 0 },
		{ "test_read_eof:395", K_ERROR, 0 },
		{ "test_read_nul:403", K_ERROR, 0 },
		{ "test_read_nul:404", K_ERROR, 0 },
		{ "test_read_nul:405", K_ERROR, 0 },
		{ "test_read_nul:407", K_ERROR, 0 },
		{ "test_inline_quote:735", K_ERROR, 0 },
		{ "test_inline_quotes:738", K_ERROR, 0 },
		{ "test_quotes_and_more:743", K_ERROR, 0 },
		{ "test_lone_quote:746", K_ERROR, 0 },
		{ "test_quote_and_quote:751", K_ERROR, 0 },
		{ "test_space_and_quote:754", K_ERROR, 0 },
		{ "test_dubious_quote:781", K_ERROR, 0 },
		{ NULL, K_EQUAL, 0 }
	};
	struct jv *all = json_load(unit_testdata(
	    "cpython_test_csv/cpython313_excel_dialect_subset.json"));
	struct jv *reads = json_get(all, "reads");
	struct counts n = { 0, 0 };

	(void)state;
	assert_non_null(reads);
	for (size_t i = 0; i < reads->n; i++) {
		const struct jv *c = reads->items[i], *lines, *text;
		char label[128], *input = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&input, &len);

		assert_non_null(f);
		snprintf(label, sizeof label, "%s:%s", json_get(c, "test")->s,
		    json_get(c, "line")->s);
		if ((lines = json_get(c, "input_lines")) != NULL) {
			for (size_t k = 0; k < lines->n; k++) {
				const struct jv *l = lines->items[k];

				fwrite(l->s, 1, l->slen, f);
				if (l->slen == 0 || (l->s[l->slen - 1] != '\n' &&
				    l->s[l->slen - 1] != '\r'))
					fputc('\n', f);
			}
		} else {
			text = json_get(c, "input_text");
			assert_non_null(text);
			if (text->t == J_STR)
				fwrite(text->s, 1, text->slen, f);
			else {
				assert_string_equal(label, "test_quoted_nl:774");
				fputs(quoted_nl_input, f);
			}
		}
		assert_int_equal(fclose(f), 0);
		run_case(label, input, len, json_get(c, "expected_rows"),
		    diff_kind(diffs, label), &n);
		free(input);
	}
	diffs_all_used(diffs, "cpython reads");
	printf("# cpython reads: %u cases equal, %u errors as designed\n", n.eq, n.err);
	assert_int_equal(n.eq + n.err, 36);
	json_free(all);
}

/* Write one JSON field list with recw_row(): numbers as text, null as NULL. */
static void
write_json_row(struct rec_writer *w, const struct jv *fields)
{
	const char **v = calloc(fields->n + 1, sizeof *v);

	assert_non_null(v);
	for (size_t i = 0; i < fields->n; i++)
		v[i] = fields->items[i]->t == J_NULL ? NULL : fields->items[i]->s;
	recw_row(w, fields->n, v);
	free(v);
}

static void
test_cpython_writes(void **state)
{
	/* Our form where it differs; "\r\n" is "\n" in every case. */
	static struct {
		const char *key, *ours;
		int used;
	} diffs[] = {
		/* "" is written quoted so that it reads back as "", not NULL */
		{ "test_write_empty_fields:326", "\"\",\"\"\n", 0 },
	};
	struct jv *all = json_load(unit_testdata(
	    "cpython_test_csv/cpython313_excel_dialect_subset.json"));
	struct jv *writes = json_get(all, "writes");
	unsigned eq = 0;

	(void)state;
	assert_non_null(writes);
	for (size_t i = 0; i < writes->n; i++) {
		const struct jv *c = writes->items[i], *rows, *fields, *exp;
		char *out = NULL, *want, key[128];
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		struct rec_writer *w = recw_open(f, "memory", 1);

		if ((fields = json_get(c, "fields")) != NULL) {
			write_json_row(w, fields);
			exp = json_get(c, "expected_text_without_CRLF");
			want = malloc(exp->slen + 2);
			assert_non_null(want);
			memcpy(want, exp->s, exp->slen);
			memcpy(want + exp->slen, "\n", 2);
		} else {
			rows = json_get(c, "rows");
			assert_non_null(rows);
			for (size_t r = 0; r < rows->n; r++)
				write_json_row(w, rows->items[r]);
			exp = json_get(c, "expected_text");
			/* we never write CRLF */
			want = strdup(exp->s);
			assert_non_null(want);
			for (char *p = want, *q = want;; p++) {
				if (p[0] == '\r' && p[1] == '\n')
					continue;
				if ((*q++ = *p) == '\0')
					break;
			}
		}
		recw_close(w);
		assert_int_equal(fclose(f), 0);
		snprintf(key, sizeof key, "%s:%s", json_get(c, "test")->s,
		    json_get(c, "line")->s);
		for (size_t d = 0; d < sizeof diffs / sizeof diffs[0]; d++)
			if (strcmp(diffs[d].key, key) == 0) {
				free(want);
				want = strdup(diffs[d].ours);
				diffs[d].used++;
			}
		if (strcmp(out, want) != 0)
			fail_msg("%s:%s: expected '%s', wrote '%s'",
			    json_get(c, "test")->s, json_get(c, "line")->s, want, out);
		eq++;
		free(out);
		free(want);
	}
	for (size_t d = 0; d < sizeof diffs / sizeof diffs[0]; d++)
		assert_int_equal(diffs[d].used, 1);
	printf("# cpython writes: %u cases equal (with \\n for \\r\\n; %zu to our "
	    "own form)\n", eq, sizeof diffs / sizeof diffs[0]);
	assert_int_equal(eq, 12);
	json_free(all);
}

static void
test_papaparse(void **state)
{
	static struct diff diffs[] = {
		{ "Unquoted field with quotes at end of field", K_ERROR, 0 },
		{ "Quoted field with whitespace around quotes", K_ERROR, 0 },
		{ "Misplaced quotes in data, not as opening quotes", K_ERROR, 0 },
		{ "One column input with empty fields", K_BLANK, 0 },
		{ NULL, K_EQUAL, 0 }
	};
	struct jv *all = json_load(unit_testdata(
	    "papaparse_tests/papaparse_core_default_config.json"));
	struct jv *cases = json_get(all, "cases");
	struct counts n = { 0, 0 };
	unsigned expected_errors = 0;

	(void)state;
	assert_non_null(cases);
	for (size_t i = 0; i < cases->n; i++) {
		const struct jv *c = cases->items[i];
		const struct jv *exp = json_get(c, "expected");
		const struct jv *in = json_get(c, "input");
		const struct jv *errs = json_get(exp, "errors");
		const char *label = json_get(c, "description")->s;
		enum kind kind = diff_kind(diffs, label);

		if (errs && errs->n > 0) {
			assert_int_equal(kind, K_EQUAL);	/* not in the table */
			kind = K_ERROR;
			expected_errors++;
		}
		run_case(label, in->s, in->slen, json_get(exp, "data"), kind, &n);
	}
	diffs_all_used(diffs, "papaparse");
	printf("# papaparse: %u cases equal, %u errors (%u of them expected by "
	    "PapaParse)\n", n.eq, n.err, expected_errors);
	assert_int_equal(n.eq + n.err, 40);
	assert_int_equal(expected_errors, 5);
	json_free(all);
}

/* ---- encodings -------------------------------------------------------- */

/* Read PATH as one-column TSV and give back the values, one a line. */
static char *
decode_file(const char *path, const char *enc, char **encoding)
{
	struct table t;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	read_table(path, 0, enc, &t);
	assert_int_equal(t.ncol, 1);
	assert_string_equal(t.cols[0], "text");
	for (size_t i = 0; i < t.n; i++) {
		assert_int_equal(t.rows[i].n, 1);
		fprintf(f, "%s\n", t.rows[i].v[0]);
	}
	*encoding = strdup(t.encoding);
	table_free(&t);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* "text\n" and the bytes of the testdata file REL, in a temporary file. */
static const char *
with_header(const char *rel)
{
	size_t len;
	char *raw = unit_slurp(unit_testdata(rel), &len), *text;
	const char *path;

	if (raw == NULL)
		fail_msg("cannot read '%s' (set CRM_TESTDATA)", unit_testdata(rel));
	text = malloc(len + 5);
	assert_non_null(text);
	memcpy(text, "text\n", 5);
	memcpy(text + 5, raw, len);
	path = unit_write(text, len + 5);
	free(raw);
	free(text);
	return path;
}

static void
check_decoding(const char *name, const char *enc, const char *want_enc)
{
	char rel[128], *got, *want, *used;

	snprintf(rel, sizeof rel, "encodings/%s-utf8.txt", name);
	want = unit_slurp(unit_testdata(rel), NULL);
	assert_non_null(want);
	snprintf(rel, sizeof rel, "encodings/%s.txt", name);
	got = decode_file(with_header(rel), enc, &used);
	assert_string_equal(used, want_enc);
	if (strcmp(got, want) != 0)
		fail_msg("%s decoded differently from its UTF-8 twin:\n%s", name, got);
	assert_true(utf8_valid(got, strlen(got)));
	free(got);
	free(want);
	free(used);
}

/* S converted to TO with iconv, a BOM first; *LEN gets the length. */
static char *
to_utf16(const char *s, const char *to, size_t *len)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t inleft = strlen(s), cap = inleft * 4 + 8, outleft = cap - 2;
	char *buf = malloc(cap), *in = (char *)s, *out = buf + 2;

	assert_true(cd != (iconv_t)-1);
	assert_non_null(buf);
	memcpy(buf, strcmp(to, "UTF-16LE") == 0 ? "\xff\xfe" : "\xfe\xff", 2);
	assert_int_not_equal(iconv(cd, &in, &inleft, &out, &outleft), (size_t)-1);
	iconv_close(cd);
	*len = (size_t)(out - buf);
	return buf;
}

static void
test_encodings(void **state)
{
	(void)state;
	check_decoding("gb2312", NULL, "GB18030");
	check_decoding("gbk", NULL, "GB18030");
	check_decoding("gb18030", NULL, "GB18030");
	check_decoding("big5", "BIG5", "BIG5");
	/* UTF-8 named outright is UTF-8 */
	{
		const char *path = unit_writes("text\n中文\n");
		char *used, *got = decode_file(path, "utf-8", &used);

		assert_string_equal(got, "中文\n");
		assert_string_equal(used, "UTF-8");
		free(got);
		free(used);
	}
	/* UTF-16 with a BOM, either order */
	for (int be = 0; be <= 1; be++) {
		char *twin = unit_slurp(unit_testdata("encodings/gbk-utf8.txt"), NULL);
		char *text, *raw, *got, *used;
		size_t len;

		assert_non_null(twin);
		text = malloc(strlen(twin) + 6);
		assert_non_null(text);
		strcpy(text, "text\n");
		strcat(text, twin);
		raw = to_utf16(text, be ? "UTF-16BE" : "UTF-16LE", &len);
		got = decode_file(unit_write(raw, len), NULL, &used);
		assert_string_equal(used, be ? "UTF-16BE" : "UTF-16LE");
		assert_string_equal(got, twin);
		free(twin);
		free(text);
		free(raw);
		free(got);
		free(used);
	}
}

static void
test_encoding_errors(void **state)
{
	char *big;
	size_t n = 0;

	(void)state;
	/* neither UTF-8 nor GB18030 (0xff is no GB18030 lead byte) */
	assert_read_dies(unit_writes("text\nok\nbad \xff\xff here\n"), 0, NULL, 3,
	    "invalid UTF-8");
	assert_read_dies(unit_writes("a,b\n1,2\nx\xff,3\n"), 1, NULL, 3,
	    "invalid UTF-8");
	/* an overlong "/" is no UTF-8, but it is GB18030: read as that */
	{
		struct table t;

		read_string("a,b\n\xc0\xaf,3\n", 1, &t);
		assert_string_equal(t.encoding, "GB18030");
		assert_int_equal(t.n, 1);
		assert_true(utf8_valid(t.rows[0].v[0], strlen(t.rows[0].v[0])));
		table_free(&t);
	}
	/* bad bytes after the first 64 KiB, which was UTF-8 */
	big = malloc(200000);
	assert_non_null(big);
	n += (size_t)sprintf(big, "text\n中文\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)sprintf(big + n, "line %05d\n", i);
	n += (size_t)sprintf(big + n, "ok\nbad \xed\xa0\x80 surrogate\nmore\n");
	assert_read_dies(unit_write(big, n), 0, NULL, 10004, "invalid UTF-8");
	/* ... which was all ASCII: GBK may start late (Excel), else an error */
	n = (size_t)sprintf(big, "text\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)sprintf(big + n, "line %05d\n", i);
	n += (size_t)sprintf(big + n, "\xd6\xd0\xce\xc4\n");	/* 中文 in GBK */
	{
		struct table t;

		read_table(unit_write(big, n), 0, NULL, &t);
		assert_int_equal(t.n, 10001);
		assert_field(&t, 10000, 0, "中文");
		assert_string_equal(t.rows[10000].v[0], "中文");
		table_free(&t);
	}
	n -= 5;
	n += (size_t)sprintf(big + n, "ok\nbad \xff\xff\n");
	assert_read_dies(unit_write(big, n), 0, NULL, 10003, "invalid");
	free(big);
	/* NUL bytes would cut a value short */
	assert_read_dies(unit_write("a\tb\n1\t2\nx\0y\t3\n", 14), 0, NULL, 3, "NUL");
	assert_read_dies(unit_write("a,b\n\"x\0y\",3\n", 12), 1, NULL, 2, "NUL");
}

/* ---- header names: order, sets, maps, size ---------------------------- */

/* Assert the column names of T, one string with tabs between. */
static void
assert_cols(const struct table *t, const char *want)
{
	char got[4096] = "";

	for (size_t i = 0; i < t->ncol; i++) {
		if (i)
			strcat(got, "\t");
		strncat(got, t->cols[i], sizeof got - strlen(got) - 2);
	}
	if (strcmp(got, want) != 0)
		fail_msg("columns: expected '%s', got '%s'", want, got);
}

static void
test_header_order(void **state)
{
	/* each header with the names it gives, also read backwards */
	static const char *const cases[][2] = {
		/* a cell that is our name takes it; the alias keeps its own */
		{ "name\tcontact_name", "name\tcontact_name" },
		{ "Name\t联系人", "name\t联系人" },
		/* two aliases: the one listed first in the table */
		{ "手机\t电话", "phone\t电话" },
		{ "E-Mail\t邮箱", "email\t邮箱" },
		{ "mobile\tphone", "mobile\tphone" },
		{ "mobile\t电话号码\tx", "mobile\tphone\tx" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char fwd[256], back[256], wantback[256];
		const char *tab = strchr(cases[k][0], '\t');
		struct table t;

		snprintf(fwd, sizeof fwd, "%s\n", cases[k][0]);
		read_string(fwd, 0, &t);
		assert_cols(&t, cases[k][1]);
		table_free(&t);
		/* the first two cells swapped: each keeps what it got */
		{
			const char *rest = strchr(tab + 1, '\t');
			size_t n1 = (size_t)(tab - cases[k][0]);
			size_t n2 = rest ? (size_t)(rest - tab - 1) : strlen(tab + 1);
			const char *wt = strchr(cases[k][1], '\t');
			const char *wrest = strchr(wt + 1, '\t');
			size_t w1 = (size_t)(wt - cases[k][1]);
			size_t w2 = wrest ? (size_t)(wrest - wt - 1) : strlen(wt + 1);

			snprintf(back, sizeof back, "%.*s\t%.*s%s\n", (int)n2, tab + 1,
			    (int)n1, cases[k][0], rest ? rest : "");
			snprintf(wantback, sizeof wantback, "%.*s\t%.*s%s", (int)w2,
			    wt + 1, (int)w1, cases[k][1], wrest ? wrest : "");
		}
		read_string(back, 0, &t);
		assert_cols(&t, wantback);
		table_free(&t);
	}
}

/* The outside Odoo demo leads: their header is Odoo's. */
static void
test_header_set_odoo(void **state)
{
	const char *path = unit_testdata(
	    "odoo_crm_demo/crm_lead_demo_flattened.csv");
	struct read_job j = { path, 1, NULL, NULL, 1 };
	struct unit_child c;
	struct table t;
	size_t title, name, company, ext, email, job;

	(void)state;
	read_table(path, 1, NULL, &t);
	/* id,type,name,contact_name,partner_name,email_from,function,... */
	ext = 0, name = 3, title = 2, company = 4, email = 5, job = 6;
	assert_string_equal(t.cols[ext], "external_id");
	assert_string_equal(t.cols[1], "type");
	assert_string_equal(t.cols[title], "title");
	assert_string_equal(t.cols[name], "name");
	assert_string_equal(t.cols[company], "company");
	assert_string_equal(t.cols[email], "email");
	assert_string_equal(t.cols[job], "job_title");
	assert_string_equal(t.cols[7], "country_id");
	assert_string_equal(t.cols[11], "phone");
	assert_int_equal(t.n, 44);
	assert_field(&t, 0, ext, "crm_case_1");
	assert_field(&t, 0, title, "Club Office Furnitures");
	assert_field(&t, 0, name, "Jacques Dunagan");
	assert_field(&t, 0, company, "Le Club SARL");
	assert_field(&t, 0, email, "jdunagan@leclub.example.com");
	assert_field(&t, 0, job, "Training Manager");
	table_free(&t);
	/* said on stderr, unless -q */
	unit_run(read_job, &j, &c);
	assert_int_equal(c.status, 0);
	if (strstr(c.err, "odoo_crm_demo/crm_lead_demo_flattened.csv: header "
	    "from Odoo CRM: reading name as title, id as external_id, "
	    "partner_name as company, contact_name as name, email_from as "
	    "email, function as job_title") == NULL)
		fail_msg("no note of the header set: %s", c.err);
	j.loud = 0;
	unit_run(read_job, &j, &c);
	assert_string_equal(c.err, "");
	/* what crm-lead import writes from it reads back the same, quietly */
	j.path = unit_writes("id,external_id,type,title,name,company,email,"
	    "job_title,stage_id,team_id,expected_revenue\n");
	j.loud = 1;
	unit_run(read_job, &j, &c);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.err, "");
	read_table(j.path, 1, NULL, &t);
	assert_cols(&t, "id\texternal_id\ttype\ttitle\tname\tcompany\temail\t"
	    "job_title\tstage_id\tteam_id\texpected_revenue");
	table_free(&t);
}

static void
test_header_sets(void **state)
{
	struct table t;

	(void)state;
	/* Salesforce: first and last names joined into a name column */
	read_string("Id,FirstName,LastName,Company,Email,Phone,MobilePhone,"
	    "LeadSource,Status,Title,OwnerId\n"
	    "00Q1,John,Smith,Acme,j@acme.example,021-1,139,Web,Open,CEO,005A\n"
	    "00Q2,三,张,某某公司,,,,,,,\n"
	    "00Q3,,Lee,,,,,,,,\n"
	    "00Q4,,,Solo Ltd,,,,,,,\n"
	    "00Q5,too,few\n", 1, &t);
	assert_cols(&t, "external_id\tfirst_name\tlast_name\tcompany\temail\t"
	    "phone\tmobile\tsource\tlead_status\tjob_title\towner_id\tname");
	assert_int_equal(t.n, 5);
	assert_int_equal(t.rows[0].n, 12);
	assert_field(&t, 0, 11, "John Smith");
	assert_field(&t, 0, 0, "00Q1");
	assert_field(&t, 0, 8, "Open");
	assert_field(&t, 1, 11, "张三");		/* CJK: family name first */
	assert_field(&t, 2, 11, "Lee");
	assert_field_null(&t, 3, 11);
	/* a row of the wrong width gets no joined name */
	assert_int_equal(t.rows[4].n, 3);
	assert_string_equal(t.rows[4].width_error, "expected 11 fields, got 3");
	table_free(&t);

	/* HubSpot */
	read_string("Record ID,First Name,Last Name,Email,Phone Number,"
	    "Company Name,Lifecycle Stage,Lead Status,Contact owner,Industry\n"
	    "101,Ana,Silva,ana@x.example,+55 11,Loja,lead,NEW,Bob,Retail\n", 1, &t);
	assert_cols(&t, "external_id\tfirst_name\tlast_name\temail\tphone\t"
	    "company\tlifecycle_stage\tlead_status\tcontact_owner\tindustry\t"
	    "name");
	assert_field(&t, 0, 10, "Ana Silva");
	assert_field(&t, 0, 4, "+55 11");
	table_free(&t);

	/* 悟空CRM-style Chinese */
	read_string("客户名称\t联系人\t手机\t电话\t邮箱\t客户来源\t客户级别\t负责人\t"
	    "所属行业\t客户行业\n"
	    "某公司\t王五\t13800000000\t021-1\tw@x.cn\t展会\tA\tli\t制造\t机械\n",
	    0, &t);
	assert_cols(&t, "company\tname\tphone\t电话\temail\tsource\tgrade\t"
	    "owner\tindustry\t客户行业");
	assert_field(&t, 0, 6, "A");
	table_free(&t);

	/* one or two distinctive names make no set */
	read_string("id,name,partner_name,email_from\n", 1, &t);
	assert_cols(&t, "id\tname\tpartner_name\temail_from");
	table_free(&t);
	read_string("FirstName,LastName,Title\n", 1, &t);
	assert_cols(&t, "FirstName\tLastName\tTitle\tname");
	table_free(&t);
	/* with a name column there is nothing to join */
	read_string("first_name,last_name,name\nA,B,C\n", 1, &t);
	assert_cols(&t, "first_name\tlast_name\tname");
	assert_int_equal(t.rows[0].n, 3);
	table_free(&t);
}

static void
test_header_map(void **state)
{
	struct rec_opts o = { NULL, "Kundenname=company, telefon = 手机,"
		"Notiz=Bemerkung", 0 };
	struct read_job j = { NULL, 0, NULL, &o, 0 };
	struct unit_child c;
	struct table t;
	char path[512];		/* unit_path()'s buffers are reused */

	(void)state;
	read_table_with(unit_writes("Kundenname\tTelefon\tNotiz\tname\n"
	    "Müller GmbH\t030-1\tx\tHans\n"), 0, &o, &t);
	assert_cols(&t, "company\tphone\tBemerkung\tname");
	assert_field(&t, 0, 0, "Müller GmbH");
	table_free(&t);
	/* before aliases and header sets: a map beats the name itself */
	o.map = "name=title,Kunde=name";
	read_table_with(unit_writes("name\tKunde\nOffer\tHans\n"), 0, &o, &t);
	assert_cols(&t, "title\tname");
	table_free(&t);
	/* a column the input lacks, a malformed or doubled pair: exit 2 */
	o.map = "Kundenname=company,Fax=phone";
	j.path = strcpy(path, unit_writes("Kundenname\tTelefon\n"));
	unit_run(read_job, &j, &c);
	assert_usage_died(&c, "--map: ");
	assert_usage_died(&c, " has no column 'Fax'; its columns are: "
	    "Kundenname, Telefon");
	o.map = "Kundenname";
	unit_run(read_job, &j, &c);
	assert_usage_died(&c, "--map: 'Kundenname' is not FROM=TO");
	o.map = "Telefon=phone,telefon=mobile";
	unit_run(read_job, &j, &c);
	assert_usage_died(&c, "--map: column 'telefon' is mapped twice");
	/* two mapped to one name, or onto a name kept by another */
	o.map = "Kundenname=phone,Telefon=phone";
	unit_run(read_job, &j, &c);
	assert_died(&c, "header: columns 'Kundenname' and 'Telefon' both mean "
	    "'phone'");
	o.map = "Kundenname=phone";
	j.path = strcpy(path, unit_writes("Kundenname\tphone\n"));
	unit_run(read_job, &j, &c);
	assert_died(&c, "header: columns 'Kundenname' and 'phone' are both "
	    "read as 'phone'");
}

/* Seconds since some fixed point. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_header_wide(void **state)
{
	enum { N = 100000 };
	struct strbuf sb = STRBUF_INIT;
	struct rec_reader *r;
	struct rec *rec;
	const char *path;
	double t0, took;

	(void)state;
	sb_init(&sb);
	for (int i = 0; i < N; i++)
		sb_addf(&sb, "%s列%d", i ? "\t" : "", i);
	sb_addc(&sb, '\n');
	for (int i = 0; i < N; i++)
		sb_addf(&sb, "%s%d", i ? "\t" : "", i);
	sb_addc(&sb, '\n');
	path = unit_write(sb.buf, sb.len);
	t0 = now_s();
	r = rec_open(path, 0, NULL);
	rec = rec_next(r);
	took = now_s() - t0;
	assert_int_equal(rec_ncol(r), N);
	assert_int_equal(rec_col(r, "列99999"), 99999);
	assert_int_equal(rec_col(r, "列0"), 0);
	assert_non_null(rec);
	assert_int_equal(rec->n, N);
	assert_string_equal(rec->v[N - 1], "99999");
	rec_close(r);
	/* linear: well under a second even with sanitizers (quadratic: a minute) */
	printf("# %d columns read in %.3f s\n", N, took);
	if (took > 1.0)
		fail_msg("%d columns took %.3f s", N, took);
	/* the same name again, at the far end */
	sb_reset(&sb);
	for (int i = 0; i < N; i++)
		sb_addf(&sb, "列%d\t", i);
	sb_adds(&sb, "列5\n");
	path = unit_write(sb.buf, sb.len);
	t0 = now_s();
	assert_read_dies(path, 0, NULL, 1, "header: column '列5' appears twice");
	took = now_s() - t0;
	if (took > 1.0)
		fail_msg("%d columns and a repeat took %.3f s", N, took);
	sb_free(&sb);
}

/* ---- odd input: line ends, JSON, bad bytes ------------------------------ */

static void
test_cr_line_ends(void **state)
{
	struct table t;

	(void)state;
	/* old Mac Excel: lone CR line ends */
	read_string("name\tphone\rA\t1\r\rB\t2\r", 0, &t);
	assert_int_equal(t.ncol, 2);
	assert_int_equal(t.n, 2);
	assert_field(&t, 0, 0, "A");
	assert_int_equal(t.rows[0].line, 2);
	assert_field(&t, 1, 1, "2");
	assert_int_equal(t.rows[1].line, 4);
	table_free(&t);
	read_string("name,note\rA,\"x\ry\"\rB,z", 1, &t);
	assert_int_equal(t.n, 2);
	assert_field(&t, 0, 1, "x\ry");
	assert_int_equal(t.rows[1].line, 4);
	assert_field(&t, 1, 1, "z");
	table_free(&t);
	/* and CR-only guessed as CSV from the header line */
	read_string("name,phone\rA,1\r", 0, &t);
	assert_int_equal(t.ncol, 2);
	assert_field(&t, 0, 1, "1");
	table_free(&t);
	/* UTF-16: 不 (U+4E0D) has a CR byte, and is no line end */
	for (int cr = 0; cr <= 1; cr++) {
		size_t len;
		char *raw = to_utf16(cr ? "不\tb\r不二\t2\r" : "不\tb\n不二\t2\n",
		    "UTF-16LE", &len);

		read_table(unit_write(raw, len), 0, NULL, &t);
		assert_cols(&t, "不\tb");
		assert_int_equal(t.n, 1);
		assert_field(&t, 0, 0, "不二");
		table_free(&t);
		free(raw);
	}
}

static void
test_json_refused(void **state)
{
	static const char *const json[] = {
		"{\"name\": \"A\"}\n", "  \n[{\"name\": \"A\"}]", "[\n  [\"a\"]\n]\n",
		"{}", "\xef\xbb\xbf[{\"a\": 1}]",
	};
	struct unit_child c;
	struct table t;
	char want[512];

	(void)state;
	for (size_t i = 0; i < sizeof json / sizeof json[0]; i++) {
		struct read_job j = { unit_writes(json[i]), 0, NULL, NULL, 0 };

		unit_run(read_job, &j, &c);
		snprintf(want, sizeof want, "%s: JSON input is not read: give TSV "
		    "or CSV", j.path);
		assert_usage_died(&c, want);
	}
	/* brackets that are names */
	read_string("[id]\tname\n1\tA\n", 0, &t);
	assert_string_equal(t.cols[0], "[id]");
	table_free(&t);
	read_string("{x},y\n", 1, &t);
	assert_string_equal(t.cols[0], "{x}");
	table_free(&t);
	/* ... which our CSV writer quotes when they could look like JSON */
	{
		static const char *const names[] = { "[{x", "y" };
		const char *path = unit_path(".csv");
		FILE *f = fopen(path, "w");
		struct rec_writer *w;
		char *text;

		assert_non_null(f);
		w = recw_open(f, path, 1);
		recw_header(w, 2, names);
		recw_row(w, 2, names);
		recw_close(w);
		assert_int_equal(fclose(f), 0);
		text = unit_slurp(path, NULL);
		assert_string_equal(text, "\"[{x\",y\n[{x,y\n");
		free(text);
		read_table(path, 1, NULL, &t);
		assert_string_equal(t.cols[0], "[{x");
		table_free(&t);
	}
}

static void
test_utf16_unmarked(void **state)
{
	size_t len;
	char *raw = to_utf16("name\tphone\n张三\t1\n", "UTF-16LE", &len);
	struct read_job j = { NULL, 0, NULL, NULL, 0 };
	struct unit_child c;
	struct table t;
	char path[512];

	(void)state;
	j.path = strcpy(path, unit_write(raw + 2, len - 2));	/* no BOM */
	unit_run(read_job, &j, &c);
	assert_died(&c, "this looks like UTF-16LE without a byte order mark; "
	    "name the encoding with --encoding UTF-16LE");
	read_table(j.path, 0, "UTF-16LE", &t);		/* named: read */
	assert_field(&t, 0, 0, "张三");
	table_free(&t);
	free(raw);
	raw = to_utf16("name,phone\n张三,1\n", "UTF-16BE", &len);
	j.path = unit_write(raw + 2, len - 2);
	unit_run(read_job, &j, &c);
	assert_died(&c, "UTF-16BE without a byte order mark");
	free(raw);
}

static void
test_bad_lines(void **state)
{
	struct rec_opts o = { NULL, NULL, 1 };
	struct read_job j = { NULL, 0, NULL, &o, 0 };
	struct unit_child c;
	struct table t;
	char *big;
	size_t n;

	(void)state;
	/* a line with bytes of no encoding comes back marked */
	read_table_with(unit_writes("name\tphone\nok\t1\nbad\xff\xfe\t2\nok2\t3\n"),
	    0, &o, &t);
	assert_int_equal(t.n, 3);
	assert_null(t.rows[0].width_error);
	assert_string_equal(t.rows[1].width_error, "invalid UTF-8");
	assert_int_equal(t.rows[1].line, 3);
	assert_field(&t, 1, 0, "bad\xef\xbf\xbd\xef\xbf\xbd");
	assert_field(&t, 1, 1, "2");
	assert_null(t.rows[2].width_error);
	assert_field(&t, 2, 0, "ok2");
	table_free(&t);
	/* ... which without bad_lines is fatal, as it was */
	assert_read_dies(unit_writes("name\tphone\nok\t1\nbad\xff\t2\n"), 0, NULL,
	    3, "invalid UTF-8; name the encoding with --encoding");
	/* CSV: the record the line is part of */
	read_table_with(unit_writes("name,note\nA,\"one\ntw\xff o\"\nB,x\n"), 1,
	    &o, &t);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.rows[0].width_error, "invalid UTF-8");
	assert_null(t.rows[1].width_error);
	assert_field(&t, 1, 0, "B");
	table_free(&t);
	/* GBK: a byte that is no GB18030 either */
	read_table_with(unit_writes("name\tphone\n\xd5\xc5\xc8\xfd\t1\nx\xff\t2\n"
	    "\xc0\xee\xcb\xc4\t3\n"), 0, &o, &t);
	assert_string_equal(t.encoding, "GB18030");
	assert_int_equal(t.n, 3);
	assert_field(&t, 0, 0, "张三");
	assert_string_equal(t.rows[1].width_error, "invalid GB18030");
	assert_field(&t, 2, 0, "李四");
	assert_null(t.rows[2].width_error);
	table_free(&t);
	/* a long bad line, past one read, and a late switch to GBK */
	big = malloc(400000);
	assert_non_null(big);
	n = (size_t)sprintf(big, "text\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)sprintf(big + n, "line %05d\n", i);
	n += (size_t)sprintf(big + n, "\xd6\xd0\xce\xc4\n");	/* 中文 in GBK */
	n += (size_t)sprintf(big + n, "bad \xff");
	memset(big + n, 'x', 150000);
	n += 150000;
	n += (size_t)sprintf(big + n, "\nlast\n");
	read_table_with(unit_write(big, n), 0, &o, &t);
	assert_string_equal(t.encoding, "GB18030");
	assert_int_equal(t.n, 10003);
	assert_field(&t, 10000, 0, "中文");
	assert_string_equal(t.rows[10001].width_error, "invalid GB18030");
	assert_int_equal(strlen(t.rows[10001].v[0]), 4 + 3 + 150000);
	assert_field(&t, 10002, 0, "last");
	assert_int_equal(t.rows[10002].line, 10004);
	table_free(&t);
	/* more than 100 such lines: the encoding is wrong */
	n = (size_t)sprintf(big, "中文\n");
	for (int i = 0; i < 101; i++)
		n += (size_t)sprintf(big + n, "\xff%d\n", i);
	j.path = unit_write(big, n);
	unit_run(read_job, &j, &c);
	assert_died(&c, ":102: invalid UTF-8 on more than 100 lines; name the "
	    "encoding with --encoding");
	n -= 5;		/* 100 are fine */
	read_table_with(unit_write(big, n), 0, &o, &t);
	assert_int_equal(t.n, 100);
	assert_string_equal(t.rows[99].width_error, "invalid UTF-8");
	table_free(&t);
	/* the header is no record to skip */
	j.path = unit_writes("na\xffme\tphone\n");
	unit_run(read_job, &j, &c);
	assert_died(&c, ":1: header: invalid UTF-8");
	free(big);
}

static int
group_setup(void **state)
{
	(void)state;
	crm_set_progname("test_rec");
	crm_g.quiet = 1;
	crm_atdie(note_case);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	unit_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsv_escapes),
		cmocka_unit_test(test_tsv_empty_and_null),
		cmocka_unit_test(test_tsv_lines),
		cmocka_unit_test(test_header_aliases),
		cmocka_unit_test(test_unknown_columns),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_csv_basics),
		cmocka_unit_test(test_format_from_header),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_put_field),
		cmocka_unit_test(test_null_text),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_csv_spectrum),
		cmocka_unit_test(test_cpython_reads),
		cmocka_unit_test(test_cpython_writes),
		cmocka_unit_test(test_papaparse),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_encoding_errors),
		cmocka_unit_test(test_header_order),
		cmocka_unit_test(test_header_set_odoo),
		cmocka_unit_test(test_header_sets),
		cmocka_unit_test(test_header_map),
		cmocka_unit_test(test_header_wide),
		cmocka_unit_test(test_cr_line_ends),
		cmocka_unit_test(test_json_refused),
		cmocka_unit_test(test_utf16_unmarked),
		cmocka_unit_test(test_bad_lines),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
