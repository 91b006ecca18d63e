/* rfm.c: RFM quintiles as NTILE(5) computes them, and segment tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rec.h"
#include "rfm.h"
#include "str.h"

const struct rfm_settings rfm_defaults = { 4, 30 };

/* One customer with a won deal, by the value being ranked. */
struct rank {
	long long key, id;
	size_t i;		/* in the caller's array */
};

static int
rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
** The tile (1-5) of the row at position J (from 0) of N in order, as
** NTILE(5): the first N % 5 tiles have one row more than the others.
*/
static unsigned char
ntile5(size_t j, size_t n)
{
	size_t q = n / 5, big = n % 5;

	if (j < big * (q + 1))
		return (unsigned char)(j / (q + 1) + 1);
	return (unsigned char)(big + (j - big * (q + 1)) / q + 1);
}

void
rfm_score(struct rfm_customer *v, size_t n)
{
	struct rank *rk;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		v[i].r = v[i].f = v[i].m = 0;
		m += v[i].won > 0;
	}
	if (m == 0)
		return;
	rk = xmalloc(m * sizeof *rk);
	for (int pass = 0; pass < 3; pass++) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			if (v[i].won <= 0)
				continue;
			/* R: fewer days is better, so it sorts descending */
			rk[k].key = pass == 0 ? -(long long)v[i].won_days :
			    pass == 1 ? v[i].won : v[i].won_amount;
			rk[k].id = v[i].id;
			rk[k].i = i;
			k++;
		}
		qsort(rk, m, sizeof *rk, rank_cmp);
		for (size_t j = 0; j < m; j++) {
			struct rfm_customer *c = &v[rk[j].i];
			unsigned char t = ntile5(j, m);

			if (pass == 0)
				c->r = t;
			else if (pass == 1)
				c->f = t;
			else
				c->m = t;
		}
	}
	free(rk);
}

static void
add_row(struct rfm_segments *t, const char *name, int rlo, int rhi, int flo,
    int fhi, int won, int active)
{
	struct rfm_segment *s;

	t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	s = &t->v[t->n++];
	s->name = xstrdup(name);
	s->rlo = (unsigned char)rlo;
	s->rhi = (unsigned char)rhi;
	s->flo = (unsigned char)flo;
	s->fhi = (unsigned char)fhi;
	s->mlo = 0;
	s->mhi = 5;
	s->won = (signed char)won;
	s->active = (signed char)active;
}

static struct rfm_segments *
segments_new(const struct rfm_settings *s)
{
	struct rfm_segments *t = xcalloc(1, sizeof *t);

	t->active_days = s->active_days;
	return t;
}

struct rfm_segments *
rfm_segments_default(const struct rfm_settings *s)
{
	struct rfm_segments *t = segments_new(s);

	add_row(t, "强活跃", s->strong_r, 5, 0, 5, 1, -1);
	add_row(t, "强意愿", 1, s->strong_r - 1, 0, 5, 1, -1);
	add_row(t, "弱意愿", 0, 5, 0, 5, 0, 1);
	add_row(t, "无意向", 0, 5, 0, 5, 0, 0);
	return t;
}

struct rfm_segments *
rfm_segments_classic(const struct rfm_settings *s)
{
	static const struct {
		const char *name;
		int rlo, rhi, flo, fhi;
	} map[] = {
		{ "Champions", 5, 5, 4, 5 },
		{ "Loyal", 3, 4, 4, 5 },
		{ "Potential Loyalist", 4, 5, 2, 3 },
		{ "New", 5, 5, 1, 1 },
		{ "Promising", 4, 4, 1, 1 },
		{ "Need Attention", 3, 3, 3, 3 },
		{ "About to Sleep", 3, 3, 1, 2 },
		{ "At Risk", 1, 2, 3, 4 },
		{ "Can't Lose Them", 1, 2, 5, 5 },
		{ "Hibernating", 1, 2, 1, 2 },
	};
	struct rfm_segments *t = segments_new(s);

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		add_row(t, map[i].name, map[i].rlo, map[i].rhi, map[i].flo,
		    map[i].fhi, 1, -1);
	return t;
}

/* A range cell: NULL, "" or "*" for any, "N" or "N-M" of 1..5.  0 or -1. */
static int
parse_range(const char *s, unsigned char *lo, unsigned char *hi)
{
	if (s == NULL || *s == '\0' || strcmp(s, "*") == 0) {
		*lo = 0;
		*hi = 5;
		return 0;
	}
	if (s[0] < '1' || s[0] > '5')
		return -1;
	*lo = *hi = (unsigned char)(s[0] - '0');
	if (s[1] == '\0')
		return 0;
	if (s[1] != '-' || s[2] < '1' || s[2] > '5' || s[3] != '\0' ||
	    s[2] < s[0])
		return -1;
	*hi = (unsigned char)(s[2] - '0');
	return 0;
}

/* A yes/no cell: NULL, "" or "*" for either.  0 or -1. */
static int
parse_yesno(const char *s, signed char *v)
{
	if (s == NULL || *s == '\0' || strcmp(s, "*") == 0)
		*v = -1;
	else if (strcasecmp(s, "yes") == 0 || strcmp(s, "是") == 0)
		*v = 1;
	else if (strcasecmp(s, "no") == 0 || strcmp(s, "否") == 0)
		*v = 0;
	else
		return -1;
	return 0;
}

static const char *const seg_cols[] = { "segment", "r", "f", "m", "won",
	"active" };
#define NSEGCOLS (sizeof seg_cols / sizeof seg_cols[0])

/* Read the rows of R into T; 0, or -1 with the reason in ERR. */
static int
read_segments(struct rec_reader *r, struct rfm_segments *t, char *err,
    size_t n)
{
	int col[NSEGCOLS];
	struct rec *rec;
	const char *why;

	for (size_t c = 0; c < NSEGCOLS; c++)
		col[c] = -1;
	for (size_t i = 0; i < rec_ncol(r); i++) {
		size_t c;

		for (c = 0; c < NSEGCOLS; c++)
			if (strcasecmp(rec_colname(r, i), seg_cols[c]) == 0)
				break;
		if (c == NSEGCOLS) {
			snprintf(err, n, "%s:1: unknown column '%s' (segment, r, "
			    "f, m, won, active)", rec_name(r), rec_header(r, i));
			return -1;
		}
		col[c] = (int)i;
	}
	if (col[0] == -1) {
		snprintf(err, n, "%s:1: no column 'segment'", rec_name(r));
		return -1;
	}
	while ((rec = rec_next(r)) != NULL) {
		struct rfm_segment s;
		const char *v[NSEGCOLS];

		if ((why = rec_width_error(r, rec)) != NULL) {
			snprintf(err, n, "%s:%lu: %s", rec_name(r), rec->line, why);
			return -1;
		}
		for (size_t c = 0; c < NSEGCOLS; c++)
			v[c] = col[c] >= 0 ? rec->v[col[c]] : NULL;
		if (str_blank(v[0])) {
			snprintf(err, n, "%s:%lu: a segment needs a name",
			    rec_name(r), rec->line);
			return -1;
		}
		for (size_t c = 1; c <= 3; c++) {
			unsigned char lo, hi;

			if (parse_range(v[c], &lo, &hi) == -1) {
				snprintf(err, n, "%s:%lu: bad %s range '%s' (N or "
				    "N-M of 1 to 5, or *)", rec_name(r),
				    rec->line, seg_cols[c], v[c]);
				return -1;
			}
			*(c == 1 ? &s.rlo : c == 2 ? &s.flo : &s.mlo) = lo;
			*(c == 1 ? &s.rhi : c == 2 ? &s.fhi : &s.mhi) = hi;
		}
		for (size_t c = 4; c <= 5; c++)
			if (parse_yesno(v[c], c == 4 ? &s.won : &s.active) == -1) {
				snprintf(err, n, "%s:%lu: bad %s '%s' (yes, no "
				    "or *)", rec_name(r), rec->line, seg_cols[c],
				    v[c]);
				return -1;
			}
		s.name = xstrdup(v[0]);
		t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
		t->v[t->n++] = s;
	}
	return 0;
}

struct rfm_segments *
rfm_segments_load(const char *path, const struct rfm_settings *s, char *err,
    size_t n)
{
	struct rfm_segments *t = segments_new(s);
	struct rec_reader *r = rec_open(path, 0, NULL);
	int rc = read_segments(r, t, err, n);

	rec_close(r);
	if (rc == -1) {
		rfm_segments_free(t);
		return NULL;
	}
	return t;
}

const char *
rfm_segment(const struct rfm_segments *t, const struct rfm_customer *c)
{
	int won = c->won > 0;
	int active = c->active_days >= 0 && c->active_days < t->active_days;

	for (size_t i = 0; i < t->n; i++) {
		const struct rfm_segment *s = &t->v[i];

		if ((s->won == -1 || s->won == won) &&
		    (s->active == -1 || s->active == active) &&
		    c->r >= s->rlo && c->r <= s->rhi &&
		    c->f >= s->flo && c->f <= s->fhi &&
		    c->m >= s->mlo && c->m <= s->mhi)
			return s->name;
	}
	return NULL;
}

void
rfm_segments_free(struct rfm_segments *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t);
}
