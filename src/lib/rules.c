/* rules.c: the rule-file parser and first-match evaluation (crm-rules(5)). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "re.h"
#include "rec.h"
#include "rules.h"
#include "str.h"

/* Parsing state for one line. */
struct lexer {
	const char *p;
	char *err;
	size_t nerr;
	const char *path;
	unsigned long line;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct lexer *lx, const char *fmt, ...)
{
	va_list ap;
	int k;

	k = snprintf(lx->err, lx->nerr, "%s:%lu: ", lx->path, lx->line);
	if (k < 0 || (size_t)k >= lx->nerr)
		return -1;
	va_start(ap, fmt);
	vsnprintf(lx->err + k, lx->nerr - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static void
blanks(struct lexer *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
}

/* Does the text at P start with the word W followed by a blank or "->"? */
static int
keyword(const char *p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(p, w, n) != 0)
		return 0;
	p += n;
	return *p == ' ' || *p == '\t' || strncmp(p, "->", 2) == 0;
}

/*
** Parse "FIELD ~ /REGEX/FLAGS" at lx->p into C.  Returns 0, or -1 with
** the message in lx->err.  C owns what it holds even on failure.
*/
static int
parse_cond(struct lexer *lx, struct crm_rule_cond *c)
{
	struct strbuf pat = STRBUF_INIT;
	const char *b = lx->p;
	char buf[256], rerr[300];
	char *field;

	while (*lx->p && *lx->p != ' ' && *lx->p != '\t' && *lx->p != '~' &&
	    *lx->p != '!' && *lx->p != '/')
		lx->p++;
	if (lx->p == b)
		return fail(lx, "expected a field name, got '%.20s'", lx->p);
	field = xstrndup(b, (size_t)(lx->p - b));
	c->field = xstrdup(rec_canonical(field, buf, sizeof buf));
	blanks(lx);
	if (*lx->p == '~')
		lx->p++;
	else if (lx->p[0] == '!' && lx->p[1] == '~') {
		c->negate = 1;
		lx->p += 2;
	} else {
		fail(lx, "expected '~' or '!~' after '%s'", field);
		free(field);
		return -1;
	}
	blanks(lx);
	if (*lx->p != '/') {
		fail(lx, "expected /REGEX/ after '%s %s'", field,
		    c->negate ? "!~" : "~");
		free(field);
		return -1;
	}
	free(field);
	sb_init(&pat);
	for (lx->p++; *lx->p && *lx->p != '/'; lx->p++) {
		if (lx->p[0] == '\\' && lx->p[1] == '/') {
			sb_addc(&pat, '/');
			lx->p++;
		} else if (lx->p[0] == '\\' && lx->p[1] != '\0') {
			sb_add(&pat, lx->p, 2);
			lx->p++;
		} else
			sb_addc(&pat, *lx->p);
	}
	if (*lx->p != '/') {
		sb_free(&pat);
		return fail(lx, "unterminated /REGEX/ (a '/' inside it is "
		    "written '\\/')");
	}
	lx->p++;
	c->pattern = sb_detach(&pat);
	if (*lx->p == 'i') {
		char *ci = xasprintf("(?i)%s", c->pattern);

		lx->p++;
		c->icase = 1;
		c->re = crm_re_compile(ci, rerr, sizeof rerr);
		free(ci);
	} else
		c->re = crm_re_compile(c->pattern, rerr, sizeof rerr);
	if (c->re == NULL)
		return fail(lx, "bad pattern /%s/: %s", c->pattern, rerr);
	if (*lx->p && *lx->p != ' ' && *lx->p != '\t')
		return fail(lx, "unknown flag '%c' after /%s/ (only 'i')",
		    *lx->p, c->pattern);
	return 0;
}

/* Parse one non-blank, non-comment line into R.  0 or -1 (lx->err). */
static int
parse_rule(struct lexer *lx, struct crm_rule *r,
    const char *(*check)(const char *, void *), void *ctx)
{
	const char *why, *e;

	r->line = lx->line;
	blanks(lx);
	if (keyword(lx->p, "default")) {
		lx->p += strlen("default");
		blanks(lx);
	} else
		for (;;) {
			r->cond = xrealloc(r->cond, (r->ncond + 1) * sizeof *r->cond);
			memset(&r->cond[r->ncond], 0, sizeof r->cond[0]);
			r->cond[r->ncond].col = -1;
			if (parse_cond(lx, &r->cond[r->ncond++]) == -1)
				return -1;
			blanks(lx);
			if (lx->p[0] == '&' && lx->p[1] == '&') {
				lx->p += 2;
				blanks(lx);
				continue;
			}
			break;
		}
	if (strncmp(lx->p, "->", 2) != 0)
		return fail(lx, "expected '->'%s, got '%.20s'",
		    r->ncond ? " or '&&'" : "", lx->p);
	lx->p += 2;
	blanks(lx);
	for (e = lx->p + strlen(lx->p); e > lx->p && (e[-1] == ' ' ||
	    e[-1] == '\t'); e--)
		;
	if (e == lx->p)
		return fail(lx, "missing action after '->'");
	r->action = xstrndup(lx->p, (size_t)(e - lx->p));
	if (check && (why = check(r->action, ctx)) != NULL)
		return fail(lx, "%s", why);
	return 0;
}

static void
rule_free(struct crm_rule *r)
{
	for (size_t i = 0; i < r->ncond; i++) {
		free(r->cond[i].field);
		free(r->cond[i].pattern);
		crm_re_free(r->cond[i].re);
	}
	free(r->cond);
	free(r->action);
}

struct crm_rules *
crm_rules_load(const char *path, const char *(*check)(const char *, void *),
    void *ctx, char *err, size_t n)
{
	struct crm_rules *rs = xcalloc(1, sizeof *rs);
	struct lexer lx = { NULL, err, n, NULL, 0 };
	FILE *f = crm_open_input(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	rs->path = xstrdup(strcmp(path, "-") == 0 ? "stdin" : path);
	lx.path = rs->path;
	while ((len = getline(&line, &cap, f)) != -1) {
		struct crm_rule r;
		char *p = line;

		lx.line++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (lx.line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
			p += 3;
		if (strlen(p) != (size_t)len - (size_t)(p - line)) {
			fail(&lx, "NUL byte in the line");
			goto bad;
		}
		lx.p = p;
		blanks(&lx);
		if (*lx.p == '\0' || *lx.p == '#')
			continue;
		if (rs->has_default) {
			fail(&lx, "rule after the default (line %lu) can never "
			    "match", rs->v[rs->n - 1].line);
			goto bad;
		}
		memset(&r, 0, sizeof r);
		if (parse_rule(&lx, &r, check, ctx) == -1) {
			rule_free(&r);
			goto bad;
		}
		rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
		rs->v[rs->n++] = r;
		rs->has_default = r.ncond == 0;
	}
	if (ferror(f)) {
		snprintf(err, n, "%s: cannot read: read error", rs->path);
		goto bad;
	}
	if (rs->n == 0) {
		snprintf(err, n, "%s: no rules", rs->path);
		goto bad;
	}
	free(line);
	crm_close_input(f);
	return rs;
bad:
	free(line);
	crm_close_input(f);
	crm_rules_free(rs);
	return NULL;
}

struct crm_rule *
crm_rules_match(const struct crm_rules *rs,
    const char *(*get)(const struct crm_rule_cond *, void *), void *ctx)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct crm_rule *r = &rs->v[i];
		size_t k;

		for (k = 0; k < r->ncond; k++) {
			const struct crm_rule_cond *c = &r->cond[k];

			if (crm_re_match(c->re, get(c, ctx)) == c->negate)
				break;
		}
		if (k == r->ncond)
			return r;
	}
	return NULL;
}

const char *
crm_rule_cond_text(const struct crm_rule_cond *c)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "%s %s /%s/%s", c->field,
	    c->negate ? "!~" : "~", c->pattern, c->icase ? "i" : "");
	return buf;
}

void
crm_rules_free(struct crm_rules *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	free(rs->path);
	free(rs);
}
