/* crm-score: lead scores and grades by rules, RFM segments, health, win chances. */
#include <math.h>

#include "../crm.h"
#include "../lib/bayes.h"
#include "../lib/health.h"
#include "../lib/money.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "score.opts"
#undef OPT
};

static const struct crm_opt score_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "score.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const score_usage[] = {
	"[score] [-nx] [--save] --rules FILE [--all | ID ...]",
	"rfm [-n] [--save] [--as-of DATE] [--segments cn|classic|FILE] [--strong-r N] [--active-days N] [--currency CODE]",
	"health [-nx] [--save] [--rules FILE]",
	"predict [-nx] [--save] [--leads] [--fields LIST] [--model]",
	"predict --backtest --since DATE [--threshold P] [--fields LIST]",
	NULL
};

static int score_records(int, char **, void *), score_rfm(int, char **, void *);
static int score_health(int, char **, void *), score_predict(int, char **, void *);

static const struct crm_cmd score_cmds[] = {
	{ "score", score_records }, { "rfm", score_rfm },
	{ "health", score_health }, { "predict", score_predict }, { NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-score", "score and grade customers by rules; RFM, health, win chances",
	score_usage, score_options, score_cmds
};

struct args {
	const char *rules, *as_of, *segments, *fields, *since, *threshold;
	char currency[4];
	int all, explain, save, dry_run, leads, model, backtest;
	struct rfm_settings rfm;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (id) {
	case OPT_RULES: a->rules = arg; break;
	case OPT_ALL: a->all = 1; break;
	case OPT_EXPLAIN: a->explain = 1; break;
	case OPT_SAVE: a->save = 1; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	case OPT_AS_OF: a->as_of = arg; break;
	case OPT_SEGMENTS: a->segments = arg; break;
	case OPT_STRONG_R:
		a->rfm.strong_r = (int)crm_parse_int("strong-r", arg, 2, 5);
		break;
	case OPT_ACTIVE_DAYS:
		a->rfm.active_days = (long)crm_parse_int("active-days", arg, 1,
		    36500);
		break;
	case OPT_CURRENCY:
		if (money_exponent(arg) < 0)
			crm_usage_error("--currency: '%s' is no ISO 4217 code", arg);
		for (int i = 0; i < 3; i++)
			a->currency[i] = (char)(arg[i] & ~0x20);	/* upper */
		break;
	case OPT_LEADS: a->leads = 1; break;
	case OPT_FIELDS: a->fields = arg; break;
	case OPT_MODEL: a->model = 1; break;
	case OPT_BACKTEST: a->backtest = 1; break;
	case OPT_SINCE: a->since = arg; break;
	case OPT_THRESHOLD: a->threshold = arg; break;
	}
}

/*
** Where a command's records go and what it saves: with --save, the
** write run (records held until the commit); else a read-only database
** and standard output.  Customers the actor may not change are counted.
*/
struct out {
	struct crm_run run;
	struct crm_db *db;
	struct rec_writer *w;
	int save;
	long long refused;
	char why[512];		/* the first refusal */
};

static void
out_begin(struct out *o, const struct args *a, enum crm_batch_kind kind)
{
	memset(o, 0, sizeof *o);
	if (a->dry_run && !a->save)
		crm_usage_error("--dry-run goes with --save");
	o->save = a->save;
	if (o->save) {
		crm_run_begin(&o->run, kind, a->dry_run ? CRM_RUN_DRY : 0, NULL);
		o->db = o->run.db;
		o->w = o->run.out;
	} else {
		o->db = crm_db_open(CRM_DB_READ);
		o->w = recw_open(stdout, "standard output", crm_g.csv);
	}
}

/* A save the actor was refused: counted, the first reason kept. */
static void
out_refused(struct out *o, const char *why)
{
	if (o->refused++ == 0)
		snprintf(o->why, sizeof o->why, "%s", why);
}

static void
out_end(struct out *o, const char *what)
{
	if (o->refused && !crm_g.quiet)
		crm_warn("note: %lld %s not saved, as you may not change them "
		    "(the first: %s)", o->refused, what, o->why);
	if (o->save)
		crm_run_end(&o->run);
	else {
		recw_close(o->w);
		crm_db_close(o->db);
	}
}

/* Record IN's figures for customer ID; 1 if it changed. */
static void
out_save(struct out *o, long long id, size_t n, const enum score_col *cols,
    const char *const *old, const char *const *new, const char *reason)
{
	const char *why;
	int k;

	if (!o->save)
		return;
	if ((k = score_save(o->db, id, n, cols, old, new, reason, &why)) < 0)
		out_refused(o, why);
	else
		o->run.rows += k > 0;
}

/* ---- score: records in, records out with score and grade ------------- */

struct scoring {
	struct out o;
	struct score_reader *rd;
	struct score_rules *rules;
	int explain;
	char reason[256], num[32];
	struct strbuf ex;
	struct score_result res;
};

/* Score C into s->res; its explanation into s->ex.  Dies on a match limit. */
static void
score_one(struct scoring *s, struct score_customer *c)
{
	static const enum score_col cols[] = { SCORE_COL_SCORE, SCORE_COL_GRADE };
	const char *new[2];
	char err[1024];

	if (score_eval(s->rules, &c->in, &s->res, err, sizeof err) == -1)
		crm_die("%s", err);
	snprintf(s->num, sizeof s->num, "%lld", s->res.score);
	sb_reset(&s->ex);
	for (size_t i = 0; s->explain && i < s->res.nfired; i++)
		sb_addf(&s->ex, "%s%+lld line %lu: %s", i ? "; " : "",
		    s->res.fired[i].points, s->res.fired[i].line,
		    s->res.fired[i].text);
	new[0] = s->num;
	new[1] = s->res.grade;
	out_save(&s->o, c->id, 2, cols, (const char *const []){
	    c->stored[SCORE_COL_SCORE], c->stored[SCORE_COL_GRADE] }, new,
	    s->reason);
}

/* --all and ID operands: whole customers, as crm-lead list shows them. */
static void
score_customers(struct scoring *s, int argc, char **argv, int *rc)
{
	const struct score_names *nm = score_reader_names(s->rd);
	struct score_customer c;
	const char **h = xcalloc(nm->nfields + 3, sizeof *h), **v;
	size_t n = 0;
	long long id;

	v = xcalloc(nm->nfields + 3, sizeof *v);
	for (size_t i = 0; i < nm->nfields; i++)
		if (i < CC_N || i >= CC_NLONG)
			h[n++] = nm->fields[i];
	h[n++] = "grade";
	if (s->explain)
		h[n++] = "explain";
	recw_header(s->o.w, n, h);
	for (int i = 0; argc == 0 ? score_reader_next(s->rd, &c) : i < argc;
	    i++) {
		if (argc > 0) {
			crm_parse_id(argv[i], &id);
			if (!score_reader_get(s->rd, id, &c)) {
				crm_warn("argument %d: no customer %lld", i + 1, id);
				*rc = 1;
				continue;
			}
			if (c.sight == CRM_SIGHT_NAME) {
				crm_warn("argument %d: customer %lld not scored: you "
				    "see only its name", i + 1, id);
				*rc = 1;
				continue;
			}
		} else if (c.sight == CRM_SIGHT_NAME)
			continue;
		score_one(s, &c);
		n = 0;
		for (size_t k = 0; k < nm->nfields; k++)
			if (k < CC_N || k >= CC_NLONG)
				v[n++] = k == CC_SCORE ? s->num : c.in.fields[k];
		v[n++] = s->res.grade;
		if (s->explain)
			v[n++] = s->ex.buf;
		recw_row(s->o.w, n, v);
	}
	free(h);
	free(v);
}

/* Records on stdin: each passes through with score and grade set. */
static void
score_stream(struct scoring *s, int *rc)
{
	static const char *const added[] = { "score", "grade", "explain" };
	struct rec_reader *r = rec_open("-", crm_g.csv, NULL);
	struct score_customer c;
	struct rec *rec;
	int idcol = rec_col(r, "id"), at[3];
	size_t n = rec_ncol(r), nh, unseen = 0;
	const char **h = xcalloc(n + 3, sizeof *h), **v;
	long long id;

	if (idcol < 0)
		crm_die("%s: no 'id' column in the input", rec_name(r));
	for (size_t i = 0; i < n; i++)
		h[i] = rec_colname(r, i);
	nh = n;
	for (int k = 0; k < 3; k++)
		if ((at[k] = rec_col(r, added[k])) < 0 && (k < 2 || s->explain))
			h[at[k] = (int)nh++] = added[k];
	v = xcalloc(nh, sizeof *v);
	recw_header(s->o.w, nh, h);
	while ((rec = rec_next(r)) != NULL) {
		const char *err = rec_width_error(r, rec);
		int found;

		if (err)
			crm_die("%s:%lu: %s", rec_name(r), rec->line, err);
		if (crm_parse_id(rec->v[idcol], &id) == -1)
			crm_die("%s:%lu: id: '%s' is not a customer id", rec_name(r),
			    rec->line, rec->v[idcol] ? rec->v[idcol] : "");
		memcpy(v, rec->v, n * sizeof *v);
		v[at[0]] = v[at[1]] = NULL;
		if (at[2] >= 0)
			v[at[2]] = NULL;
		if (!(found = score_reader_get(s->rd, id, &c))) {
			crm_warn("%s:%lu: no customer %lld", rec_name(r), rec->line,
			    id);
			*rc = 1;
		} else if (c.sight == CRM_SIGHT_NAME)
			unseen++;
		else {
			long long before = s->o.refused;

			score_one(s, &c);
			v[at[0]] = s->num;
			v[at[1]] = s->res.grade;
			if (at[2] >= 0)
				v[at[2]] = s->ex.buf;
			if (s->o.refused > before) {
				crm_warn("%s:%lu: customer %lld not saved: %s",
				    rec_name(r), rec->line, id, s->o.why);
				s->o.refused = 0;
				*rc = 1;
			}
		}
		recw_row(s->o.w, nh, v);
	}
	if (unseen && !crm_g.quiet)
		crm_warn("note: %zu customer%s not scored: you see only %s name",
		    unseen, unseen == 1 ? "" : "s", unseen == 1 ? "its" : "their");
	rec_close(r);
	free(h);
	free(v);
}

static int
score_records(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct scoring s;
	struct score_days days;
	const struct score_names *nm;
	unsigned char *use;
	unsigned uses;
	char err[1024];
	long long id;
	int rc = 0;

	if (a->rules == NULL)
		crm_usage_error("score needs --rules FILE (see crm-score-rules(5))");
	if (a->all && argc > 1)
		crm_usage_error("--all scores every customer: no ID operands");
	for (int i = 1; i < argc; i++)
		if (crm_parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not a customer id", argv[i]);
	if (!a->all && argc == 1)
		crm_run_read_inputs(0, NULL);
	memset(&s, 0, sizeof s);
	out_begin(&s.o, a, CRM_BATCH_SCORE_SAVE);
	score_days_init(&days, score_today());
	s.rd = score_reader_open(s.o.db, SCORE_WITH_CUSTOM | SCORE_WITH_ACTS |
	    SCORE_WITH_DEALS | (a->save ? SCORE_STORED : 0) |
	    (a->all ? SCORE_LIVE : 0), &days, 0);
	nm = score_reader_names(s.rd);
	if ((s.rules = score_rules_load(a->rules, nm, err, sizeof err)) == NULL)
		crm_die("%s", err);
	/* Read what the rules use, and the columns of whole customers. */
	use = xmalloc(nm->nfields);
	uses = score_rules_uses(s.rules, use);
	for (size_t i = 0; (a->all || argc > 1) && i < nm->nfields; i++)
		use[i] |= i < CC_N || i >= CC_NLONG;
	score_reader_need(s.rd, ~(unsigned)(SCORE_WITH_ACTS | SCORE_WITH_DEALS) |
	    (uses & SCORE_USES_ACTS ? SCORE_WITH_ACTS : 0) |
	    (uses & SCORE_USES_DEALS ? SCORE_WITH_DEALS : 0), use);
	free(use);
	s.explain = a->explain;
	snprintf(s.reason, sizeof s.reason, "rules %s", a->rules);
	sb_init(&s.ex);
	if (a->all || argc > 1)
		score_customers(&s, a->all ? 0 : argc - 1, argv + 1, &rc);
	else
		score_stream(&s, &rc);
	score_reader_close(s.rd);
	score_rules_free(s.rules);
	sb_free(&s.ex);
	out_end(&s.o, "customers");
	return rc;
}

/* ---- rfm --------------------------------------------------------------- */

/* Of the customer's fields, read only its id and name. */
static void
need_id_name(struct score_reader *rd)
{
	unsigned char *use = xcalloc(score_reader_names(rd)->nfields, 1);

	use[CC_ID] = use[CC_NAME] = 1;
	score_reader_need(rd, ~0u, use);
	free(use);
}

/* The segment table --segments names; dies on a bad file. */
static struct rfm_segments *
segments(const struct args *a)
{
	struct rfm_segments *t;
	char err[1024];

	if (a->segments == NULL || strcmp(a->segments, "cn") == 0)
		return rfm_segments_default(&a->rfm);
	if (strcmp(a->segments, "classic") == 0)
		return rfm_segments_classic(&a->rfm);
	if ((t = rfm_segments_load(a->segments, &a->rfm, err, sizeof err)) == NULL)
		crm_die("%s", err);
	return t;
}

static int
score_rfm(int argc, char **argv, void *args)
{
	static const char *const hdr[] = { "id", "name", "recency", "frequency",
		"monetary", "r", "f", "m", "rfm", "segment" };
	static const enum score_col cols[] = { SCORE_COL_RFM, SCORE_COL_SEGMENT };
	struct args *a = args;
	struct rfm_segments *t;
	struct rfm_customer *won, rc;
	struct score_customer c;
	struct score_reader *rd;
	struct score_days days;
	struct out o;
	char rec_[32], fr[32], mon[MONEY_LEN];
	char rfm[4] = "", rr[2] = "", ff[2] = "", mm[2] = "";
	char reason[64];
	size_t n, k = 0;
	long today;

	(void)argv;
	if (argc > 1)
		crm_usage_error("rfm takes no operands");
	t = segments(a);
	out_begin(&o, a, CRM_BATCH_SCORE_RFM);
	score_days_init(&days, score_today());
	if (a->as_of && ((today = score_day(&days, a->as_of)) == SCORE_NO_DAY ||
	    strlen(a->as_of) != 10))
		crm_usage_error("--as-of: bad date '%s' (YYYY-MM-DD)", a->as_of);
	if (a->as_of)
		score_days_init(&days, today);
	snprintf(reason, sizeof reason, "rfm as of %s", a->as_of ? a->as_of :
	    "today");
	n = score_rfm_won(o.db, &days, a->currency, &won);
	rfm_score(won, n);
	rd = score_reader_open(o.db, SCORE_LIVE | SCORE_WITH_ACTIVE |
	    (a->save ? SCORE_STORED : 0), &days, a->rfm.active_days);
	need_id_name(rd);
	recw_header(o.w, 10, hdr);
	while (score_reader_next(rd, &c)) {
		const char *v[10], *seg;

		if (c.sight == CRM_SIGHT_NAME)
			continue;
		while (k < n && won[k].id < c.id)
			k++;
		memset(&rc, 0, sizeof rc);
		if (k < n && won[k].id == c.id)
			rc = won[k];
		rc.active_days = c.active_days;
		seg = rfm_segment(t, &rc);
		memset(v, 0, sizeof v);
		v[0] = c.in.fields[CC_ID];
		v[1] = c.in.fields[CC_NAME];
		if (rc.won > 0) {
			snprintf(rec_, sizeof rec_, "%ld", rc.won_days);
			snprintf(fr, sizeof fr, "%lld", rc.won);
			money_format(rc.won_amount, a->currency, mon);
			/* 1-5 each: one digit */
			rfm[0] = rr[0] = (char)('0' + rc.r);
			rfm[1] = ff[0] = (char)('0' + rc.f);
			rfm[2] = mm[0] = (char)('0' + rc.m);
			v[2] = rec_, v[3] = fr, v[4] = mon;
			v[5] = rr, v[6] = ff, v[7] = mm, v[8] = rfm;
		}
		v[9] = seg;
		recw_row(o.w, 10, v);
		out_save(&o, c.id, 2, cols, (const char *const []){
		    c.stored[SCORE_COL_RFM], c.stored[SCORE_COL_SEGMENT] },
		    (const char *const []){ v[8], seg }, reason);
	}
	score_reader_close(rd);
	free(won);
	rfm_segments_free(t);
	out_end(&o, "customers");
	return 0;
}

/* ---- health ------------------------------------------------------------ */

static int
score_health(int argc, char **argv, void *args)
{
	static const char *const hdr[] = { "id", "name", "health", "explain" };
	static const enum score_col col = SCORE_COL_HEALTH;
	struct args *a = args;
	struct score_rules *rules = NULL;
	const struct health_params *p = &health_defaults;
	struct score_customer c;
	struct score_reader *rd;
	struct score_days days;
	struct health_result hr;
	struct strbuf ex = STRBUF_INIT;
	struct out o;
	char err[1024], num[16];
	int wsum = 0;

	(void)argv;
	if (argc > 1)
		crm_usage_error("health takes no operands");
	out_begin(&o, a, CRM_BATCH_SCORE_HEALTH);
	score_days_init(&days, score_today());
	rd = score_reader_open(o.db, SCORE_WITH_ACTS | SCORE_WITH_DEALS |
	    SCORE_LIVE | SCORE_EXISTING | (a->save ? SCORE_STORED : 0), &days, 0);
	need_id_name(rd);
	if (a->rules && (rules = score_rules_load(a->rules,
	    score_reader_names(rd), err, sizeof err)) == NULL)
		crm_die("%s", err);
	if (rules)
		p = score_rules_health(rules);
	for (int i = 0; i < HEALTH_N; i++)
		wsum += p->weight[i];
	sb_init(&ex);
	recw_header(o.w, a->explain ? 4 : 3, hdr);
	while (score_reader_next(rd, &c)) {
		const char *v[4];

		if (c.sight == CRM_SIGHT_NAME)
			continue;
		health_eval(p, &c.in, &hr);
		snprintf(num, sizeof num, "%d", hr.score);
		sb_reset(&ex);
		for (int i = 0; i < HEALTH_N; i++)
			if (p->weight[i])
				sb_addf(&ex, "%s%s %d = %.2f of %.4g", ex.len ? "; " :
				    "", health_names[i], hr.points[i],
				    hr.fraction[i], 100.0 * p->weight[i] / wsum);
		v[0] = c.in.fields[CC_ID];
		v[1] = c.in.fields[CC_NAME];
		v[2] = num;
		v[3] = ex.buf;
		recw_row(o.w, a->explain ? 4 : 3, v);
		out_save(&o, c.id, 1, &col, &c.stored[SCORE_COL_HEALTH],
		    (const char *const []){ num }, "health");
	}
	sb_free(&ex);
	score_reader_close(rd);
	score_rules_free(rules);
	out_end(&o, "customers");
	return 0;
}

/* ---- predict ----------------------------------------------------------- */

/* A number for a record: "%.4f", or NULL for NaN. */
static const char *
num4(double x, char out[32])
{
	if (isnan(x))
		return NULL;
	snprintf(out, 32, "%.4f", x);
	return out;
}

/* Learn from the closed cases of KIND in [FROM, UNTIL) into B. */
static unsigned long
train(struct crm_db *db, int kind, const char *from, const char *until,
    const char *const *fields, struct bayes *b, unsigned long *won)
{
	struct score_cases *cs = score_cases_open(db, kind, SCORE_CLOSED_CASES,
	    from, until, fields);
	struct score_case c;
	unsigned long n = 0;

	*won = 0;
	while (score_cases_next(cs, &c)) {
		bayes_train(b, c.v, c.won);
		*won += c.won != 0;
		n++;
	}
	score_cases_close(cs);
	return n;
}

/* --backtest: one record of the metrics. */
static void
backtest(struct out *o, const struct args *a, const char *const *fields,
    size_t nf, struct bayes *b)
{
	static const char *const hdr[] = { "trained", "tested", "won", "threshold",
		"tp", "fp", "fn", "tn", "precision", "recall", "lift", "auc" };
	struct score_cases *cs;
	struct score_case c;
	struct bayes_point *pt = NULL;
	struct bayes_metrics m;
	size_t n = 0, cap = 0;
	unsigned long trained, won, tested_won = 0;
	char since[CRM_TIME_LEN], f[12][32];
	const char *v[12];
	double thr;
	time_t t;

	(void)nf;
	if (a->since == NULL || crm_parse_time(a->since, &t) == -1)
		crm_usage_error("--backtest needs --since DATE (YYYY-MM-DD)%s%s%s",
		    a->since ? ", got '" : "", a->since ? a->since : "",
		    a->since ? "'" : "");
	thr = a->threshold ? strtod(a->threshold, NULL) : 0.5;
	crm_format_time(crm_day_start(t), since);
	trained = train(o->db, SCORE_DEALS, NULL, since, fields, b, &won);
	cs = score_cases_open(o->db, SCORE_DEALS, SCORE_CLOSED_CASES, since, NULL,
	    fields);
	while (score_cases_next(cs, &c)) {
		if (n == cap)
			pt = xrealloc(pt, (cap = cap ? 2 * cap : 256) * sizeof *pt);
		pt[n].p = bayes_predict(b, c.v, NULL);
		tested_won += (pt[n++].won = c.won) != 0;
	}
	score_cases_close(cs);
	bayes_metrics_at(pt, n, thr, &m);
	snprintf(f[0], 32, "%lu", trained);
	snprintf(f[1], 32, "%zu", n);
	snprintf(f[2], 32, "%lu", tested_won);
	snprintf(f[3], 32, "%g", thr);
	snprintf(f[4], 32, "%lu", m.tp);
	snprintf(f[5], 32, "%lu", m.fp);
	snprintf(f[6], 32, "%lu", m.fn);
	snprintf(f[7], 32, "%lu", m.tn);
	for (int i = 0; i < 8; i++)
		v[i] = f[i];
	v[8] = num4(m.precision, f[8]);
	v[9] = num4(m.recall, f[9]);
	v[10] = num4(m.lift, f[10]);
	v[11] = num4(bayes_auc(pt, n), f[11]);
	recw_header(o->w, 12, hdr);
	recw_row(o->w, 12, v);
	free(pt);
}

static int
score_predict(int argc, char **argv, void *args)
{
	static const char *const hdr[2][6] = {
		{ "id", "customer_id", "title", "stage", "probability", "explain" },
		{ "id", "name", "status", "probability", "explain", NULL },
	};
	struct args *a = args;
	int kind = a->leads ? SCORE_LEADS : SCORE_DEALS;
	struct strvec fields = STRVEC_INIT;
	struct bayes_term *terms;
	struct score_cases *cs;
	struct score_case c;
	struct bayes *b;
	struct strbuf ex = STRBUF_INIT;
	struct out o;
	unsigned long trained, won;
	char reason[64], prob[32], id[32], cid[32];

	(void)argv;
	if (argc > 1)
		crm_usage_error("predict takes no operands");
	if (a->backtest && (a->save || a->model || a->explain || a->leads))
		crm_usage_error("--backtest reports metrics of deals: no --save, "
		    "--model, --explain or --leads");
	if (!a->backtest && (a->since || a->threshold))
		crm_usage_error("--since and --threshold go with --backtest");
	if (a->threshold && (strtod(a->threshold, NULL) < 0 ||
	    strtod(a->threshold, NULL) > 1 || strspn(a->threshold,
	    "0123456789.") != strlen(a->threshold)))
		crm_usage_error("--threshold must be a number from 0 to 1, got "
		    "'%s'", a->threshold);
	if (a->model && (a->save || a->explain))
		crm_usage_error("--model prints the model: no --save or --explain");
	if (a->save && a->leads)
		crm_usage_error("--save stores deals' chances; leads have no place "
		    "for one");
	if (a->fields)
		sv_split(&fields, a->fields, ',');
	else
		for (const char *const *f = a->leads ? score_lead_fields :
		    score_deal_fields; *f; f++)
			sv_push(&fields, *f);
	for (size_t i = 0; i < fields.n; i++)
		if (!score_case_field(kind, fields.v[i]))
			crm_usage_error("--fields: no field '%s' for %s", fields.v[i],
			    a->leads ? "leads (source, region, industry, owner, "
			    "pool)" : "deals (stage, product, source, owner, "
			    "region, industry, amount)");
	if (fields.n == 0)
		crm_usage_error("--fields: no field given");
	sv_push(&fields, NULL);		/* the lists end in NULL */
	out_begin(&o, a, CRM_BATCH_SCORE_PREDICT);
	b = bayes_new(fields.n - 1, (const char *const *)fields.v);
	if (a->backtest) {
		backtest(&o, a, (const char *const *)fields.v, fields.n - 1, b);
		goto done;
	}
	trained = train(o.db, kind, NULL, NULL, (const char *const *)fields.v, b,
	    &won);
	if (trained == 0 && !crm_g.quiet)
		crm_warn("note: nothing closed to learn from: every chance is 0.5");
	if (a->model) {
		bayes_export(b, o.w);
		goto done;
	}
	snprintf(reason, sizeof reason, "naive Bayes over %lu closed", trained);
	terms = xcalloc(fields.n, sizeof *terms);
	recw_header(o.w, (a->leads ? 4 : 5) + a->explain, hdr[a->leads]);
	cs = score_cases_open(o.db, kind, SCORE_OPEN_CASES, NULL, NULL,
	    (const char *const *)fields.v);
	while (score_cases_next(cs, &c)) {
		double p = bayes_predict(b, c.v, terms);
		const char *v[6], *why;
		size_t n = 0;

		snprintf(prob, sizeof prob, "%.4f", p);
		sb_reset(&ex);
		sb_addf(&ex, "prior ×%.4g (%lu won, %lu lost)", (won + 1.0) /
		    (trained - won + 1.0), won, trained - won);
		for (size_t i = 0; i + 1 < fields.n; i++)
			if (c.v[i] && *c.v[i])
				sb_addf(&ex, "; %s=%s ×%.4g (%lu won, %lu lost)",
				    terms[i].field, terms[i].value, terms[i].ratio,
				    terms[i].won, terms[i].lost);
		snprintf(id, sizeof id, "%lld", c.id);
		snprintf(cid, sizeof cid, "%lld", c.customer_id);
		v[n++] = id;
		if (!a->leads)
			v[n++] = cid;
		v[n++] = c.title;
		v[n++] = c.state;
		v[n++] = prob;
		v[n++] = ex.buf;
		recw_row(o.w, n - !a->explain, v);
		if (!o.save)
			continue;
		switch (score_save_deal(o.db, c.id, c.customer_id, c.predicted,
		    (long long)(p * 10000 + 0.5), reason, &why)) {
		case -1: out_refused(&o, why); break;
		case 1: o.run.rows++; break;
		}
	}
	score_cases_close(cs);
	free(terms);
done:
	sb_free(&ex);
	bayes_free(b);
	sv_free(&fields);
	out_end(&o, a->leads ? "leads" : "deals");
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;

	memset(&a, 0, sizeof a);
	a.rfm = rfm_defaults;
	memcpy(a.currency, "CNY", 4);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	/*
	** Scoring records is the command named "score", and the name may be
	** left out: put it in.  argv has room, as the program's own name
	** was in argv[0] before the operands moved down over it.
	*/
	if (argc == 0 || strspn(argv[0], "0123456789") == strlen(argv[0])) {
		memmove(argv + 1, argv, ((size_t)argc + 1) * sizeof *argv);
		argv[0] = (char *)"score";
		argc++;
	}
	return crm_run_command(argc, argv, &a);
}
