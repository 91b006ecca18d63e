/* db_sqlite.c: the SQLite engine behind crm_db: a file, WAL, busy waits. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbengine.h"
#include "die.h"
#include "opt.h"
#include "str.h"

#define CRM_CACHE_SIZE "-65536"	/* KiB: 64 MiB, whatever the database size */

#define H(db) ((sqlite3 *)(db)->e)

/*
** SQLite's busy handler: sleep and try again until the deadline.  One
** deadline for the whole run, so --wait bounds every wait together, the
** ones of opening (WAL recovery, schema reads) included.
*/
static int
busy_wait(void *arg, int count)
{
	long left = crm_db_ms_left(arg), nap = count < 10 ? 1 + count : 20;

	if (left == 0)
		return 0;
	usleep((useconds_t)(nap < left ? nap : left) * 1000);
	return 1;
}

static int
is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static void __attribute__((noreturn))
db_fail(struct crm_db *db, int rc, const char *what)
{
	if (is_busy(rc))
		crm_db_die_busy(db);
	crm_die("database '%s': %s: %s", db->path, what, sqlite3_errmsg(H(db)));
}

static void
sq_exec(struct crm_db *db, const char *sql)
{
	int rc = sqlite3_exec(H(db), sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		db_fail(db, rc, "cannot run SQL");
}

/*
** While a database file is being created by another process, SQLite can
** answer BUSY at once, without calling the busy handler (switching to WAL,
** reading a schema half written).  Setup steps retry until the wait is over.
*/
static int
setup_retry(struct crm_db *db, int rc, int *tries)
{
	return is_busy(rc) && busy_wait(db, (*tries)++);
}

static long long
pragma_int(struct crm_db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = 0;
	int rc, tries = 0;

again:
	if ((rc = sqlite3_prepare_v2(H(db), sql, -1, &st, NULL)) != SQLITE_OK) {
		if (setup_retry(db, rc, &tries))
			goto again;
		db_fail(db, rc, "cannot read the schema version");
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		if (setup_retry(db, rc, &tries))
			goto again;
		db_fail(db, rc, "cannot read the schema version");
	}
	sqlite3_finalize(st);
	return v;
}

static void
setup_exec(struct crm_db *db, const char *sql)
{
	int rc, tries = 0;

	while ((rc = sqlite3_exec(H(db), sql, NULL, NULL, NULL)) != SQLITE_OK)
		if (!setup_retry(db, rc, &tries))
			db_fail(db, rc, "cannot set up the database");
}

/*
** crm_feed, an eponymous virtual table: each row is what the NEXT of the
** running crm_db_feed() gives.
*/
struct feed_vtab {
	sqlite3_vtab base;
	struct crm_db *db;
};
struct feed_cursor {
	sqlite3_vtab_cursor base;
	struct crm_db *db;
	struct crm_value row[CRM_FEED_COLS];
	long long n;
	int eof;
};

static int
feed_connect(sqlite3 *h, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **vt, char **err)
{
	struct feed_vtab *t;
	int rc;

	(void)argc, (void)argv, (void)err;
	char decl[20 + 5 * CRM_FEED_COLS] = "CREATE TABLE x(c0";

	for (int i = 1; i < CRM_FEED_COLS; i++)
		snprintf(decl + strlen(decl), sizeof decl - strlen(decl), ", c%d", i);
	strcat(decl, ")");
	if ((rc = sqlite3_declare_vtab(h, decl)) != SQLITE_OK)
		return rc;
	if ((t = sqlite3_malloc(sizeof *t)) == NULL)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof *t);
	t->db = aux;
	*vt = &t->base;
	return SQLITE_OK;
}

static int
feed_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	(void)vt;
	info->estimatedCost = 1e6;
	return SQLITE_OK;
}

static int
feed_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int
feed_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur)
{
	struct feed_cursor *c;

	if ((c = sqlite3_malloc(sizeof *c)) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	c->db = ((struct feed_vtab *)vt)->db;
	*cur = &c->base;
	return SQLITE_OK;
}

static int
feed_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int
feed_next(sqlite3_vtab_cursor *cur)
{
	struct feed_cursor *c = (struct feed_cursor *)cur;

	memset(c->row, 0, sizeof c->row);
	c->eof = c->db->feed == NULL || !c->db->feed(c->db->feed_ctx, c->row);
	c->n++;
	return SQLITE_OK;
}

static int
feed_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
    sqlite3_value **argv)
{
	(void)idx, (void)idxstr, (void)argc, (void)argv;
	return feed_next(cur);
}

static int
feed_eof(sqlite3_vtab_cursor *cur)
{
	return ((struct feed_cursor *)cur)->eof;
}

static int
feed_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	const struct crm_value *v = &((struct feed_cursor *)cur)->row[i];

	if (v->type == CRM_VINT)
		sqlite3_result_int64(ctx, v->i);
	else if (v->type == CRM_VTEXT && v->s)
		sqlite3_result_text(ctx, v->s, -1, SQLITE_STATIC);
	return SQLITE_OK;	/* NULL */
}

static int
feed_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((struct feed_cursor *)cur)->n;
	return SQLITE_OK;
}

static const sqlite3_module feed_module = {
	.xConnect = feed_connect, .xBestIndex = feed_best_index,
	.xDisconnect = feed_disconnect, .xOpen = feed_open,
	.xClose = feed_close, .xFilter = feed_filter, .xNext = feed_next,
	.xEof = feed_eof, .xColumn = feed_column, .xRowid = feed_rowid,
};

static void
sq_open(struct crm_db *db, enum crm_db_mode mode)
{
	struct stat st;
	sqlite3 *h = NULL;
	/*
	 * NOMUTEX: every program uses a connection from one thread (an import's
	 * reader thread never touches the database), and
	 * the connection's mutex cost crm-score a tenth of its time (a lock
	 * per sqlite3_column_text() of a million rows).
	 */
	int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (mode == CRM_DB_MEMORY)
		flags |= SQLITE_OPEN_CREATE;
	else if (stat(db->path, &st) == -1) {
		if (errno != ENOENT)
			crm_die_errno("cannot open database '%s'", db->path);
		if (mode != CRM_DB_CREATE)
			crm_die("no database '%s' (set --db or CRM_DB; crm-db init, "
			    "crm-user add and crm-lead add or import create one)",
			    db->path);
		flags |= SQLITE_OPEN_CREATE;
	} else if (st.st_size == 0 && mode != CRM_DB_CREATE)
		crm_die("database '%s' is an empty file, not a crm database",
		    db->path);
	if ((rc = sqlite3_open_v2(db->path, &h, flags, NULL)) != SQLITE_OK)
		crm_die("cannot open database '%s': %s", db->path,
		    h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
	db->e = h;
	sqlite3_extended_result_codes(h, 1);
	sqlite3_busy_handler(h, busy_wait, db);
	if (sqlite3_create_module(h, "crm_feed", &feed_module, db) != SQLITE_OK)
		crm_die("cannot open database '%s': %s", db->path,
		    sqlite3_errmsg(h));
	/* One statement, so one snapshot: another process may be creating it. */
	if (pragma_int(db, "SELECT count(*) FROM pragma_application_id"
	    " WHERE application_id = 0 AND (SELECT count(*) FROM sqlite_master) > 0") > 0)
		crm_die("'%s' is not a crm database", db->path);
	if (mode != CRM_DB_MEMORY)
		setup_exec(db, "PRAGMA journal_mode=WAL");
	/* FULL: a commit that returned is on disk, power loss or not. */
	setup_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	    " PRAGMA cache_size=" CRM_CACHE_SIZE "; PRAGMA temp_store=MEMORY");
}

static void
sq_close(struct crm_db *db)
{
	sqlite3_close(H(db));
	db->e = NULL;
}

static void
sq_schema(struct crm_db *db, struct crm_schema_state *st)
{
	st->appid = pragma_int(db, "PRAGMA application_id");
	st->version = pragma_int(db, "PRAGMA user_version");
	st->foreign = st->version == 0 &&
	    pragma_int(db, "SELECT count(*) FROM sqlite_master") > 0;
	st->empty = !st->foreign && st->version == 0;
}

static void
sq_migrate(struct crm_db *db, int n, const char *sql)
{
	(void)n;
	sq_exec(db, sql);
}

static void
sq_stamp(struct crm_db *db, long long appid, long long version)
{
	char sql[96];

	snprintf(sql, sizeof sql, "PRAGMA application_id=%lld; PRAGMA user_version=%lld",
	    appid, version);
	sq_exec(db, sql);
}

static void
sq_begin(struct crm_db *db, enum crm_tx tx)
{
	(void)tx;	/* one writer at a time, whatever it locks */
	sq_exec(db, "BEGIN IMMEDIATE");
}

static void
sq_commit(struct crm_db *db)
{
	sq_exec(db, "COMMIT");
}

static void
sq_rollback(struct crm_db *db)
{
	sqlite3_exec(H(db), "ROLLBACK", NULL, NULL, NULL);
}

static void *
sq_prepare(struct crm_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(H(db), sql, -1, &st, NULL)) != SQLITE_OK) {
		if (is_busy(rc))
			db_fail(db, rc, "prepare");
		crm_die("internal error: cannot prepare SQL: %s\n%s",
		    sqlite3_errmsg(H(db)), sql);
	}
	return st;
}

static void
sq_finalize(void *st)
{
	sqlite3_finalize(st);
}

static void
sq_reset(void *st, int clear)
{
	sqlite3_reset(st);
	if (clear)
		sqlite3_clear_bindings(st);
}

static void
sq_bind_text(void *st, int i, const char *s, int copy)
{
	sqlite3_bind_text(st, i, s, -1, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

static void
sq_bind_int(void *st, int i, long long v)
{
	sqlite3_bind_int64(st, i, v);
}

static void
sq_bind_null(void *st, int i)
{
	sqlite3_bind_null(st, i);
}

static int
sq_step(struct crm_stmt *s)
{
	int rc = sqlite3_step(s->e);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s->e);
		return 0;
	}
	sqlite3_reset(s->e);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return -1;
	db_fail(s->db, rc, "statement failed");
}

static const char *
sq_col_text(void *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static long long
sq_col_int(void *st, int i)
{
	return sqlite3_column_int64(st, i);
}

static int
sq_col_null(void *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static int
sq_col_count(void *st)
{
	return sqlite3_column_count(st);
}

static const char *
sq_col_name(void *st, int i)
{
	return sqlite3_column_name(st, i);
}

static long long
sq_last_id(struct crm_db *db)
{
	return sqlite3_last_insert_rowid(H(db));
}

static const char *
sq_errmsg(struct crm_db *db)
{
	return sqlite3_errmsg(H(db));
}

static char *
sq_index_sql(struct crm_db *db, const char *name)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?");
	char *def = NULL;

	crm_bind_text(s, 1, name);
	if (crm_step(s)) {
		def = xstrdup(crm_col_text(s, 0));
		crm_reset(s);
	}
	return def;
}

static void
sq_index_build(struct crm_db *db, int begin)
{
	/*
	 * The sorter behind CREATE INDEX holds as much as the page cache in
	 * memory, besides the cache, then spills to temporary files, which
	 * temp_store=MEMORY would keep in memory too: as big as the table.
	 */
	if (begin)
		sq_exec(db, "PRAGMA temp_store=FILE; PRAGMA cache_size=-16384");
	else
		sq_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=" CRM_CACHE_SIZE);
}

static long long
sq_integrity(struct crm_db *db, void (*fn)(const char *msg, void *ctx),
    void *ctx)
{
	struct crm_stmt *s = crm_sql(db, "PRAGMA integrity_check");
	long long n = 0;

	while (crm_step(s)) {
		const char *m = crm_col_text(s, 0);

		if (m && strcmp(m, "ok") == 0)
			continue;
		n++;
		fn(m ? m : "?", ctx);
	}
	return n;
}

static void
sq_backup(struct crm_db *db, const char *path)
{
	struct crm_stmt *s;

	if (access(path, F_OK) == 0)
		crm_die("'%s' exists: a backup goes to a new file", path);
	s = crm_sql(db, "VACUUM INTO ?");
	crm_bind_text(s, 1, path);
	if (crm_step_try(s) < 0)
		crm_die("cannot back up to '%s': %s", path, sqlite3_errmsg(H(db)));
}

static void
sq_lock_row(struct crm_db *db, const char *table, long long id)
{
	(void)db, (void)table, (void)id;	/* BEGIN IMMEDIATE holds them all */
}

static int
sq_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

const struct crm_engine crm_engine_sqlite = {
	"sqlite", sq_open, sq_close, sq_schema, sq_migrate, sq_stamp, sq_exec,
	sq_begin, sq_commit, sq_rollback, sq_prepare, sq_finalize, sq_reset,
	sq_bind_text, sq_bind_int, sq_bind_null, sq_step, sq_col_text,
	sq_col_int, sq_col_null, sq_col_count, sq_col_name, sq_last_id,
	sq_errmsg, sq_index_sql, sq_index_build, sq_integrity, sq_backup,
	sq_lock_row, sq_exists, NULL, NULL, NULL, NULL, NULL, NULL,
};
