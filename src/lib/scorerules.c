/* scorerules.c: the crm-score-rules(5) parser and the scoring of one customer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "activity.h"
#include "health.h"
#include "io.h"
#include "money.h"
#include "re.h"
#include "rec.h"
#include "scorerules.h"
#include "str.h"

#define MAX_POINTS 1000000
#define MAX_DAYS 36500		/* a hundred years */
#define MAX_COUNT 1000000000LL	/* events counted by a "per" rule */

enum rule_kind {
	RK_MATCH,		/* FIELD ~ PATTERN */
	RK_NOMATCH,		/* FIELD !~ PATTERN */
	RK_EMPTY,		/* FIELD is empty */
	RK_SET,			/* FIELD is not empty */
	RK_ACTIVITY,		/* KIND,... [within Nd] */
	RK_DEAL			/* deal [open|won|lost] [in S,...] ... */
};

enum { OP_NONE, OP_GE, OP_GT, OP_LE, OP_LT };

/* The activity kinds a rule can name, by bit; an unknown kind is OTHER. */
static const char *const kinds[] = {
	"call", "visit", "meeting", "email", "wechat", "note"
};
#define KIND_OTHER (1u << 31)
#define KIND_ANY (~0u)

struct rule {
	unsigned long line;
	char *text;		/* the rule as written, trimmed */
	enum rule_kind kind;
	long long points;	/* for each event with PER */
	int per;
	long long cap;		/* "max N", 0 for none */
	/* field rules */
	size_t field;
	char *pattern;		/* as written, for messages */
	int col;		/* its column, for messages */
	struct crm_re *re;
	/* activity rules (and "within" of deal rules) */
	unsigned kinds;
	long within;		/* days; 0 for any time */
	/* deal rules */
	int outcome;		/* an enum score_outcome, or -1 for any */
	struct strvec stages;	/* none: any stage */
	int op;
	struct money amount;
};

struct grade {
	char *label;
	long long min;
	unsigned long line;
};

/*
** What a field's patterns said of the values it had lately.  Fields such
** as industry, region or source have few values, which the rules of a
** file test again and again: a value seen before is answered from here,
** one hash and one compare instead of every pattern.  A field whose
** values rarely repeat (a name, a phone) stops using it after a while.
*/
#define MEMO_SLOTS 64		/* a power of 2 */
#define MEMO_MAX 48		/* longer values are not kept */
#define MEMO_TRIAL 4096		/* looks before a field is judged */
struct memo_slot {
	unsigned long long hash;
	size_t len;		/* 0: empty */
	char val[MEMO_MAX];
	unsigned char *hit;	/* a match of each of the field's rules */
};
struct memo {
	size_t field;
	size_t nrule, *rule;	/* the pattern rules on the field */
	struct memo_slot *slot;
	unsigned long looks, found;
	int off;		/* values rarely repeat: no more looking */
};

struct score_rules {
	char *path;
	const struct score_names *names;
	size_t n;
	struct rule *v;
	size_t ngrades;
	struct grade *g;	/* highest threshold first */
	struct health_params health;
	struct score_fired *fired;	/* room for every rule */
	size_t *used, nused;	/* the fields patterns look at, once each */
	struct memo *memo;	/* one for each of them */
	unsigned char *hit;	/* per rule: its pattern matched this record */
	unsigned char *scratch;	/* a field's matches when not kept */
};

/* Parsing state for one line. */
struct lexer {
	const char *line;	/* its start, for columns */
	const char *p;
	char *err;
	size_t nerr;
	const char *path;
	unsigned long lineno;
};

/* The column (from 1, in characters) of AT in lx->line. */
static int
column(const struct lexer *lx, const char *at)
{
	int col = 1;

	for (const char *q = lx->line; q < at; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			col++;
	return col;
}

/* Put "PATH:LINE:COLUMN: message" in lx->err, AT giving the column; -1. */
static int __attribute__((format(printf, 3, 4)))
fail(struct lexer *lx, const char *at, const char *fmt, ...)
{
	va_list ap;
	int k;

	k = snprintf(lx->err, lx->nerr, "%s:%lu:%d: ", lx->path, lx->lineno,
	    column(lx, at));
	if (k < 0 || (size_t)k >= lx->nerr)
		return -1;
	va_start(ap, fmt);
	vsnprintf(lx->err + k, lx->nerr - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
blanks(struct lexer *lx)
{
	while (blank(*lx->p))
		lx->p++;
}

/*
** The next blank-separated word: *B at its start, its length returned
** (0 at the end of the line).
*/
static size_t
word(struct lexer *lx, const char **b)
{
	blanks(lx);
	*b = lx->p;
	while (*lx->p && !blank(*lx->p))
		lx->p++;
	return (size_t)(lx->p - *b);
}

static int
is(const char *b, size_t len, const char *w)
{
	return len == strlen(w) && strncmp(b, w, len) == 0;
}

/*
** The whole number in the LEN bytes at B, with an optional sign when
** SIGNED, into *V: 0, or -1 when it is not one or is outside MIN..MAX.
*/
static int
number(const char *b, size_t len, int sign, long long min, long long max,
    long long *v)
{
	size_t i = 0;
	int neg = 0;

	*v = 0;
	if (sign && len > 0 && (b[0] == '+' || b[0] == '-')) {
		neg = b[0] == '-';
		i = 1;
	}
	if (i == len || len - i > 12)
		return -1;
	for (; i < len; i++) {
		if (b[i] < '0' || b[i] > '9')
			return -1;
		*v = *v * 10 + (b[i] - '0');
	}
	if (neg)
		*v = -*v;
	return *v < min || *v > max ? -1 : 0;
}

/* "30d" or "4w" at B (LEN bytes) into *DAYS: 0 or -1. */
static int
duration(const char *b, size_t len, long *days)
{
	long long v;

	if (len < 2 || (b[len - 1] != 'd' && b[len - 1] != 'w') ||
	    number(b, len - 1, 0, 1, MAX_DAYS, &v) == -1)
		return -1;
	if (b[len - 1] == 'w')
		v *= 7;
	if (v > MAX_DAYS)
		return -1;
	*days = (long)v;
	return 0;
}

/* The bit of the canonical activity kind K; KIND_OTHER when unknown. */
static unsigned
kind_bit(const char *k)
{
	if (k == NULL)
		return KIND_OTHER;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(k, kinds[i]) == 0)
			return 1u << i;
	return KIND_OTHER;
}

/*
** The bits of a list "call,visit" (any name crm_activity_kind() knows;
** "activity" and "跟进" for any kind) at B (LEN bytes), or 0 when an
** item is none of these (its start in *BAD).
*/
static unsigned
kind_list(const char *b, size_t len, const char **bad)
{
	unsigned bits = 0;
	const char *e = b + len;

	for (;;) {
		const char *c = memchr(b, ',', (size_t)(e - b));
		char item[64];
		const char *canon;

		if (c == NULL)
			c = e;
		snprintf(item, sizeof item, "%.*s", (int)(c - b), b);
		if (strcmp(item, "activity") == 0 || strcmp(item, "跟进") == 0)
			bits = KIND_ANY;
		else if (*item && (canon = crm_activity_kind(item)) != NULL)
			bits |= kind_bit(canon);
		else {
			*bad = b;
			return 0;
		}
		if (c == e)
			return bits;
		b = c + 1;
	}
}

/* The index of field NAME (as written) in NAMES, or -1. */
static long
field_index(const struct score_names *names, const char *name)
{
	char buf[256];
	const char *canon = rec_canonical(name, buf, sizeof buf);

	for (size_t i = 0; i < names->nfields; i++)
		if (strcmp(names->fields[i], canon) == 0)
			return (long)i;
	return -1;
}

/*
** The pattern of a field rule: the rest of the line, or what is between
** slashes when it is written "/REGEX/" or "/REGEX/i" as in crm-rules(5).
*/
static int
parse_pattern(struct lexer *lx, struct rule *r, const char *fieldname)
{
	const char *b, *e;
	size_t at;
	int icase = 0;
	char msg[256];

	blanks(lx);
	b = lx->p;
	for (e = b + strlen(b); e > b && blank(e[-1]); e--)
		;
	if (e == b)
		return fail(lx, b, "missing pattern after '%s %s'", fieldname,
		    r->kind == RK_MATCH ? "~" : "!~");
	if (e - b >= 3 && b[0] == '/' && e[-2] == '/' && e[-1] == 'i') {
		b++;
		e -= 2;
		icase = 1;
	} else if (e - b >= 2 && b[0] == '/' && e[-1] == '/') {
		b++;
		e--;
	}
	r->pattern = xstrndup(b, (size_t)(e - b));
	r->col = column(lx, b);
	if ((r->re = crm_re_compile_at(r->pattern, icase, &at, msg,
	    sizeof msg)) == NULL)
		return fail(lx, b + at, "bad pattern '%s': %s", r->pattern, msg);
	lx->p += strlen(lx->p);
	return 0;
}

/* A field rule from the operator on: FIELD ~ / !~ PATTERN, is [not] empty. */
static int
parse_field_rule(struct lexer *lx, struct score_rules *rs, struct rule *r,
    const char *fb, size_t flen, const char *perat)
{
	char *name = xstrndup(fb, flen);
	const char *b;
	size_t len;
	long i;
	int rc = -1;

	if (perat) {
		fail(lx, perat, "'per' counts activities or deals; a field "
		    "rule adds its points once");
		goto out;
	}
	if ((i = field_index(rs->names, name)) < 0) {
		fail(lx, fb, "unknown field '%s'", name);
		goto out;
	}
	r->field = (size_t)i;
	if (lx->p[0] == '~') {
		r->kind = RK_MATCH;
		lx->p++;
		rc = parse_pattern(lx, r, name);
	} else if (lx->p[0] == '!' && lx->p[1] == '~') {
		r->kind = RK_NOMATCH;
		lx->p += 2;
		rc = parse_pattern(lx, r, name);
	} else {
		(void)word(lx, &b);	/* "is", seen by the caller */
		len = word(lx, &b);
		r->kind = RK_EMPTY;
		if (is(b, len, "not")) {
			r->kind = RK_SET;
			len = word(lx, &b);
		}
		if (!is(b, len, "empty"))
			fail(lx, b, "expected 'empty' or 'not empty' after "
			    "'%s is'", name);
		else if ((len = word(lx, &b)) > 0)
			fail(lx, b, "unexpected '%.*s' after 'empty'", (int)len, b);
		else
			rc = 0;
	}
out:
	free(name);
	return rc;
}

/* Is NAME (LEN bytes) a stage the caller knows (or are stages unchecked)? */
static int
known_stage(const struct score_names *names, const char *b, size_t len)
{
	if (names->stages == NULL)
		return 1;
	for (size_t i = 0; i < names->nstages; i++)
		if (is(b, len, names->stages[i]))
			return 1;
	return 0;
}

/* "in S1,S2": the stages of a deal rule. */
static int
parse_stages(struct lexer *lx, const struct score_names *names, struct rule *r,
    const char *inat)
{
	const char *b, *e, *c;
	size_t len = word(lx, &b);
	char *name;

	if (len == 0)
		return fail(lx, inat, "expected stage names after 'in'");
	for (e = b + len;; b = c + 1) {
		if ((c = memchr(b, ',', (size_t)(e - b))) == NULL)
			c = e;
		if (c == b)
			return fail(lx, b, "expected a stage name");
		if (!known_stage(names, b, (size_t)(c - b)))
			return fail(lx, b, "unknown stage '%.*s'", (int)(c - b), b);
		name = xstrndup(b, (size_t)(c - b));
		sv_push(&r->stages, name);
		free(name);
		if (c == e)
			return 0;
	}
}

/* "amount >= ¥500,000" (or > <= <; a currency code may follow). */
static int
parse_amount(struct lexer *lx, struct rule *r, const char *at)
{
	static const char *const ops[] = { NULL, ">=", ">", "<=", "<" };
	const char *b, *cb, *save;
	size_t len, clen;
	char *text, msg[256];
	int rc;

	len = word(lx, &b);
	for (r->op = OP_GE; r->op <= OP_LT; r->op++)
		if (is(b, len, ops[r->op]))
			break;
	if (r->op > OP_LT)
		return fail(lx, len ? b : at, "expected '>=', '>', '<=' or '<' "
		    "after 'amount'");
	if ((len = word(lx, &b)) == 0)
		return fail(lx, b, "expected an amount after '%s'", ops[r->op]);
	/* "500000 USD": a code may follow the amount after a blank */
	save = lx->p;
	clen = word(lx, &cb);
	if (clen == 3) {
		char code[4];

		memcpy(code, cb, 3);
		code[3] = '\0';
		if (money_exponent(code) != -1) {
			save = lx->p;
			len = (size_t)(cb + clen - b);
		}
	}
	lx->p = save;
	text = xstrndup(b, len);
	rc = money_parse(text, "CNY", 0, &r->amount, msg, sizeof msg);
	free(text);
	return rc == -1 ? fail(lx, b, "%s", msg) : 0;
}

/*
** The clauses of an activity or deal rule: "within 30d", "max 20", and
** for deals "open|won|lost", "in STAGES", "amount OP MONEY", in any
** order, each at most once.
*/
static int
parse_clauses(struct lexer *lx, struct score_rules *rs, struct rule *r)
{
	const char *b, *seen[5] = { NULL };	/* within max outcome in amount */
	size_t len;
	long long v;
	int which;

	while ((len = word(lx, &b)) > 0) {
		if (is(b, len, "within"))
			which = 0;
		else if (is(b, len, "max"))
			which = 1;
		else if (r->kind == RK_DEAL && (is(b, len, "open") ||
		    is(b, len, "won") || is(b, len, "lost")))
			which = 2;
		else if (r->kind == RK_DEAL && is(b, len, "in"))
			which = 3;
		else if (r->kind == RK_DEAL && is(b, len, "amount"))
			which = 4;
		else
			return fail(lx, b, "unexpected '%.*s' in %s rule",
			    (int)len, b, r->kind == RK_DEAL ? "a deal" :
			    "an activity");
		if (seen[which])
			return fail(lx, b, "'%.*s' given twice", (int)len, b);
		seen[which] = b;
		switch (which) {
		case 0:
			len = word(lx, &b);
			if (duration(b, len, &r->within) == -1)
				return fail(lx, b, "expected days such as '30d' or "
				    "weeks such as '4w' after 'within', got "
				    "'%.*s'", (int)len, b);
			break;
		case 1:
			if (!r->per)
				return fail(lx, seen[1], "'max' caps a 'per' rule; "
				    "this one adds its points once");
			len = word(lx, &b);
			if (number(b, len, 0, 1, MAX_POINTS * MAX_COUNT, &v) == -1)
				return fail(lx, b, "expected a whole number of "
				    "points after 'max', got '%.*s'", (int)len, b);
			if (v < llabs(r->points))
				return fail(lx, b, "max %lld is less than the %lld "
				    "points of one event", v, llabs(r->points));
			r->cap = v;
			break;
		case 2:
			r->outcome = *b == 'o' ? SCORE_OPEN : *b == 'w' ?
			    SCORE_WON : SCORE_LOST;
			break;
		case 3:
			if (parse_stages(lx, rs->names, r, b) == -1)
				return -1;
			break;
		case 4:
			if (parse_amount(lx, r, b) == -1)
				return -1;
			break;
		}
	}
	if (r->kind == RK_DEAL && seen[0] && r->outcome != SCORE_WON &&
	    r->outcome != SCORE_LOST)
		return fail(lx, seen[0], "'within' counts days since a deal "
		    "closed: write 'won' or 'lost' too");
	return 0;
}

/* A rule that adds points: "+20 industry ~ 教育", "+5 per call ...". */
static int
parse_rule(struct lexer *lx, struct score_rules *rs, struct rule *r,
    const char *pb, size_t plen)
{
	const char *b, *perat = NULL, *bad = NULL;
	size_t len;
	char *name;
	int rc;

	if (number(pb, plen, 1, -MAX_POINTS, MAX_POINTS, &r->points) == -1)
		return fail(lx, pb, "bad points '%.*s' (a whole number from "
		    "-%d to +%d)", (int)plen, pb, MAX_POINTS, MAX_POINTS);
	r->outcome = -1;
	len = word(lx, &b);
	if (is(b, len, "per")) {
		r->per = 1;
		perat = b;
		len = word(lx, &b);
	}
	if (len == 0)
		return fail(lx, b, "expected a field, an activity kind or "
		    "'deal' after the points");
	/* A field name ends at a blank or at its operator. */
	lx->p = b;
	while (*lx->p && !blank(*lx->p) && *lx->p != '~' &&
	    !(lx->p[0] == '!' && lx->p[1] == '~'))
		lx->p++;
	len = (size_t)(lx->p - b);
	blanks(lx);
	if (len > 0 && (lx->p[0] == '~' || (lx->p[0] == '!' && lx->p[1] == '~') ||
	    (strncmp(lx->p, "is", 2) == 0 && (blank(lx->p[2]) ||
	    lx->p[2] == '\0'))))
		return parse_field_rule(lx, rs, r, b, len, perat);
	lx->p = b;
	len = word(lx, &b);
	if (is(b, len, "deal")) {
		r->kind = RK_DEAL;
		return parse_clauses(lx, rs, r);
	}
	r->kind = RK_ACTIVITY;
	if ((r->kinds = kind_list(b, len, &bad)) != 0)
		return parse_clauses(lx, rs, r);
	name = xstrndup(b, len);
	if (field_index(rs->names, name) >= 0)
		rc = fail(lx, b + len, "expected '~', '!~' or 'is' after field "
		    "'%s'", name);
	else if (bad != b && strcspn(bad, ", \t") == 0)
		rc = fail(lx, bad, "expected an activity kind after ','");
	else if (bad != b)
		rc = fail(lx, bad, "unknown activity kind '%.*s'",
		    (int)strcspn(bad, ", \t"), bad);
	else
		rc = fail(lx, b, "unknown field or activity kind '%s'", name);
	free(name);
	return rc;
}

/* "grade LABEL >= N". */
static int
parse_grade(struct lexer *lx, struct score_rules *rs)
{
	const char *lb, *b;
	size_t llen, len;
	long long min;

	blanks(lx);
	lb = lx->p;
	while (*lx->p && !blank(*lx->p) && *lx->p != '>')
		lx->p++;
	if ((llen = (size_t)(lx->p - lb)) == 0)
		return fail(lx, lx->p, "expected a label after 'grade'");
	blanks(lx);
	if (strncmp(lx->p, ">=", 2) != 0)
		return fail(lx, lx->p, "expected '>=' after 'grade %.*s'",
		    (int)llen, lb);
	lx->p += 2;
	len = word(lx, &b);
	if (number(b, len, 1, -MAX_POINTS * MAX_COUNT, MAX_POINTS * MAX_COUNT,
	    &min) == -1)
		return fail(lx, b, "expected a whole number of points after "
		    "'grade %.*s >=', got '%.*s'", (int)llen, lb, (int)len, b);
	if ((len = word(lx, &b)) > 0)
		return fail(lx, b, "unexpected '%.*s' after the grade", (int)len,
		    b);
	for (size_t i = 0; i < rs->ngrades; i++) {
		if (is(lb, llen, rs->g[i].label))
			return fail(lx, lb, "grade '%s' is given twice (first on "
			    "line %lu)", rs->g[i].label, rs->g[i].line);
		if (rs->g[i].min == min)
			return fail(lx, lb, "grade '%.*s' has the threshold of "
			    "grade '%s' (line %lu)", (int)llen, lb,
			    rs->g[i].label, rs->g[i].line);
	}
	rs->g = xrealloc(rs->g, (rs->ngrades + 1) * sizeof *rs->g);
	rs->g[rs->ngrades].label = xstrndup(lb, llen);
	rs->g[rs->ngrades].min = min;
	rs->g[rs->ngrades].line = lx->lineno;
	rs->ngrades++;
	return 0;
}

/* The settings "health NAME = N" may change. */
static const struct {
	const char *name;
	long lo, hi;
} settings[] = {
	{ "recency", 0, 1000 }, { "trend", 0, 1000 }, { "overdue", 0, 1000 },
	{ "stalled", 0, 1000 },
	{ "recent-days", 1, MAX_DAYS }, { "lapsed-days", 1, MAX_DAYS },
	{ "stalled-days", 1, MAX_DAYS }, { "trend-days", 1, MAX_DAYS },
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

/* Where setting I (one of the limits in days) is kept in H. */
static long *
days_setting(struct health_params *h, size_t i)
{
	switch (i) {
	case HEALTH_N:
		return &h->recent_days;
	case HEALTH_N + 1:
		return &h->lapsed_days;
	case HEALTH_N + 2:
		return &h->stalled_days;
	default:
		return &h->trend_days;
	}
}

/* "health NAME = N"; SETLINE[i] gets the line setting i was set on. */
static int
parse_health(struct lexer *lx, struct score_rules *rs, const char *at,
    unsigned long setline[NSETTINGS])
{
	const char *b;
	size_t len, i;
	long long v;

	blanks(lx);
	b = lx->p;
	while (*lx->p && !blank(*lx->p) && *lx->p != '=')
		lx->p++;
	len = (size_t)(lx->p - b);
	for (i = 0; i < NSETTINGS; i++)
		if (is(b, len, settings[i].name))
			break;
	if (i == NSETTINGS)
		return fail(lx, len ? b : at, "expected recency, trend, overdue, "
		    "stalled, recent-days, lapsed-days, stalled-days or "
		    "trend-days after 'health'%s%.*s%s", len ? ", got '" : "",
		    (int)len, b, len ? "'" : "");
	blanks(lx);
	if (*lx->p != '=')
		return fail(lx, lx->p, "expected '=' after 'health %s'",
		    settings[i].name);
	lx->p++;
	len = word(lx, &b);
	if (number(b, len, 0, settings[i].lo, settings[i].hi, &v) == -1)
		return fail(lx, b, "expected a whole number from %ld to %ld "
		    "after 'health %s =', got '%.*s'", settings[i].lo,
		    settings[i].hi, settings[i].name, (int)len, b);
	if ((len = word(lx, &b)) > 0)
		return fail(lx, b, "unexpected '%.*s' after the setting",
		    (int)len, b);
	if (i < HEALTH_N)
		rs->health.weight[i] = (int)v;
	else
		*days_setting(&rs->health, i) = (long)v;
	setline[i] = lx->lineno;
	return 0;
}

static void
rule_free(struct rule *r)
{
	free(r->text);
	free(r->pattern);
	crm_re_free(r->re);
	sv_free(&r->stages);
}

/* Parse one line that is not blank or a comment.  0 or -1 (lx->err). */
static int
parse_line(struct lexer *lx, struct score_rules *rs,
    unsigned long setline[NSETTINGS])
{
	const char *b, *e;
	size_t len = word(lx, &b);
	struct rule r;

	if (is(b, len, "grade"))
		return parse_grade(lx, rs);
	if (is(b, len, "health"))
		return parse_health(lx, rs, b, setline);
	if (*b != '+' && *b != '-')
		return fail(lx, b, "expected points such as '+10' or '-5', "
		    "'grade' or 'health', got '%.*s'", (int)len, b);
	memset(&r, 0, sizeof r);
	r.line = lx->lineno;
	if (parse_rule(lx, rs, &r, b, len) == -1) {
		rule_free(&r);
		return -1;
	}
	for (e = b + strlen(b); e > b && blank(e[-1]); e--)
		;
	r.text = xstrndup(b, (size_t)(e - b));
	rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
	rs->v[rs->n++] = r;
	return 0;
}

/* Grades are tried from the highest threshold down. */
static int
grade_cmp(const void *a, const void *b)
{
	long long x = ((const struct grade *)a)->min;
	long long y = ((const struct grade *)b)->min;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* After the last line: the health settings must make sense together. */
static int
check_health(struct lexer *lx, struct score_rules *rs,
    const unsigned long setline[NSETTINGS])
{
	const struct health_params *h = &rs->health;
	unsigned long last = 0;
	int sum = 0;

	for (size_t i = 0; i < HEALTH_N; i++) {
		sum += h->weight[i];
		if (setline[i] > last)
			last = setline[i];
	}
	if (sum == 0) {
		lx->lineno = last;
		lx->line = lx->p = "";
		return fail(lx, lx->p, "the health weights are all 0");
	}
	if (h->recent_days >= h->lapsed_days) {
		lx->lineno = setline[HEALTH_N] > setline[HEALTH_N + 1] ?
		    setline[HEALTH_N] : setline[HEALTH_N + 1];
		lx->line = lx->p = "";
		return fail(lx, lx->p, "health recent-days (%ld) must be less "
		    "than lapsed-days (%ld)", h->recent_days, h->lapsed_days);
	}
	return 0;
}

struct score_rules *
score_rules_load(const char *path, const struct score_names *names,
    char *err, size_t n)
{
	struct score_rules *rs = xcalloc(1, sizeof *rs);
	struct lexer lx = { NULL, NULL, err, n, NULL, 0 };
	unsigned long setline[NSETTINGS] = { 0 };
	FILE *f = crm_open_input(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	rs->path = xstrdup(strcmp(path, "-") == 0 ? "stdin" : path);
	rs->names = names;
	rs->health = health_defaults;
	lx.path = rs->path;
	while ((len = getline(&line, &cap, f)) != -1) {
		lx.lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		lx.line = line;
		if (lx.lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
			lx.line += 3;
		lx.p = lx.line;
		if (strlen(line) != (size_t)len) {
			fail(&lx, lx.line + strlen(lx.line), "NUL byte in the line");
			goto bad;
		}
		blanks(&lx);
		if (*lx.p == '\0' || *lx.p == '#')
			continue;
		if (parse_line(&lx, rs, setline) == -1)
			goto bad;
	}
	if (ferror(f)) {
		snprintf(err, n, "%s: cannot read: read error", rs->path);
		goto bad;
	}
	if (check_health(&lx, rs, setline) == -1)
		goto bad;
	if (rs->ngrades > 1)
		qsort(rs->g, rs->ngrades, sizeof *rs->g, grade_cmp);
	rs->fired = xcalloc(rs->n + 1, sizeof *rs->fired);
	rs->hit = xcalloc(rs->n + 1, 1);
	rs->scratch = xcalloc(rs->n + 1, 1);
	rs->used = xcalloc(names->nfields + 1, sizeof *rs->used);
	rs->memo = xcalloc(names->nfields + 1, sizeof *rs->memo);
	for (size_t i = 0; i < rs->n; i++) {
		struct memo *m;
		size_t k;

		if (rs->v[i].kind != RK_MATCH && rs->v[i].kind != RK_NOMATCH)
			continue;
		for (k = 0; k < rs->nused && rs->used[k] != rs->v[i].field; k++)
			;
		if (k == rs->nused)
			rs->used[rs->nused++] = rs->v[i].field;
		m = &rs->memo[k];
		m->field = rs->v[i].field;
		m->rule = xrealloc(m->rule, (m->nrule + 1) * sizeof *m->rule);
		m->rule[m->nrule++] = i;
	}
	for (size_t k = 0; k < rs->nused; k++) {
		struct memo *m = &rs->memo[k];

		m->slot = xcalloc(MEMO_SLOTS, sizeof *m->slot);
		for (size_t j = 0; j < MEMO_SLOTS; j++)
			m->slot[j].hit = xcalloc(m->nrule, 1);
	}
	free(line);
	crm_close_input(f);
	return rs;
bad:
	free(line);
	crm_close_input(f);
	score_rules_free(rs);
	return NULL;
}

void
score_rules_free(struct score_rules *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	for (size_t i = 0; i < rs->ngrades; i++)
		free(rs->g[i].label);
	free(rs->v);
	free(rs->g);
	for (size_t k = 0; rs->memo && k < rs->nused; k++) {
		for (size_t j = 0; rs->memo[k].slot && j < MEMO_SLOTS; j++)
			free(rs->memo[k].slot[j].hit);
		free(rs->memo[k].slot);
		free(rs->memo[k].rule);
	}
	free(rs->memo);
	free(rs->fired);
	free(rs->used);
	free(rs->hit);
	free(rs->scratch);
	free(rs->path);
	free(rs);
}

/* How many of IN's done activities rule R counts. */
static long long
count_activities(const struct rule *r, const struct score_input *in)
{
	long long k = 0;

	for (size_t i = 0; i < in->nact; i++) {
		const struct score_activity *a = &in->act[i];

		if (!a->planned && a->days >= 0 &&
		    (r->within == 0 || a->days < r->within) &&
		    (kind_bit(a->kind) & r->kinds))
			k++;
	}
	return k;
}

/* Does deal D's amount meet rule R's "amount OP MONEY"? */
static int
amount_holds(const struct rule *r, const struct score_deal *d)
{
	const char *cur = d->currency ? d->currency : "CNY";

	if (strcasecmp(cur, r->amount.cur) != 0)
		return 0;	/* amounts of two currencies do not compare */
	switch (r->op) {
	case OP_GE: return d->amount >= r->amount.minor;
	case OP_GT: return d->amount > r->amount.minor;
	case OP_LE: return d->amount <= r->amount.minor;
	case OP_LT: return d->amount < r->amount.minor;
	}
	return 1;
}

/* How many of IN's deals meet rule R. */
static long long
count_deals(const struct rule *r, const struct score_input *in)
{
	long long k = 0;

	for (size_t i = 0; i < in->ndeal; i++) {
		const struct score_deal *d = &in->deal[i];
		size_t s;

		if (r->outcome >= 0 && (int)d->outcome != r->outcome)
			continue;
		if (r->within && (d->closed_days < 0 ||
		    d->closed_days >= r->within))
			continue;
		for (s = 0; s < r->stages.n; s++)
			if (d->stage && strcmp(d->stage, r->stages.v[s]) == 0)
				break;
		if (r->stages.n > 0 && s == r->stages.n)
			continue;
		if (r->op != OP_NONE && !amount_holds(r, d))
			continue;
		k++;
	}
	return k;
}

/* FNV-1a over the LEN bytes at S. */
static unsigned long long
fnv(const char *s, size_t len)
{
	unsigned long long h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
** Run the patterns of memo M's field on V (LEN bytes) into HIT (one per
** rule of M).  0, or -1 with the message of a limit error in ERR.
*/
static int
match_field(struct score_rules *rs, const struct memo *m, const char *v,
    size_t len, unsigned char *hit, char *err, size_t n)
{
	for (size_t j = 0; j < m->nrule; j++) {
		struct rule *r = &rs->v[m->rule[j]];
		char msg[256];
		int k = crm_re_exec(r->re, v, len, msg, sizeof msg);

		if (k == -1) {
			snprintf(err, n, "%s:%lu:%d: %s %s %s: %s", rs->path,
			    r->line, r->col, rs->names->fields[r->field],
			    r->kind == RK_MATCH ? "~" : "!~", r->pattern, msg);
			return -1;
		}
		hit[j] = (unsigned char)k;
	}
	return 0;
}

/*
** Which patterns match IN into rs->hit, each field's at once: from its
** memo when the value was seen lately, else by matching.  0 or -1.
*/
static int
match_patterns(struct score_rules *rs, const struct score_input *in,
    char *err, size_t n)
{
	for (size_t k = 0; k < rs->nused; k++) {
		struct memo *m = &rs->memo[k];
		const char *v = in->fields[m->field];
		size_t len = v ? strlen(v) : 0;
		unsigned char *hit = rs->scratch;

		if (len > 0 && len <= MEMO_MAX && !m->off) {
			unsigned long long h = fnv(v, len);
			struct memo_slot *sl = &m->slot[h & (MEMO_SLOTS - 1)];

			if (++m->looks == MEMO_TRIAL && m->found < MEMO_TRIAL / 4)
				m->off = 1;
			if (sl->len == len && sl->hash == h &&
			    memcmp(sl->val, v, len) == 0)
				m->found++;
			else {
				sl->len = 0;	/* kept once its patterns ran */
				if (match_field(rs, m, v, len, sl->hit, err,
				    n) == -1)
					return -1;
				sl->hash = h;
				sl->len = len;
				memcpy(sl->val, v, len);
			}
			hit = sl->hit;
		} else if (len > 0) {
			if (match_field(rs, m, v, len, hit, err, n) == -1)
				return -1;
		} else
			memset(hit, 0, m->nrule);	/* no value: no match */
		for (size_t j = 0; j < m->nrule; j++)
			rs->hit[m->rule[j]] = hit[j];
	}
	return 0;
}

int
score_eval(struct score_rules *rs, const struct score_input *in,
    struct score_result *res, char *err, size_t n)
{
	long long total = 0;
	size_t nf = 0;

	if (match_patterns(rs, in, err, n) == -1)
		return -1;
	for (size_t i = 0; i < rs->n; i++) {
		struct rule *r = &rs->v[i];
		long long k, pts = r->points;

		switch (r->kind) {
		case RK_MATCH:
		case RK_NOMATCH:
			if (rs->hit[i] != (r->kind == RK_MATCH))
				continue;
			break;
		case RK_EMPTY:
		case RK_SET:
			if (str_blank(in->fields[r->field]) != (r->kind == RK_EMPTY))
				continue;
			break;
		case RK_ACTIVITY:
		case RK_DEAL:
			k = r->kind == RK_DEAL ? count_deals(r, in) :
			    count_activities(r, in);
			if (k == 0)
				continue;
			if (r->per) {
				if (k > MAX_COUNT)
					k = MAX_COUNT;
				pts = llabs(r->points) * k;
				if (r->cap && pts > r->cap)
					pts = r->cap;
				if (r->points < 0)
					pts = -pts;
			}
			break;
		}
		rs->fired[nf].line = r->line;
		rs->fired[nf].text = r->text;
		rs->fired[nf].points = pts;
		nf++;
		total += pts;
	}
	res->score = total;
	res->grade = score_grade(rs, total);
	res->nfired = nf;
	res->fired = rs->fired;
	return 0;
}

const char *
score_grade(const struct score_rules *rs, long long score)
{
	for (size_t i = 0; i < rs->ngrades; i++)
		if (score >= rs->g[i].min)
			return rs->g[i].label;
	return NULL;
}

const struct health_params *
score_rules_health(const struct score_rules *rs)
{
	return &rs->health;
}

unsigned
score_rules_uses(const struct score_rules *rs, unsigned char *fields)
{
	unsigned uses = 0;

	if (fields)
		memset(fields, 0, rs->names->nfields);
	for (size_t i = 0; i < rs->n; i++)
		switch (rs->v[i].kind) {
		case RK_ACTIVITY:
			uses |= SCORE_USES_ACTS;
			break;
		case RK_DEAL:
			uses |= SCORE_USES_DEALS;
			break;
		default:
			if (fields)
				fields[rs->v[i].field] = 1;
		}
	return uses;
}

size_t
score_rules_count(const struct score_rules *rs)
{
	return rs->n;
}

size_t
score_rules_ngrades(const struct score_rules *rs)
{
	return rs->ngrades;
}
