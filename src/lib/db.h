/*
** db.h: the only door to the database.  Nothing outside db.c includes
** sqlite3.h; the rest of the library speaks portable SQL through these
** calls, with "?" parameters, so a second engine can stand behind them.
*/
#ifndef CRM_DB_H
#define CRM_DB_H

struct crm_db;
struct crm_stmt;

enum crm_db_mode { CRM_DB_READ, CRM_DB_WRITE };

/*
** Open crm_g.db_path, creating it (and the schema) for CRM_DB_WRITE.
** Reading a database that does not exist is an error.  Migrations run
** as needed.  Dies on failure; exits 3 when busy after crm_g.wait_ms.
*/
struct crm_db *crm_db_open(enum crm_db_mode mode);
void crm_db_close(struct crm_db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  A writer holds one transaction. */
void crm_db_begin(struct crm_db *db);
void crm_db_commit(struct crm_db *db);
void crm_db_rollback(struct crm_db *db);
void crm_db_exec(struct crm_db *db, const char *sql);

/*
** Prepared statements are cached by SQL text and owned by DB; reuse the
** same string.  A statement comes back reset, with no bindings.
*/
struct crm_stmt *crm_sql(struct crm_db *db, const char *sql);
void crm_bind_text(struct crm_stmt *st, int i, const char *s);	/* NULL binds NULL */
/* The same, without a copy: S must stay unchanged until the statement is stepped and reset. */
void crm_bind_text_static(struct crm_stmt *st, int i, const char *s);
void crm_bind_int(struct crm_stmt *st, int i, long long v);
void crm_bind_null(struct crm_stmt *st, int i);
/* Returns 1 with a row, 0 when done (the statement is then reset).  Dies on errors. */
int crm_step(struct crm_stmt *st);
/* Like crm_step(), but a constraint violation returns -1 instead of dying. */
int crm_step_try(struct crm_stmt *st);
void crm_reset(struct crm_stmt *st);
const char *crm_col_text(struct crm_stmt *st, int i);	/* NULL for NULL */
long long crm_col_int(struct crm_stmt *st, int i);
int crm_col_null(struct crm_stmt *st, int i);
int crm_col_count(struct crm_stmt *st);
const char *crm_col_name(struct crm_stmt *st, int i);
const char *crm_db_errmsg(struct crm_db *db);

/*
** The id the last INSERT gave its row.  Hot paths use this rather than
** RETURNING, which costs SQLite a temporary table per statement; a
** PostgreSQL backend appends RETURNING id itself.
*/
long long crm_db_last_id(struct crm_db *db);

/* Run a one-row query with up to one integer parameter; -1 when no row. */
long long crm_db_int(struct crm_db *db, const char *sql, long long arg);
/* The same with one text parameter: the id of a user, team or pool by name. */
long long crm_db_id(struct crm_db *db, const char *sql, const char *arg);

/*
** Drop the indexes NAMES (NULL-terminated) inside the open transaction,
** saving their definitions in SAVED; crm_db_create_indexes() builds them
** again.  A bulk load in between costs one sort per index instead of a
** B-tree descent per row and index.  A rollback brings them back too.
*/
struct strvec;
void crm_db_drop_indexes(struct crm_db *db, const char *const *names,
    struct strvec *saved);
void crm_db_create_indexes(struct crm_db *db, struct strvec *saved);

#endif
