/* crm-lead: add, import, list, check, update, qualify and merge leads. */
#include "../crm.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, h) OPT_##id,
#include "lead.opts"
#undef OPT
};

static const struct crm_opt lead_options[] = {
#define OPT(id, s, l, a, m, c, h) { OPT_##id, s, l, a, m, c, h },
#include "lead.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL }
};

static const char *const lead_usage[] = {
	"add [--name NAME] [--company COMPANY] [--phone PHONE] [--email EMAIL] [--field NAME=VALUE] ...",
	"import [-n] [--skip-bad] [--on-duplicate MODE] [-E ENC] [FILE ...]",
	"list [-al] [--status STATUS] [--owner USER] [--pool POOL] [--region REGION] [-m FIELD=REGEX] ...",
	"show ID ...",
	"check [-E ENC] [FILE ...]",
	"update [-n] [ID --FIELD VALUE ... | [--skip-bad] [FILE ...]]",
	"qualify | convert [-n] [ID ...]",
	"disqualify [-n] --reason TEXT [ID ...]",
	"merge [-n] KEEP DUP ...",
	"unmerge [-n] DUP ...",
	NULL
};

const struct crm_prog crm_prog = {
	"crm-lead", "manage leads: import, find duplicates, qualify, merge",
	lead_usage, lead_options
};

enum dup_mode { DUP_SKIP, DUP_UPDATE, DUP_ERROR, DUP_ALLOW };

struct args {
	const char *v[CC_NLONG];
	struct strvec fnames, fvals;	/* --field NAME=VALUE, split */
	struct strvec matches;		/* FIELD=REGEX */
	const char *since, *until, *encoding, *rejects;
	enum dup_mode on_dup;
	int skip_bad, dry_run, all, wide;
	long long limit;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;
	static const int col[] = {
		[OPT_NAME] = CC_NAME, [OPT_COMPANY] = CC_COMPANY,
		[OPT_PHONE] = CC_PHONE, [OPT_EMAIL] = CC_EMAIL,
		[OPT_REGION] = CC_REGION, [OPT_INDUSTRY] = CC_INDUSTRY,
		[OPT_SOURCE] = CC_SOURCE, [OPT_STATUS] = CC_STATUS,
		[OPT_OWNER] = CC_OWNER, [OPT_POOL] = CC_POOL,
		[OPT_SCORE] = CC_SCORE, [OPT_GRADE] = CC_GRADE,
		[OPT_REASON] = CC_STATUS_REASON,
	};

	switch (id) {
	case OPT_FIELD:
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			crm_usage_error("--field takes NAME=VALUE, got '%s'", arg);
		{
			char *name = xstrndup(arg, (size_t)(strchr(arg, '=') - arg));

			sv_push(&a->fnames, name);
			sv_push(&a->fvals, strchr(arg, '=') + 1);
			free(name);
		}
		break;
	case OPT_MATCH:
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			crm_usage_error("--match takes FIELD=REGEX, got '%s'", arg);
		sv_push(&a->matches, arg);
		break;
	case OPT_SINCE: a->since = arg; break;
	case OPT_UNTIL: a->until = arg; break;
	case OPT_ALL: a->all = 1; break;
	case OPT_LONG: a->wide = 1; break;
	case OPT_LIMIT: a->limit = crm_parse_int("limit", arg, 1, 1LL << 62); break;
	case OPT_ENCODING: a->encoding = arg; break;
	case OPT_SKIP_BAD: a->skip_bad = 1; break;
	case OPT_REJECTS: a->rejects = arg; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	case OPT_ON_DUP:
		if (strcmp(arg, "skip") == 0) a->on_dup = DUP_SKIP;
		else if (strcmp(arg, "update") == 0) a->on_dup = DUP_UPDATE;
		else if (strcmp(arg, "error") == 0) a->on_dup = DUP_ERROR;
		else if (strcmp(arg, "allow") == 0) a->on_dup = DUP_ALLOW;
		else
			crm_usage_error("--on-duplicate must be skip, update, error "
			    "or allow, got '%s'", arg);
		break;
	default:
		if ((size_t)id < sizeof col / sizeof col[0] && col[id])
			a->v[col[id]] = arg;
		else if (id == OPT_NAME)
			a->v[CC_NAME] = arg;
	}
}

/* "owned by li", "in pool 华东公海" or "unowned", for duplicate reports. */
static const char *
whose(const struct crm_dup *d)
{
	static char buf[300];

	if (d->this_batch)
		snprintf(buf, sizeof buf, "created from an earlier row of this input");
	else if (d->owner[0])
		snprintf(buf, sizeof buf, "owned by %s", d->owner);
	else if (d->pool[0])
		snprintf(buf, sizeof buf, "in pool %s", d->pool);
	else
		snprintf(buf, sizeof buf, "unowned");
	return buf;
}

static const char *
dup_why(const struct crm_dup *dup)
{
	static char why[512];

	snprintf(why, sizeof why, "duplicate of customer %lld (same %s), %s",
	    dup->id, dup->on, whose(dup));
	return why;
}

/*
** Write customer ID as list does, the header first if not yet written;
** returns 0 when there is no such customer.
*/
static int
put_customer(struct crm_db *db, struct rec_writer *w, long long id, int *header)
{
	struct crm_filter f = { 0 };
	struct crm_cursor *c;
	const char *const *v;

	f.id = id;
	f.merged = 1;
	f.wide = 1;
	c = crm_customers_open(db, &f);
	if (!*header) {
		recw_header(w, crm_cursor_ncol(c), crm_cursor_names(c));
		*header = 1;
	}
	if ((v = crm_cursor_next(c)) != NULL)
		recw_row(w, crm_cursor_ncol(c), v);
	crm_cursor_close(c);
	return v != NULL;
}

/* Finish a writing command: commit, or roll back for --dry-run. */
static void
finish(struct crm_db *db, struct args *a, struct rec_writer *w)
{
	if (a->dry_run) {
		crm_db_rollback(db);
		if (!crm_g.quiet)
			crm_warn("dry run: nothing was changed");
	} else
		crm_db_commit(db);
	recw_close(w);
	crm_db_close(db);
}

static struct crm_db *
open_writer(const char *command, const char *source)
{
	struct crm_db *db = crm_db_open(CRM_DB_WRITE);

	crm_db_begin(db);
	crm_batch_start(db, command, source);
	return db;
}

/* The lead the options describe; it borrows from A. */
static void
lead_from_options(struct crm_lead *l, const struct args *a)
{
	memset(l, 0, sizeof *l);
	memcpy(l->v, a->v, sizeof l->v);
	l->ncustom = a->fnames.n;
	l->custom_names = (const char *const *)a->fnames.v;
	l->custom_values = (const char *const *)a->fvals.v;
}

/* add: one lead from options. */
static int
lead_add(struct args *a, int argc)
{
	struct crm_lead l = { 0 };
	struct crm_lead_refs refs;
	struct crm_dup dup;
	struct crm_db *db;
	struct rec_writer *w;
	const char *err;
	long long id;
	int header = 0;

	if (argc > 1)
		crm_usage_error("add takes no operands");
	lead_from_options(&l, a);
	db = open_writer("crm-lead add", NULL);
	w = recw_open_held(crm_g.csv);
	if ((err = crm_lead_check(db, &l, &refs)) != NULL)
		crm_die("%s", err);
	if (a->on_dup != DUP_ALLOW && crm_lead_find_dup(db, &refs, 0, &dup)) {
		if (a->on_dup != DUP_UPDATE)
			crm_die("not added: %s", dup_why(&dup));
		int changed;
		if ((err = crm_lead_update(db, dup.id, &l, &changed)) != NULL)
			crm_die("customer %lld: %s", dup.id, err);
		id = dup.id;
	} else
		id = crm_lead_insert(db, &l, &refs);
	crm_batch_set_rows(db, 1);
	put_customer(db, w, id, &header);
	crm_lead_refs_free(&refs);
	finish(db, a, w);
	return 0;
}

/* The columns of an input stream, mapped onto a lead. */
struct colmap {
	int *canon;		/* customer column per input column, or -1 */
	int idcol;
	size_t ncustom;
	const char **custom_names;
	int *custom_cols;
};

static void
colmap_init(struct colmap *m, struct rec_reader *r)
{
	size_t n = rec_ncol(r);

	m->canon = xcalloc(n, sizeof *m->canon);
	m->custom_names = xcalloc(n, sizeof *m->custom_names);
	m->custom_cols = xcalloc(n, sizeof *m->custom_cols);
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

static void
colmap_free(struct colmap *m)
{
	free(m->canon);
	free(m->custom_names);
	free(m->custom_cols);
}

/* Fill L from REC through M; VALS is scratch of at least ncustom slots. */
static void
lead_from_rec(struct crm_lead *l, const struct colmap *m, const struct rec *rec,
    const char **vals)
{
	memset(l, 0, sizeof *l);
	for (size_t i = 0; i < rec->n; i++)
		if (m->canon[i] > CC_ID)
			l->v[m->canon[i]] = rec->v[i];
	for (size_t i = 0; i < m->ncustom; i++)
		vals[i] = rec->v[m->custom_cols[i]];
	l->ncustom = m->ncustom;
	l->custom_names = m->custom_names;
	l->custom_values = vals;
}

struct import_stats {
	long long created, updated, skipped;
	struct strvec cols;	/* the output header, from the first input */
	struct crm_import *im;
	struct spool *bulk;	/* output rows of the bulk part, held for the end */
	struct strvec names;	/* input names, by spool tag / 2 */
};

/* Import one stream inside the open transaction. */
static void
import_one(struct crm_db *db, struct args *a, const char *path,
    struct rec_writer *w, int *header, struct import_stats *st)
{
	struct rec_reader *r = rec_open_with(path, crm_g.csv,
	    &(struct rec_opts){ a->encoding, NULL, a->skip_bad });
	struct rec_rejects rj = { a->skip_bad, a->rejects, path, NULL, NULL, NULL, 0 };
	struct progress *pg = progress_start("importing", rec_size(r));
	struct colmap m;
	struct rec *rec;
	const char **vals, **out;
	size_t n = rec_ncol(r), nout = 0;
	long long tag = (long long)st->names.n * 2;
	char idbuf[32];

	sv_push(&st->names, rec_name(r));
	colmap_init(&m, r);
	if (m.idcol >= 0 && !crm_g.quiet)
		crm_warn("note: %s: the 'id' column is ignored: import creates "
		    "new ids (use update to change existing leads)", rec_name(r));
	vals = xcalloc(n + 1, sizeof *vals);
	out = xcalloc(n + 1, sizeof *out);
	out[nout++] = "id";
	for (size_t i = 0; i < n; i++)
		if ((int)i != m.idcol)
			out[nout++] = rec_colname(r, i);
	if (!*header) {
		recw_header(w, nout, out);
		for (size_t i = 0; i < nout; i++)
			sv_push(&st->cols, out[i]);
		*header = (int)nout;
	} else {
		/* Later inputs must have the same columns: stdout has one header. */
		int same = nout == st->cols.n;

		for (size_t i = 0; same && i < nout; i++)
			same = strcmp(out[i], st->cols.v[i]) == 0;
		if (!same)
			crm_die("%s: its columns differ from the first input's",
			    rec_name(r));
	}
	while ((rec = rec_next(r)) != NULL) {
		struct crm_lead l;
		struct crm_lead_refs refs;
		struct crm_dup dup;
		const char *err;
		long long id;
		int suspect = 0, changed;

		progress_update(pg, rec_bytes(r));
		if ((err = rec_width_error(r, rec)) != NULL) {
			rec_reject(&rj, r, rec, err);
			continue;
		}
		lead_from_rec(&l, &m, rec, vals);
		if ((err = crm_lead_check(db, &l, &refs)) != NULL) {
			rec_reject(&rj, r, rec, err);
			crm_lead_refs_free(&refs);
			continue;
		}
		switch (crm_import_add(st->im, &l, &refs, &dup, &id)) {
		case CRM_IMPORT_DUPLICATE:
			if (a->on_dup == DUP_ERROR)
				rec_reject(&rj, r, rec, dup_why(&dup));
			else if (a->on_dup == DUP_SKIP) {
				if (!crm_g.quiet)
					crm_warn("%s:%lu: not imported: %s", rec_name(r),
					    rec->line, dup_why(&dup));
				st->skipped++;
			} else if ((err = crm_lead_update(db, dup.id, &l, &changed)) != NULL)
				rec_reject(&rj, r, rec, err);
			else {
				id = dup.id;
				st->updated++;
				break;
			}
			crm_lead_refs_free(&refs);
			continue;
		case CRM_IMPORT_SUSPECT:
			suspect = 1;
			/* FALLTHROUGH */
		case CRM_IMPORT_CREATED:
			st->created++;
			break;
		}
		crm_lead_refs_free(&refs);
		snprintf(idbuf, sizeof idbuf, "%lld", id);
		nout = 0;
		out[nout++] = idbuf;
		for (size_t i = 0; i < n; i++)
			if ((int)i != m.idcol)
				out[nout++] = rec->v[i];
		if (crm_import_bulk(st->im)) {
			if (st->bulk == NULL)
				st->bulk = spool_open();
			spool_put(st->bulk, tag + suspect, rec->line, nout, out);
		} else
			recw_row(w, nout, out);
	}
	progress_stop(pg);
	if (rj.n && !a->skip_bad)
		crm_die("%s: %zu bad row%s: nothing imported (fix them, or use "
		    "--skip-bad)", rec_name(r), rj.n, rj.n == 1 ? "" : "s");
	rec_rejects_close(&rj);
	colmap_free(&m);
	free(vals);
	free(out);
	rec_close(r);
}

/*
** The rows of the bulk part, in input order, once the indexes are back:
** a suspect that duplicates an earlier row is taken out again.
*/
static void
import_bulk_end(struct import_stats *st, struct rec_writer *w)
{
	const char *const *v;
	long long tag;
	unsigned long line;
	size_t n;

	crm_import_end(st->im);
	if (st->bulk == NULL)
		return;
	while (spool_next(st->bulk, &tag, &line, &n, &v)) {
		struct crm_dup dup;

		if ((tag & 1) && crm_import_verify(st->im, strtoll(v[0], NULL, 10), &dup)) {
			if (!crm_g.quiet)
				crm_warn("%s:%lu: not imported: %s",
				    st->names.v[tag / 2], line, dup_why(&dup));
			st->created--;
			st->skipped++;
			continue;
		}
		recw_row(w, n, v);
	}
	spool_close(st->bulk);
}

static int
lead_import(struct args *a, int argc, char **argv)
{
	static const enum crm_import_mode mode[] = {
		[DUP_SKIP] = CRM_IMPORT_DEFER, [DUP_UPDATE] = CRM_IMPORT_NOW,
		[DUP_ERROR] = CRM_IMPORT_NOW, [DUP_ALLOW] = CRM_IMPORT_ALLOW,
	};
	struct import_stats st = { 0, 0, 0, STRVEC_INIT, NULL, NULL, STRVEC_INIT };
	struct crm_db *db;
	struct rec_writer *w;
	int header = 0;
	char *src = argc > 1 ? argv[1] : "-";

	db = open_writer("crm-lead import", src);
	w = recw_open_held(crm_g.csv);
	st.im = crm_import_begin(db, mode[a->on_dup]);
	if (argc == 1)
		import_one(db, a, "-", w, &header, &st);
	for (int i = 1; i < argc; i++)
		import_one(db, a, argv[i], w, &header, &st);
	import_bulk_end(&st, w);
	crm_import_free(st.im);
	crm_batch_set_rows(db, st.created + st.updated);
	if (!crm_g.quiet)
		crm_warn("%s%lld created, %lld updated, %lld duplicate%s skipped",
		    a->dry_run ? "would have: " : "", st.created, st.updated,
		    st.skipped, st.skipped == 1 ? "" : "s");
	sv_free(&st.cols);
	sv_free(&st.names);
	finish(db, a, w);
	return 0;
}

/* A compiled --match FIELD=REGEX. */
struct match {
	int col;
	struct crm_re *re;
};

static int
lead_list(struct args *a, int argc)
{
	struct crm_filter f = { 0 };
	struct crm_db *db;
	struct crm_cursor *c;
	struct rec_writer *w;
	struct match *mt;
	const char *const *v;
	char since[CRM_TIME_LEN], until[CRM_TIME_LEN];
	long long n = 0;
	time_t t;

	if (argc > 1)
		crm_usage_error("list takes no operands (filters are options)");
	for (int i = CC_NAME; i <= CC_EMAIL; i++)
		if (a->v[i])
			crm_usage_error("list does not filter by --%s: use --match "
			    "%s=REGEX", crm_customer_cols[i], crm_customer_cols[i]);
	if (a->v[CC_SCORE] || a->v[CC_GRADE] || a->fnames.n)
		crm_usage_error("list filters by --match FIELD=REGEX, not by "
		    "--score, --grade or --field");
	f.status = a->v[CC_STATUS] ? crm_status_canonical(a->v[CC_STATUS]) : NULL;
	if (a->v[CC_STATUS] && f.status == NULL)
		crm_usage_error("--status must be lead, qualified, customer or "
		    "disqualified, got '%s'", a->v[CC_STATUS]);
	f.owner = a->v[CC_OWNER];
	f.pool = a->v[CC_POOL];
	f.region = a->v[CC_REGION];
	f.industry = a->v[CC_INDUSTRY];
	f.source = a->v[CC_SOURCE];
	if (a->since) {
		if (crm_parse_time(a->since, &t) == -1)
			crm_usage_error("--since: bad date '%s'", a->since);
		crm_format_time(t, since);
		f.since = since;
	}
	if (a->until) {
		if (crm_parse_time(a->until, &t) == -1)
			crm_usage_error("--until: bad date '%s'", a->until);
		crm_format_time(t, until);
		f.until = until;
	}
	f.merged = a->all;
	f.wide = a->wide;
	db = crm_db_open(CRM_DB_READ);
	c = crm_customers_open(db, &f);
	mt = xcalloc(a->matches.n + 1, sizeof *mt);
	for (size_t i = 0; i < a->matches.n; i++) {
		char *spec = a->matches.v[i], *eq = strchr(spec, '='), err[300];
		size_t k;

		*eq = '\0';
		for (k = 0; k < crm_cursor_ncol(c); k++)
			if (strcmp(crm_cursor_names(c)[k], spec) == 0)
				break;
		if (k == crm_cursor_ncol(c)) {
			char buf[256];
			const char *canon = rec_canonical(spec, buf, sizeof buf);

			for (k = 0; k < crm_cursor_ncol(c); k++)
				if (strcmp(crm_cursor_names(c)[k], canon) == 0)
					break;
			if (k == crm_cursor_ncol(c))
				crm_usage_error("--match: no column '%s'", spec);
		}
		mt[i].col = (int)k;
		if ((mt[i].re = crm_re_compile(eq + 1, err, sizeof err)) == NULL)
			crm_usage_error("--match %s: bad pattern: %s", spec, err);
	}
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, crm_cursor_ncol(c), crm_cursor_names(c));
	while ((a->limit == 0 || n < a->limit) && (v = crm_cursor_next(c)) != NULL) {
		size_t i;

		for (i = 0; i < a->matches.n; i++)
			if (!crm_re_match(mt[i].re, v[mt[i].col]))
				break;
		if (i < a->matches.n)
			continue;
		recw_row(w, crm_cursor_ncol(c), v);
		n++;
	}
	recw_close(w);
	for (size_t i = 0; i < a->matches.n; i++)
		crm_re_free(mt[i].re);
	free(mt);
	crm_cursor_close(c);
	crm_db_close(db);
	return 0;
}

struct show_ctx {
	struct crm_db *db;
	struct rec_writer *w;
	int header, missing;
};

static void
show_one(long long id, const char *where, void *ctx)
{
	struct show_ctx *s = ctx;

	if (!put_customer(s->db, s->w, id, &s->header)) {
		crm_warn("%s: no customer %lld", where, id);
		s->missing = 1;
	}
}

static int
lead_show(int argc, char **argv)
{
	struct show_ctx s = { NULL, NULL, 0, 0 };

	/* Without operands the ids come from stdin, as crm-lead(1) says. */
	s.db = crm_db_open(CRM_DB_READ);
	s.w = recw_open(stdout, "standard output", crm_g.csv);
	rec_each_id(argc - 1, argv + 1, crm_g.csv, show_one, &s);
	recw_close(s.w);
	crm_db_close(s.db);
	return s.missing ? 1 : 0;
}

/* check: annotate a stream with what each row would collide with. */
static int
lead_check(struct args *a, int argc, char **argv)
{
	static const char *const extra[] = {
		"dup_id", "dup_on", "dup_owner", "dup_pool", "dup_line"
	};
	struct crm_db *db = crm_db_open(CRM_DB_READ);
	struct rec_writer *w = recw_open(stdout, "standard output", crm_g.csv);
	struct strmap seen = STRMAP_INIT;
	int header = 0;

	for (int f = argc > 1 ? 1 : 0; f < (argc > 1 ? argc : 1); f++) {
		struct rec_reader *r = rec_open(f ? argv[f] : "-", crm_g.csv,
		    a->encoding);
		struct colmap m;
		struct rec *rec;
		size_t n = rec_ncol(r);
		const char **out = xcalloc(n + 5, sizeof *out), **vals;

		colmap_init(&m, r);
		vals = xcalloc(n + 1, sizeof *vals);
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
			lead_from_rec(&l, &m, rec, vals);
			(void)crm_lead_check(db, &l, &refs);	/* keys even for bad rows */
			for (size_t i = 0; i < n; i++)
				out[i] = rec->v[i];
			for (int i = 0; i < 5; i++)
				out[n + i] = NULL;
			hit = crm_lead_find_dup(db, &refs, 0, &dup);
			if (hit) {
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
		colmap_free(&m);
		free(out);
		free(vals);
		rec_close(r);
	}
	map_free(&seen);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

/* update: ID with options, or a stream of records keyed by id. */
static int
lead_update(struct args *a, int argc, char **argv)
{
	struct crm_db *db;
	struct rec_writer *w;
	const char *err;
	int header = 0, changed;
	char *end;

	if (argc == 2 && argv[1][0] >= '0' && argv[1][0] <= '9') {
		long long id = strtoll(argv[1], &end, 10);
		struct crm_lead l;

		if (*end != '\0')
			crm_usage_error("'%s' is not a customer id", argv[1]);
		lead_from_options(&l, a);
		db = open_writer("crm-lead update", NULL);
		w = recw_open_held(crm_g.csv);
		if ((err = crm_lead_update(db, id, &l, &changed)) != NULL)
			crm_die("customer %lld: %s", id, err);
		put_customer(db, w, id, &header);
		finish(db, a, w);
		return 0;
	}
	db = open_writer("crm-lead update", argc > 1 ? argv[1] : "-");
	w = recw_open_held(crm_g.csv);
	for (int f = argc > 1 ? 1 : 0; f < (argc > 1 ? argc : 1); f++) {
		const char *path = f ? argv[f] : "-";
		struct rec_reader *r = rec_open(path, crm_g.csv, a->encoding);
		struct rec_rejects rj = { a->skip_bad, a->rejects, path, NULL, NULL, NULL, 0 };
		struct colmap m;
		struct rec *rec;
		const char **vals = xcalloc(rec_ncol(r) + 1, sizeof *vals);

		colmap_init(&m, r);
		if (m.idcol < 0)
			crm_die("%s: no 'id' column: update needs it to know which "
			    "leads to change", rec_name(r));
		while ((rec = rec_next(r)) != NULL) {
			struct crm_lead l;
			long long id;

			if ((err = rec_width_error(r, rec)) != NULL) {
				rec_reject(&rj, r, rec, err);
				continue;
			}
			if (rec->v[m.idcol] == NULL ||
			    (id = strtoll(rec->v[m.idcol], &end, 10)) <= 0 || *end) {
				rec_reject(&rj, r, rec, "id: not a customer id");
				continue;
			}
			lead_from_rec(&l, &m, rec, vals);
			if ((err = crm_lead_update(db, id, &l, &changed)) != NULL) {
				rec_reject(&rj, r, rec, err);
				continue;
			}
			put_customer(db, w, id, &header);
		}
		if (rj.n && !a->skip_bad)
			crm_die("%s: %zu bad row%s: nothing updated", rec_name(r),
			    rj.n, rj.n == 1 ? "" : "s");
		rec_rejects_close(&rj);
		colmap_free(&m);
		free(vals);
		rec_close(r);
	}
	finish(db, a, w);
	return 0;
}

struct status_ctx {
	struct crm_db *db;
	struct rec_writer *w;
	const char *status, *reason;
	int header;
};

static void
status_one(long long id, const char *where, void *ctx)
{
	struct status_ctx *s = ctx;
	const char *err;
	int changed;

	if ((err = crm_lead_set_status(s->db, id, s->status, s->reason,
	    &changed)) != NULL)
		crm_die("%s: %s", where, err);
	put_customer(s->db, s->w, id, &s->header);
}

/* Ids with where they came from, read ahead of the transaction. */
struct id_list {
	long long *id;
	struct strvec where;
	size_t n, cap;
};

static void
collect_id(long long id, const char *where, void *ctx)
{
	struct id_list *l = ctx;

	if (l->n == l->cap)
		l->id = xrealloc(l->id, (l->cap = l->cap ? l->cap * 2 : 64) *
		    sizeof *l->id);
	l->id[l->n++] = id;
	sv_push(&l->where, where);
}

/*
** qualify, disqualify, convert.  The ids are read before the write lock
** is taken: in "crm-lead import | crm-lead qualify" the import holds it
** until it has committed, and only then writes the ids we wait for.
*/
static int
lead_status(struct args *a, int argc, char **argv, const char *status)
{
	struct status_ctx s = { NULL, NULL, status, a->v[CC_STATUS_REASON], 0 };
	struct id_list ids = { NULL, STRVEC_INIT, 0, 0 };
	char cmd[64];

	if (strcmp(status, "disqualified") == 0 && a->v[CC_STATUS_REASON] == NULL)
		crm_usage_error("disqualify needs --reason");
	snprintf(cmd, sizeof cmd, "crm-lead %s", argv[0]);
	rec_each_id(argc - 1, argv + 1, crm_g.csv, collect_id, &ids);
	s.db = open_writer(cmd, NULL);
	s.w = recw_open_held(crm_g.csv);
	for (size_t i = 0; i < ids.n; i++)
		status_one(ids.id[i], ids.where.v[i], &s);
	free(ids.id);
	sv_free(&ids.where);
	finish(s.db, a, s.w);
	return 0;
}

static long long
id_operand(const char *s)
{
	char *end;
	long long id = strtoll(s, &end, 10);

	if (*s < '0' || *s > '9' || *end != '\0' || id <= 0)
		crm_usage_error("'%s' is not a customer id", s);
	return id;
}

static int
lead_merge(struct args *a, int argc, char **argv)
{
	struct crm_db *db;
	struct rec_writer *w;
	long long keep;
	int header = 0;

	if (argc < 3)
		crm_usage_error("merge needs KEEP and at least one DUP");
	keep = id_operand(argv[1]);
	db = crm_db_open(CRM_DB_WRITE);
	crm_db_begin(db);
	w = recw_open_held(crm_g.csv);
	for (int i = 2; i < argc; i++) {
		long long dup = id_operand(argv[i]);
		const char *err;

		crm_batch_start(db, "crm-lead merge", NULL);	/* one per DUP */
		if ((err = crm_lead_merge(db, keep, dup)) != NULL)
			crm_die("merge %lld into %lld: %s", dup, keep, err);
	}
	put_customer(db, w, keep, &header);
	finish(db, a, w);
	return 0;
}

static int
lead_unmerge(struct args *a, int argc, char **argv)
{
	struct crm_db *db;
	struct rec_writer *w;
	int header = 0;

	if (argc < 2)
		crm_usage_error("unmerge needs at least one DUP");
	db = open_writer("crm-lead unmerge", NULL);
	w = recw_open_held(crm_g.csv);
	for (int i = 1; i < argc; i++) {
		long long dup = id_operand(argv[i]);
		const char *err;

		if ((err = crm_lead_unmerge(db, dup)) != NULL)
			crm_die("unmerge %lld: %s", dup, err);
		put_customer(db, w, dup, &header);
	}
	finish(db, a, w);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	const char *cmd;
	int rc;

	memset(&a, 0, sizeof a);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	if (argc == 0)
		crm_usage_error("missing command (add, import, list, show, check, "
		    "update, qualify, disqualify, convert, merge, unmerge)");
	cmd = argv[0];
	if (strcmp(cmd, "add") == 0)
		rc = lead_add(&a, argc);
	else if (strcmp(cmd, "import") == 0)
		rc = lead_import(&a, argc, argv);
	else if (strcmp(cmd, "list") == 0)
		rc = lead_list(&a, argc);
	else if (strcmp(cmd, "show") == 0)
		rc = lead_show(argc, argv);
	else if (strcmp(cmd, "check") == 0)
		rc = lead_check(&a, argc, argv);
	else if (strcmp(cmd, "update") == 0)
		rc = lead_update(&a, argc, argv);
	else if (strcmp(cmd, "qualify") == 0)
		rc = lead_status(&a, argc, argv, "qualified");
	else if (strcmp(cmd, "disqualify") == 0)
		rc = lead_status(&a, argc, argv, "disqualified");
	else if (strcmp(cmd, "convert") == 0)
		rc = lead_status(&a, argc, argv, "customer");
	else if (strcmp(cmd, "merge") == 0)
		rc = lead_merge(&a, argc, argv);
	else if (strcmp(cmd, "unmerge") == 0)
		rc = lead_unmerge(&a, argc, argv);
	else
		crm_usage_error("unknown command '%s'", cmd);
	sv_free(&a.fnames);
	sv_free(&a.fvals);
	sv_free(&a.matches);
	return rc;
}
