/*
** contact.h: the contacts (联系人) of a customer: add, list, change and
** remove them under the rights policy, each change in the history
** (entity "contact").  A contact's phone and email are duplicate keys of
** its customer (crm_lead_find_dup looks at them), so a contact cannot
** carry another customer's phone or email.
*/
#ifndef CRM_CONTACT_H
#define CRM_CONTACT_H

struct crm_db;
struct rec_writer;

/* A contact as given: borrowed strings, NULL for absent ("" clears on update). */
struct crm_contact_in {
	const char *name, *title, *phone, *email;
};

/* The columns of a contact record, in output order. */
enum {
	CT_ID, CT_CUSTOMER_ID, CT_NAME, CT_TITLE, CT_PHONE, CT_EMAIL,
	CT_CREATED_AT, CT_UPDATED_AT, CT_N
};
extern const char *const crm_contact_cols[CT_N];

/*
** Add a contact IN to customer CUSTOMER_ID, which the actor may change:
** it needs a name, phone or email; a phone or email that is another
** customer's key is refused.  NULL and *ID, or why not (static buffer).
*/
const char *crm_contact_add(struct crm_db *db, long long customer_id,
    const struct crm_contact_in *in, long long *id);
/* Change contact ID's fields given in IN; *CHANGED counts them.  NULL or why not. */
const char *crm_contact_update(struct crm_db *db, long long id,
    const struct crm_contact_in *in, int *changed);
/*
** Remove contact ID, first writing it to W as it was; the history keeps
** its fields.  NULL or why not.
*/
const char *crm_contact_remove(struct crm_db *db, long long id,
    struct rec_writer *w);

/*
** Write contact ID (ONE set) or the contacts of customer ID to W, as the
** actor may see them: phone and email masked for a pooled customer of
** the actor's pools.  Returns 0, or -1 when the actor may not see them
** (nothing written).
*/
int crm_contacts_write(struct crm_db *db, struct rec_writer *w, long long id,
    int one);

/*
** crm-lead contact: run the contact command ARGV[0] ("add", "list",
** "update", "remove") with its operands ARGV[1..ARGC) and the fields IN,
** through the one write path (run.h) with FLAGS (CRM_RUN_DRY).  Returns
** the exit status; usage errors exit 2.
*/
int crm_contact_command(int argc, char **argv, const struct crm_contact_in *in,
    unsigned flags);

#endif
