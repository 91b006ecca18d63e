/* stage.c: the pipeline of deal stages (see stage.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "die.h"
#include "history.h"
#include "policy.h"
#include "rec.h"
#include "stage.h"
#include "str.h"

const char *const crm_outcome_names[3] = { "open", "won", "lost" };

void
crm_pipeline_load(struct crm_db *db, struct crm_pipeline *p)
{
	struct crm_stmt *s = crm_sql(db, "SELECT id, name, label, position,"
	    " probability, outcome FROM stages WHERE position > 0"
	    " ORDER BY position, id");
	struct strbuf names = STRBUF_INIT;
	size_t cap = 0;

	memset(p, 0, sizeof *p);
	sb_init(&names);
	while (crm_step(s)) {
		struct crm_stage *st;
		const char *o = crm_col_text(s, 5);

		if (p->n == cap)
			p->v = xrealloc(p->v, (cap = cap ? cap * 2 : 8) * sizeof *p->v);
		st = &p->v[p->n++];
		st->id = crm_col_int(s, 0);
		st->name = xstrdup(crm_col_text(s, 1));
		st->label = crm_col_null(s, 2) ? NULL : xstrdup(crm_col_text(s, 2));
		st->position = (int)crm_col_int(s, 3);
		st->probability = (int)crm_col_int(s, 4);
		st->outcome = strcmp(o, "won") == 0 ? CRM_WON :
		    strcmp(o, "lost") == 0 ? CRM_LOST : CRM_OPEN;
		sb_addf(&names, "%s%s", names.len ? ", " : "", st->name);
	}
	p->names = sb_detach(&names);
}

void
crm_pipeline_free(struct crm_pipeline *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].label);
	}
	free(p->v);
	free(p->names);
	memset(p, 0, sizeof *p);
}

/* S without the blanks around it, in BUF (size N); NULL when blank or too long. */
static const char *
trim(const char *s, char *buf, size_t n)
{
	const char *e;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	if (e == s || (size_t)(e - s) >= n)
		return NULL;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	return buf;
}

const struct crm_stage *
crm_stage_find(const struct crm_pipeline *p, const char *s)
{
	char buf[256];

	if ((s = trim(s, buf, sizeof buf)) == NULL)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		if (strcasecmp(p->v[i].name, s) == 0 ||
		    (p->v[i].label && strcmp(p->v[i].label, s) == 0))
			return &p->v[i];
	return NULL;
}

const struct crm_stage *
crm_stage_by_id(const struct crm_pipeline *p, long long id)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].id == id)
			return &p->v[i];
	return NULL;
}

const struct crm_stage *
crm_stage_first(const struct crm_pipeline *p, enum crm_outcome outcome)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].outcome == outcome)
			return &p->v[i];
	crm_die("the pipeline has no %s stage (crm-deal stages set)",
	    crm_outcome_names[outcome]);
}

static const char *const stage_cols[] = {
	"name", "label", "position", "probability", "outcome"
};

void
crm_stages_write(struct crm_db *db, struct rec_writer *w)
{
	struct crm_pipeline p;
	char pos[16], prob[16];
	const char *v[5];

	crm_pipeline_load(db, &p);
	recw_header(w, 5, stage_cols);
	for (size_t i = 0; i < p.n; i++) {
		snprintf(pos, sizeof pos, "%d", p.v[i].position);
		snprintf(prob, sizeof prob, "%d", p.v[i].probability);
		v[0] = p.v[i].name;
		v[1] = p.v[i].label;
		v[2] = pos;
		v[3] = prob;
		v[4] = crm_outcome_names[p.v[i].outcome];
		recw_row(w, 5, v);
	}
	crm_pipeline_free(&p);
}

/* ---- replacing the pipeline ------------------------------------------ */

/* The column of a pipeline file a header cell names, in English or Chinese. */
static int
stage_col(const char *header)
{
	static const struct {
		int col;
		const char *alias[6];
	} cols[] = {
		{ 0, { "name", "stage", "阶段", "阶段名称", "名称", NULL } },
		{ 1, { "label", "中文名", "标签", "显示名", NULL } },
		{ 2, { "position", "顺序", "序号", NULL } },
		{ 3, { "probability", "赢率", "概率", "赢单概率", "赢单率", NULL } },
		{ 4, { "outcome", "结果", "类型", NULL } },
	};
	char buf[256];
	const char *h = trim(header, buf, sizeof buf);

	for (size_t i = 0; h && i < sizeof cols / sizeof cols[0]; i++)
		for (size_t k = 0; cols[i].alias[k]; k++)
			if (strcasecmp(h, cols[i].alias[k]) == 0)
				return cols[i].col;
	return -1;
}

struct new_stage {
	char *name, *label;
	int probability;
	enum crm_outcome outcome;
	long long id;		/* the stored stage it is, or 0 for a new one */
	unsigned long line;
};

/* Check one row into NS; NULL or "field: why" (static buffer). */
static const char *
stage_row(const int *col, const struct rec *rec, struct new_stage *ns)
{
	static char msg[300];
	static const char *const outcomes[][2] = {
		{ "open", "进行中" }, { "won", "赢单" }, { "lost", "输单" }
	};
	char nb[256], lb[256], pb[32], ob[64];
	const char *name = col[0] >= 0 ? trim(rec->v[col[0]], nb, sizeof nb) : NULL;
	const char *label = col[1] >= 0 ? trim(rec->v[col[1]], lb, sizeof lb) : NULL;
	const char *prob = col[3] >= 0 ? trim(rec->v[col[3]], pb, sizeof pb) : NULL;
	const char *out = col[4] >= 0 ? trim(rec->v[col[4]], ob, sizeof ob) : NULL;
	char *end;
	long v;
	int o;

#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); return msg; } while (0)
	if (name == NULL)
		BAD("name: empty (a stage needs a name)");
	if (strspn(name, "0123456789") == strlen(name))
		BAD("name: '%s' is a number, which would read as a deal id", name);
	if (prob == NULL)
		BAD("probability: empty (a whole number from 0 to 100)");
	v = strtol(prob, &end, 10);
	if (end == prob || (*end != '\0' && strcmp(end, "%") != 0) || v < 0 ||
	    v > 100)
		BAD("probability: '%s' is not a whole number from 0 to 100", prob);
	for (o = 0; out && o < 3; o++)
		if (strcasecmp(out, outcomes[o][0]) == 0 ||
		    strcmp(out, outcomes[o][1]) == 0)
			break;
	if (o == 3)
		BAD("outcome: '%s' is not open, won or lost", out);
#undef BAD
	ns->name = xstrdup(name);
	ns->label = label ? xstrdup(label) : NULL;
	ns->probability = (int)v;
	ns->outcome = out ? (enum crm_outcome)o : CRM_OPEN;
	ns->line = rec->line;
	return NULL;
}

/* Do A and B, names or labels, read the same to crm_stage_find()? */
static int
clash(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* History of stage ID's FIELD, when it changed. */
static void
stage_history(struct crm_db *db, long long id, const char *field,
    const char *old, const char *new)
{
	if ((old == NULL && new == NULL) || (old && new && strcmp(old, new) == 0))
		return;
	crm_history(db, "stage", id, field, old, new, "crm-deal stages set");
}

/* Store NS as stage at POSITION; returns 1 when anything changed. */
static int
stage_save(struct crm_db *db, struct new_stage *ns, int position)
{
	struct crm_stmt *s;
	char *old[4] = { NULL, NULL, NULL, NULL };
	char now[4][32];
	int changed;

	snprintf(now[0], sizeof now[0], "%d", position);
	snprintf(now[1], sizeof now[1], "%d", ns->probability);
	snprintf(now[2], sizeof now[2], "%s", crm_outcome_names[ns->outcome]);
	if (ns->id == 0) {
		s = crm_sql(db, "INSERT INTO stages (name, label, position,"
		    " probability, outcome) VALUES (?, ?, ?, ?, ?)");
		crm_bind_text(s, 1, ns->name);
		crm_bind_text(s, 2, ns->label);
		crm_bind_int(s, 3, position);
		crm_bind_int(s, 4, ns->probability);
		crm_bind_text(s, 5, crm_outcome_names[ns->outcome]);
		crm_step(s);
		ns->id = crm_db_last_id(db);
		crm_history(db, "stage", ns->id, "created", NULL, ns->name,
		    "crm-deal stages set");
		stage_history(db, ns->id, "label", NULL, ns->label);
		stage_history(db, ns->id, "position", NULL, now[0]);
		stage_history(db, ns->id, "probability", NULL, now[1]);
		stage_history(db, ns->id, "outcome", NULL, now[2]);
		return 1;
	}
	s = crm_sql(db, "SELECT position, probability, outcome, label, name"
	    " FROM stages WHERE id = ?");
	crm_bind_int(s, 1, ns->id);
	crm_step(s);
	for (int i = 0; i < 4; i++)
		old[i] = crm_col_null(s, i) ? NULL : xstrdup(crm_col_text(s, i));
	changed = strcmp(crm_col_text(s, 4), ns->name) != 0;
	if (changed)
		stage_history(db, ns->id, "name", crm_col_text(s, 4), ns->name);
	crm_reset(s);
	stage_history(db, ns->id, "position", old[0], now[0]);
	stage_history(db, ns->id, "probability", old[1], now[1]);
	stage_history(db, ns->id, "outcome", old[2], now[2]);
	stage_history(db, ns->id, "label", old[3], ns->label);
	for (int i = 0; i < 3; i++)
		changed |= strcmp(old[i], now[i]) != 0;
	changed |= !((old[3] == NULL && ns->label == NULL) ||
	    (old[3] && ns->label && strcmp(old[3], ns->label) == 0));
	for (int i = 0; i < 4; i++)
		free(old[i]);
	if (!changed)
		return 0;
	s = crm_sql(db, "UPDATE stages SET name = ?, label = ?, position = ?,"
	    " probability = ?, outcome = ? WHERE id = ?");
	crm_bind_text(s, 1, ns->name);
	crm_bind_text(s, 2, ns->label);
	crm_bind_int(s, 3, position);
	crm_bind_int(s, 4, ns->probability);
	crm_bind_text(s, 5, crm_outcome_names[ns->outcome]);
	crm_bind_int(s, 6, ns->id);
	crm_step(s);
	return 1;
}

/*
** Take stage ST out of the pipeline: deleted when no deal ever was in
** it, else kept out of it (position 0) for the history of those deals.
*/
static void
stage_remove(struct crm_db *db, const struct crm_stage *st)
{
	struct crm_stmt *s;
	char pos[16];

	if (crm_db_int(db, "SELECT count(*) FROM deal_stages WHERE stage_id = ?",
	    st->id) > 0) {
		s = crm_sql(db, "UPDATE stages SET position = 0 WHERE id = ?");
		crm_bind_int(s, 1, st->id);
		crm_step(s);
		snprintf(pos, sizeof pos, "%d", st->position);
		stage_history(db, st->id, "position", pos, "0");
		return;
	}
	s = crm_sql(db, "DELETE FROM stages WHERE id = ?");
	crm_bind_int(s, 1, st->id);
	crm_step(s);
	crm_history(db, "stage", st->id, "removed", st->name, NULL,
	    "crm-deal stages set");
}

long long
crm_stages_set(struct crm_db *db, struct rec_reader *r)
{
	struct crm_pipeline old;
	struct new_stage *ns = NULL;
	struct rec *rec;
	size_t n = 0, cap = 0, bad = 0;
	int col[5] = { -1, -1, -1, -1, -1 }, have[3] = { 0, 0, 0 };
	long long changed = 0;
	const char *err;

	crm_require_admin(db, "changing the pipeline");
	for (size_t i = 0; i < rec_ncol(r); i++) {
		int c = stage_col(rec_header(r, i));

		if (c < 0)
			c = stage_col(rec_colname(r, i));
		if (c < 0)
			crm_die("%s: column '%s' is not name, label, position, "
			    "probability or outcome", rec_name(r), rec_header(r, i));
		col[c] = (int)i;
	}
	if (col[0] < 0 || col[3] < 0)
		crm_die("%s: a pipeline needs the columns name and probability "
		    "(and label and outcome)", rec_name(r));
	while ((rec = rec_next(r)) != NULL) {
		if ((err = rec_width_error(r, rec)) != NULL) {
			crm_warn("%s:%lu: %s", rec_name(r), rec->line, err);
			bad++;
			continue;
		}
		if (n == cap)
			ns = xrealloc(ns, (cap = cap ? cap * 2 : 8) * sizeof *ns);
		memset(&ns[n], 0, sizeof ns[n]);
		if ((err = stage_row(col, rec, &ns[n])) != NULL) {
			crm_warn("%s:%lu: %s", rec_name(r), rec->line, err);
			bad++;
			continue;
		}
		for (size_t k = 0; k < n; k++)
			if (clash(ns[k].name, ns[n].name) ||
			    clash(ns[k].name, ns[n].label) ||
			    clash(ns[k].label, ns[n].name) ||
			    clash(ns[k].label, ns[n].label)) {
				crm_warn("%s:%lu: name: '%s' or its label is already "
				    "a name or label on line %lu", rec_name(r),
				    rec->line, ns[n].name, ns[k].line);
				bad++;
				break;
			}
		if (clash(ns[n].name, ns[n].label) &&
		    strcmp(ns[n].name, ns[n].label) != 0) {
			crm_warn("%s:%lu: label: '%s' reads as the name of its stage",
			    rec_name(r), rec->line, ns[n].label);
			bad++;
		}
		have[ns[n].outcome] = 1;
		n++;
	}
	if (bad)
		crm_die("%s: %zu bad row%s: the pipeline is unchanged",
		    rec_name(r), bad, bad == 1 ? "" : "s");
	if (!have[CRM_OPEN] || !have[CRM_WON] || !have[CRM_LOST])
		crm_die("%s: a pipeline needs an open, a won and a lost stage",
		    rec_name(r));
	/* Stages, in or out of the pipeline, are matched by name. */
	for (size_t i = 0; i < n; i++) {
		long long id = crm_db_id(db, "SELECT id FROM stages"
		    " WHERE lower(name) = lower(?)", ns[i].name);

		ns[i].id = id > 0 ? id : 0;
	}
	crm_pipeline_load(db, &old);
	for (size_t i = 0; i < old.n; i++) {
		const struct crm_stage *st = &old.v[i];
		long long in = crm_db_int(db, "SELECT count(*) FROM deals"
		    " WHERE stage_id = ?", st->id);
		size_t k;

		for (k = 0; k < n && ns[k].id != st->id; k++)
			;
		if (in > 0 && k == n) {
			crm_warn("stage '%s' cannot be removed: %lld deal%s %s in it "
			    "(move them first: crm-deal list --stage %s | crm-deal "
			    "stage OTHER)", st->name, in, in == 1 ? "" : "s",
			    in == 1 ? "is" : "are", st->name);
			bad++;
		} else if (in > 0 && ns[k].outcome != st->outcome) {
			crm_warn("stage '%s' cannot change its outcome from %s to %s: "
			    "%lld deal%s %s in it", st->name,
			    crm_outcome_names[st->outcome],
			    crm_outcome_names[ns[k].outcome], in, in == 1 ? "" : "s",
			    in == 1 ? "is" : "are");
			bad++;
		}
	}
	if (bad)
		crm_die("%s: the pipeline is unchanged", rec_name(r));
	for (size_t i = 0; i < old.n; i++) {
		size_t k;

		for (k = 0; k < n && ns[k].id != old.v[i].id; k++)
			;
		if (k == n) {
			stage_remove(db, &old.v[i]);
			changed++;
		}
	}
	for (size_t i = 0; i < n; i++)
		changed += stage_save(db, &ns[i], (int)i + 1);
	crm_pipeline_free(&old);
	for (size_t i = 0; i < n; i++) {
		free(ns[i].name);
		free(ns[i].label);
	}
	free(ns);
	return changed;
}
