/* bayes.c: naive Bayes with Laplace smoothing over field values; ROC AUC. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bayes.h"
#include "rec.h"
#include "str.h"

/* The counts of one value of one field; its text is in the arena. */
struct entry {
	size_t field;
	size_t off, len;
	uint64_t hash;
	unsigned long won, lost;	/* both 0: an empty slot */
};

/* What a field has seen, over all its values. */
struct field {
	char *name;
	unsigned long won, lost;	/* deals with a value */
	unsigned long nvalues;		/* K: distinct values */
};

struct bayes {
	size_t nfield;
	struct field *f;
	unsigned long won, lost;	/* all deals */
	struct entry *e;		/* open addressing, cap a power of 2 */
	size_t ne, cap;
	struct strbuf arena;		/* the values, NUL-separated */
};

struct bayes *
bayes_new(size_t nfield, const char *const *names)
{
	struct bayes *b = xcalloc(1, sizeof *b);

	b->nfield = nfield;
	b->f = xcalloc(nfield ? nfield : 1, sizeof *b->f);
	for (size_t i = 0; i < nfield; i++)
		b->f[i].name = xstrdup(names[i]);
	b->cap = 64;
	b->e = xcalloc(b->cap, sizeof *b->e);
	sb_init(&b->arena);
	return b;
}

void
bayes_free(struct bayes *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nfield; i++)
		free(b->f[i].name);
	free(b->f);
	free(b->e);
	sb_free(&b->arena);
	free(b);
}

/* FNV-1a over the field number and the value. */
static uint64_t
hash(size_t field, const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < sizeof field; i++) {
		h ^= (unsigned char)(field >> (8 * i));
		h *= 1099511628211ULL;
	}
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of (FIELD, S) in B: its entry, or the empty slot for it. */
static struct entry *
slot(const struct bayes *b, size_t field, const char *s, size_t len,
    uint64_t h)
{
	for (size_t i = (size_t)h & (b->cap - 1);; i = (i + 1) & (b->cap - 1)) {
		struct entry *e = &b->e[i];

		if (e->won == 0 && e->lost == 0)
			return e;
		if (e->hash == h && e->field == field && e->len == len &&
		    memcmp(b->arena.buf + e->off, s, len) == 0)
			return e;
	}
}

/* Double the table, keeping every entry. */
static void
grow(struct bayes *b)
{
	struct entry *old = b->e;
	size_t oldcap = b->cap;

	b->cap *= 2;
	b->e = xcalloc(b->cap, sizeof *b->e);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].won || old[i].lost) {
			size_t k = (size_t)old[i].hash & (b->cap - 1);

			while (b->e[k].won || b->e[k].lost)
				k = (k + 1) & (b->cap - 1);
			b->e[k] = old[i];
		}
	free(old);
}

void
bayes_train(struct bayes *b, const char *const *values, int won)
{
	if (won)
		b->won++;
	else
		b->lost++;
	for (size_t f = 0; f < b->nfield; f++) {
		const char *v = values[f];
		size_t len;
		uint64_t h;
		struct entry *e;

		if (v == NULL || *v == '\0')
			continue;
		len = strlen(v);
		h = hash(f, v, len);
		e = slot(b, f, v, len, h);
		if (e->won == 0 && e->lost == 0) {
			if (2 * (b->ne + 1) > b->cap) {
				grow(b);
				e = slot(b, f, v, len, h);
			}
			e->field = f;
			e->off = b->arena.len;
			e->len = len;
			e->hash = h;
			sb_add(&b->arena, v, len);
			sb_addc(&b->arena, '\0');
			b->ne++;
			b->f[f].nvalues++;
		}
		if (won) {
			e->won++;
			b->f[f].won++;
		} else {
			e->lost++;
			b->f[f].lost++;
		}
	}
}

/* The likelihood ratio of entry E of field F (see bayes.h). */
static double
ratio(const struct field *f, const struct entry *e)
{
	double k = (double)f->nvalues;

	return ((double)(e->won + 1) / ((double)f->won + k)) /
	    ((double)(e->lost + 1) / ((double)f->lost + k));
}

double
bayes_predict(const struct bayes *b, const char *const *values,
    struct bayes_term *terms)
{
	double odds = (double)(b->won + 1) / (double)(b->lost + 1);

	for (size_t f = 0; f < b->nfield; f++) {
		const char *v = values[f];
		const struct entry *e = NULL;
		double r = 1;

		if (v && *v) {
			size_t len = strlen(v);

			e = slot(b, f, v, len, hash(f, v, len));
			if (e->won == 0 && e->lost == 0)
				e = NULL;	/* never seen: no evidence */
		}
		if (e)
			r = ratio(&b->f[f], e);
		odds *= r;
		if (terms) {
			terms[f].field = b->f[f].name;
			terms[f].value = v;
			terms[f].won = e ? e->won : 0;
			terms[f].lost = e ? e->lost : 0;
			terms[f].ratio = r;
		}
	}
	if (isinf(odds))
		return 1;
	return odds / (1 + odds);
}

/* An entry and its text, sorted for export by field, then value bytes. */
struct row {
	const struct entry *e;
	const char *value;
};

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->e->field != y->e->field)
		return x->e->field < y->e->field ? -1 : 1;
	return strcmp(x->value, y->value);
}

void
bayes_export(const struct bayes *b, struct rec_writer *w)
{
	static const char *const cols[] = { "field", "value", "won", "lost",
		"ratio" };
	struct row *v = xmalloc((b->ne + 1) * sizeof *v);
	char won[24], lost[24], r[32];
	const char *row[5] = { "(prior)", NULL, won, lost, r };
	size_t n = 0;

	for (size_t i = 0; i < b->cap; i++)
		if (b->e[i].won || b->e[i].lost) {
			v[n].e = &b->e[i];
			v[n++].value = b->arena.buf + b->e[i].off;
		}
	if (n > 1)
		qsort(v, n, sizeof *v, row_cmp);
	recw_header(w, 5, cols);
	snprintf(won, sizeof won, "%lu", b->won);
	snprintf(lost, sizeof lost, "%lu", b->lost);
	snprintf(r, sizeof r, "%.6g", (double)(b->won + 1) / (double)(b->lost + 1));
	recw_row(w, 5, row);
	for (size_t i = 0; i < n; i++) {
		snprintf(won, sizeof won, "%lu", v[i].e->won);
		snprintf(lost, sizeof lost, "%lu", v[i].e->lost);
		snprintf(r, sizeof r, "%.6g", ratio(&b->f[v[i].e->field], v[i].e));
		row[0] = b->f[v[i].e->field].name;
		row[1] = v[i].value;
		recw_row(w, 5, row);
	}
	free(v);
}

static double
divide(double a, double b)
{
	return b == 0 ? NAN : a / b;
}

void
bayes_metrics_at(const struct bayes_point *v, size_t n, double threshold,
    struct bayes_metrics *m)
{
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < n; i++) {
		int yes = v[i].p >= threshold;

		if (v[i].won)
			yes ? m->tp++ : m->fn++;
		else
			yes ? m->fp++ : m->tn++;
	}
	m->precision = divide((double)m->tp, (double)(m->tp + m->fp));
	m->recall = divide((double)m->tp, (double)(m->tp + m->fn));
	m->lift = divide(m->precision, divide((double)(m->tp + m->fn),
	    (double)n));
}

static int
point_cmp(const void *a, const void *b)
{
	double x = ((const struct bayes_point *)a)->p;
	double y = ((const struct bayes_point *)b)->p;

	return x < y ? -1 : x > y;
}

double
bayes_auc(struct bayes_point *v, size_t n)
{
	double ranksum = 0, pos = 0, neg;

	if (n > 1)
		qsort(v, n, sizeof *v, point_cmp);
	/* Ranks from 1; a run of equal P shares the mean of its ranks. */
	for (size_t i = 0; i < n;) {
		size_t j = i, k;
		double mean;

		while (j < n && v[j].p == v[i].p)
			j++;
		mean = (double)(i + 1 + j) / 2;	/* of ranks i+1 .. j */
		for (k = i; k < j; k++)
			if (v[k].won) {
				ranksum += mean;
				pos++;
			}
		i = j;
	}
	neg = (double)n - pos;
	if (pos == 0 || neg == 0)
		return NAN;
	return (ranksum - pos * (pos + 1) / 2) / (pos * neg);
}
