/* db.c: SQLite behind the crm_db interface: WAL, busy waits, migrations. */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "customer.h"
#include "db.h"
#include "die.h"
#include "opt.h"
#include "policy.h"
#include "str.h"
#include "when.h"

#define CRM_CACHE_SIZE "-65536"	/* KiB: 64 MiB, whatever the database size */

#define CRM_APPLICATION_ID 0x43524d31	/* "CRM1" */

extern const char *const crm_migrations[];

struct crm_stmt {
	struct crm_db *db;
	sqlite3_stmt *st;
	const char *sql;		/* the caller's string: the cache key */
	struct crm_stmt *next;
	int taken;			/* held by a cursor (crm_sql_take) */
	int own;			/* not in the cache: freed when given back */
};

struct crm_db {
	sqlite3 *h;
	char *path;
	int in_tx;
	struct crm_stmt *cache;
	struct timespec deadline;	/* waiting for locks ends here */
	struct crm_ctx ctx;
	int (*feed)(void *ctx, struct crm_value *row);	/* crm_db_feed */
	void *feed_ctx;
};

static struct crm_db *dying_db;

/* Milliseconds left before DB's deadline; 0 when it has passed. */
static long
ms_left(const struct crm_db *db)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(db->deadline.tv_sec - now.tv_sec) * 1000 +
	    (db->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/*
** SQLite's busy handler: sleep and try again until the deadline.  One
** deadline for the whole run, so --wait bounds every wait together, the
** ones of opening (WAL recovery, schema reads) included.
*/
static int
busy_wait(void *arg, int count)
{
	long left = ms_left(arg), nap = count < 10 ? 1 + count : 20;

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
		crm_die_busy("database '%s' is busy (waited %d s): try again",
		    db->path, (crm_g.wait_ms + 999) / 1000);
	crm_die("database '%s': %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

static void
rollback_on_die(void)
{
	if (dying_db && dying_db->in_tx) {
		dying_db->in_tx = 0;
		sqlite3_exec(dying_db->h, "ROLLBACK", NULL, NULL, NULL);
	}
}

void
crm_db_exec(struct crm_db *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		db_fail(db, rc, "cannot run SQL");
}

void
crm_db_drop_indexes(struct crm_db *db, const char *const *names,
    struct strvec *saved)
{
	struct crm_stmt *s = crm_sql(db,
	    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?");
	char *drop;

	for (; *names; names++) {
		crm_bind_text(s, 1, *names);
		if (!crm_step(s))
			continue;
		sv_push(saved, crm_col_text(s, 0));
		crm_reset(s);
		drop = xasprintf("DROP INDEX \"%s\"", *names);
		crm_db_exec(db, drop);
		free(drop);
	}
}

void
crm_db_create_indexes(struct crm_db *db, struct strvec *saved)
{
	/*
	 * The sorter behind CREATE INDEX holds as much as the page cache in
	 * memory, besides the cache, then spills to temporary files, which
	 * temp_store=MEMORY would keep in memory too: as big as the table.
	 */
	crm_db_exec(db, "PRAGMA temp_store=FILE; PRAGMA cache_size=-16384");
	for (size_t i = 0; i < saved->n; i++)
		crm_db_exec(db, saved->v[i]);
	crm_db_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=" CRM_CACHE_SIZE);
	sv_free(saved);
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

void
crm_db_feed(struct crm_db *db, const char *sql,
    int (*next)(void *ctx, struct crm_value *row), void *ctx)
{
	db->feed = next;
	db->feed_ctx = ctx;
	crm_db_exec(db, sql);
	db->feed = NULL;
	db->feed_ctx = NULL;
}

const char *
crm_db_errmsg(struct crm_db *db)
{
	return sqlite3_errmsg(db->h);
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
	if ((rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL)) != SQLITE_OK) {
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

	while ((rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL)) != SQLITE_OK)
		if (!setup_retry(db, rc, &tries))
			db_fail(db, rc, "cannot set up the database");
}

static int
count_migrations(void)
{
	int n = 0;

	while (crm_migrations[n])
		n++;
	return n;
}

/*
** What a migration cannot do in SQL, done in C right after it, by the
** migration's number: 007 made customer_keys, whose keys are hashes
** computed by norm_key_hash().
*/
static const struct {
	int version;
	void (*fn)(struct crm_db *db);
} migrate_hooks[] = {
	{ 7, crm_customer_keys_fill },
};

/* Bring the schema up to date inside one write transaction. */
static void
migrate(struct crm_db *db)
{
	int want = count_migrations();
	long long appid = pragma_int(db, "PRAGMA application_id");
	long long have = pragma_int(db, "PRAGMA user_version");
	char sql[96];

	if (appid != 0 && appid != CRM_APPLICATION_ID)
		crm_die("'%s' is not a crm database", db->path);
	if (have > want)
		crm_die("database '%s' has schema version %lld, newer than this "
		    "program knows (%d): upgrade crm", db->path, have, want);
	if (have == want && appid == CRM_APPLICATION_ID)
		return;
	crm_db_begin(db);
	have = pragma_int(db, "PRAGMA user_version");	/* another may have won */
	if (have == 0 && pragma_int(db, "SELECT count(*) FROM sqlite_master") > 0)
		crm_die("'%s' is not a crm database", db->path);	/* same snapshot: we write */
	for (int v = (int)have; v < want; v++) {
		crm_db_exec(db, crm_migrations[v]);
		for (size_t i = 0; i < sizeof migrate_hooks / sizeof migrate_hooks[0]; i++)
			if (migrate_hooks[i].version == v + 1)
				migrate_hooks[i].fn(db);
	}
	snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d",
	    CRM_APPLICATION_ID, want);
	crm_db_exec(db, sql);
	/* The creator's (or the upgrader's) zone, until crm-db config sets one. */
	if (crm_config_get(db, "timezone") == NULL)
		crm_config_set(db, "timezone", crm_tz_default());
	crm_db_commit(db);
}

const char *
crm_config_get(struct crm_db *db, const char *key)
{
	static char buf[4][512];
	static int which;
	struct crm_stmt *s = crm_sql(db, "SELECT value FROM config WHERE key = ?");
	char *out = NULL;

	crm_bind_text(s, 1, key);
	if (crm_step(s)) {
		out = buf[which = (which + 1) % 4];
		snprintf(out, sizeof buf[0], "%s", crm_col_text(s, 0));
		crm_reset(s);
	}
	return out;
}

void
crm_config_set(struct crm_db *db, const char *key, const char *value)
{
	struct crm_stmt *s = crm_sql(db, "INSERT INTO config (key, value)"
	    " VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");

	crm_bind_text(s, 1, key);
	crm_bind_text(s, 2, value);
	crm_step(s);
}

struct crm_db *
crm_db_open(enum crm_db_mode mode)
{
	struct crm_db *db = xcalloc(1, sizeof *db);
	struct stat st;
	/*
	 * NOMUTEX: every program uses a connection from one thread (an import's
	 * reader thread never touches the database), and
	 * the connection's mutex cost crm-score a tenth of its time (a lock
	 * per sqlite3_column_text() of a million rows).
	 */
	int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	const char *tz;

	db->path = xstrdup(mode == CRM_DB_MEMORY ? ":memory:" : crm_g.db_path);
	db->ctx.actor_id = -1;
	clock_gettime(CLOCK_MONOTONIC, &db->deadline);
	db->deadline.tv_sec += crm_g.wait_ms / 1000;
	db->deadline.tv_nsec += (long)(crm_g.wait_ms % 1000) * 1000000;
	if (db->deadline.tv_nsec >= 1000000000L) {
		db->deadline.tv_sec++;
		db->deadline.tv_nsec -= 1000000000L;
	}
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
	if ((rc = sqlite3_open_v2(db->path, &db->h, flags, NULL)) != SQLITE_OK)
		crm_die("cannot open database '%s': %s", db->path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_handler(db->h, busy_wait, db);
	if (sqlite3_create_module(db->h, "crm_feed", &feed_module, db) != SQLITE_OK)
		crm_die("cannot open database '%s': %s", db->path,
		    sqlite3_errmsg(db->h));
	dying_db = db;
	crm_atdie(rollback_on_die);
	/* One statement, so one snapshot: another process may be creating it. */
	if (pragma_int(db, "SELECT count(*) FROM pragma_application_id"
	    " WHERE application_id = 0 AND (SELECT count(*) FROM sqlite_master) > 0") > 0)
		crm_die("'%s' is not a crm database", db->path);
	if (mode != CRM_DB_MEMORY)
		setup_exec(db, "PRAGMA journal_mode=WAL");
	/* FULL: a commit that returned is on disk, power loss or not. */
	setup_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	    " PRAGMA cache_size=" CRM_CACHE_SIZE "; PRAGMA temp_store=MEMORY");
	migrate(db);
	if ((tz = crm_config_get(db, "timezone")) != NULL)
		crm_tz_set(tz);
	crm_policy_open(db);
	return db;
}

const char *
crm_db_path(const struct crm_db *db)
{
	return db->path;
}

struct crm_ctx *
crm_ctx(struct crm_db *db)
{
	return &db->ctx;
}

void
crm_db_close(struct crm_db *db)
{
	struct crm_stmt *s, *next;

	if (db == NULL)
		return;
	if (db->in_tx)
		crm_db_rollback(db);
	for (s = db->cache; s; s = next) {
		next = s->next;
		sqlite3_finalize(s->st);
		free(s);
	}
	sqlite3_close(db->h);
	if (dying_db == db)
		dying_db = NULL;
	crm_policy_close(db);
	free(db->path);
	free(db);
}

void
crm_db_begin(struct crm_db *db)
{
	crm_db_exec(db, "BEGIN IMMEDIATE");
	db->in_tx = 1;
}

void
crm_db_commit(struct crm_db *db)
{
	crm_db_exec(db, "COMMIT");
	db->in_tx = 0;
}

void
crm_db_rollback(struct crm_db *db)
{
	db->in_tx = 0;
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

struct crm_stmt *
crm_sql(struct crm_db *db, const char *sql)
{
	struct crm_stmt *s;
	int rc;

	/* Callers pass the same static strings: match pointers before text. */
	for (s = db->cache; s; s = s->next)
		if (s->sql == sql)
			goto found;
	for (s = db->cache; s; s = s->next)
		if (strcmp(s->sql, sql) == 0)
			goto found;
	s = xcalloc(1, sizeof *s);
	s->db = db;
	s->sql = sql;
	if ((rc = sqlite3_prepare_v2(db->h, sql, -1, &s->st, NULL)) != SQLITE_OK) {
		if (is_busy(rc))
			db_fail(db, rc, "prepare");
		crm_die("internal error: cannot prepare SQL: %s\n%s",
		    sqlite3_errmsg(db->h), sql);
	}
	s->next = db->cache;
	db->cache = s;
	return s;
found:
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	return s;
}

struct crm_stmt *
crm_sql_own(struct crm_db *db, const char *sql)
{
	struct crm_stmt *s = xcalloc(1, sizeof *s);
	int rc;

	s->db = db;
	s->sql = sql;
	if ((rc = sqlite3_prepare_v2(db->h, sql, -1, &s->st, NULL)) != SQLITE_OK) {
		if (is_busy(rc))
			db_fail(db, rc, "prepare");
		crm_die("internal error: cannot prepare SQL: %s\n%s",
		    sqlite3_errmsg(db->h), sql);
	}
	return s;
}

struct crm_stmt *
crm_sql_take(struct crm_db *db, const char *sql)
{
	struct crm_stmt *s = crm_sql(db, sql);

	if (s->taken) {
		s = crm_sql_own(db, sql);
		s->own = 1;
	}
	s->taken = 1;
	return s;
}

void
crm_sql_give(struct crm_stmt *s)
{
	if (s == NULL)
		return;
	if (s->own) {
		crm_stmt_free(s);
		return;
	}
	sqlite3_reset(s->st);
	s->taken = 0;
}

void
crm_stmt_free(struct crm_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->st);
	free(s);
}

void
crm_bind_text(struct crm_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s->st, i);
	else
		sqlite3_bind_text(s->st, i, v, -1, SQLITE_TRANSIENT);
}

void
crm_bind_text_static(struct crm_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s->st, i);
	else
		sqlite3_bind_text(s->st, i, v, -1, SQLITE_STATIC);
}

void
crm_bind_value(struct crm_stmt *s, int i, const struct crm_value *v)
{
	if (v->type == CRM_VINT)
		sqlite3_bind_int64(s->st, i, v->i);
	else if (v->type == CRM_VTEXT && v->s)
		sqlite3_bind_text(s->st, i, v->s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s->st, i);
}

void
crm_bind_int(struct crm_stmt *s, int i, long long v)
{
	sqlite3_bind_int64(s->st, i, v);
}

void
crm_bind_null(struct crm_stmt *s, int i)
{
	sqlite3_bind_null(s->st, i);
}

int
crm_step_try(struct crm_stmt *s)
{
	int rc = sqlite3_step(s->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s->st);
		return 0;
	}
	sqlite3_reset(s->st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return -1;
	db_fail(s->db, rc, "statement failed");
}

int
crm_step(struct crm_stmt *s)
{
	int rc = crm_step_try(s);

	if (rc < 0)
		crm_die("database '%s': %s", s->db->path, sqlite3_errmsg(s->db->h));
	return rc;
}

void
crm_reset(struct crm_stmt *s)
{
	sqlite3_reset(s->st);
}

const char *
crm_col_text(struct crm_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s->st, i);
}

long long
crm_col_int(struct crm_stmt *s, int i)
{
	return sqlite3_column_int64(s->st, i);
}

int
crm_col_null(struct crm_stmt *s, int i)
{
	return sqlite3_column_type(s->st, i) == SQLITE_NULL;
}

int
crm_col_count(struct crm_stmt *s)
{
	return sqlite3_column_count(s->st);
}

const char *
crm_col_name(struct crm_stmt *s, int i)
{
	return sqlite3_column_name(s->st, i);
}

long long
crm_db_last_id(struct crm_db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

long long
crm_db_id(struct crm_db *db, const char *sql, const char *arg)
{
	struct crm_stmt *s = crm_sql(db, sql);
	long long v = -1;

	crm_bind_text(s, 1, arg);
	if (crm_step(s)) {
		v = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		crm_reset(s);
	}
	return v;
}

long long
crm_db_int(struct crm_db *db, const char *sql, long long arg)
{
	struct crm_stmt *s = crm_sql(db, sql);
	long long v = -1;

	if (strchr(sql, '?'))
		crm_bind_int(s, 1, arg);
	if (crm_step(s)) {
		v = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		crm_reset(s);
	}
	return v;
}

long long
crm_db_integrity(struct crm_db *db, void (*fn)(const char *msg, void *ctx),
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

void
crm_db_backup(struct crm_db *db, const char *path)
{
	struct crm_stmt *s;

	if (access(path, F_OK) == 0)
		crm_die("'%s' exists: a backup goes to a new file", path);
	s = crm_sql(db, "VACUUM INTO ?");
	crm_bind_text(s, 1, path);
	if (crm_step_try(s) < 0)
		crm_die("cannot back up to '%s': %s", path, sqlite3_errmsg(db->h));
}
