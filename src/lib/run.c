/* run.c: the one write path (see run.h) and customers echoed as records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "io.h"
#include "opt.h"
#include "rec.h"
#include "run.h"
#include "str.h"

void
crm_run_read_inputs(int argc, char **argv)
{
	struct stat st;

	if (argc == 0)
		crm_spool_input("-");
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 ||
		    (stat(argv[i], &st) == 0 && !S_ISREG(st.st_mode) &&
		    !S_ISDIR(st.st_mode)))
			crm_spool_input(argv[i]);
}

void
crm_run_read_ids(int nops)
{
	if (nops == 0)
		crm_run_read_inputs(0, NULL);
}

void
crm_run_begin(struct crm_run *run, enum crm_batch_kind kind, unsigned flags,
    const char *source)
{
	memset(run, 0, sizeof *run);
	run->dry_run = (flags & CRM_RUN_DRY) != 0;
	run->db = crm_db_open((flags & CRM_RUN_CREATE) && !run->dry_run ?
	    CRM_DB_CREATE : CRM_DB_WRITE);
	crm_db_begin_tx(run->db, (flags & CRM_RUN_ROWS) ? CRM_TX_ROWS : CRM_TX_WRITE);
	crm_ctx(run->db)->dry_run = run->dry_run;
	crm_batch_start(run->db, kind, source);
	run->out = recw_open_held(crm_g.csv);
}

void
crm_run_new_batch(struct crm_run *run, enum crm_batch_kind kind)
{
	crm_batch_set_rows(run->db, run->rows);
	run->rows = 0;
	crm_batch_start(run->db, kind, NULL);
}

static void echo_free(struct crm_echo *e);

void
crm_run_end(struct crm_run *run)
{
	crm_batch_set_rows(run->db, run->rows);
	if (run->dry_run) {
		crm_db_rollback(run->db);
		if (!crm_g.quiet)
			crm_warn("dry run: nothing was changed");
	} else
		crm_db_commit(run->db);
	recw_close(run->out);
	run->out = NULL;
	crm_run_echo_close(run);
	crm_db_close(run->db);
	run->db = NULL;
}

/* ---- customers as records -------------------------------------------- */

struct crm_echo {
	int whole;		/* no input: the whole customer */
	struct strvec names;	/* the output header */
	struct strvec changed;	/* columns refreshed from the database */
	size_t nin;		/* input columns, a prefix of names */
	const char **v;
};

static void
echo_free(struct crm_echo *e)
{
	if (e == NULL)
		return;
	sv_free(&e->names);
	sv_free(&e->changed);
	free(e->v);
	free(e);
}

void
crm_run_echo_open(struct crm_run *run, struct rec_reader *in,
    const char *const *changed)
{
	struct crm_echo *e, *was = run->echo;

	if (in == NULL && was && was->whole)
		return;		/* whole customers: the columns are the same */
	e = xcalloc(1, sizeof *e);
	if (in == NULL)
		e->whole = 1;
	else {
		for (size_t i = 0; i < rec_ncol(in); i++)
			sv_push(&e->names, rec_colname(in, i));
		e->nin = e->names.n;
		for (; changed && *changed; changed++) {
			sv_push(&e->changed, *changed);
			if (!sv_has(&e->names, *changed))
				sv_push(&e->names, *changed);
		}
		e->v = xcalloc(e->names.n + 1, sizeof *e->v);
	}
	if (was) {
		/* Several inputs, one stdout: one header, so the same columns. */
		int same = was->whole == e->whole && was->names.n == e->names.n;

		for (size_t i = 0; same && i < e->names.n; i++)
			same = strcmp(was->names.v[i], e->names.v[i]) == 0;
		if (!same)
			crm_die("%s: its columns differ from the first input's",
			    rec_name(in));
		echo_free(was);
		run->echo = e;
		e->whole = -e->whole;	/* header written */
		return;
	}
	run->echo = e;
	if (!e->whole)
		recw_header(run->out, e->names.n, (const char *const *)e->names.v);
}

int
crm_run_echo(struct crm_run *run, long long id, const struct rec *rec)
{
	struct crm_echo *e = run->echo;
	struct crm_filter f = { 0 };
	struct crm_cursor *c;
	const char *const *v, *const *cn;
	size_t ncol;

	f.id = id;
	f.merged = 1;
	f.wide = 1;
	c = crm_customers_open(run->db, &f);
	v = crm_cursor_next(c);
	ncol = crm_cursor_ncol(c);
	cn = crm_cursor_names(c);
	if (e->whole > 0) {
		/* The first customer's columns, kept for the rest of the run. */
		for (size_t k = 0; k < ncol; k++) {
			sv_push(&e->names, cn[k]);
			sv_push(&e->changed, cn[k]);
		}
		e->v = xcalloc(ncol + 1, sizeof *e->v);
		recw_header(run->out, ncol, cn);
		e->whole = -1;
	}
	for (size_t i = 0; i < e->names.n; i++) {
		const char *name = e->names.v[i];

		e->v[i] = i < e->nin && rec && i < rec->n ? rec->v[i] : NULL;
		if (!sv_has(&e->changed, name))
			continue;
		e->v[i] = NULL;
		for (size_t k = 0; v && k < ncol; k++)
			if (strcmp(cn[k], name) == 0)
				e->v[i] = v[k];
	}
	if (v || !e->whole)
		recw_row(run->out, e->names.n, e->v);
	crm_cursor_close(c);
	return v != NULL;
}

void
crm_run_echo_close(struct crm_run *run)
{
	echo_free(run->echo);
	run->echo = NULL;
}

/* What crm_run_each_if passes through rec_ids. */
struct run_each {
	struct crm_run *run;
	const char *const *changed;
	int (*fn)(long long id, const char *where, void *ctx);
	void (*fn_all)(long long id, const char *where, void *ctx);
	void *ctx;
};

static void
each_start(struct rec_reader *r, void *ctx)
{
	struct run_each *e = ctx;

	crm_run_echo_open(e->run, r, r ? e->changed : NULL);
}

static int
each_one(long long id, const char *where, const struct rec *rec, void *ctx)
{
	struct run_each *e = ctx;

	if (e->fn_all)
		e->fn_all(id, where, e->ctx);
	else if (!e->fn(id, where, e->ctx))
		return 0;
	crm_run_echo(e->run, id, rec);
	return 1;
}

void
crm_run_each(struct crm_run *run, int argc, char **argv,
    const char *const *changed,
    void (*fn)(long long id, const char *where, void *ctx), void *ctx)
{
	struct run_each e = { run, changed, NULL, fn, ctx };

	rec_ids(argc, argv, "customer", each_start, each_one, &e);
}

void
crm_run_each_if(struct crm_run *run, int argc, char **argv,
    const char *const *changed,
    int (*fn)(long long id, const char *where, void *ctx), void *ctx)
{
	struct run_each e = { run, changed, fn, NULL, ctx };

	rec_ids(argc, argv, "customer", each_start, each_one, &e);
}
