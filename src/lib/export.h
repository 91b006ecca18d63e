/* export.h: what crm-export reads from the database, column kinds, re-encoding. */
#ifndef CRM_EXPORT_H
#define CRM_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "xlcell.h"

struct crm_db;
struct strvec;

/* The names --query accepts, NULL-terminated, in the order of crm-export(1). */
extern const char *const crm_export_queries[];

/*
** Run the export query NAME ("customers", "leads", "deals", "activities"
** or "history") on DB, streaming: HEADER gets the column names once,
** then ROW gets each row's values (NULL for NULL), valid during the
** call only.  Rows come in id order.  Returns 0, or -1 (having called
** nothing) when NAME is not a query.  Database errors are fatal.
**
** Each row is as the rights policy lets the actor see it (policy.h):
** customers and leads as the customer cursor gives them; deals and
** follow-ups of a customer the actor sees only by name are left out; so
** are its history rows (those of the customer, its follow-ups, deals
** and contacts), and in those of a pooled customer of its pools a phone
** or email, old or new, is masked.  History rows of no customer (users,
** pools, settings) are everyone's.
*/
int crm_export_query(struct crm_db *db, const char *name,
    void (*header)(size_t n, const char *const *names, void *ctx),
    void (*row)(const char *const *v, void *ctx), void *ctx);

/*
** The kind (XL_NUMBER, XL_DATE or XL_TEXT) of a column named NAME
** (canonical, as rec_colname() gives): the numeric and date/time columns
** of the crm schema and of the export queries are known; anything else
** is text.
*/
int crm_export_kind(const char *name);

/* The columns of an export and the kind each is written as. */
struct crm_export_cols {
	size_t n;
	char **names;		/* the header cells as they are written */
	char **canon;		/* their canonical names */
	int *kind;		/* XL_TEXT, XL_NUMBER or XL_DATE */
	unsigned char *warned;	/* a value of another kind was reported */
};

/*
** Set up C for N columns NAMES with canonical names CANON: the known
** kinds (crm_export_kind), then the columns named in TEXT, NUMBER and
** DATE (--text, --number, --date).  A name that is no column, or a
** column given two kinds, is a usage error.  Free with
** crm_export_cols_free().
*/
void crm_export_cols_init(struct crm_export_cols *c, size_t n,
    const char *const *names, const char *const *canon,
    const struct strvec *text, const struct strvec *number,
    const struct strvec *date);
void crm_export_cols_free(struct crm_export_cols *c);
/*
** The index of the column COL names, given to option OPT: its header
** cell as written, else the same canonical name ("手机" is "phone").
** A column that is not there is a usage error.
*/
size_t crm_export_col(const struct crm_export_cols *c, const char *opt,
    const char *col);
/*
** How to write value S of column I: its kind when S is such a value,
** else text, with a warning naming WHERE the first time in the column.
*/
int crm_export_cell_kind(struct crm_export_cols *c, size_t i, const char *s,
    const char *where);

/*
** CSV output in another encoding than UTF-8.  crm_recode_open: NULL for
** UTF-8 (any spelling), and *OUT is standard output; else rows are to be
** written to *OUT, memory, and crm_recode_put() converts what was written
** so far onto standard output.  An encoding iconv does not know is a
** usage error.  A character the encoding lacks stops the export with a
** message naming WHERE.
*/
struct crm_recode;
struct crm_recode *crm_recode_open(const char *enc, FILE **out);
void crm_recode_put(struct crm_recode *r, const char *where);
void crm_recode_close(struct crm_recode *r);	/* NULL is fine */

#endif
