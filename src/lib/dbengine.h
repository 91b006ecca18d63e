/*
** dbengine.h: what db.c asks of a database engine (db_sqlite.c, db_pg.c).
** Only db.c and the engines include it; the rest of the library sees db.h.
*/
#ifndef CRM_DBENGINE_H
#define CRM_DBENGINE_H

#include <time.h>

#include "db.h"

struct strvec;

struct crm_stmt {
	struct crm_db *db;
	void *e;			/* the engine's statement */
	const char *sql;		/* the caller's string: the cache key */
	struct crm_stmt *next;
	int taken;			/* held by a cursor (crm_sql_take) */
	int own;			/* not in the cache: freed when given back */
};

struct crm_db {
	const struct crm_engine *eng;
	void *e;			/* the engine's connection */
	char *path;			/* the file, or the connection URI, as given */
	int in_tx;
	long long version_found;	/* the schema version at open */
	struct crm_stmt *cache;
	struct crm_append_sql *appends;	/* crm_db_append's INSERTs, made once */
	int closing;			/* statements freed as the connection closes */
	struct timespec deadline;	/* waiting for locks ends here */
	struct crm_ctx ctx;
	int (*feed)(void *ctx, struct crm_value *row);	/* crm_db_feed */
	void *feed_ctx;
};

/* Who holds what, in a schema as an engine finds it. */
struct crm_schema_state {
	long long appid;		/* 0: none set */
	long long version;		/* migrations applied */
	int foreign;			/* holds things of no crm database */
	int empty;			/* holds nothing at all: a new database */
};

/*
** An engine.  Every function dies on failure (crm_die, or crm_die_busy
** for a wait that ran out) unless it says otherwise; statements are the
** engine's own (void *), bound and stepped for crm_stmt.
*/
struct crm_engine {
	const char *name;		/* "sqlite", "postgresql" */
	/* Open or connect per MODE (crm_db_open's rules); set db->e. */
	void (*open)(struct crm_db *db, enum crm_db_mode mode);
	void (*close)(struct crm_db *db);
	void (*schema)(struct crm_db *db, struct crm_schema_state *st);
	/* Inside the migration's transaction: run migration N (0-based). */
	void (*migrate)(struct crm_db *db, int n, const char *sql);
	/* After the migrations, still inside it: stamp the version. */
	void (*stamp)(struct crm_db *db, long long appid, long long version);
	void (*exec)(struct crm_db *db, const char *sql);
	void (*begin)(struct crm_db *db, enum crm_tx tx);
	void (*commit)(struct crm_db *db);
	void (*rollback)(struct crm_db *db);	/* never dies */
	void *(*prepare)(struct crm_db *db, const char *sql);
	void (*finalize)(void *st);
	void (*reset)(void *st, int clear);	/* CLEAR: the bindings too */
	void (*bind_text)(void *st, int i, const char *s, int copy);
	void (*bind_int)(void *st, int i, long long v);
	void (*bind_null)(void *st, int i);
	/* 1 with a row, 0 when done (reset), -1 on a constraint violation. */
	int (*step)(struct crm_stmt *st);
	const char *(*col_text)(void *st, int i);
	long long (*col_int)(void *st, int i);
	int (*col_null)(void *st, int i);
	int (*col_count)(void *st);
	const char *(*col_name)(void *st, int i);
	long long (*last_id)(struct crm_db *db);
	const char *(*errmsg)(struct crm_db *db);
	/* The SQL that makes index NAME (caller frees), or NULL when none. */
	char *(*index_sql)(struct crm_db *db, const char *name);
	/* Around rebuilding indexes after a bulk load (BEGIN 1, end 0). */
	void (*index_build)(struct crm_db *db, int begin);
	long long (*integrity)(struct crm_db *db, void (*fn)(const char *msg,
	    void *ctx), void *ctx);
	void (*backup)(struct crm_db *db, const char *path);	/* may be NULL */
	/* Lock row ID of TABLE until the end of the transaction. */
	void (*lock_row)(struct crm_db *db, const char *table, long long id);
	/* Is there a crm database at PATH (crm_db_exists)? */
	int (*exists)(const char *path);
	/* After the migrations, before the rights policy: may be NULL. */
	void (*ready)(struct crm_db *db);
	/* crm_db_sync_login(); NULL where logins are no server's. */
	void (*sync_login)(struct crm_db *db, const char *old, const char *login,
	    const char *role, int active);
	/* crm_db_append() and crm_db_next_id(); NULL: no bulk appends. */
	void (*append)(struct crm_db *db, const char *table, const char *cols,
	    size_t n, const char *const *v);
	long long (*next_id)(struct crm_db *db, const char *table);
	/* Statement ST is a cursor's that may stream (ON) or is answered whole; may be NULL. */
	void (*stream)(void *st, int on);
	/*
	 * crm_db_feed(): run SQL over the rows db->feed gives as the table
	 * crm_feed; NULL: the engine's exec reads them itself (SQLite's
	 * virtual table).
	 */
	void (*feed)(struct crm_db *db, const char *sql);
};

extern const struct crm_engine crm_engine_sqlite, crm_engine_pg;

/* Milliseconds left before DB's deadline; 0 when it has passed. */
long crm_db_ms_left(const struct crm_db *db);
/* Die with status 3: DB stayed busy for the whole wait. */
void crm_db_die_busy(const struct crm_db *db) __attribute__((noreturn));

#endif
