/* dealimport.c: crm-deal import: deals by the thousand in one transaction (deal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "customer.h"
#include "db.h"
#include "deal.h"
#include "die.h"
#include "history.h"
#include "import.h"
#include "io.h"
#include "map.h"
#include "norm.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "run.h"
#include "str.h"

/* An empty value is no value. */
static const char *
val(const char *s)
{
	return str_blank(s) ? NULL : s;
}

/*
** Input columns that are not a deal field of DC_*: passed through,
** ignored (kept by the database), or an id column, which is the deal's
** id elsewhere (external_id) unless an external_id column is given too.
*/
enum { COL_PASS = -1, COL_DERIVED = -2, COL_ID = -3 };

/*
** The deal field a header cell names: HEADER as written, else CANON (what
** rec_canonical made of it: 公司 is company, 负责人 owner).  DC_CUSTOMER
** stands for the company a customer is matched by.
*/
static int
deal_col(const char *header, const char *canon)
{
	static const struct {
		int col;
		const char *alias[12];
	} cols[] = {
		/* before id: 客户编号 is a customer's id, not the deal's */
		{ DC_CUSTOMER_ID, { "customer_id", "客户编号", "客户id", "客户ID",
		    "customer id", NULL } },
		{ DC_CUSTOMER, { "company", "customer", "客户", NULL } },
		{ DC_TITLE, { "title", "商机名称", "商机", "商机标题", "标题",
		    "项目名称", "名称", "opportunity", "deal", NULL } },
		{ DC_AMOUNT, { "amount", "金额", "商机金额", "预计金额", "合同金额",
		    "销售金额", "value", NULL } },
		{ DC_CURRENCY, { "currency", "币种", "货币", NULL } },
		{ DC_STAGE, { "stage", "阶段", "销售阶段", "商机阶段", NULL } },
		{ DC_OWNER, { "owner", "销售", "销售负责人", NULL } },
		{ DC_PRODUCT, { "product", "产品", "产品名称", NULL } },
		{ DC_SOURCE, { "source", "商机来源", NULL } },
		{ DC_CREATED_AT, { "created_at", "创建日期", NULL } },
		{ DC_EXPECTED_CLOSE, { "expected_close", "预计成交日期",
		    "预计成交时间", "预计签单日期", "预计结单日期", "close_date",
		    NULL } },
		{ DC_CLOSED_AT, { "closed_at", "成交日期", "结单日期", "关闭日期",
		    "成交时间", "closed", NULL } },
		{ DC_LOST_REASON, { "lost_reason", "输单原因", "丢单原因",
		    "失败原因", NULL } },
		{ DC_EXTERNAL_ID, { "external_id", "商机编号", "商机id", "商机ID",
		    NULL } },
		{ COL_ID, { "id", NULL } },
		/* what crm-deal list adds: kept by the database */
		{ COL_DERIVED, { "stage_label", "outcome", "probability",
		    "stage_since", "updated_at", NULL } },
	};
	char buf[256];
	const char *e, *name[2] = { header, canon };

	while (*header == ' ' || *header == '\t')
		header++;
	for (e = header + strlen(header); e > header &&
	    (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	snprintf(buf, sizeof buf, "%.*s", (int)(e - header), header);
	name[0] = buf;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
			for (size_t k = 0; cols[i].alias[k]; k++)
				if (strcasecmp(name[pass], cols[i].alias[k]) == 0)
					return cols[i].col;
	if (strncmp(canon, "reject_", 7) == 0)
		return COL_DERIVED;
	return COL_PASS;
}

/*
** A large import is a bulk load (as crm-lead import's, import.h): once it
** has added as many deals as the table held (and at least
** CRM_IMPORT_BULK_ROWS), the deals' indexes that rows land all over
** (customer, owner, dates) are dropped and built again at the end, one
** sort each instead of a descent per row into pages that no longer fit
** the cache; those the rows extend at their end (by stage, by deal id,
** by batch) stay.  The stage rows and history rows of all the new deals
** are then written in one statement each, their scattered indexes
** dropped first when the tables grow by as much as they held.
*/
#define BULK_ROWS_DEFAULT 10000
static const char *const deal_indexes[] = {
	"deals_customer", "deals_owner", "deals_expected", "deals_closed", NULL
};
static const char *const stage_indexes[] = {
	"deal_stages_stage", NULL
};
static const char *const history_indexes[] = {
	"history_claims", NULL
};

/* A customer found for an earlier row: the next rows of it ask no query. */
struct known {
	long long id, owner_id;		/* owner -1 when none */
	char *name;			/* company, else name; or NULL */
	char *owner;			/* the owner's login, or NULL */
};

/* One import: the run, its options and counts, the pipeline, scratch. */
struct job {
	struct crm_run *run;
	struct crm_db *db;
	const struct crm_deal_import_opts *o;
	struct crm_deal_import_stats *st;
	struct crm_pipeline pl;
	struct strvec pass;		/* the output's columns after the deal's */
	int header;
	struct strmap seen;		/* "c:COMPANY" or "i:ID" -> known[] */
	struct strmap owners;		/* deals' owners: login -> id */
	struct known *known;
	size_t nknown, capknown;
	long long first;		/* the first deal's id */
	long long closed;		/* deals imported won or lost */
	long long bulk_min, bulk_at;	/* deals to turn to bulk at */
	int bulk;
	struct strvec saved;		/* the indexes dropped */
	struct crm_deal_new d;		/* the row's deal, which its record points into */
};

/* Remember customer ID (NAME, held by OWNER_ID) as the one KEY names. */
static const struct known *
remember(struct job *j, const char *key, long long id, long long owner_id,
    const char *name)
{
	struct known *k;
	const char *login = owner_id >= 0 ? crm_user_login(j->db, owner_id) : NULL;

	if (j->nknown == j->capknown)
		j->known = xrealloc(j->known, (j->capknown = j->capknown ?
		    j->capknown * 2 : 256) * sizeof *j->known);
	k = &j->known[j->nknown];
	k->id = id;
	k->owner_id = owner_id;
	k->name = name ? xstrdup(name) : NULL;
	k->owner = login ? xstrdup(login) : NULL;
	if (key[0])
		map_put(&j->seen, key, (long long)j->nknown);
	j->nknown++;
	return k;
}

/*
** The live customer of a row, by ID or, when COMPANY is not NULL, by
** the company key of COMPANY (the lowest id holding it); NULL if none.
** KEY gets the cache key.
*/
static const struct known *
find_customer(struct job *j, long long id, const char *company, char *key,
    size_t keysize)
{
	struct crm_stmt *s;
	const struct known *k;
	char *ckey = NULL;
	long long i;

	if ((size_t)(company ? snprintf(key, keysize, "c:%s", company) :
	    snprintf(key, keysize, "i:%lld", id)) >= keysize)
		key[0] = '\0';		/* too long to remember */
	else if ((i = map_get(&j->seen, key)) >= 0)
		return &j->known[i];
	if (company) {
		if ((ckey = norm_company(company)) == NULL)
			return NULL;
		s = crm_sql(j->db, "SELECT c.id, c.owner_id,"
		    " coalesce(c.company, c.name) FROM customer_keys k"
		    " JOIN customers c ON c.id = k.customer_id WHERE k.key = ?"
		    " AND c.company_key = ? AND c.merged_into IS NULL"
		    " ORDER BY c.id LIMIT 1");
		crm_bind_int(s, 1, norm_key_hash(CRM_KEY_COMPANY, ckey));
		crm_bind_text(s, 2, ckey);
	} else {
		s = crm_sql(j->db, "SELECT id, owner_id, coalesce(company, name)"
		    " FROM customers WHERE id = ? AND merged_into IS NULL");
		crm_bind_int(s, 1, id);
	}
	if (!crm_step(s)) {
		free(ckey);
		return NULL;
	}
	k = remember(j, key, crm_col_int(s, 0), crm_col_null(s, 1) ? -1 :
	    crm_col_int(s, 1), crm_col_text(s, 2));
	crm_reset(s);
	free(ckey);
	return k;
}

/*
** Import one row: its customer found (or, as asked, created) and its
** deal added, as record T.  NULL, or why the row is bad (static buffer).
*/
static const char *
import_row(struct job *j, const struct crm_deal_in *in,
    struct crm_deal_text *t)
{
	static char msg[700];
	const char *const *v = in->v, *err = NULL;
	struct crm_deal_customer c;
	struct crm_deal_new *d = &j->d;
	struct crm_lead lead;
	struct crm_lead_refs refs;
	const struct known *k = NULL;
	char key[1024];
	long long id;

#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); err = msg; goto out; } while (0)
	memset(&c, 0, sizeof c);
	memset(&refs, 0, sizeof refs);
	if (!str_blank(v[DC_CUSTOMER_ID])) {
		if (crm_parse_id(v[DC_CUSTOMER_ID], &id) == -1)
			BAD("customer_id: '%s' is not a customer id",
			    v[DC_CUSTOMER_ID]);
		if ((k = find_customer(j, id, NULL, key, sizeof key)) == NULL)
			BAD("customer_id: no customer %lld", id);
	} else if (!str_blank(v[DC_CUSTOMER])) {
		if ((k = find_customer(j, 0, v[DC_CUSTOMER], key, sizeof key)) ==
		    NULL && !j->o->create_customers)
			BAD("company: no customer '%s' (--create-customers adds it "
			    "as a lead)", v[DC_CUSTOMER]);
		if (k == NULL) {
			/* a lead owned by the deal's owner, checked as crm-lead add */
			memset(&lead, 0, sizeof lead);
			lead.v[CC_COMPANY] = v[DC_CUSTOMER];
			lead.v[CC_OWNER] = v[DC_OWNER];
			if ((err = crm_lead_check(j->db, &lead, &refs)) != NULL ||
			    (err = crm_lead_rights(j->db, &lead, &refs)) != NULL)
				BAD("company: %s", err);
			if (lead.v[CC_OWNER] == NULL && refs.owner_id >= 0)
				lead.v[CC_OWNER] = crm_actor(j->db);	/* a rep's own */
			c.owner_id = refs.owner_id;
		}
	} else
		BAD("customer_id: empty (a deal needs customer_id or company)");
	if (k) {
		c.id = k->id;
		c.owner_id = k->owner_id;
	}
	if ((err = crm_deal_check(j->db, &j->pl, &c, in, d, &j->owners)) != NULL)
		goto out;
	if (k == NULL) {
		c.id = crm_lead_insert(j->db, &lead, &refs);
		k = remember(j, key, c.id, c.owner_id, v[DC_CUSTOMER]);
		j->st->customers++;
	}
	id = crm_deal_append(j->db, &c, in, d);	/* COPY where it can */
	if (j->first == 0)
		j->first = id;
	j->closed += d->first != NULL;
	if (++j->st->deals >= j->bulk_at && !j->bulk) {
		crm_db_drop_indexes(j->db, deal_indexes, &j->saved);
		j->bulk = 1;
	}
	crm_deal_text(in, d, id, c.id, k->name, val(v[DC_OWNER]) ? v[DC_OWNER] :
	    k->owner, t);
#undef BAD
out:
	crm_lead_refs_free(&refs);
	return err;
}

/* Import one stream inside the open transaction. */
static void
import_one(struct job *j, const char *path)
{
	const struct crm_deal_import_opts *o = j->o;
	struct rec_reader *r = rec_open(path, crm_g.csv, o->encoding);
	struct rec_rejects rj = { o->skip_bad, o->rejects, path, NULL, NULL, NULL, 0 };
	struct progress *pg = progress_start("importing", rec_size(r));
	size_t n = rec_ncol(r), npass = 0;
	int *col = xcalloc(n + 1, sizeof *col), *pass = xcalloc(n + 1, sizeof *pass);
	const char **out;
	struct crm_deal_in in;
	struct crm_deal_text t;
	struct rec *rec;
	const char *err;

	for (size_t i = 0; i < n; i++) {
		col[i] = deal_col(rec_header(r, i), rec_colname(r, i));
		for (size_t k = 0; k < i && col[i] >= 0; k++)
			if (col[k] == col[i])
				crm_die("%s: columns '%s' and '%s' both give the deal's "
				    "%s", rec_name(r), rec_header(r, k),
				    rec_header(r, i), crm_deal_cols[col[i]]);
	}
	for (size_t i = 0; i < n; i++) {
		if (col[i] == COL_ID) {
			size_t k;

			for (k = 0; k < n && col[k] != DC_EXTERNAL_ID; k++)
				;
			col[i] = k < n ? COL_DERIVED : DC_EXTERNAL_ID;
		}
		if (col[i] == COL_PASS)
			pass[npass++] = (int)i;
	}
	if (!j->header) {
		const char **h = xcalloc(DC_N + npass + 1, sizeof *h);

		memcpy(h, crm_deal_cols, sizeof crm_deal_cols);
		for (size_t k = 0; k < npass; k++) {
			h[DC_N + k] = rec_colname(r, (size_t)pass[k]);
			sv_push(&j->pass, h[DC_N + k]);
		}
		recw_header(j->run->out, DC_N + npass, h);
		free(h);
		j->header = 1;
	} else {
		/* Later inputs pass the same columns: stdout has one header. */
		int same = npass == j->pass.n;

		for (size_t k = 0; same && k < npass; k++)
			same = strcmp(rec_colname(r, (size_t)pass[k]),
			    j->pass.v[k]) == 0;
		if (!same)
			crm_die("%s: its columns differ from the first input's",
			    rec_name(r));
	}
	out = xcalloc(DC_N + npass + 1, sizeof *out);
	while ((rec = rec_next(r)) != NULL) {
		progress_update(pg, rec_bytes(r));
		if ((err = rec_width_error(r, rec)) != NULL) {
			rec_reject(&rj, r, rec, err);
			continue;
		}
		memset(&in, 0, sizeof in);
		for (size_t i = 0; i < n; i++)
			if (col[i] >= 0)
				in.v[col[i]] = rec->v[i];
		if ((err = import_row(j, &in, &t)) != NULL) {
			rec_reject(&rj, r, rec, err);
			continue;
		}
		memcpy(out, t.v, sizeof t.v);
		for (size_t k = 0; k < npass; k++)
			out[DC_N + k] = rec->v[pass[k]];
		recw_row(j->run->out, DC_N + npass, out);
	}
	progress_stop(pg);
	if (rj.n && !o->skip_bad)
		crm_die("%s: %zu bad row%s: nothing imported (fix them, or use "
		    "--skip-bad)", rec_name(r), rj.n, rj.n == 1 ? "" : "s");
	rec_rejects_close(&rj);
	free(out);
	free(col);
	free(pass);
	rec_close(r);
}

void
crm_deal_import(struct crm_run *run, int n, char **paths,
    const struct crm_deal_import_opts *o, struct crm_deal_import_stats *st)
{
	struct job j;
	const char *env;
	long long had;

	memset(&j, 0, sizeof j);
	memset(st, 0, sizeof *st);
	j.run = run;
	j.db = run->db;
	j.o = o;
	j.st = st;
	crm_pipeline_load(j.db, &j.pl);
	env = getenv("CRM_IMPORT_BULK_ROWS");
	j.bulk_min = env && *env ? strtoll(env, NULL, 10) : BULK_ROWS_DEFAULT;
	had = crm_db_int(j.db, "SELECT coalesce(max(id), 0) FROM deals", -1);
	j.bulk_at = had > j.bulk_min ? had : j.bulk_min;
	if (n == 0)
		import_one(&j, "-");
	for (int i = 0; i < n; i++)
		import_one(&j, paths[i]);
	if (j.first) {
		long long rows = st->deals + j.closed, min = j.bulk_min;

		had = crm_db_int(j.db, crm_db_variant(j.db, "SELECT coalesce(max(rowid),"
		    " 0) FROM deal_stages", "SELECT count(*) FROM deal_stages"), -1);
		if (rows >= (had > min ? had : min))
			crm_db_drop_indexes(j.db, stage_indexes, &j.saved);
		had = crm_db_int(j.db, "SELECT coalesce(max(id), 0) FROM history", -1);
		if (rows >= (had > min ? had : min))
			crm_db_drop_indexes(j.db, history_indexes, &j.saved);
		crm_deals_enter(j.db, &j.pl, j.first);
		crm_db_create_indexes(j.db, &j.saved);
	}
	run->rows = st->deals + st->customers;
	crm_pipeline_free(&j.pl);
	sv_free(&j.saved);
	sv_free(&j.pass);
	for (size_t i = 0; i < j.nknown; i++) {
		free(j.known[i].name);
		free(j.known[i].owner);
	}
	free(j.known);
	map_free(&j.seen);
	map_free(&j.owners);
}
