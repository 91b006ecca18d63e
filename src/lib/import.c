/* import.c: creating leads by the thousand: the protocol and the bulk path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulkkeys.h"
#include "customer.h"
#include "db.h"
#include "die.h"
#include "import.h"
#include "io.h"
#include "leadread.h"
#include "map.h"
#include "norm.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "run.h"
#include "str.h"

#define BULK_ROWS_DEFAULT 10000
#define BULK_WORDS (1u << 21)	/* 16 MiB of filter for the bulk part */
#define PREFETCH 4		/* rows ahead whose filter words are fetched */
#define ASK_ROWS 512		/* rows whose keys the server is asked at once */

/* A Bloom filter: three bits of one 64-bit word per key. */
struct filter {
	uint64_t *w;
	uint64_t mask;		/* words - 1, a power of 2 less one */
};

/* How duplicates are decided. */
enum mode {
	MODE_DEFER,		/* skipped or passed on: bulk may come */
	MODE_NOW,		/* updating or failing: one at a time */
	MODE_ALLOW,		/* not looked for */
};

/*
** On a server, in bulk: the keys' text of the rows created, by id less
** the first's (offsets + 1 into TEXT, 0 for none): a key that repeats
** one of them is compared here, for the row may not have been sent yet,
** and asking would send every row fed before it.
*/
struct made {
	uint32_t (*key)[CRM_NKEYS];
	size_t n, cap;
	struct strbuf text;
};

/* One import: the run, the options, the counts, and the bulk part. */
struct import_job {
	struct crm_run *run;
	struct crm_db *db;
	const struct crm_import_opts *o;
	struct crm_import_stats *st;
	enum mode mode;
	long long rows, bulk_at;	/* created so far; bulk from then on */
	int bulk;
	long long next_id;		/* in bulk: the next customer's */
	int server;			/* the server checks keys (asked, below) */
	long long below;		/* in bulk: the first id given */
	struct filter old;		/* in bulk: the keys there were before */
	struct filter seen;		/* in bulk: the keys of its rows so far */
	struct bulkkeys *keys;		/* in bulk: the keys of rows created */
	struct made made;		/* in bulk on a server: those rows */
	struct strvec cols;		/* the output header, from the first input */
};

/* One input being imported: its reader and the row taken from it. */
struct input {
	struct import_job *j;
	struct rec_reader *r;
	struct lead_reader *lr;
	struct rec_rejects rj;
	struct crm_colmap m;
	struct progress *pg;
	const char **out;		/* the output row */
	size_t n;			/* the input's columns */
	const struct lead_row *row;	/* the row taken, checked */
	struct crm_lead l;		/* ... as a lead */
	struct crm_lead_refs refs;
	int taken;			/* the row is taken and not yet decided */
	long long fed;			/* the id of a row fed, not yet finished */
	char when[CRM_TIME_LEN];	/* its created_at */
	struct asked {			/* on a server, in bulk: */
		unsigned long line[ASK_ROWS];	/* rows asked about */
		struct held {			/* the holder older than them */
			long long id, owner, pool, batch;
		} id[ASK_ROWS][CRM_NKEYS];
		size_t n, at;			/* how many; the row taken */
		size_t of[ASK_ROWS * CRM_NKEYS]; /* asking: each key's row, key */
	} asked;
};

/* ---- the Bloom filters of the bulk part -------------------------------- */

/* A filter for about N keys: fewer than 1 in 1,000 false positives. */
static void
filter_init(struct filter *f, size_t n)
{
	size_t words = 1024;

	while (words < n && words < (size_t)1 << 28)
		words *= 2;
	f->w = xcalloc_huge(words, sizeof *f->w);
	f->mask = words - 1;
}

/* Where key HASH's bits lie in F: one word, three bits of it. */
static uint64_t *
filter_word(const struct filter *f, long long hash, uint64_t *mask)
{
	uint64_t h = (uint64_t)hash;	/* mixed already: norm_key_hash() */

	*mask = 1ULL << (h >> 32 & 63) | 1ULL << (h >> 38 & 63) |
	    1ULL << (h >> 44 & 63);
	return &f->w[(h >> 2) & f->mask];
}

/* Whether key HASH may be in F. */
static int
filter_has(const struct filter *f, long long hash)
{
	uint64_t m, *word = filter_word(f, hash, &m);

	return (*word & m) == m;
}

/*
** Add key HASH to F; 1 if it may have been there already.  Its three
** bits lie in one 64-bit word: one cache miss per key, not three.
*/
static int
filter_add(struct filter *f, long long hash)
{
	uint64_t m, *word = filter_word(f, hash, &m);
	int seen = (*word & m) == m;

	*word |= m;
	return seen;
}

/* Fetch the filter words of a row to come, while this one is written. */
static void
filter_prefetch(const struct import_job *j, const struct lead_row *row)
{
	uint64_t m;

	if (j->seen.w && row)
		for (int k = 0; k < CRM_NKEYS; k++)
			if (row->refs.key[k]) {
				__builtin_prefetch(filter_word(&j->seen,
				    row->refs.hash[k], &m), 1);
				__builtin_prefetch(filter_word(&j->old,
				    row->refs.hash[k], &m), 0);
			}
}

/*
** The import turns to bulk: every key there is goes into the filter of
** old keys (customer_keys holds the customers', merged ones too;
** contacts' phones and emails are their customers' keys too), and ids
** are given here.  On a server only an admin reads every key; a rep's
** keys all go to the server to search (ask).
*/
static void
turn_bulk(struct import_job *j)
{
	struct crm_stmt *s;

	if (j->mode == MODE_DEFER && (!j->server || crm_actor_is_admin(j->db))) {
		filter_init(&j->old, (size_t)crm_db_int(j->db, "SELECT"
		    " (SELECT count(*) FROM customer_keys) +"
		    " 2 * (SELECT count(*) FROM contacts)", -1));
		s = crm_sql(j->db, "SELECT key FROM customer_keys");
		while (crm_step(s))
			(void)filter_add(&j->old, crm_col_int(s, 0));
		s = crm_sql(j->db, "SELECT phone_key, email_key FROM contacts");
		while (crm_step(s))
			for (int k = CRM_KEY_PHONE; k <= CRM_KEY_EMAIL; k++)
				if (!crm_col_null(s, k))
					(void)filter_add(&j->old, norm_key_hash(k,
					    crm_col_text(s, k)));
	}
	if (j->mode == MODE_DEFER)
		filter_init(&j->seen, BULK_WORDS);
	j->next_id = crm_db_int(j->db, "SELECT coalesce(max(id), 0) + 1"
	    " FROM customers", -1);
	j->below = j->next_id;
	j->keys = bulkkeys_open();
	sb_init(&j->made.text);
	j->bulk = 1;
}

/* ---- deciding a row ---------------------------------------------------- */

/* S as an element of an array literal of PostgreSQL's, quoted. */
static void
array_text(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '"');
}

/*
** On a server the old customers' keys are the server's to search (a rep
** may not read them): the keys of the row taken and of the rows read
** after it, up to ASK_ROWS, go in one call (crm.dup_keys), and each
** row's answer waits in IN's asked until the row is taken.  Where there
** is a filter of the old keys (an admin's), only those it may hold.
*/
static void
ask(struct input *in)
{
	struct asked *a = &in->asked;
	struct strbuf hs, ks;
	const struct lead_row *row = in->row;
	struct crm_stmt *s;
	size_t n = 0;

	sb_init(&hs);
	sb_init(&ks);
	memset(a->id, 0, sizeof a->id);
	for (a->n = 0; row && a->n < ASK_ROWS; row = lead_read_ahead(in->lr, a->n)) {
		a->line[a->n] = row->rec.line;
		for (int k = 0; k < CRM_NKEYS; k++)
			if (row->refs.key[k] && (in->j->old.w == NULL ||
			    filter_has(&in->j->old, row->refs.hash[k]))) {
				sb_addc(&hs, n ? ',' : '{');
				sb_addc(&ks, n ? ',' : '{');
				sb_addf(&hs, "%lld", row->refs.hash[k]);
				array_text(&ks, row->refs.key[k]);
				a->of[n++] = a->n * CRM_NKEYS + (size_t)k;
			}
		a->n++;
	}
	a->at = 0;
	if (n > 0) {
		sb_addc(&hs, '}');
		sb_addc(&ks, '}');
		/*
		 * Named without its schema (crm, the search path), so that
		 * the rows fed so far are not sent first, as they are before
		 * a function of ours may read them: this one reads only
		 * customers older than the import's.
		 */
		s = crm_sql(in->j->db, "SELECT i, id, owner_id, pool_id, batch_id"
		    " FROM dup_keys(?, ?, ?)");
		crm_bind_text(s, 1, hs.buf);
		crm_bind_text(s, 2, ks.buf);
		crm_bind_int(s, 3, in->j->below);
		while (crm_step(s)) {
			size_t x = a->of[crm_col_int(s, 0) - 1];
			struct held *h = &a->id[x / CRM_NKEYS][x % CRM_NKEYS];

			h->id = crm_col_int(s, 1);
			h->owner = crm_col_null(s, 2) ? -1 : crm_col_int(s, 2);
			h->pool = crm_col_null(s, 3) ? -1 : crm_col_int(s, 3);
			h->batch = crm_col_int(s, 4);
		}
	}
	sb_free(&hs);
	sb_free(&ks);
}

/* The server's answer for the row taken: per key, an old holder (id 0: none). */
static const struct held *
asked_of(struct input *in)
{
	struct asked *a = &in->asked;
	unsigned long line = in->row->rec.line;

	while (a->at < a->n && a->line[a->at] < line)
		a->at++;
	if (a->at == a->n || a->line[a->at] != line)
		ask(in);
	return a->id[a->at];
}

/* A key of a bulk row looked for among the rows added in bulk before it. */
struct key_search {
	struct import_job *j;
	int k;
	const char *key;
	struct crm_dup *dup;
};

static int
key_is(long long id, void *ctx)
{
	struct key_search *ks = ctx;
	const struct made *m = &ks->j->made;
	uint32_t at;

	if (!ks->j->server)
		return crm_lead_key_is(ks->j->db, id, ks->k, ks->key, ks->dup);
	at = m->key[id - ks->j->below][ks->k];
	if (!at || strcmp(m->text.buf + at - 1, ks->key) != 0)
		return 0;
	/* made by this import: that is what is said of it, not its owner */
	crm_dup_set(ks->j->db, ks->dup, id, ks->k, -1, -1, crm_batch_id(ks->j->db));
	return 1;
}

/* Row ID, just created in bulk on a server, into J's made. */
static void
made_add(struct import_job *j, long long id, const struct crm_lead_refs *refs)
{
	struct made *m = &j->made;
	uint32_t *at;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 4096;
		m->key = xrealloc(m->key, m->cap * sizeof *m->key);
	}
	if ((size_t)(id - j->below) != m->n)
		crm_die("internal error: bulk ids out of order");
	at = m->key[m->n++];
	for (int k = 0; k < CRM_NKEYS; k++) {
		at[k] = 0;
		if (refs->key[k]) {
			if (m->text.len >= UINT32_MAX - 1024)
				crm_die("import: more keys than one run holds (4 GiB)");
			at[k] = (uint32_t)m->text.len + 1;
			sb_add(&m->text, refs->key[k], strlen(refs->key[k]) + 1);
		}
	}
}

/*
** Whether the row taken duplicates a customer, DUP saying which: the
** one crm_lead_find_dup() finds.  In bulk, a key is looked for only
** where the filters say it may be, and in the order crm_lead_find_dup()
** tries them: among the rows added in bulk first, then in the database.
** A key found among those rows is in no customer older than them (the
** row would have been a duplicate, not created): the one found is the
** lowest id holding the key.
*/
static int
is_dup(struct input *in, struct crm_dup *dup)
{
	struct import_job *j = in->j;
	unsigned seen = 0, old = 0;
	const struct held *held;

	if (j->mode == MODE_ALLOW)
		return 0;
	if (!j->bulk)
		return crm_lead_find_dup(j->db, &in->refs, 0, dup);
	held = j->server ? asked_of(in) : NULL;
	for (int k = 0; k < CRM_NKEYS; k++)
		if (in->refs.key[k]) {
			if (filter_add(&j->seen, in->refs.hash[k]))
				seen |= 1u << k;
			if (held ? held[k].id != 0 : filter_has(&j->old, in->refs.hash[k]))
				old |= 1u << k;
		}
	for (int k = 0; (seen | old) >> k; k++) {
		struct key_search ks = { j, k, in->refs.key[k], dup };

		if ((seen & 1u << k) &&
		    bulkkeys_find(j->keys, in->refs.hash[k], key_is, &ks))
			return 1;
		if ((old & 1u << k) && held) {
			crm_dup_set(j->db, dup, held[k].id, k, held[k].owner,
			    held[k].pool, held[k].batch);
			return 1;
		}
		if ((old & 1u << k) &&
		    crm_lead_find_dup_key(j->db, &in->refs, k, dup))
			return 1;
	}
	return 0;
}

/* ---- the import protocol --------------------------------------------- */

void
crm_colmap_init(struct crm_colmap *m, struct rec_reader *r)
{
	size_t n = rec_ncol(r);

	m->canon = xcalloc(n + 1, sizeof *m->canon);
	m->custom_names = xcalloc(n + 1, sizeof *m->custom_names);
	m->custom_cols = xcalloc(n + 1, sizeof *m->custom_cols);
	m->custom_ids = xcalloc(n + 1, sizeof *m->custom_ids);
	for (size_t i = 0; i < n; i++)
		m->custom_ids[i] = -1;
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
	free(m->custom_ids);
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
	l->custom_ids = m->custom_ids;
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

/*
** Take the next row that passes the checks, as IN's lead and refs;
** bad rows are rejected on the way.  0 at the end of the input.
*/
static int
take(struct input *in)
{
	struct import_job *j = in->j;
	const char *err;

	while ((in->row = lead_read_next(in->lr)) != NULL) {
		const struct rec *rec = &in->row->rec;

		progress_update(in->pg, in->row->bytes);
		filter_prefetch(j, lead_read_ahead(in->lr, PREFETCH));
		if (rec->bad) {
			rec_reject(&in->rj, in->r, rec, rec->bad);
			continue;
		}
		crm_colmap_lead(&in->m, rec, &in->l);
		in->refs = in->row->refs;
		if ((err = in->row->err) != NULL ||
		    (err = crm_lead_check_refs(j->db, &in->l, &in->refs)) != NULL ||
		    (err = crm_lead_rights(j->db, &in->l, &in->refs)) != NULL) {
			rec_reject(&in->rj, in->r, rec, err);
			continue;
		}
		return in->taken = 1;
	}
	return 0;
}

/* The row taken is a duplicate: answer it as asked, with its output. */
static void
duplicate(struct input *in, const struct crm_dup *dup)
{
	long long id;

	if (on_duplicate(in->j, &in->rj, in->r, &in->row->rec, &in->l, dup, &id))
		lead_read_put(in->lr, id);
}

/* The rest of the row fed last, now that it is in the table. */
static void
finish_fed(struct input *in)
{
	if (in->fed) {
		crm_lead_created(in->j->db, in->fed, &in->l, &in->refs);
		in->fed = 0;
	}
}

/*
** crm_db_feed()'s rows in bulk: the next row to create, its duplicate
** decided at once and its output written, as ROW's values, with the id
** it gets; its keys are held back (bulkkeys).
*/
static int
feed_row(void *ctx, struct crm_value *row)
{
	struct input *in = ctx;
	struct import_job *j = in->j;
	struct crm_dup dup;
	long long id;

	finish_fed(in);
	while (in->taken || take(in)) {
		in->taken = 0;
		if (is_dup(in, &dup)) {
			duplicate(in, &dup);
			continue;
		}
		id = j->next_id++;
		for (int k = 0; k < CRM_NKEYS; k++)
			if (in->refs.key[k])
				bulkkeys_add(j->keys, in->refs.hash[k], id);
		if (j->server)
			made_add(j, id, &in->refs);
		j->rows++;
		j->st->created++;
		lead_read_put(in->lr, id);
		crm_lead_values(j->db, &in->l, &in->refs, id, row, in->when);
		in->fed = id;
		return 1;
	}
	return 0;
}

/*
** Import the rows of IN: one at a time, as crm-lead add does, until the
** import turns to bulk; from then on, in one statement (crm_db_feed).
*/
static void
import_rows(struct input *in)
{
	struct import_job *j = in->j;
	struct crm_dup dup;
	long long id;

	while (j->bulk || take(in)) {
		if (!j->bulk && j->mode != MODE_NOW && j->rows >= j->bulk_at)
			turn_bulk(j);
		if (j->bulk) {
			crm_db_feed(j->db, crm_lead_feed_sql, feed_row, in);
			finish_fed(in);
			return;
		}
		in->taken = 0;
		if (is_dup(in, &dup)) {
			duplicate(in, &dup);
			continue;
		}
		id = crm_lead_insert(j->db, &in->l, &in->refs);
		j->rows++;
		j->st->created++;
		lead_read_put(in->lr, id);
	}
}

/* Import one stream inside the open transaction. */
static void
import_one(struct import_job *j, const char *path)
{
	const struct crm_import_opts *o = j->o;
	struct input in;
	size_t nout = 0;

	memset(&in, 0, sizeof in);
	in.j = j;
	in.r = rec_open_with(path, crm_g.csv,
	    &(struct rec_opts){ o->encoding, o->map, o->skip_bad });
	in.rj = (struct rec_rejects){ o->skip_bad, o->rejects, path, NULL, NULL,
	    NULL, 0 };
	in.pg = progress_start("importing", rec_size(in.r));
	in.n = rec_ncol(in.r);
	crm_colmap_init(&in.m, in.r);
	if (in.m.idcol >= 0 && !crm_g.quiet)
		crm_warn("note: %s: the 'id' column is ignored: import creates "
		    "new ids (use update to change existing leads)", rec_name(in.r));
	in.out = xcalloc(in.n + 1, sizeof *in.out);
	in.out[nout++] = "id";
	for (size_t i = 0; i < in.n; i++)
		if ((int)i != in.m.idcol)
			in.out[nout++] = rec_colname(in.r, i);
	if (j->cols.n == 0) {
		recw_header(j->run->out, nout, in.out);
		for (size_t i = 0; i < nout; i++)
			sv_push(&j->cols, in.out[i]);
	} else {
		/* Later inputs must have the same columns: stdout has one header. */
		int same = nout == j->cols.n;

		for (size_t i = 0; same && i < nout; i++)
			same = strcmp(in.out[i], j->cols.v[i]) == 0;
		if (!same)
			crm_die("%s: its columns differ from the first input's",
			    rec_name(in.r));
	}
	in.lr = lead_read_start(in.r, j->run->out, in.m.idcol);
	import_rows(&in);
	lead_read_end(in.lr);
	progress_stop(in.pg);
	if (in.rj.n && !o->skip_bad)
		crm_die("%s: %zu bad row%s: nothing imported (fix them, or use "
		    "--skip-bad)", rec_name(in.r), in.rj.n, in.rj.n == 1 ? "" : "s");
	rec_rejects_close(&in.rj);
	crm_colmap_free(&in.m);
	free(in.out);
	rec_close(in.r);
}

void
crm_import_streams(struct crm_run *run, int n, char **paths,
    const struct crm_import_opts *o, struct crm_import_stats *st)
{
	static const enum mode mode[] = {
		[CRM_DUP_SKIP] = MODE_DEFER, [CRM_DUP_UPDATE] = MODE_NOW,
		[CRM_DUP_ERROR] = MODE_NOW, [CRM_DUP_ALLOW] = MODE_ALLOW,
		[CRM_DUP_PASS] = MODE_DEFER,
	};
	const char *env = getenv("CRM_IMPORT_BULK_ROWS");
	long long at = env && *env ? strtoll(env, NULL, 10) : BULK_ROWS_DEFAULT;
	struct import_job j;

	memset(&j, 0, sizeof j);
	j.server = crm_db_server(run->db);
	memset(st, 0, sizeof *st);
	j.run = run;
	j.db = run->db;
	j.o = o;
	j.st = st;
	j.mode = mode[o->on_dup];
	if (o->on_dup == CRM_DUP_ALLOW)
		crm_require_admin(run->db, "--on-duplicate allow (a second "
		    "record of a customer)");
	/*
	 * In bulk the keys there were before are read into a filter, unless
	 * the server searches them: at first, then, or once the rows added
	 * are as many as there were.
	 */
	if (j.server)
		j.bulk_at = env && *env ? at : 0;
	else {
		j.bulk_at = crm_db_int(j.db, "SELECT coalesce(max(id), 0)"
		    " FROM customers", -1);
		if (j.bulk_at < at)
			j.bulk_at = at;
	}
	if (n == 0)
		import_one(&j, "-");
	for (int i = 0; i < n; i++)
		import_one(&j, paths[i]);
	free(j.old.w);
	free(j.seen.w);
	free(j.made.key);
	sb_free(&j.made.text);
	if (j.keys)
		bulkkeys_write(j.keys, j.db);
	run->rows = st->created + st->updated;
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
