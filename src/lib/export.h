/* export.h: what crm-export reads from the database; column kinds. */
#ifndef CRM_EXPORT_H
#define CRM_EXPORT_H

#include <stddef.h>

#include "xlcell.h"

struct crm_db;

/* The names --query accepts, NULL-terminated, in the order of crm-export(1). */
extern const char *const crm_export_queries[];

/*
** Run the export query NAME ("customers", "leads", "deals", "activities"
** or "history") on DB, streaming: HEADER gets the column names once,
** then ROW gets each row's values (NULL for NULL), valid during the
** call only.  Rows come in id order.  Returns 0, or -1 (having called
** nothing) when NAME is not a query.  Database errors are fatal.
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

#endif
