#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* import.c: creating leads by the thousand: the protocol and the bulk path. */
#include "customer.h"
#include "db.h"
#include "die.h"
#include "import.h"
#include "io.h"
#include "map.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "run.h"
#include "spool.h"
#include "str.h"

#define BULK_ROWS_DEFAULT 10000
#define FILTER_BITS (1u << 27)	/* 16 MiB */

static const char *const key_indexes[] = {
	"customers_phone_key", "customers_email_key", "customers_company_key",
	NULL
};

struct crm_import {
	struct crm_db *db;
	enum crm_import_mode mode;
	long long rows, bulk_at;
	int bulk;
	uint64_t *filter;
	struct strvec saved;	/* the dropped indexes */
	struct crm_fieldids fids;	/* custom fields' ids, for appends */
};

/* FNV-1a, then a 64-bit finalizer to spread it; KIND keeps keys apart. */
static uint64_t
key_hash(int kind, const char *s)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)kind;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
** Add KEY to the filter; 1 if it may have been there already.  Its three
** bits lie in one 64-bit word: one cache miss per key, not three, for a
** false positive rate that stays below 1 in 1,000 up to 1M rows.
*/
static int
filter_add(struct crm_import *im, int kind, const char *key)
{
	uint64_t h = key_hash(kind, key);
	uint64_t *word = &im->filter[(h & 0xffffffff) % (FILTER_BITS / 64)];
	uint64_t m = 1ULL << (h >> 32 & 63) | 1ULL << (h >> 38 & 63) |
	    1ULL << (h >> 44 & 63);
	int seen = (*word & m) == m;

	*word |= m;
	return seen;
}

/* Add the keys of a row; 1 if any of them may have been seen. */
static int
filter_keys(struct crm_import *im, const char *const key[CRM_NKEYS])
{
	int seen = 0;

	for (int k = 0; k < CRM_NKEYS; k++)
		if (key[k])
			seen |= filter_add(im, k, key[k]);
	return seen;
}

struct crm_import *
crm_import_begin(struct crm_db *db, enum crm_import_mode mode)
{
	struct crm_import *im = xcalloc(1, sizeof *im);
	const char *env = getenv("CRM_IMPORT_BULK_ROWS");
	long long at = env && *env ? strtoll(env, NULL, 10) : BULK_ROWS_DEFAULT;
	long long had = crm_db_int(db, "SELECT coalesce(max(id), 0) FROM customers", -1);

	im->db = db;
	im->mode = mode;
	im->bulk_at = had > at ? had : at;
	return im;
}

/* Every live key goes into the filter first, then the indexes go. */
static void
turn_bulk(struct crm_import *im)
{
	if (im->mode == CRM_IMPORT_DEFER) {
		struct crm_stmt *s = crm_sql(im->db, "SELECT phone_key, email_key,"
		    " company_key FROM customers WHERE merged_into IS NULL");

		im->filter = xcalloc(FILTER_BITS / 64, sizeof *im->filter);
		while (crm_step(s)) {
			const char *key[CRM_NKEYS];

			for (int k = 0; k < CRM_NKEYS; k++)
				key[k] = crm_col_text(s, k);
			(void)filter_keys(im, key);
		}
		/* contacts' phones and emails are their customers' keys too */
		s = crm_sql(im->db, "SELECT phone_key, email_key, NULL FROM contacts");
		while (crm_step(s)) {
			const char *key[CRM_NKEYS];

			for (int k = 0; k < CRM_NKEYS; k++)
				key[k] = crm_col_text(s, k);
			(void)filter_keys(im, key);
		}
	}
	crm_db_drop_indexes(im->db, key_indexes, &im->saved);
	im->bulk = 1;
}

enum crm_import_result
crm_import_add(struct crm_import *im, const struct crm_lead *l,
    const struct crm_lead_refs *refs, struct crm_dup *dup, long long *id)
{
	int suspect = 0;

	if (!im->bulk && im->mode != CRM_IMPORT_NOW && im->rows >= im->bulk_at)
		turn_bulk(im);
	if (im->bulk)
		suspect = im->filter &&
		    filter_keys(im, (const char *const *)refs->key);
	else if (im->mode != CRM_IMPORT_ALLOW &&
	    crm_lead_find_dup(im->db, refs, 0, dup))
		return CRM_IMPORT_DUPLICATE;
	/* in bulk, rows are appended where the engine can (COPY) */
	*id = im->bulk ? crm_lead_append(im->db, l, refs, &im->fids) :
	    crm_lead_insert(im->db, l, refs);
	im->rows++;
	return suspect ? CRM_IMPORT_SUSPECT : CRM_IMPORT_CREATED;
}

int
crm_import_bulk(const struct crm_import *im)
{
	return im->bulk;
}

void
crm_import_end(struct crm_import *im)
{
	free(im->filter);
	im->filter = NULL;
	if (im->bulk)
		crm_db_create_indexes(im->db, &im->saved);
}

int
crm_import_verify(struct crm_import *im, long long id, struct crm_dup *dup)
{
	if (!crm_lead_find_earlier_dup(im->db, id, dup))
		return 0;
	crm_lead_retract(im->db, id);
	return 1;
}

void
crm_import_free(struct crm_import *im)
{
	if (im == NULL)
		return;
	free(im->filter);
	sv_free(&im->saved);
	crm_fieldids_free(&im->fids);
	free(im);
}

/* ---- the import protocol --------------------------------------------- */

void
crm_colmap_init(struct crm_colmap *m, struct rec_reader *r)
{
	size_t n = rec_ncol(r);

	m->canon = xcalloc(n + 1, sizeof *m->canon);
	m->custom_names = xcalloc(n + 1, sizeof *m->custom_names);
	m->custom_cols = xcalloc(n + 1, sizeof *m->custom_cols);
	m->vals = xcalloc(n + 1, sizeof *m->vals);
	m->ncustom = 0;
	m->idcol = -1;
	for (size_t i = 0; i < n; i++) {
		const char *name = rec_colname(r, i);
		int c = crm_customer_col(name);

		m->canon[i] = c;
		if (c == CC_ID)
			m->idcol = (int)i;
		if (c < 0 || c == CC_LAST_ACTIVITY_AT || c == CC_NEXT_DUE_AT ||
		    c == CC_OWNER_SINCE || c == CC_POOL_SINCE || c == CC_LOCKED ||
		    c == CC_MERGED_INTO || c == CC_UPDATED_AT) {
			if (c >= 0 || strncmp(name, "dup_", 4) == 0 ||
			    strncmp(name, "reject_", 7) == 0) {
				/* derived, or annotations by check and --skip-bad */
				m->canon[i] = -1;
				continue;
			}
			m->custom_names[m->ncustom] = name;
			m->custom_cols[m->ncustom++] = (int)i;
		}
	}
}

void
crm_colmap_free(struct crm_colmap *m)
{
	free(m->canon);
	free(m->custom_names);
	free(m->custom_cols);
	free(m->vals);
}

void
crm_colmap_lead(struct crm_colmap *m, const struct rec *rec, struct crm_lead *l)
{
	memset(l, 0, sizeof *l);
	for (size_t i = 0; i < rec->n; i++)
		if (m->canon[i] > CC_ID)
			l->v[m->canon[i]] = rec->v[i];
	for (size_t i = 0; i < m->ncustom; i++)
		m->vals[i] = rec->v[m->custom_cols[i]];
	l->ncustom = m->ncustom;
	l->custom_names = m->custom_names;
	l->custom_values = m->vals;
}

const char *
crm_dup_why(const struct crm_dup *d)
{
	static char why[600];
	char whose[300];

	if (d->this_batch)
		snprintf(whose, sizeof whose, "created from an earlier row of "
		    "this input");
	else if (d->owner[0])
		snprintf(whose, sizeof whose, "owned by %s", d->owner);
	else if (d->pool[0])
		snprintf(whose, sizeof whose, "in pool %s", d->pool);
	else
		snprintf(whose, sizeof whose, "unowned");
	snprintf(why, sizeof why, "duplicate of customer %lld (same %s), %s",
	    d->id, d->on, whose);
	return why;
}

const char *
crm_lead_rights(struct crm_db *db, const struct crm_lead *l,
    struct crm_lead_refs *refs)
{
	static char msg[700];
	const char *err;

	(void)l;
	if (refs->owner_id < 0 && refs->pool_id < 0 && !crm_actor_is_admin(db))
		refs->owner_id = crm_actor_id(db);	/* a rep's lead is its own */
	if (refs->owner_id >= 0 &&
	    (err = crm_may_own(db, refs->owner_id)) != NULL) {
		snprintf(msg, sizeof msg, "owner: %s", err);
		return msg;
	}
	if (refs->pool_id >= 0 && (err = crm_may_pool(db, refs->pool_id)) != NULL) {
		snprintf(msg, sizeof msg, "pool: %s", err);
		return msg;
	}
	return NULL;
}

/* One import: the run, the options, the counts, and the held bulk rows. */
struct import_job {
	struct crm_run *run;
	const struct crm_import_opts *o;
	struct crm_import_stats *st;
	struct crm_import *im;
	struct spool *bulk;	/* output rows of the bulk part, for the end */
	struct strvec names;	/* input names, by spool tag / 2 */
	struct strvec cols;	/* the output header, from the first input */
};

/* What to do with a row that duplicates DUP: 1 when ID is to be written. */
static int
on_duplicate(struct import_job *j, struct rec_rejects *rj, struct rec_reader *r,
    const struct rec *rec, const struct crm_lead *l, const struct crm_dup *dup,
    long long *id)
{
	struct crm_db *db = j->run->db;
	const char *err;
	int changed;

	switch (j->o->on_dup) {
	case CRM_DUP_ERROR:
		rec_reject(rj, r, rec, crm_dup_why(dup));
		return 0;
	case CRM_DUP_UPDATE:
		if (crm_may_change(db, dup->id) == NULL) {
			if ((err = crm_lead_update(db, dup->id, l, &changed)) != NULL) {
				rec_reject(rj, r, rec, err);
				return 0;
			}
			*id = dup->id;
			j->st->updated++;
			return 1;
		}
		/* someone else's: reported as a skipped duplicate */
		/* FALLTHROUGH */
	case CRM_DUP_SKIP:
	case CRM_DUP_ALLOW:
		if (!crm_g.quiet)
			crm_warn("%s:%lu: not imported: %s", rec_name(r), rec->line,
			    crm_dup_why(dup));
		j->st->skipped++;
		return 0;
	case CRM_DUP_PASS:
		*id = dup->id;
		j->st->passed++;
		return 1;
	}
	return 0;
}

/* Import one stream inside the open transaction. */
static void
import_one(struct import_job *j, const char *path)
{
	struct crm_db *db = j->run->db;
	const struct crm_import_opts *o = j->o;
	struct rec_reader *r = rec_open_with(path, crm_g.csv,
	    &(struct rec_opts){ o->encoding, o->map, o->skip_bad });
	struct rec_rejects rj = { o->skip_bad, o->rejects, path, NULL, NULL, NULL, 0 };
	struct progress *pg = progress_start("importing", rec_size(r));
	struct crm_colmap m;
	struct rec *rec;
	const char **out;
	size_t n = rec_ncol(r), nout = 0;
	long long tag = (long long)j->names.n * 2;
	char idbuf[32];

	sv_push(&j->names, rec_name(r));
	crm_colmap_init(&m, r);
	if (m.idcol >= 0 && !crm_g.quiet)
		crm_warn("note: %s: the 'id' column is ignored: import creates "
		    "new ids (use update to change existing leads)", rec_name(r));
	out = xcalloc(n + 1, sizeof *out);
	out[nout++] = "id";
	for (size_t i = 0; i < n; i++)
		if ((int)i != m.idcol)
			out[nout++] = rec_colname(r, i);
	if (j->cols.n == 0) {
		recw_header(j->run->out, nout, out);
		for (size_t i = 0; i < nout; i++)
			sv_push(&j->cols, out[i]);
	} else {
		/* Later inputs must have the same columns: stdout has one header. */
		int same = nout == j->cols.n;

		for (size_t i = 0; same && i < nout; i++)
			same = strcmp(out[i], j->cols.v[i]) == 0;
		if (!same)
			crm_die("%s: its columns differ from the first input's",
			    rec_name(r));
	}
	while ((rec = rec_next(r)) != NULL) {
		struct crm_lead l;
		struct crm_lead_refs refs;
		struct crm_dup dup;
		const char *err;
		long long id = 0;
		int suspect = 0;

		progress_update(pg, rec_bytes(r));
		if ((err = rec_width_error(r, rec)) != NULL) {
			rec_reject(&rj, r, rec, err);
			continue;
		}
		crm_colmap_lead(&m, rec, &l);
		if ((err = crm_lead_check(db, &l, &refs)) != NULL ||
		    (err = crm_lead_rights(db, &l, &refs)) != NULL) {
			rec_reject(&rj, r, rec, err);
			crm_lead_refs_free(&refs);
			continue;
		}
		switch (crm_import_add(j->im, &l, &refs, &dup, &id)) {
		case CRM_IMPORT_DUPLICATE:
			if (!on_duplicate(j, &rj, r, rec, &l, &dup, &id)) {
				crm_lead_refs_free(&refs);
				continue;
			}
			break;
		case CRM_IMPORT_SUSPECT:
			suspect = 1;
			/* FALLTHROUGH */
		case CRM_IMPORT_CREATED:
			j->st->created++;
			break;
		}
		crm_lead_refs_free(&refs);
		snprintf(idbuf, sizeof idbuf, "%lld", id);
		nout = 0;
		out[nout++] = idbuf;
		for (size_t i = 0; i < n; i++)
			if ((int)i != m.idcol)
				out[nout++] = rec->v[i];
		if (crm_import_bulk(j->im)) {
			if (j->bulk == NULL)
				j->bulk = spool_open();
			spool_put(j->bulk, tag + suspect, rec->line, nout, out);
		} else
			recw_row(j->run->out, nout, out);
	}
	progress_stop(pg);
	if (rj.n && !o->skip_bad)
		crm_die("%s: %zu bad row%s: nothing imported (fix them, or use "
		    "--skip-bad)", rec_name(r), rj.n, rj.n == 1 ? "" : "s");
	rec_rejects_close(&rj);
	crm_colmap_free(&m);
	free(out);
	rec_close(r);
}

/*
** The rows of the bulk part, in input order, once the indexes are back:
** a suspect that duplicates an earlier row is taken out again (and with
** --on-duplicate pass written with the id of the one it duplicates).
*/
static void
import_bulk_end(struct import_job *j)
{
	const char *const *v;
	long long tag;
	unsigned long line;
	size_t n;
	char idbuf[32];

	crm_import_end(j->im);
	if (j->bulk == NULL)
		return;
	while (spool_next(j->bulk, &tag, &line, &n, &v)) {
		struct crm_dup dup;

		if ((tag & 1) && crm_import_verify(j->im, strtoll(v[0], NULL, 10),
		    &dup)) {
			j->st->created--;
			if (j->o->on_dup == CRM_DUP_PASS) {
				const char **pv = xcalloc(n + 1, sizeof *pv);

				memcpy(pv, v, n * sizeof *pv);
				snprintf(idbuf, sizeof idbuf, "%lld", dup.id);
				pv[0] = idbuf;
				recw_row(j->run->out, n, pv);
				free(pv);
				j->st->passed++;
				continue;
			}
			if (!crm_g.quiet)
				crm_warn("%s:%lu: not imported: %s",
				    j->names.v[tag / 2], line, crm_dup_why(&dup));
			j->st->skipped++;
			continue;
		}
		recw_row(j->run->out, n, v);
	}
	spool_close(j->bulk);
}

void
crm_import_streams(struct crm_run *run, int n, char **paths,
    const struct crm_import_opts *o, struct crm_import_stats *st)
{
	static const enum crm_import_mode mode[] = {
		[CRM_DUP_SKIP] = CRM_IMPORT_DEFER, [CRM_DUP_UPDATE] = CRM_IMPORT_NOW,
		[CRM_DUP_ERROR] = CRM_IMPORT_NOW, [CRM_DUP_ALLOW] = CRM_IMPORT_ALLOW,
		[CRM_DUP_PASS] = CRM_IMPORT_DEFER,
	};
	struct import_job j;

	memset(&j, 0, sizeof j);
	memset(st, 0, sizeof *st);
	j.run = run;
	j.o = o;
	j.st = st;
	if (o->on_dup == CRM_DUP_ALLOW)
		crm_require_admin(run->db, "--on-duplicate allow (a second "
		    "record of a customer)");
	j.im = crm_import_begin(run->db, mode[o->on_dup]);
	if (n == 0)
		import_one(&j, "-");
	for (int i = 0; i < n; i++)
		import_one(&j, paths[i]);
	import_bulk_end(&j);
	crm_import_free(j.im);
	run->rows = st->created + st->updated;
	sv_free(&j.names);
	sv_free(&j.cols);
}

void
crm_lead_check_streams(struct crm_db *db, int nin, char **paths,
    const struct crm_import_opts *o)
{
	static const char *const extra[] = {
		"dup_id", "dup_on", "dup_owner", "dup_pool", "dup_line"
	};
	struct rec_writer *w = recw_open(stdout, "standard output", crm_g.csv);
	struct strmap seen = STRMAP_INIT;
	int header = 0;

	for (int f = 0; f < (nin > 0 ? nin : 1); f++) {
		struct rec_reader *r = rec_open_with(nin > 0 ? paths[f] : "-",
		    crm_g.csv, &(struct rec_opts){ o->encoding, o->map, 0 });
		struct crm_colmap m;
		struct rec *rec;
		size_t n = rec_ncol(r);
		const char **out = xcalloc(n + 5, sizeof *out);

		crm_colmap_init(&m, r);
		if (!header) {
			for (size_t i = 0; i < n; i++)
				out[i] = rec_colname(r, i);
			memcpy(out + n, extra, sizeof extra);
			recw_header(w, n + 5, out);
			header = 1;
		}
		while ((rec = rec_next(r)) != NULL) {
			struct crm_lead l;
			struct crm_lead_refs refs;
			struct crm_dup dup;
			char idb[32], lineb[32], key[1024];
			const char *err;
			int hit;

			if ((err = rec_width_error(r, rec)) != NULL)
				crm_die("%s:%lu: %s", rec_name(r), rec->line, err);
			crm_colmap_lead(&m, rec, &l);
			(void)crm_lead_check(db, &l, &refs);	/* keys even for bad rows */
			for (size_t i = 0; i < n; i++)
				out[i] = rec->v[i];
			for (int i = 0; i < 5; i++)
				out[n + i] = NULL;
			/* What 防撞单 needs of a customer anyone may know: id, holder. */
			if ((hit = crm_lead_find_dup(db, &refs, 0, &dup)) != 0) {
				snprintf(idb, sizeof idb, "%lld", dup.id);
				out[n] = idb;
				out[n + 1] = dup.on;
				out[n + 2] = dup.owner[0] ? dup.owner : NULL;
				out[n + 3] = dup.pool[0] ? dup.pool : NULL;
			}
			for (int k = 0; k < CRM_NKEYS; k++) {
				long long first;

				if (refs.key[k] == NULL)
					continue;
				snprintf(key, sizeof key, "%d:%s", k, refs.key[k]);
				first = map_put(&seen, key, (long long)rec->line);
				if (first != (long long)rec->line && out[n + 4] == NULL) {
					snprintf(lineb, sizeof lineb, "%lld", first);
					out[n + 4] = lineb;
					if (!hit)
						out[n + 1] = crm_key_names[k];
				}
			}
			recw_row(w, n + 5, out);
			crm_lead_refs_free(&refs);
		}
		crm_colmap_free(&m);
		free(out);
		rec_close(r);
	}
	map_free(&seen);
	recw_close(w);
}

void
crm_lead_update_streams(struct crm_run *run, int nin, char **paths,
    const struct crm_import_opts *o)
{
	for (int f = 0; f < (nin > 0 ? nin : 1); f++) {
		const char *path = nin > 0 ? paths[f] : "-";
		struct rec_reader *r = rec_open_with(path, crm_g.csv,
		    &(struct rec_opts){ o->encoding, o->map, o->skip_bad });
		struct rec_rejects rj = { o->skip_bad, o->rejects, path, NULL, NULL,
		    NULL, 0 };
		struct crm_colmap m;
		struct strvec changed = STRVEC_INIT;
		struct rec *rec;
		const char *err;

		crm_colmap_init(&m, r);
		if (m.idcol < 0)
			crm_die("%s: no 'id' column: update needs it to know which "
			    "leads to change", rec_name(r));
		/* The columns given are echoed as stored: normalized, refused ones not. */
		for (size_t i = 0; i < rec_ncol(r); i++)
			if (m.canon[i] > CC_ID ||
			    (m.canon[i] < 0 && crm_customer_col(rec_colname(r, i)) < 0 &&
			    strncmp(rec_colname(r, i), "dup_", 4) != 0 &&
			    strncmp(rec_colname(r, i), "reject_", 7) != 0))
				sv_push(&changed, rec_colname(r, i));
		sv_push(&changed, NULL);
		crm_run_echo_open(run, r, (const char *const *)changed.v);
		while ((rec = rec_next(r)) != NULL) {
			struct crm_lead l;
			long long id;
			int ch;

			if ((err = rec_width_error(r, rec)) != NULL) {
				rec_reject(&rj, r, rec, err);
				continue;
			}
			if (crm_parse_id(rec->v[m.idcol], &id) == -1) {
				rec_reject(&rj, r, rec, "id: not a customer id");
				continue;
			}
			crm_colmap_lead(&m, rec, &l);
			if ((err = crm_lead_update(run->db, id, &l, &ch)) != NULL) {
				rec_reject(&rj, r, rec, err);
				continue;
			}
			run->rows += ch;
			crm_run_echo(run, id, rec);
		}
		if (rj.n && !o->skip_bad)
			crm_die("%s: %zu bad row%s: nothing updated", rec_name(r),
			    rj.n, rj.n == 1 ? "" : "s");
		rec_rejects_close(&rj);
		crm_colmap_free(&m);
		sv_free(&changed);
		rec_close(r);
	}
}
