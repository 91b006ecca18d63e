/* contact.c: the contacts (联系人) of a customer (see contact.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "customer.h"
#include "db.h"
#include "die.h"
#include "history.h"
#include "import.h"
#include "opt.h"
#include "policy.h"
#include "rec.h"
#include "run.h"
#include "str.h"
#include "when.h"

const char *const crm_contact_cols[CT_N] = {
	"id", "customer_id", "name", "title", "phone", "email", "created_at",
	"updated_at"
};

/* The fields a contact has, in the order of struct crm_contact_in. */
enum { F_NAME, F_TITLE, F_PHONE, F_EMAIL, F_N };
static const char *const field_names[F_N] = { "name", "title", "phone", "email" };

static char msg[700];

/* IN as an array of F_N values. */
static void
in_values(const struct crm_contact_in *in, const char *v[F_N])
{
	v[F_NAME] = in->name;
	v[F_TITLE] = in->title;
	v[F_PHONE] = in->phone;
	v[F_EMAIL] = in->email;
}

/* An empty value is no value. */
static const char *
val(const char *s)
{
	return str_blank(s) ? NULL : s;
}

/*
** May the actor change the contacts of customer CID, and are the values
** V fine for one of its contacts: a name, phone or email, a real phone
** and email, neither another customer's?  NULL, with the phone and email
** keys in KEY (caller frees), or why not.
*/
static const char *
contact_check(struct crm_db *db, long long cid, const char *const v[F_N],
    char *key[2])
{
	struct crm_lead l;
	struct crm_lead_refs refs;
	struct crm_dup dup;
	const char *err;

	key[0] = key[1] = NULL;
	if (!crm_customer_exists(db, cid)) {
		snprintf(msg, sizeof msg, "no customer %lld", cid);
		return msg;
	}
	if ((err = crm_may_change(db, cid)) != NULL)
		return err;
	if (!val(v[F_NAME]) && !val(v[F_PHONE]) && !val(v[F_EMAIL]))
		return "name: a contact needs a name, a phone or an email";
	/* checked and keyed as a lead's phone and email are */
	memset(&l, 0, sizeof l);
	l.v[CC_NAME] = v[F_NAME];
	l.v[CC_PHONE] = v[F_PHONE];
	l.v[CC_EMAIL] = v[F_EMAIL];
	if ((err = crm_lead_check(db, &l, &refs)) == NULL &&
	    crm_lead_find_dup(db, &refs, cid, &dup)) {
		snprintf(msg, sizeof msg, "%s: %s", dup.on, crm_dup_why(&dup));
		err = msg;
	}
	if (err == NULL) {
		key[0] = refs.key[CRM_KEY_PHONE];
		key[1] = refs.key[CRM_KEY_EMAIL];
		refs.key[CRM_KEY_PHONE] = refs.key[CRM_KEY_EMAIL] = NULL;
	}
	crm_lead_refs_free(&refs);
	return err;
}

const char *
crm_contact_add(struct crm_db *db, long long customer_id,
    const struct crm_contact_in *in, long long *id)
{
	struct crm_stmt *s;
	const char *v[F_N], *err;
	char *key[2], cid[24];

	in_values(in, v);
	if ((err = contact_check(db, customer_id, v, key)) != NULL)
		return err;
	s = crm_sql(db, "INSERT INTO contacts (customer_id, name, title, phone,"
	    " email, phone_key, email_key, batch_id, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	crm_bind_int(s, 1, customer_id);
	for (int f = 0; f < F_N; f++)
		crm_bind_text(s, 2 + f, val(v[f]));
	crm_bind_text(s, 6, key[0]);
	crm_bind_text(s, 7, key[1]);
	crm_bind_int(s, 8, crm_batch_id(db));
	crm_bind_text(s, 9, crm_now_text());
	crm_bind_text(s, 10, crm_now_text());
	crm_step(s);
	*id = crm_db_last_id(db);
	snprintf(cid, sizeof cid, "%lld", customer_id);
	crm_history(db, "contact", *id, "created", NULL, cid, NULL);
	for (int f = 0; f < F_N; f++)
		if (val(v[f]))
			crm_history(db, "contact", *id, field_names[f], NULL, v[f],
			    NULL);
	free(key[0]);
	free(key[1]);
	return NULL;
}

/* Contact ID's customer and fields into *CID and CUR (caller frees); 0 if none. */
static int
contact_load(struct crm_db *db, long long id, long long *cid, char *cur[F_N])
{
	struct crm_stmt *s = crm_sql(db, "SELECT customer_id, name, title, phone,"
	    " email FROM contacts WHERE id = ?");

	crm_bind_int(s, 1, id);
	if (!crm_step(s))
		return 0;
	*cid = crm_col_int(s, 0);
	for (int f = 0; f < F_N; f++)
		cur[f] = crm_col_null(s, 1 + f) ? NULL :
		    xstrdup(crm_col_text(s, 1 + f));
	crm_reset(s);
	return 1;
}

static void
cur_free(char *cur[F_N])
{
	for (int f = 0; f < F_N; f++)
		free(cur[f]);
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

const char *
crm_contact_update(struct crm_db *db, long long id,
    const struct crm_contact_in *in, int *changed)
{
	static const char *const set_sql[F_N] = {
		"UPDATE contacts SET name = ?, updated_at = ? WHERE id = ?",
		"UPDATE contacts SET title = ?, updated_at = ? WHERE id = ?",
		"UPDATE contacts SET phone = ?, updated_at = ? WHERE id = ?",
		"UPDATE contacts SET email = ?, updated_at = ? WHERE id = ?",
	};
	struct crm_stmt *s;
	const char *given[F_N], *v[F_N], *err;
	char *cur[F_N], *key[2];
	long long cid;

	*changed = 0;
	if (!contact_load(db, id, &cid, cur)) {
		return "no such contact";
	}
	in_values(in, given);
	for (int f = 0; f < F_N; f++)
		v[f] = given[f] ? val(given[f]) : cur[f];
	if ((err = contact_check(db, cid, v, key)) != NULL) {
		cur_free(cur);
		return err;
	}
	for (int f = 0; f < F_N; f++) {
		if (given[f] == NULL || same(v[f], cur[f]))
			continue;
		s = crm_sql(db, set_sql[f]);
		crm_bind_text(s, 1, v[f]);
		crm_bind_text(s, 2, crm_now_text());
		crm_bind_int(s, 3, id);
		crm_step(s);
		crm_history(db, "contact", id, field_names[f], cur[f], v[f], NULL);
		++*changed;
	}
	s = crm_sql(db, "UPDATE contacts SET phone_key = ?, email_key = ?"
	    " WHERE id = ?");
	crm_bind_text(s, 1, key[0]);
	crm_bind_text(s, 2, key[1]);
	crm_bind_int(s, 3, id);
	crm_step(s);
	free(key[0]);
	free(key[1]);
	cur_free(cur);
	return NULL;
}

/* The query behind crm_contacts_write(): ?1 a contact, or ?2 a customer. */
static const char list_sql[] = "SELECT id, customer_id, name, title, phone,"
    " email, created_at, updated_at FROM contacts"
    " WHERE (?1 = 0 OR id = ?1) AND (?2 = 0 OR customer_id = ?2) ORDER BY id";

/* Write the rows of list_sql for contact ID or customer CID, with SIGHT. */
static void
write_rows(struct crm_db *db, struct rec_writer *w, long long id,
    long long cid, enum crm_sight sight)
{
	struct crm_stmt *s = crm_sql_take(db, list_sql);
	const char *v[CT_N];
	char *masks[2] = { NULL, NULL };

	crm_bind_int(s, 1, id);
	crm_bind_int(s, 2, cid);
	while (crm_step(s)) {
		for (int i = 0; i < CT_N; i++)
			v[i] = crm_col_text(s, i);
		crm_sight_apply(sight, CT_N, crm_contact_cols, v, masks);
		recw_row(w, CT_N, v);
	}
	crm_sight_free(masks);
	crm_sql_give(s);
}

const char *
crm_contact_remove(struct crm_db *db, long long id, struct rec_writer *w)
{
	struct crm_stmt *s;
	const char *err;
	char *cur[F_N], cid_text[24];
	long long cid;

	if (!contact_load(db, id, &cid, cur)) {
		return "no such contact";
	}
	if ((err = crm_may_change(db, cid)) != NULL) {
		cur_free(cur);
		return err;
	}
	write_rows(db, w, id, 0, CRM_SIGHT_FULL);
	s = crm_sql(db, "DELETE FROM contacts WHERE id = ?");
	crm_bind_int(s, 1, id);
	crm_step(s);
	for (int f = 0; f < F_N; f++)
		if (cur[f])
			crm_history(db, "contact", id, field_names[f], cur[f], NULL,
			    NULL);
	snprintf(cid_text, sizeof cid_text, "%lld", cid);
	crm_history(db, "contact", id, "removed", cid_text, NULL, NULL);
	cur_free(cur);
	return NULL;
}

int
crm_contacts_write(struct crm_db *db, struct rec_writer *w, long long id,
    int one)
{
	long long cid = one ? crm_db_int(db, "SELECT customer_id FROM contacts"
	    " WHERE id = ?", id) : id;
	enum crm_sight sight = crm_sight_of(db, cid);

	if (sight == CRM_SIGHT_NAME)
		return -1;
	write_rows(db, w, one ? id : 0, one ? 0 : cid, sight);
	return 0;
}

/* ---- crm-lead contact ------------------------------------------------- */

struct list_ctx {
	struct crm_db *db;
	struct rec_writer *w;
	int failed;
};

static void
list_one(long long cid, const char *where, void *ctx)
{
	struct list_ctx *x = ctx;

	if (!crm_customer_exists(x->db, cid))
		crm_warn("%s: no customer %lld", where, cid);
	else if (crm_contacts_write(x->db, x->w, cid, 0) == -1)
		crm_warn("%s: permission denied: the contacts of customer %lld "
		    "are for its owner and the members of its pool (you are "
		    "'%s', %s)", where, cid, crm_actor(x->db),
		    crm_actor_describe(x->db));
	else
		return;
	x->failed = 1;
}

/* The one id operand of contact add or update. */
static long long
one_id(int argc, char **argv, const char *what)
{
	long long id;

	if (argc != 2 || crm_parse_id(argv[1], &id) == -1)
		crm_usage_error("contact %s takes one %s", argv[0], what);
	return id;
}

int
crm_contact_command(int argc, char **argv, const struct crm_contact_in *in,
    unsigned flags)
{
	int fields = in->name || in->title || in->phone || in->email;
	struct crm_run run;
	const char *cmd = argc > 0 ? argv[0] : "", *err;
	long long id;
	int changed;

	if (strcmp(cmd, "add") == 0) {
		long long cid = one_id(argc, argv, "customer ID");

		crm_run_begin(&run, CRM_BATCH_CONTACT_ADD, flags, NULL);
		if ((err = crm_contact_add(run.db, cid, in, &id)) != NULL)
			crm_die("%s", err);
		recw_header(run.out, CT_N, crm_contact_cols);
		crm_contacts_write(run.db, run.out, id, 1);
		run.rows = 1;
	} else if (strcmp(cmd, "update") == 0) {
		id = one_id(argc, argv, "CONTACT_ID");
		if (!fields)
			crm_usage_error("contact update needs --name, --title, "
			    "--phone or --email");
		crm_run_begin(&run, CRM_BATCH_CONTACT_UPDATE, flags, NULL);
		if ((err = crm_contact_update(run.db, id, in, &changed)) != NULL)
			crm_die("contact %lld: %s", id, err);
		recw_header(run.out, CT_N, crm_contact_cols);
		crm_contacts_write(run.db, run.out, id, 1);
		run.rows = changed;
	} else if (strcmp(cmd, "remove") == 0) {
		if (argc < 2 || fields)
			crm_usage_error("contact remove takes CONTACT_ID ... and no "
			    "fields");
		for (int i = 1; i < argc; i++)
			if (crm_parse_id(argv[i], &id) == -1)
				crm_usage_error("'%s' is not a contact id", argv[i]);
		crm_run_begin(&run, CRM_BATCH_CONTACT_REMOVE, flags, NULL);
		recw_header(run.out, CT_N, crm_contact_cols);
		for (int i = 1; i < argc; i++) {
			crm_parse_id(argv[i], &id);
			if ((err = crm_contact_remove(run.db, id, run.out)) != NULL)
				crm_die("contact %lld: %s", id, err);
			run.rows++;
		}
	} else if (strcmp(cmd, "list") == 0) {
		struct list_ctx x;

		if (fields || (flags & CRM_RUN_DRY))
			crm_usage_error("contact list takes no fields and no -n");
		if (argc == 1)
			crm_run_read_inputs(0, NULL);	/* ids from a writer upstream */
		x.db = crm_db_open(CRM_DB_READ);
		x.w = recw_open(stdout, "standard output", crm_g.csv);
		x.failed = 0;
		recw_header(x.w, CT_N, crm_contact_cols);
		rec_each_id(argc - 1, argv + 1, list_one, &x);
		recw_close(x.w);
		crm_db_close(x.db);
		return x.failed;
	} else
		crm_usage_error("contact needs a command: add, list, update or "
		    "remove%s%s%s", *cmd ? " (not '" : "", cmd, *cmd ? "')" : "");
	crm_run_end(&run);
	return 0;
}
