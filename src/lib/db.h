/*
** db.h: the only door to the database.  Two engines stand behind it:
** SQLite (a file, db_sqlite.c) and PostgreSQL (a server, db_pg.c, for
** --db postgresql://... or postgres:///NAME).  The rest of the library
** speaks one SQL through these calls, with "?" and "?N" parameters; where
** the dialects differ it says so with crm_db_variant().
*/
#ifndef CRM_DB_H
#define CRM_DB_H

struct crm_db;
struct crm_stmt;

enum crm_db_mode {
	CRM_DB_READ,	/* an existing database */
	CRM_DB_WRITE,	/* an existing database, to write to */
	CRM_DB_CREATE,	/* to write to, created with its schema when missing */
	CRM_DB_MEMORY,	/* a new empty database in memory ("check against nothing") */
	CRM_DB_PEEK	/* an existing database as it is: no migration, no actor */
};

/*
** Open crm_g.db_path: a SQLite file, or a PostgreSQL database when it
** starts with "postgresql:" or "postgres:" (then crm_g.actor, when
** given, names the login to connect as, and the server's session user
** is the actor).  Only CRM_DB_CREATE creates a missing file (the crm
** schema in a PostgreSQL database); the other modes refuse a missing or
** empty one, naming the path, so that a cron job with a typo in CRM_DB
** fails instead of working on nothing.
** Migrations run as needed.  The site's time zone (crm-db config
** timezone) becomes the process's.  Then the actor is checked against the
** rights policy (policy.h: crm_policy_open).  Dies on failure; exits 3
** when the database stays busy: the whole wait, opening included, is
** bounded by crm_g.wait_ms from here.
*/
struct crm_db *crm_db_open(enum crm_db_mode mode);
/* The same for the database PATH (a file or a URI), not crm_g.db_path. */
struct crm_db *crm_db_open_path(const char *path, enum crm_db_mode mode);
void crm_db_close(struct crm_db *db);
const char *crm_db_path(const struct crm_db *db);
/* Is PATH a PostgreSQL connection URI rather than a file? */
int crm_db_is_url(const char *path);
/* Is there a database at crm_g.db_path (or PATH): the file, or the crm schema? */
int crm_db_exists(void);
int crm_db_exists_at(const char *path);
/* "sqlite" or "postgresql". */
const char *crm_db_engine(const struct crm_db *db);
/* The tables of the crm schema (no bookkeeping of the engine's), into OUT. */
struct strvec;
void crm_db_tables(struct crm_db *db, struct strvec *out);
/*
** The schema version DB had when opened (before any migration), the one
** it has now, and the one this program makes (its migrations).
*/
long long crm_db_version_found(const struct crm_db *db);
long long crm_db_version(struct crm_db *db);
int crm_db_version_wanted(void);

/*
** The one place where the dialects part: SQLITE or PG, the text for the
** engine DB runs on.  Every use marks a statement that differs.
*/
const char *crm_db_variant(const struct crm_db *db, const char *sqlite,
    const char *pg);
/* Does a server enforce the rights (PostgreSQL), not just this library? */
int crm_db_server(const struct crm_db *db);

/*
** The run's context, carried by the handle so that the library reads no
** global state: who acts, and the batch its changes belong to.  Filled
** by crm_db_open() (actor) and crm_batch_start() (batch).
*/
struct crm_ctx {
	const char *actor;	/* the login acting: --as, $CRM_USER, login name */
	long long actor_id;	/* -1 when the actor is no user */
	int actor_active;
	int admin;		/* an active admin, or anyone while no admin exists */
	int bootstrap;		/* no active admin exists yet */
	long long batch;	/* the open batch; 0 before crm_batch_start() */
	const char *command;	/* its kind's name, such as "crm-pool claim" */
	int dry_run;		/* set by the write run: rolled back at the end */
	struct crm_sight_cache *sight;	/* policy.c's per-pool answers */
};
struct crm_ctx *crm_ctx(struct crm_db *db);

/*
** SQLite's own check of the file (PRAGMA integrity_check): FN gets each
** problem it reports; returns how many ("ok" is none).
*/
long long crm_db_integrity(struct crm_db *db, void (*fn)(const char *msg,
    void *ctx), void *ctx);
/*
** A consistent copy of the database into the new file PATH while others
** go on working (SQLite's VACUUM INTO; from a server, crm_db_copy into a
** new SQLite file); dies when PATH exists or cannot be made.
*/
void crm_db_backup(struct crm_db *db, const char *path);

/*
** User LOGIN (renamed from OLD, or NULL) now has ROLE ("admin", "rep")
** and is ACTIVE or not: where logins are a server's (PostgreSQL), make
** the login when there is none and grant it the matching group of this
** database (see rights.sql); nothing for SQLite.
*/
void crm_db_sync_login(struct crm_db *db, const char *old, const char *login,
    const char *role, int active);

/* Site settings (crm-db config): the value of KEY, or NULL (static buffer). */
const char *crm_config_get(struct crm_db *db, const char *key);
void crm_config_set(struct crm_db *db, const char *key, const char *value);

/*
** A writer holds one transaction.  CRM_TX_WRITE excludes every other
** writer (BEGIN IMMEDIATE; on PostgreSQL an advisory lock every writer
** takes); CRM_TX_ROWS only those of CRM_TX_WRITE: writers of this kind
** run side by side and take row locks (crm_db_lock_row, SKIP LOCKED)
** on what they change.  On SQLite both are BEGIN IMMEDIATE.  A lock
** that stays busy for the whole --wait is exit 3.
*/
enum crm_tx { CRM_TX_WRITE, CRM_TX_ROWS };
void crm_db_begin(struct crm_db *db);	/* CRM_TX_WRITE */
void crm_db_begin_tx(struct crm_db *db, enum crm_tx tx);
/* Lock row ID of TABLE (a constant name) until commit: see CRM_TX_ROWS. */
void crm_db_lock_row(struct crm_db *db, const char *table, long long id);
void crm_db_commit(struct crm_db *db);
void crm_db_rollback(struct crm_db *db);
void crm_db_exec(struct crm_db *db, const char *sql);

/*
** Prepared statements are cached by SQL text and owned by DB; reuse the
** same string.  A statement comes back reset, with no bindings.
*/
struct crm_stmt *crm_sql(struct crm_db *db, const char *sql);
/*
** A statement of its own, not from the cache, for a cursor that may be
** open while the same SQL runs elsewhere (re-entrant); free it with
** crm_stmt_free().
*/
struct crm_stmt *crm_sql_own(struct crm_db *db, const char *sql);
void crm_stmt_free(struct crm_stmt *st);
/*
** For cursors: the cached statement of SQL when no other cursor holds
** it, else one of its own, so cursors nest; give it back with
** crm_sql_give().
*/
struct crm_stmt *crm_sql_take(struct crm_db *db, const char *sql);
/*
** The same for a cursor of a row or a few (one customer's): a server
** answers it whole, where streaming (COPY) would plan it every time.
*/
struct crm_stmt *crm_sql_take_few(struct crm_db *db, const char *sql);
void crm_sql_give(struct crm_stmt *st);
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
** Append a row V of N values (text, NULL for NULL) for columns COLS
** ("(a, b, c)", a constant) to TABLE: on SQLite an INSERT at once; where
** the engine appends in bulk (PostgreSQL: COPY ... FROM STDIN;
** crm_db_bulk says), gathered and sent before the next statement that
** may read TABLE, or at the commit, so the program sees what it appended
** either way.  In bulk crm_db_next_id gives the id of a row to append to
** a table with an id.
*/
int crm_db_bulk(const struct crm_db *db);
void crm_db_append(struct crm_db *db, const char *table, const char *cols,
    size_t n, const char *const *v);
long long crm_db_next_id(struct crm_db *db, const char *table);

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

/*
** Rows from C into a table in one statement, not one statement each: run
** SQL, which reads the table crm_feed (columns c0 to c31), whose rows
** NEXT gives one by one: it fills ROW[0..) and returns 1, or returns 0
** at the end.  ROW comes all NULL; text must stay as it is until the
** next call.  NEXT may run other statements on DB (not on the table
** being written to), and may die: nothing is committed then.
*/
enum crm_value_type { CRM_VNULL, CRM_VINT, CRM_VTEXT };
struct crm_value {
	enum crm_value_type type;
	long long i;
	const char *s;
};
#define CRM_FEED_COLS 32
void crm_db_feed(struct crm_db *db, const char *sql,
    int (*next)(void *ctx, struct crm_value *row), void *ctx);
/* Bind V to parameter I of ST, as crm_bind_text_static() or _int(). */
void crm_bind_value(struct crm_stmt *st, int i, const struct crm_value *v);

#endif
