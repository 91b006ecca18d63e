/*
** unit.h: shared helpers for the cmocka unit tests: temporary files,
** running a call that may crm_die() in a child process, the outside test
** material under $CRM_TESTDATA, and a small JSON reader for its cases.
** Header-only: every function is static and may go unused in a test.
*/
#ifndef CRM_UNIT_H
#define CRM_UNIT_H

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "die.h"
#include "opt.h"
#include "db.h"

#define UNIT_FN static __attribute__((unused))

/* Programs define crm_prog (opt.c refers to it); so must a test. */
static const struct crm_opt unit_no_opts[] = {
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};
static const char *const unit_no_usage[] = { NULL };
const struct crm_prog crm_prog = { "unit", "unit tests", unit_no_usage,
	unit_no_opts, NULL };

/* ---- temporary files ------------------------------------------------ */

static char unit_dir[256];
static unsigned unit_seq;

/* A fresh directory for this test program; removed by unit_cleanup(). */
UNIT_FN const char *
unit_tmpdir(void)
{
	if (unit_dir[0] == '\0') {
		const char *t = getenv("TMPDIR");

		snprintf(unit_dir, sizeof unit_dir, "%s/crm-unit-XXXXXX",
		    t && *t ? t : "/tmp");
		if (mkdtemp(unit_dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
	}
	return unit_dir;
}

static int
unit_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

UNIT_FN void
unit_cleanup(void)
{
	if (unit_dir[0])
		nftw(unit_dir, unit_rm, 16, FTW_DEPTH | FTW_PHYS);
	unit_dir[0] = '\0';
}

/* A new path in the temporary directory (static buffer, 4 in rotation). */
UNIT_FN const char *
unit_path(const char *suffix)
{
	static char buf[4][512];
	static int which;
	char *p = buf[which++ & 3];

	snprintf(p, sizeof buf[0], "%s/f%u%s", unit_tmpdir(), ++unit_seq,
	    suffix ? suffix : "");
	return p;
}

/* Write N bytes of DATA to a new temporary file; returns its path. */
UNIT_FN const char *
unit_write(const void *data, size_t n)
{
	const char *path = unit_path(".in");
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

UNIT_FN const char *
unit_writes(const char *s)
{
	return unit_write(s, strlen(s));
}

/* The whole of PATH, NUL-terminated, in a malloc'd buffer; NULL if absent. */
UNIT_FN char *
unit_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* $CRM_TESTDATA/REL (static buffer); the runner exports CRM_TESTDATA. */
UNIT_FN const char *
unit_testdata(const char *rel)
{
	static char buf[2][1024];
	static int which;
	const char *top = getenv("CRM_TESTDATA");
	char *p = buf[which ^= 1];

	snprintf(p, sizeof buf[0], "%s/%s", top && *top ? top : "tests/data/ext",
	    rel);
	return p;
}

/* ---- calls that may die --------------------------------------------- */

/* What a child run of unit_run() did. */
struct unit_child {
	int exited, status;	/* exit status when exited */
	char err[4096];		/* its stderr (truncated) */
};

/* In a child: end without the leak check a crm_die() would meet at exit. */
static void
unit_child_exit(int status, void *arg)
{
	(void)arg;
	fflush(stdout);
	fflush(stderr);
	syscall(SYS_exit_group, status);	/* _exit() would check for leaks */
	_exit(status);
}

/*
** Run FN(CTX) in a child process with stderr captured, and report how it
** ended.  The child exits 0 when FN returns.  Leak checks are off in the
** child (it ends through _exit): a crm_die() leaves memory behind on
** purpose, and so may a test that failed before the fork.
*/
UNIT_FN void
unit_run(void (*fn)(void *), void *ctx, struct unit_child *out)
{
	const char *errpath = unit_path(".err");
	pid_t pid;
	int st;
	char *err;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		perror("fork");
		abort();
	}
	if (pid == 0) {
#if defined(__SANITIZE_ADDRESS__)
		__lsan_disable();
#endif
		on_exit(unit_child_exit, NULL);
		if (freopen(errpath, "w", stderr) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			_exit(99);
		setvbuf(stderr, NULL, _IONBF, 0);
		fn(ctx);
		exit(0);
	}
	while (waitpid(pid, &st, 0) == -1)
		assert_int_equal(errno, EINTR);
	memset(out, 0, sizeof *out);
	out->exited = WIFEXITED(st);
	out->status = out->exited ? WEXITSTATUS(st) : -1;
	err = unit_slurp(errpath, NULL);
	if (err) {
		snprintf(out->err, sizeof out->err, "%s", err);
		free(err);
	}
}

/* Assert that CHILD died with status 1 and a message containing NEEDLE. */
#define assert_died(child, needle) do { \
	if (!(child)->exited || (child)->status != 1 || \
	    strstr((child)->err, (needle)) == NULL) \
		fail_msg("expected exit 1 with \"%s\"; got %s %d, stderr: %s", \
		    (needle), (child)->exited ? "exit" : "signal", \
		    (child)->status, (child)->err); \
} while (0)

/* ---- a small JSON reader -------------------------------------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

/*
** A JSON value.  Strings (and numbers, as their source text) are in S
** with length SLEN, NUL-terminated but possibly holding NUL bytes.
** Arrays and objects hold N items; objects also KEYS, in source order.
*/
struct jv {
	enum jtype t;
	int b;
	char *s;
	size_t slen;
	size_t n;
	struct jv **items;
	char **keys;
};

struct jparse {
	const char *start, *p, *end, *what;
};

static void __attribute__((noreturn))
jfail(struct jparse *j, const char *why)
{
	fail_msg("%s: bad JSON at byte %ld: %s", j->what, (long)(j->p - j->start), why);
	abort();
}

static void
jws(struct jparse *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
	    *j->p == '\r'))
		j->p++;
}

static void
jput(char **buf, size_t *n, size_t *cap, unsigned c)
{
	char tmp[4];
	size_t k = 0;

	if (c < 0x80)
		tmp[k++] = (char)c;
	else if (c < 0x800) {
		tmp[k++] = (char)(0xc0 | c >> 6);
		tmp[k++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		tmp[k++] = (char)(0xe0 | c >> 12);
		tmp[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[k++] = (char)(0x80 | (c & 0x3f));
	} else {
		tmp[k++] = (char)(0xf0 | c >> 18);
		tmp[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
		tmp[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
		tmp[k++] = (char)(0x80 | (c & 0x3f));
	}
	if (*n + k + 1 > *cap) {
		*cap = (*n + k + 1) * 2;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
	memcpy(*buf + *n, tmp, k);
	*n += k;
	(*buf)[*n] = '\0';
}

static unsigned
jhex4(struct jparse *j)
{
	unsigned v = 0;

	if (j->end - j->p < 4)
		jfail(j, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *j->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			jfail(j, "bad \\u escape");
	}
	return v;
}

/* A string at j->p (after its opening quote) into *S / *LEN (malloc'd). */
static void
jstring(struct jparse *j, char **s, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;

	jput(&buf, &n, &cap, 'x');	/* allocate, then drop */
	n = 0;
	buf[0] = '\0';
	for (;;) {
		unsigned c;

		if (j->p >= j->end)
			jfail(j, "unterminated string");
		c = (unsigned char)*j->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (j->p >= j->end)
				jfail(j, "unterminated escape");
			switch (*j->p++) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				c = jhex4(j);
				if (c >= 0xd800 && c <= 0xdbff && j->end - j->p >= 6 &&
				    j->p[0] == '\\' && j->p[1] == 'u') {
					unsigned lo;

					j->p += 2;
					lo = jhex4(j);
					if (lo < 0xdc00 || lo > 0xdfff)
						jfail(j, "bad surrogate pair");
					c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				}
				break;
			default:
				jfail(j, "bad escape");
			}
			jput(&buf, &n, &cap, c);
		} else {
			/* raw bytes (UTF-8) are copied as they are */
			if (n + 2 > cap) {
				cap = (n + 2) * 2;
				buf = realloc(buf, cap);
				assert_non_null(buf);
			}
			buf[n++] = (char)c;
			buf[n] = '\0';
		}
	}
	*s = buf;
	*len = n;
}

static struct jv *jvalue(struct jparse *j);

static void
jpush(struct jv *v, struct jv *item, char *key)
{
	v->items = realloc(v->items, (v->n + 1) * sizeof *v->items);
	assert_non_null(v->items);
	v->items[v->n] = item;
	if (v->t == J_OBJ) {
		v->keys = realloc(v->keys, (v->n + 1) * sizeof *v->keys);
		assert_non_null(v->keys);
		v->keys[v->n] = key;
	}
	v->n++;
}

static int
jlit(struct jparse *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) >= n && memcmp(j->p, word, n) == 0) {
		j->p += n;
		return 1;
	}
	return 0;
}

static struct jv *
jvalue(struct jparse *j)
{
	struct jv *v = calloc(1, sizeof *v);

	assert_non_null(v);
	jws(j);
	if (j->p >= j->end)
		jfail(j, "unexpected end");
	if (*j->p == '{' || *j->p == '[') {
		char close = *j->p == '{' ? '}' : ']';

		v->t = *j->p++ == '{' ? J_OBJ : J_ARR;
		jws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			size_t klen;

			jws(j);
			if (v->t == J_OBJ) {
				if (j->p >= j->end || *j->p++ != '"')
					jfail(j, "expected a key");
				jstring(j, &key, &klen);
				jws(j);
				if (j->p >= j->end || *j->p++ != ':')
					jfail(j, "expected ':'");
			}
			jpush(v, jvalue(j), key);
			jws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == close) {
				j->p++;
				return v;
			}
			jfail(j, "expected ',' or a close");
		}
	}
	if (*j->p == '"') {
		j->p++;
		v->t = J_STR;
		jstring(j, &v->s, &v->slen);
		return v;
	}
	if (jlit(j, "true") || jlit(j, "false")) {
		v->t = J_BOOL;
		v->b = j->p[-1] == 'e' && j->p[-2] == 'u';
		return v;
	}
	if (jlit(j, "null")) {
		v->t = J_NULL;
		return v;
	}
	if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
		const char *b = j->p;

		while (j->p < j->end && strchr("+-0123456789.eE", *j->p))
			j->p++;
		v->t = J_NUM;
		v->slen = (size_t)(j->p - b);
		v->s = strndup(b, v->slen);
		assert_non_null(v->s);
		return v;
	}
	jfail(j, "unexpected character");
}

UNIT_FN void
json_free(struct jv *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

/* Parse the JSON file at PATH; a missing or bad file fails the test. */
UNIT_FN struct jv *
json_load(const char *path)
{
	size_t n;
	char *text = unit_slurp(path, &n);
	struct jparse j;
	struct jv *v;

	if (text == NULL)
		fail_msg("cannot read '%s' (set CRM_TESTDATA)", path);
	j.start = j.p = text;
	j.end = text + n;
	j.what = path;
	v = jvalue(&j);
	jws(&j);
	if (j.p != j.end)
		jfail(&j, "trailing text");
	free(text);
	return v;
}

/* Member KEY of object V, or NULL. */
UNIT_FN struct jv *
json_get(const struct jv *v, const char *key)
{
	if (v == NULL || v->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

/*
** The first column of the first row of SQL with ARG bound to ?1, in DB,
** as a string the caller frees, or NULL for no row or a NULL value.
*/
UNIT_FN char *
unit_q_text(struct crm_db *db, const char *sql, long long arg)
{
	struct crm_stmt *s = crm_sql(db, sql);
	char *v = NULL;

	crm_bind_int(s, 1, arg);
	if (crm_step(s)) {
		if (!crm_col_null(s, 0))
			v = strdup(crm_col_text(s, 0));
		crm_reset(s);
	}
	return v;
}

/* unit_q_text() of the test's own db equals WANT (NULL: no value). */
#define assert_q_text(sql, arg, want) do { \
	char *got_ = unit_q_text(db, (sql), (arg)); \
	const char *want_ = (want); \
	if (!((got_ == NULL && want_ == NULL) || \
	    (got_ && want_ && strcmp(got_, want_) == 0))) \
		fail_msg("%s [%lld]: got '%s', want '%s'", (sql), \
		    (long long)(arg), got_ ? got_ : "NULL", \
		    want_ ? want_ : "NULL"); \
	free(got_); \
} while (0)

#endif
