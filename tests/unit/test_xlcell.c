/* test_xlcell.c: xlcell.c against the Excel and CSV-injection data in tests/data/ext. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xlcell.h"

/*
** The data is read at run time from $CRM_TESTDATA (default
** tests/data/ext, relative to the repository root, where the tests run).
*/

/* Return the contents of TESTDATA/NAME, NUL-terminated; the caller frees. */
static char *
slurp(const char *name)
{
	const char *dir = getenv("CRM_TESTDATA");
	char path[4096];
	char *buf;
	long n;
	FILE *f;

	if (dir == NULL || *dir == '\0')
		dir = "tests/data/ext";
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open '%s' (set CRM_TESTDATA)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* ---- a tiny JSON reader: enough for the files in csv_injection/ ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	char *s;		/* J_STR: the string; J_BOOL/J_NUM: the token */
	size_t n;		/* J_ARR, J_OBJ: number of members */
	struct jv **v;		/* members */
	char **k;		/* J_OBJ: keys */
};

static struct jv *j_value(const char **pp);

/* Skip white space at *PP. */
static void
j_ws(const char **pp)
{
	while (**pp == ' ' || **pp == '\t' || **pp == '\n' || **pp == '\r')
		(*pp)++;
}

/* Append code point C to BUF at *LEN as UTF-8. */
static void
put_utf8(char *buf, size_t *len, uint32_t c)
{
	if (c < 0x80)
		buf[(*len)++] = (char)c;
	else if (c < 0x800) {
		buf[(*len)++] = (char)(0xC0 | c >> 6);
		buf[(*len)++] = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		buf[(*len)++] = (char)(0xE0 | c >> 12);
		buf[(*len)++] = (char)(0x80 | (c >> 6 & 0x3F));
		buf[(*len)++] = (char)(0x80 | (c & 0x3F));
	} else {
		buf[(*len)++] = (char)(0xF0 | c >> 18);
		buf[(*len)++] = (char)(0x80 | (c >> 12 & 0x3F));
		buf[(*len)++] = (char)(0x80 | (c >> 6 & 0x3F));
		buf[(*len)++] = (char)(0x80 | (c & 0x3F));
	}
}

/* Read four hex digits at P. */
static uint32_t
hex4(const char *p)
{
	char h[5] = { 0 };

	memcpy(h, p, 4);
	return (uint32_t)strtoul(h, NULL, 16);
}

/* Parse the JSON string at *PP (at its opening quote); return it, malloc'd. */
static char *
j_string(const char **pp)
{
	const char *p = *pp + 1;
	char *buf = malloc(strlen(p) + 1);
	size_t len = 0;
	uint32_t c, lo;

	assert_non_null(buf);
	while (*p != '"') {
		if (*p == '\0')
			fail_msg("JSON: unterminated string");
		if (*p != '\\') {
			buf[len++] = *p++;
			continue;
		}
		switch (*++p) {
		case 'n': buf[len++] = '\n'; break;
		case 't': buf[len++] = '\t'; break;
		case 'r': buf[len++] = '\r'; break;
		case 'b': buf[len++] = '\b'; break;
		case 'f': buf[len++] = '\f'; break;
		case 'u':
			c = hex4(p + 1);
			p += 4;
			if (c >= 0xD800 && c < 0xDC00 && p[1] == '\\' &&
			    p[2] == 'u') {
				lo = hex4(p + 3);
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			put_utf8(buf, &len, c);
			break;
		default: buf[len++] = *p;	/* " \ / */
		}
		p++;
	}
	buf[len] = '\0';
	*pp = p + 1;
	return buf;
}

/* Add V (and key K for an object) to container J. */
static void
j_push(struct jv *j, char *k, struct jv *v)
{
	j->v = realloc(j->v, (j->n + 1) * sizeof *j->v);
	j->k = realloc(j->k, (j->n + 1) * sizeof *j->k);
	assert_non_null(j->v);
	assert_non_null(j->k);
	j->v[j->n] = v;
	j->k[j->n++] = k;
}

/* Parse one JSON value at *PP; fail the test on bad input. */
static struct jv *
j_value(const char **pp)
{
	struct jv *j = calloc(1, sizeof *j);
	char close;
	size_t n;

	assert_non_null(j);
	j_ws(pp);
	if (**pp == '"') {
		j->t = J_STR;
		j->s = j_string(pp);
	} else if (**pp == '[' || **pp == '{') {
		j->t = **pp == '[' ? J_ARR : J_OBJ;
		close = **pp == '[' ? ']' : '}';
		(*pp)++;
		for (j_ws(pp); **pp != close; j_ws(pp)) {
			char *k = NULL;

			if (j->t == J_OBJ) {
				if (**pp != '"')
					fail_msg("JSON: key expected");
				k = j_string(pp);
				j_ws(pp);
				if (*(*pp)++ != ':')
					fail_msg("JSON: ':' expected");
			}
			j_push(j, k, j_value(pp));
			j_ws(pp);
			if (**pp == ',')
				(*pp)++;
			else if (**pp != close)
				fail_msg("JSON: ',' or '%c' expected", close);
		}
		(*pp)++;
	} else {
		n = strspn(*pp, "+-.0123456789eEtruefalsn");
		if (n == 0)
			fail_msg("JSON: bad value at '%.10s'", *pp);
		j->t = **pp == 'n' ? J_NULL : (**pp == 't' || **pp == 'f') ?
		    J_BOOL : J_NUM;
		j->s = strndup(*pp, n);
		*pp += n;
	}
	return j;
}

/* Free J and everything in it. */
static void
j_free(struct jv *j)
{
	for (size_t i = 0; i < j->n; i++) {
		j_free(j->v[i]);
		free(j->k[i]);
	}
	free(j->v);
	free(j->k);
	free(j->s);
	free(j);
}

/* Return member KEY of object J, or NULL. */
static struct jv *
j_get(const struct jv *j, const char *key)
{
	if (j == NULL || j->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < j->n; i++)
		if (strcmp(j->k[i], key) == 0)
			return j->v[i];
	return NULL;
}

/* Return the string of J, failing the test if J is not a string. */
static const char *
j_str(const struct jv *j)
{
	if (j == NULL || j->t != J_STR)
		fail_msg("JSON: string expected");
	return j->s;
}

/* Parse TESTDATA/NAME; the caller frees with j_free(). */
static struct jv *
j_load(const char *name)
{
	char *text = slurp(name);
	const char *p = text;
	struct jv *j = j_value(&p);

	free(text);
	return j;
}

/* ---- what a spreadsheet sees in a cell ---- */

/* Return the output of xl_csv_put_cell(S, KIND); the caller frees. */
static char *
cell(const char *s, int kind)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xl_csv_put_cell(f, s, kind);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Return S as a minimally quoted RFC 4180 field; the caller frees. */
static char *
rfc4180(const char *s)
{
	size_t n = strlen(s);
	char *buf = malloc(2 * n + 3), *q = buf;

	assert_non_null(buf);
	if (n > 0 && strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
	    s[n - 1] != ' ') {
		memcpy(buf, s, n + 1);
		return buf;
	}
	*q++ = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"')
			*q++ = '"';
		*q++ = *s;
	}
	*q++ = '"';
	*q = '\0';
	return buf;
}

/*
** Return the text a spreadsheet shows for the CSV field F: the field
** unquoted and, if it is a formula, the formula evaluated provided it is
** a constant ("literal" and CHAR(10) or CHAR(13) joined by &, no literal
** over XL_LITERAL_MAX characters).  Return NULL for any other formula:
** a spreadsheet would evaluate it.  The caller frees.
*/
static char *
seen(const char *f)
{
	size_t n = strlen(f), len = 0, lit;
	char *v = malloc(n + 1), *out = malloc(n + 1);
	const char *p;

	assert_non_null(v);
	assert_non_null(out);
	if (*f == '"') {
		for (p = f + 1; *p != '\0'; p++) {
			if (*p == '"' && p[1] != '"')
				break;
			if (*p == '"')
				p++;
			v[len++] = *p;
		}
		assert_string_equal(p, "\"");	/* nothing after the quote */
	} else {
		assert_null(strpbrk(f, ",\"\r\n"));
		memcpy(v, f, n);
		len = n;
	}
	v[len] = '\0';
	if (v[0] != '=') {
		free(out);
		return v;
	}
	for (p = v + 1, len = 0;;) {
		if (strncmp(p, "CHAR(10)", 8) == 0 || strncmp(p, "CHAR(13)", 8) == 0) {
			out[len++] = p[6] == '0' ? '\n' : '\r';
			p += 8;
		} else if (*p == '"') {
			for (p++, lit = 0; *p != '\0'; p++) {
				if (*p == '"' && p[1] != '"')
					break;
				if (*p == '"')
					p++;
				/* UTF-16 units: 2 for a 4-byte sequence. */
				if (((unsigned char)*p & 0xC0) != 0x80)
					lit += ((unsigned char)*p >= 0xF0) ? 2 : 1;
				out[len++] = *p;
			}
			if (*p++ != '"' || lit > XL_LITERAL_MAX)
				goto evaluated;
		} else
			goto evaluated;
		if (*p == '\0')
			break;
		if (*p++ != '&')
			goto evaluated;
	}
	out[len] = '\0';
	free(v);
	return out;
evaluated:
	free(v);
	free(out);
	return NULL;
}

/*
** Check that text S written as XL_TEXT comes back from a spreadsheet
** exactly as S, with no formula of the data's own evaluated.
*/
static void
check_round_trip(const char *s)
{
	char *out = cell(s, XL_TEXT), *back = seen(out);

	if (back == NULL || strcmp(back, s) != 0)
		fail_msg("'%s' written as '%s' reads back as '%s'", s, out,
		    back ? back : "(an evaluated formula)");
	free(back);
	free(out);
}

/* Check that formula-like S is written as an inert constant formula. */
static void
check_neutralised(const char *s)
{
	char *out = cell(s, XL_TEXT);

	if (!xl_is_formula_like(s) || !xl_needs_text_guard(s))
		fail_msg("'%s' not taken for a formula", s);
	if (strncmp(out, "\"=", 2) != 0)
		fail_msg("'%s' written as '%s', not as a constant", s, out);
	free(out);
	check_round_trip(s);
}

/* Check that S is written unchanged, but for RFC 4180 quoting. */
static void
check_unchanged(const char *s)
{
	char *out = cell(s, XL_TEXT), *want = rfc4180(s);

	if (xl_needs_text_guard(s) || strcmp(out, want) != 0)
		fail_msg("'%s' written as '%s', want '%s'", s, out, want);
	free(want);
	free(out);
}

/* ---- tests ---- */

static void
test_plain_number(void **state)
{
	static const struct {
		const char *s;
		int want;
	} t[] = {
		{ "0", 1 }, { "42", 1 }, { "-1.3", 1 }, { "+5", 1 },
		{ "0.5", 1 }, { "-0", 1 }, { "1.30", 1 },
		{ "123456789012345", 1 }, { "0.000123456789012345", 1 },
		{ "1234567890123456", 0 }, { "350303199002033073", 0 },
		{ "0123", 0 }, { "08", 0 }, { ".5", 0 }, { "5.", 0 },
		{ "1E5", 0 }, { "1,000", 0 }, { "1,2", 0 }, { "", 0 },
		{ "-", 0 }, { " 1", 0 }, { "1 ", 0 }, { "1/2", 0 },
		{ "0x10", 0 }, { "--1", 0 },
	};

	(void)state;
	assert_false(xl_is_plain_number(NULL));
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (xl_is_plain_number(t[i].s) != t[i].want)
			fail_msg("xl_is_plain_number(\"%s\") != %d", t[i].s,
			    t[i].want);
}

static void
test_date(void **state)
{
	static const struct {
		const char *s;
		int want;
	} t[] = {
		{ "2023-03-15", 1 }, { "2024-02-29", 1 },
		{ "2023-03-15 12:30", 1 }, { "2023-03-15T12:30:59", 1 },
		{ "2026-11-22T09:00:00Z", 1 }, { "2026-11-22T09:00Z", 1 },
		{ "2026-11-22T09:00:00ZZ", 0 }, { "2026-11-22T09:00:00+08:00", 0 },
		{ "2023-02-29", 0 }, { "1900-02-29", 0 }, { "2000-02-29", 1 },
		{ "2023-04-31", 0 }, { "2023-13-01", 0 }, { "2023-3-15", 0 },
		{ "15/03/2023", 0 }, { "2023-03-15Z", 0 },
		{ "2023-03-15 24:00", 0 }, { "2023-03-15 12:30:", 0 },
		{ "1899-12-31", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (xl_is_date(t[i].s) != t[i].want)
			fail_msg("xl_is_date(\"%s\") != %d", t[i].s, t[i].want);
}

static void
test_kinds(void **state)
{
	static const struct {
		const char *s;
		int kind;
		const char *want;
	} t[] = {
		{ "42", XL_NUMBER, "42" },
		{ "-1.3", XL_NUMBER, "-1.3" },
		{ "0123", XL_NUMBER, "\"=\"\"0123\"\"\"" },
		{ "1,000.00", XL_NUMBER, "\"=\"\"1,000.00\"\"\"" },
		{ "2023-03-15", XL_DATE, "2023-03-15" },
		{ "2023-03-15T08:05", XL_DATE, "2023-03-15 08:05" },
		{ "2026-11-22T09:00:00Z", XL_DATE, "2026-11-22 09:00:00" },
		{ "2026-11-22T09:00:00+08:00", XL_DATE,
		    "\"=\"\"2026-11-22T09:00:00+08:00\"\"\"" },
		{ "15/03/2023", XL_DATE, "\"=\"\"15/03/2023\"\"\"" },
		{ "0123", XL_TEXT, "\"=\"\"0123\"\"\"" },
		{ "-1.3", XL_TEXT, "\"=\"\"-1.3\"\"\"" },
		{ "=1+1", XL_TEXT, "\"=\"\"=1+1\"\"\"" },
		{ " @A1", XL_TEXT, "\"=\"\" @A1\"\"\"" },
		{ "a\"b", XL_TEXT, "\"a\"\"b\"" },
		{ "\r=1", XL_TEXT, "\"=CHAR(13)&\"\"=1\"\"\"" },
		{ "a\r\nb", XL_TEXT,
		    "\"=\"\"a\"\"&CHAR(13)&CHAR(10)&\"\"b\"\"\"" },
		{ "a\nb", XL_TEXT, "\"a\nb\"" },
		{ "ID", XL_TEXT, "\"ID\"" },
		{ "IDENT", XL_TEXT, "\"IDENT\"" },
		{ "Id", XL_TEXT, "Id" },
		{ "sep=;", XL_TEXT, "\"sep=;\"" },
		{ "", XL_TEXT, "\"\"" },
		{ "张伟", XL_TEXT, "张伟" },
		{ "=1+1", XL_RAW, "=1+1" },
		{ "0123", XL_RAW, "0123" },
		{ "ID", XL_RAW, "ID" },
		{ "a,b", XL_RAW, "\"a,b\"" },
	};
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = cell(t[i].s, t[i].kind);
		if (strcmp(out, t[i].want) != 0)
			fail_msg("kind %d: '%s' written as '%s', want '%s'",
			    t[i].kind, t[i].s, out, t[i].want);
		free(out);
	}
	for (int k = XL_TEXT; k <= XL_RAW; k++) {
		out = cell(NULL, k);
		assert_string_equal(out, "");
		free(out);
	}
}

/* Literals are cut at XL_LITERAL_MAX; past XL_FORMULA_MAX, an apostrophe. */
static void
test_long(void **state)
{
	char *s = malloc(9001), *out;

	(void)state;
	assert_non_null(s);
	s[0] = '=';
	memset(s + 1, 'x', 299);
	s[300] = '\0';
	check_neutralised(s);		/* seen() checks each literal's length */
	strcpy(s, "0");
	for (int i = 0; i < 200; i++)
		strcat(s, "\xF0\x9F\x98\x8D");	/* U+1F60D: 2 UTF-16 units */
	check_round_trip(s);
	s[0] = '=';
	memset(s + 1, 'x', 8999);
	s[9000] = '\0';
	out = cell(s, XL_TEXT);
	assert_int_equal(strncmp(out, "\"'=xxx", 6), 0);
	assert_int_equal(strlen(out), 9003);
	free(out);
	free(s);
}

static void
test_defusedcsv(void **state)
{
	struct jv *j = j_load("csv_injection/defusedcsv_escape_expectations.json");
	struct jv *d = j_get(j, "dangerous_input_to_escaped");
	struct jv *safe = j_get(j, "safe_unchanged");

	(void)state;
	assert_non_null(d);
	assert_non_null(safe);
	assert_true(d->n >= 10);
	for (size_t i = 0; i < d->n; i++) {
		assert_int_equal(d->v[i]->n, 2);
		check_neutralised(j_str(d->v[i]->v[0]));
		/* defusedcsv's own escape is inert by our measure too. */
		assert_false(xl_is_formula_like(j_str(d->v[i]->v[1])));
	}
	for (size_t i = 0; i < safe->n; i++) {
		const char *s = j_str(safe->v[i]);

		if (xl_is_formula_like(s))
			fail_msg("safe '%s' taken for a formula", s);
		check_round_trip(s);
	}
	check_unchanged("foo@example.org");
	check_unchanged("Test | Foo");
	check_unchanged("Foo Bar");
	check_unchanged("1=3");
	j_free(j);
}

static void
test_owasp(void **state)
{
	struct jv *j = j_load("csv_injection/owasp_escape_examples.json");
	struct jv *lead = j_get(j, "dangerous_leading_chars");
	struct jv *ex = j_get(j, "examples_input_to_escaped_output");
	char buf[64], *v;

	(void)state;
	assert_non_null(lead);
	assert_non_null(ex);
	for (size_t i = 0; i < lead->n; i++) {
		snprintf(buf, sizeof buf, "%scmd|' /C calc'!A0", j_str(lead->v[i]));
		check_neutralised(buf);
		snprintf(buf, sizeof buf, "%s1+1", j_str(lead->v[i]));
		check_neutralised(buf);
	}
	for (size_t i = 0; i < ex->n; i++) {
		check_neutralised(j_str(ex->v[i]->v[0]));
		/* OWASP's escaped field is inert by our measure too. */
		v = seen(j_str(ex->v[i]->v[1]));
		assert_non_null(v);
		assert_false(xl_is_formula_like(v));
		free(v);
	}
	j_free(j);
}

/*
** PapaParse with escapeFormulae and the default quote character: an
** input value is dangerous exactly when the expected output holds it
** with an apostrophe put in front.
*/
static void
test_papaparse(void **state)
{
	struct jv *j = j_load("csv_injection/"
	    "papaparse_escapeFormulae_expectations.json");
	struct jv *cases = j_get(j, "cases");
	char buf[256];
	int n = 0;

	(void)state;
	assert_non_null(cases);
	for (size_t i = 0; i < cases->n; i++) {
		struct jv *c = cases->v[i], *cf = j_get(c, "config");
		struct jv *ef = j_get(cf, "escapeFormulae");
		struct jv *in = j_get(c, "input");
		const char *want = j_str(j_get(c, "expected"));

		if (ef == NULL || strcmp(ef->s, "true") != 0 ||
		    j_get(cf, "quoteChar") != NULL || in == NULL)
			continue;
		for (size_t r = 0; r < in->n; r++)
			for (size_t k = 0; k < in->v[r]->n; k++) {
				const char *s = j_str(in->v[r]->v[k]);
				int danger;

				snprintf(buf, sizeof buf, "'%s", s);
				danger = strstr(want, buf) != NULL;
				if (danger)
					check_neutralised(s);
				else if (xl_is_formula_like(s))
					fail_msg("safe '%s' taken for a formula", s);
				check_round_trip(s);
				n += danger;
			}
	}
	assert_true(n > 0);
	j_free(j);
}

static void
test_payloads(void **state)
{
	struct jv *j = j_load("csv_injection/payloads_licensed.json");

	(void)state;
	assert_int_equal(j->t, J_ARR);
	assert_true(j->n >= 20);
	for (size_t i = 0; i < j->n; i++) {
		const char *s = j_str(j_get(j->v[i], "payload"));

		if (strchr("=+-@\t\r\n|%", *s) != NULL)
			check_neutralised(s);
		else
			check_unchanged(s);	/* e.g. DDE (...): plain text */
	}
	j_free(j);
}

/* ---- excel/excel_messy_values.csv ---- */

/*
** Split the CSV text at *PP into fields (RFC 4180), store up to MAX of
** them, malloc'd, in F and return how many; *PP moves past the record.
*/
static size_t
csv_record(const char **pp, char **f, size_t max)
{
	const char *p = *pp;
	size_t nf = 0, len;
	char *v;

	for (;;) {
		v = malloc(strlen(p) + 1);
		assert_non_null(v);
		len = 0;
		if (*p == '"') {
			for (p++; *p != '\0'; p++) {
				if (*p == '"' && p[1] != '"')
					break;
				if (*p == '"')
					p++;
				v[len++] = *p;
			}
			assert_int_equal(*p++, '"');
		} else
			while (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0')
				v[len++] = *p++;
		v[len] = '\0';
		if (nf < max)
			f[nf++] = v;
		else
			free(v);
		if (*p != ',')
			break;
		p++;
	}
	if (*p == '\r')
		p++;
	if (*p == '\n')
		p++;
	*pp = p;
	return nf;
}

/* Categories whose values a spreadsheet converts: they must be guarded. */
static const char *const converted[] = {
	"leading_zero_id", "leading_zero_phone", "leading_zero_postcode",
	"long_digit_string_18", "long_digit_string_16", "fraction_or_date",
	"long_number", "dash_date", "slash_date", "iso_date", "leading_zero",
	"gene_symbol_to_date", "short_postcode", "phone_plus_prefix",
	"leading_zero_case_number", "formula_prefix", NULL
};

/* Categories of plain text: written unchanged. */
static const char *const kept[] = {
	"non_ascii_name", "non_ascii_address", "embedded_comma",
	"alnum_postcode", "id_lookalike_exponent", "inconsistent_reference",
	"typo_category", "emoji", "embedded_quotes_and_comma",
	"embedded_newline", "chinese_name", NULL
};

/* Numeric look-alikes that stay text (LibreOffice kept them; Excel too). */
static const char *const kept_lookalikes[] = {
	"NaN", "Infinity", "1#INF", "0xabad1dea", NULL
};

/* Return 1 if S is one of the strings in LIST. */
static int
in(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static void
test_messy(void **state)
{
	char *text = slurp("excel/excel_messy_values.csv"), *f[8], *out;
	const char *p = text;
	size_t n, rows = 0;

	(void)state;
	n = csv_record(&p, f, 8);	/* header */
	assert_true(n >= 2);
	assert_string_equal(f[0], "value");
	assert_string_equal(f[1], "category");
	while (n-- > 0)
		free(f[n]);
	while (*p != '\0') {
		const char *v, *cat;

		n = csv_record(&p, f, 8);
		assert_true(n >= 2);
		v = f[0];
		cat = f[1];
		rows++;
		check_round_trip(v);
		if (strcmp(cat, "formula_prefix") == 0)
			check_neutralised(v);
		else if (strcmp(cat, "formula_lookalike_safe") == 0 &&
		    xl_is_formula_like(v))
			fail_msg("safe '%s' taken for a formula", v);
		if (in(converted, cat) || (strcmp(cat, "numeric_lookalike") == 0 &&
		    !in(kept_lookalikes, v))) {
			if (!xl_needs_text_guard(v))
				fail_msg("'%s' (%s) not guarded", v, cat);
		} else if (in(kept, cat) || in(kept_lookalikes, v))
			check_unchanged(v);
		else if (strcmp(cat, "sylk_header") == 0) {
			out = cell(v, XL_TEXT);
			assert_string_equal(out, "\"ID\"");
			free(out);
		}
		while (n-- > 0)
			free(f[n]);
	}
	assert_int_equal(rows, 90);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_number),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_defusedcsv),
		cmocka_unit_test(test_owasp),
		cmocka_unit_test(test_papaparse),
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_messy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
