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
#include "norm.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "run.h"
#include "str.h"

/* Input columns that are not a deal field of DC_*. */
enum { COL_PASS = -1, COL_DERIVED = -2 };

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
		{ DC_EXTERNAL_ID, { "external_id", "id", "商机编号", "商机id",
		    "商机ID", NULL } },
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

/* One import: the run, its options and counts, the pipeline, scratch. */
struct job {
	struct crm_run *run;
	struct crm_db *db;
	const struct crm_deal_import_opts *o;
	struct crm_deal_import_stats *st;
	struct crm_pipeline pl;
	struct strvec pass;		/* the output's columns after the deal's */
	int header;
	struct strbuf customer;		/* the name of the row's customer */
	struct strbuf owner;		/* the login of its owner */
	long long owner_of;		/* whose login that is */
};

/*
** The customer of a row, by ID or by the company key KEY (NULL): C and
** J->customer filled; 0 when there is none.
*/
static int
find_customer(struct job *j, long long id, const char *key,
    struct crm_deal_customer *c)
{
	struct crm_stmt *s;

	if (key)
		s = crm_sql(j->db, "SELECT id, owner_id, status,"
		    " coalesce(company, name) FROM customers WHERE company_key = ?"
		    " AND merged_into IS NULL ORDER BY id LIMIT 1");
	else
		s = crm_sql(j->db, "SELECT id, owner_id, status,"
		    " coalesce(company, name) FROM customers WHERE id = ?"
		    " AND merged_into IS NULL");
	if (key)
		crm_bind_text_static(s, 1, key);
	else
		crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	c->id = crm_col_int(s, 0);
	c->owner_id = crm_col_null(s, 1) ? -1 : crm_col_int(s, 1);
	c->is_customer = strcmp(crm_col_text(s, 2), "customer") == 0;
	sb_reset(&j->customer);
	if (!crm_col_null(s, 3))
		sb_adds(&j->customer, crm_col_text(s, 3));
	crm_reset(s);
	return 1;
}

/* The login of user ID (-1: none), asked once per run of equal ids. */
static const char *
owner_login(struct job *j, long long id)
{
	const char *login;

	if (id < 0)
		return NULL;
	if (id != j->owner_of) {
		sb_reset(&j->owner);
		if ((login = crm_user_login(j->db, id)) != NULL)
			sb_adds(&j->owner, login);
		j->owner_of = id;
	}
	return j->owner.buf;
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
	struct crm_deal_new d;
	struct crm_lead lead;
	struct crm_lead_refs refs;
	char *key = NULL;
	long long id;
	int create = 0;

#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); err = msg; goto out; } while (0)
	memset(&c, 0, sizeof c);
	memset(&refs, 0, sizeof refs);
	if (!str_blank(v[DC_CUSTOMER_ID])) {
		if (crm_parse_id(v[DC_CUSTOMER_ID], &id) == -1)
			BAD("customer_id: '%s' is not a customer id",
			    v[DC_CUSTOMER_ID]);
		if (!find_customer(j, id, NULL, &c))
			BAD("customer_id: no customer %lld", id);
	} else if (!str_blank(v[DC_CUSTOMER])) {
		if ((key = norm_company(v[DC_CUSTOMER])) == NULL)
			BAD("company: '%s' names no company", v[DC_CUSTOMER]);
		if (!find_customer(j, 0, key, &c)) {
			if (!j->o->create_customers)
				BAD("company: no customer '%s' (--create-customers "
				    "adds it as a lead)", v[DC_CUSTOMER]);
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
			create = 1;
		}
	} else
		BAD("customer_id: empty (a deal needs customer_id or company)");
	if ((err = crm_deal_check(j->db, &j->pl, &c, in, &d)) != NULL)
		goto out;
	if (create) {
		c.id = crm_lead_insert(j->db, &lead, &refs);
		sb_reset(&j->customer);
		sb_adds(&j->customer, v[DC_CUSTOMER]);
		j->st->customers++;
	}
	id = crm_deal_insert(j->db, &c, in, &d);
	j->st->deals++;
	crm_deal_text(in, &d, id, c.id, j->customer.len ? j->customer.buf : NULL,
	    owner_login(j, d.owner_id), t);
#undef BAD
out:
	crm_lead_refs_free(&refs);
	free(key);
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

	memset(&j, 0, sizeof j);
	memset(st, 0, sizeof *st);
	j.run = run;
	j.db = run->db;
	j.o = o;
	j.st = st;
	j.owner_of = -1;
	sb_init(&j.customer);
	sb_init(&j.owner);
	crm_pipeline_load(j.db, &j.pl);
	if (n == 0)
		import_one(&j, "-");
	for (int i = 0; i < n; i++)
		import_one(&j, paths[i]);
	run->rows = st->deals + st->customers;
	crm_pipeline_free(&j.pl);
	sv_free(&j.pass);
	sb_free(&j.customer);
	sb_free(&j.owner);
}
